"""Projections: each pupil's current standing per curriculum, derived from the judgement log
(``engine.projection``) and kept in the ``projections`` table, one row per pupil and curriculum
with events.

The log stays the truth. Every append to it (``append_judgement``, ``append_judgements``)
rewrites the projections of the pupils and curricula it touched inside its own transaction, so a
committed judgement and its projection never disagree; ``rebuild_projections`` (and the
migration that made the table) derives them all again from the log. Each row records the id of
the newest event it folded (``last_event``), so ``stale_projections`` can prove them current.

Columns: ``achieved`` a JSON object milestone -> ISO UTC time its current achievement was first
recorded, in time order; ``not_yet`` and ``revisit`` JSON lists; ``spans`` a JSON object
milestone -> [[start, end or null], ...] for milestones whose achieved history is not one span
from that time on (NULL when there are none).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..engine.projection import Projection, project_rows
from .connection import Connection

if TYPE_CHECKING:
    from sqlite_utils import Database

_COLUMNS = ("pupil_id", "curriculum_id", "achieved", "not_yet", "revisit", "spans", "last_event")
_UPSERT = (
    f"INSERT INTO projections ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT (curriculum_id, pupil_id) DO UPDATE SET achieved = excluded.achieved, "
    "not_yet = excluded.not_yet, revisit = excluded.revisit, spans = excluded.spans, "
    "last_event = excluded.last_event"
)
# One curriculum's log, pupil by pupil in log order, from the covering index judgements_pupil.
_EVENTS = (
    "SELECT pupil_id, id, milestone_id, verdict, at, corrects FROM judgements "
    "INDEXED BY judgements_pupil WHERE curriculum_id = ? AND pupil_id IN "
)
# The same for a curriculum with moved milestones: an event on a moved id reads as the milestone
# it moved to (milestone_moves), so its judgements count there.
_EVENTS_MOVED = (
    "SELECT j.pupil_id, j.id, coalesce(mv.new, j.milestone_id), j.verdict, j.at, j.corrects "
    "FROM judgements AS j INDEXED BY judgements_pupil LEFT JOIN milestone_moves AS mv "
    "ON mv.curriculum_id = j.curriculum_id AND mv.old = j.milestone_id "
    "WHERE j.curriculum_id = ? AND j.pupil_id IN "
)
# Up to this many pupils' projections in one curriculum are written with plain SQL (marking a
# cell imports no sqlite-utils); more, with insert_all.
_FEW = 16


def create_projections_table(db: Database) -> None:
    """The ``projections`` table (schema version 4)."""
    db["projections"].create(
        {
            "curriculum_id": str,
            "pupil_id": int,
            "achieved": str,
            "not_yet": str,
            "revisit": str,
            "spans": str,
            "last_event": int,
        },
        pk=("curriculum_id", "pupil_id"),
        foreign_keys=[("pupil_id", "pupils", "id")],
        not_null=["curriculum_id", "pupil_id", "achieved", "not_yet", "revisit", "last_event"],
        defaults={"achieved": "{}", "not_yet": "[]", "revisit": "[]", "last_event": 0},
    )


def encode(pupil_id: int, curriculum_id: str, value: Projection, last_event: int) -> tuple[Any, ...]:
    """A projection as the values of its row, in ``_COLUMNS`` order."""
    spans = {k: [list(s) for s in v] for k, v in value.spans.items()}
    return (
        pupil_id,
        curriculum_id,
        json.dumps(dict(value.achieved), ensure_ascii=False),
        json.dumps(list(value.not_yet), ensure_ascii=False),
        json.dumps(list(value.revisit), ensure_ascii=False),
        json.dumps(spans, ensure_ascii=False) if spans else None,
        last_event,
    )


def decode(achieved: str, not_yet: str, revisit: str, spans: str | None) -> Projection:
    """A projection from the text of its row."""
    return Projection(
        achieved=json.loads(achieved),
        not_yet=tuple(json.loads(not_yet)),
        revisit=tuple(json.loads(revisit)),
        spans={k: tuple((s, e) for s, e in v) for k, v in json.loads(spans).items()} if spans else {},
    )


def _projected(rows: Iterable[tuple[Any, ...]], curriculum_id: str) -> Iterator[tuple[Any, ...]]:
    """Encoded projections from one curriculum's event rows (by pupil, then id)."""
    for pupil_id, group in groupby(rows, key=itemgetter(0)):
        events = list(group)
        yield encode(pupil_id, curriculum_id, project_rows(events), events[-1][1])


def has_moves(conn: sqlite3.Connection, curriculum_id: str) -> bool:
    """Whether the curriculum has moved milestones (False before the table exists: a migration)."""
    try:
        row = conn.execute("SELECT 1 FROM milestone_moves WHERE curriculum_id = ? LIMIT 1", (curriculum_id,))
    except sqlite3.OperationalError:
        return False
    return row.fetchone() is not None


