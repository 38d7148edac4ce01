"""The terminal app through Textual's Pilot, pressing real keys against a real database file."""

from __future__ import annotations

import pytest

from passport_tui.engine import Cell
from passport_tui.service import Service
from passport_tui.store import Store
from passport_tui.tui.app import make_app
from passport_tui.tui.screens.grid import GridScreen
from passport_tui.tui.screens.modals import AskScreen, PickScreen
from passport_tui.tui.screens.passport import PassportScreen
from passport_tui.tui.screens.tree import TreeScreen
from passport_tui.tui.widgets.grid import ClassGrid
from tests.conftest import HOSTILE_NAMES, fixed_clock

SIZE = (80, 24)


def verdicts(svc: Service, upn: str) -> list[tuple[str, str]]:
    return [(j.milestone_id, j.verdict.value) for j in svc.history(upn)]


def grid_of(app) -> ClassGrid:
    return app.screen.query_one(ClassGrid)


def cell(app, upn: str, milestone: str) -> Cell:
    grid = grid_of(app)
    screen = app.screen
    row = next(i for i, line in enumerate(screen.shown) if line.pupil.upn == upn)
    col = next(i for i, c in enumerate(grid.columns) if c.id == milestone)
    return grid.rows[row].cells[col]


async def test_several_classes_start_with_a_picker(school):
    app = make_app(school, ascii_only=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "enter")  # 3K
        await pilot.pause()
        assert isinstance(app.screen, GridScreen)
        assert app.screen.view.class_name == "3K"
        assert [line.pupil.upn for line in app.screen.shown] == ["B1", "B2"]


