"""Who may do what (DESIGN §8, issue 9): every command of the ``passport`` command tree and every
write action of the app, run as five people against a pupil of class 4O.

The five: ``admin`` (head), ``teacher`` (ms.o, who teaches 4O), ``other`` (mr.p, who teaches 6P),
``viewer`` (view) and ``unknown`` (a login that is not a member of staff). The rules:

- every read is scoped to a teacher's classes (admins and viewers see every class);
- every write is checked: a teacher changes only their own classes' pupils, a viewer changes
  nothing;
- curricula, rosters, staff, settings, backup, restore and imports of rosters, curricula and
  passport files are for admins only;
- once staff exist, an unknown login is refused everything that opens the database;
- "not yours" and "does not exist" give the same message.

A refusal is exit status 1, exactly one line on stderr, no traceback, no file written and the
database unchanged (compared as an SQL dump). An allowed command exits 0. Each case runs on its
own copy of the database, so cases are independent.

The expected tables are the rules, not what the code does today.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from passport_tui.cli import cli
from passport_tui.service import Service
from passport_tui.store import Store
from tests.staffed_school import (
    AVA,
    CURRICULUM,
    NOBODY,
    PIA,
    STAFF,
    School,
    build_empty_school,
    build_school,
)

ROLES = ("admin", "teacher", "other", "viewer", "unknown")


def table(text: str) -> dict[str, dict[str, bool]]:
    """``path  allow|refuse × 5`` per line (columns in the order of ``ROLES``) → path → role → allowed."""
    out: dict[str, dict[str, bool]] = {}
    for line in text.strip().splitlines():
        words = line.split()
        path, cells = " ".join(words[: -len(ROLES)]), words[-len(ROLES) :]
        assert all(c in ("allow", "refuse") for c in cells), line
        assert path not in out, f"{path} twice"
        out[path] = {role: cell == "allow" for role, cell in zip(ROLES, cells, strict=True)}
    return out


# --- the command line ------------------------------------------------------------------------

# one row per command path:      admin   teacher other   viewer  unknown
EXPECTED = table(
    """