def events(conn: sqlite3.Connection, curriculum_id: str, pupil_ids: Iterable[int] | None) -> sqlite3.Cursor:
    """Light rows ``(pupil_id, id, milestone_id, verdict, at, corrects)`` of one curriculum's log
    (of these pupils, or everyone's), by pupil then id; an event on a moved milestone reads as
    the milestone it moved to."""
    if has_moves(conn, curriculum_id):
        select, order = _EVENTS_MOVED, " ORDER BY j.pupil_id, j.id"
    else:
        select, order = _EVENTS, " ORDER BY pupil_id, id"
    if pupil_ids is None:
        return conn.execute(select + "(SELECT id FROM pupils)" + order, (curriculum_id,))
    return conn.execute(
        select + "(SELECT value FROM json_each(?))" + order,
        (curriculum_id, json.dumps(sorted(set(pupil_ids)))),
    )


_events = events


def rebuild(conn: sqlite3.Connection) -> int:
    """Derive every projection again from the log, inside the caller's transaction (the rows go in
    with ``insert_all``, streamed). Returns how many were written."""
    from .schema import database

    table = database(conn)["projections"]
    conn.execute("DELETE FROM projections")
    written = 0
    curricula = [c for (c,) in conn.execute("SELECT DISTINCT curriculum_id FROM judgements ORDER BY 1")]
    for curriculum_id in curricula:
        rows = list(_projected(_events(conn, curriculum_id, None), curriculum_id))
        table.insert_all((dict(zip(_COLUMNS, row, strict=True)) for row in rows), batch_size=500)
        written += len(rows)
    return written


class ProjectionRows(Connection):
    def put_projection(self, pupil_id: int, curriculum_id: str, value: Projection) -> None:
        """Store a pupil's projection in one curriculum, replacing the one there (its
        ``last_event`` is the newest event of theirs in that curriculum now). The appends keep
        projections current by themselves; this is for a caller that folded a value itself, and
        belongs inside the transaction that appended the events it folds."""
        (last,) = self.conn.execute(
            "SELECT coalesce(max(id), 0) FROM judgements WHERE pupil_id = ? AND curriculum_id = ?",
            (pupil_id, curriculum_id),
        ).fetchone()
        with self.transaction():
            self.conn.execute(_UPSERT, encode(pupil_id, curriculum_id, value, last))

    def projections(
        self, curriculum_id: str, pupil_ids: Iterable[int] | None = None
    ) -> Iterator[tuple[int, Projection]]:
        """``(pupil_id, projection)`` for each pupil (of ``pupil_ids``, if given) with events in
        this curriculum, by pupil id; a pupil left out has none (an empty projection). Streamed
        from one query: read it to the end before the next write on this connection."""
        select = "SELECT pupil_id, achieved, not_yet, revisit, spans FROM projections WHERE curriculum_id = ?"
        if pupil_ids is None:
            cursor = self.conn.execute(f"{select} ORDER BY pupil_id", (curriculum_id,))
        else:
            cursor = self.conn.execute(
                f"{select} AND pupil_id IN (SELECT value FROM json_each(?)) ORDER BY pupil_id",
                (curriculum_id, json.dumps(sorted(set(pupil_ids)))),
            )
        for pupil_id, achieved, not_yet, revisit, spans in cursor:
            yield pupil_id, decode(achieved, not_yet, revisit, spans)

    def rebuild_projections(self) -> int:
        """Derive every projection again from the log, in one transaction; returns how many
        pupil-and-curriculum rows were written."""
        with self.transaction():
            return rebuild(self.conn)

    def stale_projections(self) -> list[tuple[int, str]]:
        """``(pupil_id, curriculum_id)`` whose projection is missing, or older than the newest
        event in the log, or left over with no events: empty when every projection is current."""
        return self.conn.execute(
            "SELECT pupil_id, curriculum_id FROM (SELECT pupil_id, curriculum_id, max(id) AS last "
            "FROM judgements GROUP BY pupil_id, curriculum_id) AS log "
            "LEFT JOIN projections AS p USING (pupil_id, curriculum_id) "
            "WHERE p.last_event IS NOT log.last "
            "UNION SELECT pupil_id, curriculum_id FROM projections AS p WHERE NOT EXISTS "
            "(SELECT 1 FROM judgements AS j WHERE j.pupil_id = p.pupil_id AND j.curriculum_id = p.curriculum_id) "
            "ORDER BY 1, 2"
        ).fetchall()

    def _refresh_projections(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Fold again the projections of these (pupil_id, curriculum_id) from the log; called
        inside the transaction that appended to it."""
        by_curriculum: dict[str, set[int]] = {}
        for pupil_id, curriculum_id in pairs:
            by_curriculum.setdefault(curriculum_id, set()).add(pupil_id)
        for curriculum_id, pupil_ids in by_curriculum.items():
            rows = _projected(_events(self.conn, curriculum_id, pupil_ids), curriculum_id)
            if len(pupil_ids) <= _FEW:
                self.conn.executemany(_UPSERT, list(rows))
                continue
            self.conn.execute(
                "DELETE FROM projections WHERE curriculum_id = ? AND pupil_id IN (SELECT value FROM json_each(?))",
                (curriculum_id, json.dumps(sorted(pupil_ids))),
            )
            self.db["projections"].insert_all(
                (dict(zip(_COLUMNS, row, strict=True)) for row in list(rows)), batch_size=500
            )
