"""The tracking CSV for MIS marksheets: one row per pupil per curriculum, CRLF, a BOM for Excel,
and user text that cannot run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import click
from click.testing import CliRunner

from passport_tui.cli import PassportGroup
from passport_tui.cli.export import export
from passport_tui.interop.export_csv import HEADER, safe_cell, tracking_csv
from passport_tui.models import Pupil
from passport_tui.service import Service

WINDOW = "2026-autumn"


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, tzinfo=UTC)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def tracked(school: Service) -> Service:
    """Ann: 1N-1 last summer, 1N-2 and 1N-3 this autumn (Year 1 complete: 12). Ben: 1N-1 judged
    not yet last summer, nothing achieved. Cara: 1N-2 with an override. Dev: never judged."""
    school.judge("A1", "1N-1", "achieved", at=at(2026, 7, 1))
    school.judge("A2", "1N-1", "not-yet", at=at(2026, 6, 1))
    school.judge("A1", "1N-2", "achieved", at=at(2026, 10, 1))
    school.judge("A1", "1N-3", "achieved", at=at(2026, 11, 1))
    school.judge("A3", "1N-2", "achieved", reason="secure in class", at=at(2026, 10, 5))  # gap: 1N-1
    return school


def test_one_row_per_pupil_per_curriculum(school: Service) -> None:
    text = tracking_csv(tracked(school), window=WINDOW, class_name="1H")
    assert text.startswith("\ufeffUPN,Surname,Forename,Class,Year group,Curriculum,Window,")
    lines = text.removeprefix("\ufeff").split("\r\n")
    assert lines[-1] == "" and all("\n" not in line for line in lines)  # CRLF, and only CRLF
    rows = rows_of(text)
    assert list(rows[0]) == HEADER
    assert [r["UPN"] for r in rows] == ["A1", "A2", "A3", "A4"]  # by surname within the class
    ann = rows[0]
    assert ann == {
        "UPN": "A1",
        "Surname": "Adams",
        "Forename": "Ann",
        "Class": "1H",
        "Year group": "1",
        "Curriculum": "maths",
        "Window": WINDOW,
        "Points": "12",
        "Expected": "10",
        "Target": "15",
        "Target status": ann["Target status"],
        "Progress this year": "2",
        "Progress this window": ann["Progress this window"],
        "Gaps": "0",
        "Flags": "excelling",
        "Steps secured (all)": "",
        "Steps secured this year": "",
        "Steps secured this window": "",
        "Target milestones secured": "",
    }
    assert ann["Target status"] in ("met", "on track", "off track")
    ben = rows[1]
    assert (ben["Points"], ben["Expected"], ben["Gaps"]) == ("9", "10", "0")
    assert ben["Flags"].split(";") == ["stalled"]  # autumn is not over: not behind yet, but stalled
    assert rows[2]["Gaps"] == "1"
    dev = rows[3]  # nobody has judged Dev: empty cells, never a 0 or the scale's floor
    assert {k: dev[k] for k in HEADER[7:]} == {
        "Points": "",
        "Expected": "10",
        "Target": "",
        "Target status": "",
        "Progress this year": "",
        "Progress this window": "",
        "Gaps": "",
        "Flags": "not assessed yet",
        "Steps secured (all)": "",
        "Steps secured this year": "",
        "Steps secured this window": "",
        "Target milestones secured": "",
    }


def test_filters_windows_and_no_bom(school: Service) -> None:
    tracked(school)
    assert rows_of(tracking_csv(school, window=WINDOW, year_group=3))[0]["UPN"] == "B1"
    assert {r["UPN"] for r in rows_of(tracking_csv(school, window=WINDOW))} == {
        "A1",
        "A2",
        "A3",
        "A4",
        "B1",
        "B2",
    }
    past = rows_of(tracking_csv(school, window="2025-summer", class_name="1H"))
    assert past[0]["Points"] == "10" and past[0]["Year group"] == "0" and past[0]["Window"] == "2025-summer"
    plain = tracking_csv(school, window=WINDOW, class_name="1H", bom=False)
    assert plain.startswith("UPN,")


def test_user_text_cannot_run_as_a_formula(school: Service) -> None:
    school.store.upsert_pupils(
        [
            Pupil(
                upn="@X1",
                first_name='=HYPERLINK("http://x","y")',
                last_name="+Plus",
                year_group=1,
                academic_year=2026,
                class_name="-1H",
            ),
        ]
    )
    rows = rows_of(tracking_csv(school, window=WINDOW, class_name="-1H"))
    (row,) = rows
    assert row["UPN"] == "'@X1"
    assert row["Forename"] == """'=HYPERLINK("http://x","y")"""
    assert row["Surname"] == "'+Plus"
    assert row["Class"] == "'-1H"
    # numbers stay numbers, negative ones too
    assert safe_cell(-2) == "-2" and safe_cell("-2") == "'-2" and safe_cell(None) == ""


