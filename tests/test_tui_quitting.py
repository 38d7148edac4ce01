"""Quitting the app while a change waits for a busy database, through Textual's Pilot against a
real file: another connection (a second program) holds the write lock with BEGIN IMMEDIATE. The
app asks before it loses a kept change; waiting is the default, and a change saved while the
dialog is up closes it. With nothing waiting, q quits at once."""

from __future__ import annotations

import sqlite3

import pytest

from passport_tui.tui.app import make_app
from passport_tui.tui.screens.grid import GridScreen
from passport_tui.tui.screens.modals import AskScreen
from passport_tui.tui.screens.quitting import QuitWhileWaitingScreen
from tests.test_tui import SIZE, settle, verdicts
from tests.test_tui_faults import BUSY, notices, until, write_lock


def dialog_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, QuitWhileWaitingScreen)
    body = str(screen.query_one("#dialog-body").render())
    choices = screen.query_one("#choices")
    return body + "\n" + "\n".join(str(choices.get_option_at_index(i).prompt) for i in range(2))


def judgements(path) -> int:
    """Judgement events in the file, read by a connection of the test's own."""
    with sqlite3.connect(path) as conn:
        return conn.execute("select count(*) from judgements").fetchone()[0]


async def test_with_nothing_waiting_q_quits_at_once(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")  # saved at once: nothing waits
        await settle(pilot)
        assert app.kept == []
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
        assert not any(isinstance(s, QuitWhileWaitingScreen) for s in app.screen_stack)
    assert verdicts(school, "A1") == [("1N-1", "achieved")]


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_escape_keeps_the_app_running_and_the_change_lands_when_the_lock_goes(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(school.store.path) as other:
            await pilot.press("a")  # Ann, 1N-1: kept
            await until(pilot, lambda: bool(app.kept))
            await pilot.press("q")
            await pilot.pause()
            assert dialog_text(app) == (
                "1 change is waiting for the database (busy: another program is writing).\n"
                "It is saved as soon as the database is free.\n"
                "Wait\n"
                "Quit and lose it"
            )
            assert app.screen.query_one("#choices").highlighted == 0  # Wait is the default
            await pilot.press("escape")
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, GridScreen)
            assert verdicts(school, "A1") == []
            other.execute("ROLLBACK")
            await until(pilot, lambda: verdicts(school, "A1") == [("1N-1", "achieved")])
        await settle(pilot)
        assert app.is_running and app.kept == []
        await pilot.press("q")  # nothing waits now
        await pilot.pause()
        assert not app.is_running


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_enter_on_the_default_waits_too_and_every_way_to_quit_asks(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(school.store.path) as other:
            await pilot.press("a")
            await until(pilot, lambda: bool(app.kept))
            await pilot.press("ctrl+q")  # Textual's own quit key asks too
            await pilot.pause()
            assert isinstance(app.screen, QuitWhileWaitingScreen)
            await pilot.press("enter")  # on Wait
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, GridScreen)
            # the command palette's Quit asks as well
            quit_command = next(c for c in app.get_system_commands(app.screen) if c.title == "Quit")
            await quit_command.callback()
            await pilot.pause()
            assert isinstance(app.screen, QuitWhileWaitingScreen)
            await pilot.press("q")  # q again while asked: still asked, nothing lost
            await pilot.pause()
            assert isinstance(app.screen, QuitWhileWaitingScreen) and len(app.kept) == 1
            await pilot.press("escape")
            await pilot.pause()
            other.execute("ROLLBACK")
            await until(pilot, lambda: verdicts(school, "A1") == [("1N-1", "achieved")])


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_quit_and_lose_them_quits_and_nothing_is_written(school, capsys):
    before = judgements(school.store.path)
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(school.store.path):
            await pilot.press("a", "down", "n")  # Ann achieved, Ben not yet: both kept
            await until(pilot, lambda: len(app.kept) == 2)
            await pilot.press("q")
            await pilot.pause()
            assert dialog_text(app).splitlines()[0].startswith("2 changes are waiting for the database")
            assert dialog_text(app).endswith("Quit and lose them")
            await pilot.press("down", "enter")
            await pilot.pause()
            assert not app.is_running
    # what was lost is said on the terminal once the app has gone
    assert "2 changes not saved: the database was busy" in capsys.readouterr().err
    # the other program has let go and the app is gone: the kept changes were not written
    assert judgements(school.store.path) == before
    assert verdicts(school, "A1") == [] and verdicts(school, "A2") == []


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_the_dialog_closes_when_the_waiting_changes_are_saved(school):
    app = make_app(school, class_name="1H")
    app.retry_for = 0.3  # the app's background wait gives up quickly (then says "try again") ...
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(school.store.path) as other:
            await pilot.press("a", "down", "n")
            await until(pilot, lambda: len(app.kept) == 2)
            await pilot.press("q")
            await pilot.pause(0.7)  # ... but not while the teacher waits to quit: it keeps trying
            assert isinstance(app.screen, QuitWhileWaitingScreen)
            assert not any(n.startswith(BUSY) for n in notices(app))
            other.execute("ROLLBACK")
            await until(pilot, lambda: not isinstance(app.screen, QuitWhileWaitingScreen))
        assert app.is_running and isinstance(app.screen, GridScreen)
        assert verdicts(school, "A1") == [("1N-1", "achieved")]
        assert verdicts(school, "A2") == [("1N-1", "not_yet")]
        assert "The changes that were waiting are saved." in notices(app)


async def test_the_dialog_counts_down_as_changes_are_saved(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = QuitWhileWaitingScreen(3)
        app.push_screen(dialog)
        await pilot.pause()
        assert dialog_text(app).startswith("3 changes are waiting")
        dialog.waiting(1)
        await pilot.pause()
        assert dialog_text(app).startswith("1 change is waiting")
        assert dialog_text(app).endswith("Quit and lose it")
        dialog.waiting(0)
        await pilot.pause()
        assert isinstance(app.screen, GridScreen) and app.is_running


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_a_saved_change_that_asks_a_question_closes_the_quit_dialog_not_the_question(school):
    """The changes waiting are saved while the teacher is asked about quitting, and one of them
    is refused with a question (1N-3 needs 1N-2: a reason to override?): the quit dialog closes
    (nothing waits), the question stays to be answered, and the app carries on."""
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(school.store.path) as other:
            await pilot.press("right", "right", "a")  # Ann, 1N-3: kept
            await until(pilot, lambda: bool(app.kept))
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, QuitWhileWaitingScreen)
            other.execute("ROLLBACK")
            await until(pilot, lambda: not app.kept)
            await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        assert "1N-3 needs 1N-2 first" in app.screen.explanation
        assert not any(isinstance(s, QuitWhileWaitingScreen) for s in app.screen_stack)
        await pilot.press("escape")  # leave the question
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, GridScreen)
        await pilot.press("q")  # nothing waits: quits
        await pilot.pause()
        assert not app.is_running


async def test_the_dialog_under_another_closes_when_it_is_shown_again(school):
    """Nothing waits any more while another dialog is above the quit dialog: the other dialog
    stays up; the quit dialog closes once it would be shown again."""
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = QuitWhileWaitingScreen(1)
        app.push_screen(dialog)
        await pilot.pause()
        app.push_screen(AskScreen("A question", "Why?"))
        await pilot.pause()
        dialog.waiting(0)
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, GridScreen) and app.is_running
        assert not any(isinstance(s, QuitWhileWaitingScreen) for s in app.screen_stack)


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_the_notices_of_kept_changes_do_not_cover_the_question(school):
    """Each change made while the database is busy says it is kept; at 80×24 those notices
    would sit over the quit dialog's count and choices, so asking clears them."""
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(school.store.path) as other:
            await pilot.press("a", "down", "n", "down", "a", "down", "n")
            await until(pilot, lambda: len(app.kept) == 4)
            assert notices(app)
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, QuitWhileWaitingScreen)
            assert notices(app) == []
            assert dialog_text(app).startswith("4 changes are waiting")
            await pilot.press("escape")
            other.execute("ROLLBACK")
            await until(pilot, lambda: not app.kept)
