"""The store: one SQLite file, read and written through sqlite-utils (DESIGN §5).

The judgement log is append-only (triggers refuse UPDATE and DELETE, even from the ``sqlite3``
shell). Every write runs inside :meth:`Store.transaction` (``BEGIN IMMEDIATE``), so an import
is all or nothing. Datetimes are stored as ISO-8601 strings in UTC with their offset
(``2026-11-23T09:15:00+00:00``); strings in that form sort in time order.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cached_property
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import platformdirs

from .errors import NotFound, PassportError
from .models import Curriculum, Judgement, Pupil, Sen, Verdict

if TYPE_CHECKING:
    from sqlite_utils import Database

ENV_DB = "PASSPORT_DB"
BUSY_TIMEOUT_S = 10.0
BULK_CHUNK = 20_000  # rows per executemany in append_judgements
BULK_MIN = 20_000  # from this many rows on, a big import rebuilds the log's indexes at the end
BULK_CACHE_KIB = 65_536  # page cache while a bulk write runs (the default is 2 MiB)

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


# --- paths -----------------------------------------------------------------------------


def default_db_path() -> Path:
    """The database in the user's data folder, e.g. ``~/.local/share/passport/passport.db``."""
    return platformdirs.user_data_path("passport") / "passport.db"


def resolve_db_path(cli_value: str | None) -> Path:
    """``--db`` if given, else ``$PASSPORT_DB``, else :func:`default_db_path`."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return default_db_path()


# --- datetimes -------------------------------------------------------------------------


def iso_utc(moment: datetime) -> str:
    """An aware datetime as the stored ISO string in UTC; a naive one is refused."""
    zone = moment.tzinfo
    if zone is UTC:
        return moment.isoformat()
    if zone is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; give judgement times in UTC")
    return moment.astimezone(UTC).isoformat()


def parse_utc(text: str) -> datetime:
    """A stored ISO string as an aware datetime in UTC (a string without offset is read as UTC)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _at_text(value: datetime | str) -> str:
    """A time given to the store as the stored string; a string already in the stored form
    (``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``) is checked and kept, any other is rewritten."""
    if not isinstance(value, str):
        return iso_utc(value)
    moment = datetime.fromisoformat(value)
    if len(value) in (25, 32) and value[10] == "T" and value.endswith("+00:00"):
        return value
    if moment.tzinfo is None:
        raise ValueError(f"{value} has no time zone; give judgement times in UTC")
    return iso_utc(moment)


# --- schema ----------------------------------------------------------------------------

APPEND_ONLY = "the judgement log is append-only"

