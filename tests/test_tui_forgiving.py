"""Marking that forgives, and the app's smaller manners (issue 12): a bulk mark clears the
selection and is undone with one key; the help scrolls to every key at 80×24; the passport's
lists keep every wrapped line; the palette lists actions once; the theme is kept per user; the
tree opens at the grid's milestone; a report's path is not cut mid-name. Real keys, real files."""

from __future__ import annotations

import pytest
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
        assert "Marked 2 pupils 1N-1 achieved.\n(u to undo)" in notices(app)
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


# --- the help scrolls to every key at 80×24 ----------------------------------------------------


def help_window(app) -> list[str]:
    """The help lines the dialog shows now."""
    scroll = app.screen.query_one("#help-scroll")
    lines = str(app.screen.query_one("#help-keys").render()).splitlines()
    top = round(scroll.scroll_y)
    return lines[top : top + scroll.scrollable_content_region.height]


@pytest.mark.slow  # over two seconds: an app per screen, or typed into the palette
async def test_the_help_of_every_screen_scrolls_to_every_key_at_80x24(demo):
    from passport_tui.tui.screens.modals import HelpScreen

    for opening in ((), ("enter",), ("t",), ("T",), ("M",)):
        app = make_app(demo, ascii_only=False, class_name="4O")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, *opening)
            keys = [k for k, _ in app.screen.HELP]
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            seen: set[str] = set()
            for _ in range(len(keys) * 3):  # the arrow key, a line at a time
                seen |= {line.split("  ")[0].strip() for line in help_window(app)}
                await pilot.press("down")
            seen |= {line.split("  ")[0].strip() for line in help_window(app)}
            assert not set(keys) - seen, opening
            assert keys[-1] in {line.split("  ")[0].strip() for line in help_window(app)}
            await press(pilot, "home")
            assert help_window(app)[0].startswith(keys[0])
            await press(pilot, "end")
            assert any(line.startswith(keys[-1]) for line in help_window(app))
            await press(pilot, "escape")
            assert not isinstance(app.screen, HelpScreen)


# --- the command palette: each action once, said in words ---------------------------------------


@pytest.mark.slow  # over two seconds: an app per screen, or typed into the palette
async def test_the_palette_lists_each_action_once_with_what_it_does(demo):
    for opening in ((), ("enter",), ("t",), ("T",), ("M",)):
        app = make_app(demo, ascii_only=False, class_name="4O")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, *opening)
            commands = list(app.get_system_commands(app.screen))
            titles = [c.title for c in commands]
            assert len(titles) == len(set(titles)), opening
            names = [t.split(" (")[0] for t in titles]
            assert len(names) == len(set(names)), opening  # "Achieved (a)" and "Achieved (3)" were two
            for c in commands:
                assert c.help and c.help.lower() != c.title.split(" (")[0].lower(), c.title
                word = c.title.split(" (")[0].lower()
                moves = ("up", "down", "cursor", "page", "first", "last")
                assert not any(move in word.split() for move in moves), c  # "pupil" is not a move
            assert any(t.startswith("Help (?)") for t in titles)


@pytest.mark.slow  # over two seconds: an app per screen, or typed into the palette
async def test_an_action_runs_from_the_palette(demo):
    from passport_tui.tui.screens.tracking import TrackingScreen

    app = make_app(demo, ascii_only=False, class_name="4O")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Tracking (T)")
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, TrackingScreen)


# --- the theme is kept per login ----------------------------------------------------------------


@pytest.mark.slow  # over two seconds: an app per screen, or typed into the palette
async def test_the_theme_is_kept_for_the_login_between_runs(school, own_config_folder):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Theme", "enter")
        await settle(pilot)
        await pilot.press(*"nord", "enter")
        await settle(pilot)
        assert app.theme == "nord"
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"  # the next run
    with Service(Store.open(school.database_path), user="mr.k", clock=fixed_clock) as other:
        app = make_app(other, class_name="1H")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.theme == "textual-dark"  # another login keeps their own
    assert (own_config_folder / "preferences.json").exists()


async def test_a_config_folder_that_cannot_be_written_is_no_error(school, tmp_path, monkeypatch):
    """The theme is kept outside the database (a read-only database is never written for it);
    a config folder that cannot be made leaves the theme unkept, and the app carries on."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the config folder would be")
    monkeypatch.setattr("passport_tui.tui.preferences.config_dir", lambda: blocked / "passport")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
        assert app.is_running and app.theme == "nord"
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"


# --- the tree opens at the grid's milestone -----------------------------------------------------


@pytest.mark.slow  # over two seconds: an app per screen, or typed into the palette
async def test_the_tree_opens_at_the_grids_milestone(school):
    from textual.widgets import Tree

    from passport_tui.tui.screens.tree import TreeScreen

    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "right", "right")
        column = grid_of(app).cursor_column.id
        await press(pilot, "t")
        assert isinstance(app.screen, TreeScreen)
        tree = app.screen.query_one(Tree)
        node = tree.cursor_node
        assert node is not None and node.data == (app.screen.curricula[node.data[0]].id, column)
        parent = node.parent
        while parent is not None and parent is not tree.root:
            assert parent.is_expanded
            parent = parent.parent
        assert column in str(app.screen.query_one("#milestone-detail").render())
        await press(pilot, "escape", "left", "t")  # another column, another place
        assert app.screen.query_one(Tree).cursor_node.data[1] == grid_of_screen(app).columns[1].id


def grid_of_screen(app):
    return app.grid_screen.query_one("#grid")


# --- a report's path is not cut in the middle of a name -----------------------------------------


def toast_lines(app) -> list[str]:
    from textual.widgets._toast import Toast

    lines = []
    for toast in app.screen.query(Toast):
        lines += [toast.render_line(y).text.strip() for y in range(toast.size.height)]
    return lines


async def test_a_report_notice_shows_the_file_name_whole_on_its_own_line(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "R")
        (path,) = (school.database_path.parent / "reports" / school.user).glob("class-1H-*.html")
        notice = next(n for n in notices(app) if n.startswith("Report written"))
        assert notice.splitlines() == [
            "Report written to",
            f"reports/{school.user}/ beside the database:",
            path.name,
        ]
        assert path.name in toast_lines(app)  # painted whole, on a line of its own


async def test_the_grids_help_reaches_its_last_keys_at_80x24(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert not any(line.startswith("q ") for line in help_window(app))  # cut off at first
        await press(pilot, "end")
        shown = help_window(app)
        assert any(line.startswith("Ctrl+P") for line in shown) and shown[-1].startswith("q ")


async def test_the_grids_palette_lists_no_cursor_moves(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Undo (u)" in titles and not any(t.startswith(("Up ", "Down ", "Page ")) for t in titles)


async def test_a_theme_chosen_is_kept_for_the_login(school, own_config_folder):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
