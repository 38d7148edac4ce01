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

from bisect import bisect_left
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


class MilestoneRecord:
    """Everything the log says about one milestone for one pupil.

    The class attributes are the empty state; an instance gets its own list or dict only when an
    event writes one, so folding a whole school creates few objects."""

    # (achieved event id, its time) not yet corrected by a retraction
    live: list[tuple[int, datetime]] = []
    # [start, end) spans of time during which the milestone counted as achieved
    spans: list[tuple[datetime, datetime | None]] = []
    not_yet_at: list[datetime] = []
    revisit_at: datetime | None = None  # pending retention check, cleared by a re-confirmation
    last_achieved_at: datetime | None = None
    overridden: bool = False
    achieved_by: dict[int, str] = {}

    @property
    def achieved(self) -> bool:
        return bool(self.live)

    @property
    def achieved_at(self) -> datetime | None:
        """When the current achievement was first recorded."""
        return min(t for _, t in self.live) if self.live else None

    def achieved_as_of(self, moment: datetime) -> bool:
        """Achieved by the events strictly before ``moment`` (a window's end moment is the first
        moment of the next window, so an event at midnight belongs to the window it opens)."""
        return any(s < moment and (e is None or moment <= e) for s, e in self.spans)

    def status(self) -> Status:
        if self.live:
            return Status.ACHIEVED
        if self.not_yet_at:
            return Status.NOT_YET
        return Status.NOT_ASSESSED

    def status_as_of(self, moment: datetime) -> Status:
        if self.achieved_as_of(moment):
            return Status.ACHIEVED
        if any(t < moment for t in self.not_yet_at):
            return Status.NOT_YET
        return Status.NOT_ASSESSED

    @property
    def revisit(self) -> bool:
        return self.achieved and self.revisit_at is not None


@dataclass(slots=True)
class PupilRecord:
    """One pupil's record in one curriculum."""

    milestones: dict[str, MilestoneRecord] = field(default_factory=dict)
    _cache: tuple[list[tuple[datetime, str]], list[str]] | None = None

    def get(self, milestone: str) -> MilestoneRecord | None:
        return self.milestones.get(milestone)

    @property
    def judged(self) -> bool:
        """Whether the log holds any judgement of this pupil in this curriculum (of any kind:
        achieved, not yet, a retraction, a baseline on entry)."""
        return bool(self.milestones)

    def status(self, milestone: str) -> Status:
        m = self.milestones.get(milestone)
        return m.status() if m else Status.NOT_ASSESSED

    def achieved(self) -> set[str]:
        return {k for k, m in self.milestones.items() if m.live}

    def achieved_as_of(self, moment: datetime | None) -> set[str]:
        """Milestones achieved by the events strictly before ``moment``."""
        if moment is None:
            return self.achieved()
        starts, rest = self._timeline()
        out = {k for _, k in starts[: bisect_left(starts, (moment, ""))]}
        out.update(k for k in rest if self.milestones[k].achieved_as_of(moment))
        return out

    def _timeline(self) -> tuple[list[tuple[datetime, str]], list[str]]:
        """Milestones achieved once and never corrected, sorted by when; and the others."""
        if self._cache is None:
            simple, rest = [], []
            for k, m in self.milestones.items():
                if len(m.spans) == 1 and m.spans[0][1] is None:
                    simple.append((m.spans[0][0], k))
                elif m.spans:
                    rest.append(k)
            simple.sort()
            self._cache = (simple, rest)
        return self._cache

    def not_yet(self) -> set[str]:
        return {k for k, m in self.milestones.items() if not m.live and m.not_yet_at}

    def revisits(self) -> set[str]:
        return {k for k, m in self.milestones.items() if m.revisit}

    def overridden(self) -> set[str]:
        return {k for k, m in self.milestones.items() if m.live and m.overridden}

    def apply(self, e: Event) -> None:
        """Fold one more event (events must come in log order)."""
        self.apply_row(e.id, e.milestone, e.verdict, e.at, e.corrects, e.by, e.override)

    def apply_row(
        self,
        eid: int,
        milestone: str,
        verdict: str,
        at: datetime,
        corrects: int | None = None,
        by: str = "",
        override: bool = False,
    ) -> None:
        """Fold one event given as its fields (the fast path for whole-school figures)."""
        self._cache = None
        m = self.milestones.get(milestone)
        if m is None:
            m = self.milestones[milestone] = MilestoneRecord()
        if verdict == "achieved":
            if not m.live:
                m.spans = [*m.spans, (at, None)]
                m.overridden = override
                m.live = [(eid, at)]
            else:
                # a re-confirmation may be back-dated before the span began
                start, end = m.spans[-1]
                if at < start:
                    m.spans = [*m.spans[:-1], (at, end)]
                m.live = [*m.live, (eid, at)]
            if by:
                m.achieved_by = {**m.achieved_by, eid: by}
            m.last_achieved_at = at
            m.revisit_at = None
        elif verdict == "not_yet":
            m.not_yet_at = [*m.not_yet_at, at]
        elif verdict == "retracted":
            if corrects is None:
                corrected = list(m.live)
            else:
                corrected = [(i, t) for i, t in m.live if i <= corrects]
            if corrected:
                m.live = [(i, t) for i, t in m.live if (i, t) not in corrected]
                if not m.live and m.spans and m.spans[-1][1] is None:
                    start, _ = m.spans[-1]
                    end = max(at, start)
                    # corrected at the same moment it was recorded: it never counted
                    m.spans = m.spans[:-1] if end == start else [*m.spans[:-1], (start, end)]
                m.revisit_at = None
                m.overridden = False
        elif verdict == "revisit":
            if m.live:
                m.revisit_at = at
        else:  # pragma: no cover - the store's CHECK constraint forbids it
            raise ValueError(f"unknown verdict {verdict!r}")


