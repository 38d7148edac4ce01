"""User text reaches a terminal, a CSV or a report only as the app shows it: every control
character made visible, every bidi control dropped (issue 11, item 3).

A school's database may already hold names written before entries were checked, and notes,
reasons, comments and titles may hold anything a teacher or a file typed. So a pupil, a class, a
UPN, staff names, a curriculum, notes, reasons, comments, provision notes and test notes all carry
an OSC 52 clipboard write, a C1 CSI, a NUL, a carriage return, a right-to-left override and a line
separator, and every command of the ``passport`` tree is run over them: nothing it prints to
stdout or stderr, and no CSV or report it writes, may hold one of those characters raw. The tree is
walked, so a new command fails here until it is run over the same data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.models import Pupil
from passport_tui.store import Store
from tests.conftest import DATA

# OSC 52 (write the clipboard), C1 CSI (clear the screen), NUL, CR, RIGHT-TO-LEFT OVERRIDE, LINE SEPARATOR
EVIL = "\x1b]52;c;aGk=\x07\x9b2J\x00\r\u202e\u2028"
EVIL_PATH = EVIL.replace("\x00", "")  # a file name can hold all but NUL
CLASS = f"3{EVIL}"
USER = f"t{EVIL}"  # who recorded the judgements, before staff were set up
VISIBLE = "␛]52;c;aGk=␇"  # what the OSC 52 shows as

_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def raw_controls(text: str, document: bool = False) -> list[str]:
    """The characters in ``text`` a terminal would act on (a CSV's CRLF line ends allowed)."""
    if document:
        text = text.replace("\r\n", "\n")
    return sorted(
        {
            f"U+{ord(c):04X}"
            for c in text
            if (ord(c) < 0x20 and c != "\n")
            or 0x7F <= ord(c) <= 0x9F
            or ord(c) in _BIDI
            or c in "\u2028\u2029"
            or 0xD800 <= ord(c) <= 0xDFFF
        }
    )


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group, info_name="passport")
    for name in group.list_commands(ctx):  # the root group loads its commands when asked
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from leaf_commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name)


def _curriculum(title: str) -> str:
    """The small maths curriculum with hostile titles (TOML escapes)."""
    escaped = title.encode("unicode_escape").decode("ascii").replace("\\x", "\\u00")
    text = (DATA / "maths.toml").read_text(encoding="utf-8")
    text = text.replace('title = "Maths"', f'title = "Maths{escaped}"', 1)
    return text.replace('title = "Count to 20 [and back]"', f'title = "Count to 20{escaped}"', 1)