init                             allow   allow   allow   allow   refuse
demo                             refuse  refuse  refuse  refuse  refuse
curriculum check                 allow   allow   allow   allow   allow
curriculum import                allow   refuse  refuse  refuse  refuse
curriculum export                allow   refuse  refuse  refuse  refuse
curriculum list                  allow   allow   allow   allow   refuse
pupils add                       allow   allow   refuse  refuse  refuse
pupils edit                      allow   allow   refuse  refuse  refuse
pupils import                    allow   refuse  refuse  refuse  refuse
pupils list                      allow   allow   refuse  allow   refuse
pupils oneroster                 allow   refuse  refuse  refuse  refuse
pupils erase                     allow   refuse  refuse  refuse  refuse
pupils leavers                   allow   refuse  refuse  refuse  refuse
judge                            allow   allow   refuse  refuse  refuse
baseline                         allow   allow   refuse  refuse  refuse
pathway show                     allow   allow   refuse  allow   refuse
pathway set                      allow   allow   refuse  refuse  refuse
pathway add                      allow   allow   refuse  refuse  refuse
pathway remove                   allow   allow   refuse  refuse  refuse
pathway default                  allow   refuse  refuse  refuse  refuse
outcome add                      allow   allow   refuse  refuse  refuse
outcome list                     allow   allow   refuse  allow   refuse
outcome edit                     allow   allow   refuse  refuse  refuse
outcome retire                   allow   allow   refuse  refuse  refuse
outcome delete                   allow   allow   refuse  refuse  refuse
retract                          allow   allow   refuse  refuse  refuse
show                             allow   allow   refuse  allow   refuse
next                             allow   allow   refuse  allow   refuse
gaps                             allow   allow   refuse  allow   refuse
history                          allow   allow   refuse  allow   refuse
revisit                          allow   allow   refuse  refuse  refuse
tracking                         allow   allow   refuse  allow   refuse
settings terms                   allow   refuse  refuse  refuse  refuse
settings show                    allow   allow   allow   allow   refuse
test record                      allow   allow   refuse  refuse  refuse
test import                      allow   allow   refuse  refuse  refuse
test list                        allow   allow   refuse  allow   refuse
target set                       allow   allow   refuse  refuse  refuse
target clear                     allow   allow   refuse  refuse  refuse
target show                      allow   allow   refuse  allow   refuse
groups                           allow   allow   refuse  allow   refuse
moderation sample                allow   allow   refuse  refuse  refuse
moderation confirm               allow   allow   refuse  refuse  refuse
moderation query                 allow   allow   refuse  refuse  refuse
moderation resolve               allow   allow   refuse  refuse  refuse
moderation list                  allow   allow   refuse  allow   refuse
focus pin                        allow   allow   refuse  refuse  refuse
focus unpin                      allow   allow   refuse  refuse  refuse
focus list                       allow   allow   refuse  allow   refuse
staff add                        allow   refuse  refuse  refuse  refuse
staff remove                     allow   refuse  refuse  refuse  refuse
staff list                       allow   allow   allow   allow   refuse
report                           allow   allow   refuse  allow   refuse
comment                          allow   allow   refuse  refuse  refuse
transfer export                  allow   allow   refuse  allow   refuse
transfer import                  allow   refuse  refuse  refuse  refuse
export tracking                  allow   allow   refuse  allow   refuse
backup                           allow   refuse  refuse  refuse  refuse
restore                          allow   refuse  refuse  refuse  refuse
doctor                           allow   allow   allow   allow   refuse
"""
)
# Notes on rows the rules leave open:
# - demo: never touches a database that already has pupils, whoever asks.
# - curriculum check: validates files and never opens the database, so it needs no login.
# - pupils add and edit: a teacher adds pupils to their own classes and edits their pupils
#   (mr.p may not add to 4O); changing a pupil's UPN is an admin's (see test_pupils.py).
# - pupils erase and leavers: erasure and retention are the school's data protection work, an
#   admin's alone, as is recording that a pupil has left ('pupils edit --left').
# - test import: termly scores are a teacher's work, like `test record`: allowed for the pupils of
#   their own classes (the file here holds Ava's score only), refused when any row is another's.
# - transfer export, report, export tracking: reads (they write files, not the database).
# - staff list, settings show, curriculum list, doctor: no pupil's data; any member of staff may
#   read them. curriculum export is an admin's, like import (issue 11).
# Files are named as a forced command gives them (plain names): an admin writes them where they
# are (the case's folder, as the working folder), a teacher or viewer under --as only into their
# own folder, reports/STAFF/ beside the database.


@dataclass(frozen=True)
class Case:
    school: School
    out: Path  # the working folder: where an admin's files go; a refused command writes none


# realistic arguments acting on Ava (class 4O) or on class 4O
ARGS: dict[str, Callable[[Case], list[str]]] = {
    "init": lambda c: [],
    "demo": lambda c: ["--no-tui"],
    "curriculum check": lambda c: [str(c.school.curriculum_file)],
    "curriculum import": lambda c: [str(c.school.curriculum_file)],
    "curriculum export": lambda c: [CURRICULUM, "-o", "key-maths.toml"],
    "curriculum list": lambda c: [],
    "pupils add": lambda c: ["--name", "Noor Hassan", "--year", "4", "--class", "4O"],
    "pupils edit": lambda c: [AVA.lower(), "--name", "Ava Ashby-Jones", "--year", "Y4"],
    "pupils import": lambda c: [str(c.school.roster_csv)],
    "pupils list": lambda c: ["--class", "4O"],
    "pupils oneroster": lambda c: [str(c.school.oneroster_set)],
    "pupils erase": lambda c: [AVA, "--reason", "erasure request", "--yes"],
    "pupils leavers": lambda c: ["--left-before", "2100-01-01"],
    "judge": lambda c: [AVA, "4NPV-1", "achieved", "--curriculum", CURRICULUM],
    "retract": lambda c: [AVA, "4NPV-2", "--reason", "recorded for the wrong pupil"],
    "baseline": lambda c: [AVA, CURRICULUM, "--through", "Y3", "--reason", "joined in Year 4"],
    "pathway show": lambda c: [AVA],
    "pathway set": lambda c: [AVA, CURRICULUM],
    "pathway add": lambda c: [AVA, CURRICULUM],
    "pathway remove": lambda c: [AVA, CURRICULUM],
    "pathway default": lambda c: [CURRICULUM],
    "outcome add": lambda c: [
        AVA,
        CURRICULUM,
        "--area",
        "npv",
        "--title",
        "Counts out ten objects for a game of four",
    ],
    "outcome list": lambda c: [AVA],
    "outcome edit": lambda c: [AVA, "PO-1", "--source", "SEN support plan, spring review"],
    "outcome retire": lambda c: [AVA, "PO-1", "--reason", "met; replaced at the review"],
    "outcome delete": lambda c: [AVA, "PO-1"],
    "show": lambda c: [AVA],
    "next": lambda c: [AVA],
    "gaps": lambda c: [AVA, "--age"],
    "history": lambda c: [AVA],
    "revisit": lambda c: [AVA, "4NPV-2", "--note", "unsure after the holiday"],
    "tracking": lambda c: ["--class", "4O"],
    "settings terms": lambda c: ["--spring", "01-05", "--summer", "04-20"],
    "settings show": lambda c: [],
    "test record": lambda c: [AVA, CURRICULUM, "72"],
    "test import": lambda c: [str(c.school.test_scores_csv)],
    "test list": lambda c: ["--class", "4O"],
    "target set": lambda c: [AVA, "--curriculum", CURRICULUM, "--points", "22", "--reason", "flying"],
    "target clear": lambda c: [AVA, "--curriculum", CURRICULUM, "--reason", "back on track"],
    "target show": lambda c: [AVA],
    "groups": lambda c: ["--class", "4O", "--curriculum", CURRICULUM],
    "moderation sample": lambda c: ["--class", "4O", "--curriculum", CURRICULUM, "--size", "1"],
    "moderation confirm": lambda c: [str(c.school.pending_id)],
    "moderation query": lambda c: [str(c.school.pending_id), "--note", "Is this secure?"],
    "moderation resolve": lambda c: [str(c.school.queried_id), "--note", "Seen in her books"],
    "moderation list": lambda c: ["--class", "4O"],
    "focus pin": lambda c: [AVA, "4NPV-1", "--provision", "small group", "--curriculum", CURRICULUM],
    "focus unpin": lambda c: [AVA, "4NPV-3", "--curriculum", CURRICULUM],
    "focus list": lambda c: [AVA],
    "staff add": lambda c: ["ta.o", "--name", "Mr Tan", "--role", "teacher", "--class", "4O"],
    "staff remove": lambda c: ["view"],
    "staff list": lambda c: [],
    "report": lambda c: [AVA],
    "comment": lambda c: [AVA, "Ava explains her thinking clearly."],
    "transfer export": lambda c: [AVA, "-o", "ava.passport.json"],
    "transfer import": lambda c: [str(c.school.passport_file)],
    "export tracking": lambda c: ["--class", "4O", "-o", "tracking.csv"],
    "backup": lambda c: ["backup.db"],
    "restore": lambda c: [str(c.school.backup), "--yes"],
    "doctor": lambda c: [],
}


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[str]:
    """Every command of the tree, as its path ("moderation confirm"), walking into groups."""
    ctx = click.Context(group, info_name=" ".join(prefix) or "passport")
    paths = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append(" ".join((*prefix, name)))
    return paths


def dump(db: Path) -> str:
    """The database as SQL: equal dumps mean nothing was changed."""
    with closing(sqlite3.connect(db)) as conn:
        return "\n".join(conn.iterdump())


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> School:
    return build_school(tmp_path_factory.mktemp("staffed"))


@pytest.fixture(scope="module")
def pristine(school: School) -> str:
    return dump(school.db)


def passport(db: Path, role: str, args: list[str]) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "--as", STAFF[role], *args])


def what_happened(result: Result) -> str:
    """The outcome in a line, for the failure report."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        e = result.exception
        return f"exit {result.exit_code}, traceback ending {type(e).__name__}: {e}"
    lines = result.stderr.strip().splitlines()
    return f"exit {result.exit_code}, stderr {lines!r}"