def judged(record: object) -> bool:
    """Whether a pupil's record in one curriculum (a ``PupilRecord``, a ``FirstAchieved`` or a
    ``ProjectedRecord``) holds any judgement at all: without one the pupil is *not assessed* in
    it (``engine.standing``)."""
    return bool(getattr(record, "judged", True))


def fold(events: Iterable[Event]) -> PupilRecord:
    """A pupil's record in one curriculum from its events, in log order."""
    record = PupilRecord()
    for e in events:
        record.apply(e)
    return record


class FirstAchieved:
    """A pupil's record reduced to when each milestone was first achieved, with times as the
    store's ISO-8601 UTC strings (which sort in time order). It gives the same achieved sets as
    ``PupilRecord`` for a log with no retraction, at a fraction of the cost; ``lean_fold`` returns
    None for a log with one, and the caller folds a full ``PupilRecord`` instead."""

    __slots__ = ("first", "pending_revisit", "judged_not_yet", "judged")

    def __init__(self) -> None:
        self.first: dict[str, str] = {}
        self.pending_revisit: set[str] = set()
        self.judged_not_yet: set[str] = set()
        self.judged = False  # any event at all (``PupilRecord.judged``)

    def not_yet(self) -> set[str]:
        return self.judged_not_yet - self.first.keys()

    def achieved(self) -> set[str]:
        return set(self.first)

    def achieved_as_of(self, moment: datetime | None) -> set[str]:
        if moment is None:
            return self.achieved()
        key = moment.isoformat()
        return {m for m, t in self.first.items() if t < key}

    def revisits(self) -> set[str]:
        return set(self.pending_revisit)


def lean_fold(rows: Iterable[tuple[int, int, str, str, str, int | None]]) -> FirstAchieved | None:
    """Fold one pupil's ``(pupil, id, milestone, verdict, at, corrects)`` rows (``at`` an ISO UTC
    string, rows in log order) into a ``FirstAchieved``, or None when the log holds a retraction."""
    record = FirstAchieved()
    first = record.first
    for _, _, milestone, verdict, at, _ in rows:
        record.judged = True
        if verdict == "achieved":
            known = first.get(milestone)
            if known is None or at < known:
                first[milestone] = at
            record.pending_revisit.discard(milestone)
        elif verdict == "revisit":
            if milestone in first:
                record.pending_revisit.add(milestone)
        elif verdict == "not_yet":
            record.judged_not_yet.add(milestone)
        elif verdict == "retracted":
            return None
    return record
