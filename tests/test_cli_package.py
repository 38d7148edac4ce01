"""The shape of the `passport` command's package: one JSON serialiser for every `--json`, the keys
each `--json` has always had, no store below the command line, and Textual only when the app opens."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import passport_tui.cli
from passport_tui.cli import cli
from passport_tui.cli.output import emit_json, inlined, named, to_json
from passport_tui.models import Pupil, Sen

CLI_DIR = Path(passport_tui.cli.__file__).parent
DATA = Path(__file__).parent / "data"

ROSTER = """\ufeffUPN,Legal Forename,Legal Surname,NC Year,Reg Group,Sex,PP,EAL,SEN Status,FSM
A100,Ann,O'Brien [Y6],2,2H,F,Y,N,K,Y
A101,Ben,Smith,2,2H,M,N,Y,N,N
A102,Cara,Jones,2,2H,F,N,N,N,N
"""


# --- the serialiser ------------------------------------------------------------------------


class Colour(Enum):
    RED = "red"


@dataclass
class Inner:
    when: datetime
    on: date


@dataclass
class Outer:
    class_: str = field(metadata=named("class"))
    colour: Colour
    inner: Inner
    path: Path
    tags: frozenset[str]
    pairs: tuple[int, ...]
    nothing: None = None


def test_to_json_knows_the_result_types():
    value = Outer(
        "2H",
        Colour.RED,
        Inner(datetime(2026, 3, 14, 12, tzinfo=UTC), date(2026, 3, 14)),
        Path("/tmp/x.db"),
        frozenset({"b", "a"}),
        (1, 2),
    )
    assert to_json(value) == {
        "class": "2H",
        "colour": "red",
        "inner": {"when": "2026-03-14T12:00:00+00:00", "on": "2026-03-14"},
        "path": "/tmp/x.db",
        "tags": ["a", "b"],
        "pairs": [1, 2],
        "nothing": None,
    }


def test_to_json_dumps_a_pydantic_model_as_the_model_does():
    p = Pupil(upn="A1", first_name="Ann", last_name="Lee", year_group=2, academic_year=2025, sen=Sen.EHCP)
    assert to_json([p]) == [p.model_dump(mode="json")]


def test_an_inlined_field_gives_its_keys_in_place_and_a_later_field_replaces_one_where_it_stands():
    @dataclass
    class Line:
        pupil: Pupil = field(metadata=inlined("academic_year"))
        year_group: int = 0

    p = Pupil(upn="A1", first_name="Ann", last_name="Lee", year_group=2, academic_year=2025)
    out = to_json(Line(p, 3))
    expected = p.model_dump(mode="json")
    expected.pop("academic_year")
    expected["year_group"] = 3
    assert out == expected and list(out) == list(expected)


def test_to_json_refuses_what_it_does_not_know():
    with pytest.raises(TypeError, match="object"):
        to_json(object())


def test_emit_json_writes_text_as_it_is(capsys):
    emit_json({"name": "Zoë [b]"})
    assert capsys.readouterr().out == '{\n  "name": "Zoë [b]"\n}\n'


# --- every --json command, through the serialiser, with the keys it has always had ------------


def FIGURES(side: str) -> list[str]:  # noqa: N802
    keys = ("n", "with_points", "mean_points", "pct_at_expected", "progress_this_year")
    keys += ("progress_last_window", "pct_with_gaps", "with_steps", "steps_per_pupil_window")
    keys += ("steps_per_pupil_year", "made_progress", "pct_made_progress", "not_assessed")
    return [f"groups.{side}", *(f"groups.{side}.{k}" for k in keys)]


KEYS = {
    ("curriculum", "check"): ["file", "ok", "id", "stages", "milestones", "problems", "warnings"],
    ("curriculum", "import"): [
        "file",
        "id",
        "version",
        "title",
        "milestones",
        "retired",
        "moved",
        "shipped",
        "warnings",
    ],
    ("judge",): [
        "id",
        "pupil_id",
        "curriculum_id",
        "milestone_id",
        "verdict",
        "by",
        "at",
        "note",
        "reason",
        "corrects",
        "recorded_at",
    ],
    ("pupils", "import"): [
        "file",
        "added",
        "updated",
        "warnings",
        "skipped",
        "academic_year",
        "version",
        "uk_grades",
    ],
    ("pupils", "oneroster"): [
        "file",
        "added",
        "updated",
        "warnings",
        "skipped",
        "academic_year",
        "version",
        "uk_grades",
    ],
    ("settings", "show"): ["key", "name", "start", "end", "current"],
    ("test", "import"): ["file", "scores_added"],
    ("transfer", "import"): [
        "file",
        "curricula_added",
        "pupils_added",
        "pupils_matched",
        "events_added",
        "events_already_here",
        "events_left_out",
        "test_scores_added",
        "targets_added",
        "focus_added",
        "notes_added",
        "outcomes_added",
        "staff_named",
        "pathways_given",
        "kept",
        "warnings",
    ],
    ("curriculum", "list"): ["id", "title", "version", "stages", "milestones"],
    ("pathway", "show"): ["upn", "name", "curricula", "default"],
    ("pupils", "list"): [
        "id",
        "upn",
        "first_name",
        "last_name",
        "year_group",
        "class_name",
        "gender",
        "pupil_premium",
        "eal",
        "sen",
        "fsm",
        "dob",
        "tags",
        "year",
    ],
    ("pupils", "add"): [
        "id",
        "upn",
        "first_name",
        "last_name",
        "year_group",
        "class_name",
        "gender",
        "pupil_premium",
        "eal",
        "sen",
        "fsm",
        "dob",
        "tags",
        "year",
        "passport_id",
    ],
    ("pupils", "edit"): [
        "id",
        "upn",
        "first_name",
        "last_name",
        "year_group",
        "class_name",
        "gender",
        "pupil_premium",
        "eal",
        "sen",
        "fsm",
        "dob",
        "tags",
        "year",
        "changed",
    ],
    ("show",): [
        "pupil",
        "pupil.id",
        "pupil.upn",
        "pupil.name",
        "pupil.year_group",
        "pupil.class",
        "curricula",
        "curricula.id",
        "curricula.title",
        "curricula.achieved",
        "curricula.achieved_on",
        "curricula.next",
        "curricula.gaps",
        "curricula.revisit",
        "curricula.points",
        "curricula.expected",
        "curricula.target",
        "curricula.target_status",
        "curricula.flags",
        "curricula.window",
        "curricula.points_by_window",
        "curricula.focus",
        "curricula.focus.milestone",
        "curricula.focus.provision",
        "curricula.test",
        "curricula.test.window",
        "curricula.test.score",
        "curricula.test.test_point",
        "curricula.test.greater_depth",
        "curricula.retired",
        "curricula.unlisted",
        "curricula.assessed",
    ],
    ("next",): ["curriculum", "milestone", "title"],
    ("gaps",): ["curriculum", "milestone", "title"],
    ("history",): [
        "id",
        "pupil_id",
        "curriculum_id",
        "milestone_id",
        "verdict",
        "by",
        "at",
        "note",
        "reason",
        "corrects",
        "recorded_at",
    ],
    ("tracking",): [
        "upn",
        "name",
        "class",
        "year_group",
        "curriculum",
        "window",
        "points",
        "expected",
        "target",
        "target_status",
        "progress_this_year",
        "progress_last_window",
        "gaps",
        "flags",
        "assessed",
        "steps_secured",
        "steps_this_year",
        "steps_this_window",
        "steps_target_secured",
        "steps_target_size",
    ],
    ("test", "list"): [
        "upn",
        "name",
        "class",
        "curriculum",
        "window",
        "score",
        "test_point",
        "greater_depth",
        "teacher_points",
        "expected",
        "disagreement",
        "disagrees",
    ],
    ("target", "show"): [
        "upn",
        "name",
        "curriculum",
        "points",
        "milestones",
        "due",
        "personal",
        "status",
        "reason",
        "history",
        "history.academic_year",
        "history.points",
        "history.milestones",
        "history.due",
        "history.default",
        "history.reason",
        "history.by",
        "history.at",
    ],
    ("groups",): [
        "curriculum",
        "window",
        "groups",
        "groups.group",
        *FIGURES("group_figures"),
        *FIGURES("rest"),
        "groups.points_gap",
        "groups.at_expected_gap",
        *FIGURES("year_ago"),
        *FIGURES("rest_year_ago"),
        "lags",
        "pupils",
        "not_assessed",
    ],
    ("moderation", "list"): [
        "judgement_id",
        "upn",
        "name",
        "class",
        "curriculum",
        "milestone",
        "recorded_by",
        "recorded_at",
        "status",
        "sampled",
        "confirmed_by",
        "query",
        "queried_by",
        "resolution",
        "resolved_by",
    ],
    ("focus", "list"): ["curriculum", "milestone", "title", "provision", "by", "at"],
    ("staff", "list"): ["username", "name", "role", "classes"],
    ("outcome", "list"): [
        "curriculum",
        "id",
        "area",
        "area_title",
        "title",
        "source",
        "requires",
        "status",
        "achieved_on",
        "added_by",
        "added_at",
        "retired_at",
        "retired_by",
        "retired_reason",
    ],
    ("doctor",): ["path", "ok", "verdict", "checks", "checks.name", "checks.ok", "checks.detail"],
}
KEYS[("gaps", "--age")] = [*KEYS[("gaps",)], "days_open"]
KEYS[("moderation", "sample")] = KEYS[("moderation", "list")]
KEYS[("pupils", "leavers")] = [*KEYS[("pupils", "list")], "left_on"]
KEYS[("pupils", "erase")] = ["upn", "erasure", "rows", "tables", "checkpointed"]

FREE_FORM = ("achieved_on", "points_by_window", "tables", "moved")  # keyed by milestone, window, table: data


def key_paths(value, prefix: str = "") -> list[str]:
    """Every key of a JSON value, nested ones as ``parent.key``, items of lists merged."""
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append(prefix + k)
            if k not in FREE_FORM:
                out += key_paths(v, f"{prefix}{k}.")
    elif isinstance(value, list):
        for item in value:
            out += [p for p in key_paths(item, prefix) if p not in out]
    return list(dict.fromkeys(out))


def json_commands(group: click.Group, prefix=()):
    ctx = click.Context(group, info_name="passport")
    for name in group.list_commands(ctx):  # the root group loads its commands when asked
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from json_commands(cmd, (*prefix, name))
        elif any(p.name == "as_json" for p in cmd.params):
            yield (*prefix, name), cmd


@pytest.fixture
def school(tmp_path: Path):
    db = tmp_path / "school.db"
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(cli, ["--db", str(db), "--as", "ms.hughes", *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output, result.stderr)
        return result

    run("init")
    run("staff", "add", "ms.hughes", "--name", "Ms Hughes", "--role", "admin", "--class", "2H")
    run("curriculum", "import", str(DATA / "maths.toml"))
    run("pupils", "import", str(tmp_path / "roster.csv"))
    for upn in ("A100", "A101"):
        for m in ("1N-1", "1N-2", "1N-3"):
            run("judge", upn, m, "achieved")
    run("judge", "A100", "2N-2", "achieved", "--override", "shown in class")
    run("test", "record", "A100", "maths", "85")
    run("target", "set", "A100", "--curriculum", "maths", "--points", "15", "--reason", "stretch")
    run("focus", "pin", "A100", "2N-1", "--provision", "small group")
    run("moderation", "sample", "--class", "2H", "--curriculum", "maths", "--size", "2")
    run(
        "outcome",
        "add",
        "A100",
        "maths",
        "--area",
        "n",
        "--title",
        "Counts to 5",
        "--source",
        "EHCP section E",
    )
    return run


def given_arguments(school, tmp_path: Path) -> dict[tuple[str, ...], list[str]]:
    """The arguments of the --json commands that take more than a pupil: files, mostly."""
    from tests.test_oneroster import V1P2, write_set

    scores = tmp_path / "scores.csv"
    scores.write_text("UPN,Score\nA101,90\n", encoding="utf-8")
    passports = tmp_path / "school.passport.json"
    school("transfer", "export", "-o", str(passports))
    return {
        ("judge",): ["A102", "1N-1", "achieved"],
        ("curriculum", "check"): [str(DATA / "maths.toml")],
        ("curriculum", "import"): [str(DATA / "maths.toml")],
        ("pupils", "import"): [str(tmp_path / "roster.csv")],
        ("pupils", "oneroster"): [str(write_set(tmp_path / "set", V1P2))],
        ("test", "import"): [str(scores), "--curriculum", "maths"],
        ("transfer", "import"): [str(passports)],
    }


def test_every_json_command_prints_its_keys_through_the_serialiser(school, tmp_path):
    arguments = {"pupil": "A100"}
    required = {
        "class_name": "2H",
        "curriculum_id": "maths",
        "name": "Zoë Brontë",
        "year": "R",
        "reason": "erasure request",
    }
    given = given_arguments(school, tmp_path)
    seen = set()
    for path, cmd in json_commands(cli):
        args = given.get(path) or [arguments[p.name] for p in cmd.params if isinstance(p, click.Argument)]
        if path == ("pupils", "erase"):  # Cara, whom no later command needs
            args = ["A102", "--yes"]
        if path == ("pupils", "leavers"):
            school("pupils", "edit", "A101", "--left", "2019-07-20")
        opts = [
            x
            for p in cmd.params
            if isinstance(p, click.Option) and p.required
            for x in (p.opts[0], required[p.name])
        ]
        variants = [()] + ([("--age",)] if path == ("gaps",) else [])
        for extra in variants:
            out = json.loads(school(*path, *args, *opts, *extra, "--json").stdout)
            assert out, (path, extra)
            key = (*path, *extra)
            assert key_paths(out) == KEYS[key], key
            seen.add(key)
    assert seen == set(KEYS)


# --- layers --------------------------------------------------------------------------------

FORBIDDEN = ("sqlite3", "sqlite_utils", "passport_tui.store", "textual", "rich")


def imported_modules(path: Path, top_level: bool = False) -> list[str]:
    """What a module of the cli package imports, relative imports resolved (``top_level``: only
    what it imports when it is loaded, not inside its functions)."""
    package = ["passport_tui", "cli"]
    names = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body if top_level else ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names += [module] + [f"{module}.{a.name}" for a in node.names]
    return names


def test_the_command_line_imports_neither_the_store_nor_sqlite_nor_textual_directly():
    for path in sorted(CLI_DIR.glob("*.py")):
        names = imported_modules(path)
        bad = [n for n in names if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)]
        if path.name == "app.py":  # the one place the terminal app is opened, inside the call
            bad = [n for n in bad if not n.startswith("passport_tui.tui")]
        if path.name == "progress.py":  # Rich draws a progress bar, imported only when one is drawn
            assert not [n for n in imported_modules(path, top_level=True) if n.split(".")[0] == "rich"]
            bad = [n for n in bad if n.split(".")[0] != "rich"]
        assert not bad, (path.name, bad)


def test_no_command_module_imports_the_package_it_is_registered_in():
    for path in sorted(CLI_DIR.glob("*.py")):
        if path.name in ("__init__.py", "__main__.py", "ssh.py"):  # the package and its two entry points
            continue
        names = imported_modules(path)
        assert "passport_tui.cli" not in names, path.name


def test_scripted_commands_never_import_textual():
    """``python -m passport_tui.cli`` is the command; loading every command for ``show --help``
    imports no Textual, Rich or Jinja (the app is imported inside the call that opens it)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "passport_tui.cli", "show", "--help"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stdout.startswith("Usage: passport show")
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "passport_tui.cli.judging" in imported  # the import times were read
    assert not {m for m in imported if m.split(".")[0] in ("textual", "rich", "jinja2")}
