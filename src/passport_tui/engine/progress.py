"""Next steps and gaps (DESIGN §2.3, §2.4)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from enum import StrEnum

from ..models import Curriculum


def stages_below(curriculum: Curriculum, year_group: int | None) -> set[str]:
    """Stages whose years all lie below the pupil's year group (none for a stage with no year)."""
    if year_group is None:
        return set()
    return {s.id for s in curriculum.stages if s.year_list and max(s.year_list) < year_group}


def last_stage_below(curriculum: Curriculum, year_group: int | None) -> str | None:
    """The last stage wholly below the pupil's year group (a baseline's first offer), or None."""
    below = stages_below(curriculum, year_group)
    return next((s.id for s in reversed(curriculum.stages) if s.id in below), None)


def gaps(curriculum: Curriculum, achieved: Collection[str], year_group: int | None) -> list[str]:
    """Milestones not achieved that an achieved milestone depends on (directly or through other
    milestones), and milestones not achieved in a stage wholly below the pupil's year group; in
    curriculum order. Retired milestones are never gaps."""
    if not isinstance(achieved, set | frozenset):
        achieved = set(achieved)
    requires = curriculum.requires_of
    empty: tuple[str, ...] = ()
    retired = curriculum.retired  # no longer taught: never a gap, and its old links open none
    stack = list({r for a in achieved if a not in retired for r in requires.get(a, empty)} - achieved)
    found: set[str] = set()
    while stack:
        m = stack.pop()
        if m in found or m not in requires or m in retired:
            continue
        found.add(m)
        stack.extend(r for r in requires[m] if r not in achieved and r not in found)
    sets = curriculum.stage_sets
    for stage in stages_below(curriculum, year_group):
        found |= sets.get(stage, frozenset()) - achieved
    order = curriculum.order
    return sorted(found, key=order.__getitem__)


def is_open(curriculum: Curriculum, achieved: Collection[str], milestone: str) -> bool:
    """Every prerequisite of ``milestone`` is achieved."""
    return all(r in achieved for r in curriculum.milestone_by_id[milestone].requires)


def next_steps(
    curriculum: Curriculum,
    achieved: Collection[str],
    year_group: int | None,
    gap_list: list[str] | None = None,
) -> list[str]:
    """Milestones not achieved (and not retired) whose prerequisites are all achieved: gaps first,
    then in curriculum order (stage, then file order)."""
    gap_set = set(gaps(curriculum, achieved, year_group) if gap_list is None else gap_list)
    order = curriculum.order
    open_ = [
        m.id
        for m in curriculum.milestones
        if m.id not in achieved and not m.retired and all(r in achieved for r in m.requires)
    ]
    return sorted(open_, key=lambda m: (m not in gap_set, order[m]))


class Cell(StrEnum):
    """What the class grid shows for one (pupil, milestone), most important first."""

    ACHIEVED = "achieved"
    REVISIT = "revisit"  # achieved, with a retention check pending
    GAP = "gap"
    NOT_YET = "not_yet"  # taught or assessed, not yet secured
    NEXT = "next"  # a next step: open, not achieved, not yet assessed
    NOT_ASSESSED = "not_assessed"


def cells(
    curriculum: Curriculum,
    achieved: Collection[str],
    not_yet: Collection[str],
    revisit: Collection[str],
    year_group: int | None,
    milestones: Iterable[str],
    *,
    assessed: bool = True,
) -> list[Cell]:
    """The grid cell of each of ``milestones`` for one pupil: achieved (or revisit), else gap, else
    not yet, else next step (open), else not assessed (locked). A pupil not assessed at all in the
    curriculum (no judgement of any kind: ``engine.standing``) has no gaps: their open milestones
    are next steps, the others not assessed."""
    gap_set = set(gaps(curriculum, achieved, year_group)) if assessed else set()
    by_id = curriculum.milestone_by_id
    out: list[Cell] = []
    for mid in milestones:
        if mid in achieved:
            out.append(Cell.REVISIT if mid in revisit else Cell.ACHIEVED)
        elif mid in gap_set:
            out.append(Cell.GAP)
        elif mid in not_yet:
            out.append(Cell.NOT_YET)
        elif not by_id[mid].retired and all(r in achieved for r in by_id[mid].requires):
            out.append(Cell.NEXT)
        else:
            out.append(Cell.NOT_ASSESSED)
    return out
