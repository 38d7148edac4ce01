"""Where the database file is, how it is opened (created readable by its owner only; WAL,
``synchronous = FULL``, a busy timeout, foreign keys), transactions, change counters, and the
two ways into it: the plain ``sqlite3`` connection, and the same connection as a
``sqlite_utils.Database`` built on first use.

Opening a file, every read and single-row writes go through the plain connection: importing
sqlite-utils costs about a quarter of a second (it pulls in click, pluggy and dateutil), which
the start of the app, a CLI command that reads and the mark of one cell must not pay. Reads
yield rows as ``Database.query`` does (column name -> value) and ``RowMap`` turns them into
models. Schema work, migrations and bulk writes take ``db``.

Faults of the file itself (another program holding the write lock past the busy timeout, a
read-only file or folder, a damaged file, a file that is not a database, a full disk) become one
``DatabaseFault`` line naming the file and what to do (:func:`fault`): when a file is opened, when
a transaction runs, and at the command line's and the app's one error path for what a read meets.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import platformdirs

from ..errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseFault,
    DatabaseReadOnly,
    DiskFull,
    NotADatabase,
    PassportError,
)

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlite_utils import Database

ENV_DB = "PASSPORT_DB"
ENV_BUSY = "PASSPORT_BUSY_TIMEOUT"
# How long a write waits (SQLite retrying all the while) for another program's write lock before
# it gives up and says the database is busy; PASSPORT_BUSY_TIMEOUT (seconds) overrides it.
BUSY_TIMEOUT_S = 10.0
# Free space below which a disk I/O error is taken for a full disk (SQLite reports running out of
# room while creating its shared-memory file as an I/O error, not as "full").
NEARLY_FULL_BYTES = 1024 * 1024


def busy_timeout() -> float:
    """Seconds a write waits for another program's write lock: ``PASSPORT_BUSY_TIMEOUT``, else
    :data:`BUSY_TIMEOUT_S`."""
    value = os.environ.get(ENV_BUSY, "").strip()
    if not value:
        return BUSY_TIMEOUT_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 <= seconds <= 24 * 3600):
        raise PassportError(f"{ENV_BUSY} is a number of seconds (0 to 86400), not {value!r}.")
    return seconds


# SQLite's primary result codes (the low byte of an extended code such as SQLITE_READONLY_DIRECTORY)
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 5, 6, 8, 10, 11, 13, 14, 26
# the same, for an error raised without a code (as some libraries re-raise them)
_MESSAGES = (
    ("database is locked", _BUSY),
    ("database table is locked", _LOCKED),
    ("attempt to write a readonly database", _READONLY),
    ("database disk image is malformed", _CORRUPT),
    ("file is not a database", _NOTADB),
    ("database or disk is full", _FULL),
    ("unable to open database file", _CANTOPEN),
    ("disk i/o error", _IOERR),
)


def _nearly_full(path: Path | None) -> bool:
    if path is None:
        return False
    with contextlib.suppress(OSError):
        return shutil.disk_usage(path.parent).free < NEARLY_FULL_BYTES
    return False


def fault(error: BaseException, path: str | Path | None) -> DatabaseFault | None:
    """What an SQLite error about the database file at ``path`` means, as one line naming the file
    and what to do; None for any other error (a refused value, a mistake in the program)."""
    if isinstance(error, DatabaseFault):
        return error
    if not isinstance(error, sqlite3.Error):
        return None
    file = None if path is None or str(path) == ":memory:" else Path(path)
    where = str(file) if file is not None else "the database"
    detail = str(error).strip() or type(error).__name__
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary is None:
        primary = next((c for text, c in _MESSAGES if text in detail.lower()), None)
    if primary in (_BUSY, _LOCKED):
        return DatabaseBusy()
    if primary in (_READONLY, _PERM):
        return DatabaseReadOnly(
            f"{where} is read-only for this account (the file or the folder it is in): nothing was "
            "saved; the account needs write access to both ('passport doctor' checks)"
        )
    if primary == _CORRUPT:
        return DatabaseDamaged(
            f"{where} is damaged ({detail}): run 'passport doctor', then 'passport restore BACKUP' to "
            "go back to your latest backup"
        )
    if primary == _NOTADB:
        return NotADatabase(
            f"{where} is not a passport database ({detail}): check --db or PASSPORT_DB, or "
            "'passport restore BACKUP' if it was your database"
        )
    if primary == _FULL or (primary == _IOERR and _nearly_full(file)):
        return DiskFull(
            f"the disk holding {where} is full ({detail}): nothing was saved; free some space, then try again"
        )
    if primary == _IOERR:
        return DatabaseFault(
            f"{where}: the disk reported an error ({detail}): nothing was saved; run 'passport doctor', "
            "and 'passport restore BACKUP' if it finds damage"
        )
    if primary == _CANTOPEN:
        return DatabaseReadOnly(
            f"{where} can't be opened ({detail}): the account needs to read and write the file and the "
            "folder it is in"
        )
    return None


def open_fault(error: BaseException, path: str | Path) -> DatabaseFault | None:
    """:func:`fault`, and what an ``OSError`` while creating the file or its folder means."""
    if isinstance(error, OSError) and not isinstance(error, sqlite3.Error):
        where = Path(path)
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return DatabaseReadOnly(
                f"{where} can't be created: {error.strerror or error} ({error.filename or where.parent}); "
                "the account needs to write the folder it goes in, or pass --db with another file"
            )
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return DiskFull(f"the disk holding {where} is full: free some space, then try again")
        return None
    return fault(error, path)


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


def connect(path: str | Path, timeout: float | None = None) -> tuple[sqlite3.Connection, Path | None]:
    """Open the file (creating it, and its folder, if needed: a new file is readable by its owner
    only; an existing one keeps its permissions) with the store's pragmas. Returns the connection
    and the file's path (None for ``:memory:``). The connection is in autocommit mode: every
    write goes through ``Connection.transaction``. ``timeout``: see :func:`busy_timeout`."""
    if timeout is None:
        timeout = busy_timeout()
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
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as error:
            # a read-only file can't switch to WAL: it is still read; a write says read-only
            if not isinstance(fault(error, file), DatabaseReadOnly):
                raise
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils sets it: REPLACE fires DELETE
    except BaseException:
        conn.close()
        raise
    return conn, None if memory else file


M = TypeVar("M", bound="BaseModel")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table read into (and written from) a model field of the same name:
    ``load`` turns the stored value into the field's, ``dump`` the field's into the stored one."""

    name: str
    load: Callable[[Any], Any] | None = None
    dump: Callable[[Any], Any] | None = None


