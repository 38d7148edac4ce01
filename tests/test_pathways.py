"""Pathways: each pupil follows a set of curricula; the grid, passport, tracking, groups and
reports use only a pupil's pathway."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.curriculum import load_curriculum
from passport_tui.errors import PassportError
from passport_tui.resources import sample_curricula_dir


@pytest.fixture
def with_framework(school):
    with school.store.transaction():
        school.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
    return school


def test_by_default_pupils_follow_the_year_linked_curricula_only(with_framework):
    svc = with_framework
    p = svc.pathway("A1")
    assert (p.curricula, p.default) == (["maths"], True)
    assert [cp.curriculum.id for cp in svc.passport("A1").curricula] == ["maths"]
    framework = svc.curriculum("engagement-model")
    assert list(svc.standings(framework)) == []  # nobody follows a framework until assigned


def test_a_pupil_on_the_engagement_model_only(with_framework):
    svc = with_framework
    p = svc.set_pathway("A3", ["engagement-model"])
    assert (p.curricula, p.default) == (["engagement-model"], False)
    assert [cp.curriculum.id for cp in svc.passport("A3").curricula] == ["engagement-model"]
    tracked = {(r.pupil.upn, r.curriculum_id) for r in svc.tracking(class_name="1H")}
    assert ("A3", "maths") not in tracked and ("A1", "maths") in tracked
    maths = svc.curriculum("maths")
    grid = svc.grid(svc.pupils("1H"), maths, [m.id for m in maths.milestones])
    assert "A3" not in {line.pupil.upn for line in grid}
    framework = svc.curriculum("engagement-model")
    assert [p.upn for p, _ in svc.standings(framework)] == ["A3"]
    svc.add_to_pathway("A3", ["maths"])
    assert svc.pathway("A3").curricula == ["engagement-model", "maths"]
    svc.remove_from_pathway("A3", ["engagement-model"])
    assert svc.pathway("A3").curricula == ["maths"]
    with pytest.raises(PassportError, match="does not follow"):
        svc.remove_from_pathway("A3", ["engagement-model"])
    with pytest.raises(PassportError, match="No curriculum 'nope'"):
        svc.set_pathway("A3", ["nope"])


def test_the_pathway_commands(with_framework):
    db = str(with_framework.store.path)
    run = CliRunner().invoke
    result = run(cli, ["--db", db, "pathway", "set", "A3", "engagement-model"])
    assert result.exit_code == 0, result.output
    assert "Cara Cole (A3) follows their own pathway: engagement-model" in result.output
    shown = json.loads(run(cli, ["--db", db, "pathway", "show", "A3", "--json"]).output)
    assert shown == {"upn": "A3", "name": "Cara Cole", "curricula": ["engagement-model"], "default": False}
    result = run(cli, ["--db", db, "pathway", "default"])
    assert result.output.strip() == "Pupils without a pathway of their own follow: maths"


def test_a_framework_without_points_is_tracked_as_steps_secured(with_framework):
    from datetime import UTC, datetime

    svc = with_framework
    svc.set_pathway("A3", ["engagement-model"])
    svc.judge("A3", "EXP-1", "achieved", at=datetime(2026, 5, 4, 10, tzinfo=UTC))  # last academic year
    svc.judge("A3", "EXP-2", "achieved", at=datetime(2026, 10, 1, 10, tzinfo=UTC))  # this autumn
    svc.judge("A3", "REA-1", "achieved")  # today, in autumn
    (row,) = svc.tracking(class_name="1H", curriculum_id="engagement-model")
    assert row.pupil.upn == "A3" and row.standing.points is None and not row.needs_support
    assert (row.steps.secured, row.steps.this_year, row.steps.this_window) == (3, 2, 2)
    (past,) = svc.tracking(class_name="1H", curriculum_id="engagement-model", window="2025-summer")
    assert (past.steps.secured, past.steps.this_year, past.steps.this_window) == (1, 1, 1)
    out = (
        CliRunner()
        .invoke(
            cli,
            ["--db", str(svc.store.path), "tracking", "--class", "1H", "--curriculum", "engagement-model"],
        )
        .output
    )
    assert "Frameworks without points: milestones secured" in out and "Cara Cole" in out and "+2" in out


async def test_the_tracking_screen_shows_a_framework_without_points(with_framework):
    from passport_tui.tui.app import make_app
    from passport_tui.tui.screens.tracking import TrackingScreen

    svc = with_framework
    svc.set_pathway("A3", ["engagement-model", "maths"])
    svc.judge("A3", "EXP-1", "achieved")
    app = make_app(svc, class_name="1H")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.push_screen(TrackingScreen(svc, app.glyphs, "1H", "engagement-model"))
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, TrackingScreen)
        assert [r.pupil.upn for r in screen.shown] == ["A3"]
        for key in ("tab", "right", "right"):  # the groups and chart tabs read without an error
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert app.is_running and isinstance(app.screen, TrackingScreen)
