"""A snapshot of the question the app asks when the teacher quits while a change waits for a
busy database (another connection holds the write lock), on the demo school at 80×24.

Update after an intended change with: uv run pytest tests/test_snapshots_quitting.py --snapshot-update
and look at the changed image before committing it."""

from __future__ import annotations

import sqlite3

import pytest

from passport_tui.tui.app import make_app
from passport_tui.tui.screens.quitting import QuitWhileWaitingScreen
from tests.test_tui import press, settle
from tests.test_tui_faults import until


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
def test_quit_while_a_change_waits(demo, snap_compare):
    other = sqlite3.connect(demo.store.path, isolation_level=None)

    async def run(pilot) -> None:
        await settle(pilot)
        other.execute("BEGIN IMMEDIATE")  # another program writing
        await press(pilot, "down", "down", *["right"] * 5)  # Evie Ali: a next step
        await pilot.press("a")  # achieved: kept
        await until(pilot, lambda: bool(pilot.app.kept))
        await pilot.press("q")
        await until(pilot, lambda: isinstance(pilot.app.screen, QuitWhileWaitingScreen))

    try:
        assert snap_compare(
            make_app(demo, ascii_only=False, class_name="4O"), terminal_size=(80, 24), run_before=run
        )
    finally:
        other.close()
