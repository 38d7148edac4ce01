"""The store: one SQLite file (DESIGN §5), on sqlite-utils.

The judgement log is append-only (triggers refuse UPDATE and DELETE, even from the ``sqlite3``
shell), and each pupil's current standing per curriculum is projected from it into the
``projections`` table in the same transaction as every append. Every write runs inside
:meth:`Store.transaction` (``BEGIN IMMEDIATE``), so an import is all or nothing. Datetimes are
stored as ISO-8601 strings in UTC with their offset (``2026-11-23T09:15:00+00:00``); strings in
that form sort in time order.

The schema is declared through sqlite-utils' table API and migrated step by step with
``PRAGMA user_version`` (``schema``); bulk writes of rows go through its ``insert_all`` (new
pupils, milestones, staff classes, test scores, projections), except the log's own import, a
prepared ``executemany`` 2.5 times faster. Opening a file, single-row writes and the reads use
the plain ``sqlite3`` connection, rows as ``Database.query`` yields them mapped to the models, so
opening, reading and marking never pay for importing sqlite-utils (``connection``). One module
per family of rows: ``pupils``, ``curricula``, ``staff`` (and settings), ``judgements``,
``projections``, ``termly``, ``outcomes`` (pupils' personal outcomes), ``erasure`` (erasing a
pupil, leavers).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Self

from .connection import (
    BUSY_TIMEOUT_S,
    ENV_BUSY,
    ENV_DB,
    busy_timeout,
    connect,
    default_db_path,
    fault,
    open_fault,
    resolve_db_path,
)
from .curricula import CurriculumRows
from .erasure import Erased, ErasureLine, ErasureRows
from .judgements import BULK_CACHE_KIB, BULK_CHUNK, BULK_MIN, JUDGEMENT_TUPLE, EventRow, JudgementLog
from .outcomes import OutcomeRows
from .pupils import PupilRows
from .refusals import ValueRefused
from .schema import (
    APPEND_ONLY,
    MIGRATIONS,
    MODERATION_APPEND_ONLY,
    NOTES_APPEND_ONLY,
    SCHEMA_VERSION,
    migrate,
    restore_triggers,
    trigger_problems,
)
from .staff import StaffRows
from .termly import TermlyRecords
from .times import iso_utc, parse_utc

__all__ = [
    "APPEND_ONLY",
    "BULK_CACHE_KIB",
    "BULK_CHUNK",
    "BULK_MIN",
    "BUSY_TIMEOUT_S",
    "ENV_BUSY",
    "ENV_DB",
    "JUDGEMENT_TUPLE",
    "MIGRATIONS",
    "MODERATION_APPEND_ONLY",
    "NOTES_APPEND_ONLY",
    "SCHEMA_VERSION",
    "Erased",
    "ErasureLine",
    "EventRow",
    "Store",
    "ValueRefused",
    "busy_timeout",
    "default_db_path",
    "fault",
    "iso_utc",
    "parse_utc",
    "resolve_db_path",
]


class Store(PupilRows, CurriculumRows, StaffRows, JudgementLog, TermlyRecords, OutcomeRows, ErasureRows):
    """One open passport database. Not for sharing between threads: give each worker its own."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        super().__init__(conn, path)

    @classmethod
    def open(cls, path: str | Path, timeout: float | None = None) -> Self:
        """Open (creating if needed, readable by its owner only) and migrate the database. A file
        that can't be used (read-only folder, damaged, not a database, busy, disk full) raises
        its ``DatabaseFault``. ``timeout``: see :func:`busy_timeout`."""
        try:
            conn, file = connect(path, timeout)
        except (sqlite3.Error, OSError) as error:
            if (known := open_fault(error, path)) is None:
                raise
            raise known from error
        try:
            migrate(conn, file)
            return cls(conn, file)
        except BaseException as error:
            conn.close()
            if isinstance(error, sqlite3.Error) and (known := fault(error, file)) is not None:
                raise known from error
            raise

    def trigger_problems(self) -> tuple[list[str], list[str]]:
        """The append-only triggers missing, and those whose SQL is not the schema's, by name."""
        return trigger_problems(self.conn)

    def restore_triggers(self) -> list[str]:
        """Create again the append-only triggers that are missing or changed; their names."""
        with self.transaction():
            return restore_triggers(self.conn)
