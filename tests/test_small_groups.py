"""A group of fewer than five pupils shows its count (``n=4``), never a percentage, and a group of
five shows its percentage — in the command line, the terminal app and the school report alike,
through the one formatter they share."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.engine import GroupFigures
from passport_tui.models import Pupil
from passport_tui.reports.school import school_report
from passport_tui.shown import group_figure
from tests.test_termly import fixed_cli_clock  # noqa: F401  (a fixture)


def figures(count: int, pct: float | None = 60.0) -> GroupFigures:
    return GroupFigures(
        count=count,
        measured=count,
        mean_points=9.0,
        mean_progress_year=0.0,
        mean_progress_window=0.0,
        pct_at_expected=pct,
        pct_with_gaps=pct,
    )


def test_four_pupils_show_their_count_and_five_their_percentage():
    assert group_figure(figures(4), 75.0) == "n=4"
    assert group_figure(figures(4), 75.0, suffix="%") == "n=4"
    assert group_figure(figures(5), 60.0) == "60.0"
    assert group_figure(figures(5), 60.0, suffix="%") == "60.0%"
    assert group_figure(figures(5), None) == "-"  # no figure
    assert group_figure(figures(5), None, none="—") == "—"
    assert group_figure(figures(0), None, none="—") == "—"  # no pupils
    assert group_figure(None, None) == "-"  # no group


@pytest.fixture
def five_girls_four_boys(school):
    """Class 1H: Ann, Cara and three more girls; Ben, Dev and two more boys."""
    more = [("Gia", "F"), ("Hana", "F"), ("Iris", "F"), ("Jon", "M"), ("Kit", "M")]
    with school.store.transaction():
        school.store.upsert_pupils(
            [
                Pupil(
                    upn=f"C{i}",
                    first_name=first,
                    last_name="Small",
                    year_group=1,
                    academic_year=2026,
                    class_name="1H",
                    gender=gender,
                )
                for i, (first, gender) in enumerate(more)
            ]
        )
    for upn in ("A1", "A3", "C0"):  # three of the girls, none of the boys, have all of Year 1
        for m in ("1N-1", "1N-2", "1N-3"):
            school.judge(upn, m, "achieved")
    for upn in ("A2", "A4", "C1", "C2", "C3", "C4", "B1", "B2"):  # the others judged once: assessed
        school.judge(upn, "1N-1", "not-yet")
    return school


def test_the_command_line_at_four_and_five_pupils(five_girls_four_boys, fixed_cli_clock):  # noqa: F811
    path = five_girls_four_boys.store.path
    result = CliRunner().invoke(cli, ["--db", str(path), "--as", "ms.hughes", "groups", "--class", "1H"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.output.splitlines() if line.startswith("  ")}
    # group, n, points, % at expected (group/rest), progress, % with gaps (group/rest), a year ago
    assert rows["girls"][1] == "5/4" and rows["girls"][3] == "60.0/n=4"
    assert rows["boys"][1] == "4/5" and rows["boys"][3] == "n=4/60.0"
    assert rows["girls"][5] == "0.0/n=4" and rows["boys"][5] == "n=4/0.0"


def test_the_school_report_at_four_and_five_pupils(five_girls_four_boys):
    html = school_report(five_girls_four_boys)
    cells = {
        group: re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        for group, row in re.findall(r'<tr>\s*<th scope="row">(girls|boys)</th>(.*?)</tr>', html, re.S)
    }
    # girls: 5 of the school's 11 pupils; boys: 4 (Eve and Finn in 3K have no gender recorded)
    assert cells["girls"][0] == "5 / 6" and cells["boys"][0] == "4 / 7"
    assert "n=" not in cells["girls"][1] and "n=4" in cells["boys"][1]  # mean points
    assert re.search(r"group</span> <span class=\"chart\">.*60%", cells["girls"][2], re.S)
    assert re.search(r"group</span> n=4<br>", cells["boys"][2])  # no bar: the count
    assert cells["girls"][4].startswith("0.0% / ") and cells["boys"][4].startswith("n=4 / ")


async def test_the_app_at_four_and_five_pupils(five_girls_four_boys):
    from passport_tui.tui.app import make_app
    from passport_tui.tui.screens.tracking import GroupsTable, TrackingScreen
    from tests.test_tui import press, settle

    app = make_app(five_girls_four_boys, class_name="1H")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(TrackingScreen(app.service, app.glyphs, "1H", "maths"))
        await settle(pilot)
        await press(pilot, "tab", "right")  # the Groups tab
        table = app.screen.query_one(GroupsTable)
        headers = [c.header for c in table.figure_columns]
        rows = {str(r[0]): [str(v) for v in r] for r in table.cells}
        at = headers.index("% exp\ngroup")  # the group's % at or above expected, then the rest's
        assert rows["girls"][at : at + 2] == ["60.0", "n=4"]
        assert rows["boys"][at : at + 2] == ["n=4", "60.0"]
        gaps = headers.index("% gaps\ngroup")
        assert rows["girls"][gaps : gaps + 2] == ["0.0", "n=4"]
        assert rows["boys"][gaps : gaps + 2] == ["n=4", "0.0"]
