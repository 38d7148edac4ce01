"""The app and a busy or full database, through Textual's Pilot against a real file: another
connection (a second program) holds the write lock while a teacher marks; the app stays open,
keeps the change (the reason typed too) and saves it when the lock goes, or says the database is
busy and saves it on Ctrl+R. A full database is a notice, the app carries on."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from passport_tui.engine import Cell
from passport_tui.tui.app import make_app
from passport_tui.tui.screens.grid import GridScreen
from passport_tui.tui.screens.modals import AskScreen
from tests.test_tui import SIZE, cell, settle, verdicts

BUSY = "the database is busy (another program is writing to it); try again"


@contextlib.contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """A second program holding the write lock until the block ends (or until it lets go)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def until(pilot, condition, seconds: float = 10.0) -> None:
    """Let the app run (its background wait among it) until ``condition()`` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await pilot.pause(0.05)


async def test_a_mark_made_while_another_program_writes_is_kept_and_saved_when_it_is_free(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(school.store.path) as other:
            await pilot.press("a")  # Ann, 1N-1: the write waits a moment, then the change is kept
            await until(pilot, lambda: bool(app.kept))
            assert app.is_running and isinstance(app.screen, GridScreen)
            assert any("your change is kept" in n for n in notices(app))
            assert verdicts(school, "A1") == []
            assert cell(app, "A1", "1N-1") is Cell.NEXT
            await pilot.press("down", "n")  # the teacher moves on: Ben's "not yet" is kept too
            await until(pilot, lambda: len(app.kept) == 2)
            other.execute("ROLLBACK")
            await until(pilot, lambda: verdicts(school, "A2") == [("1N-1", "not_yet")])
        await settle(pilot)
        assert app.kept == []
        assert verdicts(school, "A1") == [("1N-1", "achieved")]  # the kept mark was Ann's
        ann, ben = school.history("A1")[0], school.history("A2")[0]
        assert ann.id is not None and ben.id is not None and ann.id < ben.id  # saved in the order made
        assert cell(app, "A1", "1N-1") is Cell.ACHIEVED
        assert cell(app, "A2", "1N-1") is Cell.NOT_YET


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_the_reason_typed_for_an_override_survives_a_busy_database(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right", "a")  # 1N-2 for Ann: needs 1N-1, asks for a reason
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        with write_lock(school.store.path) as other:
            await pilot.press(*"Secure in class", "enter")
            await until(pilot, lambda: bool(app.kept))
            assert verdicts(school, "A1") == []
            other.execute("ROLLBACK")
            await until(pilot, lambda: verdicts(school, "A1") == [("1N-2", "achieved")])
        assert [j.reason for j in school.history("A1")] == ["Secure in class"]


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_busy_for_longer_than_the_app_waits_says_try_again_and_ctrl_r_saves(school):
    app = make_app(school, class_name="1H")
    app.retry_for = 0.5
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(school.store.path):
            await pilot.press("n")  # Ann, 1N-1 not yet
            await until(pilot, lambda: any(n.startswith(BUSY) for n in notices(app)))
            await settle(pilot)
            assert app.is_running and len(app.kept) == 1
            assert verdicts(school, "A1") == []
        await pilot.press("ctrl+r")  # the other program has finished: saved now
        await settle(pilot)
        assert verdicts(school, "A1") == [("1N-1", "not_yet")]
        assert cell(app, "A1", "1N-1") is Cell.NOT_YET
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any("Nothing is waiting" in n for n in notices(app))
        assert verdicts(school, "A1") == [("1N-1", "not_yet")]


async def test_a_full_database_is_a_notice_and_the_app_carries_on(school):
    pages = school.store.conn.execute("PRAGMA page_count").fetchone()[0]
    school.store.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own size limit
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Ann's passport
        await settle(pilot)
        await pilot.press("c")  # a teacher's comment: far more than the database has room for
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        app.screen.query_one("Input").value = "A long comment. " * 2000
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert any("is full" in n and str(school.store.path) in n for n in notices(app))
        assert school.teacher_comments("A1") == []