_V1 = [
    """CREATE TABLE curricula (
        id TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        title TEXT NOT NULL,
        source TEXT,
        body TEXT NOT NULL, -- the curriculum as JSON (Curriculum.model_dump_json)
        imported_at TEXT NOT NULL
    )""",
    """CREATE TABLE milestones (
        curriculum_id TEXT NOT NULL REFERENCES curricula(id),
        id TEXT NOT NULL,
        stage TEXT NOT NULL,
        strand TEXT NOT NULL,
        title TEXT NOT NULL,
        position INTEGER NOT NULL, -- file order
        PRIMARY KEY (curriculum_id, id)
    )""",
    """CREATE TABLE pupils (
        id INTEGER PRIMARY KEY,
        upn TEXT UNIQUE NOT NULL,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        year_group INTEGER NOT NULL, -- in academic_year (the calendar year it starts in)
        academic_year INTEGER NOT NULL,
        class_name TEXT,
        gender TEXT,
        pupil_premium INTEGER NOT NULL DEFAULT 0,
        eal INTEGER NOT NULL DEFAULT 0,
        sen TEXT NOT NULL DEFAULT 'none' CHECK (sen IN ('none', 'support', 'ehcp')),
        fsm INTEGER NOT NULL DEFAULT 0,
        dob TEXT,
        tags TEXT NOT NULL DEFAULT '[]' -- JSON list
    )""",
    "CREATE INDEX pupils_class ON pupils(class_name)",
    """CREATE TABLE judgements (
        id INTEGER PRIMARY KEY,
        pupil_id INTEGER NOT NULL REFERENCES pupils(id),
        curriculum_id TEXT NOT NULL,
        milestone_id TEXT NOT NULL,
        -- verdict IN (...), spelt out: SQLite evaluates an IN list in a CHECK slowly (2 s per 1M rows)
        verdict TEXT NOT NULL
            CHECK (verdict = 'achieved' OR verdict = 'not_yet' OR verdict = 'retracted'
                   OR verdict = 'revisit'),
        "by" TEXT NOT NULL,
        at TEXT NOT NULL, -- ISO-8601 UTC, when the judgement takes effect (may be back-dated)
        note TEXT,
        reason TEXT,
        corrects INTEGER REFERENCES judgements(id),
        recorded_at TEXT NOT NULL -- ISO-8601 UTC, when it was written
    )""",
    # (pupil_id, curriculum_id, id) plus the columns of Store.event_rows, which it then covers
    """CREATE INDEX judgements_pupil
        ON judgements(pupil_id, curriculum_id, id, milestone_id, verdict, at, corrects)""",
    "CREATE INDEX judgements_milestone ON judgements(curriculum_id, milestone_id)",
    f"""CREATE TRIGGER judgements_no_update BEFORE UPDATE ON judgements
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER judgements_no_delete BEFORE DELETE ON judgements
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    # INSERT OR REPLACE deletes the old row without firing DELETE triggers unless
    # recursive_triggers is on (it is off in the sqlite3 shell): refuse reusing an id.
    f"""CREATE TRIGGER judgements_no_replace BEFORE INSERT ON judgements
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM judgements WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT -- JSON
    )""",
]


def _migrate_to_1(conn: sqlite3.Connection) -> None:
    for statement in _V1:
        conn.execute(statement)


# MIGRATIONS[n] takes a database at user_version n to n + 1. Append, never edit.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_to_1]
SCHEMA_VERSION = len(MIGRATIONS)


# --- the store -------------------------------------------------------------------------

_PUPIL_COLUMNS = (
    "id, upn, first_name, last_name, year_group, academic_year, class_name, gender, "
    "pupil_premium, eal, sen, fsm, dob, tags"
)
_JUDGEMENT_COLUMNS = (
    'id, pupil_id, curriculum_id, milestone_id, verdict, "by", at, note, reason, corrects, recorded_at'
)
_INSERT_TRIGGER = re.compile(r"\b(BEFORE|AFTER)\s+INSERT\b", re.IGNORECASE)
_INSERT_JUDGEMENT = (
    'INSERT INTO judgements (pupil_id, curriculum_id, milestone_id, verdict, "by", at, note, reason, '
    "corrects, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class Store:
    """One open passport database. Not for sharing between threads: give each worker its own."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        self.path = path
        self.conn = conn
        self._curricula: dict[str, tuple[tuple[str, str, str], Curriculum]] = {}
        self._seen = (self._data_version(), conn.total_changes)
        self._changes = 0

    @cached_property
    def db(self) -> Database:
        """The connection as a ``sqlite_utils.Database``, for ad-hoc queries and tools.
        Built on first use: importing sqlite-utils costs ~0.25 s and pulls in click."""
        from sqlite_utils import Database

        return Database(self.conn)

    # -- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, timeout: float = BUSY_TIMEOUT_S) -> Self:
        """Open (creating if needed, readable by its owner only) and migrate the database."""
        memory = str(path) == ":memory:"
        file = Path(path)
        if not memory:
            file = file.expanduser()
            file.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                pass  # an existing file keeps its permissions
            else:
                os.close(fd)
        conn = sqlite3.connect(
            ":memory:" if memory else file,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils sets it: REPLACE fires DELETE
            store = cls(conn, None if memory else file)
            store._migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise PassportError(
                f"{self.path} was written by a newer passport (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade passport to open it."
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            version = self.schema_version()  # another process may have migrated meanwhile
            for migration in MIGRATIONS[version:]:
                migration(self.conn)
            if version < SCHEMA_VERSION:
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- transactions and change detection ----------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; ``ROLLBACK`` and re-raise on any exception.
        Inside an open transaction it simply joins that one."""
        if self.conn.in_transaction:
            yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _data_version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def last_change(self) -> int:
        """A number that changes whenever the database did: a commit here or on any other
        connection (``PRAGMA data_version`` only sees the others). Poll it to refresh."""
        seen = (self._data_version(), self.conn.total_changes)
        if seen != self._seen:
            self._seen = seen
            self._changes += 1
        return self._changes

    # -- settings -----------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    # -- curricula ----------------------------------------------------------------------

    def put_curriculum(self, c: Curriculum) -> None:
        """Add a curriculum, or replace the one with its id."""
        header = c.curriculum
        with self.transaction():
            self.conn.execute(
                "INSERT INTO curricula (id, version, title, source, body, imported_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
                "title = excluded.title, source = excluded.source, body = excluded.body, "
                "imported_at = excluded.imported_at",
                (header.id, header.version, header.title, header.source, c.model_dump_json(), _now()),
            )
            self.conn.execute("DELETE FROM milestones WHERE curriculum_id = ?", (header.id,))
            self.conn.executemany(
                "INSERT INTO milestones (curriculum_id, id, stage, strand, title, position) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(header.id, m.id, m.stage, m.strand, m.title, i) for i, m in enumerate(c.milestones)],
            )
        self._curricula.pop(header.id, None)

    def curricula(self) -> list[Curriculum]:
        """Every curriculum, ordered by id. The objects are cached and shared: do not mutate them."""
        rows = self.conn.execute("SELECT id, version, imported_at FROM curricula ORDER BY id").fetchall()
        return [self._cached_curriculum(row) for row in rows]

    def curriculum(self, id: str) -> Curriculum | None:
        row = self.conn.execute(
            "SELECT id, version, imported_at FROM curricula WHERE id = ?", (id,)
        ).fetchone()
        return None if row is None else self._cached_curriculum(row)

    def _cached_curriculum(self, key: tuple[str, str, str]) -> Curriculum:
        hit = self._curricula.get(key[0])
        if hit is not None and hit[0] == key:
            return hit[1]
        (body,) = self.conn.execute("SELECT body FROM curricula WHERE id = ?", (key[0],)).fetchone()
        parsed = Curriculum.model_validate_json(body)
        self._curricula[key[0]] = (key, parsed)
        return parsed

    # -- pupils -------------------------------------------------------------------------

    def upsert_pupils(self, pupils: list[Pupil]) -> tuple[int, int]:
        """Add new pupils and update known ones, matched by UPN (a known pupil keeps its id;
        an ``id`` on the given pupils is ignored). Returns (added, updated); a known pupil
        whose record is unchanged counts as neither."""
        added = updated = 0
        with self.transaction():
            for p in pupils:
                values = _pupil_values(p)
                cursor = self.conn.execute(
                    "UPDATE pupils SET first_name = :first_name, last_name = :last_name, "
                    "year_group = :year_group, academic_year = :academic_year, class_name = :class_name, "
                    "gender = :gender, pupil_premium = :pupil_premium, eal = :eal, sen = :sen, fsm = :fsm, "
                    "dob = :dob, tags = :tags WHERE upn = :upn AND NOT (first_name IS :first_name "
                    "AND last_name IS :last_name AND year_group IS :year_group "
                    "AND academic_year IS :academic_year AND class_name IS :class_name "
                    "AND gender IS :gender AND pupil_premium IS :pupil_premium AND eal IS :eal "
                    "AND sen IS :sen AND fsm IS :fsm AND dob IS :dob AND tags IS :tags)",
                    values,
                )
                if cursor.rowcount:
                    updated += 1
                    continue
                cursor = self.conn.execute(
                    "INSERT INTO pupils (upn, first_name, last_name, year_group, academic_year, class_name, "
                    "gender, pupil_premium, eal, sen, fsm, dob, tags) VALUES (:upn, :first_name, "
                    ":last_name, :year_group, :academic_year, :class_name, :gender, :pupil_premium, :eal, "
                    ":sen, :fsm, :dob, :tags) ON CONFLICT (upn) DO NOTHING",
                    values,
                )
                added += cursor.rowcount
        return added, updated

    def pupils(self, class_name: str | None = None) -> list[Pupil]:
        """Pupils (of one class, if given) by last name, then first name."""
        order = " ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id"
        if class_name is None:
            rows = self.conn.execute(f"SELECT {_PUPIL_COLUMNS} FROM pupils{order}")
        else:
            rows = self.conn.execute(
                f"SELECT {_PUPIL_COLUMNS} FROM pupils WHERE class_name = ?{order}", (class_name,)
            )
        return [_pupil(row) for row in rows]

    def pupil(self, key: str | int) -> Pupil | None:
        """The pupil with this UPN, else with this id."""
        row = self.conn.execute(f"SELECT {_PUPIL_COLUMNS} FROM pupils WHERE upn = ?", (str(key),)).fetchone()
        if row is None:
            try:
                pupil_id = int(key)
            except ValueError:
                return None
            row = self.conn.execute(
                f"SELECT {_PUPIL_COLUMNS} FROM pupils WHERE id = ?", (pupil_id,)
            ).fetchone()
        return None if row is None else _pupil(row)

    def classes(self) -> list[tuple[str, int]]:
        """(class name, number of pupils), by class name; pupils with no class are left out."""
        return self.conn.execute(
            "SELECT class_name, count(*) FROM pupils WHERE class_name IS NOT NULL "
            "GROUP BY class_name ORDER BY class_name"
        ).fetchall()

    # -- judgements ---------------------------------------------------------------------

    def append_judgement(self, j: Judgement) -> Judgement:
        """Append one event; returns it with ``id`` and ``recorded_at`` set."""
        recorded_at = j.recorded_at or datetime.now(UTC)
        row = _judgement_values(j, iso_utc(recorded_at))
        with self.transaction():
            try:
                cursor = self.conn.execute(_INSERT_JUDGEMENT, row)
            except sqlite3.IntegrityError as e:
                self._explain_missing(e, [row])
                raise
        return j.model_copy(update={"id": cursor.lastrowid, "recorded_at": parse_utc(row[-1])})

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
        """Append many events in one transaction (the import fast path). A plain tuple lists
        the fields in the order of ``JUDGEMENT_TUPLE``; ``at`` may be an aware datetime or an
        ISO string, ``recorded_at`` may be left off (now). Returns the number appended.

        A large import (at least an eighth as many events as the log already holds) drops the
        log's indexes and insert triggers and builds them again at the end, inside the same
        transaction: several times faster than keeping them up to date row by row."""
        known = len(rows) if isinstance(rows, Sized) else None
        values = _judgement_rows(rows, _now())
        appended = 0
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
                for statement in rebuild or []:
                    self.conn.execute(statement)
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

    def judgements(self, pupil_id: int, curriculum_id: str | None = None) -> list[Judgement]:
        """A pupil's events (in one curriculum, if given), oldest first."""
        if curriculum_id is None:
            rows = self.conn.execute(
                f"SELECT {_JUDGEMENT_COLUMNS} FROM judgements WHERE pupil_id = ? ORDER BY id", (pupil_id,)
            )
        else:
            rows = self.conn.execute(
                f"SELECT {_JUDGEMENT_COLUMNS} FROM judgements WHERE pupil_id = ? AND curriculum_id = ? "
                "ORDER BY id",
                (pupil_id, curriculum_id),
            )
        return [_judgement(row) for row in rows]

    def event_rows(self, curriculum_id: str, pupil_ids: list[int] | None = None) -> Iterator[EventRow]:
        """Light rows ``(pupil_id, id, milestone_id, verdict, at, corrects)`` of one curriculum's
        log, by pupil then id: the fast path for everyone's points (``at`` stays a string).
        It is a live cursor: read it to the end (or ``close()`` it) before the next poll."""
        # Seek each pupil in the covering index judgements_pupil: rows come out in order, no sort.
        # (pupil_id is a foreign key to pupils, so every event's pupil is in that table.)
        select = (
            "SELECT pupil_id, id, milestone_id, verdict, at, corrects FROM judgements "
            "INDEXED BY judgements_pupil WHERE curriculum_id = ? AND pupil_id IN "
        )
        if pupil_ids is None:
            return self.conn.execute(
                select + "(SELECT id FROM pupils) ORDER BY pupil_id, id", (curriculum_id,)
            )
        return self.conn.execute(
            select + "(SELECT value FROM json_each(?)) ORDER BY pupil_id, id",
            (curriculum_id, json.dumps(sorted(set(pupil_ids)))),
        )


# --- rows ⇄ models ---------------------------------------------------------------------


def _pupil_values(p: Pupil) -> dict[str, Any]:
    return {
        "upn": p.upn,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "year_group": p.year_group,
        "academic_year": p.academic_year,
        "class_name": p.class_name,
        "gender": p.gender,
        "pupil_premium": int(p.pupil_premium),
        "eal": int(p.eal),
        "sen": p.sen.value,
        "fsm": int(p.fsm),
        "dob": p.dob.isoformat() if p.dob else None,
        "tags": json.dumps(p.tags, ensure_ascii=False),
    }


def _pupil(row: tuple[Any, ...]) -> Pupil:
    (id, upn, first, last, year, academic_year, class_name, gender, pp, eal, sen, fsm, dob, tags) = row
    return Pupil(
        id=id,
        upn=upn,
        first_name=first,
        last_name=last,
        year_group=year,
        academic_year=academic_year,
        class_name=class_name,
        gender=gender,
        pupil_premium=bool(pp),
        eal=bool(eal),
        sen=Sen(sen),
        fsm=bool(fsm),
        dob=date.fromisoformat(dob) if dob else None,
        tags=json.loads(tags) if tags else [],
    )


def _judgement_rows(rows: Iterable[Judgement | Sequence[Any]], now: str) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        if isinstance(row, Judgement):
            yield _judgement_values(row, iso_utc(row.recorded_at) if row.recorded_at else now)
        elif len(row) == 9:
            p, c, m, v, by, at, note, reason, corrects = row
            yield (p, c, m, v, by, _at_text(at), note, reason, corrects, now)
        elif len(row) == 10:
            p, c, m, v, by, at, note, reason, corrects, rec = row
            recorded = now if rec is None else _at_text(rec)
            yield (p, c, m, v, by, _at_text(at), note, reason, corrects, recorded)
        else:
            raise ValueError(f"a judgement row has the fields {', '.join(JUDGEMENT_TUPLE)}; got {row!r}")


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


def _judgement(row: tuple[Any, ...]) -> Judgement:
    (id, pupil_id, curriculum_id, milestone_id, verdict, by, at, note, reason, corrects, recorded_at) = row
    # the schema's constraints have checked these already: skip validation (4x faster for a passport)
    return Judgement.model_construct(
        id=id,
        pupil_id=pupil_id,
        curriculum_id=curriculum_id,
        milestone_id=milestone_id,
        verdict=Verdict(verdict),
        by=by,
        at=parse_utc(at),
        note=note,
        reason=reason,
        corrects=corrects,
        recorded_at=parse_utc(recorded_at),
    )
