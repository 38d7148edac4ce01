"""The terminal app through Textual's Pilot, pressing real keys against a real database file.

The screens read in thread workers, so after a key a test waits with ``settle`` (every worker done
and every message handled) rather than a single pause."""

from __future__ import annotations

import pytest
from textual.worker import WorkerState

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
from tests.staffed_school import SAMPLES

SIZE = (80, 24)


async def settle(pilot) -> None:
    """Wait until no worker is running and every message they posted has been handled (a handler
    may start another read, so until it stays quiet)."""
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return
        await app.workers.wait_for_complete()
    raise AssertionError("the app did not settle")


async def press(pilot, *keys: str) -> None:
    """Press keys one by one, letting the app settle after each (as a teacher types)."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def type_text(pilot, text: str) -> None:
    """Type into the focused input (nothing to wait for between the letters)."""
    await pilot.press(*text)


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
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "enter")  # 3K
        await settle(pilot)
        assert isinstance(app.screen, GridScreen)
        assert app.screen.view.class_name == "3K"
        assert [line.pupil.upn for line in app.screen.shown] == ["B1", "B2"]


async def test_mark_a_cell_achieved_and_not_yet(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.view.part == "Y1"  # the class's year group
        assert cell(app, "A1", "1N-1") is Cell.NEXT
        await pilot.press("a")  # cursor on Ann Adams, 1N-1
        await settle(pilot)
        assert verdicts(school, "A1") == [("1N-1", "achieved")]
        assert cell(app, "A1", "1N-1") is Cell.ACHIEVED
        assert cell(app, "A1", "1N-2") is Cell.NEXT  # the next step opened
        await pilot.press("down", "n")  # Ben Brown, not yet
        await settle(pilot)
        assert verdicts(school, "A2") == [("1N-1", "not_yet")]
        assert cell(app, "A2", "1N-1") is Cell.NOT_YET


async def test_bulk_mark_the_column_for_selected_pupils(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "space")  # select Ann and Ben
        await settle(pilot)
        assert grid_of(app).selected == {school.pupil("A1").id, school.pupil("A2").id}
        await pilot.press("a")
        await settle(pilot)
        assert verdicts(school, "A1") == [("1N-1", "achieved")]
        assert verdicts(school, "A2") == [("1N-1", "achieved")]
        assert verdicts(school, "A3") == []
        await pilot.press("escape", "asterisk", "right", "a")  # everyone, 1N-2
        await settle(pilot)
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
        await settle(pilot)
        await pilot.press("right", "right", "a")  # 1N-3 for Ann
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        assert "1N-3 needs 1N-2 first" in app.screen.explanation
        assert verdicts(school, "A1") == []
        await pilot.press("enter")  # an empty reason is not accepted
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        await pilot.press(*"Secure in class", "enter")
        await settle(pilot)
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
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert verdicts(school, "A1") == [("1N-1", "achieved")]
        assert any("stays achieved" in str(n.message) for n in app._notifications)


async def test_retraction_asks_for_a_reason(school):
    school.judge("A1", "1N-1", "achieved")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        await pilot.press(*"Wrong pupil", "enter")
        await settle(pilot)
        assert verdicts(school, "A1") == [("1N-1", "achieved"), ("1N-1", "retracted")]
        assert cell(app, "A1", "1N-1") is Cell.NEXT


async def test_filter_by_group_and_name(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"pp", "enter")
        await settle(pilot)
        assert [line.pupil.upn for line in app.screen.shown] == ["A1"]
        await pilot.press("slash", "ctrl+u", *"cole", "enter")
        await settle(pilot)
        assert [line.pupil.upn for line in app.screen.shown] == ["A3"]
        await pilot.press("slash", "ctrl+u", "enter")
        await settle(pilot)
        assert len(app.screen.shown) == 4


async def test_passport_from_the_grid_and_back_with_next_steps_changing(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PassportScreen)
        cp = app.screen.current
        assert cp.standing.next[0] == "1N-1"
        await pilot.press("a")  # judge the highlighted next step from the passport
        await settle(pilot)
        assert verdicts(school, "A1") == [("1N-1", "achieved")]
        assert app.screen.current.standing.next[0] == "1N-2"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, GridScreen)
        assert cell(app, "A1", "1N-1") is Cell.ACHIEVED


async def test_stage_strand_and_curriculum_switching(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [c.id for c in grid_of(app).columns] == ["1N-1", "1N-2", "1N-3"]
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert [c.id for c in grid_of(app).columns] == ["2N-1", "2N-2", "2N-3"]
        await pilot.press("m")  # by strand
        await settle(pilot)
        assert app.screen.view.kind == "strand"
        assert len(grid_of(app).columns) == 6
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.view.class_name == "3K"


async def test_another_users_change_shows_up_within_a_second(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert cell(app, "A2", "1N-1") is Cell.NEXT
        with Service(Store.open(school.store.path), user="mr.okafor", clock=fixed_clock) as other:
            other.judge("A2", "1N-1", "achieved")
        await pilot.pause(1.3)
        assert cell(app, "A2", "1N-1") is Cell.ACHIEVED


async def test_curriculum_tree_details_and_search(school):
    school.judge("A1", "1N-1", "achieved")
    school.import_curriculum(str(SAMPLES / "engagement-model.toml"))
    school.set_pathway("A4", ["engagement-model"])  # off maths: not one of the pupils counted for it
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TreeScreen)
        await pilot.press("slash", *"count to", "enter")
        await settle(pilot)
        await settle(pilot)
        detail = str(app.screen.query_one("#milestone-detail").render())
        assert "1N-1" in detail and "Achieved by 1 of the 3 pupils in class 1H who follow maths" in detail
        links = app.screen.query_one("#links")
        assert "unlocks  1N-2" in str(links.get_option_at_index(0).prompt)
        await pilot.press("tab", "enter")  # jump to what it unlocks
        await settle(pilot)
        await settle(pilot)
        assert "1N-2" in str(app.screen.query_one("#milestone-detail").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, GridScreen)


async def test_help_lists_the_keys(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = str(app.screen.query_one("#help-keys").render())
        assert "mark the cell" in text and "filter" in text


@pytest.mark.slow
async def test_hostile_names_are_shown_literally_and_do_nothing(hostile_school):
    app = make_app(hostile_school, class_name="1H")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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
            await settle(pilot)
            title = str(app.screen.query_one("#passport-title").render())
            assert "\x1b" not in title
            await pilot.press("escape")
            await settle(pilot)
        assert app.is_running
        first, last = HOSTILE_NAMES[0]
        assert any(f"{last}, {first}" == n for n in names)


async def test_ascii_glyphs(school):
    school.judge("A1", "1N-1", "achieved")
    app = make_app(school, ascii_only=True, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = grid_of(app)
        text = "".join(grid.render_line(y).text for y in range(grid.size.height))
        assert "#" in text and ">" in text
        assert all(ord(ch) < 128 for ch in text)


@pytest.mark.slow  # over 2.5 s on the 2-core machine
async def test_tracking_screen_lists_who_needs_support_first_and_opens_a_passport(school):
    from passport_tui.tui.screens.tracking import TrackingScreen

    school.judge("A1", "1N-1", "achieved")
    school.judge("A1", "1N-2", "achieved")
    school.judge("A1", "1N-3", "achieved")
    for upn in ("A2", "A3", "A4"):  # judged once last summer: at 9, assessed since then
        school.judge(upn, "1N-1", "not-yet", at=fixed_clock().replace(month=6, day=1))
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "T")
        assert isinstance(app.screen, TrackingScreen)
        shown = app.screen.shown
        support = [r.needs_support for r in shown]
        assert support == sorted(support, reverse=True)  # who needs support first
        assert not next(r for r in shown if r.pupil.upn == "A1").needs_support  # Ann is ahead
        assert sum(r.needs_support for r in shown) == 3
        await press(pilot, "o")  # by name
        assert app.screen.shown[0].pupil.upn == "A1"
        await press(pilot, "enter")
        assert isinstance(app.screen, PassportScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, TrackingScreen)
        groups = app.screen.query_one("#groups-table")
        assert groups.row_count == 0  # not read until shown
        await press(pilot, "tab", "right")  # the Groups tab
        assert groups.row_count >= 3  # pupil premium, SEN, EAL, girls, boys …
        await press(pilot, "left", "tab")  # back to the pupils
        await press(pilot, "left_square_bracket")  # the window before: recomputed from the log
        assert app.screen.window.key == "2025-summer"  # summer of 2025/26
        then = {r.pupil.upn: r.standing for r in app.screen.shown}
        assert all(then[upn].points == 9 for upn in ("A2", "A3", "A4"))
        assert not then["A1"].assessed  # Ann's first judgements came this autumn


@pytest.mark.slow
async def test_passport_focus_test_and_target_from_the_app(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Ann's passport
        await settle(pilot)
        await pilot.press("f", *"Daily counting with Mrs Lee", "enter")  # pin the first next step
        await settle(pilot)
        items = school.focus("A1")
        assert [(f.milestone_id, f.provision) for f in items] == [("1N-1", "Daily counting with Mrs Lee")]
        await pilot.press("5")
        await settle(pilot)
        focus = app.screen.query_one("#focus-list")
        assert "1N-1" in str(focus.get_option_at_index(0).prompt)
        await pilot.press("s", *"85", "enter")  # a test score: greater depth
        await settle(pilot)
        (result,) = school.test_results(curriculum_id="maths")
        assert result.score == 85 and result.greater_depth and result.test_point == 10
        await pilot.press("g", *"12 ready for Year 2 work", "enter")
        await settle(pilot)
        view = school.target("A1", "maths")
        assert view.personal and view.points == 12 and view.reason == "ready for Year 2 work"
        assert "personal target 12" in str(app.screen.query_one("#passport-points").render())
        await pilot.press("5", "u")
        await settle(pilot)
        assert school.focus("A1") == []


@pytest.mark.slow
async def test_moderation_from_the_app(school):
    from passport_tui.tui.screens.moderation import ModerationScreen

    for upn in ("A1", "A2", "A3"):
        school.judge(upn, "1N-1", "achieved")  # recorded by ms.hughes
    school.user = "mr.okafor"  # a second member of staff moderates
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, ModerationScreen)
        await pilot.press("s")
        await settle(pilot)
        assert len(app.screen.items) == 3
        await pilot.press("c")  # confirm the first
        await settle(pilot)
        await pilot.press("down", "x", *"Where is the evidence?", "enter")
        await settle(pilot)
        statuses = sorted(i.state.status.value for i in app.screen.items)
        assert statuses == ["confirmed", "pending", "queried"]
        assert app.screen.items[0].state.listed  # the open query is listed first
        await pilot.press("home", "r", *"Seen in books", "enter")
        await settle(pilot)
        assert not any(i.state.listed for i in app.screen.items)


@pytest.mark.slow
async def test_parent_report_and_comment_from_the_passport(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "c", *"Ann counts with confidence.", "enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        reports = list((school.store.path.parent / "reports" / school.user).glob("A1-*.html"))
        assert len(reports) == 1
        html = reports[0].read_text()
        assert "Ann counts with confidence." in html and "<html" in html


async def test_class_parent_reports_with_one_key(school):
    school.judge("A1", "1N-1", "achieved")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        (path,) = (school.store.path.parent / "reports" / school.user).glob("class-1H-*.html")
        html = path.read_text()
        for name in ("Ann", "Ben", "Cara", "Dev"):
            assert name in html


# --- one error path: a refusal is a notice, anything else an error screen; the app carries on ---


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def viewer_app(school, **kw):
    school.add_staff("head", "Mrs Head", "admin")
    school.user = "head"
    school.add_staff("gov", "A Governor", "viewer")
    return make_app(Service(Store.open(school.store.path), user="gov", clock=fixed_clock), **kw)


@pytest.mark.slow  # over 2.5 s on the 2-core machine
async def test_a_viewer_pressing_keys_gets_notices_and_the_app_carries_on(school):
    school.judge("A1", "1N-1", "achieved")
    school.pin_focus("A1", "1N-2", provision="Daily counting")
    app = viewer_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("v", "a", "n"):  # revisit, achieved, not yet: each refused in a notice
            await press(pilot, key)
            assert app.is_running and isinstance(app.screen, GridScreen)
            assert notices(app)[-1] == "gov can view but not change anything."
        await press(pilot, "r")
        await type_text(pilot, "Wrong pupil")
        await press(pilot, "enter")  # refused in the dialog's answer too
        assert notices(app)[-1] == "gov can view but not change anything."
        await press(pilot, "enter")  # Ann's passport
        assert isinstance(app.screen, PassportScreen)
        await press(pilot, "c")
        await type_text(pilot, "Lovely work")
        await press(pilot, "enter")
        assert notices(app)[-1] == "gov can view but not change anything."
        await press(pilot, "5", "u")
        assert notices(app)[-1] == "gov can view but not change anything."
        assert isinstance(app.screen, PassportScreen) and app.is_running
    assert verdicts(school, "A1") == [("1N-1", "achieved")]
    assert [f.milestone_id for f in school.focus("A1")] == ["1N-2"]


async def test_a_refusal_read_in_a_worker_is_a_notice(school):
    school.add_staff("head", "Mrs Head", "admin")
    school.user = "head"
    school.add_staff("ms.hughes", "Ms Hughes", "teacher", ["1H"])
    teacher = Service(Store.open(school.store.path), user="ms.hughes", clock=fixed_clock)
    app = make_app(teacher, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.screen.lines) == 4
        school.add_staff("ms.hughes", "Ms Hughes", "teacher", ["3K"])  # an admin moves her
        app.poll_changes()  # as every second: the change is seen; the grid's worker is refused
        await settle(pilot)
        assert "No class '1H' among ms.hughes's classes." in notices(app)
        assert app.is_running and isinstance(app.screen, GridScreen)
    teacher.close()


async def test_an_unexpected_error_shows_one_line_and_the_log_and_the_app_carries_on(school):
    import sqlite3
    import stat

    # a curriculum the app cannot read (a damaged row): not a refusal, so not a notice
    with sqlite3.connect(school.store.path) as db:
        db.execute("""UPDATE curricula SET body = '{"curriculum": 5}' WHERE id = 'maths'""")
    db.close()
    app = make_app(school, class_name="1H")
    log = school.database_path.parent / "passport-errors.log"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from passport_tui.tui.failures import ErrorScreen

        assert isinstance(app.screen, ErrorScreen)
        summary = str(app.screen.query_one("#error-summary").render())
        assert summary.startswith("ValidationError: ") and "\n" not in summary.strip()
        assert str(log) in str(app.screen.query_one("#error-log").render())
        await press(pilot, "escape")
        assert isinstance(app.screen, GridScreen) and app.is_running
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "ValidationError" in text
    assert "user ms.hughes" in text


async def test_a_report_that_cannot_be_written_is_a_notice(school):
    (school.database_path.parent / "reports").write_text("a file where the folder would go")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "R")
        assert any(n.startswith("The report could not be written: ") for n in notices(app))
        assert app.is_running and isinstance(app.screen, GridScreen)


# --- the passport's unpin and comment --------------------------------------------------------


@pytest.mark.slow  # over 2.5 s on the 2-core machine
async def test_unpin_and_comment_on_the_passport_with_the_real_keys(school):
    from passport_tui.reports import parent_report

    school.pin_focus("A1", "1N-1", provision="Daily counting")
    school.pin_focus("A1", "1N-2", provision="Number lines")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # Ann's passport
        focus = app.screen.query_one("#focus-list")
        await press(pilot, "u")  # not on the focus tab: says how
        assert "Open the focus tab (5)" in notices(app)[-1]
        await press(pilot, "5", "down", "u")  # the second item
        assert [f.milestone_id for f in school.focus("A1")] == ["1N-1"]
        assert notices(app)[-1] == "1N-2 unpinned."
        assert focus.option_count == 1 and "1N-1" in str(focus.get_option_at_index(0).prompt)
        await press(pilot, "u")
        assert school.focus("A1") == []
        assert "No focus items" in str(focus.get_option_at_index(0).prompt)
        await press(pilot, "c", "enter")  # a comment needs text: the dialog stays
        assert isinstance(app.screen, AskScreen)
        await type_text(pilot, "Ann [counts] with confidence.")
        await press(pilot, "enter")
        assert isinstance(app.screen, PassportScreen)
        assert notices(app)[-1] == "Comment saved for the parent report."
    assert "Ann [counts] with confidence." in parent_report(school, ["A1"], "html")


# --- the grid: first screenful first, theme, other users' changes -------------------------------


def add_pupils(school, tmp_path, n: int) -> None:
    """``n`` more Year 1 pupils in class 1H, through the roster import."""
    rows = ["UPN,Forename,Surname,Year,Class"]
    rows += [f"Z{i:02d},Pupil{i:02d},Zed{i:02d},1,1H" for i in range(n)]
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join(rows) + "\n")
    school.import_roster(roster, academic_year=2026)


async def test_a_big_class_paints_its_first_screenful_first(school, tmp_path):
    from passport_tui.tui.screens.grid import GridLoaded

    add_pupils(school, tmp_path, 40)
    seen = []
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        loads = [(len(m.lines), m.complete) for m in seen if isinstance(m, GridLoaded)]
        grid = grid_of(app)
        assert loads == [(SIZE[1], False), (44, True)]
        assert len(grid.rows) == 44 and len(app.screen.lines) == 44
        await press(pilot, "end", *["pagedown"] * 5)  # the last pupil, at the foot
        assert grid.cursor_row.name == "Zed39, Pupil39"


async def test_the_grid_takes_the_new_colours_of_a_theme(school):
    school.judge("A2", "1N-1", "achieved")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = grid_of(app)

        def achieved_style():
            # Ben's row (below the cursor's): his 1N-1 cell
            line = grid.render_line(3)
            return next(seg.style for seg in line if "●" in seg.text).color

        dark = achieved_style()
        assert dark == grid.get_component_rich_style("grid--achieved").color
        app.theme = "nord"
        await settle(pilot)
        light = grid.get_component_rich_style("grid--achieved").color
        assert light != dark
        assert achieved_style() == light


async def test_another_users_change_rereads_only_the_pupils_on_screen(school, tmp_path):
    from passport_tui.tui.screens.grid import GridLinesRead

    add_pupils(school, tmp_path, 40)
    seen = []
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        grid = grid_of(app)
        visible = grid.visible_rows
        with Service(Store.open(school.store.path), user="mr.okafor", clock=fixed_clock) as other:
            other.judge("A2", "1N-1", "achieved")  # on screen
            other.judge("Z39", "1N-1", "achieved")  # the last pupil, off screen
        seen.clear()
        app.poll_changes()  # as every second
        await settle(pilot)
        (reread,) = [m for m in seen if isinstance(m, GridLinesRead)]
        assert len(reread.lines) == visible < 44
        assert cell(app, "A2", "1N-1") is Cell.ACHIEVED
        assert cell(app, "Z39", "1N-1") is Cell.NEXT  # not read yet
        seen.clear()
        await press(pilot, *["pagedown"] * 5)  # scrolled into view: read then
        assert cell(app, "Z39", "1N-1") is Cell.ACHIEVED
        assert sum(len(m.lines) for m in seen if isinstance(m, GridLinesRead)) < 44


async def test_another_users_change_rereads_only_the_tab_on_screen(school):
    from passport_tui.tui.screens.tracking import ChartLoaded, GroupsLoaded, TrackingLoaded

    seen = []
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await settle(pilot)
        await press(pilot, "T")
        assert [type(m) for m in seen if isinstance(m, TrackingLoaded | GroupsLoaded | ChartLoaded)] == [
            TrackingLoaded
        ]
        before = next(r for r in app.screen.rows if r.pupil.upn == "A2").standing
        assert not before.assessed  # nobody has judged Ben yet
        with Service(Store.open(school.store.path), user="mr.okafor", clock=fixed_clock) as other:
            for m in ("1N-1", "1N-2", "1N-3"):
                other.judge("A2", m, "achieved")
        seen.clear()
        app.poll_changes()  # as every second
        await settle(pilot)
        assert [type(m) for m in seen if isinstance(m, TrackingLoaded | GroupsLoaded | ChartLoaded)] == [
            TrackingLoaded
        ]
        assert next(r for r in app.screen.rows if r.pupil.upn == "A2").standing.points == 12


# --- the tracking table: every value under its own header -----------------------------------


def under_headers(table, name: str) -> dict[str, str]:
    """The text under each header of a table as drawn, on the line that shows ``name``."""
    lines = [table.render_line(y).text for y in range(table.size.height)]
    header = lines[0]
    names = header.split()
    starts = []
    for title in names:
        starts.append(header.index(title, starts[-1] + 1 if starts else 0))
    row = next(line for line in lines if name in line)
    ends = [*starts[1:], len(header)]
    return {title: row[a:b].strip() for title, a, b in zip(names, starts, ends, strict=True)}


async def test_each_tracking_value_sits_under_its_header(school):
    for m in ("1N-1", "1N-2", "1N-3"):
        school.judge("A1", m, "achieved")
    school.judge("A2", "1N-1", "not-yet", at=fixed_clock().replace(month=9, day=2))  # Ben: judged once
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "T")
        table = app.screen.query_one("#tracking-table")
        # Ann: all of Year 1 secured in the autumn of Year 1 (expected 10), so ahead, and no
        # points gained over the summer, so stalled too; her target is the next year's end
        ann = {
            "Pupil": "Adams, Ann",
            "Yr": "1",
            "Pts": "12",
            "Exp": "10",
            "Flags": "=stalled ▲ahead",
            "+Yr": "+3",
            "+Win": "+3",
            "Gaps": "0",
            "Target": "15 on",
        }
        assert under_headers(table, "Adams, Ann") == ann  # one subject: no subject column
        assert under_headers(table, "Brown, Ben") == {
            **ann,
            "Pupil": "Brown, Ben",
            "Pts": "9",
            "Flags": "=stalled",  # autumn is under way: not behind yet
            "+Yr": "+0",
            "+Win": "+0",
            "Target": "12 on",
        }
        # nobody has judged Cara: no figure but the expectation, and the flags column says so
        assert under_headers(table, "Cole, Cara") == {
            **ann,
            "Pupil": "Cole, Cara",
            "Pts": "–",
            "Flags": "not assessed yet",
            "+Yr": "–",
            "+Win": "–",
            "Gaps": "–",
            "Target": "–",
        }
        title = str(app.screen.query_one("#tracking-title").render())
        assert "1 need support" in title  # Ben; never Cara or Dev, whom nobody has judged
        await press(pilot, "c", "home", "enter")  # all subjects: the subject column too
        assert app.screen.curriculum_id is None
        assert under_headers(table, "Adams, Ann") == {**ann, "Subject": "Maths"}


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_the_tree_opens_with_right_and_closes_with_left(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "t")
        tree = app.screen.query_one("#curriculum-tree")
        assert tree.cursor_node.data == ("maths", "1N-1")  # it opens at the grid's milestone
        await press(pilot, *["left"] * 6)  # out and closed: Year 1, Number, Maths
        maths = tree.cursor_node
        assert "Maths" in str(maths.label) and not maths.is_expanded
        await press(pilot, "right")  # opens
        assert maths.is_expanded and tree.cursor_node is maths
        await press(pilot, *["right"] * 5)  # into Number, open it, into Year 1, open it, into 1N-1
        assert tree.cursor_node.data == ("maths", "1N-1")
        assert "Achieved by 0 of the 4 pupils in class 1H who follow maths." in str(
            app.screen.query_one("#milestone-detail").render()
        )
        await press(pilot, "left", "left")  # out to Year 1, which closes
        assert str(tree.cursor_node.label) == "Year 1" and not tree.cursor_node.is_expanded
