"""Backups, restores and a health check of the database file (DESIGN §5, §8).

``backup`` copies through SQLite's online backup API, so it is safe while teachers write: the
copy is one consistent snapshot, written to a temporary file beside the destination (created
readable by its owner only), checked with ``PRAGMA integrity_check`` and only then given the
destination's name, under the rules of :mod:`passport_tui.files`: a new file, or with ``force`` an
earlier backup replaced; never the database, a symbolic link or another kind of file. A
half-written backup never has the destination's name.

``restore`` is the reverse, with the care a destructive step needs:

1. the source must open, pass ``integrity_check``, be a passport database and have a schema
   version this program knows (an older one is migrated when the database is next opened);
2. the source is copied (backup API) to a temporary file beside the database and checked again;
3. the current database, if any, must not be open anywhere else: switching it out of WAL mode
   (``journal_mode = DELETE``) needs every other connection closed, and doing so checkpoints
   its WAL into the file and removes the ``-wal`` file. So no stale WAL can be replayed into the
   restored file, and no acknowledged write of the old file is lost from the copy kept of it;
4. the old file is kept as ``NAME.before-restore`` (a byte copy, safe under the lock), then the new file is renamed
   over the database while an exclusive lock keeps newcomers out. A ``-shm`` left behind is not
   removed (a newcomer may already be using it): it is harmless, as the first connection to open
   the file in WAL mode rebuilds it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import files
from ..errors import DatabaseBusy, DatabaseDamaged, DatabaseFault, DatabaseReadOnly, DiskFull, PassportError
from ..progress import Progress
from ..shown import plural
from ..store import SCHEMA_VERSION, Store, fault
from .access import Access

# Pages copied per step of a backup (outside WAL mode a step holds a read lock that blocks writers).
STEP_PAGES = 1024
# The stages a backup tells its progress in
COPYING = "Copying the database"
CHECKING = "Checking the copy"
# A WAL file bigger than this means checkpoints are not keeping up (a long-lived reader).
WAL_WARN_BYTES = 64 * 1024 * 1024


class MaintenanceError(PassportError):
    """A backup or restore was refused or failed; the database is unchanged."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes
    schema_version: int
    judgements: int


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    source: Path
    schema_version: int  # of the source, before any migration
    judgements: int
    previous: Path | None  # where the replaced database was kept


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- helpers ---------------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_beside(dest: Path) -> Path:
    """A new empty file beside ``dest`` (same file system, so a rename is atomic), mode 0600."""
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(name, 0o600)
    return Path(name)


def _integrity(conn: sqlite3.Connection) -> list[str]:
    """Problems ``PRAGMA integrity_check`` finds (an empty list when the file is sound)."""
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def _judgement_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM judgements").fetchone()[0])


def _pages_told(progress: Progress | None) -> Callable[[int, int, int], None] | None:
    """SQLite's backup progress (status, pages remaining, pages in all) told as pages copied."""
    if progress is None:
        return None

    def told(status: int, remaining: int, total: int) -> None:
        progress(COPYING, total - remaining, total)

    return told


