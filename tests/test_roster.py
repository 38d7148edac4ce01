"""Roster CSV as school MIS systems export it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passport_tui.errors import RosterError
from passport_tui.interop.roster import parse_roster, read_roster
from passport_tui.models import Pupil, Sen

HEADER = "UPN,Forename,Surname,Year"


def parse(text: str, name: str = "roster.csv") -> list[Pupil]:
    return parse_roster(text, name, 2026)


def problems(text: str, name: str = "roster.csv") -> list[str]:
    with pytest.raises(RosterError) as caught:
        parse(text, name)
    return caught.value.lines()


def one(header: str, row: str) -> Pupil:
    [p] = parse(f"{header}\n{row}\n")
    return p


def test_a_plain_roster() -> None:
    [ann, bob] = parse(f"{HEADER}\nA1,Ann,Smith,3\nA2,Bob,Jones,Y4\n")
    assert ann == Pupil(upn="A1", first_name="Ann", last_name="Smith", year_group=3, academic_year=2026)
    assert (bob.upn, bob.year_group, bob.academic_year) == ("A2", 4, 2026)


# --- headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("upn", ["UPN", "upn", " U.P.N ", "Unique Pupil Number"])
@pytest.mark.parametrize(
    "first",
    [
        "Forename",
        "First name",
        "first_name",
        "Legal Forename",
        "Preferred Forename",
        "Given Name",
        "FIRSTNAME",
    ],
)
def test_upn_and_forename_synonyms(upn: str, first: str) -> None:
    p = one(f"{upn},{first},Surname,Year", "A1,Ann,Smith,3")
    assert (p.upn, p.first_name) == ("A1", "Ann")


@pytest.mark.parametrize("last", ["Surname", "Last name", "Last_Name", "Legal Surname", "Family name"])
@pytest.mark.parametrize("year", ["Year", "Year Group", "NC Year", "Yr", "year_group", "N.C. Year"])
def test_surname_and_year_synonyms(last: str, year: str) -> None:
    p = one(f"UPN,Forename,{last},{year}", "A1,Ann,Smith,5")
    assert (p.last_name, p.year_group) == ("Smith", 5)


@pytest.mark.parametrize(
    "name", ["Class", "Reg Group", "Registration Group", "Form", "Tutor Group", "reg_group"]
)
def test_class_synonyms(name: str) -> None:
    assert one(f"{HEADER},{name}", "A1,Ann,Smith,3,3B").class_name == "3B"


@pytest.mark.parametrize(
    ("names", "field"),
    [
        (["Gender", "Sex"], "gender"),
        (["Pupil Premium", "PP", "pupil_premium"], "pupil_premium"),
        (["EAL", "eal"], "eal"),
        (["FSM", "FSM Eligible", "fsm_eligible"], "fsm"),
    ],
)
def test_attribute_synonyms(names: list[str], field: str) -> None:
    value = "F" if field == "gender" else "Y"
    expected = "F" if field == "gender" else True
    for name in names:
        assert getattr(one(f"{HEADER},{name}", f"A1,Ann,Smith,3,{value}"), field) == expected


@pytest.mark.parametrize("name", ["SEN", "SEN Status", "SEN Provision", "sen_status"])
def test_sen_synonyms(name: str) -> None:
    assert one(f"{HEADER},{name}", "A1,Ann,Smith,3,K").sen == Sen.SUPPORT


@pytest.mark.parametrize("name", ["DOB", "Date of Birth", "date_of_birth", "D.O.B."])
def test_dob_synonyms(name: str) -> None:
    assert one(f"{HEADER},{name}", "A1,Ann,Smith,3,2019-05-04").dob == date(2019, 5, 4)


def test_preferred_forename_wins_and_falls_back_to_legal() -> None:
    header = "UPN,Legal Forename,Preferred Forename,Surname,Year"
    jon, mary = parse(f"{header}\nA1,Jonathan,Jon,Smith,3\nA2,Mary,,Jones,3\n")
    assert (jon.first_name, mary.first_name) == ("Jon", "Mary")


def test_unknown_columns_are_ignored_and_order_does_not_matter() -> None:
    p = one("Admission No,Year,Surname,House,Forename,UPN", "77,R,Smith,Red,Ann,A1")
    assert (p.upn, p.first_name, p.last_name, p.year_group) == ("A1", "Ann", "Smith", 0)


def test_missing_required_columns_is_one_problem_naming_what_was_found() -> None:
    assert problems("Name,Year,Class\nAnn Smith,3,3B\n", "kids.csv") == [
        "kids.csv:1: missing required columns UPN, Forename, Surname; columns found: Name, Year, Class"
    ]
    assert problems("\n\nUPN,Forename,Surname\nA1,Ann,Smith\n") == [
        "roster.csv:3: missing required column Year; columns found: UPN, Forename, Surname"
    ]


def test_empty_file() -> None:
    assert problems("") == [
        "roster.csv: the file is empty: expected a header row naming the columns UPN, Forename, Surname and Year"
    ]
    assert len(problems(" \n,,,\n")) == 1


# --- values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Y", True), ("y", True), ("Yes", True), ("YES", True), ("True", True), ("true", True), ("1", True),
        ("N", False), ("no", False), ("False", False), ("0", False), ("", False), ("  ", False),
    ],
)  # fmt: skip
def test_yes_no_values(cell: str, expected: bool) -> None:
    p = one(f"{HEADER},PP,EAL,FSM", f"A1,Ann,Smith,3,{cell},{cell},{cell}")
    assert (p.pupil_premium, p.eal, p.fsm) == (expected, expected, expected)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("N", Sen.NONE), ("None", Sen.NONE), ("", Sen.NONE), ("n", Sen.NONE),
        ("K", Sen.SUPPORT), ("SEN Support", Sen.SUPPORT), ("support", Sen.SUPPORT),
        ("E", Sen.EHCP), ("EHCP", Sen.EHCP), ("EHC Plan", Sen.EHCP), ("S", Sen.EHCP), ("ehcp", Sen.EHCP),
    ],
)  # fmt: skip
def test_sen_values(cell: str, expected: Sen) -> None:
    assert one(f"{HEADER},SEN", f"A1,Ann,Smith,3,{cell}").sen == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("R", 0), ("Reception", 0), ("YR", 0), ("Year R", 0), ("0", 0), ("r", 0), ("RECEPTION", 0),
        ("Y3", 3), ("Year 3", 3), ("3", 3), ("year3", 3), ("Yr 3", 3), ("13", 13), ("Y13", 13), ("06", 6),
    ],
)  # fmt: skip
def test_year_values(cell: str, expected: int) -> None:
    assert one(HEADER, f"A1,Ann,Smith,{cell}").year_group == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("M", "M"), ("m", "M"), ("Male", "M"), ("Boy", "M"), ("F", "F"), ("female", "F"), ("Girl", "F"),
     ("X", "X"), ("Non-binary", "Non-binary"), ("", None)],
)  # fmt: skip
def test_gender_values(cell: str, expected: str | None) -> None:
    assert one(f"{HEADER},Gender", f"A1,Ann,Smith,3,{cell}").gender == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("2019-05-04", date(2019, 5, 4)), ("04/05/2019", date(2019, 5, 4)), ("4/5/2019", date(2019, 5, 4)),
     ("04-05-2019", date(2019, 5, 4)), ("", None)],
)  # fmt: skip
def test_dob_values(cell: str, expected: date | None) -> None:
    assert one(f"{HEADER},DOB", f"A1,Ann,Smith,3,{cell}").dob == expected


def test_tags_class_and_names_are_kept_literally() -> None:
    p = one(f"{HEADER},Class,Tags", '" A1 ",Zoë,"O\'Brien [Y6]",3,  3B ,"g&t; choir;; g&t ; [b]"')
    assert (p.upn, p.first_name, p.last_name, p.class_name) == ("A1", "Zoë", "O'Brien [Y6]", "3B")
    assert p.tags == ["g&t", "choir", "[b]"]
    assert one(f"{HEADER},Class,Tags", "A1,Ann,Smith,3,,").class_name is None


# --- bad cells -------------------------------------------------------------------------


def test_every_bad_cell_is_located_and_all_are_reported_at_once() -> None:
    text = "\n".join(
        [
            "UPN,Forename,Surname,NC Year,PP,SEN Status,Date of Birth",
            "A1,Ann,Smith,Y3,Y,N,2019-05-04",
            "A2,,Jones,Y15,maybe,Q,31/02/2017",
            "",
            "A3,Cat,Brown,Year X,,,12/25/2017",
            "A1,Dan,Green,3,,,2017-13-01",
            ",Eve,White,,,,tomorrow",
        ]
    )
    assert problems(text, "y3.csv") == [
        "y3.csv:3: Forename: the forename is missing",
        'y3.csv:3: NC Year: "Y15" is not a year group (R or 0 to 13, e.g. Y3 or Year 3)',
        'y3.csv:3: PP: "maybe" is not yes or no (Y/N, Yes/No, True/False or 1/0)',
        'y3.csv:3: SEN Status: "Q" is not a SEN status (N for none, K for SEN support, E for EHCP)',
        'y3.csv:3: Date of Birth: "31/02/2017" is not a real date',
        'y3.csv:5: NC Year: "Year X" is not a year group (R or 0 to 13, e.g. Y3 or Year 3)',
        'y3.csv:5: Date of Birth: "12/25/2017" is not a real date',
        'y3.csv:6: Date of Birth: "2017-13-01" is not a real date',
        'y3.csv:6: UPN: "A1" is already on row 2',
        "y3.csv:7: UPN: the UPN is missing",
        "y3.csv:7: NC Year: the year group is missing",
        'y3.csv:7: Date of Birth: "tomorrow" is not a date (YYYY-MM-DD or DD/MM/YYYY)',
    ]


def test_hostile_text_in_messages_is_escaped() -> None:
    [line] = problems(f"{HEADER}\nA1,Ann,Smith,\x1b[31m\n")
    assert "\x1b" not in line and "\\u001b[31m" in line


def test_row_numbers_count_quoted_line_breaks_as_one_row() -> None:
    text = f'{HEADER},Tags\nA1,Ann,Smith,3,"two\nlines"\nA2,Bob,Jones,Y99,\n'
    assert problems(text) == [
        'roster.csv:3: Year: "Y99" is not a year group (R or 0 to 13, e.g. Y3 or Year 3)'
    ]


# --- files -----------------------------------------------------------------------------


def test_read_roster_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffUPN,Forename,Surname,Year\r\nA1,Zoë,Smith,R\r\n".encode())
    [p] = read_roster(path, 2025)
    assert (p.upn, p.first_name, p.year_group, p.academic_year) == ("A1", "Zoë", 0, 2025)


def test_bom_in_text_is_ignored() -> None:
    assert parse("\ufeff" + HEADER + "\nA1,Ann,Smith,3\n")[0].upn == "A1"


def test_read_roster_windows_1252_and_utf16(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("UPN,Forename,Surname,Year\nA1,Zoë,Bront\xeb,3\n".encode("cp1252"))
    assert read_roster(legacy, 2026)[0].first_name == "Zoë"
    excel = tmp_path / "excel.txt"
    excel.write_bytes("UPN\tForename\tSurname\tYear\r\nA1\tZoë\tSmith\t3\r\n".encode("utf-16"))
    assert read_roster(excel, 2026)[0].last_name == "Smith"


def test_undecodable_file_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"UPN,Forename,Surname,Year\nA1,Ann,Sm\x81\x8dth,3\n")
    with pytest.raises(RosterError) as caught:
        read_roster(path, 2026)
    [line] = caught.value.lines()
    assert line.startswith(f"{path}:2: not text in UTF-8")


def test_missing_file_is_a_roster_error(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="cannot read the file"):
        read_roster(tmp_path / "nope.csv", 2026)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated(sep: str) -> None:
    text = sep.join(["UPN", "Forename", "Surname", "Year", "Tags"]) + "\n"
    text += sep.join(["A1", "Ann", "Smith", "3", '"a;b"']) + "\n"
    [p] = parse(text)
    assert (p.upn, p.year_group, p.tags) == ("A1", 3, ["a", "b"])


def test_blank_and_short_rows() -> None:
    pupils = parse(f"\n{HEADER},Class\n\nA1,Ann,Smith,3\n,,,,\n  \nA2,Bob,Jones,4,4C\n")
    assert [(p.upn, p.class_name) for p in pupils] == [("A1", None), ("A2", "4C")]


# --- nothing but RosterError or pupils -------------------------------------------------

_CELLS = st.one_of(
    st.sampled_from(
        ["", "R", "Y3", "13", "14", "Yes", "n", "K", "E", "2017-05-04", "31/02/2017", "A1", '"', ";"]
    ),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_pupils_or_a_roster_error(text: str) -> None:
    try:
        pupils = parse(text)
    except RosterError as e:
        assert e.problems and all(p.file == "roster.csv" for p in e.problems)
    else:
        assert all(isinstance(p, Pupil) for p in pupils)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELLS, min_size=0, max_size=9), max_size=6), st.sampled_from([",", ";", "\t"]))
def test_any_rows_under_a_real_header_give_pupils_or_located_problems(
    rows: list[list[str]], sep: str
) -> None:
    header = ["UPN", "Forename", "Surname", "Year", "PP", "SEN", "DOB", "Gender", "Tags"]
    text = "\n".join(sep.join(row) for row in [header, *rows])
    try:
        pupils = parse(text)
    except RosterError as e:
        assert all(p.line is not None and p.line >= 2 for p in e.problems), e.lines()
    else:
        assert len({p.upn for p in pupils}) == len(pupils)
        assert all(0 <= p.year_group <= 13 for p in pupils)


def test_a_date_of_birth_years_off_the_year_group_fails_its_row() -> None:
    # a Year 5 row born in 2010 (a child of Year 12 in 2026/27) is a typo, not a pupil
    assert problems(f"{HEADER},DOB\nA1,Ann,Smith,5,2010-03-01\n", "kids.csv") == [
        "kids.csv:2: date of birth: born 2010-03-01, a child of Year 12 in 2026/27 by age, not Year 5; "
        "check the date and the year"
    ]


def test_a_date_of_birth_one_year_off_is_a_warning(tmp_path) -> None:
    from passport_tui.interop.roster import read_roster

    path = tmp_path / "kids.csv"
    path.write_text(f"{HEADER},DOB\nA1,Ann,Smith,3,2019-05-04\nA2,Bob,Jones,3,2020-07-01\n", encoding="utf-8")
    warnings: list = []
    pupils = read_roster(path, 2026, warnings)
    assert [p.upn for p in pupils] == ["A1", "A2"]  # a child taught out of year group is kept
    assert [str(w) for w in warnings] == [
        f"{path}:3: date of birth: born 2020-07-01, a child of Year 2 in 2026/27 by age, not Year 3 "
        "(taught out of year group?)"
    ]


# --- pathway -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Pathway", "Curricula", "Subjects", "pathways"])
def test_a_pathway_column_is_read_beside_the_pupils(name: str) -> None:
    text = f"{HEADER},{name}\nA1,Ann,Smith,3,maths; english ;maths\nA2,Bob,Jones,4,\nA3,Cy,Lee,4, ; \n"
    pathways: dict = {}
    pupils = parse_roster(text, "roster.csv", 2026, pathways=pathways)
    assert [p.upn for p in pupils] == ["A1", "A2", "A3"]
    # an empty cell (or one of separators only) lists nothing: that pupil's pathway stays as it is
    assert list(pathways) == ["A1"]
    cell = pathways["A1"]
    assert (cell.file, cell.row, cell.column, cell.curricula) == ("roster.csv", 2, name, ["maths", "english"])
    assert str(cell.problem("x")) == f"roster.csv:2: {name}: x"
    # callers that do not ask for pathways are served as before
    assert parse(text) == pupils


def test_no_pathway_column_lists_no_pathways() -> None:
    pathways: dict = {}
    parse_roster(f"{HEADER}\nA1,Ann,Smith,3\n", "roster.csv", 2026, pathways=pathways)
    assert pathways == {}


def test_a_row_with_a_problem_gives_no_pathway() -> None:
    pathways: dict = {}
    with pytest.raises(RosterError):
        parse_roster(f"{HEADER},Pathway\nA1,Ann,Smith,Y99,maths\n", "roster.csv", 2026, pathways=pathways)
    assert pathways == {}


def test_a_roster_longer_than_a_school_is_refused_at_the_row_past_the_cap(
    monkeypatch, tmp_path: Path
) -> None:
    """However long a file is, no more than MAX_PUPILS pupils are held: the row past the cap is
    refused with its number (the cap is lowered here to keep the test small)."""
    from passport_tui.interop import roster

    monkeypatch.setattr(roster, "MAX_PUPILS", 3)
    path = tmp_path / "long.csv"
    path.write_text("UPN,Forename,Surname,Year\n" + "".join(f"A{i},Ann,Lee,3\n" for i in range(5)), "utf-8")
    with pytest.raises(RosterError) as caught:
        read_roster(path, 2026)
    assert (
        str(caught.value.problems[-1])
        == f"{path}:5: more than 3 pupils: too many for one school's roster (refused)"
    )
    assert len(read_roster(_first_lines(path, 4), 2026)) == 3


def _first_lines(path: Path, n: int) -> Path:
    short = path.with_name("short.csv")
    short.write_text("".join(path.read_text("utf-8").splitlines(keepends=True)[:n]), "utf-8")
    return short
