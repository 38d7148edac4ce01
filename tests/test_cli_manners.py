"""The command line's manners: tables that line up whatever the names, ``--json`` on what a
script reads, counts with the right plural, shell completion as the README gives it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.cli.output import Column, table
from passport_tui.widths import fitted, width

DATA = Path(__file__).parent / "data"

ROSTER = """UPN,Legal Forename,Legal Surname,NC Year,Reg Group,Sex,PP,EAL,SEN Status,FSM
A100,Ann,Lee,2,2H,F,Y,N,K,Y
A101,小明,王,2,2H,M,N,Y,N,N
A102,Zoë 🦊,Brontë,2,2H,F,N,N,N,N
A103,Maximilian-Alexander,Featherstonehaugh-王王王,2,2H,M,N,N,N,N
"""


@pytest.fixture
def run(tmp_path: Path):
    db = tmp_path / "school.db"
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(cli, ["--db", str(db), "--as", "ms.hughes", *args], catch_exceptions=False)
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    run("init")
    run("curriculum", "import", str(DATA / "maths.toml"))
    run("pupils", "import", str(tmp_path / "roster.csv"))
    run.dir = tmp_path  # type: ignore[attr-defined]
    return run


# --- tables --------------------------------------------------------------------------------


def test_width_counts_terminal_columns():
    assert width("Ann") == 3
    assert width("王小明") == 6
    assert width("Zoë") == 3 and width("Zoe\u0308") == 3  # a combining diaeresis takes none
    assert fitted("王小明", 5) == "王小" and width(fitted("王小明", 5)) == 4
    assert fitted("Featherstone", 5) == "Feath"


def test_a_table_lines_up_by_terminal_columns(capsys):
    columns = (Column("pupil", 8, clip=True), Column("n", 3, ">"), Column("after"))
    table(
        columns, [("王小明", "1", "x"), ("Ann", "22", "y"), ("王小明王小明", "3", "z"), ("🦊 Zoë", "4", "w")]
    )
    lines = capsys.readouterr().out.splitlines()
    # the last column starts at the same terminal column on every line, the header's included
    starts = {width(line[: line.rindex(" ") + 1]) for line in lines}
    assert starts == {13}, lines


def test_tracking_columns_do_not_shift_with_wide_names(run):
    out = run("tracking").output.splitlines()
    # the table, then (after a blank line) how many pupils are not assessed yet: nobody is judged here
    assert out[-1].startswith(f"{len(out) - 3} pupils not assessed yet")
    header, rows = out[0], out[1 : out.index("")]
    assert any("王" in r for r in rows) and any("🦊" in r for r in rows)
    at = width(header[: header.index("subject")])
    for row in rows:
        assert width(row[: row.index("maths")]) == at, row


# --- --json --------------------------------------------------------------------------------


def test_curriculum_check_json_gives_each_file_and_fails_on_a_bad_one(run):
    bad = run.dir / "bad.toml"
    bad.write_text('[curriculum]\nid = "x"\ntitle = "X"\n\n[[milestones]]\nid = 3\n', encoding="utf-8")
    result = run("curriculum", "check", str(DATA / "maths.toml"), str(bad), "--json", code=1)
    good, broken = json.loads(result.stdout)
    assert good["ok"] and good["id"] == "maths" and good["milestones"] > 1 and not good["problems"]
    assert not broken["ok"] and broken["id"] is None
    assert broken["problems"] and all(p.startswith(f"{bad}:") for p in broken["problems"])
    assert result.stderr == ""  # the problems are in the JSON


def test_judge_json_is_the_judgement_recorded(run):
    first = json.loads(run("judge", "A100", "1N-1", "achieved", "--note", "王 🦊", "--json").stdout)
    assert first["milestone_id"] == "1N-1" and first["verdict"] == "achieved" and first["note"] == "王 🦊"
    assert first["by"] == "ms.hughes" and isinstance(first["id"], int)
    history = run("history", "A100", "--json").stdout
    assert "1N-1" in history


def test_imports_json_say_what_they_did(run):
    again = json.loads(run("pupils", "import", str(run.dir / "roster.csv"), "--json").stdout)
    assert (again["file"], again["added"], again["updated"]) == (str(run.dir / "roster.csv"), 0, 0)
    fresh = json.loads(run("curriculum", "import", "key-maths", "--json").stdout)
    assert fresh["id"] == "key-maths" and fresh["shipped"] and fresh["milestones"] > 10
    scores = run.dir / "scores.csv"
    scores.write_text("UPN,Score\nA100,88\nA101,91\n", encoding="utf-8")
    done = json.loads(run("test", "import", str(scores), "--curriculum", "maths", "--json").stdout)
    assert done == {"file": str(scores), "scores_added": 2}


def test_settings_show_json_marks_the_current_window(run):
    windows = json.loads(run("settings", "show", "--json").stdout)
    assert [w["key"].split("-")[1] for w in windows] == ["autumn", "spring", "summer"]
    assert sum(w["current"] for w in windows) == 1


# --- plurals -------------------------------------------------------------------------------


def test_plural():
    from passport_tui.shown import plural

    assert [plural(n, "pupil") for n in (0, 1, 2)] == ["0 pupils", "1 pupil", "2 pupils"]
    assert plural(1, "match", "matches") == "1 match" and plural(3, "match", "matches") == "3 matches"


def test_one_of_a_thing_is_not_said_as_many(run):
    one = run.dir / "one.csv"
    one.write_text(ROSTER.splitlines()[0] + "\nA200,Ann,Solo,2,2H,F,N,N,N,N\n", encoding="utf-8")
    assert "1 pupil added" in run("pupils", "import", str(one)).stdout
    scores = run.dir / "scores.csv"
    scores.write_text("UPN,Score\nA200,88\n", encoding="utf-8")
    assert "1 test score\n" in run("test", "import", str(scores), "--curriculum", "maths").stdout
    exported = run("transfer", "export", "A200", "-o", str(run.dir / "solo.json")).stdout
    assert "1 pupil, 0 judgements" in exported


# --- shell completion ----------------------------------------------------------------------


@pytest.mark.slow  # three starts of the command in a real bash
@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_completion_as_the_readme_gives_it(tmp_path):
    """The README's line in a real bash: commands, subcommands and a verdict's choices complete."""
    script = """
        eval "$(_PASSPORT_COMPLETE=bash_source passport)"
        complete -p passport
        COMP_WORDS=(passport cur); COMP_CWORD=1; COMPREPLY=(); _passport_completion passport
        echo "1: ${COMPREPLY[*]}"
        COMP_WORDS=(passport curriculum ""); COMP_CWORD=2; COMPREPLY=(); _passport_completion passport
        echo "2: ${COMPREPLY[*]}"
        COMP_WORDS=(passport judge A1 1N-1 ""); COMP_CWORD=4; COMPREPLY=(); _passport_completion passport
        echo "3: ${COMPREPLY[*]}"
    """
    bin_dir = str(Path(sys.executable).parent)  # where the passport script is installed
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["PASSPORT_DB"] = str(tmp_path / "none.db")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("complete ") and lines[0].endswith(" passport")
    assert lines[1:] == ["1: curriculum", "2: check export import list", "3: achieved not-yet"]
    assert not (tmp_path / "none.db").exists()  # completing never creates a database