def _copy_into(
    source: sqlite3.Connection, tmp: Path, pages: int | None, progress: Progress | None = None
) -> tuple[int, int]:
    """Copy ``source`` into the empty file ``tmp`` and check the copy; (schema, judgements).
    ``progress`` is told the pages copied of the pages in all, then that the copy is being checked.

    The copy is made in steps of ``pages`` (STEP_PAGES by default). In WAL mode all the steps
    read inside one read transaction on ``source``: one snapshot, which blocks no writer, and a
    commit by another connection between steps does not restart the copy (SQLite restarts a
    backup when a step's own read transaction sees the file changed; this one never ends between
    steps). Elsewhere a read lock blocks writers, so each step holds it only for its pages, and
    the copy starts again when another connection writes between steps."""
    step = STEP_PAGES if pages is None else pages
    wal = str(source.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
    target = sqlite3.connect(tmp, isolation_level=None)
    try:
        if wal:
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot begins here
        try:
            if progress is not None:
                progress(COPYING, 0, int(source.execute("PRAGMA page_count").fetchone()[0]))
            source.backup(target, pages=step, progress=_pages_told(progress), sleep=0.01)
        finally:
            if wal:
                source.execute("ROLLBACK")  # a read: nothing to keep
        # a backup is one self-contained file: no -wal beside it
        target.execute("PRAGMA journal_mode = DELETE")
        if progress is not None:
            progress(CHECKING, 0, None)
        problems = _integrity(target)
        if problems:
            raise MaintenanceError(f"The copy failed its integrity check: {problems[0]}")
        version = int(target.execute("PRAGMA user_version").fetchone()[0])
        count = _judgement_count(target)
    finally:
        target.close()
    return version, count


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


# --- backup ----------------------------------------------------------------------------


def backup(
    store: Store,
    dest: str | Path,
    *,
    pages: int | None = None,
    rules: files.Rules | None = None,
    progress: Progress | None = None,
) -> BackupResult:
    """Copy the open database to ``dest`` (a file, or a folder to put a dated file in), a new
    file written under ``rules`` (by default: never the database itself; an existing file is
    replaced only with ``force``, and only if it is itself a database — an earlier backup).

    Safe while others write: the copy holds every judgement committed before it started.
    ``progress`` is told the pages copied of the pages in all, then that the copy is checked."""
    if rules is None:
        rules = files.Rules(database=store.path)
    rules = replace(rules, database=store.path, backup=True)
    path = Path(dest).expanduser()
    if not rules.confined:
        if path.is_dir():
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            stem = store.path.stem if store.path else "passport"
            path = path / f"{stem}-{stamp}.db"
        if not path.parent.is_dir():
            raise MaintenanceError(f"{path.parent} is not a folder; create it first.")
        if store.path is not None and _same_file(path, store.path):
            raise MaintenanceError(f"{path} is the database itself; back it up to another file.")
    if store.conn.in_transaction:
        raise MaintenanceError("A backup can't be taken inside a transaction; finish it first.")
    with files.create(path, rules) as new:
        version, count = _copy_into(store.conn, new.temp, pages, progress)
    return BackupResult(path=new.path, size=new.path.stat().st_size, schema_version=version, judgements=count)


# --- restore ---------------------------------------------------------------------------


def _check_source(src: Path) -> sqlite3.Connection:
    """The source opened read-only, after checking it is a sound passport database we know."""
    if not src.is_file():
        raise MaintenanceError(f"{src} is not a file.")
    try:
        conn = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise MaintenanceError(f"{src} can't be opened: {error}.") from None
    try:
        try:
            problems = _integrity(conn)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as error:
            raise MaintenanceError(f"{src} is not a usable SQLite database: {error}.") from None
        if problems:
            raise MaintenanceError(f"{src} fails its integrity check: {problems[0]}")
        if version < 1 or "judgements" not in tables:
            raise MaintenanceError(f"{src} is not a passport database.")
        if version > SCHEMA_VERSION:
            raise MaintenanceError(
                f"{src} was written by a newer passport (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade passport to restore it."
            )
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def _exclusive(db_path: Path) -> Iterator[sqlite3.Connection | None]:
    """Hold the database so nobody else can use it; refuse if somebody already does.

    Leaving WAL mode needs every other connection closed; it checkpoints the WAL into the
    file and deletes the ``-wal`` file. ``BEGIN EXCLUSIVE`` then keeps newcomers waiting."""
    if not db_path.exists():
        yield None
        return
    conn = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        try:
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError:
            raise MaintenanceError(
                f"{db_path} is in use (passport is open somewhere); close it everywhere, then restore."
            ) from None
        try:
            yield conn
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def _keep(path: Path, dest: Path) -> None:
    """Copy the database file byte for byte. Only while :func:`_exclusive` holds it: then it has
    no WAL and no journal and nobody writes, so the file alone is the whole database. (The
    backup API can't be used here: it refuses a source connection inside a write transaction.)"""
    tmp = _temp_beside(dest)
    try:
        with open(path, "rb") as old, open(tmp, "wb") as new:
            shutil.copyfileobj(old, new)
            new.flush()
            os.fsync(new.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def restore(src: str | Path, db_path: str | Path, *, keep_previous: bool = True) -> RestoreResult:
    """Replace the database at ``db_path`` with the backup ``src`` (see the module's notes)."""
    source = Path(src).expanduser()
    path = Path(db_path).expanduser()
    if _same_file(source, path):
        raise MaintenanceError(f"{source} is the database itself.")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = _check_source(source)
    try:
        tmp = _temp_beside(path)
        try:
            target = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
                problems = _integrity(target)
                if problems:
                    raise MaintenanceError(f"The restored copy failed its integrity check: {problems[0]}")
                version = int(target.execute("PRAGMA user_version").fetchone()[0])
                count = _judgement_count(target)
            finally:
                target.close()
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            previous: Path | None = None
            with _exclusive(path) as old:
                if keep_previous and old is not None:
                    previous = path.with_name(f"{path.name}.before-restore")
                    _keep(path, previous)
                os.replace(tmp, path)
                _fsync_dir(path.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    finally:
        conn.close()
    return RestoreResult(
        path=path, source=source, schema_version=version, judgements=count, previous=previous
    )


# --- doctor ----------------------------------------------------------------------------


def doctor(store: Store) -> list[Check]:
    """Health checks of the open database; each one says what is wrong and what to do. When a
    damaged file stops the checks part way, a last check fails saying so."""
    checks: list[Check] = []
    try:
        _doctor(store, checks)
    except sqlite3.Error as error:
        known = fault(error, store.path)
        if isinstance(known, DatabaseBusy):
            raise known from error
        detail = f"{known or error}"
        if isinstance(known, DatabaseDamaged):
            detail = (
                f"the file is damaged ({error}); restore your latest backup with 'passport restore BACKUP'"
            )
        # the integrity check itself may be what a damaged file stops
        name, detail = (
            ("readable", f"the remaining checks could not run: {detail}") if checks else ("integrity", detail)
        )
        checks.append(Check(name, False, detail))
    return checks


def _doctor(store: Store, checks: list[Check]) -> None:
    conn = store.conn
    problems = _integrity(conn)
    checks.append(
        Check(
            "integrity",
            not problems,
            "ok"
            if not problems
            else f"{len(problems)} problem(s): {problems[0]}; the file is damaged: restore your latest "
            "backup with 'passport restore BACKUP'",
        )
    )

    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    memory = store.path is None
    checks.append(
        Check(
            "wal",
            mode == "wal" or memory,
            f"journal_mode is {mode}" + ("" if mode == "wal" or memory else "; passport needs WAL"),
        )
    )

    if store.path is not None:
        wal = Path(f"{store.path}-wal")
        size = wal.stat().st_size if wal.exists() else 0
        big = size > WAL_WARN_BYTES
        checks.append(
            Check(
                "wal_size",
                not big,
                f"WAL file is {size:,} bytes"
                + ("; a long-running reader is stopping checkpoints, close idle sessions" if big else ""),
            )
        )
        file_mode = stat.S_IMODE(store.path.stat().st_mode)
        open_to_others = bool(file_mode & 0o077)
        checks.append(
            Check(
                "permissions",
                not open_to_others,
                f"mode {file_mode:04o}"
                + (
                    f"; group or others can open it, run: chmod 600 {store.path}"
                    if open_to_others
                    else " (owner only)"
                ),
            )
        )
        # SQLite writes its -wal and -shm files beside the database: the folder too
        cannot = [str(p) for p in (store.path, store.path.parent) if not os.access(p, os.W_OK)]
        checks.append(
            Check(
                "writable",
                not cannot,
                "the file and its folder are writable"
                if not cannot
                else f"read-only for this account: {', '.join(cannot)}; nothing can be saved until the "
                "account may write both",
            )
        )

    version = store.schema_version()
    checks.append(
        Check(
            "schema",
            version == SCHEMA_VERSION,
            f"schema version {version}"
            + ("" if version == SCHEMA_VERSION else f", expected {SCHEMA_VERSION}"),
        )
    )

    orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    checks.append(
        Check(
            "foreign_keys",
            not orphans,
            "ok"
            if not orphans
            else f"{len(orphans)} row(s) point at missing rows, e.g. {orphans[0][0]} row {orphans[0][1]}",
        )
    )

    missing, changed = store.trigger_problems()  # each present, with the SQL the schema gives it
    found = []
    if missing:
        found.append("missing trigger(s): " + ", ".join(missing))
    if changed:
        found.append("trigger(s) not as the schema makes them: " + ", ".join(changed))
    checks.append(
        Check(
            "append_only",
            not found,
            "; ".join(found) + "; the logs can be edited: run 'passport doctor --rebuild' (an admin)"
            if found
            else "the logs' append-only triggers are present and as the schema makes them",
        )
    )

    if version == SCHEMA_VERSION:
        checks.append(_orphans_check(store))
        stale = store.stale_projections()
        checks.append(
            Check(
                "projections",
                not stale,
                "every pupil's projected standing matches the log"
                if not stale
                else f"{len(stale)} projection(s) out of step with the log (e.g. pupil {stale[0][0]} in "
                f"{stale[0][1]}); run 'passport doctor --rebuild'",
            )
        )


def _orphans_check(store: Store) -> Check:
    """Judgements whose milestone is not in their stored curriculum (nor moved to one of its
    milestones): kept in the log, but counted nowhere."""
    orphans = store.orphan_judgements()
    if not orphans:
        return Check("judged_milestones", True, "every judgement names a milestone of its curriculum")
    events = sum(n for _, _, n in orphans)
    some = ", ".join(f"{c} {m} ({n})" for c, m, n in orphans[:3])
    more = f" and {len(orphans) - 3} more" if len(orphans) > 3 else ""
    return Check(
        "judged_milestones",
        False,
        f"{events} judgement(s) name {len(orphans)} milestone(s) missing from their curriculum: "
        f"{some}{more}; they count for nothing until a curriculum import adds them back "
        "(retired = true keeps one without teaching it) or maps them (moved = { OLD = NEW })",
    )


def verdict(checks: list[Check]) -> str:
    """One line: healthy, or how many checks failed and which."""
    failed = [c.name for c in checks if not c.ok]
    if not failed:
        return f"healthy: all {plural(len(checks), 'check')} passed"
    return f"NOT healthy: {len(failed)} of {plural(len(checks), 'check')} failed ({', '.join(failed)})"


# --- the use cases -------------------------------------------------------------------------


class Maintenance(Access):
    def backup(
        self,
        dest: str | Path,
        *,
        pages: int | None = None,
        force: bool = False,
        progress: Progress | None = None,
    ) -> BackupResult:
        """Copy the database to ``dest`` (admins only: a backup holds every pupil's data), a new
        file; ``force`` replaces an earlier backup there. ``progress`` is told how far the copy
        has got."""
        self.require_admin("back up the database")
        rules = self.output_rules(force=force, backup=True)
        return backup(self.store, dest, pages=pages, rules=rules, progress=progress)

    def doctor(self) -> list[Check]:
        """Health checks of the database file."""
        return doctor(self.store)

    def rebuild_projections(self) -> int:
        """Derive every pupil's projected standing again from the judgement log (admins only);
        returns how many were written."""
        self.require_admin("rebuild the projections")
        return self.store.rebuild_projections()

    def restore_triggers(self) -> list[str]:
        """Create again the append-only triggers that are missing or not as the schema makes them
        (admins only); returns their names."""
        self.require_admin("restore the append-only triggers")
        return self.store.restore_triggers()


def doctor_unopened(path: str | Path, error: DatabaseFault) -> list[Check]:
    """What ``doctor`` says of a file that could not be opened: a damaged file, or one that is not
    a database, fails the integrity check (with what SQLite finds, read-only); a read-only one
    fails "writable"; a full disk fails "disk_space". A busy database is no finding: it is raised."""
    if isinstance(error, DatabaseBusy):
        raise error
    if isinstance(error, DatabaseReadOnly):
        return [Check("writable", False, str(error))]
    if isinstance(error, DiskFull):
        return [Check("disk_space", False, str(error))]
    detail = str(error)
    if isinstance(error, DatabaseDamaged):
        file = Path(path).expanduser()
        with contextlib.suppress(sqlite3.Error):
            conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
            try:
                problems = _integrity(conn)
            finally:
                conn.close()
            if problems:
                detail = f"{len(problems)} problem(s): {problems[0]}; {detail}"
    return [Check("integrity", False, detail)]


def restore_backup(src: str | Path, db_path: str | Path, user: str | None = None) -> RestoreResult:
    """Replace the database at ``db_path`` with the backup ``src``: once staff exist, only an admin
    may (checked on the database being replaced; a missing database can be restored by anyone who
    can write its folder)."""
    check_may_restore(db_path, user)
    return restore(src, db_path)


def check_may_restore(db_path: str | Path, user: str | None = None) -> None:
    path = Path(db_path).expanduser()
    if path.exists():
        session = Access(Store.open(path), user)
        try:
            session.require_admin("restore a backup")
        finally:
            session.close()
