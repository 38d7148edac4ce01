"""Where a pupil stands in one curriculum at a moment: everything the passport, the tracking
table and the reports show, from the pupil's record and the date (no clock here).

A pupil with no judgement at all in a curriculum (no event of any kind up to the moment: not
achieved, not yet, a retraction or a baseline on entry) is *not assessed* in it: nobody has judged
where they are, so there is no points figure (None, never 0 or the scale's floor), no gaps, no
flags, no automatic target and no progress. Their expected figure is still given: it depends only
on their year group and the window, and it is what the first judgements will be measured against.
A personal target a teacher set is kept (it was set), with no status. Their next steps are the
curriculum's open milestones (those without prerequisites), in curriculum order, none of them a
gap: where a first judgement can start. One judgement of any kind makes the pupil assessed, and
every figure is computed as it always was.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ..models import Curriculum
from .entry import Entry, entry_until, joined_since, starting_point
from .points import (
    Flag,
    TargetStatus,
    default_target,
    end_of_year_points,
    expected_points,
    points,
    target_status,
    window_flags,
)
from .progress import gaps, next_steps
from .record import PupilRecord, judged
from .window import DEFAULT_TERMS, TermDates, Window, previous_window, window, window_of

# the one phrase every table, screen and export shows for a pupil not assessed in a curriculum
NOT_ASSESSED_YET = "not assessed yet"


@dataclass(slots=True)
class Standing:
    curriculum_id: str
    year_group: int
    window: Window
    achieved: list[str]
    next: list[str]
    gaps: list[str]
    revisit: list[str]
    points: int | None
    expected: int | None
    target: int | None
    target_is_personal: bool
    target_status: TargetStatus | None
    flags: list[Flag]
    # the points progress is measured from: at the end of the last window, of the window before it
    # and of last academic year, each with a baseline on entry recorded since then counted in
    points_last_window: int | None
    points_window_before: int | None
    points_start_of_year: int | None = None
    achieved_set: Set[str] = frozenset()
    history: list[tuple[Window, int | None]] = field(default_factory=list)
    # False: no judgement of any kind yet in this curriculum (see the module text)
    assessed: bool = True

    @property
    def progress_this_year(self) -> int | None:
        if self.points is None or self.points_start_of_year is None:
            return None
        return self.points - self.points_start_of_year

    @property
    def progress_last_window(self) -> int | None:
        if self.points is None or self.points_last_window is None:
            return None
        return self.points - self.points_last_window


def has_expectation(curriculum: Curriculum, year_group: int) -> bool:
    """A pupil is measured against an age expectation from the year before the curriculum's first
    year-linked stage on (a Reception child is not behind or ahead on a curriculum that starts in
    Year 1)."""
    first = curriculum.first_year
    return first is not None and year_group >= first


def not_assessed(
    curriculum: Curriculum,
    year_group: int,
    w: Window,
    personal_target: int | None = None,
    *,
    detail: bool = True,
) -> Standing:
    """The standing of a pupil nobody has judged yet in ``curriculum``: only what does not depend
    on a judgement (the expectation for their year group, a personal target someone set, the
    milestones open to a first judgement)."""
    expected = (
        expected_points(curriculum, year_group, w.term)
        if curriculum.year_linked_stages and has_expectation(curriculum, year_group)
        else None
    )
    return Standing(
        curriculum_id=curriculum.id,
        year_group=year_group,
        window=w,
        achieved=[],
        next=next_steps(curriculum, frozenset(), year_group, []) if detail else [],
        gaps=[],
        revisit=[],
        points=None,
        expected=expected,
        target=personal_target,
        target_is_personal=personal_target is not None,
        target_status=None,
        flags=[],
        points_last_window=None,
        points_window_before=None,
        points_start_of_year=None,
        assessed=False,
    )


def points_at(
    curriculum: Curriculum, record: PupilRecord, w: Window, retired_achieved: Set[str] | None = None
) -> int | None:
    """Points at the end of window ``w``, from the events up to its end. A retired milestone
    counts in its stage when the pupil has it now (``retired_achieved``, worked out if not given),
    so retiring one leaves every earlier window's points as they were."""
    if retired_achieved is None and curriculum.retired:
        retired_achieved = record.achieved() & curriculum.retired
    return points(curriculum, record.achieved_as_of(w.end_moment), retired_achieved)


def progress_since(today: date, terms: TermDates = DEFAULT_TERMS) -> datetime:
    """The earliest moment a span measured by ``standing`` on ``today`` starts (the end of last
    academic year, or of the window before the last): a baseline on entry recorded before it
    changes none of that standing's figures."""
    w = window_of(today, terms)
    before = previous_window(previous_window(w, terms), terms)
    return min(before.end_moment, window(w.academic_year - 1, 3, terms).end_moment)