def test_the_export_tracking_command(school: Service, tmp_path: Path) -> None:
    tracked(school)
    db = tmp_path / "school.db"  # the fixture's file; its open service keeps the fixed clock

    @click.group(cls=PassportGroup)
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = {"db": str(db), "as": None, "service": school, "class": None, "ascii": None, "mouse": True}

    root.add_command(export)
    out = tmp_path / "tracking.csv"
    result = CliRunner().invoke(
        root, ["export", "tracking", "-o", str(out), "--window", WINDOW, "--class", "1H"]
    )
    assert result.exit_code == 0, (result.output, result.stderr)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfUPN,") and b"\r\n" in raw and b"\r\r" not in raw
    assert [r["UPN"] for r in rows_of(raw.decode("utf-8"))] == ["A1", "A2", "A3", "A4"]
    assert "Wrote 4 rows" in result.stderr
    # to standard output, without a BOM; a bad window is one clear line and exit 1
    shown = CliRunner().invoke(
        root, ["export", "tracking", "-o", "-", "--year", "3", "--no-bom", "--window", WINDOW]
    )
    assert shown.stdout.startswith("UPN,") and "B1" in shown.stdout
    bad = CliRunner().invoke(root, ["export", "tracking", "-o", str(out), "--window", "someday"])
    assert bad.exit_code == 1 and bad.stderr.startswith("passport: ")


def test_a_framework_without_points_exports_its_steps_not_blank_points(school: Service) -> None:
    """Cara follows the engagement model as well: her row there carries the steps she secured (in
    all, this year, this window) and her target of milestones, with empty points cells — never a
    0 read as points."""
    from passport_tui.curriculum import load_curriculum
    from passport_tui.resources import sample_curricula_dir

    school.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
    school.set_pathway("A3", ["maths", "engagement-model"])
    school.judge("A3", "EXP-1", "achieved", at=at(2026, 5, 4))  # last academic year
    school.judge("A3", "EXP-2", "achieved", at=at(2026, 9, 20))  # this autumn (1 Sep - 31 Dec)
    school.judge("A3", "REA-1", "achieved", at=at(2026, 10, 1))
    school.set_target(
        "A3", "engagement-model", reason="EHCP outcomes", milestones=["REA-1", "REA-2", "ANT-1"]
    )
    rows = rows_of(tracking_csv(school, window=WINDOW, class_name="1H"))
    (cara,) = [r for r in rows if r["UPN"] == "A3" and r["Curriculum"] == "engagement-model"]
    assert (cara["Points"], cara["Expected"], cara["Target"], cara["Target status"]) == ("", "", "", "")
    assert (cara["Progress this year"], cara["Progress this window"], cara["Flags"]) == ("", "", "")
    assert cara["Steps secured (all)"] == "3"
    assert cara["Steps secured this year"] == "2"
    assert cara["Steps secured this window"] == "2"
    assert cara["Target milestones secured"] == "1 of 3"
    # the maths rows keep their points and leave the steps columns empty (Cara is not assessed in
    # maths: no points either, and no 0 steps)
    (maths,) = [r for r in rows if r["UPN"] == "A3" and r["Curriculum"] == "maths"]
    assert (maths["Points"], maths["Flags"], maths["Steps secured (all)"]) == ("", "not assessed yet", "")
    school.judge("A3", "1N-1", "achieved", at=at(2026, 10, 1))
    rows = rows_of(tracking_csv(school, window=WINDOW, class_name="1H"))
    (maths,) = [r for r in rows if r["UPN"] == "A3" and r["Curriculum"] == "maths"]
    assert maths["Points"] == "10" and maths["Steps secured (all)"] == ""
    # someone following the engagement model whom nobody has judged in it: no 0 steps secured
    school.set_pathway("A4", ["engagement-model"])
    rows = rows_of(tracking_csv(school, window=WINDOW, class_name="1H"))
    (dev,) = [r for r in rows if r["UPN"] == "A4"]
    assert [dev[k] for k in HEADER[15:]] == ["", "", "", ""] and dev["Flags"] == "not assessed yet"
    # a past window counts what was secured up to its end
    past = rows_of(tracking_csv(school, window="2025-summer", class_name="1H"))
    (then,) = [r for r in past if r["UPN"] == "A3" and r["Curriculum"] == "engagement-model"]
    assert (then["Steps secured (all)"], then["Steps secured this window"]) == ("1", "1")
