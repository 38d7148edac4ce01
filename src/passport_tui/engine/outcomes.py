"""Personal outcomes (issue 10, SEND): milestones of one pupil, from their EHCP or provision plan,
under an area (a strand) of any curriculum; and the baseline on entry.

A pupil's outcomes under curriculum C are milestones of C for that pupil only. ``with_outcomes``
gives C as that pupil meets it: C's own stages and milestones, then one more stage, "Personal
outcomes", holding the outcomes grouped by area (in C's strand order, then in the order they were
added). That stage has no year group, so outcomes carry no tracking points, never lower a pupil's
points by leaving a year's stage incomplete, and are never a gap for being "below the year"; an
outcome may require C's own milestones, and nothing of C requires an outcome. Every rule of §2
then holds for outcomes with no special case: achieved forever, retractions by the recorder or an
admin, prerequisites first, next steps and gaps.

Why a stage of their own rather than each outcome under its area's stage: in a year-linked
framework an outcome in the Year 3 stage would stop that stage being complete until it is
achieved, and so change the pupil's points; and at an EHCP annual review the outcomes are read
together, as one list, so the passport shows them together, each with its area.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from ..models import Curriculum, Milestone, PersonalOutcome, Stage

OUTCOMES_STAGE = "personal-outcomes"
OUTCOMES_TITLE = "Personal outcomes"
PREFIX = "PO-"


def outcomes_stage_id(curriculum: Curriculum) -> str:
    """The id of the personal outcomes stage: one no stage of the curriculum uses."""
    taken = {s.id for s in curriculum.stages}
    sid, n = OUTCOMES_STAGE, 1
    while sid in taken:
        n += 1
        sid = f"{OUTCOMES_STAGE}-{n}"
    return sid


def shown_outcomes(outcomes: Iterable[PersonalOutcome], achieved: Collection[str]) -> list[PersonalOutcome]:
    """The outcomes that are milestones of the pupil now: every outcome still worked towards, and a
    retired one only if it is achieved (achieved forever: retiring it does not take that away)."""
    return [o for o in outcomes if not o.retired or o.id in achieved]


def with_outcomes(curriculum: Curriculum, outcomes: Iterable[PersonalOutcome]) -> Curriculum:
    """``curriculum`` with one pupil's ``outcomes`` in it as milestones of a last stage, "Personal
    outcomes" (no year group). The curriculum itself is returned when there are none. An outcome
    whose id the curriculum's own milestones use is left out (theirs come first); a prerequisite
    that is not one of the curriculum's own milestones is dropped."""
    own = curriculum.milestone_by_id
    mine = [o for o in outcomes if o.curriculum_id == curriculum.id and o.id not in own]
    if not mine:
        return curriculum
    strand_rank = {s.id: i for i, s in enumerate(curriculum.strands)}
    mine.sort(key=lambda o: (strand_rank.get(o.area, len(strand_rank)), number_of(o.id), o.id))
    stage = outcomes_stage_id(curriculum)
    added = [
        Milestone.model_construct(
            id=o.id,
            strand=o.area,
            stage=stage,
            title=o.title,
            requires=[r for r in o.requires if r in own],
            guidance=_guidance(o),
            provenance={},
        )
        for o in mine
    ]
    return Curriculum.model_construct(
        curriculum=curriculum.curriculum,
        stages=[
            *curriculum.stages,
            Stage.model_construct(id=stage, title=OUTCOMES_TITLE, year=None, years=None),
        ],
        strands=curriculum.strands,
        milestones=[*curriculum.milestones, *added],
    )


def _guidance(o: PersonalOutcome) -> str:
    where = f" ({o.source})" if o.source else ""
    return f"A personal outcome of this pupil's plan{where}."


def number_of(outcome_id: str) -> int:
    """The number of an id like ``PO-7`` (0 for any other id)."""
    m = re.fullmatch(rf"{PREFIX}(\d+)", outcome_id)
    return int(m.group(1)) if m else 0


def next_outcome_id(existing: Iterable[str], taken: Collection[str] = ()) -> str:
    """The next id after the pupil's ``existing`` outcome ids (``PO-1``, ``PO-2``, …), skipping any
    id in ``taken`` (the curriculum's own milestone ids)."""
    n = max((number_of(i) for i in existing), default=0) + 1
    while f"{PREFIX}{n}" in taken:
        n += 1
    return f"{PREFIX}{n}"


def baseline_milestones(curriculum: Curriculum, achieved: Collection[str], through_stage: str) -> list[str]:
    """What a baseline on entry through ``through_stage`` records: every milestone of the stages up
    to and including it that is not achieved yet (nor retired), in curriculum order (so each one's prerequisites
    in earlier stages come before it). ``through_stage`` must be a stage of the curriculum."""
    ids = [s.id for s in curriculum.stages]
    wanted = set(ids[: ids.index(through_stage) + 1])
    order = curriculum.order
    return [
        m.id
        for m in sorted(curriculum.milestones, key=lambda m: order[m.id])
        if m.stage in wanted and m.id not in achieved and not m.retired
    ]
