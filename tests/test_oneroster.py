"""OneRoster CSV 1.1 and 1.2 sets → pupils: a real 1.1 set, hand-made 1.2 sets, the quirks of
real exports, zips, and the ``oneroster`` command."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from passport_tui.cli import PassportGroup
from passport_tui.cli.pupils import oneroster
from passport_tui.errors import RosterError
from passport_tui.interop.oneroster import header_key, parse_date, read_oneroster, year_group_of_grade
from passport_tui.service import Service
from passport_tui.store import Store

V1P1 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "oneroster" / "v1p1-full"


def write_set(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text.lstrip("\n"), encoding="utf-8", newline="")
    return folder


# --- a real OneRoster 1.1 set ----------------------------------------------------------


@pytest.mark.skipif(not V1P1.is_dir(), reason=f"no OneRoster test set at {V1P1}")
def test_the_real_1p1_set() -> None:
    result = read_oneroster(V1P1)
    assert result.version == "1.1"
    assert not result.uk_grades
    # the active schoolYear session says 2023, the year 2022/23 ends
    assert result.academic_year == 2022
    got = {p.upn: (p.first_name, p.last_name, p.year_group, p.class_name) for p in result.pupils}
    assert got == {  # an identifier is kept in capitals, as a UPN is (lookups ignore case)
        # the student with an empty status is active; US grade 12 is Year 13, grade 11 Year 12
        "MARY.JONES": ("Mary", "Jones", 13, None),
        "MMICHEL.JONES": ("mmichel", "Jones", 13, "Introduction to Physics"),
        "ANNA.BROWN": ("Anna", "Brown", 12, None),
    }
    assert all(p.academic_year == 2022 for p in result.pupils)
    skipped = {(Path(p.file).name, p.line) for p in result.skipped}
    assert ("classes.csv", 3) in skipped  # History - 2 is tobedeleted
    assert ("enrollments.csv", 7) in skipped  # … so the enrollment in it is left out
    assert ("academicSessions.csv", 2) in skipped
    assert all(p.message for p in result.skipped)
    (warning,) = result.warnings
    assert (Path(warning.file).name, warning.line) == ("orgs.csv", 2)
    assert "org-sch-222-3456" in warning.message and "not in orgs.csv" in warning.message
    # an academic year given wins over the set's
    assert read_oneroster(V1P1, 2026).academic_year == 2026


# --- OneRoster 1.2 ---------------------------------------------------------------------

V1P2 = {
    "manifest.csv": """
propertyName,value
manifest.version,1.0
oneroster.version,1.2
file.users,bulk
file.roles,bulk
""",
    "orgs.csv": """
sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,metadata.country
org-1,active,2025-08-01,Hawthorn Primary,school,123456,,GB
""",
    "academicSessions.csv": """
sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear
as-2025,active,2025-08-01,2025/26,schoolYear,2025-09-01,2026-07-31,,2026
as-2024,active,2024-08-01,2024/25,schoolYear,2024-09-01,2025-07-31,,2025
""",
    "users.csv": """
sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns
u-1,active,2025-08-01,true,ann,,Annabel,Adams,,A100000000001,,,,,01,,,,Ann,,,org-1,
u-2,active,2025-08-01,true,ben,,Ben,Brown,,,,,,,KG,,,,,,,org-1,
u-3,active,2025-08-01,true,mrs.h,,Helen,Hughes,,T1,,,,,,,,,,,,org-1,
u-4,active,2025-08-01,true,cara,,Cara,Cole,,A100000000003,,,,,,,,,,,,org-1,
""",
    "roles.csv": """
sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId
r-1,active,2025-08-01,u-1,primary,student,,,org-1,
r-2,active,2025-08-01,u-2,primary,student,,,org-1,
r-3,active,2025-08-01,u-3,primary,teacher,,,org-1,
r-4,active,2025-08-01,u-4,primary,student,,,org-1,
""",
    "classes.csv": """
sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods
c-maths,active,2025-08-01,Maths Y1,01,course-1,M1,scheduled,,org-1,as-2025,,,
c-1h,active,2025-08-01,1H,01,course-2,1H,homeroom,,org-1,as-2025,,,
c-art,active,2025-08-01,Art,01,course-3,A1,scheduled,,org-1,as-2025,,,
""",
    "enrollments.csv": """
sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
e-1,active,2025-08-01,c-maths,org-1,u-1,student,false,,
e-2,active,2025-08-01,c-1h,org-1,u-1,student,false,,
e-3,active,2025-08-01,c-art,org-1,u-2,student,false,,
e-4,active,2025-08-01,c-maths,org-1,u-2,student,false,,
e-5,active,2025-08-01,c-1h,org-1,u-3,teacher,true,,
e-6,active,2025-08-01,c-1h,org-1,u-4,student,false,,
""",
    "demographics.csv": """
sourcedId,status,dateLastModified,birthDate,sex
u-1,active,2025-08-01,2019-03-14,female
u-2,active,2025-08-01,2/11/2019,male
""",
}


def test_a_1p2_set_with_roles_and_uk_grades(tmp_path: Path) -> None:
    result = read_oneroster(write_set(tmp_path / "set", V1P2))
    assert result.version == "1.2"
    assert result.uk_grades  # the school's org says GB
    assert result.academic_year == 2025  # the latest schoolYear, 2026, ends 2025/26
    got = {p.upn: p for p in result.pupils}
    assert set(got) == {"A100000000001", "U-2", "A100000000003"}  # the teacher is not a pupil
    ann = got["A100000000001"]
    # preferred name; UK grade 01 is Year 1; the homeroom class wins over scheduled ones
    assert (ann.first_name, ann.last_name, ann.year_group, ann.class_name) == ("Ann", "Adams", 1, "1H")
    assert (ann.gender, ann.dob) == ("F", date(2019, 3, 14))
    ben = got["U-2"]  # no identifier: the UPN is the sourcedId
    # UK KG is Reception; with no homeroom, the first class by title; 2/11/2019 is 2 November
    assert (ben.year_group, ben.class_name, ben.gender, ben.dob) == (0, "Art", "M", date(2019, 11, 2))
    # no grade of her own: the class's single grade
    assert got["A100000000003"].year_group == 1
    assert result.skipped == [] and result.warnings == []


def test_us_grades_are_matched_by_age(tmp_path: Path) -> None:
    files = dict(V1P2)
    files["orgs.csv"] = "sourcedId,status,name,type\norg-1,active,Lincoln Elementary,school\n"
    result = read_oneroster(write_set(tmp_path / "set", files))
    assert not result.uk_grades
    years = {p.upn: p.year_group for p in result.pupils}
    # a US first-grader is the age of an England Year 2 child; kindergarten is Year 1
    assert years == {"A100000000001": 2, "U-2": 1, "A100000000003": 2}
    # the school may say otherwise
    forced = read_oneroster(tmp_path / "set", uk_grades=True)
    assert {p.upn: p.year_group for p in forced.pupils}["U-2"] == 0


def test_grades_to_year_groups() -> None:
    assert [year_group_of_grade(g, uk=True) for g in ("01", "6", "13", "KG", "R", "Y4", "Year 5")] == [
        1,
        6,
        13,
        0,
        0,
        4,
        5,
    ]
    assert [year_group_of_grade(g, uk=False) for g in ("PK", "TK", "KG", "01", "05", "12", "Y4")] == [
        0,
        0,
        1,
        2,
        6,
        13,
        4,
    ]
    for grade, uk, words in [
        ("PK", True, "nursery"),
        ("13", False, "beyond grade 12"),
        ("UG", False, "ungraded"),
        ("IT", True, "infant"),
        ("purple", False, "not a OneRoster grade"),
    ]:
        with pytest.raises(ValueError, match=words):
            year_group_of_grade(grade, uk)


def test_dates_iso_and_day_first() -> None:
    assert parse_date("2023-05-01") == date(2023, 5, 1)
    assert parse_date("2023-05-01T18:25:43.511Z") == date(2023, 5, 1)
    assert parse_date("1/05/2023") == date(2023, 5, 1)  # day first, the UK way
    assert parse_date("01/05/23") == date(2023, 5, 1)
    assert parse_date("5/13/2023") == date(2023, 5, 13)  # only month-first is a date
    assert parse_date("") is None
    for bad in ("31/31/2023", "2023-02-30", "next week"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_header_keys_forgive_case_spacing_and_known_typos() -> None:
    assert header_key("sourcedId") == header_key("Sourced ID") == header_key("source_id") == "sourcedid"
    assert header_key("orgSourceIds") == "orgsourcedids"
    assert header_key("First Name") == header_key("givenName") == "givenname"
    assert header_key("Surname") == "familyname"
    assert header_key("identifer") == "identifier"


# --- real-world quirks ------------------------------------------------------------------

QUIRKY = {
    # header typos and odd spacing; trailing empty columns; rows of different lengths
    "users.csv": """
