"""How long each gap has been open (DESIGN §2.4): a gap that has stayed open for a year needs
action more than one that opened last week.

A gap (exactly the milestones ``progress.gaps`` lists) opened at the earliest of the moments that
apply to it:

- behind an achieved milestone (the first kind): the earliest ``achieved_at`` among the achieved
  milestones that depend on it, directly or through other milestones (achieved or not);
- in a stage below the pupil's year group: 1 September of the academic year in which the pupil's
  year group first passed all the stage's years;

but never before the milestone itself stopped being achieved (the end of its last achieved span,
when an achievement was retracted), and never after ``today``. Dates are the UTC dates of the
events. A pupil not assessed yet (no judgement of any kind: ``engine.standing``) has no gaps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from ..models import Curriculum
from .progress import gaps
from .record import PupilRecord, judged
from .window import academic_year_of

YearGroup = int | Callable[[int], int]


def _year_group_in(year_group: YearGroup, today: date) -> Callable[[int], int]:
    """A function from academic year to year group; an ``int`` is the year group on ``today``."""
    if callable(year_group):
        return year_group
    now = academic_year_of(today)
    return lambda academic_year: year_group + (academic_year - now)


def _earliest_dependent(curriculum: Curriculum, record: PupilRecord) -> dict[str, datetime]:
    """For each milestone with an achieved milestone depending on it (directly or through
    others), the earliest ``achieved_at`` among those: one pass, dependents before prerequisites."""
    unlocks = curriculum.unlocks
    requires = curriculum.requires_of
    achieved_at: dict[str, datetime] = {}
    for m, rec in record.milestones.items():
        when = rec.achieved_at
        if when is not None:
            achieved_at[m] = when
    if not achieved_at:
        return {}
    waiting = {m: len(unlocks.get(m, ())) for m in requires}
    ready = [m for m, n in waiting.items() if n == 0]
    earliest: dict[str, datetime] = {}
    while ready:
        m = ready.pop()
        best: datetime | None = None
        for c in unlocks.get(m, ()):
            for t in (achieved_at.get(c), earliest.get(c)):
                if t is not None and (best is None or t < best):
                    best = t
        if best is not None:
            earliest[m] = best
        for r in requires[m]:
            if r in waiting:
                waiting[r] -= 1
                if waiting[r] == 0:
                    ready.append(r)
    return earliest


def _below_since(
    curriculum: Curriculum, milestone: str, year_in: Callable[[int], int], today: date
) -> date | None:
    """1 September of the first academic year (up to today's) in which every year of the
    milestone's stage lay below the pupil's year group; None when the stage is not below now."""
    stage = curriculum.stage_by_id.get(curriculum.milestone_by_id[milestone].stage)
    years = stage.year_list if stage else []
    if not years:
        return None
    top = max(years)
    year = academic_year_of(today)
    if year_in(year) <= top:
        return None
    floor = year - 100  # a year group function that never falls would otherwise search forever
    while year > floor and year_in(year - 1) > top:
        year -= 1
    return date(year, 9, 1)


def _openings(
    curriculum: Curriculum, record: PupilRecord, year_group: YearGroup, today: date
) -> dict[str, date]:
    if not judged(record):  # nobody has judged the pupil: no gap is known
        return {}
    year_in = _year_group_in(year_group, today)
    gap_list = gaps(curriculum, record.achieved(), year_in(academic_year_of(today)))
    if not gap_list:
        return {}
    earliest = _earliest_dependent(curriculum, record)
    out: dict[str, date] = {}
    for g in gap_list:
        candidates: list[date] = []
        dependent = earliest.get(g)
        if dependent is not None:
            candidates.append(dependent.date())
        below = _below_since(curriculum, g, year_in, today)
        if below is not None:
            candidates.append(below)
        if not candidates:  # pragma: no cover - every gap is of one kind or the other
            continue
        opened = min(candidates)
        rec = record.get(g)
        if rec is not None and rec.spans:
            ended = rec.spans[-1][1]
            if ended is not None and ended.date() > opened:
                opened = ended.date()
        out[g] = min(opened, today)
    return out


def gap_opened(
    curriculum: Curriculum, record: PupilRecord, milestone: str, year_group: YearGroup, today: date
) -> date | None:
    """When the gap in ``milestone`` opened, or None when it is not a gap on ``today``.

    ``year_group`` is the pupil's year group on ``today``, or a function from academic year to
    year group (``pupil.year_group_in``)."""
    return _openings(curriculum, record, year_group, today).get(milestone)


def gap_ages(
    curriculum: Curriculum, record: PupilRecord, year_group: int, academic_year: int, today: date
) -> list[tuple[str, int]]:
    """Every gap on ``today`` with the number of days it has been open, oldest first (ties in
    curriculum order). ``year_group`` is the pupil's year group in ``academic_year`` (as the
    pupil's record keeps it)."""

    def year_in(y: int) -> int:
        return year_group + (y - academic_year)

    opened = _openings(curriculum, record, year_in, today)
    order = curriculum.order
    ranked = sorted(opened.items(), key=lambda kv: (kv[1], order[kv[0]]))
    return [(m, (today - d).days) for m, d in ranked]
