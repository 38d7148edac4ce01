"""Moderation (DESIGN §2.11): a second member of staff confirms or queries an achieved judgement.

Two pieces, both pure:

- ``moderation_sample`` draws a deterministic random sample of achieved judgements (the caller
  passes the pool: e.g. a class's achieved judgements in a window), spread across pupils and the
  staff who recorded them;
- ``moderation_state`` folds the moderation events of one judgement into its status. The same fold
  checks a new event before it is written: pass the existing events plus the new one, and a
  refused event raises (a confirmation by the person who recorded the judgement, a query without a
  note, resolving with no open query, confirming while a query is open). Status is shown, never
  silently changed: a query stays open until someone resolves it.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from ..errors import JudgementRefused, NotAllowed, ReasonRequired


@dataclass(frozen=True, slots=True)
class AchievedJudgement:
    """One achieved judgement that may be moderated: its event id, pupil, milestone and who
    recorded it."""

    event_id: int
    pupil_id: int
    milestone: str
    by: str


def moderation_sample(
    judgements: Iterable[AchievedJudgement], size: int, seed: str | int
) -> list[AchievedJudgement]:
    """At most ``size`` of ``judgements``, drawn with ``random.Random(seed)``: the same pool, size
    and seed always give the same sample, whatever order the pool comes in.

    The draw goes in rounds. In each round every pupil who still has an undrawn judgement gets one
    more, so no pupil appears twice until every pupil in the pool appears once. Inside a round the
    next pick is a judgement recorded by the member of staff with the fewest picks so far (ties: the
    one first in a random order), of the pupil first in a random order among those not yet picked
    in the round; a pupil's judgements by one member of staff are drawn in a random order. The
    sample is returned in the order drawn, so a bigger sample starts with the smaller one.
    Duplicate event ids count once."""
    if size <= 0:
        return []
    pool = sorted({j.event_id: j for j in judgements}.values(), key=lambda j: j.event_id)
    if not pool:
        return []
    rng = random.Random(seed)
    pupils = sorted({j.pupil_id for j in pool})
    staff = sorted({j.by for j in pool})
    rng.shuffle(pupils)
    rng.shuffle(staff)
    staff_rank = {s: i for i, s in enumerate(staff)}
    rng.shuffle(pool)
    # per pupil, per member of staff: the judgements in a random order
    queues: dict[int, dict[str, deque[AchievedJudgement]]] = {}
    for j in pool:
        queues.setdefault(j.pupil_id, {}).setdefault(j.by, deque()).append(j)

    picks: Counter[str] = Counter()
    chosen: list[AchievedJudgement] = []
    while queues and len(chosen) < size:
        # one round: for each member of staff, the pupils with an undrawn judgement by them
        waiting: dict[str, list[int]] = {}
        for p in pupils:
            for s in queues.get(p, ()):
                waiting.setdefault(s, []).append(p)
        cursor = dict.fromkeys(waiting, 0)
        done: set[int] = set()
        while len(chosen) < size:
            best: str | None = None
            for s, line in waiting.items():
                i = cursor[s]
                while i < len(line) and line[i] in done:
                    i += 1
                cursor[s] = i
                if i < len(line) and (
                    best is None or (picks[s], staff_rank[s]) < (picks[best], staff_rank[best])
                ):
                    best = s
            if best is None:
                break
            p = waiting[best][cursor[best]]
            queue = queues[p][best]
            chosen.append(queue.popleft())
            picks[best] += 1
            done.add(p)
            if not queue:
                del queues[p][best]
                if not queues[p]:
                    del queues[p]
    return chosen


class ModerationStatus(StrEnum):
    PENDING = "pending"  # not moderated yet
    CONFIRMED = "confirmed"
    QUERIED = "queried"  # a query is open: listed until resolved
    RESOLVED = "resolved"


class ModerationEventLike(Protocol):
    """What the fold reads of a moderation event: ``models.ModerationEvent`` fits, and so does
    ``ModerationStep``. ``action`` is one of sampled, confirmed, queried, resolved (or confirm,
    query, resolve)."""

    @property
    def action(self) -> str: ...

    @property
    def by(self) -> str: ...

    @property
    def note(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ModerationStep:
    """A moderation event as the engine needs it (for callers without a stored event)."""

    action: str
    by: str
    note: str | None = None


_SAMPLED, _CONFIRM, _QUERY, _RESOLVE = "sampled", "confirmed", "queried", "resolved"
_ACTIONS = {
    "sampled": _SAMPLED,
    "confirmed": _CONFIRM,
    "confirm": _CONFIRM,
    "queried": _QUERY,
    "query": _QUERY,
    "resolved": _RESOLVE,
    "resolve": _RESOLVE,
}


@dataclass(frozen=True, slots=True)
class ModerationState:
    """Where a judgement's moderation stands: its status, whether it was drawn in a sample, who
    confirmed it (each confirmation, in order), and the latest query and resolution with who made
    them."""

    status: ModerationStatus = ModerationStatus.PENDING
    sampled: bool = False
    confirmed_by: tuple[str, ...] = ()
    query: str | None = None
    queried_by: str | None = None
    resolution: str | None = None
    resolved_by: str | None = None

    @property
    def listed(self) -> bool:
        """A query is open: the judgement stays on the moderation list until it is resolved."""
        return self.status is ModerationStatus.QUERIED


def _next(state: ModerationState, e: ModerationEventLike, recorded_by: str) -> ModerationState:
    action = _ACTIONS.get(str(e.action))
    if action is None:
        raise ValueError(f"unknown moderation action {e.action!r}")
    if action == _SAMPLED:
        return replace(state, sampled=True)
    if action == _CONFIRM:
        if e.by == recorded_by:
            raise NotAllowed(
                f"{e.by} recorded this judgement, so cannot confirm it: "
                "a second member of staff must moderate it."
            )
        if state.status is ModerationStatus.QUERIED:
            raise JudgementRefused(
                "This judgement has an open query; resolve the query before confirming it."
            )
        return replace(state, status=ModerationStatus.CONFIRMED, confirmed_by=(*state.confirmed_by, e.by))
    if action == _QUERY:
        if not (e.note or "").strip():
            raise ReasonRequired("Querying a judgement")
        return replace(state, status=ModerationStatus.QUERIED, query=e.note, queried_by=e.by)
    if state.status is not ModerationStatus.QUERIED:
        raise JudgementRefused("This judgement has no open query, so there is nothing to resolve.")
    return replace(state, status=ModerationStatus.RESOLVED, resolution=e.note, resolved_by=e.by)


def moderation_state(events: Iterable[ModerationEventLike], *, recorded_by: str) -> ModerationState:
    """Fold one judgement's moderation events (in log order) into its state.

    ``recorded_by`` is the member of staff who recorded the judgement. Being sampled changes no
    status (it sets ``sampled``). From pending: confirm → confirmed, query → queried. A confirmed
    or resolved judgement can be confirmed again or queried; a queried one can be queried again
    (the latest note shows) or resolved — only a resolution closes a query. Refused, with a sentence: a confirmation by ``recorded_by``
    (``NotAllowed``), a query with no note (``ReasonRequired``), a confirmation while a query is
    open and a resolution with none open (``JudgementRefused``)."""
    state = ModerationState()
    for e in events:
        state = _next(state, e, recorded_by)
    return state
