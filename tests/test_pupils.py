"""A family starts in a minute (issue 12): pupils added and edited one at a time, the passport's
own id for a child without a UPN, UPNs matched whatever their case, shipped curricula imported by
id, and a missing database file refused rather than silently made."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from passport_tui.cli import cli
from passport_tui.engine import academic_year_of
from passport_tui.errors import NotAllowed, NotFound, PassportError, RosterError
from passport_tui.models import Pupil
from passport_tui.resources import shipped_curricula
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import DATA, NOW, fixed_clock

THIS_YEAR = academic_year_of(date.today())  # the command line runs on the real clock


def born_in(year_group: int, academic_year: int = THIS_YEAR) -> str:
    """A date of birth that fits the year group."""
    return date(academic_year - year_group - 5, 12, 1).isoformat()


def dump(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return "\n".join(conn.iterdump())


@pytest.fixture
def passport(tmp_path: Path):
    """``passport --db school.db ARGS`` on a new database."""
    db = tmp_path / "school.db"

    def run(*args: str, code: int = 0, user: str = "ms.hughes") -> Result:
        result = CliRunner().invoke(cli, ["--db", str(db), "--as", user, *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == code, (args, result.output, result.stderr)
        return result

    run("init")
    run.db = db  # type: ignore[attr-defined]
    return run


# --- the family's path -----------------------------------------------------------------------


def test_a_family_starts_with_three_commands_and_no_csv(passport):
    out = passport("curriculum", "import", "key-maths").output
    assert "Imported key-maths" in out and "shipped with passport" in out
    out = passport("pupils", "add", "--name", "Zoë Brontë", "--year", "3").output
    assert out.count("\n") == 1  # one line
    assert "Added Zoë Brontë (Year 3) as P0001" in out and "not a DfE UPN" in out
    passport("judge", "p0001", "R-NUM-1", "achieved", "--override", "secure at home")
    shown = passport("show", "P0001").output
    assert "Zoë Brontë (P0001) — Year 3" in shown
    assert "R-NUM-1" in passport("history", "p0001").output


def test_the_passport_id_is_never_given_twice_and_cannot_be_a_upn(passport):
    passport("pupils", "add", "--name", "Ann Adams", "--year", "1")
    passport("pupils", "add", "--name", "Ben Brown", "--year", "1", "--upn", "p0007")
    passport("pupils", "add", "--name", "Cara Cole", "--year", "1")
    with Service(Store.open(passport.db), user="ms.hughes") as svc:
        upns = {p.name: p.upn for p in svc.pupils()}
    assert upns == {"Ann Adams": "P0001", "Ben Brown": "P0007", "Cara Cole": "P0008"}
    assert all(len(upn) != 13 for upn in upns.values())  # a DfE UPN has 13 characters


def test_a_real_upn_starting_with_p_does_not_move_the_passport_ids(passport):
    passport("pupils", "add", "--name", "Pat Penn", "--year", "5", "--upn", "P801200000001")
    out = passport("pupils", "add", "--name", "Ann Adams", "--year", "5").output
    assert " as P0001:" in out


def test_reception_is_r_and_never_year_0(passport):
    out = passport("pupils", "add", "--name", "Rae Reed", "--year", "Reception", "--dob", born_in(0)).output
    assert "(Reception)" in out
    passport("pupils", "add", "--name", "Sol Shaw", "--year", "R")
    listed = passport("pupils", "list").output
    assert "Year 0" not in listed and "Y0" not in listed and "  R  " in listed
    rows = json.loads(passport("pupils", "list", "--json").output)
    assert [(r["first_name"], r["year_group"], r["year"]) for r in rows] == [
        ("Rae", 0, "Reception"),
        ("Sol", 0, "Reception"),
    ]
    assert "Year 0" not in passport("show", "P0001").output
    assert "— Reception," in passport("show", "P0001").output


def test_a_single_name_and_a_surname_first_name(passport):
    passport("pupils", "add", "--name", "Zoë", "--year", "2")
    passport("pupils", "add", "--name", "van der Berg,  Anna Maria", "--year", "2")
    with Service(Store.open(passport.db), user="ms.hughes") as svc:
        names = sorted((p.first_name, p.last_name) for p in svc.pupils())
    assert names == [("Anna Maria", "van der Berg"), ("Zoë", "")]


BAD_ADDS = [
    (["--year", "14"], 'Year: "14" is not a year group'),
    (["--year", "3", "--class", "3/K"], "Class: the class holds a character it may not ('/')"),
    (["--year", "3", "--class", "K" * 41], "Class: the class is 41 characters long; at most 40"),
    (["--year", "3", "--upn", "A\x07B"], "UPN: the UPN holds a character it may not (U+0007)"),
    (["--year", "3", "--upn", "..\\x"], "UPN: the UPN holds a character it may not ('\\\\')"),
    (["--year", "3", "--dob", "31/02/2019"], 'Date of birth: "31/02/2019" is not a real date'),
    (["--year", "3", "--dob", born_in(6)], "Date of birth: born"),
]


@pytest.mark.parametrize(("args", "message"), BAD_ADDS, ids=[a[1][:24] for a in BAD_ADDS])
def test_bad_values_are_refused_in_one_line_and_nothing_is_written(passport, args, message):
    before = dump(passport.db)
    result = passport("pupils", "add", "--name", "Ann Adams", *args, code=1)
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert dump(passport.db) == before


@pytest.mark.parametrize("name", ["Esc\x1b[31mRed", "Two\nLines", "Tab\there", "Bidi\u202eevil", "", "  "])
def test_a_name_with_control_characters_or_none_is_refused(passport, name):
    before = dump(passport.db)
    result = passport("pupils", "add", "--name", name, "--year", "3", code=1)
    assert result.stderr.startswith("passport: Name: ") and result.stderr.count("\n") == 1
    assert dump(passport.db) == before


def test_a_date_of_birth_a_year_off_is_a_warning(passport):
    result = passport("pupils", "add", "--name", "Ann Adams", "--year", "3", "--dob", born_in(4))
    assert "taught out of year group?" in result.stderr
    assert "Added Ann Adams (Year 3)" in result.output


# --- UPNs, whatever their case ------------------------------------------------------------------


def test_upn_lookups_ignore_case_and_the_upn_is_stored_in_capitals(passport):
    passport("pupils", "add", "--name", "Dee Dale", "--year", "4", "--upn", "d260002")
    assert "Dee Dale (D260002)" in passport("show", "d260002").output
    assert "Dee Dale (D260002)" in passport("show", "D260002").output
    result = passport("pupils", "add", "--name", "Dee Two", "--year", "4", "--upn", "D260002", code=1)
    assert "UPN D260002 is already another pupil's" in result.stderr


def test_a_roster_matches_upns_whatever_their_case(tmp_path: Path):
    with Service(Store.open(tmp_path / "s.db"), user="head", clock=fixed_clock) as svc:
        roster = tmp_path / "roster.csv"
        roster.write_text("UPN,Forename,Surname,Year\nd260002,Dee,Dale,4\n", encoding="utf-8")
        assert (svc.import_roster(roster).added, svc.pupil("D260002").upn) == (1, "D260002")
        roster.write_text("UPN,Forename,Surname,Year,Class\nD260002,Dee,Dale,4,4O\n", encoding="utf-8")
        done = svc.import_roster(roster)
        assert (done.added, done.updated) == (0, 1)
        assert [(p.upn, p.class_name) for p in svc.pupils()] == [("D260002", "4O")]
        twice = tmp_path / "twice.csv"
        twice.write_text("UPN,Forename,Surname,Year\nX1,Ann,Adams,4\nx1,Ann,Adams,4\n", encoding="utf-8")
        with pytest.raises(RosterError) as refused:
            svc.import_roster(twice)
        assert refused.value.lines() == [f'{twice}:3: UPN: "X1" is already on row 2']


def test_a_database_with_lower_case_upns_is_migrated_to_capitals(tmp_path: Path):
    from passport_tui.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as conn, conn:  # a file as schema 5 left it
        for step in MIGRATIONS[:5]:
            step(conn)
        insert = (
            "INSERT INTO pupils (upn, first_name, last_name, year_group, academic_year, tags) "
            "VALUES (?, ?, 'X', 3, 2026, '[]')"
        )
        for upn, name in (("ab1", "Ann"), ("cd2", "Cal"), ("CD2", "Cy"), ("EF3", "Eve")):
            conn.execute(insert, (upn, name))
        conn.execute("PRAGMA user_version = 5")
    with Service(Store.open(path), user="head", clock=fixed_clock) as svc:
        assert svc.pupil("ab1").upn == "AB1"
        assert svc.pupil("AB1").first_name == "Ann"
        # two pupils whose UPNs differ only in case are both kept, each still found
        assert svc.pupil("CD2").first_name == "Cy"
        assert svc.pupil("cd2").first_name == "Cal"
        assert sorted(p.upn for p in svc.pupils()) == ["AB1", "CD2", "EF3", "cd2"]


# --- editing ---------------------------------------------------------------------------------------


def test_changing_the_upn_keeps_every_judgement(passport, tmp_path: Path):
    passport("curriculum", "import", str(DATA / "maths.toml"))
    passport("pupils", "add", "--name", "Zoë Brontë", "--year", "1")
    passport("pupils", "add", "--name", "Ann Adams", "--year", "1", "--upn", "A1")
    passport("judge", "P0001", "1N-1", "achieved")
    result = passport("pupils", "edit", "p0001", "--upn", "k801200000001", "--class", "1H")
    assert result.output == "Changed the class and UPN of Zoë Brontë (K801200000001, Year 1, class 1H).\n"
    assert "1N-1" in passport("history", "K801200000001").output
    assert passport("show", "P0001", code=1).stderr.startswith("passport: No pupil with UPN or id 'P0001'")
    refused = passport("pupils", "edit", "k801200000001", "--upn", "a1", code=1)
    assert "UPN A1 is already another pupil's" in refused.stderr
    assert passport("pupils", "edit", "A1", "--upn", "a1").output.startswith("Nothing to change")


def test_edit_name_year_and_date_of_birth(passport):
    passport("pupils", "add", "--name", "Ann Adams", "--year", "3", "--dob", born_in(3))
    out = passport("pupils", "edit", "1", "--name", "Ann Ashby", "--year", "4", "--dob", born_in(4)).output
    assert out == "Changed the name, year and date of birth of Ann Ashby (P0001, Year 4).\n"
    passport("pupils", "edit", "P0001", "--dob", "")
    rows = json.loads(passport("pupils", "list", "--json").output)
    assert [(r["last_name"], r["year_group"], r["dob"]) for r in rows] == [("Ashby", 4, None)]
    far = passport("pupils", "edit", "P0001", "--dob", born_in(9), code=1)
    assert far.stderr.startswith("passport: Date of birth: born")


def test_who_may_add_and_edit(tmp_path: Path):
    """An admin anyone; a teacher into and within their own classes, never a UPN change; a
    viewer nothing."""
    path = tmp_path / "s.db"
    with Service(Store.open(path), user="head", clock=fixed_clock) as head:
        head.add_staff("head", "Head", "admin")
        head.add_staff("ms.o", "Ms O", "teacher", ["4O", "4X"])
        head.add_staff("view", "Viewer", "viewer")
        head.add_pupil("Pia Patel", 6, class_name="6P")
        ava = head.add_pupil("Ava Ashby", "Y4", class_name="4O").pupil
    before = dump(path)
    with Service(Store.open(path), user="ms.o", clock=fixed_clock) as teacher:
        with pytest.raises(NotAllowed, match="give the class"):
            teacher.add_pupil("Noor Hassan", 4)
        with pytest.raises(NotFound, match="No class '6P' among ms.o's classes"):
            teacher.add_pupil("Noor Hassan", 4, class_name="6P")
        # the same refusal before any detail is typed (the app asks before its dialog opens)
        with pytest.raises(NotFound, match="No class '6P' among ms.o's classes"):
            teacher.check_adding("6P")
        teacher.check_adding("4O")
        teacher.check_adding()  # she may add pupils (to a class of hers)
        with pytest.raises(NotFound):
            teacher.edit_pupil("P0001", name="Pia Price")  # Pia is in 6P: not hers
        with pytest.raises(NotFound):
            teacher.edit_pupil(ava.upn, class_name="6P")
        with pytest.raises(NotAllowed):
            teacher.edit_pupil(ava.upn, class_name="")
        with pytest.raises(NotAllowed, match="Only an admin can change a pupil's UPN"):
            teacher.edit_pupil(ava.upn, upn="K801200000001")
        assert dump(path) == before
        # a UPN taken by a pupil she does not teach: refused, saying no more than that it is taken
        with pytest.raises(PassportError) as taken:
            teacher.add_pupil("Noor Hassan", 4, class_name="4O", upn="p0001")
        assert str(taken.value) == (
            "UPN P0001 is already on the school's roll, for a pupil not in your classes; each pupil "
            "has their own (an admin can move a pupil into your class)."
        )
        assert dump(path) == before
        assert teacher.add_pupil("Noor Hassan", 4, class_name="4O").pupil.upn == "P0003"
        assert teacher.edit_pupil(ava.upn, class_name="4X").changed == ["class"]
    with Service(Store.open(path), user="view", clock=fixed_clock) as viewer:
        with pytest.raises(NotAllowed):
            viewer.add_pupil("Val Vine", 4, class_name="4O")
        with pytest.raises(NotAllowed, match="view can view but not change anything"):
            viewer.check_adding()
        with pytest.raises(NotAllowed):
            viewer.edit_pupil(ava.upn, name="Ava Vine")


def test_the_same_name_again_is_said_never_refused_and_only_among_ones_own_pupils(tmp_path: Path):
    path = tmp_path / "s.db"
    with Service(Store.open(path), user="head", clock=fixed_clock) as head:
        head.add_staff("head", "Head", "admin")
        head.add_staff("ms.o", "Ms O", "teacher", ["4O"])
        head.add_pupil("Zoë Brontë", 6, class_name="6P")
        first = head.add_pupil("Ann Adams", 4, class_name="4O")
        assert first.warnings == []
        again = head.add_pupil("ann ADAMS", 4, class_name="4O")
        assert again.pupil.upn == "P0003"  # added all the same: two children may share a name
        assert again.warnings == [
            "Ann Adams (P0002, Year 4, class 4O) has the same name; if this is the same child, "
            "an admin can erase one (E on its passport in the app, or 'passport pupils erase')"
        ]
        # the same name with its accents encoded otherwise (a roster written on a Mac)
        assert len(head.add_pupil("Zoe\u0308 Bronte\u0308", 6, class_name="6P").warnings) == 1
    with Service(Store.open(path), user="ms.o", clock=fixed_clock) as teacher:
        # Zoë in 6P is not hers to see: nothing said of her
        assert teacher.add_pupil("Zoë Brontë", 4, class_name="4O").warnings == []


# --- shipped curricula ---------------------------------------------------------------------------


def test_shipped_curricula_are_listed_and_imported_by_id(passport):
    listed = passport("curriculum", "list", "--shipped").output
    for c in shipped_curricula():
        assert c.id in listed and c.title in listed
    ids = [c.id for c in shipped_curricula()]
    assert ids[:2] == ["key-maths", "key-english"]
    assert {"engagement-model", "small-steps", "psped"} <= set(ids)
    out = passport("curriculum", "import", "PSPED").output
    assert out.startswith("Imported psped ") and "psped.toml" in out
    result = passport("curriculum", "import", "no-such-thing", code=1)
    assert result.stderr.count("\n") == 1
    assert "no curriculum shipped with that id (shipped: key-maths, key-english" in result.stderr


def test_a_file_wins_over_a_shipped_id(passport, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "key-maths").write_text((DATA / "maths.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert passport("curriculum", "import", "key-maths").output.startswith("Imported maths 1:")


# --- a missing database ------------------------------------------------------------------------


def test_a_missing_database_is_refused_and_not_created(tmp_path: Path):
    db = tmp_path / "typo.db"
    for args in (["show", "A1"], ["pupils", "list"], ["pupils", "add", "--name", "Ann", "--year", "1"], []):
        result = CliRunner().invoke(cli, ["--db", str(db), *args])
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr == (
            f"passport: No database at {db}: create it with 'passport --db {db} init' "
            f"(or try 'passport --db {db} demo' for a demo school).\n"
        )
    assert list(tmp_path.iterdir()) == []
    # commands that do not need the database still run
    assert CliRunner().invoke(cli, ["--db", str(db), "curriculum", "list", "--shipped"]).exit_code == 0
    assert CliRunner().invoke(cli, ["--db", str(db), "pupils", "add", "--help"]).exit_code == 0
    assert list(tmp_path.iterdir()) == []
    assert CliRunner().invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    assert db.exists()


def test_through_passport_db_the_hint_needs_no_db_option(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PASSPORT_DB", str(tmp_path / "x.db"))
    result = CliRunner().invoke(cli, ["pupils", "list"])
    assert result.exit_code == 1
    assert "create it with 'passport init' (or try 'passport demo'" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_the_app_creates_the_default_database_on_first_run(tmp_path: Path, monkeypatch):
    """Bare ``passport`` with no --db and no PASSPORT_DB: the database in the data folder is made
    (and the app opens on it); a command on the same missing file is refused."""
    default = tmp_path / "data" / "passport.db"
    monkeypatch.delenv("PASSPORT_DB", raising=False)
    monkeypatch.setattr("passport_tui.store.connection.default_db_path", lambda: default)
    opened = []

    def open_app(ctx):
        from passport_tui.cli.context import service

        opened.append(service(ctx).database_path)

    monkeypatch.setattr("passport_tui.cli.open_app", open_app)
    assert CliRunner().invoke(cli, ["show", "A1"]).exit_code == 1
    assert not default.exists()
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 0, result.output
    assert opened == [default] and default.exists()


def test_service_add_pupil_returns_the_stored_pupil(tmp_path: Path):
    with Service(Store.open(tmp_path / "s.db"), user="head", clock=fixed_clock) as svc:
        saved = svc.add_pupil("Zoë Brontë", "Year 3", dob=born_in(3, 2026))
        assert saved.passport_id and saved.year_group == 3 and saved.warnings == []
        assert saved.pupil == svc.pupil("p0001")
        assert isinstance(saved.pupil, Pupil) and saved.pupil.academic_year == academic_year_of(NOW.date())
        with pytest.raises(PassportError, match="Name: the name is missing"):
            svc.add_pupil(" , ", 3)


def test_test_scores_and_passport_files_find_a_pupil_whatever_the_case(tmp_path: Path):
    with Service(Store.open(tmp_path / "s.db"), user="head", clock=fixed_clock) as svc:
        svc.import_curriculum(DATA / "maths.toml")
        svc.add_pupil("Dee Dale", 1, upn="D260002")
        scores = tmp_path / "scores.csv"
        scores.write_text("UPN,Score,Curriculum\nd260002,72,maths\n", encoding="utf-8")
        assert svc.import_tests(scores) == 1
        svc.judge("D260002", "1N-1", "achieved")
        exported = tmp_path / "dee.passport.json"
        svc.write_passport_file(exported, ["D260002"])
        text = exported.read_text(encoding="utf-8").replace('"D260002"', '"d260002"')
        exported.write_text(text, encoding="utf-8")
    with Service(Store.open(tmp_path / "t.db"), user="head", clock=fixed_clock) as other:
        other.add_pupil("Dee Dale", 1, upn="D260002")
        summary = other.import_passports(exported)
        assert summary.pupils_matched == ["d260002"] and summary.pupils_added == []
        assert [p.upn for p in other.pupils()] == ["D260002"]


@pytest.mark.parametrize("year", ["R", "3"])
def test_a_date_of_birth_in_the_future_is_called_that(school, year):
    """A date not yet come is a typo said as such (not "a child of Nursery by age"), when
    adding and when editing; nothing is written."""
    today = NOW.date()
    for born in (date.fromordinal(today.toordinal() + 1), today.replace(year=today.year + 3)):
        with pytest.raises(PassportError) as refused:
            school.add_pupil("Ann Later", year, dob=born.isoformat())
        assert str(refused.value) == f"Date of birth: {born.isoformat()} is in the future; check the date."
        with pytest.raises(PassportError) as refused:
            school.edit_pupil("A1", dob=born)
        assert "is in the future" in str(refused.value)
    assert not any(p.last_name == "Later" for p in school.pupils())
    assert school.pupil("A1").dob is None


def test_a_class_typed_in_another_case_is_the_class(tmp_path: Path):
    """ "4o" is class 4O: an admin's slip of the shift key made a class of one, a teacher's was
    refused as a class not hers; a class spelled as no other is still a class of its own."""
    path = tmp_path / "s.db"
    with Service(Store.open(path), user="head", clock=fixed_clock) as head:
        head.add_staff("head", "Head", "admin")
        head.add_staff("ms.o", "Ms O", "teacher", ["4O"])
        head.add_pupil("Ava Ashby", 4, class_name="4O")
        assert head.add_pupil("Ben Bell", 4, class_name="4o").pupil.class_name == "4O"
        other = head.add_pupil("Cy Cole", 2, class_name="2h")
        assert other.pupil.class_name == "2h"
        assert head.edit_pupil(other.pupil.upn, class_name="4o").pupil.class_name == "4O"
        assert sorted(name for name, _ in head.classes()) == ["4O"]
    with Service(Store.open(path), user="ms.o", clock=fixed_clock) as teacher:
        assert teacher.add_pupil("Dee Dale", 4, class_name=" 4o ").pupil.class_name == "4O"
        with pytest.raises(NotFound, match="No class '2H' among ms.o's classes"):
            teacher.add_pupil("Eve Eld", 2, class_name="2H")  # not hers, however spelled
