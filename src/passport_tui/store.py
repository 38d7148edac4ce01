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
from .models import (
    Curriculum,
    FocusItem,
    Judgement,
    ModerationAction,
    ModerationEvent,
    Note,
    NoteKind,
    Pupil,
    Sen,
    Target,
    TestScore,
    Verdict,
)
from .moments import iso_utc, parse_utc

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


MODERATION_APPEND_ONLY = "the moderation log is append-only"
NOTES_APPEND_ONLY = "notes are append-only"


def _append_only(table: str, message: str) -> list[str]:
    """Triggers that refuse UPDATE, DELETE and reusing an id (INSERT OR REPLACE) on ``table``."""
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        f"""CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, '{message}'); END""",
    ]


# Termly records (DESIGN §2.7–§2.12). Each keeps its history: the newest row (highest id) for a
# key is the current one. CHECK constraints are named so a refusal can be explained (_CHECKS).
_V2 = [
    """CREATE TABLE test_scores (
        id INTEGER PRIMARY KEY,
        pupil_id INTEGER NOT NULL REFERENCES pupils(id),
        curriculum_id TEXT NOT NULL,
        academic_year INTEGER NOT NULL, -- the calendar year it starts in
        term INTEGER NOT NULL -- 1 autumn, 2 spring, 3 summer
            CONSTRAINT test_score_term CHECK (term IN (1, 2, 3)),
        score REAL NOT NULL -- percent
            CONSTRAINT test_score_percent CHECK (score BETWEEN 0 AND 100),
        "by" TEXT NOT NULL,
        at TEXT NOT NULL, -- ISO-8601 UTC, when it was recorded
        note TEXT
    )""",
    "CREATE INDEX test_scores_school ON test_scores(curriculum_id, academic_year, term, pupil_id, id)",
    "CREATE INDEX test_scores_pupil ON test_scores(pupil_id, curriculum_id, academic_year, term, id)",
    """CREATE TABLE targets (
        id INTEGER PRIMARY KEY,
        pupil_id INTEGER NOT NULL REFERENCES pupils(id),
        curriculum_id TEXT NOT NULL,
        academic_year INTEGER NOT NULL,
        -- points and milestones both NULL: back to the default target
        points INTEGER
            CONSTRAINT target_points CHECK (points IS NULL OR (typeof(points) = 'integer' AND points >= 0)),
        milestones TEXT -- JSON list of milestone ids
            CONSTRAINT target_milestones CHECK (milestones IS NULL OR CASE WHEN json_valid(milestones)
                THEN json_type(milestones) = 'array' AND json_array_length(milestones) > 0 ELSE 0 END),
        due TEXT -- ISO date ('+0 days' normalises 30 Feb, which date() alone lets through)
            CONSTRAINT target_due CHECK (due IS NULL OR date(due, '+0 days') IS due),
        reason TEXT NOT NULL CONSTRAINT target_reason CHECK (trim(reason, char(32, 9, 10, 13)) <> ''),
        "by" TEXT NOT NULL,
        at TEXT NOT NULL -- ISO-8601 UTC, when it was set
    )""",
    "CREATE INDEX targets_school ON targets(curriculum_id, academic_year, pupil_id, id)",
    "CREATE INDEX targets_pupil ON targets(pupil_id, curriculum_id, id)",
    """CREATE TABLE moderation (
        id INTEGER PRIMARY KEY,
        judgement_id INTEGER NOT NULL REFERENCES judgements(id),
        action TEXT NOT NULL CONSTRAINT moderation_action
            CHECK (action IN ('sampled', 'confirmed', 'queried', 'resolved')),
        "by" TEXT NOT NULL,
        at TEXT NOT NULL, -- ISO-8601 UTC
        note TEXT
    )""",
    "CREATE INDEX moderation_judgement ON moderation(judgement_id, id)",
    *_append_only("moderation", MODERATION_APPEND_ONLY),
    """CREATE TABLE focus (
        id INTEGER PRIMARY KEY,
        pupil_id INTEGER NOT NULL REFERENCES pupils(id),
        curriculum_id TEXT NOT NULL,
        milestone_id TEXT NOT NULL,
        provision TEXT,
        "by" TEXT NOT NULL,
        at TEXT NOT NULL, -- ISO-8601 UTC
        active INTEGER NOT NULL -- 1 pinned, 0 unpinned
            CONSTRAINT focus_active CHECK (active IN (0, 1))
    )""",
    "CREATE INDEX focus_pupil ON focus(pupil_id, curriculum_id, milestone_id, id)",
    """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        pupil_id INTEGER NOT NULL REFERENCES pupils(id),
        curriculum_id TEXT,
        kind TEXT NOT NULL CONSTRAINT note_kind CHECK (kind IN ('teacher comment', 'note')),
        text TEXT NOT NULL CONSTRAINT note_text CHECK (trim(text, char(32, 9, 10, 13)) <> ''),
        "by" TEXT NOT NULL,
        at TEXT NOT NULL -- ISO-8601 UTC
    )""",
    "CREATE INDEX notes_pupil ON notes(pupil_id, kind, id)",
    *_append_only("notes", NOTES_APPEND_ONLY),
]


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    for statement in _V2:
        conn.execute(statement)