class RowMap(Generic[M]):
    """The rows of one table as models: which columns, in which order, and how each converts.
    Rows are read as ``sqlite_utils.Database.query`` yields them (column name -> value) and built
    with ``model_construct`` (the schema's constraints have checked the values already), or
    validated when ``validate`` is set."""

    def __init__(self, model: type[M], table: str, columns: Sequence[Column], *, validate: bool = False):
        self.model = model
        self.table = table
        self.names = tuple(c.name for c in columns)
        self.columns = tuple(columns)
        quoted = ", ".join(f'"{n}"' for n in self.names)
        self.select = f"SELECT {quoted} FROM {table}"
        self._loads = tuple((c.name, c.load) for c in columns if c.load is not None)
        self._build = model if validate else model.model_construct

    def load(self, row: dict[str, Any]) -> M:
        """A model from one row (column name -> stored value)."""
        for name, convert in self._loads:
            row[name] = convert(row[name])
        return self._build(**row)

    def dump(self, item: M, *, with_id: bool = False) -> dict[str, Any]:
        """The stored values of a model, by column (without ``id`` unless asked)."""
        out: dict[str, Any] = {}
        for c in self.columns:
            if c.name == "id" and not with_id:
                continue
            value = getattr(item, c.name)
            out[c.name] = c.dump(value) if c.dump is not None else value
        return out


class Connection:
    """One open passport database: its plain connection, ``db`` (sqlite-utils, built on first
    use), transactions and change counters. Not for sharing between threads: give each worker
    its own (``Store.open`` again)."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        self.path = path
        self.conn = conn
        self._seen = (self._data_version(), conn.total_changes)
        self._changes = 0

    @cached_property
    def db(self) -> Database:
        """The same connection as a ``sqlite_utils.Database``: the table API for schema work,
        migrations and bulk writes. Built on first use, so opening a file and the first screen's
        reads never import sqlite-utils. Its plugins are not run on the store's connection."""
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows as dicts (column name -> value), as ``db.query`` yields them, from the plain
        connection (no sqlite-utils import on the reads the app starts with)."""
        cursor = self.conn.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row))  # noqa: B905 - one value per column

    def read(self, rows: RowMap[M], where: str = "", params: Sequence[Any] | dict[str, Any] = ()) -> list[M]:
        """Models from ``rows.select`` and a tail (``WHERE …``, ``ORDER BY …``)."""
        sql = f"{rows.select} {where}" if where else rows.select
        return [rows.load(row) for row in self.query(sql, params)]

    def read_one(self, rows: RowMap[M], where: str, params: Sequence[Any] | dict[str, Any] = ()) -> M | None:
        found = self.read(rows, f"{where} LIMIT 1", params)
        return found[0] if found else None

    # -- opening and closing ------------------------------------------------------------

    def schema_version(self) -> int:
        """The schema version of the file (``PRAGMA user_version``)."""
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
        """``BEGIN IMMEDIATE`` … ``COMMIT``; ``ROLLBACK`` and re-raise on any exception, a fault
        of the file (busy past the timeout, read-only, damaged, disk full) as its
        ``DatabaseFault``. Inside an open transaction it simply joins that one."""
        if self.conn.in_transaction:
            yield self
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            if (known := fault(error, self.path)) is None:
                raise
            raise known from error
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException as error:
            if self.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # keep the error that matters
                    self.conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error) and (known := fault(error, self.path)) is not None:
                raise known from error
            raise

    def set_busy_timeout(self, seconds: float) -> None:
        """How long this connection's writes wait for another program's write lock."""
        self.conn.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")

    def wait_for_write_lock(self, seconds: float) -> bool:
        """Wait up to ``seconds`` until no other program holds the write lock (taking it and
        letting it go at once); False if it is still held. For a connection of its own, in a
        worker thread: it blocks while it waits."""
        if self.conn.in_transaction:
            return True
        self.set_busy_timeout(seconds)
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            known = fault(error, self.path)
            if isinstance(known, DatabaseBusy):
                return False
            if known is None:
                raise
            raise known from error
        self.conn.execute("ROLLBACK")
        return True

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
