"""Snapshot tests of each screen on the demo school (fixed date), at 80×24 and 120×40.

The keys are pressed one at a time and the app left to settle after each (its screens read in
workers), so a snapshot shows what a teacher sees once the screen has read its data.

Update after an intended change with: uv run pytest tests/test_snapshots.py --snapshot-update
and look at every changed image before committing it.
"""

from __future__ import annotations

import pytest

from passport_tui.tui.app import make_app
from tests.test_tui import press, settle

SIZES = [(80, 24), (120, 40)]


def keys(*pressed: str):
    """Settle, then press each key and settle again."""

    async def run(pilot) -> None:
        await settle(pilot)
        await press(pilot, *pressed)

    return run


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_class_grid(demo, snap_compare, size):
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"),
        terminal_size=size,
        run_before=keys("down", "right"),
    )


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_class_grid_ascii(demo, snap_compare, size):
    assert snap_compare(
        make_app(demo, ascii_only=True, class_name="2H"), terminal_size=size, run_before=keys()
    )


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_pupil_passport(demo, snap_compare, size):
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="6P"),
        terminal_size=size,
        run_before=keys("down", "enter"),
    )


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_curriculum_tree(demo, snap_compare, size):
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"),
        terminal_size=size,
        run_before=keys("t", "slash", *"fractions", "enter"),
    )


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_class_picker(demo, snap_compare, size):
    assert snap_compare(make_app(demo, ascii_only=False), terminal_size=size, run_before=keys())


def test_help(demo, snap_compare):
    assert snap_compare(make_app(demo, ascii_only=False, class_name="4O"), run_before=keys("question_mark"))


def test_help_scrolled_to_the_end_at_80x24(demo, snap_compare):
    """The help scrolls: its last keys (Ctrl+P, q) are reachable at 80×24."""
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"),
        terminal_size=(80, 24),
        run_before=keys("question_mark", "end"),
    )


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
def test_bulk_mark_notice(demo, snap_compare):
    """Three pupils selected and marked: the selection clears and the notice offers u to undo."""
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"),
        terminal_size=(80, 24),
        run_before=keys("down", "space", "space", "space", *["right"] * 6, "a"),
    )


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
def test_add_pupil_dialog(demo, snap_compare):
    """N on the grid: the dialog, the name and year typed, the class shown filled in."""
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="2H"),
        terminal_size=(80, 24),
        run_before=keys("N", *"Zoë Brontë", "enter", "R", "enter"),
    )


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
def test_erase_pupil_dialog(demo, snap_compare):
    """E on a passport (ms.hughes is an admin): what goes, the reason typed, the confirmation next."""
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="2H"),
        terminal_size=(80, 24),
        run_before=keys("down", "enter", "E", *"erasure request", "enter"),
    )


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_tracking(demo, snap_compare, size):
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"), terminal_size=size, run_before=keys("T")
    )


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_tracking_groups(demo, snap_compare, size):
    """Each measure's name over the group's figure, "rest" over the other pupils' beside it."""
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"),
        terminal_size=size,
        run_before=keys("T", "tab", "right"),
    )


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
def test_tracking_groups_scrolled_at_80x24(demo, snap_compare):
    """On a narrow terminal the figures scroll sideways a measure at a time (here to the last);
    the group stays."""
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"),
        terminal_size=(80, 24),
        run_before=keys("T", "tab", "right", "tab", "right", "right", "right"),
    )


def test_moderation(demo, snap_compare):
    assert snap_compare(make_app(demo, ascii_only=False, class_name="4O"), run_before=keys("M", "s"))


def test_passport_gaps_with_ages(demo, snap_compare):
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"),
        terminal_size=(120, 40),
        run_before=keys("down", "down", "down", "down", "enter", "2"),
    )


def tracking_of(curriculum_id: str, *pressed: str):
    """Open the tracking screen of class 4O on one subject, then press the keys."""

    async def run(pilot) -> None:
        from passport_tui.tui.screens.tracking import TrackingScreen

        await settle(pilot)
        app = pilot.app
        app.push_screen(TrackingScreen(app.service, app.glyphs, "4O", curriculum_id))
        await settle(pilot)
        await press(pilot, *pressed)

    return run


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_tracking_without_points(demo, snap_compare, size):
    """PSP in 4O: steps secured in all, this year and this window — no points columns."""
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"), terminal_size=size, run_before=tracking_of("psped")
    )


def test_tracking_groups_without_points(demo, snap_compare):
    """PSP groups in 4O: steps per pupil and who made progress; a group under five shows n=."""
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"),
        terminal_size=(120, 40),
        run_before=tracking_of("psped", "tab", "right"),
    )


@pytest.fixture
def empty(tmp_path):
    from passport_tui.service import Service
    from passport_tui.store import Store
    from tests.conftest import fixed_clock

    svc = Service(Store.open(tmp_path / "family.db"), user="mum", clock=fixed_clock)
    yield svc
    svc.close()


FIRST_RUN = {
    "curricula": (),
    "child": ("enter", *"Zoë Brontë", "enter", "3", "enter"),
    "baseline": (
        "down",
        "space",
        "enter",
        *"Zoë Brontë",
        "enter",
        "3",
        "enter",
        "enter",
        "down",
        "down",
        "down",
    ),
}


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
@pytest.mark.parametrize("step", sorted(FIRST_RUN))
def test_first_run(empty, snap_compare, step):
    assert snap_compare(
        make_app(empty, ascii_only=False), terminal_size=(80, 24), run_before=keys(*FIRST_RUN[step])
    )
