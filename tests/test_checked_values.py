"""Values checked where they enter (issue 11, item 3): a UPN, a class or a login is printable, has
no slash or backslash, is not ``.`` or ``..`` and has at most 40 characters; a pupil's or a staff
member's name has no control character, bidi control or line separator. Every entry applies the
same rule: a roster, a OneRoster set, a passport file, a test-score file and ``staff add``. A bad
row fails the whole import with its line (or its place in the file) and nothing is written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.errors import FileProblems, PassportError
from passport_tui.names import identifier_problem, name_problem
from passport_tui.service import Service
from tests.conftest import small_school
from tests.test_oneroster import write_set


def rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("pupils", "staff")}


@pytest.fixture
def svc(tmp_path: Path) -> Service:
    s = small_school(tmp_path / "s.db")
    yield s
    s.close()


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("A123456789012", True),
        ("3K", True),
        ("Year 3 Oak", True),
        ("Zoë's class", True),
        ("/../../tmp/x", False),
        ("a\\b", False),
        ("..", False),
        (".", False),
        ("x" * 40, True),
        ("x" * 41, False),
        ("3\x1b]52;c;aGk=\x07", False),
        ("3\x9b2J", False),
        ("N\x00", False),
        ("\u202e3K", False),
        ("3\u2028K", False),
        ("3\tK", False),
        ("3\u00a0K", False),  # a space that is not an ordinary one
    ],
)
def test_an_identifier(value: str, ok: bool) -> None:
    assert (identifier_problem(value, "class") is None) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("Ann O'Brien-Smith", True),
        ("مريم عبد الله", True),
        ("Zoë 👩‍👩‍👧", True),  # joiners are part of a name
        ("Mary\u00a0Ann", True),
        ("[bold]Ann", True),
        ("Ann\x1b[31m", False),
        ("Ann\tSmith", False),
        ("Ann\nSmith", False),
        ("Ann\r", False),
        ("Ann\x9b", False),
        ("\u202eAnn", False),
        ("Ann\u2069", False),
        ("Ann\u2028", False),
    ],
)
def test_a_name(value: str, ok: bool) -> None:
    assert (name_problem(value, "name") is None) is ok


def test_a_roster_with_a_bad_name_or_class_fails_with_its_rows(svc: Service, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "UPN,Forename,Surname,Year,Class\n"
        "N1,Ann,Hill,3,3K\n"
        "N2,Bo\x1b]52;c;aGk=\x07,Hill,3,3K\n"
        "N3,Cy,Hi\tll,3,3K\n"
        "N4,Di,Hill,3,..\n"
        "N5,Ed,\u202eHill,3,3K\n",
        encoding="utf-8",
    )
    before = rows(svc.database_path)
    with pytest.raises(FileProblems) as refused:
        svc.import_roster(path, 2026)
    assert refused.value.lines() == [
        f"{path}:3: Forename: the forename holds a character it may not (U+0007, U+001B)",
        f"{path}:4: Surname: the surname holds a character it may not (U+0009)",
        f"{path}:5: Class: the class may not be '..'",
        f"{path}:6: Surname: the surname holds a character it may not (U+202E)",
    ]
    assert rows(svc.database_path) == before


ONEROSTER = {
    "users.csv": (
        "sourcedId,status,role,identifier,givenName,familyName,grades\n"
        "u-1,active,student,N1,Ann,Hill,03\n"
        "u-2,active,student,N2/x,Bo,Hill,03\n"
        "u-3,active,student,N3,Cy\x9b2J,Hill,03\n"
        "u-4,active,student,N4,Di,Hill,03\n"
    ),
    "classes.csv": (
        "sourcedId,status,title,classType\nc-1,active,3K,homeroom\nc-2,active,3\u2028Q,scheduled\n"
    ),
    "enrollments.csv": (
        "sourcedId,status,classSourcedId,userSourcedId,role\n"
        "e-1,active,c-1,u-1,student\ne-4,active,c-2,u-4,student\n"
    ),
}


def test_a_oneroster_set_with_a_bad_value_fails_with_its_rows(svc: Service, tmp_path: Path) -> None:
    folder = write_set(tmp_path / "set", ONEROSTER)
    before = rows(svc.database_path)
    with pytest.raises(FileProblems) as refused:
        svc.import_oneroster(folder, 2026, uk_grades=True)
    users, classes = folder / "users.csv", folder / "classes.csv"
    assert refused.value.lines() == [
        f'{classes}:3: class "c-2": the class holds a character it may not (U+2028)',
        f"{users}:3: student \"u-2\": the UPN holds a character it may not ('/')",
        f'{users}:4: student "u-3": the givenName holds a character it may not (U+009B)',
    ]
    assert rows(svc.database_path) == before
    good = {**ONEROSTER, "users.csv": ONEROSTER["users.csv"].replace("N2/x", "N2").replace("\x9b2J", "")}
    good["classes.csv"] = good["classes.csv"].replace("\u2028", " ")
    svc.import_oneroster(write_set(tmp_path / "good", good), 2026, uk_grades=True)
    assert svc.pupil("N4").class_name == "3 Q"


def _passport_file(svc: Service, tmp_path: Path, change) -> Path:
    data = svc.export_passports(["A1"])
    change(data["pupils"][0])
    path = tmp_path / "a.passport.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_passport_file_with_a_bad_value_is_refused(svc: Service, tmp_path: Path) -> None:
    svc.judge("A1", "1N-1", "achieved", note="counts")

    def hostile(entry) -> None:
        entry["pupil"].update(upn="Z/../1", first_name="Ann\x1b]52;c;aGk=\x07", class_name="..")
        entry["events"][0]["by"] = "ms.x\u202e"

    path = _passport_file(svc, tmp_path, hostile)
    other = small_school(tmp_path / "other.db")
    try:
        with other.store.transaction():
            other.store.conn.execute("delete from pupils where upn = 'A1'")
        before = rows(other.database_path)
        with pytest.raises(FileProblems) as refused:
            other.import_passports(path)
        assert rows(other.database_path) == before
    finally:
        other.close()
    assert refused.value.lines() == [
        f"{path}: $.pupils[0].pupil.upn: the UPN holds a character it may not ('/')",
        f"{path}: $.pupils[0].pupil.first_name: the name holds a character it may not (U+0007, U+001B)",
        f"{path}: $.pupils[0].pupil.class_name: the class may not be '..'",
        f"{path}: $.pupils[0].events[0].by: the name holds a character it may not (U+202E)",
    ]


def test_a_test_score_file_with_a_bad_upn_fails_with_its_line(svc: Service, tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("UPN,Score,Curriculum\nA1,70,maths\nA\x1b[2J,50,maths\nA/2,40,maths\n", encoding="utf-8")
    with pytest.raises(FileProblems) as refused:
        svc.import_tests(path)
    assert refused.value.lines() == [
        f"{path}:3: the UPN holds a character it may not (U+001B)",
        f"{path}:4: the UPN holds a character it may not ('/')",
    ]
    assert svc.test_results() == []


def test_staff_add_checks_the_login_name_and_classes(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, ["--db", str(db), "--as", "head", "staff", "add", *args])
        return result.exit_code, result.stderr

    assert runner.invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    assert run("head", "--name", "Ms Head", "--role", "admin") == (0, "")
    before = rows(db)
    assert run("../x", "--name", "X", "--role", "teacher") == (
        1,
        "passport: The login holds a character it may not ('/').\n",
    )
    assert run("t1", "--name", "Ann\x1b]52;c;aGk=\x07", "--role", "teacher") == (
        1,
        "passport: The name holds a character it may not (U+0007, U+001B).\n",
    )
    assert run("t1", "--name", "Ann", "--role", "teacher", "--class", "3K", "--class", "\u202e3Q") == (
        1,
        "passport: The class holds a character it may not (U+202E).\n",
    )
    assert rows(db) == before
    assert run("t1", "--name", "Ann Hill", "--role", "teacher", "--class", "Year 3 Oak") == (0, "")


def test_refusals_come_before_the_checks(svc: Service) -> None:
    """Who may add staff is decided first: a teacher learns they may not, not what is wrong."""
    svc.add_staff("ms.hughes", "Ms Hughes", "admin")
    svc.add_staff("t1", "Ann", "teacher", ["1H"])
    teacher = Service(svc.store, user="t1", clock=svc.clock)
    with pytest.raises(PassportError, match="admin"):
        teacher.add_staff("x/y", "Bo", "teacher")
