"""Snapshots of the pupil passport's plan on the demo school (fixed date), at 80×24: the personal
outcomes of the pupil on the engagement model, the dialog that adds one, and the baseline on
entry's dialog.

Update after an intended change with: uv run pytest tests/test_snapshots_plan.py --snapshot-update
and look at every changed image before committing it."""

from __future__ import annotations

from passport_tui.tui.app import make_app
from passport_tui.tui.screens.modals import PickScreen
from tests.test_tui import press, settle


def on_engagement_model(*pressed: str):
    """Class 4O's grid switched to the engagement model (its one pupil, who has outcomes), their
    passport, then ``pressed``."""

    async def run(pilot) -> None:
        await settle(pilot)
        await press(pilot, "c")
        picker = pilot.app.screen
        assert isinstance(picker, PickScreen)
        ids = [value for value, _ in picker.choices]
        now = ids.index(picker.current) if picker.current in ids else 0
        step = ids.index("engagement-model") - now
        await press(pilot, *(["down"] * step if step > 0 else ["up"] * -step), "enter", "enter", *pressed)

    return run


def test_personal_outcomes_tab(demo, snap_compare):
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"), run_before=on_engagement_model("6")
    )


def test_add_outcome_dialog(demo, snap_compare):
    assert snap_compare(
        make_app(demo, ascii_only=False, class_name="4O"), run_before=on_engagement_model("o", "down", "down")
    )


def test_baseline_dialog(demo, snap_compare):
    async def run(pilot) -> None:
        await settle(pilot)
        await press(pilot, "down", "down", "enter", "b", "down", "down")  # a Year 2 pupil, two stages on

    assert snap_compare(make_app(demo, ascii_only=False, class_name="2H"), run_before=run)