# MIGRATIONS[n] takes a database at user_version n to n + 1. Append, never edit.
_V3 = (
    """CREATE TABLE staff (
        username TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'teacher', 'viewer'))
    )""",
    """CREATE TABLE staff_classes (
        username TEXT NOT NULL REFERENCES staff(username) ON DELETE CASCADE,
        class_name TEXT NOT NULL,
        PRIMARY KEY (username, class_name)
    )""",
)


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    for statement in _V3:
        conn.execute(statement)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_to_1, _migrate_to_2, _migrate_to_3]
SCHEMA_VERSION = len(MIGRATIONS)


# --- refusals --------------------------------------------------------------------------


class ValueRefused(PassportError):
    """A value the schema refuses (a CHECK or NOT NULL constraint); nothing was written."""


# A named CHECK constraint of the schema -> the sentence that explains its refusal, formatted
# with the values of the refused row.
_CHECKS: dict[str, str] = {
    "test_score_term": "A test score's term is 1 (autumn), 2 (spring) or 3 (summer), not {term!r}.",
    "test_score_percent": "A test score is a percent from 0 to 100, not {score!r}.",
    "target_points": "A target's points are a whole number, 0 or more, not {points!r}.",
    "target_milestones": "A milestone target lists one or more milestone ids, not {milestones}.",
    "target_due": "A target's due date is a date (YYYY-MM-DD), not {due!r}.",
    "target_reason": "A personal target needs a reason.",
    "moderation_action": "A moderation action is sampled, confirmed, queried or resolved, not {action!r}.",
    "focus_active": "A focus item is pinned (1) or unpinned (0), not {active!r}.",
    "note_kind": "A note is a 'teacher comment' or a 'note', not {kind!r}.",
    "note_text": "A note needs some text.",
}
_THING = {
    "test_scores": "A test score",
    "targets": "A target",
    "moderation": "A moderation event",
    "focus": "A focus item",
    "notes": "A note",
}
_COLUMN_WORDS = {"by": "the member of staff", "at": "a time"}


# --- the store -------------------------------------------------------------------------

