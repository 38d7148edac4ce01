"""A pupil nobody has judged yet is "not assessed yet" everywhere it shows, on a real SQLite file.

The small school (conftest, today 23 November 2026, autumn): class 1H's four Year 1 pupils are
each judged once (Ben and Dev stay at 9: Ben stalled; Ann and Cara have Year 1); then two children
are added the way a family or an office adds them, with no judgement at all: Amy New (Year 2)
and Rae Cept (Reception), both in 1H. Before this rule Amy showed 9 points against 13, 3 gaps,
"falling behind" and "stalled"; Rae 9 points and "stalled". Now both are not assessed: no points,
no gaps, no flags, no target, no progress; left out of every mean and percentage and counted
apart; their expected figure is still known (Amy 13; Rae none: the curriculum starts in Year 1).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from passport_tui import engine
from passport_tui.cli import cli
from passport_tui.reports import parent_report, school_report
from passport_tui.service import Service
from passport_tui.store import Store
from passport_tui.tui.app import make_app
from passport_tui.tui.screens.grid import GridScreen
from passport_tui.tui.screens.passport import PassportScreen
from passport_tui.tui.screens.plan_dialogs import BaselineScreen
from passport_tui.tui.widgets.grid import ClassGrid
from tests.test_reports import Page
from tests.test_termly import fixed_cli_clock  # noqa: F401  (a fixture)
from tests.test_tui import press, settle

SEPTEMBER = datetime(2026, 9, 2, 12, tzinfo=UTC)


def judge_class(svc: Service) -> Service:
    """Ann and Cara secure Year 1 in October; Ben and Dev are judged not yet in September."""
    for upn in ("A1", "A3"):
        for m in ("1N-1", "1N-2", "1N-3"):
            svc.judge(upn, m, "achieved", at=datetime(2026, 10, 1, 12, tzinfo=UTC))
    for upn in ("A2", "A4"):
        svc.judge(upn, "1N-1", "not-yet", at=SEPTEMBER)
    return svc


def add_newcomers(svc: Service) -> tuple[str, str]:
    """Amy (Year 2) and Rae (Reception) join class 1H with no judgement; their ids."""
    amy = svc.add_pupil("Amy New", 2, class_name="1H")
    rae = svc.add_pupil("Rae Cept", "R", class_name="1H")
    return amy.pupil.upn, rae.pupil.upn


@pytest.fixture
def newcomers(school: Service) -> Service:
    judge_class(school)
    add_newcomers(school)
    return school


def cli_run(svc: Service, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", str(svc.store.path), "--as", "ms.hughes", *args])
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.stdout


# --- the service: tracking and who needs support -------------------------------------------------


def test_tracking_says_nothing_it_does_not_know(newcomers: Service) -> None:
    rows = newcomers.tracking(class_name="1H")
    by_name = {r.pupil.first_name: r for r in rows}
    amy = by_name["Amy"].standing
    assert not amy.assessed and not by_name["Amy"].assessed
    assert (amy.points, amy.expected, amy.target, amy.target_status) == (None, 13, None, None)
    assert (amy.gaps, amy.flags, amy.progress_this_year, amy.progress_last_window) == ([], [], None, None)
    rae = by_name["Rae"].standing
    assert (rae.assessed, rae.points, rae.expected, rae.flags) == (False, None, None, [])
    assert rae.year_group == 0
    # what the same records gave before: the scale's floor, every earlier stage a gap, behind
    maths = newcomers.curriculum("maths")
    then = engine.standing(maths, engine.PupilRecord(), 2, newcomers.today(), assessed=True)
    assert then.points == 9 and len(then.gaps) == 3
    assert {engine.Flag.FALLING_BEHIND, engine.Flag.STALLED} <= set(then.flags)
    # who needs support: Ben and Dev (stalled at 9), never the newcomers; then the newcomers, apart
    order = [r.pupil.first_name for r in rows]
    assert [r.pupil.first_name for r in rows if r.needs_support] == ["Ben", "Dev"]
    assert order[:2] == ["Ben", "Dev"] and set(order[2:4]) == {"Amy", "Rae"}


def test_a_past_window_before_any_judgement_is_not_assessed_then(newcomers: Service) -> None:
    rows = {r.pupil.first_name: r.standing for r in newcomers.tracking(class_name="1H", window="2025-summer")}
    ben = rows["Ben"]  # judged first on 2 September 2026: nobody knew where he was last summer
    assert not ben.assessed and ben.points is None
    ann = rows["Ann"]
    assert not ann.assessed  # her judgements came in October


def test_one_judgement_makes_a_pupil_assessed_with_the_figures_as_before(newcomers: Service) -> None:
    amy = next(p for p in newcomers.pupils("1H") if p.first_name == "Amy")
    newcomers.judge(amy.upn, "1N-1", "not-yet")
    (row,) = [r for r in newcomers.tracking(class_name="1H") if r.pupil.first_name == "Amy"]
    s = row.standing
    assert s.assessed and (s.points, s.expected, len(s.gaps)) == (9, 13, 3)
    assert engine.Flag.FALLING_BEHIND in s.flags and row.needs_support


# --- the command line --------------------------------------------------------------------------


def test_the_tracking_command_shows_a_dash_and_the_phrase(newcomers: Service, fixed_cli_clock) -> None:  # noqa: F811
    out = cli_run(newcomers, "tracking", "--class", "1H")
    amy = next(line for line in out.splitlines() if line.startswith("Amy New"))
    assert amy.split() == [
        "Amy",
        "New",
        "2",
        "maths",
        "—",
        "13",
        "—",
        "—",
        "—",
        "—",
        "not",
        "assessed",
        "yet",
    ]
    rae = next(line for line in out.splitlines() if line.startswith("Rae Cept"))
    assert rae.split()[2:4] == ["R", "maths"]  # Reception, never "0"
    assert "stalled" not in amy and "falling behind" not in out.split("Amy New")[1].split("\n")[0]
    assert out.rstrip().endswith(
        "2 pupils not assessed yet in a subject (no judgement recorded there): "
        "record a baseline (passport baseline) or judge a milestone."
    )
    data = json.loads(cli_run(newcomers, "tracking", "--class", "1H", "--json"))
    (amy_json,) = [d for d in data if d["name"] == "Amy New"]
    assert (amy_json["points"], amy_json["assessed"], amy_json["gaps"], amy_json["flags"]) == (
        None,
        False,
        None,
        [],
    )
    assert amy_json["expected"] == 13 and amy_json["progress_this_year"] is None
    assert all(d["assessed"] for d in data if d["name"] not in ("Amy New", "Rae Cept"))


def test_show_and_gaps_say_it_and_list_no_gap(newcomers: Service, fixed_cli_clock) -> None:  # noqa: F811
    amy = next(p for p in newcomers.pupils("1H") if p.first_name == "Amy").upn
    shown = cli_run(newcomers, "show", amy)
    assert (
        "  not assessed yet (expected 13 in Autumn 2026/27): no judgement recorded here; "
        "record a baseline (passport baseline) or judge a milestone"
    ) in shown
    assert "points" not in shown and "flags" not in shown and "gaps" not in shown
    assert "next steps:\n    1N-1" in shown  # where a first judgement can start
    (maths,) = json.loads(cli_run(newcomers, "show", amy, "--json"))["curricula"]
    assert (maths["assessed"], maths["points"], maths["gaps"], maths["flags"]) == (False, None, [], [])
    assert cli_run(newcomers, "gaps", amy).strip() == "none"
    assert cli_run(newcomers, "gaps", amy, "--age").strip() == "none"  # not 83 days of Year 1 "gaps"
    assert newcomers.gap_ages(amy, "maths") == []


def test_the_groups_command_counts_them_apart_and_leaves_every_figure_as_it_was(
    school: Service,
    fixed_cli_clock,  # noqa: F811
) -> None:
    judge_class(school)
    before = json.loads(cli_run(school, "groups", "--class", "1H", "--json"))
    add_newcomers(school)
    after = json.loads(cli_run(school, "groups", "--class", "1H", "--json"))
    assert (after[0]["pupils"], after[0]["not_assessed"]) == (6, 2)
    assert after[0]["lags"] == before[0]["lags"]
    for old, new in zip(before[0]["groups"], after[0]["groups"], strict=True):
        assert old["group"] == new["group"]
        for side in ("group_figures", "rest"):  # the newcomers have no group: they are in the rest
            grown = new[side]["n"] - old[side]["n"]
            assert new[side]["not_assessed"] == grown
            assert {**new[side], "n": old[side]["n"], "not_assessed": 0} == old[side]
    text = cli_run(school, "groups", "--class", "1H")
    assert "  2 pupils not assessed yet (counted in n, left out of every other figure)" in text


def test_the_tracking_export_leaves_their_cells_empty(newcomers: Service, fixed_cli_clock) -> None:  # noqa: F811
    text = cli_run(newcomers, "export", "tracking", "-o", "-", "--class", "1H", "--no-bom")
    rows = {r["Forename"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    amy = rows["Amy"]
    assert (amy["Points"], amy["Expected"], amy["Target"], amy["Target status"]) == ("", "13", "", "")
    assert (amy["Progress this year"], amy["Progress this window"], amy["Gaps"]) == ("", "", "")
    assert amy["Flags"] == "not assessed yet"
    assert (rows["Rae"]["Points"], rows["Rae"]["Gaps"], rows["Rae"]["Expected"]) == ("", "", "")
    assert rows["Ben"]["Points"] == "9" and rows["Ben"]["Gaps"] == "0"


# --- the reports ---------------------------------------------------------------------------------


def test_the_parent_report_says_no_judgement_is_recorded_yet(newcomers: Service) -> None:
    amy = next(p for p in newcomers.pupils("1H") if p.first_name == "Amy")
    html = parent_report(newcomers, [amy.upn], "html")
    page = Page(html)
    text = page.text
    assert "No judgements recorded yet in Maths." in text and "Not assessed yet" in text
    assert "working" not in text and "expected standard for Year 2" not in text  # not where she is
    assert page.count("ol") == 0 and page.count("div", "track") == 0  # no next steps, no bars
    assert "Secured since" not in text
    # the expectation for the end of her year is still said
    assert "By the end of Year 2 in July, children are expected to have secured" in text
    md = parent_report(newcomers, [amy.upn], "md")
    assert "**Not assessed yet.** No judgements recorded yet in Maths." in md and "**Next steps:**" not in md
    # a child judged once gets the report as before
    ben = Page(parent_report(newcomers, ["A2"], "html")).text
    assert "No judgements recorded yet" not in ben and "0 of the 3 steps for Year 1 secured" in ben


def test_the_school_report_counts_them_apart(newcomers: Service) -> None:
    html = school_report(newcomers)
    text = Page(html).text
    assert '<th scope="col" class="num">Not assessed yet</th>' in html
    row = re.search(r'<th scope="row">1H</th>(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    # 6 pupils follow maths in 1H: 4 assessed (Ann and Cara at or above expected: n=4, under five),
    # needing support counted over the 4 assessed only, 2 not assessed yet
    assert cells[1] == "6" and "n=4" in cells[2] and cells[3] == "n=4" and cells[4] == "2"
    # the whole school's groups: Amy, Rae and 3K's Eve and Finn, never judged
    assert "4 pupils not assessed yet (no judgement recorded in Maths): counted among the pupils" in text


# --- the app -----------------------------------------------------------------------------------


def row_of(app, first: str):
    screen = app.screen
    i = next(i for i, line in enumerate(screen.shown) if line.pupil.first_name == first)
    return i, screen.shown[i], app.screen.query_one(ClassGrid).rows[i]


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_the_grid_says_not_assessed_yet_and_b_records_a_baseline(newcomers: Service) -> None:
    app = make_app(newcomers, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, GridScreen)
        i, line, row = row_of(app, "Amy")
        assert not line.assessed and row.summary == "–/13" and row.flags == ""
        assert engine.Cell.GAP not in row.cells  # no gap nobody found
        _, _, rae = row_of(app, "Rae")
        assert rae.summary == "–" and rae.year == "R"
        await press(pilot, *["down"] * i)
        status = str(app.screen.query_one("#cell-status").render())
        assert status == "Amy New: Not assessed yet – press b for a baseline, or judge a milestone"
        await press(pilot, "b")
        dialog = app.screen
        assert isinstance(dialog, BaselineScreen) and dialog.chosen == ("Y1", "Year 1", 3)
        await press(pilot, "tab")
        await pilot.press(*"joined in November")
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, GridScreen)
        _, line, row = row_of(app, "Amy")
        assert line.assessed and row.summary == "12/13"  # Year 1 secured: 12 against 13
    amy = next(p for p in newcomers.pupils("1H") if p.first_name == "Amy")
    assert {j.note for j in newcomers.history(amy.upn)} == {"Baseline on entry: joined in November"}


async def test_the_passport_and_the_tracking_screen_say_it_too(newcomers: Service) -> None:
    from passport_tui.tui.screens.tracking import TrackingScreen

    app = make_app(newcomers, class_name="1H")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        i, _, _ = row_of(app, "Rae")
        await press(pilot, *["down"] * i, "enter")
        assert isinstance(app.screen, PassportScreen)
        points = str(app.screen.query_one("#passport-points").render())
        assert "Not assessed yet – press b for a baseline, or judge a milestone" in points
        assert "Points" not in points and str(app.screen.query_one("#passport-chart").render()) == ""
        gaps = app.screen.query_one("#gaps-list")
        assert str(gaps.get_option_at_index(0).prompt) == "Not assessed yet: no gaps known."
        await press(pilot, "escape", "T")
        assert isinstance(app.screen, TrackingScreen)
        table = app.screen.query_one("#tracking-table")
        cells = {
            str(table.get_row_at(r)[0]): [str(v) for v in table.get_row_at(r)] for r in range(table.row_count)
        }
        assert cells["New, Amy"][1:] == ["2", "–", "13", "not assessed yet", "–", "–", "–", "–"]
        assert cells["Cept, Rae"][1] == "R"
        title = str(app.screen.query_one("#tracking-title").render())
        assert "2 need support" in title  # Ben and Dev, never the newcomers


async def test_a_viewer_pressing_b_on_the_grid_is_told_and_nothing_is_written(newcomers: Service) -> None:
    newcomers.add_staff("head", "Mrs Head", "admin")
    with Service(Store.open(newcomers.store.path), user="head") as head:
        head.add_staff("gov", "A Governor", "viewer")
    viewer = Service(Store.open(newcomers.store.path), user="gov", clock=newcomers.clock)
    app = make_app(viewer, class_name="1H")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            i, _, _ = row_of(app, "Amy")
            await press(pilot, *["down"] * i, "b")
            if isinstance(app.screen, BaselineScreen):
                await press(pilot, "enter", "enter")
            assert isinstance(app.screen, GridScreen)
            assert any("can view but not change" in n.message for n in app._notifications)
    finally:
        viewer.close()
    with Service(Store.open(newcomers.store.path), user="head") as head:
        amy = next(p for p in head.pupils("1H") if p.first_name == "Amy")
        assert head.history(amy.upn) == []