async def test_mark_a_cell_achieved_and_not_yet(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.view.part == "Y1"  # the class's year group
        assert cell(app, "A1", "1N-1") is Cell.NEXT
        await pilot.press("a")  # cursor on Ann Adams, 1N-1
        await pilot.pause()
        assert verdicts(school, "A1") == [("1N-1", "achieved")]
        assert cell(app, "A1", "1N-1") is Cell.ACHIEVED
        assert cell(app, "A1", "1N-2") is Cell.NEXT  # the next step opened
        await pilot.press("down", "n")  # Ben Brown, not yet
        await pilot.pause()
        assert verdicts(school, "A2") == [("1N-1", "not_yet")]
        assert cell(app, "A2", "1N-1") is Cell.NOT_YET


async def test_bulk_mark_the_column_for_selected_pupils(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "space")  # select Ann and Ben
        await pilot.pause()
        assert grid_of(app).selected == {school.pupil("A1").id, school.pupil("A2").id}
        await pilot.press("a")
        await pilot.pause()
        assert verdicts(school, "A1") == [("1N-1", "achieved")]
        assert verdicts(school, "A2") == [("1N-1", "achieved")]
        assert verdicts(school, "A3") == []
        await pilot.press("escape", "asterisk", "right", "a")  # everyone, 1N-2
        await pilot.pause()
        for upn in ("A1", "A2"):
            assert ("1N-2", "achieved") in verdicts(school, upn)
        # Cara and Dev lack 1N-1: refused, explained, with an override offered
        assert isinstance(app.screen, AskScreen)
        assert "1N-1" in str(app.screen.explanation)
        await pilot.press("escape")
        assert verdicts(school, "A3") == []


async def test_refusal_explained_and_overridden_with_a_reason(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right", "right", "a")  # 1N-3 for Ann
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        assert "1N-3 needs 1N-2 first" in app.screen.explanation
        assert verdicts(school, "A1") == []
        await pilot.press("enter")  # an empty reason is not accepted
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        await pilot.press(*"Secure in class", "enter")
        await pilot.pause()
        assert isinstance(app.screen, GridScreen)
        history = school.history("A1")
        assert [(j.milestone_id, j.verdict.value, j.reason) for j in history] == [
            ("1N-3", "achieved", "Secure in class")
        ]
        assert cell(app, "A1", "1N-1") is Cell.GAP
        assert cell(app, "A1", "1N-2") is Cell.GAP


async def test_achieved_forever_refusal_in_place(school):
    school.judge("A1", "1N-1", "achieved")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert verdicts(school, "A1") == [("1N-1", "achieved")]
        assert any("stays achieved" in str(n.message) for n in app._notifications)


async def test_retraction_asks_for_a_reason(school):
    school.judge("A1", "1N-1", "achieved")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        await pilot.press(*"Wrong pupil", "enter")
        await pilot.pause()
        assert verdicts(school, "A1") == [("1N-1", "achieved"), ("1N-1", "retracted")]
        assert cell(app, "A1", "1N-1") is Cell.NEXT


async def test_filter_by_group_and_name(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"pp", "enter")
        await pilot.pause()
        assert [line.pupil.upn for line in app.screen.shown] == ["A1"]
        await pilot.press("slash", "ctrl+u", *"cole", "enter")
        await pilot.pause()
        assert [line.pupil.upn for line in app.screen.shown] == ["A3"]
        await pilot.press("slash", "ctrl+u", "enter")
        await pilot.pause()
        assert len(app.screen.shown) == 4


async def test_passport_from_the_grid_and_back_with_next_steps_changing(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassportScreen)
        cp = app.screen.current
        assert cp.standing.next[0] == "1N-1"
        await pilot.press("a")  # judge the highlighted next step from the passport
        await pilot.pause()
        assert verdicts(school, "A1") == [("1N-1", "achieved")]
        assert app.screen.current.standing.next[0] == "1N-2"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GridScreen)
        assert cell(app, "A1", "1N-1") is Cell.ACHIEVED


async def test_stage_strand_and_curriculum_switching(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [c.id for c in grid_of(app).columns] == ["1N-1", "1N-2", "1N-3"]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert [c.id for c in grid_of(app).columns] == ["2N-1", "2N-2", "2N-3"]
        await pilot.press("m")  # by strand
        await pilot.pause()
        assert app.screen.view.kind == "strand"
        assert len(grid_of(app).columns) == 6
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen.view.class_name == "3K"


async def test_another_users_change_shows_up_within_a_second(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert cell(app, "A2", "1N-1") is Cell.NEXT
        with Service(Store.open(school.store.path), user="mr.okafor", clock=fixed_clock) as other:
            other.judge("A2", "1N-1", "achieved")
        await pilot.pause(1.3)
        assert cell(app, "A2", "1N-1") is Cell.ACHIEVED


async def test_curriculum_tree_details_and_search(school):
    school.judge("A1", "1N-1", "achieved")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TreeScreen)
        await pilot.press("slash", *"count to", "enter")
        await pilot.pause()
        await pilot.pause()
        detail = str(app.screen.query_one("#milestone-detail").render())
        assert "1N-1" in detail and "Achieved by 1 of 4 pupils in class 1H" in detail
        links = app.screen.query_one("#links")
        assert "unlocks  1N-2" in str(links.get_option_at_index(0).prompt)
        await pilot.press("tab", "enter")  # jump to what it unlocks
        await pilot.pause()
        await pilot.pause()
        assert "1N-2" in str(app.screen.query_one("#milestone-detail").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GridScreen)


async def test_help_lists_the_keys(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-keys").render())
        assert "mark the cell" in text and "filter" in text


@pytest.mark.slow
async def test_hostile_names_are_shown_literally_and_do_nothing(hostile_school):
    app = make_app(hostile_school, class_name="1H")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        grid = grid_of(app)
        names = [r.name for r in grid.rows]
        assert "Hostile, [bold]Ann" in names
        assert "Clicker, [@click=app.quit]x[/]" in names
        assert "Bracket, O'Brien [Y6]" in names
        assert "Escape, Esc␛[31mRed" in names  # the escape is made visible, never sent
        lines = [grid.render_line(y).text for y in range(grid.size.height)]
        assert any("Clicker, [@click" in line for line in lines)
        assert not any("\x1b" in line for line in lines)
        # open each hostile pupil's passport: the title shows the name as typed
        for i in range(len(grid.rows)):
            grid.move_to(i, 0)
            await pilot.press("enter")
            await pilot.pause()
            title = str(app.screen.query_one("#passport-title").render())
            assert "\x1b" not in title
            await pilot.press("escape")
            await pilot.pause()
        assert app.is_running
        first, last = HOSTILE_NAMES[0]
        assert any(f"{last}, {first}" == n for n in names)


async def test_ascii_glyphs(school):
    school.judge("A1", "1N-1", "achieved")
    app = make_app(school, ascii_only=True, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = grid_of(app)
        text = "".join(grid.render_line(y).text for y in range(grid.size.height))
        assert "#" in text and ">" in text
        assert all(ord(ch) < 128 for ch in text)


async def test_tracking_screen_lists_who_needs_support_first_and_opens_a_passport(school):
    from passport_tui.tui.screens.tracking import TrackingScreen

    school.judge("A1", "1N-1", "achieved")
    school.judge("A1", "1N-2", "achieved")
    school.judge("A1", "1N-3", "achieved")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, TrackingScreen)
        shown = app.screen.shown
        support = [r.needs_support for r in shown]
        assert support == sorted(support, reverse=True)  # who needs support first
        assert not next(r for r in shown if r.pupil.upn == "A1").needs_support  # Ann is ahead
        assert sum(r.needs_support for r in shown) == 3
        await pilot.press("o")  # by name
        await pilot.pause()
        assert app.screen.shown[0].pupil.upn == "A1"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassportScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TrackingScreen)
        groups = app.screen.query_one("#groups-table")
        assert groups.row_count >= 3  # pupil premium, SEN, EAL, girls, boys …
        await pilot.press("left_square_bracket")  # the window before: recomputed from the log
        await pilot.pause()
        assert app.screen.window.key == "2025-summer"  # summer of 2025/26
        assert all(r.standing.points == 9 for r in app.screen.shown)


@pytest.mark.slow
async def test_passport_focus_test_and_target_from_the_app(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # Ann's passport
        await pilot.pause()
        await pilot.press("f", *"Daily counting with Mrs Lee", "enter")  # pin the first next step
        await pilot.pause()
        items = school.focus("A1")
        assert [(f.milestone_id, f.provision) for f in items] == [("1N-1", "Daily counting with Mrs Lee")]
        await pilot.press("5")
        await pilot.pause()
        focus = app.screen.query_one("#focus-list")
        assert "1N-1" in str(focus.get_option_at_index(0).prompt)
        await pilot.press("s", *"85", "enter")  # a test score: greater depth
        await pilot.pause()
        (result,) = school.test_results(curriculum_id="maths")
        assert result.score == 85 and result.greater_depth and result.test_point == 10
        await pilot.press("g", *"12 ready for Year 2 work", "enter")
        await pilot.pause()
        view = school.target("A1", "maths")
        assert view.personal and view.points == 12 and view.reason == "ready for Year 2 work"
        assert "personal target 12" in str(app.screen.query_one("#passport-points").render())
        await pilot.press("5", "u")
        await pilot.pause()
        assert school.focus("A1") == []


@pytest.mark.slow
async def test_moderation_from_the_app(school):
    from passport_tui.tui.screens.moderation import ModerationScreen

    for upn in ("A1", "A2", "A3"):
        school.judge(upn, "1N-1", "achieved")  # recorded by ms.hughes
    school.user = "mr.okafor"  # a second member of staff moderates
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, ModerationScreen)
        await pilot.press("s")
        await pilot.pause()
        assert len(app.screen.items) == 3
        await pilot.press("c")  # confirm the first
        await pilot.pause()
        await pilot.press("down", "x", *"Where is the evidence?", "enter")
        await pilot.pause()
        statuses = sorted(i.state.status.value for i in app.screen.items)
        assert statuses == ["confirmed", "pending", "queried"]
        assert app.screen.items[0].state.listed  # the open query is listed first
        await pilot.press("home", "r", *"Seen in books", "enter")
        await pilot.pause()
        assert not any(i.state.listed for i in app.screen.items)


@pytest.mark.slow
async def test_parent_report_and_comment_from_the_passport(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "c", *"Ann counts with confidence.", "enter")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        reports = list((school.store.path.parent / "reports").glob("A1-*.html"))
        assert len(reports) == 1
        html = reports[0].read_text()
        assert "Ann counts with confidence." in html and "<html" in html


async def test_class_parent_reports_with_one_key(school):
    school.judge("A1", "1N-1", "achieved")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        (path,) = (school.store.path.parent / "reports").glob("class-1H-*.html")
        html = path.read_text()
        for name in ("Ann", "Ben", "Cara", "Dev"):
            assert name in html