class Hostile:
    """A database full of hostile text in a folder whose name is hostile too, and a way to run
    ``passport`` on it, keeping every output."""

    def __init__(self, root: Path):
        self.dir = root / f"d{EVIL_PATH}"
        self.dir.mkdir()
        self.db = self.dir / "school.db"
        self.runner = CliRunner()
        self.ran: set[tuple[str, ...]] = set()
        self.failures: list[str] = []

    def path(self, name: str) -> str:
        return str(self.dir / name)

    def run(self, *args: str, code: int = 0, visible: bool = False, as_: str | None = "head") -> str:
        """Run one command; note what printed a raw control, or failed, or hid the hostile text."""
        who = ["--as", as_] if as_ is not None else []
        result = self.runner.invoke(cli, ["--db", str(self.db), *who, *args])
        words = [a for a in args if not a.startswith("-")]
        for n in range(1, len(words) + 1):
            self.ran.add(tuple(words[:n]))
        out, err = result.stdout, result.stderr
        document = args[:2] == ("export", "tracking")
        label = " ".join(repr(a) if not a.isprintable() else a for a in args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            self.failures.append(f"{label}: raised {result.exception!r}")
        if result.exit_code != code:
            self.failures.append(f"{label}: exit {result.exit_code}, not {code}: {err[-300:]!r}")
        for stream, text in (("stdout", out), ("stderr", err)):
            if bad := raw_controls(text, document):
                self.failures.append(f"{label}: {stream} holds {', '.join(bad)}")
        if visible and VISIBLE not in (out + err).replace("\\", ""):  # Markdown escapes a ]
            self.failures.append(f"{label}: the hostile text is not shown (made visible)")
        return out

    def check_file(self, name: str, document: bool = False) -> str:
        text = Path(self.path(name)).read_text(encoding="utf-8")
        if bad := raw_controls(text, document):
            self.failures.append(f"the file {name} holds {', '.join(bad)}")
        if VISIBLE not in text.replace("\\", ""):
            self.failures.append(f"the file {name} does not show the hostile text")
        return text


def seed(h: Hostile) -> None:
    """Hostile text everywhere user text can go. Pupils and staff go straight into the store (a
    database from before entries were checked); the rest through the commands."""
    curriculum = h.dir / f"maths{EVIL_PATH}.toml"
    curriculum.write_text(_curriculum(EVIL), encoding="utf-8")
    h.run("curriculum", "check", str(curriculum), as_=None)
    h.run("init", as_=None)
    h.run("curriculum", "import", str(curriculum), as_=None)
    with Store.open(h.db) as store, store.transaction():
        store.upsert_pupils(
            [
                Pupil(
                    upn="H1",
                    first_name=f"Ann{EVIL}",
                    last_name=f"Smith{EVIL}",
                    year_group=1,
                    academic_year=2026,
                    class_name=CLASS,
                    tags=[f"club{EVIL}"],
                ),
                Pupil(
                    upn=f"U{EVIL}",
                    first_name="Bo",
                    last_name="Tay",
                    year_group=1,
                    academic_year=2026,
                    class_name=CLASS,
                    pupil_premium=True,
                ),
            ]
        )
    # judgements by a member of staff whose login is hostile (no staff yet: anyone may)
    h.run("judge", "H1", "1N-1", "achieved", "--note", EVIL, as_=USER)
    h.run("judge", "H1", "1N-3", "achieved", "--override", EVIL, as_=USER, visible=True)
    h.run("judge", f"U{EVIL}", "1N-1", "achieved", as_=USER)
    with Store.open(h.db) as store:
        store.put_staff("head", f"Head{EVIL}", "admin", [CLASS])
        store.put_staff("t2", f"Teach{EVIL}", "teacher", [CLASS])


def run_everything(h: Hostile) -> None:
    evil_file = f"x{EVIL_PATH}"
    # the curriculum
    bad = h.dir / "bad.toml"
    bad.write_text(
        _curriculum("").replace('version = "1"', f'version = "1"\n"k{EVIL_PATH[:9]}" = 1'), "utf-8"
    )
    h.run("curriculum", "check", str(bad), code=1)
    h.run("curriculum", "list", visible=True)
    h.run("curriculum", "export", "maths", "-o", h.path(f"{evil_file}.toml"))
    # pupils
    roster = h.dir / "roster.csv"
    roster.write_text(f"UPN,Forename,Surname,Year,Class\nN{EVIL},Ann{EVIL},Hill,3,{CLASS}\n", "utf-8")
    h.run("pupils", "import", str(roster), code=1)
    oneroster = h.dir / "oneroster"
    oneroster.mkdir()
    (oneroster / "users.csv").write_text(
        "sourcedId,status,role,identifier,givenName,familyName,grades\n"
        f"u{EVIL_PATH},active,student,N{EVIL},Ann{EVIL},Hill,01\n",
        "utf-8",
    )
    h.run("pupils", "oneroster", str(oneroster), "--uk-grades", code=1)
    h.run("pupils", "list", visible=True)
    h.run("pupils", "add", "--name", f"Cy{EVIL}", "--year", "1", code=1)  # a name with controls: refused
    h.run("pupils", "add", "--name", "Cy Vale", "--year", "1", "--class", CLASS, "--upn", f"V{EVIL}", code=1)
    h.run("pupils", "add", "--name", "Cy Vale", "--year", "1", "--class", CLASS, code=1)  # the class too
    h.run("pupils", "add", "--name", "Cy Vale", "--year", "1")
    h.run("pupils", "edit", "H1", "--dob", "2019-10-01", visible=True)
    # personal outcomes
    h.run(
        "outcome",
        "add",
        "H1",
        "maths",
        "--area",
        "n",
        "--title",
        f"Out{EVIL}",
        "--source",
        EVIL,
        visible=True,
    )
    h.run("outcome", "list", "H1", visible=True)
    h.run("outcome", "edit", "H1", "PO-1", "--source", f"Plan{EVIL}", visible=True)
    h.run("outcome", "add", "H1", "maths", "--area", "n", "--title", "Typed by mistake")
    h.run("outcome", "delete", "H1", "PO-2")
    h.run("outcome", "retire", "H1", "PO-1", "--reason", EVIL, visible=True)
    h.run("pupils", "list", "--class", CLASS, visible=True)
    # pathways
    h.run("pathway", "show", "H1", visible=True)
    h.run("pathway", "set", "H1", "maths", visible=True)
    h.run("pathway", "add", "H1", "maths", visible=True)
    h.run("pathway", "remove", "H1", "maths", visible=True)
    h.run("pathway", "default", "maths")
    h.run("pathway", "show", EVIL, code=1)  # a pupil that is not there, quoted in the error
    # judging and the passport
    h.run("judge", "H1", "1N-2", "not-yet", "--note", EVIL)
    h.run("baseline", "H1", "maths", "--through", "Y1", "--reason", EVIL)
    h.run("retract", "H1", "1N-3", "--reason", EVIL, visible=True)
    h.run("revisit", "H1", "1N-1", "--note", EVIL)
    h.run("judge", "H1", "2N-9", "achieved", code=1)
    h.run("show", "H1", visible=True)
    h.run("next", "H1")
    h.run("gaps", "H1")
    h.run("gaps", "H1", "--age")
    h.run("history", "H1", visible=True)
    # tracking
    h.run("tracking", visible=True)
    h.run("tracking", "--class", CLASS, visible=True)
    h.run("groups")
    h.run("settings", "show")
    h.run("settings", "terms", "--spring", "01-05", "--summer", "04-20")
    # tests, targets, focus
    h.run("test", "record", "H1", "maths", "72", "--note", EVIL, visible=True)
    scores = h.dir / "scores.csv"
    scores.write_text(f"UPN,Score,Curriculum\nH1,70,maths\nU{EVIL},50,maths\n", "utf-8")
    h.run("test", "import", str(scores), code=1)
    h.run("test", "list", visible=True)
    h.run("target", "set", "H1", "--curriculum", "maths", "--points", "14", "--reason", EVIL, visible=True)
    h.run("target", "clear", "H1", "--curriculum", "maths", "--reason", EVIL, visible=True)
    h.run("target", "show", "H1", visible=True)
    h.run("focus", "pin", "H1", "1N-3", "--provision", EVIL, visible=True)  # a next step again
    h.run("focus", "list", "H1", visible=True)
    h.run("focus", "unpin", "H1", "1N-3")
    # moderation
    h.run("moderation", "sample", "--class", CLASS, "--curriculum", "maths", visible=True)
    sampled = json.loads(h.run("moderation", "list", "--json"))
    theirs = [str(line["judgement_id"]) for line in sampled if line["recorded_by"] == USER]
    h.run("moderation", "query", theirs[0], "--note", EVIL, visible=True)
    h.run("moderation", "resolve", theirs[0], "--note", EVIL, visible=True)
    h.run("moderation", "confirm", theirs[-1])
    h.run("moderation", "list", visible=True)
    # staff
    h.run("staff", "list", visible=True)
    h.run("staff", "add", "t3", "--name", "Cy", "--role", "teacher", "--class", CLASS, code=1)
    h.run("staff", "add", "t3", "--name", f"Cy{EVIL}", "--role", "teacher", code=1)
    h.run("staff", "add", "t3", "--name", "Cy", "--role", "teacher")
    h.run("staff", "remove", "t3")
    # reports and the teacher's comment
    h.run("comment", "H1", EVIL, visible=True)
    h.run("comment", "H1", EVIL, "--curriculum", "maths", visible=True)
    h.run("report", "H1", visible=True)
    h.run("report", "H1", "--format", "md", visible=True)
    h.run("report", "--class", CLASS, visible=True)
    h.run("report", "--school", visible=True)
    h.run("report", "H1", "-o", h.path("ann.html"))
    h.check_file("ann.html")
    h.run("report", "H1", "-o", h.path("ann.md"))
    h.check_file("ann.md")
    h.run("report", "--school", "-o", h.path("school.html"))
    h.check_file("school.html")
    # exports and transfers
    h.run("export", "tracking", "-o", "-", visible=True)
    h.run("export", "tracking", "-o", h.path("tracking.csv"))
    h.check_file("tracking.csv", document=True)
    h.run("transfer", "export", "-o", h.path(f"{evil_file}.json"))
    h.run("transfer", "import", h.path(f"{evil_file}.json"), code=1)  # its names are refused now
    # leavers and erasure
    h.run("pupils", "edit", f"U{EVIL}", "--left", "2019-07-20")
    h.run("pupils", "leavers", visible=True)
    h.run("pupils", "leavers", "--left-before", "2020-01-01", "--erase", "--yes")  # its UPN, in capitals
    h.run("pupils", "erase", "H1", "--reason", "erasure request", "--yes", visible=True)
    # the database file
    h.run("doctor")
    h.run("backup", h.path(f"{evil_file}.db"))
    h.run("init")
    h.run("demo", "--no-tui", code=1)  # a database with pupils is never touched
    h.run("restore", h.path(f"{evil_file}.db"), "--yes")


def test_no_command_prints_a_raw_control_character(tmp_path: Path) -> None:
    h = Hostile(tmp_path)
    seed(h)
    run_everything(h)
    assert h.failures == []
    untried = sorted(" ".join(c) for c in leaf_commands(cli) if c not in h.ran)
    assert untried == [], "run every command over the hostile data here"


def test_json_keeps_the_real_value_escaped(tmp_path: Path) -> None:
    h = Hostile(tmp_path)
    seed(h)
    out = h.run("show", "H1", "--json")
    assert h.failures == []
    assert json.loads(out)["pupil"]["name"] == f"Ann{EVIL} Smith{EVIL}".strip()  # as the name is made
    assert "\\u009b" in out and "\\u202e" in out and "\\u2028" in out
    assert [line["name"] for line in json.loads(h.run("staff", "list", "--json"))] == [
        f"Head{EVIL}",
        f"Teach{EVIL}",
    ]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1b]52;c;aGk=\x07b", "a␛]52;c;aGk=␇b"),
        ("\x9b2J", "�2J"),
        ("nul\x00", "nul␀"),
        ("cr\rlf\n", "cr␍lf␊"),
        ("\u202eabc\u202c", "abc"),
        ("\u2066x\u2069\u061c", "x"),
        ("line\u2028para\u2029", "line␤para␤"),
        ("tab\there", "tab here"),
        ("\ud800", "�"),
        ("Zoë مريم 👩‍👩‍👧", "Zoë مريم 👩‍👩‍👧"),
    ],
)
def test_the_one_rule(text: str, shown: str) -> None:
    from passport_tui.errors import one_line
    from passport_tui.interop.export_csv import safe_cell
    from passport_tui.reports._render import clean
    from passport_tui.shown import plain

    assert plain(text) == shown
    assert clean(text) == plain(text, multiline=True)  # a report keeps line breaks
    assert safe_cell(text) == shown
    assert raw_controls(one_line(text)) == []


