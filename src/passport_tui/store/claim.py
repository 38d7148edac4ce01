"""Removing a database file that no other program has open (the demo's own file, rebuilt on each
``passport demo``).

In WAL mode a connection that has read the file keeps its hold on the WAL index for as long as it
stays open, idle or not, so a write lock (``BEGIN EXCLUSIVE``) says nothing about an app that is
open and waiting for a key. Leaving WAL mode does: SQLite lets a connection change the journal
mode out of WAL only when it is the only one open on the file. With ``locking_mode=EXCLUSIVE``
the connection then keeps the exclusive lock, so nothing can open the file between the check and
the removal."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

SUFFIXES = ("", "-wal", "-shm", "-journal")


class FileInUse(Exception):
    """Another program has the database file open."""


def remove_unused_database(path: Path, timeout: float = 0.5) -> None:
    """Remove the database file and its WAL, shared-memory and journal files, unless another
    program has it open (``FileInUse``, and nothing is removed). A file that is not a database
    is removed as it is."""
    if not path.exists():
        for suffix in SUFFIXES[1:]:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        try:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
            conn.execute("BEGIN EXCLUSIVE")  # held until the files are gone
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise FileInUse(str(path)) from None
            # not a database, or a damaged one: nothing of ours can have it open usefully
        except sqlite3.DatabaseError:
            pass
        if os.name != "nt":  # POSIX removes a file that is open; the lock is held meanwhile
            _unlink_all(path)
    finally:
        conn.close()
    _unlink_all(path)


def _unlink_all(path: Path) -> None:
    for suffix in SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
