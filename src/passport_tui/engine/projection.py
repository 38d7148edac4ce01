"""A pupil's current standing in one curriculum as a compact value, kept beside the log (DESIGN §5).

The judgement log is the truth; a *projection* is what the tracking lists need of one pupil's record
in one curriculum, reduced so that reading it is far cheaper than folding the events again:

- ``achieved``: each milestone achieved now, with when its current achievement was first recorded
  (``MilestoneRecord.achieved_at``), in time order;
- ``spans``: for the few milestones whose achieved history is not "one span from ``achieved_at``
  until now" (a retraction, or a retraction of only the older of two achieved events), the exact
  [start, end) spans during which they counted as achieved;
- ``not_yet`` and ``revisit``: the milestones judged not yet (and not achieved), and the achieved
  ones with a retention check pending.

That is enough to answer ``achieved()``, ``achieved_as_of(moment)`` for any moment, ``not_yet()``
and ``revisits()`` exactly as the full ``PupilRecord`` does, so ``standing`` (points now, at the
end of the last windows, at the start of the year; gaps; next steps; flags) computed from
``ProjectedRecord(projection)`` equals the one computed from the fold of the log.

Times are the store's ISO-8601 UTC strings (``2026-11-23T09:15:00+00:00``, microseconds when
there are any), which sort in time order, so comparing with a moment is comparing strings.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .record import PupilRecord

Span = tuple[str, str | None]  # [start, end) as ISO UTC strings; end None: still achieved


def iso(moment: datetime) -> str:
    """An aware datetime as the store's ISO string in UTC."""
    return moment.astimezone(UTC).isoformat() if moment.tzinfo is not UTC else moment.isoformat()


@dataclass(frozen=True, slots=True)
class Projection:
    """A pupil's record in one curriculum, reduced to what standings need (see the module text)."""

    achieved: Mapping[str, str] = field(default_factory=dict)  # milestone -> achieved_at, time order
    not_yet: tuple[str, ...] = ()  # sorted
    revisit: tuple[str, ...] = ()  # sorted
    spans: Mapping[str, tuple[Span, ...]] = field(default_factory=dict)  # sorted by milestone

    @property
    def empty(self) -> bool:
        return not (self.achieved or self.not_yet or self.revisit or self.spans)


def projection_of(record: PupilRecord) -> Projection:
    """The projection of a pupil's full record in one curriculum."""
    achieved: list[tuple[str, str]] = []
    spans: dict[str, tuple[Span, ...]] = {}
    for k, m in record.milestones.items():
        at = m.achieved_at
        if at is not None:
            achieved.append((iso(at), k))
        if m.spans and not (at is not None and len(m.spans) == 1 and m.spans[0] == (at, None)):
            spans[k] = tuple((iso(s), None if e is None else iso(e)) for s, e in m.spans)
    achieved.sort()
    return Projection(
        achieved={k: t for t, k in achieved},
        not_yet=tuple(sorted(record.not_yet())),
        revisit=tuple(sorted(record.revisits())),
        spans=dict(sorted(spans.items())),
    )


def project_rows(rows: Iterable[tuple[int, int, str, str, str, int | None]]) -> Projection:
    """The projection of one pupil's ``(pupil, id, milestone, verdict, at, corrects)`` rows of one
    curriculum (``at`` an ISO UTC string, rows in log order), as ``projection_of(fold(...))`` gives
    it: the fast path for rebuilding every projection. A log with a retraction is folded in full."""
    rows = rows if isinstance(rows, list) else list(rows)
    # the fold of a log without retractions, as lean_fold: one tight loop, no object per event
    first: dict[str, str] = {}
    revisit: set[str] = set()
    judged_not_yet: set[str] = set()
    for _, _, milestone, verdict, at, _ in rows:
        if verdict == "achieved":
            known = first.get(milestone)
            if known is None or at < known:
                first[milestone] = at
            revisit.discard(milestone)
        elif verdict == "not_yet":
            judged_not_yet.add(milestone)
        elif verdict == "revisit":
            if milestone in first:
                revisit.add(milestone)
        elif verdict == "retracted":
            return projection_of(_fold_rows(rows))
    return Projection(
        achieved=dict(sorted(first.items(), key=_by_time)),
        not_yet=tuple(sorted(judged_not_yet - first.keys())),
        revisit=tuple(sorted(revisit)),
    )


def _by_time(item: tuple[str, str]) -> tuple[str, str]:
    return item[1], item[0]


def _fold_rows(rows: Iterable[tuple[int, int, str, str, str, int | None]]) -> PupilRecord:
    record = PupilRecord()
    for _, eid, milestone, verdict, at, corrects in rows:
        record.apply_row(eid, milestone, verdict, datetime.fromisoformat(at), corrects)
    return record


class ProjectedRecord:
    """A projection read back as the record ``engine.standing`` and ``engine.cells`` take: the same
    answers as the ``PupilRecord`` it was made from, for ``achieved()``, ``achieved_as_of()``,
    ``not_yet()`` and ``revisits()``; plus ``achieved_at(milestone)``."""

    __slots__ = ("projection", "_simple", "_times", "judged")

    def __init__(self, projection: Projection, judged: bool | None = None) -> None:
        self.projection = projection
        # any event at all (``PupilRecord.judged``): the store keeps a projection only for a pupil
        # with events, so one read from it is judged even when nothing is left achieved (an
        # achievement corrected at the moment it was recorded leaves an empty projection)
        self.judged = not projection.empty if judged is None else judged
        spans = projection.spans
        # achieved once and never corrected: counted from achieved_at on, by time
        simple = [k for k in projection.achieved if k not in spans] if spans else list(projection.achieved)
        self._simple = simple
        self._times = [projection.achieved[k] for k in simple]

    def achieved(self) -> set[str]:
        return set(self.projection.achieved)

    def achieved_as_of(self, moment: datetime | None) -> set[str]:
        """Milestones achieved by the events strictly before ``moment`` (as ``PupilRecord``);
        all achieved now for None."""
        if moment is None:
            return self.achieved()
        key = iso(moment)
        out = set(self._simple[: bisect_left(self._times, key)])
        for k, spans in self.projection.spans.items():
            if any(s < key and (e is None or key <= e) for s, e in spans):
                out.add(k)
        return out

    def not_yet(self) -> set[str]:
        return set(self.projection.not_yet)

    def revisits(self) -> set[str]:
        return set(self.projection.revisit)

    def achieved_at(self, milestone: str) -> datetime | None:
        """When the current achievement of ``milestone`` was first recorded, or None."""
        at = self.projection.achieved.get(milestone)
        return None if at is None else datetime.fromisoformat(at)


def record_of(projection: Projection, judged: bool | None = None) -> ProjectedRecord:
    """The record ``engine.standing`` takes, from a projection (``judged``: whether the pupil has
    any event, when the caller knows it; else whether the projection holds anything)."""
    return ProjectedRecord(projection, judged)
