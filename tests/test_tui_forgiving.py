"""Marking that forgives, and the app's smaller manners (issue 12): a bulk mark clears the
selection and is undone with one key; the help scrolls to every key at 80×24; the passport's
lists keep every wrapped line; the palette lists actions once; the theme is kept per user; the
tree opens at the grid's milestone; a report's path is not cut mid-name. Real keys, real files."""

from __future__ import annotations

from textual.widgets import OptionList

from passport_tui.engine import Cell
from passport_tui.service import Service
from passport_tui.store import Store
from passport_tui.tui.app import make_app
from tests.conftest import fixed_clock
from tests.test_tui import SIZE, cell, grid_of, notices, press, settle


def history(svc: Service, upn: str) -> list[tuple[str, str, str | None]]:
    return [(j.milestone_id, j.verdict.value, j.reason) for j in svc.history(upn)]


# --- a bulk mark: the selection clears, u undoes it as one step ------------------------------


async def test_a_bulk_mark_clears_the_selection_and_u_undoes_it(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "space", "space")
        assert "2 selected" in str(app.screen.query_one("#grid-title").render())
        await press(pilot, "a")
        assert grid_of(app).selected == set()
        assert "selected" not in str(app.screen.query_one("#grid-title").render())
        assert "Marked 2 pupils 1N-1 achieved. u to undo." in notices(app)
        assert history(school, "A1") == [("1N-1", "achieved", None)]
        await press(pilot, "u")
        assert "Undone: 2 retracted (1N-1)." in notices(app)
        for upn in ("A1", "A2"):
            assert history(school, upn) == [("1N-1", "achieved", None), ("1N-1", "retracted", "undone")]
            assert cell(app, upn, "1N-1") is Cell.NEXT  # back to a next step
        await press(pilot, "u")  # once only
        assert "Nothing to undo: u takes back a bulk mark right after it." in notices(app)
        assert len(history(school, "A1")) == 2


async def test_the_next_a_after_a_bulk_mark_marks_one_cell(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "asterisk", "n", "right", "a")  # everyone not yet; then one cell
        assert [j.milestone_id for j in school.history("A2")] == ["1N-1"]
        assert [j.verdict.value for j in school.history("A1")] == ["not_yet"]  # 1N-2 refused, one pupil


async def test_undo_is_only_right_after_the_bulk_mark(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "space", "space", "a", "down", "down", "n", "u")  # a change in between
        assert "Nothing to undo: u takes back a bulk mark right after it." in notices(app)
        assert [j.verdict.value for j in school.history("A1")] == ["achieved"]


async def test_a_bulk_not_yet_says_how_many_and_offers_no_undo(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "asterisk")
        assert "4 selected: a or n marks all" in str(app.screen.query_one("#grid-title").render())
        await press(pilot, "n")
        assert "Marked 4 pupils 1N-1 not yet." in notices(app)
        await press(pilot, "u")
        assert [j.verdict.value for j in school.history("A1")] == ["not_yet"]


def test_retract_many_needs_a_reason_and_the_recorder(school):
    """The service's use case checks as ``retract`` does: a reason; the recorder or an admin."""
    import pytest

    from passport_tui.errors import NotAllowed, ReasonRequired

    ids = [school.pupil("A1").id, school.pupil("A2").id]
    cid = school.judge("A1", "1N-1", "achieved").curriculum_id
    school.judge_many(ids, cid, "1N-1", "achieved")  # Ben's only: Ann's is there already
    with pytest.raises(ReasonRequired):
        school.retract_many(ids, cid, "1N-1", " ")
    school.add_staff(school.user, "Ms H", "admin", [])  # the recorder
    school.add_staff("ms.k", "Ms K", "teacher", ["1H"])  # 1H's teacher, not the recorder
    with (
        Service(Store.open(school.database_path), user="ms.k", clock=fixed_clock) as other,
        pytest.raises(NotAllowed),
    ):
        other.retract_many(ids, cid, "1N-1", "undone")
    assert [j.verdict.value for j in school.history("A2")] == ["achieved"]  # nothing half-written
    done = school.retract_many(ids, cid, "1N-1", "undone")
    assert [o.judgement.reason for o in done] == ["undone", "undone"]


# --- the passport's lists keep every wrapped line ----------------------------------------------


def list_lines(app, name: str = "next") -> tuple[int, list[str]]:
    """The list's height in lines, and its lines as they are painted (from the top)."""
    lst = app.screen.query_one(f"#{name}-list", OptionList)
    lst.scroll_home(animate=False, immediate=True)
    return lst.virtual_size.height, [lst.render_line(y).text.rstrip() for y in range(lst.size.height)]


async def test_after_a_on_a_next_step_the_list_keeps_every_wrapped_line(demo):
    """4O's second pupil: marking the first next step adds a longer one, the list overflows and a
    scroll bar takes two columns; each wrapped step must still be counted at the new width (it
    lost its last line, which could no longer be scrolled to)."""
    app = make_app(demo, ascii_only=False, class_name="4O")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "down", "enter")
        await press(pilot, "a")
        after = list_lines(app)
        await press(pilot, "escape", "enter")  # the same passport, drawn afresh
        fresh = list_lines(app)
        assert after == fresh
        lst = app.screen.query_one("#next-list", OptionList)
        assert lst.scrollbars_enabled[0]  # the case that lost a line: a scroll bar came