def standing(
    curriculum: Curriculum,
    record: PupilRecord,
    year_group: int,
    today: date,
    *,
    terms: TermDates = DEFAULT_TERMS,
    personal_target: int | None = None,
    greater_depth: bool = False,
    history_windows: int = 0,
    detail: bool = True,
    entry: Entry | None = None,
    assessed: bool | None = None,
) -> Standing:
    """The pupil's standing in ``curriculum`` on ``today``.

    ``year_group`` is the pupil's year group on ``today``. ``history_windows`` adds points at the
    end of that many windows before the current one (oldest first). ``detail=False`` skips the
    next-step, achieved and revisit lists (the tracking table needs only points, flags and gaps).
    ``entry``: the pupil's baseline on entry (each milestone it recorded → when). Progress over a
    span the baseline falls in is measured from it, never counting it (``engine.entry``).
    ``assessed``: whether the pupil has any judgement in the curriculum, when the caller knows it
    (else read from ``record``); without one the standing is *not assessed* (the module text)."""
    w = window_of(today, terms)
    if not (judged(record) if assessed is None else assessed):
        return not_assessed(curriculum, year_group, w, personal_target, detail=detail)
    achieved = record.achieved()
    if entry:  # a past day's figures leave out a baseline recorded after it
        entry = entry_until(entry, datetime.combine(today + timedelta(days=1), time.min, tzinfo=UTC))
    order = curriculum.order
    pts = points(curriculum, achieved)
    expected = (
        expected_points(curriculum, year_group, w.term)
        if pts is not None and has_expectation(curriculum, year_group)
        else None
    )
    last = previous_window(w, terms)
    before = previous_window(last, terms)
    kept = achieved & curriculum.retired if curriculum.retired else None

    def measured_from(end: Window) -> int | None:
        """The points progress since the end of window ``end`` is measured from."""
        if pts is None:
            return None
        if not entry:
            return points_at(curriculum, record, end, kept)
        moment = end.end_moment
        held = starting_point(record.achieved_as_of(moment), moment, achieved, entry)
        return points(curriculum, held, kept)

    pts_last = measured_from(last)
    pts_before = measured_from(before)
    start = window(w.academic_year - 1, 3, terms)  # the end of last academic year
    if start == last:
        pts_start = pts_last
    elif start == before:
        pts_start = pts_before
    else:
        pts_start = measured_from(start)
    gap_list = gaps(curriculum, achieved, year_group)
    nxt = next_steps(curriculum, achieved, year_group, gap_list) if detail else []
    if personal_target is not None:
        target: int | None = personal_target
    elif pts is not None:
        target = default_target(curriculum, year_group, pts)
    else:
        target = None
    # the windows still to come include the current one, until it ends
    status = target_status(target, pts, 4 - w.term) if target is not None else None
    if (
        status is TargetStatus.OFF_TRACK
        and personal_target is None
        and pts is not None
        and has_expectation(curriculum, year_group)
        and pts >= end_of_year_points(curriculum, year_group)
    ):
        # the year's end point is met: next year's point is a stretch, not a shortfall
        status = TargetStatus.ON_TRACK
    complete = today >= w.end  # the window is over (a past window's figures, or its last day)
    # "stalled" is said of a whole window: the current one once it is over, else the last one;
    # a pupil baselined on entry in it (or since) was not here for all of it
    flag_last, flag_before = pts_last, pts_before
    if complete and joined_since(entry, last.end_moment):
        flag_last = None
    elif not complete and joined_since(entry, before.end_moment):
        flag_before = None
    history: list[tuple[Window, int | None]] = []
    if history_windows and pts is not None:
        cursor = w
        for _ in range(history_windows):
            cursor = previous_window(cursor, terms)
            history.append((cursor, points_at(curriculum, record, cursor, kept)))
        history.reverse()
    return Standing(
        curriculum_id=curriculum.id,
        year_group=year_group,
        window=w,
        achieved=sorted((m for m in achieved if m in order), key=order.__getitem__) if detail else [],
        next=nxt,
        gaps=gap_list,
        revisit=sorted((m for m in record.revisits() if m in order), key=order.__getitem__) if detail else [],
        points=pts,
        expected=expected,
        target=target,
        target_is_personal=personal_target is not None,
        target_status=status,
        flags=window_flags(pts, expected, flag_last, flag_before, greater_depth, complete=complete)
        if expected is not None
        else [],
        points_last_window=pts_last,
        points_window_before=pts_before,
        points_start_of_year=pts_start,
        achieved_set=achieved,  # the set itself: a copy per pupil costs a school-wide pass
        history=history,
    )