Sourced ID,Status,dateLastModifed,enabledUser,orgSourceIds,Role,username,userIds,First Name,Surname,middleName,identifer,email,sms,phone,agentSourcedIds,Grade,password,,
s-1,,1/05/2023,TRUE,sch-1,student,amy,,Amy,Archer,,UPN001,,,,,Y3,,,
s-2,tobedeleted,2023-05-01,TRUE,sch-1,student,bob,,Bob,Baker,,UPN002,,,,,Y3,,,
s-3,active,2023-05-01,TRUE,sch-1,Student,cal,,Cal,Cross,,UPN003,,,,,04
s-4,active,2023-05-01,TRUE,sch-1,student,dee,,Dee,Dean,,UPN001,,,,,Y3,,,
s-5,active,2023-05-01,TRUE,sch-1,student,eli,,Eli,Egan,,UPN005,,,,,,,,
s-6,active,2023-05-01,TRUE,sch-1,student,fay,,,Fox,,UPN006,,,,,Y2,,,
t-1,active,2023-05-01,TRUE,sch-1,teacher,mr.t,,Tom,Teach,,T1,,,,,,,,
""",
    "orgs.csv": """
sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,,
sch-1,active,2023-05-01,Oak School,school,100001,la-999,,
""",
    # mixed date formats; no schoolYear column filled for one row
    "academicSessions.csv": """
sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear
sy-1,active,1/05/2023,2023/24,schoolYear,1/09/2023,2024-07-20,,2024
t-1,,2023-05-01,Autumn,term,2023-09-01,20/12/2023,sy-1,2024
""",
    "classes.csv": """
sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,,
cl-3a,active,2023-05-01,,03,co-1,3A,homeroom,,sch-1,t-1,,
""",
    "enrollments.csv": """
sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate,
en-1,active,2023-05-01,cl-3a,sch-1,s-1,student,,1/09/2023,,
en-2,active,2023-05-01,cl-gone,sch-1,s-3,student,,2023-09-01,,
en-3,active,2023-05-01,cl-3a,sch-1,s-5,student,,2023-09-01,,
""",
}


def test_quirks_of_real_exports(tmp_path: Path) -> None:
    result = read_oneroster(write_set(tmp_path / "set", QUIRKY))
    assert result.version == "1.1"
    assert result.uk_grades  # grades written Y3: "04" is Year 4 too
    assert result.academic_year == 2023
    got = {p.upn: (p.first_name, p.last_name, p.year_group, p.class_name) for p in result.pupils}
    assert got == {
        "UPN001": ("Amy", "Archer", 3, "3A"),  # empty status is active; class named by its code
        "UPN003": ("Cal", "Cross", 4, None),  # a short row; its class is missing
        "UPN005": ("Eli", "Egan", 3, "3A"),  # no grade of his own: the class's
    }
    skipped = {(Path(p.file).name, p.line): p.message for p in result.skipped}
    assert "tobedeleted" in skipped[("users.csv", 3)]
    assert "already on row 2" in skipped[("users.csv", 5)]
    assert "givenName" in skipped[("users.csv", 7)]
    assert "not in classes.csv" in skipped[("enrollments.csv", 3)]
    assert len(skipped) == 4
    (warning,) = result.warnings
    assert (Path(warning.file).name, warning.line) == ("orgs.csv", 2) and "la-999" in warning.message


def test_a_zip_with_the_files_in_a_folder(tmp_path: Path) -> None:
    folder = write_set(tmp_path / "set", V1P2)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in folder.iterdir():
            z.write(p, f"OneRoster/{p.name.upper() if p.name == 'users.csv' else p.name}")
    result = read_oneroster(archive)
    assert {p.upn for p in result.pupils} == {"A100000000001", "U-2", "A100000000003"}
    assert result.version == "1.2"


def test_a_set_without_users_or_students_is_refused(tmp_path: Path) -> None:
    files = {k: v for k, v in V1P2.items() if k != "users.csv"}
    with pytest.raises(RosterError, match="users.csv"):
        read_oneroster(write_set(tmp_path / "no-users", files))
    files = {
        **V1P2,
        "roles.csv": "sourcedId,status,userSourcedId,roleType,role\nr-3,active,u-3,primary,teacher\n",
    }
    with pytest.raises(RosterError, match="no students"):
        read_oneroster(write_set(tmp_path / "no-students", files))
    with pytest.raises(RosterError, match="no such file"):
        read_oneroster(tmp_path / "nowhere")
    no_year = {k: v for k, v in V1P2.items() if k != "academicSessions.csv"}
    with pytest.raises(RosterError, match="academic-year"):
        read_oneroster(write_set(tmp_path / "no-year", no_year))
    assert read_oneroster(tmp_path / "no-year", default_year=2026).academic_year == 2026


def test_a_students_only_row_errors_are_all_listed(tmp_path: Path) -> None:
    users = "sourcedId,status,role,givenName,familyName,grades\ns-1,active,student,Amy,,03\ns-2,active,student,Bo,Li,UG\n"
    with pytest.raises(RosterError) as caught:
        read_oneroster(write_set(tmp_path / "set", {"users.csv": users}), 2025)
    lines = caught.value.lines()
    assert any(":2: " in line and "familyName" in line for line in lines)
    assert any(":3: " in line and "ungraded" in line for line in lines)


# --- the command -----------------------------------------------------------------------


def _root(db: Path) -> click.Group:
    @click.group(cls=PassportGroup)
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = {"db": str(db), "as": None, "service": None, "class": None, "ascii": None, "mouse": True}

    root.add_command(oneroster)
    return root


def test_the_oneroster_command_imports_in_one_go(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    folder = write_set(tmp_path / "set", QUIRKY)
    runner = CliRunner()
    result = runner.invoke(_root(db), ["oneroster", str(folder)])
    assert result.exit_code == 0, (result.output, result.stderr)
    assert "3 pupils added, 0 updated, 4 rows skipped" in result.stdout
    assert f"{folder / 'users.csv'}:3: " in result.stderr
    assert f"{folder / 'orgs.csv'}:2: " in result.stderr and "(warning)" in result.stderr
    with Service(Store.open(db)) as svc:
        pupils = {p.upn: p for p in svc.pupils()}
        assert set(pupils) == {"UPN001", "UPN003", "UPN005"}
        assert pupils["UPN001"].academic_year == 2023 and pupils["UPN001"].class_name == "3A"
        # give Cal a class: a later import without one keeps it
        svc.store.upsert_pupils([pupils["UPN003"].model_copy(update={"class_name": "5C"})])
    again = runner.invoke(_root(db), ["oneroster", str(folder)])
    assert again.exit_code == 0, again.stderr
    assert "0 pupils added, 0 updated" in again.stdout
    with Service(Store.open(db)) as svc:
        assert svc.pupil("UPN003").class_name == "5C"
    moved = runner.invoke(_root(db), ["oneroster", str(folder), "--academic-year", "2024"])
    assert "0 pupils added, 3 updated" in moved.stdout


def test_the_oneroster_command_refuses_a_bad_set_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    folder = write_set(tmp_path / "set", {k: v for k, v in V1P2.items() if k != "users.csv"})
    result = CliRunner().invoke(_root(db), ["oneroster", str(folder)])
    assert result.exit_code == 1
    assert "users.csv" in result.stderr
    with Service(Store.open(db)) as svc:
        assert svc.pupils() == []


def test_a_pathway_in_a_users_metadata_column(tmp_path: Path) -> None:
    users = V1P2["users.csv"].strip().splitlines()
    extended = [users[0] + ",metadata.passport.pathway"]
    extended += [row + (",key-maths;engagement-model" if i == 0 else ",") for i, row in enumerate(users[1:])]
    files = {**V1P2, "users.csv": "\n".join(extended) + "\n"}
    result = read_oneroster(write_set(tmp_path / "set", files))
    assert len(result.pupils) == 3
    (upn,) = result.pathways  # empty cells list nothing
    cell = result.pathways[upn]
    assert upn == result.pupils[0].upn
    assert (Path(cell.file).name, cell.row, cell.curricula) == (
        "users.csv",
        2,
        ["key-maths", "engagement-model"],
    )
    assert read_oneroster(write_set(tmp_path / "plain", V1P2)).pathways == {}
