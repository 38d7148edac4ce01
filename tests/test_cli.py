"""The `passport` CLI against a real database file: every command, its refusals and exit codes."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from passport_tui.cli import cli

CURRICULUM = (Path(__file__).parent / "data" / "maths.toml").read_text(encoding="utf-8")

ROSTER = """\ufeffUPN,Legal Forename,Legal Surname,NC Year,Reg Group,Sex,PP,EAL,SEN Status,FSM
A100,Ann,O'Brien [Y6],2,2H,F,Y,N,K,Y
A101,Ben,Smith,2,2H,M,N,Y,N,N
"""


@pytest.fixture
def env(tmp_path: Path):
    db = tmp_path / "school.db"
    (tmp_path / "maths.toml").write_text(CURRICULUM, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(cli, ["--db", str(db), "--as", "ms.hughes", *args], catch_exceptions=False)
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    run("init")
    run("curriculum", "import", str(tmp_path / "maths.toml"))
    run("pupils", "import", str(tmp_path / "roster.csv"))
    run.db = db  # type: ignore[attr-defined]
    run.dir = tmp_path  # type: ignore[attr-defined]
    return run


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


def all_commands(group: click.Group, prefix=()):
    ctx = click.Context(group, info_name="passport")
    for name in group.list_commands(ctx):  # the root group loads its commands when asked
        cmd = group.get_command(ctx, name)
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, (*prefix, name))


def test_every_command_has_help():
    runner = CliRunner()
    for path in all_commands(cli):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        cmd = cli
        for part in path:
            cmd = cmd.get_command(click.Context(cmd), part)  # type: ignore[attr-defined]
        assert cmd.help and len(cmd.help) > 10, path


def test_init_creates_a_private_database(tmp_path):
    db = tmp_path / "sub" / "p.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "init"])
    assert result.exit_code == 0
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_passport_db_environment_variable(tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("PASSPORT_DB", str(db))
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    assert db.exists()


def test_curriculum_list_and_export_round_trip(env):
    listed = json.loads(env("curriculum", "list", "--json").output)
    assert listed == [
        {"id": "maths", "title": "Maths", "version": "1", "stages": ["Y1", "Y2"], "milestones": 6}
    ]
    out = env.dir / "out.toml"
    env("curriculum", "export", "maths", "-o", str(out))
    env("curriculum", "check", str(out))
    assert "Count to 20 [and back]" in out.read_text()


def test_bad_curriculum_is_refused_with_location_and_nothing_changes(env):
    bad = env.dir / "bad.toml"
    bad.write_text(
        CURRICULUM.replace('id = "maths"', 'id = "other"').replace(
            'requires = ["2N-2"]', 'requires = ["9Z-9"]'
        )
    )
    before = count(env.db, "curricula")
    result = env("curriculum", "import", str(bad), code=1)
    assert f"{bad}:" in result.stderr and "9Z-9" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert count(env.db, "curricula") == before
    result = env("curriculum", "check", str(bad), code=1)
    assert "9Z-9" in result.stderr


def test_pupils_import_and_list(env):
    rows = json.loads(env("pupils", "list", "--class", "2H", "--json").output)
    assert [(r["upn"], r["last_name"], r["year_group"], r["sen"]) for r in rows] == [
        ("A100", "O'Brien [Y6]", 2, "support"),
        ("A101", "Smith", 2, "none"),
    ]
    assert rows[0]["pupil_premium"] is True and rows[1]["eal"] is True


def test_bad_roster_fails_whole_import_with_row(env):
    bad = env.dir / "bad.csv"
    bad.write_text("UPN,Forename,Surname,Year\nB1,Cara,Jones,3\nB2,Dan,Lee,banana\n")
    result = env("pupils", "import", str(bad), code=1)
    assert f"{bad}:3:" in result.stderr
    assert count(env.db, "pupils") == 2


def test_judge_refusals_and_override(env):
    env("judge", "A100", "1N-1", "achieved")
    result = env("judge", "A100", "1N-3", "achieved", code=1)
    assert result.stderr.strip() == (
        "passport: 1N-3 needs 1N-2 first (not yet achieved); override with a reason to record it anyway."
    )
    env("judge", "A100", "1N-3", "achieved", "--override", "Shown in class work")
    gaps = json.loads(env("gaps", "A100", "--json").output)
    assert gaps == [{"curriculum": "maths", "milestone": "1N-2", "title": "Read and write numbers to 20"}]
    result = env("judge", "A100", "1N-1", "not-yet", code=1)
    assert "stays achieved" in result.stderr
    assert count(env.db, "judgements") == 2


def test_retract(env):
    env("judge", "A101", "1N-1", "achieved")
    env("retract", "A101", "1N-1", code=2)  # --reason is required: a usage error
    env("retract", "A101", "1N-1", "--reason", "Wrong pupil")
    env("retract", "A101", "1N-1", "--reason", "Again", code=1)
    history = json.loads(env("history", "A101", "--json").output)
    assert [h["verdict"] for h in history] == ["achieved", "retracted"]
    assert history[1]["reason"] == "Wrong pupil" and history[1]["corrects"] == history[0]["id"]
    assert history[0]["by"] == "ms.hughes"


def test_back_dating_and_future_dates(env):
    env("judge", "A101", "1N-1", "achieved", "--at", "2025-10-01")
    history = json.loads(env("history", "A101", "--json").output)
    assert history[0]["at"].startswith("2025-10-01")
    result = env("judge", "A101", "1N-2", "achieved", "--at", "2999-01-01", code=1)
    assert "future" in result.stderr
    env("judge", "A101", "1N-2", "achieved", "--at", "yesterday", code=2)


def test_unknown_pupil_and_milestone(env):
    assert "No pupil" in env("judge", "ZZZ", "1N-1", "achieved", code=1).stderr
    assert "No milestone" in env("judge", "A100", "9X-1", "achieved", code=1).stderr


def test_ambiguous_milestone_needs_curriculum(env):
    other = env.dir / "other.toml"
    other.write_text(CURRICULUM.replace('id = "maths"', 'id = "maths2"'))
    env("curriculum", "import", str(other))
    assert "several curricula" in env("judge", "A100", "1N-1", "achieved", code=1).stderr
    env("judge", "A100", "1N-1", "achieved", "--curriculum", "maths2")


def test_show_json_has_the_passport(env):
    for m in ("1N-1", "1N-2", "1N-3", "2N-1"):
        env("judge", "A101", m, "achieved")
    data = json.loads(env("show", "A101", "--json").output)
    assert data["pupil"]["upn"] == "A101" and data["pupil"]["year_group"] == 2
    (entry,) = data["curricula"]
    assert entry["id"] == "maths"
    assert entry["achieved"] == ["1N-1", "1N-2", "1N-3", "2N-1"]
    assert entry["next"] == ["2N-2"]
    assert entry["gaps"] == []
    assert entry["points"] == 13  # Year 1 complete (12) + one third of Year 2
    assert entry["target"] == 15
    assert set(entry) >= {"id", "achieved", "next", "gaps", "points", "expected", "target", "flags"}
    text = env("show", "A101").output
    assert "Ben Smith" in text and "points 13" in text


def test_next_json_items(env):
    items = json.loads(env("next", "A100", "--json").output)
    assert items == [{"curriculum": "maths", "milestone": "1N-1", "title": "Count to 20 [and back]"}]


def test_usage_error_exits_2(env):
    env("judge", "A100", "1N-1", "maybe", code=2)


def test_demo_builds_a_school(tmp_path):
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo", "--no-tui"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "class 2H" in result.output
    assert 75 <= count(db, "pupils") <= 85
    assert count(db, "judgements") > 2000
    assert count(db, "curricula") >= 2
    # a second run into a database with pupils is refused, and leaves it alone
    again = CliRunner().invoke(cli, ["--db", str(db), "demo", "--no-tui"])
    assert again.exit_code == 1 and "already has pupils" in again.output


def test_bulk_marking_skips_pupils_already_secure(env):
    from passport_tui.service import Service

    env("judge", "A100", "1N-1", "achieved")
    with Service.open(env.db, user="t") as svc:
        ids = [svc.pupil("A100").id, svc.pupil("A101").id]
        out = svc.judge_many(ids, "maths", "1N-1", "achieved")
        assert [(o.already, o.judgement is not None) for o in out] == [(True, False), (False, True)]
    assert count(env.db, "judgements") == 2


def test_roster_without_class_column_keeps_classes(env):
    update = env.dir / "update.csv"
    update.write_text("UPN,Forename,Surname,Year\nA100,Annie,O'Brien [Y6],2\n")
    env("pupils", "import", str(update))
    rows = {r["upn"]: r for r in json.loads(env("pupils", "list", "--json").output)}
    assert rows["A100"]["first_name"] == "Annie" and rows["A100"]["class_name"] == "2H"


def test_standings_lean_and_full_paths_agree(env):
    from passport_tui import engine
    from passport_tui.service import Service

    for m in ("1N-1", "1N-2", "1N-3"):
        env("judge", "A101", m, "achieved")
    env("judge", "A100", "1N-1", "achieved")
    env("retract", "A100", "1N-1", "--reason", "wrong pupil")
    with Service.open(env.db, user="t") as svc:
        c = svc.curriculum("maths")
        streamed = {p.upn: (s.points, s.flags, s.gaps) for p, s in svc.standings(c)}
        for upn in ("A100", "A101"):
            s = svc.standing(svc.pupil(upn), c)
            assert streamed[upn] == (s.points, s.flags, s.gaps)
        assert streamed["A101"][0] == 12
        assert isinstance(engine.lean_fold([]), engine.FirstAchieved)
