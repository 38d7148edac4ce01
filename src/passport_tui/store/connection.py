"""Where the database file is, how it is opened (created readable by its owner only; WAL,
``synchronous = FULL``, a busy timeout, foreign keys), transactions, change counters, and the
two ways into it: the plain ``sqlite3`` connection, and the same connection as a
``sqlite_utils.Database`` built on first use.

Opening a file, every read and single-row writes go through the plain connection: importing
sqlite-utils costs about a quarter of a second (it pulls in click, pluggy and dateutil), which
the start of the app, a CLI command that reads and the mark of one cell must not pay. Reads
yield rows as ``Database.query`` does (column name -> value) and ``RowMap`` turns them into
models. Schema work, migrations and bulk writes take ``db``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import platformdirs

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlite_utils import Database

ENV_DB = "PASSPORT_DB"
BUSY_TIMEOUT_S = 10.0


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


def connect(path: str | Path, timeout: float = BUSY_TIMEOUT_S) -> tuple[sqlite3.Connection, Path | None]:
    """Open the file (creating it, and its folder, if needed: a new file is readable by its owner
    only; an existing one keeps its permissions) with the store's pragmas. Returns the connection
    and the file's path (None for ``:memory:``). The connection is in autocommit mode: every
    write goes through ``Connection.transaction``."""
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