def test_a_csv_cell_that_would_run_as_a_formula_gets_an_apostrophe() -> None:
    from passport_tui.interop.export_csv import safe_cell

    for formula in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "\u202e=cmd|' /C calc'!A0"):
        assert safe_cell(formula).startswith("'"), formula
        assert raw_controls(safe_cell(formula)) == []
    assert safe_cell(-3) == "-3"  # a number is a number
    assert safe_cell("Ann-Marie") == "Ann-Marie"


def test_no_command_module_prints_but_through_the_output_module() -> None:
    """Every line goes through cli/output.py, which shows user text safely."""
    folder = Path(__file__).parents[1] / "src" / "passport_tui" / "cli"
    direct = re.compile(r"\bclick\.(echo|secho|echo_via_pager)\(|\bprint\(|sys\.std(out|err)")
    found = [
        f"{path.name}:{n}"
        for path in sorted(folder.glob("*.py"))
        if path.name != "output.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if direct.search(line)
    ]
    assert found == []


def test_usage_errors_quote_a_value_escaped() -> None:
    """click's own messages quote what was typed with repr(): escapes, never the characters."""
    runner = CliRunner()
    for args in (
        ["curriculum", "check", f"x{EVIL_PATH}"],
        ["judge", "A1", "1N-1", EVIL],
        [f"nosuch{EVIL}"],
        ["tracking", "--year", EVIL],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2
        assert raw_controls(result.stderr) == [], args
        assert "\\x1b]52" in result.stderr
