"""A session: one person using one database, with a clock.

Everything else in the service package builds on it. It owns the store connection (one per
thread: a worker thread calls ``reopen`` for its own) and says what day and window it is.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Self

from .. import engine
from ..engine import TermDates
from ..errors import DatabaseFault, PassportError
from ..models import Pupil
from ..store import Store, fault, resolve_db_path


def database_file(value: str | None = None) -> Path:
    """The database file: ``value`` (``--db``), else ``PASSPORT_DB``, else the user's data folder."""
    return resolve_db_path(value)


def database_fault(error: BaseException, path: str | Path | None) -> DatabaseFault | None:
    """What an error from the database file at ``path`` means (busy, read-only, damaged, not a
    database, disk full), as one line naming the file and what to do; None for any other error.
    For the command line's and the app's one error path: a read may meet a damaged page."""
    return fault(error, path)


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. a container without passwd entry)
        return os.environ.get("USER", "teacher")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Session:
    """One database used by one person (``user``) with a clock (UTC).

    ``named``: the user was named (``--as``, a forced SSH command) rather than being the OS
    login, so the OS account is shared and its rights are not the user's: a non-admin then writes
    files only in their own folder. ``confined``: every file goes to that folder, whatever the
    role (``passport-ssh``)."""

    def __init__(
        self,
        store: Store,
        user: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        *,
        named: bool = False,
        confined: bool = False,
    ):
        self.store = store
        self.user = user or current_user()
        self.clock = clock
        self.named = named
        self.confined = confined

    @classmethod
    def open(cls, db: str | Path | None = None, user: str | None = None, *, confined: bool = False) -> Self:
        store = Store.open(resolve_db_path(str(db) if db is not None else None))
        return cls(store, user, named=user is not None, confined=confined)

    def reopen(self) -> Self:
        """The same database for the same person on a new connection (one per worker thread)."""
        return type(self)(
            Store.open(self.store.path), self.user, self.clock, named=self.named, confined=self.confined
        )

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the database file -----------------------------------------------------------------

    def wait_until_writable(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for another program's write lock to go (blocks: for a worker's
        own session); False if it is still held."""
        return self.store.wait_for_write_lock(seconds)

    def set_busy_timeout(self, seconds: float) -> None:
        """How long this session's writes wait for another program's write lock before
        ``DatabaseBusy``."""
        self.store.set_busy_timeout(seconds)

    @property
    def database_path(self) -> Path:
        return Path(self.store.path)

    def schema_version(self) -> int:
        return self.store.schema_version()

    def others_changed(self) -> int:
        """A number that changes when another connection commits (not this one)."""
        return self.store.others_changed()

    def last_change(self) -> int:
        """A number that changes whenever anyone, this connection included, commits."""
        return self.store.last_change()

    # --- time (DESIGN §2.6) ------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().date()

    @property
    def terms(self) -> TermDates:
        value = self.store.get_setting("term_dates")
        if not value:
            return engine.DEFAULT_TERMS
        return TermDates(spring=tuple(value["spring"]), summer=tuple(value["summer"]))

    def window(self, key: str | None = None) -> engine.Window:
        """The current window, or the one named like ``2026-autumn``."""
        if key is None:
            return engine.window_of(self.today(), self.terms)
        try:
            return engine.parse_window(key, self.terms)
        except ValueError as error:
            raise PassportError(str(error)) from None

    def academic_year(self, on: date | None = None) -> int:
        return engine.academic_year_of(on or self.today())

    def year_group(self, pupil: Pupil, on: date | None = None) -> int:
        return pupil.year_group_in(self.academic_year(on))
