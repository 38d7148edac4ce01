"""Snapshot tests of each screen on the demo school (fixed date), at 80×24 and 120×40.

Update after an intended change with: uv run pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from passport_tui.tui.app import make_app

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_class_grid(demo, snap_compare, size):
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"), terminal_size=size, press=["down", "right"]
    )


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_class_grid_ascii(demo, snap_compare, size):
    assert snap_compare(make_app(demo, ascii_only=True, class_name="2H"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_pupil_passport(demo, snap_compare, size):
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="6P"), terminal_size=size, press=["down", "enter"]
    )


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_curriculum_tree(demo, snap_compare, size):
    press = ["t", "slash", *"fractions", "enter", "_"]
    assert snap_compare(make_app(demo, ascii_only=False, class_name="4O"), terminal_size=size, press=press)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_class_picker(demo, snap_compare, size):
    assert snap_compare(make_app(demo, ascii_only=False), terminal_size=size)


def test_help(demo, snap_compare):
    assert snap_compare(make_app(demo, ascii_only=False, class_name="4O"), press=["question_mark"])


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_tracking(demo, snap_compare, size):
    assert snap_compare(make_app(demo, ascii_only=False, class_name="4O"), terminal_size=size, press=["T"])


def test_tracking_groups(demo, snap_compare):
    press = ["T", "tab", "right"]
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"), terminal_size=(120, 40), press=press
    )


def test_moderation(demo, snap_compare):
    assert snap_compare(make_app(demo, ascii_only=False, class_name="4O"), press=["M", "s"])


def test_passport_gaps_with_ages(demo, snap_compare):
    press = ["down", "down", "down", "down", "enter", "2"]
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"), terminal_size=(120, 40), press=press
    )