_PUPIL_COLUMNS = (
    "id, upn, first_name, last_name, year_group, academic_year, class_name, gender, "
    "pupil_premium, eal, sen, fsm, dob, tags"
)
_JUDGEMENT_COLUMNS = (
    'id, pupil_id, curriculum_id, milestone_id, verdict, "by", at, note, reason, corrects, recorded_at'
)
_TEST_SCORE_COLUMNS = 'id, pupil_id, curriculum_id, academic_year, term, score, "by", at, note'
_TARGET_COLUMNS = 'id, pupil_id, curriculum_id, academic_year, points, milestones, due, reason, "by", at'
_MODERATION_COLUMNS = 'id, judgement_id, action, "by", at, note'
_FOCUS_COLUMNS = 'id, pupil_id, curriculum_id, milestone_id, provision, "by", at, active'
_NOTE_COLUMNS = 'id, pupil_id, curriculum_id, kind, text, "by", at'
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

    def others_changed(self) -> int:
        """A number that changes when another connection commits (``PRAGMA data_version``):
        what the app polls to show other teachers' changes without re-reading after its own."""
        return self._data_version()

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

    # -- staff --------------------------------------------------------------------------

    def staff(self) -> list[tuple[str, str, str, list[str]]]:
        """Every member of staff: (username, name, role, classes taught), by username."""
        classes: dict[str, list[str]] = {}
        for username, class_name in self.conn.execute(
            "SELECT username, class_name FROM staff_classes ORDER BY class_name"
        ):
            classes.setdefault(username, []).append(class_name)
        return [
            (u, n, r, classes.get(u, []))
            for u, n, r in self.conn.execute("SELECT username, name, role FROM staff ORDER BY username")
        ]

    def staff_member(self, username: str) -> tuple[str, str, str, list[str]] | None:
        return next((m for m in self.staff() if m[0] == username), None)

    def put_staff(self, username: str, name: str, role: str, classes: list[str] | None = None) -> None:
        """Add or change a member of staff; ``classes`` (when given) replaces the classes they teach."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO staff (username, name, role) VALUES (?, ?, ?) "
                "ON CONFLICT (username) DO UPDATE SET name = excluded.name, role = excluded.role",
                (username, name, role),
            )
            if classes is not None:
                self.conn.execute("DELETE FROM staff_classes WHERE username = ?", (username,))
                self.conn.executemany(
                    "INSERT INTO staff_classes (username, class_name) VALUES (?, ?)",
                    [(username, c) for c in dict.fromkeys(classes)],
                )

    def remove_staff(self, username: str) -> bool:
        with self.transaction():
            self.conn.execute("DELETE FROM staff_classes WHERE username = ?", (username,))
            return self.conn.execute("DELETE FROM staff WHERE username = ?", (username,)).rowcount > 0

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

    def judgement(self, judgement_id: int) -> Judgement | None:
        """One event of the log by its id."""
        row = self.conn.execute(
            f"SELECT {_JUDGEMENT_COLUMNS} FROM judgements WHERE id = ?", (judgement_id,)
        ).fetchone()
        return None if row is None else _judgement(row)

    def judgements_by_id(self, ids: Iterable[int]) -> dict[int, Judgement]:
        wanted = list(dict.fromkeys(ids))
        out: dict[int, Judgement] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                f"SELECT {_JUDGEMENT_COLUMNS} FROM judgements WHERE id IN ({marks})", chunk
            ):
                j = _judgement(row)
                out[j.id] = j  # type: ignore[index]
        return out

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

    # -- termly records: writes ---------------------------------------------------------

    def _insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert one row; a refused one raises ValueRefused or NotFound, explained."""
        columns = ", ".join(f'"{column}"' for column in values)
        marks = ", ".join(f":{column}" for column in values)
        try:
            cursor = self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
        except sqlite3.IntegrityError as e:
            refusal = self._refusal(e, table, values)
            if refusal is None:
                raise
            raise refusal from e
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _refusal(
        self, error: sqlite3.IntegrityError, table: str, values: dict[str, Any]
    ) -> PassportError | None:
        """The library's error for a constraint that refused ``values``, if it is one of ours."""
        text = str(error)
        thing = _THING.get(table, table)
        if text.startswith("CHECK constraint failed: "):
            template = _CHECKS.get(text.removeprefix("CHECK constraint failed: "))
            if template is None:
                return ValueRefused(f"{thing} was refused ({text}).")
            return ValueRefused(template.format(**values))
        if text.startswith("NOT NULL constraint failed: "):
            column = text.rsplit(".", 1)[-1]
            return ValueRefused(f"{thing} needs {_COLUMN_WORDS.get(column, 'a ' + column)}.")
        if "FOREIGN KEY" in text:
            for column, parent, what in (
                ("pupil_id", "pupils", "pupil with id"),
                ("judgement_id", "judgements", "judgement"),
            ):
                if column not in values:
                    continue
                found = self.conn.execute(f"SELECT 1 FROM {parent} WHERE id = ?", (values[column],))
                if found.fetchone() is None:
                    return NotFound(f"There is no {what} {values[column]}.")
        return None

    def add_test_score(self, score: TestScore) -> TestScore:
        """Record a termly test score; it supersedes any earlier one for the same pupil,
        curriculum, academic year and term (which is kept as history). Returns it with its id."""
        with self.transaction():
            id = self._insert("test_scores", _test_score_values(score))
        return score.model_copy(update={"id": id})

    def add_test_scores(self, scores: Iterable[TestScore]) -> int:
        """Record many test scores in one transaction (all or nothing); returns how many.
        A refusal names the score by its position, from 1."""
        added = 0
        with self.transaction():
            for n, score in enumerate(scores, 1):
                try:
                    self._insert("test_scores", _test_score_values(score))
                except (ValueRefused, NotFound) as e:
                    raise type(e)(f"Test score {n}: {e}") from e
                added += 1
        return added

    def set_target(self, target: Target) -> Target:
        """Set a pupil's personal target for a curriculum and academic year (the earlier ones
        stay as its history); one with neither points nor milestones puts the default back."""
        with self.transaction():
            id = self._insert("targets", _target_values(target))
        return target.model_copy(update={"id": id})

    def add_moderation(self, event: ModerationEvent) -> ModerationEvent:
        """Append an event to the moderation log of an achieved judgement."""
        with self.transaction():
            id = self._insert("moderation", _moderation_values(event))
        return event.model_copy(update={"id": id})

    def pin_focus(
        self,
        pupil_id: int,
        curriculum_id: str,
        milestone_id: str,
        *,
        by: str,
        at: datetime,
        provision: str | None = None,
    ) -> FocusItem:
        """Pin a milestone to a pupil's learning plan. Pinning one already pinned records the
        new provision note; it keeps its place in the plan."""
        item = FocusItem(
            pupil_id=pupil_id,
            curriculum_id=curriculum_id,
            milestone_id=milestone_id,
            provision=provision,
            by=by,
            at=at,
            active=True,
        )
        with self.transaction():
            id = self._insert("focus", _focus_values(item))
        return item.model_copy(update={"id": id})

    def unpin_focus(
        self, pupil_id: int, curriculum_id: str, milestone_id: str, *, by: str, at: datetime
    ) -> FocusItem:
        """Take a milestone off a pupil's learning plan (appends an inactive item; the history
        is kept). Refused with NotFound if it is not pinned."""
        item = FocusItem(
            pupil_id=pupil_id,
            curriculum_id=curriculum_id,
            milestone_id=milestone_id,
            provision=None,
            by=by,
            at=at,
            active=False,
        )
        with self.transaction():
            row = self.conn.execute(
                "SELECT active FROM focus WHERE pupil_id = ? AND curriculum_id = ? AND milestone_id = ? "
                "ORDER BY id DESC LIMIT 1",
                (pupil_id, curriculum_id, milestone_id),
            ).fetchone()
            if row is None or not row[0]:
                raise NotFound(f"{milestone_id} ({curriculum_id}) is not pinned for pupil {pupil_id}.")
            id = self._insert("focus", _focus_values(item))
        return item.model_copy(update={"id": id})

    def add_note(self, note: Note) -> Note:
        """Append a note or a teacher comment about a pupil."""
        with self.transaction():
            id = self._insert("notes", _note_values(note))
        return note.model_copy(update={"id": id})

    # -- termly records: reads ----------------------------------------------------------

    def test_scores(
        self,
        pupil_id: int | None = None,
        curriculum_id: str | None = None,
        academic_year: int | None = None,
        term: int | None = None,
        *,
        history: bool = False,
    ) -> list[TestScore]:
        """Test scores matching the filters given, by pupil, curriculum, academic year, term:
        the latest for each (pupil, curriculum, year, term), or with ``history`` every one
        (oldest first within each)."""
        where, params = _where(
            pupil_id=pupil_id, curriculum_id=curriculum_id, academic_year=academic_year, term=term
        )
        if not history:
            where = (
                f"id IN (SELECT max(id) FROM test_scores WHERE {where} "
                "GROUP BY pupil_id, curriculum_id, academic_year, term)"
            )
        rows = self.conn.execute(
            f"SELECT {_TEST_SCORE_COLUMNS} FROM test_scores WHERE {where} "
            "ORDER BY pupil_id, curriculum_id, academic_year, term, id",
            params,
        )
        return [_test_score(row) for row in rows]

    def targets(self, pupil_id: int, curriculum_id: str | None = None) -> list[Target]:
        """A pupil's personal targets (in one curriculum, if given) with their history, oldest first."""
        where, params = _where(pupil_id=pupil_id, curriculum_id=curriculum_id)
        rows = self.conn.execute(f"SELECT {_TARGET_COLUMNS} FROM targets WHERE {where} ORDER BY id", params)
        return [_target(row) for row in rows]

    def current_targets(self, curriculum_id: str, academic_year: int) -> dict[int, Target]:
        """pupil id -> current personal target, for every pupil with one in this curriculum and
        academic year (one query for the whole school). A pupil left out has the default target
        (never set, or cleared)."""
        rows = self.conn.execute(
            f"SELECT {_TARGET_COLUMNS} FROM targets WHERE id IN (SELECT max(id) FROM targets "
            "WHERE curriculum_id = ? AND academic_year = ? GROUP BY pupil_id) "
            "AND (points IS NOT NULL OR milestones IS NOT NULL) ORDER BY pupil_id",
            (curriculum_id, academic_year),
        )
        return {target.pupil_id: target for target in map(_target, rows)}

    def current_target(self, pupil_id: int, curriculum_id: str, academic_year: int) -> Target | None:
        """A pupil's current personal target, or None for the default target."""
        row = self.conn.execute(
            f"SELECT {_TARGET_COLUMNS} FROM targets WHERE pupil_id = ? AND curriculum_id = ? "
            "AND academic_year = ? ORDER BY id DESC LIMIT 1",
            (pupil_id, curriculum_id, academic_year),
        ).fetchone()
        target = None if row is None else _target(row)
        return None if target is None or target.clears else target

    def moderation_events(self, judgement_ids: Iterable[int] | None = None) -> list[ModerationEvent]:
        """The moderation log (of these judgements, if given), oldest first."""
        if judgement_ids is None:
            rows = self.conn.execute(f"SELECT {_MODERATION_COLUMNS} FROM moderation ORDER BY id")
        else:
            rows = self.conn.execute(
                f"SELECT {_MODERATION_COLUMNS} FROM moderation "
                "WHERE judgement_id IN (SELECT value FROM json_each(?)) ORDER BY id",
                (json.dumps(sorted(set(judgement_ids))),),
            )
        return [_moderation(row) for row in rows]

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
        clauses: list[str] = []
        params: list[Any] = []
        if curriculum_id is not None:
            clauses.append("curriculum_id = ?")
            params.append(curriculum_id)
        if pupil_ids is not None:
            clauses.append("pupil_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(set(pupil_ids))))
        scope = "".join(f" AND {clause}" for clause in clauses)
        sql = f"SELECT {_JUDGEMENT_COLUMNS} FROM judgements WHERE verdict = 'achieved'{scope}"
        window: list[Any] = []
        if since is not None:
            sql += " AND at >= ?"
            window.append(iso_utc(since))
        if until is not None:
            sql += " AND at < ?"
            window.append(iso_utc(until))
        if not include_retracted:
            # the unqualified columns of the subquery are its own: the same scope, any time
            sql += (
                " AND id NOT IN (SELECT corrects FROM judgements WHERE verdict = 'retracted' "
                f"AND corrects IS NOT NULL{scope})"
            )
            window += params
        rows = self.conn.execute(sql + " ORDER BY id", params + window)
        return [_judgement(row) for row in rows]

    def focus_items(
        self, pupil_id: int, curriculum_id: str | None = None, *, history: bool = False
    ) -> list[FocusItem]:
        """A pupil's learning plan (in one curriculum, if given): the items pinned now, each as
        last pinned (its provision note), oldest pin first. With ``history``, every pin and
        unpin, oldest first."""
        where, params = _where(pupil_id=pupil_id, curriculum_id=curriculum_id)
        rows = self.conn.execute(f"SELECT {_FOCUS_COLUMNS} FROM focus WHERE {where} ORDER BY id", params)
        items = [_focus(row) for row in rows]
        if history:
            return items
        current: dict[tuple[str, str], tuple[int, FocusItem]] = {}  # key -> (pinned since, item)
        for item in items:
            key = (item.curriculum_id, item.milestone_id)
            if not item.active:
                current.pop(key, None)
            else:
                since = current[key][0] if key in current else item.id or 0
                current[key] = (since, item)
        return [item for _, item in sorted(current.values(), key=lambda pinned: pinned[0])]

    def notes(self, pupil_id: int, kind: NoteKind | str | None = None) -> list[Note]:
        """A pupil's notes (of one kind, if given), oldest first."""
        where, params = _where(pupil_id=pupil_id, kind=None if kind is None else str(kind))
        rows = self.conn.execute(f"SELECT {_NOTE_COLUMNS} FROM notes WHERE {where} ORDER BY id", params)
        return [_note(row) for row in rows]


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


def _where(**equal: Any) -> tuple[str, list[Any]]:
    """``column = ?`` for each filter given (not None), joined with AND; and its parameters."""
    given = {column: value for column, value in equal.items() if value is not None}
    return " AND ".join(f"{column} = ?" for column in given) or "1", list(given.values())


def _test_score_values(t: TestScore) -> dict[str, Any]:
    return {
        "pupil_id": t.pupil_id,
        "curriculum_id": t.curriculum_id,
        "academic_year": t.academic_year,
        "term": t.term,
        "score": t.score,
        "by": t.by,
        "at": iso_utc(t.at),
        "note": t.note,
    }


def _test_score(row: tuple[Any, ...]) -> TestScore:
    (id, pupil_id, curriculum_id, academic_year, term, score, by, at, note) = row
    return TestScore.model_construct(
        id=id,
        pupil_id=pupil_id,
        curriculum_id=curriculum_id,
        academic_year=academic_year,
        term=term,
        score=score,
        by=by,
        at=parse_utc(at),
        note=note,
    )


def _target_values(t: Target) -> dict[str, Any]:
    return {
        "pupil_id": t.pupil_id,
        "curriculum_id": t.curriculum_id,
        "academic_year": t.academic_year,
        "points": t.points,
        "milestones": None if t.milestones is None else json.dumps(t.milestones, ensure_ascii=False),
        "due": None if t.due is None else t.due.isoformat(),
        "reason": t.reason,
        "by": t.by,
        "at": iso_utc(t.at),
    }


def _target(row: tuple[Any, ...]) -> Target:
    (id, pupil_id, curriculum_id, academic_year, points, milestones, due, reason, by, at) = row
    return Target.model_construct(
        id=id,
        pupil_id=pupil_id,
        curriculum_id=curriculum_id,
        academic_year=academic_year,
        points=points,
        milestones=None if milestones is None else json.loads(milestones),
        due=None if due is None else date.fromisoformat(due),
        reason=reason,
        by=by,
        at=parse_utc(at),
    )


def _moderation_values(e: ModerationEvent) -> dict[str, Any]:
    return {
        "judgement_id": e.judgement_id,
        "action": str(e.action),  # not ModerationAction(...): the schema explains a bad one
        "by": e.by,
        "at": iso_utc(e.at),
        "note": e.note,
    }


def _moderation(row: tuple[Any, ...]) -> ModerationEvent:
    (id, judgement_id, action, by, at, note) = row
    return ModerationEvent.model_construct(
        id=id, judgement_id=judgement_id, action=ModerationAction(action), by=by, at=parse_utc(at), note=note
    )


def _focus_values(f: FocusItem) -> dict[str, Any]:
    return {
        "pupil_id": f.pupil_id,
        "curriculum_id": f.curriculum_id,
        "milestone_id": f.milestone_id,
        "provision": f.provision,
        "by": f.by,
        "at": iso_utc(f.at),
        "active": int(f.active),
    }


def _focus(row: tuple[Any, ...]) -> FocusItem:
    (id, pupil_id, curriculum_id, milestone_id, provision, by, at, active) = row
    return FocusItem.model_construct(
        id=id,
        pupil_id=pupil_id,
        curriculum_id=curriculum_id,
        milestone_id=milestone_id,
        provision=provision,
        by=by,
        at=parse_utc(at),
        active=bool(active),
    )


def _note_values(n: Note) -> dict[str, Any]:
    return {
        "pupil_id": n.pupil_id,
        "curriculum_id": n.curriculum_id,
        "kind": str(n.kind),
        "text": n.text,
        "by": n.by,
        "at": iso_utc(n.at),
    }


def _note(row: tuple[Any, ...]) -> Note:
    (id, pupil_id, curriculum_id, kind, text, by, at) = row
    return Note.model_construct(
        id=id,
        pupil_id=pupil_id,
        curriculum_id=curriculum_id,
        kind=NoteKind(kind),
        text=text,
        by=by,
        at=parse_utc(at),
    )
