"""Tracking: windows and term dates, past windows from the log, progress, who needs support."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.engine import Flag
from passport_tui.errors import PassportError


def at(y, m, d):
    return datetime(y, m, d, 12, tzinfo=UTC)


@pytest.fixture
def tracked(school):
    """Ann: 1N-1 last summer, 1N-2 and 1N-3 this autumn (Year 1 complete: 12). Ben: 1N-1 judged
    not yet last summer, nothing achieved (9). Cara and Dev: never judged (not assessed)."""
    school.judge("A1", "1N-1", "achieved", at=at(2026, 7, 1))
    school.judge("A2", "1N-1", "not-yet", at=at(2026, 6, 1))
    school.judge("A1", "1N-2", "achieved", at=at(2026, 10, 1))
    school.judge("A1", "1N-3", "achieved", at=at(2026, 11, 1))
    return school


def test_tracking_now(tracked):
    rows = {r.pupil.upn: r.standing for r in tracked.tracking(class_name="1H")}
    ann, ben = rows["A1"], rows["A2"]
    # Ann: Year 1 complete = 12; a Year 1 pupil after autumn is expected at 9 + 1 = 10
    assert (ann.points, ann.expected, ann.target) == (12, 10, 15)  # target: 12 reached, so the next end point
    assert ann.points_start_of_year == 10  # one third of Year 1 by the end of last year
    assert ann.progress_this_year == 2
    assert Flag.EXCELLING in ann.flags
    assert (ben.points, ben.expected) == (9, 10)
    # autumn is not over: 9 is where a Year 1 pupil starts it, so Ben is not behind yet, but he
    # gained nothing last window (stalled), so he is on the support list
    assert Flag.FALLING_BEHIND not in ben.flags and Flag.STALLED in ben.flags


def test_who_needs_support_comes_first(tracked):
    rows = tracked.tracking(class_name="1H")
    first = [r.pupil.upn for r in rows if r.needs_support]
    assert [r.pupil.upn for r in rows][: len(first)] == first
    assert "A1" not in first and "A2" in first


def test_a_past_window_is_recomputed_from_the_log(tracked):
    rows = {r.pupil.upn: r.standing for r in tracked.tracking(class_name="1H", window="2025-summer")}
    ann = rows["A1"]
    assert ann.window.key == "2025-summer"
    assert ann.year_group == 0  # she was in Reception then
    assert ann.points == 10  # only 1N-1, from July


def test_term_dates(school):
    school.set_term_dates((1, 5), (4, 20))
    assert school.window().name == "Autumn 2026/27"
    assert school.window("2026-spring").start.isoformat() == "2027-01-05"
    with pytest.raises(PassportError, match="term dates"):
        school.set_term_dates((4, 1), (1, 1))


def test_tracking_and_settings_cli(tracked):
    runner = CliRunner()
    db = str(tracked.store.path)
    # the CLI runs on the real clock: name the window so the figures do not depend on today
    result = runner.invoke(
        cli, ["--db", db, "tracking", "--class", "1H", "--window", "2026-autumn", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    ann = next(d for d in data if d["upn"] == "A1")
    assert ann["points"] == 12 and ann["flags"] == ["excelling"] and ann["window"] == "2026-autumn"
    assert set(ann) >= {"points", "expected", "target", "progress_this_year", "progress_last_window", "flags"}
    result = runner.invoke(cli, ["--db", db, "settings", "terms", "--spring", "01-05", "--summer", "04-20"])
    assert result.exit_code == 0 and re.search(r"Spring \d{4}/\d\d: \d{4}-01-05", result.output)
    result = runner.invoke(cli, ["--db", db, "settings", "terms", "--spring", "13-05", "--summer", "04-20"])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["--db", db, "tracking", "--window", "someday"])
    assert result.exit_code == 1 and "is not a window" in result.stderr


def test_revisit_cli(tracked):
    runner = CliRunner()
    db = str(tracked.store.path)
    assert runner.invoke(cli, ["--db", db, "revisit", "A1", "1N-1", "--note", "shaky"]).exit_code == 0
    show = json.loads(runner.invoke(cli, ["--db", db, "show", "A1", "--json"]).output)
    assert show["curricula"][0]["revisit"] == ["1N-1"]
    result = runner.invoke(cli, ["--db", db, "revisit", "A2", "1N-1"])
    assert result.exit_code == 1 and "nothing to mark for revisit" in result.stderr


def test_tracking_now_from_the_projections_equals_the_fold_of_the_log(demo):
    """The tracking lists read each pupil's projected standing; on the demo school every figure
    equals the one computed from the full fold of that pupil's log."""
    from passport_tui import engine

    today = demo.today()
    checked = 0
    for c in demo.curricula():
        records = demo.records(c.id)
        for pupil, s in demo.standings(c):
            full = engine.standing(
                c,
                records.get(pupil.id, engine.PupilRecord()),
                demo.year_group(pupil),
                today,
                detail=False,
                personal_target=s.target if s.target_is_personal else None,
                greater_depth=Flag.EXCELLING in s.flags and (s.expected is None or s.points <= s.expected),
            )
            assert (s.points, s.expected, s.flags, s.gaps, s.points_start_of_year) == (
                full.points,
                full.expected,
                full.flags,
                full.gaps,
                full.points_start_of_year,
            ), (pupil.upn, c.id)
            checked += 1
    assert checked > 160  # 80 pupils in maths and English, 13 in PSP, 1 in each PMLD framework