def check_refused(result: Result, db: Path, pristine: str, out: Path) -> list[str]:
    """What is wrong with a refusal (nothing when it is a proper one)."""
    wrong = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        wrong.append("ended in a traceback")
    if result.exit_code != 1:
        wrong.append(f"exit status {result.exit_code}, not 1")
    if len(result.stderr.strip().splitlines()) != 1:
        wrong.append(f"{len(result.stderr.strip().splitlines())} lines on stderr, not 1")
    written = sorted(p.name for p in out.iterdir())
    written += sorted(str(p.relative_to(db.parent)) for p in db.parent.glob("reports/*/*"))
    if written:
        wrong.append(f"wrote {written}")
    if dump(db) != pristine:
        wrong.append("changed the database")
    return wrong


def test_every_command_has_a_row():
    """A new command cannot be missed: the walk of the command tree must match the tables."""
    paths = command_paths(cli)
    assert len(paths) == len(set(paths))
    assert sorted(paths) == sorted(EXPECTED), "commands without a row, or rows without a command"
    assert sorted(paths) == sorted(ARGS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_command(path: str, role: str, school: School, pristine: str, tmp_path: Path, monkeypatch):
    db = school.copy_to(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    result = passport(db, role, [*path.split(), *ARGS[path](Case(school, out))])
    happened = what_happened(result)
    if EXPECTED[path][role]:
        assert result.exit_code == 0 and result.exception is None, (
            f"{path} as {role}: expected allowed; {happened}"
        )
    else:
        wrong = check_refused(result, db, pristine, out)
        assert not wrong, f"{path} as {role}: expected refused; {'; '.join(wrong)}; {happened}"


def test_the_app_refuses_an_unknown_login(school: School, pristine: str, tmp_path: Path):
    """``passport`` with no command opens the app: an unknown login gets one line, not the app."""
    db = school.copy_to(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    result = passport(db, "unknown", [])
    assert not check_refused(result, db, pristine, out), what_happened(result)


# The class-wide forms of the commands, asked by mr.p about class 4O: refused whether or not
# anything is recorded yet. (A check made only once there are rows to filter answers "nothing
# here" on an empty class, which tells him the class exists and is empty.)
CLASS_WIDE = {
    "pupils list": ["pupils", "list", "--class", "4O"],
    "tracking": ["tracking", "--class", "4O"],
    "groups": ["groups", "--class", "4O", "--curriculum", CURRICULUM],
    "test list": ["test", "list", "--class", "4O"],
    "moderation list": ["moderation", "list", "--class", "4O"],
    "moderation sample": ["moderation", "sample", "--class", "4O", "--curriculum", CURRICULUM],
    "report --class": ["report", "--class", "4O"],
    "transfer export --class": ["transfer", "export", "--class", "4O", "-o", "4O.json"],
    "export tracking": ["export", "tracking", "--class", "4O", "-o", "4O.csv"],
}


@pytest.fixture(scope="module")
def empty_school(tmp_path_factory) -> Path:
    return build_empty_school(tmp_path_factory.mktemp("empty"))


@pytest.mark.parametrize("records", ["recorded", "empty"])
@pytest.mark.parametrize("what", sorted(CLASS_WIDE))
def test_another_class_is_refused_whatever_is_recorded(
    what: str, records: str, school: School, pristine: str, empty_school: Path, tmp_path: Path
):
    source = school.db if records == "recorded" else empty_school
    before = pristine if records == "recorded" else dump(empty_school)
    db = tmp_path / "school.db"
    db.write_bytes(source.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    result = passport(db, "other", [a.format(out=out) for a in CLASS_WIDE[what]])
    wrong = check_refused(result, db, before, out)
    assert not wrong, f"{what} as other ({records}): {'; '.join(wrong)}; {what_happened(result)}"
    assert "4O" in result.stderr  # refused for the class, not for where the file would go


# Reads of the whole school, asked by ms.o: they answer about her class only (Pia, of 6P, is in
# none of them).
SCHOOL_WIDE = {
    "pupils list": ["pupils", "list", "--json"],
    "tracking": ["tracking", "--json"],
    "groups": ["groups", "--json"],
    "test list": ["test", "list", "--json"],
    "moderation list": ["moderation", "list", "--json"],
    "report --school": ["report", "--school"],
    "transfer export": ["transfer", "export", "-o", "everyone.json"],
    "export tracking": ["export", "tracking", "-o", "everyone.csv"],
}


@pytest.mark.parametrize("what", sorted(SCHOOL_WIDE))
def test_a_teachers_school_wide_reads_leave_out_other_classes(what: str, school: School, tmp_path: Path):
    db = school.copy_to(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    result = passport(db, "teacher", [a.format(out=out) for a in SCHOOL_WIDE[what]])
    assert result.exit_code == 0, what_happened(result)
    mine = db.parent / "reports" / STAFF["teacher"]  # where her files go under --as
    text = result.output + "".join(p.read_text(encoding="utf-8") for p in mine.glob("*"))
    assert "Ashby" in text or AVA in text or what in ("groups", "report --school")
    assert "Patel" not in text and PIA not in text


# the same message whether it is another class's or does not exist: (what, theirs, missing)
SAME_MESSAGE = [
    ("show", ["show", PIA], ["show", NOBODY]),
    ("judge", ["judge", PIA, "5NPV-2", "achieved"], ["judge", NOBODY, "5NPV-2", "achieved"]),
    ("focus list", ["focus", "list", PIA], ["focus", "list", NOBODY]),
    (
        "outcome add",
        ["outcome", "add", PIA, CURRICULUM, "--area", "npv", "--title", "Counts to ten"],
        ["outcome", "add", NOBODY, CURRICULUM, "--area", "npv", "--title", "Counts to ten"],
    ),
    ("outcome list", ["outcome", "list", PIA], ["outcome", "list", NOBODY]),
    ("tracking --class", ["tracking", "--class", "6P"], ["tracking", "--class", "9Z"]),
    ("moderation confirm", ["moderation", "confirm", "{pia}"], ["moderation", "confirm", "999999"]),
]


@pytest.mark.parametrize(("what", "theirs", "missing"), SAME_MESSAGE, ids=[s[0] for s in SAME_MESSAGE])
def test_not_yours_and_does_not_exist_look_the_same(
    what: str, theirs: list[str], missing: list[str], school: School, pristine: str, tmp_path: Path
):
    """ms.o asks about Pia (6P) and about a pupil, class or judgement that does not exist: the
    same refusal, apart from the key she typed."""
    messages = []
    for n, args in enumerate((theirs, missing)):
        args = [a.format(pia=school.pia_judgement_id) for a in args]
        db = school.copy_to(tmp_path / str(n))
        out = tmp_path / str(n) / "out"
        out.mkdir()
        result = passport(db, "teacher", args)
        wrong = check_refused(result, db, pristine, out)
        assert not wrong, f"{' '.join(args)}: {'; '.join(wrong)}; {what_happened(result)}"
        key = next(a for a in args[1:] if a not in ("--class", "list", "confirm", "add"))
        messages.append(result.stderr.strip().replace(key, "KEY"))
    assert messages[0] == messages[1], f"{what}: {messages[0]!r} vs {messages[1]!r}"


# --- the app ---------------------------------------------------------------------------------

# The app shows a teacher only their classes, so "other" and "unknown" cannot reach Ava by keys
# from a fresh start. They are the people for whom access changes while the app is open: mr.p
# taught 4O when he opened the app and 4O was then taken off him; "unknown" was a teacher of 4O,
# removed from the staff while the app was open. Each case opens the app, goes to the screen, and
# only then (for those two) takes the access away, on the app's own connection so that its poll
# for other users' changes does not redraw the screen first.

# one row per action:            admin   teacher other   viewer  unknown
APP_EXPECTED = table(
    """
grid a                           allow   allow   refuse  refuse  refuse
grid n                           allow   allow   refuse  refuse  refuse
grid a with an override          allow   allow   refuse  refuse  refuse
grid r                           allow   allow   refuse  refuse  refuse
grid v                           allow   allow   refuse  refuse  refuse
grid bulk a                      allow   allow   refuse  refuse  refuse
grid bulk n                      allow   allow   refuse  refuse  refuse
grid bulk a, u undo              allow   allow   refuse  refuse  refuse
grid R report                    allow   allow   refuse  allow   refuse
grid N add pupil                 allow   allow   refuse  refuse  refuse
passport a                       allow   allow   refuse  refuse  refuse
passport n                       allow   allow   refuse  refuse  refuse
passport f pin                   allow   allow   refuse  refuse  refuse
passport u unpin                 allow   allow   refuse  refuse  refuse
passport s test                  allow   allow   refuse  refuse  refuse
passport g target                allow   allow   refuse  refuse  refuse
passport c comment               allow   allow   refuse  refuse  refuse
passport r report                allow   allow   refuse  allow   refuse
passport o outcome               allow   allow   refuse  refuse  refuse
passport b baseline              allow   allow   refuse  refuse  refuse
passport E erase                 allow   refuse  refuse  refuse  refuse
moderation s sample              allow   allow   refuse  refuse  refuse
moderation c confirm             allow   allow   refuse  refuse  refuse
moderation x query               allow   allow   refuse  refuse  refuse
moderation r resolve             allow   allow   refuse  refuse  refuse
"""
)

Steps = Callable[..., Awaitable[None]]


async def answer(pilot, text: str) -> None:
    """Type ``text`` and Enter into the dialog, if the key opened one (a refusal may come first)."""
    from passport_tui.tui.screens.modals import AskScreen

    await pilot.pause()
    if isinstance(pilot.app.screen, AskScreen):
        await pilot.press(*text, "enter")


def keys(*pressed: str, then: str | None = None) -> Steps:
    async def steps(pilot, school: School) -> None:
        await pilot.press(*pressed)
        if then is not None:
            await answer(pilot, then)

    return steps


def on_row(judgement: str, *pressed: str, then: str | None = None) -> Steps:
    """On the moderation screen: move to the row of ``judgement`` ("pending" or "queried"), then
    press the keys."""

    async def steps(pilot, school: School) -> None:
        jid = school.pending_id if judgement == "pending" else school.queried_id
        rows = [item.judgement.id for item in pilot.app.screen.items]
        await pilot.press(*["down"] * rows.index(jid), *pressed)
        if then is not None:
            await answer(pilot, then)

    return steps


async def add_outcome(pilot, school: School) -> None:
    """``o``, then in the dialog: the first area, a title, Enter (if the dialog opened)."""
    from passport_tui.tui.screens.plan_dialogs import OutcomeScreen

    await pilot.press("o")
    await pilot.pause()
    if isinstance(pilot.app.screen, OutcomeScreen):
        await pilot.press("enter", *"Hi", "enter")


async def baseline(pilot, school: School) -> None:
    """``b`` (what each stage would record is read in a worker), then Enter twice to confirm the
    stage offered (if the dialog opened); the baseline is recorded in a worker."""
    from passport_tui.tui.screens.plan_dialogs import BaselineScreen

    await pilot.press("b")
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    if isinstance(pilot.app.screen, BaselineScreen):
        await pilot.press("enter", "enter")
        for _ in range(2):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()


async def add_pupil(pilot, school: School) -> None:
    """``N``, then in the dialog (if it opened): a name, the year, Enter through the class (the
    one shown), the UPN and the date of birth; the pupil is added in a worker."""
    from passport_tui.tui.screens.pupil_dialogs import AddPupilScreen

    await pilot.press("N")
    await pilot.pause()
    if isinstance(pilot.app.screen, AddPupilScreen):
        await pilot.press(*"Al Ash", "enter", "4", "enter", "enter", "enter", "enter")
        for _ in range(2):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()


async def erase(pilot, school: School) -> None:
    """``E``, then in the dialog (if it opened): a reason and Ava's name to confirm; the pupil is
    erased in a worker."""
    from passport_tui.tui.screens.pupil_dialogs import ErasePupilScreen

    await pilot.press("E")
    await pilot.pause()
    if isinstance(pilot.app.screen, ErasePupilScreen):
        await pilot.press(*"left", "enter", *"Ava Ashby", "enter")
        for _ in range(2):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()


# Typed answers are short: Pilot takes a frame per key.
# action → (screen, steps, what an allowed action leaves: "database" changed or a "report" file)
# The grid opens on Ava's class at Year 4: the cursor starts on Ava (first by name) and 4NPV-1;
# 4NPV-2 is achieved (by ms.o) and 4NPV-4 needs 3NPV-4, which Ava has not achieved.
APP_ACTIONS: dict[str, tuple[str, Steps, str]] = {
    "grid a": ("grid", keys("a"), "database"),
    "grid n": ("grid", keys("n"), "database"),
    "grid a with an override": ("grid", keys(*["right"] * 3, "a", then="seen"), "database"),
    "grid r": ("grid", keys("right", "r", then="typo"), "database"),
    "grid v": ("grid", keys("right", "v"), "database"),
    "grid bulk a": ("grid", keys("space", "space", "a"), "database"),
    "grid bulk n": ("grid", keys("asterisk", "n"), "database"),
    "grid bulk a, u undo": ("grid", keys("space", "space", "a", "u"), "database"),
    "grid R report": ("grid", keys("R"), "report"),
    "grid N add pupil": ("grid", add_pupil, "database"),
    "passport a": ("passport", keys("a"), "database"),
    "passport n": ("passport", keys("n"), "database"),
    "passport f pin": ("passport", keys("f", then="pairs"), "database"),
    "passport u unpin": ("passport", keys("5", "u"), "database"),
    "passport s test": ("passport", keys("s", then="72"), "database"),
    "passport g target": ("passport", keys("g", then="22 up"), "database"),
    "passport c comment": ("passport", keys("c", then="Good."), "database"),
    "passport r report": ("passport", keys("r"), "report"),
    "passport o outcome": ("passport", add_outcome, "database"),
    "passport b baseline": ("passport", baseline, "database"),
    "passport E erase": ("passport", erase, "database"),
    "moderation s sample": ("moderation", keys("s"), "database"),
    "moderation c confirm": ("moderation", on_row("pending", "c"), "database"),
    "moderation x query": ("moderation", on_row("pending", "x", then="why?"), "database"),
    "moderation r resolve": ("moderation", on_row("queried", "r", then="seen"), "database"),
}


def test_every_app_action_has_a_row():
    assert sorted(APP_ACTIONS) == sorted(APP_EXPECTED)


def head_on(store: Store) -> Service:
    return Service(store, user="head")


async def run_app_action(school: School, tmp_path: Path, action: str, role: str) -> list[str]:
    """Open the app as ``role`` on Ava's class, go to the action's screen, press its keys; say
    what is wrong against the table (nothing when it is right)."""
    from passport_tui.tui.app import make_app

    screen, steps, leaves = APP_ACTIONS[action]
    db = school.copy_to(tmp_path)
    user = STAFF[role]
    if role in ("other", "unknown"):  # they may open 4O when the app starts …
        with head_on(Store.open(db)) as head:
            if role == "other":
                head.add_staff(user, "Mr Price", "teacher", ["6P", "4O"])
            else:
                user = "temp.o"
                head.add_staff(user, "Mr Temp", "teacher", ["4O"])
    app = make_app(Service(Store.open(db), user=user), class_name="4O")
    reports = db.parent / "reports"
    before: str | None = None
    noticed = False
    wrong: list[str] = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            if screen == "passport":
                await pilot.press("enter")
            elif screen == "moderation":
                await pilot.press("M")
            await pilot.pause()
            if role == "other":  # … and lose it before the key press
                head_on(app.service.store).add_staff(user, "Mr Price", "teacher", ["6P"])
            elif role == "unknown":
                head_on(app.service.store).remove_staff(user)
            before = dump(db)
            notices = len(app._notifications)
            await steps(pilot, school)
            await pilot.pause()
            noticed = len(app._notifications) > notices
            if not app.is_running:
                wrong.append("the app exited")
    except Exception as error:  # the app ended on an error: Pilot re-raises it here
        wrong = [w for w in wrong if w != "the app exited"]
        wrong.append(f"the app exited with {type(error).__name__}: {error}")
    finally:
        app.service.close()
    if before is None:
        return [*wrong, "(before the keys were pressed)"]
    changed = dump(db) != before
    reported = reports.is_dir() and any(reports.iterdir())
    if APP_EXPECTED[action][role]:
        if leaves == "database" and not changed:
            wrong.append("nothing written")
        if leaves == "report" and not reported:
            wrong.append("no report written")
    else:
        if changed:
            wrong.append("changed the database")
        if reported:
            wrong.append("wrote a report")
        if not noticed and not any(w.startswith("the app exited") for w in wrong):
            wrong.append("no notice shown")
    return wrong


@pytest.mark.slow  # about half a second of the app's own work per case
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(APP_EXPECTED))
async def test_app_action(action: str, role: str, school: School, tmp_path: Path):
    wrong = await run_app_action(school, tmp_path, action, role)
    expected = "allowed" if APP_EXPECTED[action][role] else "refused with a notice"
    assert not wrong, f"app {action} as {role}: expected {expected}; {'; '.join(wrong)}"
