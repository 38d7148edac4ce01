"""Whether a judgement may be recorded (DESIGN §2.1 achieved forever, §2.2 prerequisites first).

``decide`` either returns the event to append or raises a ``JudgementRefused``; nothing is written
by the engine. The caller supplies "now" — the engine has no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..errors import (
    AchievedForever,
    FutureDate,
    MilestoneRetired,
    NeverAchieved,
    NotAllowed,
    PrerequisitesUnmet,
    ReasonRequired,
)
from ..models import Curriculum
from .record import PupilRecord


@dataclass(frozen=True, slots=True)
class Decision:
    """What to append: the verdict, the reason kept with it, and for a retraction what it corrects."""

    verdict: str
    reason: str | None = None
    corrects: int | None = None
    reconfirmation: bool = False
    unmet: tuple[str, ...] = ()


def unmet_prerequisites(curriculum: Curriculum, achieved: set[str], milestone: str) -> list[str]:
    """The direct prerequisites of ``milestone`` that are not achieved, in file order."""
    return [r for r in curriculum.milestone_by_id[milestone].requires if r not in achieved]


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def decide(
    curriculum: Curriculum,
    record: PupilRecord,
    milestone: str,
    verdict: str,
    *,
    now: datetime,
    at: datetime | None = None,
    reason: str | None = None,
    actor: str = "",
    actor_is_admin: bool = True,
) -> Decision:
    """Apply the rules to one proposed judgement.

    ``verdict`` is ``achieved``, ``not_yet``, ``retracted`` or ``revisit``. For ``achieved`` a
    ``reason`` is an override of unmet prerequisites; for ``retracted`` it is required.
    Prerequisites are checked against the pupil's state now, also when ``at`` back-dates the event.
    A retired milestone takes no judgement but a retraction.
    """
    if milestone not in curriculum.milestone_by_id:
        raise KeyError(milestone)
    if verdict != "retracted" and curriculum.milestone_by_id[milestone].retired:
        raise MilestoneRetired(milestone)
    if at is not None and at > now:
        raise FutureDate(at.isoformat(timespec="minutes"))
    state = record.get(milestone)
    is_achieved = bool(state and state.achieved)
    reason = _clean(reason)

    if verdict == "not_yet":
        if is_achieved:
            assert state is not None
            first = state.achieved_at
            if at is not None and first is not None and at < first:
                # a back-dated record of how things stood before the achievement: history, not a
                # downgrade (the milestone stays achieved from its first achievement on)
                return Decision("not_yet")
            when = state.achieved_at.date().isoformat() if state.achieved_at else None
            raise AchievedForever(milestone, when)
        return Decision("not_yet")

    if verdict == "achieved":
        if is_achieved:
            return Decision("achieved", reconfirmation=True)
        unmet = unmet_prerequisites(curriculum, record.achieved(), milestone)
        if unmet and reason is None:
            raise PrerequisitesUnmet(milestone, unmet)
        return Decision("achieved", reason=reason if unmet else None, unmet=tuple(unmet))

    if verdict == "retracted":
        if not is_achieved:
            raise NeverAchieved(milestone)
        if reason is None:
            raise ReasonRequired("A retraction")
        assert state is not None
        last_id = max(i for i, _ in state.live)
        recorders = {state.achieved_by.get(i, "") for i, _ in state.live}
        if not actor_is_admin and actor not in recorders:
            raise NotAllowed(
                f"Only the teacher who recorded {milestone} as achieved, or an admin, can retract it."
            )
        return Decision("retracted", reason=reason, corrects=last_id)

    if verdict == "revisit":
        if not is_achieved:
            raise NeverAchieved(milestone, action="mark for revisit")
        return Decision("revisit", reason=reason)

    raise ValueError(f"unknown verdict {verdict!r}")
