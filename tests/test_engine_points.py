"""DESIGN §2.5–§2.9: points, windows, test bands, targets, flags — with the worked numbers."""

from __future__ import annotations

from datetime import date

import pytest

from passport_tui.engine import (
    Flag,
    TargetStatus,
    TermDates,
    default_target,
    end_of_year_points,
    expected_points,
    flags,
    parse_window,
    points,
    previous_window,
    scheme_end_points,
    score_point,
    standing,
    target_status,
    window,
    window_of,
)
from passport_tui.models import Pupil
from tests.factories import Log, at, make_curriculum


def ids(stage: str, n: int) -> set[str]:
    return {f"{stage}-{k}" for k in range(1, n + 1)}


# --- §2.5 the scheme ----------------------------------------------------------------------


def test_scheme_end_points():
    assert [scheme_end_points(y) for y in range(0, 12)] == [9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42]


def test_points_with_no_stage_complete_start_below_the_first_stage():
    cur = make_curriculum([("Y1", 1, 6), ("Y2", 2, 6)], chain=False)
    assert points(cur, set()) == 9  # 12 - 3
    assert points(cur, ids("Y1", 1)) == 9  # 1/6 is not a full third
    assert points(cur, ids("Y1", 2)) == 10  # one full third: first bridging point
    assert points(cur, ids("Y1", 4)) == 11
    assert points(cur, ids("Y1", 5)) == 11
    assert points(cur, ids("Y1", 6)) == 12  # Year 1 complete: end point


def test_points_after_complete_stages_and_bridging():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3), ("Y3", 3, 3)], chain=False)
    assert points(cur, ids("Y1", 3) | ids("Y2", 1)) == 13
    assert points(cur, ids("Y1", 3) | ids("Y2", 2)) == 14
    assert points(cur, ids("Y1", 3) | ids("Y2", 3)) == 15
    assert points(cur, ids("Y1", 3) | ids("Y2", 3) | ids("Y3", 3)) == 18


def test_first_incomplete_stage_caps_the_points():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3), ("Y3", 3, 3)], chain=False)
    # Year 1 has a gap: everything in Year 2 and 3 does not count beyond the cap
    assert points(cur, ids("Y1", 2) | ids("Y2", 3) | ids("Y3", 3)) == 11


def test_two_year_stage_is_six_points_wide():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3), ("Y3-4", [3, 4], 12)], chain=False)
    done = ids("Y1", 3) | ids("Y2", 3)
    assert points(cur, done) == 15
    assert points(cur, done | ids("Y3-4", 1)) == 15
    assert points(cur, done | ids("Y3-4", 2)) == 16  # one full sixth
    assert points(cur, done | ids("Y3-4", 6)) == 18
    assert points(cur, done | ids("Y3-4", 11)) == 20
    assert points(cur, done | ids("Y3-4", 12)) == 21  # end of Year 4


def test_curriculum_can_set_its_own_end_points():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3)], chain=False, end_points={"Y1": 20, "Y2": 26})
    assert points(cur, set()) == 17
    assert points(cur, ids("Y1", 3)) == 20
    assert points(cur, ids("Y1", 3) | ids("Y2", 1)) == 21
    assert end_of_year_points(cur, 2) == 26


def test_stages_with_no_year_are_left_out_of_points():
    cur = make_curriculum([("K1", None, 3), ("Y1", 1, 3)], chain=False)
    assert points(cur, ids("Y1", 3)) == 12
    assert points(make_curriculum([("K1", None, 3)]), ids("K1", 3)) is None


# --- expected points ----------------------------------------------------------------------


def test_year_2_pupil_expected_13_14_15():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3)])
    assert [expected_points(cur, 2, t) for t in (1, 2, 3)] == [13, 14, 15]


def test_expected_points_inside_a_two_year_stage():
    cur = make_curriculum([("Y3-4", [3, 4], 6), ("Y5-6", [5, 6], 6)])
    # end of Year 3 inside Y3-4 = 21 - 3 = 18, so a Year 4 pupil is expected at 19, 20, 21
    assert end_of_year_points(cur, 3) == 18
    assert [expected_points(cur, 4, t) for t in (1, 2, 3)] == [19, 20, 21]
    # Year 3: the curriculum has no Year 2 stage, so the scheme gives 15
    assert expected_points(cur, 3, 1) == 16


def test_expected_points_for_reception_and_secondary():
    cur = make_curriculum([("Y1", 1, 3)])
    assert expected_points(cur, 0, 3) == 9
    assert expected_points(cur, 7, 3) == 30


# --- §2.6 windows ---------------------------------------------------------------------------


def test_default_windows():
    assert window_of(date(2026, 9, 1)).term == 1
    assert window_of(date(2026, 12, 31)).term == 1
    assert window_of(date(2027, 1, 1)).term == 2
    assert window_of(date(2027, 3, 31)).term == 2
    assert window_of(date(2027, 4, 1)).term == 3
    w = window_of(date(2027, 8, 31))
    assert (w.academic_year, w.term) == (2026, 3)
    assert window_of(date(2027, 9, 1)).academic_year == 2027
    assert window(2026, 1).name == "Autumn 2026/27"


def test_school_term_dates():
    terms = TermDates(spring=(1, 5), summer=(4, 20))
    assert window_of(date(2027, 1, 4), terms).term == 1
    assert window_of(date(2027, 1, 5), terms).term == 2
    assert window_of(date(2027, 4, 19), terms).term == 2
    assert window_of(date(2027, 4, 20), terms).term == 3
    with pytest.raises(ValueError):
        TermDates(spring=(4, 1), summer=(1, 1))


