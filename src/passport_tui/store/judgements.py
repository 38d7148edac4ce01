"""The judgement log: append one event or a million, read a pupil's history, stream the light
rows everyone's points are folded from. The log is append-only (``schema.append_only``); each
append also rewrites the projections of the pupils and curricula it touched (``projections``).

Appends are plain SQL on the connection: a prepared INSERT run by ``executemany`` imports a
million events about 2.5 times faster than ``insert_all``'s multi-row statements, and one event
must not wait for sqlite-utils to be imported.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence, Sized
from datetime import UTC, datetime
from itertools import islice
from operator import itemgetter
from typing import Any

from ..errors import NotFound
from ..models import Judgement, Verdict
from .connection import Column, RowMap
from .projections import ProjectionRows, events, has_moves
from .schema import BASELINE_WHERE
from .times import at_text, iso_utc, now_text, parse_utc

BULK_CHUNK = 20_000  # rows per executemany in append_judgements
BULK_MIN = 20_000  # from this many rows on, a big import rebuilds the log's indexes at the end
BULK_CACHE_KIB = 65_536  # page cache while a bulk write runs (the default is 2 MiB)
# ``large_write``: from this many new events (and at least as many as the log holds), the index
# by milestone is made again at the end rather than kept up event by event
DEFER_INDEX_EVENTS = 50_000
SORT_CACHE_KIB = 16_384
_MILESTONE_INDEX = "judgements_milestone"

# One light row of the log for computing points: (pupil_id, id, milestone_id, verdict, at, corrects).
EventRow = tuple[int, int, str, str, str, int | None]

# The order of a plain tuple given to ``append_judgements`` (``recorded_at`` may be left off).
JUDGEMENT_TUPLE = (
    "pupil_id",
    "curriculum_id",
    "milestone_id",
    "verdict",
    "by",
    "at",
    "note",
    "reason",
    "corrects",
    "recorded_at",
)

JUDGEMENTS = RowMap(
    Judgement,
    "judgements",
    [
        Column("id"),
        Column("pupil_id"),
        Column("curriculum_id"),
        Column("milestone_id"),
        Column("verdict", Verdict),
        Column("by"),
        Column("at", parse_utc),
        Column("note"),
        Column("reason"),
        Column("corrects"),
        Column("recorded_at", parse_utc),
    ],
)
_pair = itemgetter(0, 1)  # (pupil_id, curriculum_id) of a row of _INSERT_JUDGEMENT
_INSERT_TRIGGER = re.compile(r"\b(BEFORE|AFTER)\s+INSERT\b", re.IGNORECASE)
_INSERT_JUDGEMENT = (
    'INSERT INTO judgements (pupil_id, curriculum_id, milestone_id, verdict, "by", at, note, reason, '
    "corrects, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_JUDGEMENT_WITH_ID = (
    'INSERT INTO judgements (id, pupil_id, curriculum_id, milestone_id, verdict, "by", at, note, '
    "reason, corrects, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _judgement_values(j: Judgement, recorded_at: str) -> tuple[Any, ...]:
    return (
        j.pupil_id,
        j.curriculum_id,
        j.milestone_id,
        Verdict(j.verdict).value,
        j.by,
        iso_utc(j.at),
        j.note,
        j.reason,
        j.corrects,
        recorded_at,
    )


def _judgement_rows(rows: Iterable[Judgement | Sequence[Any]], now: str) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        if isinstance(row, Judgement):
            yield _judgement_values(row, iso_utc(row.recorded_at) if row.recorded_at else now)
        elif len(row) == 9:
            p, c, m, v, by, at, note, reason, corrects = row
            yield (p, c, m, v, by, at_text(at), note, reason, corrects, now)
        elif len(row) == 10:
            p, c, m, v, by, at, note, reason, corrects, rec = row
            recorded = now if rec is None else at_text(rec)
            yield (p, c, m, v, by, at_text(at), note, reason, corrects, recorded)
        else:
            raise ValueError(f"a judgement row has the fields {', '.join(JUDGEMENT_TUPLE)}; got {row!r}")


class JudgementLog(ProjectionRows):
    # inside ``appends_batched``: the rows waiting to be written (with their ids), the next id to
    # give, and the (pupil_id, curriculum_id) pairs whose projections are to be rewritten
    _pending: list[tuple[Any, ...]] | None = None
    _next_id = 0
    _touched: set[tuple[int, str]] | None = None
    _recorded: tuple[datetime, str, datetime] | None = None  # the last recorded_at, as text and in UTC

    @contextlib.contextmanager
    def appends_batched(self) -> Iterator[None]:
        """Inside the block (itself inside a transaction), ``append_judgement`` gives each event
        its id at once but writes the events together when the block ends, in one
        ``executemany``, and rewrites each touched projection once then: merging a pupil's history
        of hundreds of events costs one write and one fold, not hundreds. The log's own reads
        (``judgements``, ``event_rows`` …) write what is waiting first; nothing in the block may
        read the projections of the pupils it appends to."""
        if self._pending is not None:  # already batching: the outer block writes
            yield
            return
        (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM judgements").fetchone()
        self._pending, self._next_id, self._touched = [], last + 1, set()
        try:
            yield
            self._write_pending()
            touched = self._touched
        finally:
            self._pending, self._touched = None, None
        self._refresh_projections(touched)

    @contextlib.contextmanager
    def large_write(self, events: int = 0) -> Iterator[None]:
        """A bigger page cache for the block (as ``append_judgements`` takes for a bulk import):
        a merge of a million events into the log's indexes reads far fewer pages again.

        Inside a transaction, when about ``events`` new events are at least as many as the log
        holds (a whole school's file into a new database), the index by milestone is dropped for
        the block and made again at its end, in the same transaction: one sort of the log costs
        far less than a million inserts at random places in it (9 s against 2 s at 1M events).
        No other connection ever sees the log without it; if the block fails, the rollback brings
        it back. Nothing in such a block reads the log by milestone."""
        (cache_size,) = self.conn.execute("PRAGMA cache_size").fetchone()
        self.conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
        deferred: str | None = None
        try:
            if events >= DEFER_INDEX_EVENTS and self.conn.in_transaction:
                (have,) = self.conn.execute("SELECT count(*) FROM judgements").fetchone()
                row = self.conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (_MILESTONE_INDEX,)
                ).fetchone()
                if events >= have and row is not None:
                    deferred = row[0]
                    self.conn.execute(f'DROP INDEX "{_MILESTONE_INDEX}"')
            yield
            if deferred is not None:
                # the sort that makes the index takes as much memory again as the page cache:
                # a smaller cache for it keeps the import's peak where the merge left it
                self.conn.execute(f"PRAGMA cache_size = {-SORT_CACHE_KIB}")
                self.conn.execute(deferred)
        finally:
            self.conn.execute(f"PRAGMA cache_size = {cache_size}")
            self.conn.execute("PRAGMA shrink_memory")

    def _write_pending(self) -> None:
        """Write the events ``appends_batched`` holds back (the log's reads call it first)."""
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        try:
            self.conn.executemany(_INSERT_JUDGEMENT_WITH_ID, rows)
        except sqlite3.IntegrityError as e:
            self._explain_missing(e, [row[1:] for row in rows])
            raise

    def append_judgement(self, j: Judgement) -> Judgement:
        """Append one event, and rewrite the pupil's projection in its curriculum, in one
        transaction; returns the event with ``id`` and ``recorded_at`` set. Inside
        ``appends_batched`` the event is written, and the projection rewritten, when that block
        ends."""
        recorded_at = j.recorded_at or datetime.now(UTC)
        if self._pending is not None:
            text, recorded = self._recorded_as(recorded_at)
            eid = self._pend(_judgement_values(j, text))
            return j.model_copy(update={"id": eid, "recorded_at": recorded})
        row = _judgement_values(j, iso_utc(recorded_at))
        with self.transaction():
            try:
                cursor = self.conn.execute(_INSERT_JUDGEMENT, row)
            except sqlite3.IntegrityError as e:
                self._explain_missing(e, [row])
                raise
            self._refresh_projections([(j.pupil_id, j.curriculum_id)])
        return j.model_copy(update={"id": cursor.lastrowid, "recorded_at": parse_utc(row[-1])})

    def append_batched(
        self,
        pupil_id: int,
        curriculum_id: str,
        milestone_id: str,
        verdict: Verdict,
        by: str,
        at: datetime,
        note: str | None,
        reason: str | None,
        corrects: int | None,
        recorded_at: datetime,
    ) -> int:
        """``append_judgement`` for a merge of many events inside ``appends_batched``, from values
        already checked (a passport file's events): no model is built or copied; returns the id
        the event is given."""
        if self._pending is None:
            raise RuntimeError("append_batched is for use inside appends_batched")
        text, _ = self._recorded_as(recorded_at)
        row = (
            pupil_id,
            curriculum_id,
            milestone_id,
            verdict.value,
            by,
            iso_utc(at),
            note,
            reason,
            corrects,
            text,
        )
        return self._pend(row)

    def _recorded_as(self, recorded_at: datetime) -> tuple[str, datetime]:
        """``recorded_at`` as stored text and as read back in UTC; an import gives every event
        the same moment, so both are made once and kept."""
        if self._recorded is None or self._recorded[0] is not recorded_at:
            text = iso_utc(recorded_at)
            self._recorded = (recorded_at, text, parse_utc(text))
        return self._recorded[1], self._recorded[2]

    def _pend(self, row: tuple[Any, ...]) -> int:
        """Hold one event's row (the values of ``_INSERT_JUDGEMENT``) until ``appends_batched``
        writes it; returns the id it is given."""
        assert self._pending is not None and self._touched is not None
        eid = self._next_id
        self._next_id += 1
        self._pending.append((eid, *row))
        self._touched.add((row[0], row[1]))
        return eid

    def _explain_missing(self, error: sqlite3.IntegrityError, rows: Sequence[Sequence[Any]]) -> None:
        """Turn a failed foreign key on these judgement rows into NotFound naming what is missing."""
        if "FOREIGN KEY" not in str(error):
            return
        for column, table, what in ((0, "pupils", "pupil with id"), (8, "judgements", "judgement")):
            wanted = sorted({row[column] for row in rows if row[column] is not None}, key=str)
            found = {
                i
                for (i,) in self.conn.execute(
                    f"SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(wanted),),
                )
            }
            missing = [str(i) for i in wanted if i not in found]
            if missing:
                raise NotFound(f"There is no {what} {', '.join(missing)}.") from error

    def append_judgements(self, rows: Iterable[Judgement | Sequence[Any]]) -> int:
        """Append many events in one transaction (the import fast path), and rewrite the
        projections of every pupil and curriculum they touch in it. A plain tuple lists the
        fields in the order of ``JUDGEMENT_TUPLE``; ``at`` may be an aware datetime or an ISO
        string, ``recorded_at`` may be left off (now). Returns the number appended.

        A large import (at least an eighth as many events as the log already holds) drops the
        log's indexes and insert triggers and builds them again at the end, inside the same
        transaction: several times faster than keeping them up to date row by row."""
        self._write_pending()
        known = len(rows) if isinstance(rows, Sized) else None
        values = _judgement_rows(rows, now_text())
        appended = 0
        touched: set[tuple[int, str]] = set()
        (cache_size,) = self.conn.execute("PRAGMA cache_size").fetchone()
        try:
            with self.transaction():
                rebuild: list[str] | None = None
                while chunk := list(islice(values, BULK_CHUNK)):
                    coming = known if known is not None else appended + len(chunk)
                    if rebuild is None and coming >= BULK_MIN:
                        (existing,) = self.conn.execute(
                            "SELECT coalesce(max(id), 0) FROM judgements"
                        ).fetchone()
                        if 8 * coming >= existing:
                            # a big page cache slows CREATE INDEX down: keep the usual one
                            self.conn.execute(f"PRAGMA cache_size = {cache_size}")
                            rebuild = self._drop_judgement_indexes()
                        else:
                            self.conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
                    before = self.conn.total_changes
                    try:
                        self.conn.executemany(_INSERT_JUDGEMENT, chunk)
                    except sqlite3.IntegrityError as e:
                        self._explain_missing(e, chunk)
                        raise
                    appended += self.conn.total_changes - before
                    touched.update(map(_pair, chunk))
                for statement in rebuild or []:
                    self.conn.execute(statement)
                self._refresh_projections(touched)
                if self._pending is not None:  # inside appends_batched: ids go on after these
                    (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM judgements").fetchone()
                    self._next_id = last + 1
        finally:
            self.conn.execute(f"PRAGMA cache_size = {cache_size}")
            self.conn.execute("PRAGMA shrink_memory")
        return appended

    def _drop_judgement_indexes(self) -> list[str]:
        """Drop the log's indexes and INSERT triggers; returns the SQL that creates them again."""
        rows = [
            (kind, name, sql)
            for kind, name, sql in self.conn.execute(
                "SELECT type, name, sql FROM sqlite_master "
                "WHERE tbl_name = 'judgements' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
            )
            if kind == "index" or _INSERT_TRIGGER.search(sql)
        ]
        for kind, name, _ in rows:
            self.conn.execute(f'DROP {kind.upper()} "{name}"')
        return [sql for _, _, sql in rows]

    # -- reading ------------------------------------------------------------------------

    def judgements(self, pupil_id: int, curriculum_id: str | None = None) -> list[Judgement]:
        """A pupil's events (in one curriculum, if given), oldest first."""
        self._write_pending()
        if curriculum_id is None:
            return self.read(JUDGEMENTS, "WHERE pupil_id = ? ORDER BY id", (pupil_id,))
        return self.read(
            JUDGEMENTS, "WHERE pupil_id = ? AND curriculum_id = ? ORDER BY id", (pupil_id, curriculum_id)
        )

    def judgement(self, judgement_id: int) -> Judgement | None:
        """One event of the log by its id."""
        self._write_pending()
        return self.read_one(JUDGEMENTS, "WHERE id = ?", (judgement_id,))

    def judgements_by_id(self, ids: Iterable[int]) -> dict[int, Judgement]:
        """The events with these ids (those that exist), by id."""
        self._write_pending()
        wanted = sorted(set(ids))
        found = self.read(
            JUDGEMENTS, "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id", (json.dumps(wanted),)
        )
        return {j.id: j for j in found if j.id is not None}

    def event_rows(self, curriculum_id: str, pupil_ids: list[int] | None = None) -> Iterator[EventRow]:
        """Light rows ``(pupil_id, id, milestone_id, verdict, at, corrects)`` of one curriculum's
        log, by pupil then id: the fast path for everyone's points (``at`` stays a string). An event
        on a moved milestone reads as the milestone it moved to (``judgements`` keeps the id it was
        given). It is a live cursor: read it to the end (or ``close()`` it) before the next poll."""
        self._write_pending()
        # Seek each pupil in the covering index judgements_pupil: rows come out in order, no sort.
        # (pupil_id is a foreign key to pupils, so every event's pupil is in that table.)
        return events(self.conn, curriculum_id, pupil_ids)

    def baseline_entries(
        self, curriculum_id: str, pupil_ids: Iterable[int] | None = None, since: datetime | None = None
    ) -> dict[int, dict[str, datetime]]:
        """Each pupil's baseline on entry in one curriculum (of these pupils, or everyone's), by
        pupil: the milestones it recorded achieved, each with when (the latest, if recorded twice);
        with ``since``, only what was recorded from then on (an older baseline is already where
        every span measured from ``since`` starts). A moved milestone reads as the milestone it
        moved to. Read from the partial index ``judgements_baseline`` (schema version 10), one row
        per baseline recorded, never from the whole log."""
        self._write_pending()
        if has_moves(self.conn, curriculum_id):
            milestone = "coalesce((SELECT new FROM milestone_moves AS mv WHERE mv.curriculum_id = "
            milestone += "j.curriculum_id AND mv.old = j.milestone_id), j.milestone_id)"
        else:
            milestone = "j.milestone_id"
        sql = (
            f"SELECT j.pupil_id, j.at, json_group_array({milestone}) FROM judgements AS j "
            f"INDEXED BY judgements_baseline WHERE j.curriculum_id = ? AND {BASELINE_WHERE}"
        )
        params: list[Any] = [curriculum_id]
        if pupil_ids is not None:
            sql += " AND j.pupil_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(set(pupil_ids))))
        if since is not None:
            sql += " AND j.at >= ?"
            params.append(iso_utc(since))
        out: dict[int, dict[str, datetime]] = {}
        # in the index's order: by pupil, then by time, so a milestone recorded twice keeps the latest
        for pupil_id, at, milestones in self.conn.execute(
            sql + " GROUP BY j.pupil_id, j.at ORDER BY j.pupil_id, j.at", params
        ):
            moment = parse_utc(at)
            out.setdefault(pupil_id, {}).update(dict.fromkeys(json.loads(milestones), moment))
        return out

    def achieved_judgements(
        self,
        curriculum_id: str | None = None,
        pupil_ids: Iterable[int] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        include_retracted: bool = False,
    ) -> list[Judgement]:
        """The ``achieved`` events (of a curriculum, of these pupils) that took effect in
        ``since <= at < until``, in log order: the population a moderation sample is drawn
        from. Events later retracted are left out unless ``include_retracted``."""
        self._write_pending()
        clauses: list[str] = []
        params: list[Any] = []
        if curriculum_id is not None:
            clauses.append("curriculum_id = ?")
            params.append(curriculum_id)
        if pupil_ids is not None:
            clauses.append("pupil_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(set(pupil_ids))))
        scope = "".join(f" AND {clause}" for clause in clauses)
        where = f"WHERE verdict = 'achieved'{scope}"
        window: list[Any] = []
        if since is not None:
            where += " AND at >= ?"
            window.append(iso_utc(since))
        if until is not None:
            where += " AND at < ?"
            window.append(iso_utc(until))
        if not include_retracted:
            # the unqualified columns of the subquery are its own: the same scope, any time
            where += (
                " AND id NOT IN (SELECT corrects FROM judgements WHERE verdict = 'retracted' "
                f"AND corrects IS NOT NULL{scope})"
            )
            window += params
        return self.read(JUDGEMENTS, where + " ORDER BY id", params + window)
