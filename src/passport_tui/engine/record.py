"""A pupil's record in one curriculum, folded from the judgement log (DESIGN §2, "Judgements are events").

The state of a (pupil, milestone) is derived from its events: achieved if there is an achieved event
not retracted; else not yet if any not-yet event; else not assessed. A retraction corrects the achieved
event it names and every earlier achieved event of the same milestone, so after it the milestone is no
longer achieved (until achieved again).

Times: an event takes effect at its ``at`` (which may be back-dated). The record keeps, per milestone,
the intervals during which it was achieved, so the state at any past moment ("events up to the end of
the window") comes from one fold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    ACHIEVED = "achieved"
    NOT_YET = "not_yet"
    NOT_ASSESSED = "not_assessed"


@dataclass(slots=True, frozen=True)
class Event:
    """The engine's view of one judgement event."""

    id: int
    milestone: str
    verdict: str  # achieved | not_yet | retracted | revisit
    at: datetime
    corrects: int | None = None
    by: str = ""
    override: bool = False  # achieved although prerequisites were unmet (an override reason was given)


@dataclass(slots=True)
class MilestoneRecord:
    """Everything the log says about one milestone for one pupil."""

    # (achieved event id, its time) not yet corrected by a retraction
    live: list[tuple[int, datetime]] = field(default_factory=list)
    # [start, end) spans of time during which the milestone counted as achieved
    spans: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    not_yet_at: list[datetime] = field(default_factory=list)
    revisit_at: datetime | None = None  # pending retention check, cleared by a re-confirmation
    last_achieved_at: datetime | None = None
    overridden: bool = False
    achieved_by: dict[int, str] = field(default_factory=dict)

    @property
    def achieved(self) -> bool:
        return bool(self.live)

    @property
    def achieved_at(self) -> datetime | None:
        """When the current achievement was first recorded."""
        return min(t for _, t in self.live) if self.live else None

    def achieved_as_of(self, moment: datetime) -> bool:
        return any(s <= moment and (e is None or moment < e) for s, e in self.spans)

    def status(self) -> Status:
        if self.live:
            return Status.ACHIEVED
        if self.not_yet_at:
            return Status.NOT_YET
        return Status.NOT_ASSESSED

    def status_as_of(self, moment: datetime) -> Status:
        if self.achieved_as_of(moment):
            return Status.ACHIEVED
        if any(t <= moment for t in self.not_yet_at):
            return Status.NOT_YET
        return Status.NOT_ASSESSED

    @property
    def revisit(self) -> bool:
        return self.achieved and self.revisit_at is not None


@dataclass(slots=True)
class PupilRecord:
    """One pupil's record in one curriculum."""

    milestones: dict[str, MilestoneRecord] = field(default_factory=dict)

    def get(self, milestone: str) -> MilestoneRecord | None:
        return self.milestones.get(milestone)

    def status(self, milestone: str) -> Status:
        m = self.milestones.get(milestone)
        return m.status() if m else Status.NOT_ASSESSED

    def achieved(self) -> set[str]:
        return {k for k, m in self.milestones.items() if m.live}

    def achieved_as_of(self, moment: datetime | None) -> set[str]:
        if moment is None:
            return self.achieved()
        return {k for k, m in self.milestones.items() if m.achieved_as_of(moment)}

    def not_yet(self) -> set[str]:
        return {k for k, m in self.milestones.items() if not m.live and m.not_yet_at}

    def revisits(self) -> set[str]:
        return {k for k, m in self.milestones.items() if m.revisit}

    def overridden(self) -> set[str]:
        return {k for k, m in self.milestones.items() if m.live and m.overridden}

    def apply(self, e: Event) -> None:
        """Fold one more event (events must come in log order)."""
        m = self.milestones.get(e.milestone)
        if m is None:
            m = self.milestones[e.milestone] = MilestoneRecord()
        if e.verdict == "achieved":
            if not m.live:
                m.spans.append((e.at, None))
                m.overridden = e.override
            else:
                # a re-confirmation may be back-dated before the span began
                start, end = m.spans[-1]
                if e.at < start:
                    m.spans[-1] = (e.at, end)
            m.live.append((e.id, e.at))
            m.achieved_by[e.id] = e.by
            m.last_achieved_at = e.at
            m.revisit_at = None
        elif e.verdict == "not_yet":
            m.not_yet_at.append(e.at)
        elif e.verdict == "retracted":
            target = e.corrects
            if target is None:
                corrected = list(m.live)
            else:
                corrected = [(i, t) for i, t in m.live if i <= target]
            if corrected:
                m.live = [(i, t) for i, t in m.live if (i, t) not in corrected]
                if not m.live and m.spans and m.spans[-1][1] is None:
                    start, _ = m.spans[-1]
                    m.spans[-1] = (start, max(e.at, start))
                    if m.spans[-1][0] == m.spans[-1][1]:
                        m.spans.pop()  # corrected at the same moment: never counted
                m.revisit_at = None
                m.overridden = False
        elif e.verdict == "revisit":
            if m.live:
                m.revisit_at = e.at
        else:  # pragma: no cover - the store's CHECK constraint forbids it
            raise ValueError(f"unknown verdict {e.verdict!r}")


def fold(events: Iterable[Event]) -> PupilRecord:
    """A pupil's record in one curriculum from its events, in log order."""
    record = PupilRecord()
    for e in events:
        record.apply(e)
    return record