def test_previous_window_and_parse():
    assert previous_window(window(2026, 1)) == window(2025, 3)
    assert previous_window(window(2026, 3)) == window(2026, 2)
    assert parse_window("2026-spring") == window(2026, 2)
    with pytest.raises(ValueError, match="is not a window"):
        parse_window("spring")


def test_year_group_moves_up_on_1_september():
    p = Pupil(upn="A1", first_name="A", last_name="B", year_group=3, academic_year=2026)
    assert p.year_group_in(window_of(date(2027, 8, 31)).academic_year) == 3
    assert p.year_group_in(window_of(date(2027, 9, 1)).academic_year) == 4


def test_points_at_a_past_window_come_from_events_up_to_its_end():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3)], chain=False)
    log = Log()
    for m in ids("Y1", 3):
        log.add(m, "achieved", at(2026, 10, 1))
    log.add("Y2-1", "achieved", at(2027, 2, 1))
    rec = log.record()
    s = standing(cur, rec, 2, date(2027, 4, 15), history_windows=2)
    assert [(w.term, p) for w, p in s.history] == [(1, 12), (2, 13)]
    assert s.points == 13


# --- §2.7 test bands ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "score,offset,depth",
    [
        (100, 0, True),
        (80, 0, True),
        (79.9, 0, False),
        (60, 0, False),
        (59, -1, False),
        (50, -1, False),
        (49, -2, False),
        (35, -2, False),
        (34.9, -3, False),
        (0, -3, False),
    ],
)
def test_score_bands(score, offset, depth):
    r = score_point(score, 14)
    assert r.point == 14 + offset and r.greater_depth is depth


def test_score_out_of_range():
    with pytest.raises(ValueError):
        score_point(101, 14)


# --- §2.8 targets ---------------------------------------------------------------------------


def test_default_target_is_end_of_year_unless_reached():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3)])
    assert default_target(cur, 2, 13) == 15
    assert default_target(cur, 2, 15) == 18
    assert default_target(cur, 2, 19) == 21


def test_target_status():
    assert target_status(15, 15, 0) is TargetStatus.MET
    assert target_status(15, 13, 2) is TargetStatus.ON_TRACK
    assert target_status(15, 12, 2) is TargetStatus.OFF_TRACK
    assert target_status(15, None, 2) is TargetStatus.OFF_TRACK


# --- §2.9 flags -----------------------------------------------------------------------------


def test_flags():
    assert flags(12, 13) == [Flag.FALLING_BEHIND]
    assert flags(14, 13) == [Flag.EXCELLING]
    assert flags(13, 13) == []
    assert flags(13, 13, greater_depth=True) == [Flag.EXCELLING]
    assert flags(13, 13, last_window=12, window_before=12) == [Flag.STALLED]
    assert flags(13, 13, last_window=13, window_before=12) == []


def test_standing_for_a_year_2_pupil_through_the_year():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3)], chain=False)
    log = Log()
    for m in ids("Y1", 3):
        log.add(m, "achieved", at(2026, 6, 1))
    log.add("Y2-1", "achieved", at(2026, 10, 1))
    rec = log.record()
    autumn = standing(cur, rec, 2, date(2026, 11, 23))
    assert (autumn.points, autumn.expected, autumn.target) == (13, 13, 15)
    assert autumn.flags == []
    assert autumn.target_status is TargetStatus.ON_TRACK
    spring = standing(cur, rec, 2, date(2027, 2, 1))
    assert (spring.points, spring.expected) == (13, 14)
    # early in spring, 13 is where a Year 2 pupil should be when spring begins: not behind yet
    assert Flag.FALLING_BEHIND not in spring.flags
    end_of_spring = standing(cur, rec, 2, date(2027, 3, 31))
    assert Flag.FALLING_BEHIND in end_of_spring.flags  # spring is over and 14 was not reached
    summer = standing(cur, rec, 2, date(2027, 5, 1))
    # nothing gained over spring (the last complete window): stalled
    assert Flag.STALLED in summer.flags
    assert summer.target_status is TargetStatus.OFF_TRACK


def test_no_age_expectation_below_the_curriculums_first_year():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3)], chain=False)
    log = Log()
    log.add("Y1-1", "not_yet", at(2026, 10, 1))  # judged once: assessed, with nothing achieved
    s = standing(cur, log.record(), 0, date(2026, 11, 23))  # a Reception child
    assert s.points == 9 and s.expected is None and s.flags == []
    assert standing(cur, log.record(), 1, date(2026, 11, 23)).expected == 10


def test_progress_this_year_and_since_the_last_window():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3), ("Y3", 3, 3)], chain=False)
    log = Log()
    for m in ids("Y1", 3):
        log.add(m, "achieved", at(2026, 6, 1))  # 12 at the end of last year
    log.add("Y2-1", "achieved", at(2026, 10, 1))  # 13 after autumn
    log.add("Y2-2", "achieved", at(2027, 2, 1))  # 14 in spring
    s = standing(cur, log.record(), 2, date(2027, 5, 1))  # summer
    assert (s.points_start_of_year, s.points_window_before, s.points_last_window, s.points) == (
        12,
        13,
        14,
        14,
    )
    assert s.progress_this_year == 2 and s.progress_last_window == 0
    from passport_tui.engine import fold

    autumn = standing(cur, fold(log.events[:4]), 2, date(2026, 11, 1))
    assert autumn.points_start_of_year == 12 and autumn.progress_this_year == 1
