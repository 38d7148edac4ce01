"""Tracking points, expected points, test bands and targets (DESIGN §2.5, §2.7, §2.8).

The scheme: each year-linked stage has an end-of-year point value, EYFS (year 0) 9, Year 1 12,
Year 2 15 … Year 6 27, +3 a year after (Year 11 42), unless the curriculum file sets ``end_points``.
A one-year stage is 3 points wide (two bridging points then its end point); a two-year stage 6.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from ..models import Curriculum, Stage

POINTS_PER_YEAR = 3


def scheme_end_points(year: int) -> int:
    """End-of-year points of ``year`` in the usual scheme (Reception/EYFS is year 0)."""
    return 9 + POINTS_PER_YEAR * year


def stage_end_points(stage: Stage) -> int | None:
    years = stage.year_list
    if not years:
        return None
    return stage.end_points if stage.end_points is not None else scheme_end_points(max(years))


def stage_width(stage: Stage) -> int:
    return POINTS_PER_YEAR * max(1, len(stage.year_list))


def year_stages(curriculum: Curriculum) -> list[Stage]:
    """Stages linked to a year group, in file order; stages with no year are left out of points."""
    return curriculum.year_linked_stages


def end_of_year_points(curriculum: Curriculum, year: int) -> int:
    """End points of ``year``: from the curriculum's stage for that year (inside a two-year stage,
    its end points minus 3 for the first of its years), else from the scheme."""
    for s in year_stages(curriculum):
        years = s.year_list
        if year in years:
            end = stage_end_points(s)
            assert end is not None
            return end - POINTS_PER_YEAR * (max(years) - year)
    return scheme_end_points(year)


def points(
    curriculum: Curriculum, achieved: Collection[str], retired_achieved: Collection[str] | None = None
) -> int | None:
    """A pupil's tracking points in a curriculum, or None when it has no year-linked stage.

    Stages count in order from the first: the end points of the last stage of the unbroken run of
    complete stages, plus 1 for each full third (sixth, for a two-year stage) of the first incomplete
    stage's milestones achieved. With no stage complete the base is the first stage's end points
    minus its width. Whatever is achieved after the first incomplete stage does not count.
    A retired milestone counts in its stage for a pupil who achieved it and is left out for the
    others: retiring one never lowers anyone's points. ``retired_achieved`` says which retired
    milestones the pupil achieved (by default those in ``achieved``); for points at a past moment
    pass those achieved now, so a retired milestone secured later still counts as not yet then.
    """
    stages = year_stages(curriculum)
    if not stages:
        return None
    if not isinstance(achieved, set | frozenset):
        achieved = set(achieved)
    sets = curriculum.stage_sets
    retired = curriculum.retired_by_stage  # a retired milestone counts only for who achieved it
    kept = achieved if retired_achieved is None else retired_achieved
    if not isinstance(kept, set | frozenset):
        kept = set(kept)
    base = stage_end_points(stages[0]) - stage_width(stages[0])  # type: ignore[operator]
    for s in stages:
        ids = sets.get(s.id, frozenset())
        if retired and s.id in retired:
            ids = ids | (retired[s.id] & kept)
        done = len(ids & achieved)
        if done < len(ids):
            return base + (done * stage_width(s)) // len(ids)
        base = stage_end_points(s)  # type: ignore[assignment]
    return base


def expected_points(curriculum: Curriculum, year_group: int, term: int) -> int:
    """Expected points for a pupil in ``year_group`` after window ``term`` (1, 2, 3):
    end points of the year before plus the term (a Year 2 pupil: 13, 14, 15)."""
    return end_of_year_points(curriculum, year_group - 1) + term


# --- tests (§2.7) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScorePoint:
    point: int
    greater_depth: bool
    band: str


def score_point(score: float, expected: int) -> ScorePoint:
    """Map a termly test score (percent) to a point relative to the expected point for the window."""
    if not 0 <= score <= 100:
        raise ValueError("a test score is a percentage from 0 to 100")
    if score >= 80:
        return ScorePoint(expected, True, "greater depth")
    if score >= 60:
        return ScorePoint(expected, False, "expected")
    if score >= 50:
        return ScorePoint(expected - 1, False, "one below")
    if score >= 35:
        return ScorePoint(expected - 2, False, "two below")
    return ScorePoint(expected - 3, False, "three below")


# --- targets (§2.8) ------------------------------------------------------------------------


class TargetStatus(StrEnum):
    MET = "met"
    ON_TRACK = "on track"
    OFF_TRACK = "off track"


def default_target(curriculum: Curriculum, year_group: int, current: int | None) -> int:
    """The end-of-year point of the pupil's year group, or the next one up if already reached."""
    year = year_group
    target = end_of_year_points(curriculum, year)
    while current is not None and current >= target:
        year += 1
        target = end_of_year_points(curriculum, year)
    return target


def target_status(target: int, current: int | None, windows_left: int) -> TargetStatus:
    """Met when reached; on track when expected progress (one point a window) over the windows
    left reaches it; else off track."""
    if current is None:
        return TargetStatus.OFF_TRACK
    if current >= target:
        return TargetStatus.MET
    if current + max(0, windows_left) >= target:
        return TargetStatus.ON_TRACK
    return TargetStatus.OFF_TRACK


# --- flags (§2.9) --------------------------------------------------------------------------


class Flag(StrEnum):
    FALLING_BEHIND = "falling behind"
    STALLED = "stalled"
    EXCELLING = "excelling"


def flags(
    current: int | None,
    expected: int | None,
    last_window: int | None = None,
    window_before: int | None = None,
    greater_depth: bool = False,
) -> list[Flag]:
    """Falling behind (below expected now), stalled (no points gained over the last complete
    window: ``last_window`` points at its end, ``window_before`` at the end of the one before),
    excelling (above expected, or greater depth in a test)."""
    out: list[Flag] = []
    if current is not None and expected is not None and current < expected:
        out.append(Flag.FALLING_BEHIND)
    if last_window is not None and window_before is not None and last_window <= window_before:
        out.append(Flag.STALLED)
    if (current is not None and expected is not None and current > expected) or greater_depth:
        out.append(Flag.EXCELLING)
    return out


def window_flags(
    current: int | None,
    expected: int | None,
    last_window: int | None,
    window_before: int | None,
    greater_depth: bool = False,
    *,
    complete: bool = False,
) -> list[Flag]:
    """The flags of a pupil at a moment of a window whose expectation (reached by its end) is
    ``expected``; ``last_window`` and ``window_before`` are the points at the end of the two windows
    before it.

    While the window is in progress a pupil is falling behind only below where they should have
    been when it began (``expected - 1``: on 1 September a Year 2 pupil at 12 is where they should
    be), and stalled when the last complete window gained nothing. Once the window is over
    (``complete``) it is measured against its own expectation, and stalled means it gained nothing
    itself. Greater depth in a test makes a pupil "excelling" only when the teacher's points are not
    behind: a disagreement is listed with the tests, never as two contradicting flags."""
    if current is None or expected is None:
        return []
    bar = expected if complete else expected - 1
    before, after = (last_window, current) if complete else (window_before, last_window)
    out: list[Flag] = []
    if current < bar:
        out.append(Flag.FALLING_BEHIND)
    if before is not None and after is not None and after <= before:
        out.append(Flag.STALLED)
    if current > expected or (greater_depth and current >= bar):
        out.append(Flag.EXCELLING)
    return out
