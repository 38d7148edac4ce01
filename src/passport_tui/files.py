"""Writing the files the app makes (reports, exports, curricula, passport files, backups).

Every file the program writes goes through here, under one set of rules (issue 11):

- **new, or replaced whole**: a file is written to a temporary file in the same folder (created
  with ``O_CREAT | O_EXCL | O_NOFOLLOW``, mode 0600, flushed to disk) and only then given its name:
  hard-linked to it, which fails if the name exists — so an existing file is refused unless
  ``force`` — or, with ``force``, renamed over it (``os.replace``): a reader never sees half a
  file, and a failure leaves any earlier file as it was;
- **never through a symbolic link**: the name itself must not be a link (links are refused, not
  followed), and inside a confined folder (``reports/STAFF/`` beside the database) no folder on
  the way may be a link either;
- **never the database**: not its file, its ``-wal``, ``-shm`` or ``-journal``, the copy a restore
  keeps (``.before-restore``), nor any SQLite database — a backup — unless the file written is
  itself a backup replacing an earlier one with ``force``. Files are compared by folder and name
  and by device and inode, so another path to the same file (a link, ``..``) is refused too;
- **mode 0600**: the files hold pupils' data;
- **confined**: when :class:`Rules` names a folder, the path must be a plain file name (no folder,
  no ``..``, not hidden) and the file goes into that folder, created 0700 if needed.

Each refusal is an :class:`OutputRefused`: one line naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import PassportError

STDOUT = "-"  # an output path that means standard output, where a command offers it
SQLITE_HEADER = b"SQLite format 3\x00"
# the files beside a database that belong to it (SQLite's own, and the copy a restore keeps)
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal", ".before-restore")
NAME_BYTES = 255  # the longest file name most file systems take

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class OutputRefused(PassportError):
    """A file was not written: it would clobber something, or go where the user may not write."""


@dataclass(frozen=True)
class Rules:
    """What a write must respect.

    ``database``: the database in use (its file and companions are never written).
    ``base`` and ``folder``: when ``folder`` is given (e.g. ``("reports", "ms.hughes")``), the
    path must be a plain file name and is written in ``base/reports/ms.hughes/``, each folder
    created 0700 and none of them a symbolic link.
    ``force``: replace an existing file (atomically).
    ``backup``: the file is a database copy: ``force`` replaces only an earlier backup (a
    database), and a database is never replaced otherwise."""

    database: Path | None = None
    base: Path | None = None
    folder: tuple[str, ...] = ()
    force: bool = False
    backup: bool = False

    @property
    def confined(self) -> bool:
        return bool(self.folder)

    @property
    def folder_path(self) -> Path:
        assert self.base is not None
        return self.base.joinpath(*self.folder)


# --- names -----------------------------------------------------------------------------------


def plain_name_problem(name: str) -> str | None:
    """Why ``name`` is not a plain file name (None when it is one)."""
    if not name:
        return "is empty"
    if name in (".", ".."):
        return "is a folder"
    if "/" in name or "\\" in name:
        return "has a folder in it"
    if name.startswith("."):
        return "starts with a dot"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        return "holds a control character"
    if len(name.encode("utf-8", "surrogateescape")) > NAME_BYTES:
        return "is too long"
    return None


def plain_name(name: str, what: str = "file name") -> str:
    """``name`` if it is a plain file name: no folder, no ``..``, not hidden, no control
    characters, not too long; else :class:`OutputRefused`."""
    problem = plain_name_problem(name)
    if problem is not None:
        raise OutputRefused(f"{what.capitalize()} {shown(name)} {problem}; give a plain file name.")
    return name


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str, limit: int = 80) -> str:
    """A file-name part made from data (a UPN, a class name): letters, digits, ``.``, ``_`` and
    ``-`` only (anything else becomes ``_``), never starting with a dot, never empty."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFKD", text)).lstrip(".")[:limit]
    return name or "_"


def shown(path: str | Path) -> str:
    """A path as a refusal shows it: quoted, with control characters escaped (one line)."""
    return repr(str(path))


# --- folders ---------------------------------------------------------------------------------


def _open_folder(path: Path) -> int:
    try:
        return os.open(path, _DIR_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        raise OutputRefused(f"{shown(path)} is not a folder; create it first.") from None
    except PermissionError:
        raise OutputRefused(f"{shown(path)} can't be opened (permission denied).") from None


def open_confined(rules: Rules) -> int:
    """The confined folder, opened component by component below ``base``: each created 0700 if
    missing, and refused if it is a symbolic link (or not a folder)."""
    assert rules.base is not None
    fd = _open_folder(rules.base)
    where = rules.base
    try:
        for part in rules.folder:
            problem = plain_name_problem(part)
            if problem is not None:
                raise OutputRefused(
                    f"{shown(part)} {problem}, so it can't name a folder in {shown(where)}; refused."
                )
            where = where / part
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o700, dir_fd=fd)
            try:
                inner = os.open(part, _DIR_FLAGS | _NOFOLLOW, dir_fd=fd)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise OutputRefused(
                        f"{shown(where)} is a symbolic link or not a folder; refused."
                    ) from None
                raise OutputRefused(f"{shown(where)} can't be opened: {error.strerror}.") from None
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    return fd


def _link_inside(folder: Path, root: Path) -> Path | None:
    """The first symbolic link among the folders from ``root`` down to ``folder``, when
    ``folder`` lies inside ``root`` (as written, after folding ``..``)."""
    folder, root = Path(os.path.abspath(folder)), Path(os.path.abspath(root))
    try:
        inside = folder.relative_to(root)
    except ValueError:
        return None
    here = root
    for part in ("", *inside.parts):
        here = here / part if part else here
        if os.path.islink(here):
            return here
    return None


# --- what may not be written -----------------------------------------------------------------


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _database_names(database: Path) -> list[tuple[tuple[int, int] | None, str, Path]]:
    """(folder identity, name, path) of the database and its companions, for the path given and
    the path it resolves to."""
    out = []
    for db in {database.expanduser(), Path(os.path.realpath(database.expanduser()))}:
        folder = _identity(db.parent)
        out += [(folder, db.name + s, db.parent / (db.name + s)) for s in DATABASE_SUFFIXES]
    return out


def _is_sqlite(dirfd: int, name: str) -> bool:
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=dirfd)
    except OSError:
        return False
    try:
        return os.read(fd, len(SQLITE_HEADER)) == SQLITE_HEADER
    finally:
        os.close(fd)


def _check_target(dirfd: int, name: str, display: Path, rules: Rules) -> bool:
    """Refuse writing ``name`` in the open folder ``dirfd`` if the rules forbid it; True if a
    file of that name exists (and may be replaced)."""
    if rules.database is not None:
        here = os.fstat(dirfd)
        for folder, db_name, db_path in _database_names(rules.database):
            if folder == (here.st_dev, here.st_ino) and name == db_name:
                raise OutputRefused(f"{shown(display)} is the database's own file ({db_path.name}); refused.")
    try:
        st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(st.st_mode):
        raise OutputRefused(f"{shown(display)} is a symbolic link; refused (links are never followed).")
    if rules.database is not None:
        for _, _, db_path in _database_names(rules.database):
            if _identity(db_path) == (st.st_dev, st.st_ino):
                raise OutputRefused(f"{shown(display)} is the database's own file ({db_path.name}); refused.")
    if stat.S_ISDIR(st.st_mode):
        raise OutputRefused(f"{shown(display)} is a folder; give a file name.")
    if not stat.S_ISREG(st.st_mode):
        raise OutputRefused(f"{shown(display)} is not a regular file; refused.")
    database = _is_sqlite(dirfd, name)
    if database and not rules.backup:
        raise OutputRefused(f"{shown(display)} is a database (a backup?); refused, whatever --force says.")
    if not rules.force:
        raise OutputRefused(f"{shown(display)} exists; pass --force to replace it.")
    if rules.backup and not database:
        raise OutputRefused(f"{shown(display)} is not an earlier backup (not a database); refused.")
    return True


# --- writing ---------------------------------------------------------------------------------


class NewFile:
    """A file being written: a temporary file beside its destination (``temp``, mode 0600), open
    as ``fd``; :func:`create` gives it its name when the block ends without an error."""

    def __init__(self, dirfd: int, folder: Path, name: str, rules: Rules):
        self.dirfd = dirfd
        self.folder = folder
        self.name = name
        self.rules = rules
        self.temp_name = f".{name[:40]}.{secrets.token_hex(6)}.tmp"
        self.fd = os.open(
            self.temp_name,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
            0o600,
            dir_fd=dirfd,
        )
        os.fchmod(self.fd, 0o600)

    @property
    def path(self) -> Path:
        """Where the file will be."""
        return self.folder / self.name

    @property
    def temp(self) -> Path:
        """The temporary file (for writers that need a path, such as SQLite's backup)."""
        return self.folder / self.temp_name

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def _publish(self) -> None:
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = -1
        exists = _check_target(self.dirfd, self.name, self.path, self.rules)
        if exists:  # with --force (checked): replace it in one step
            os.replace(self.temp_name, self.name, src_dir_fd=self.dirfd, dst_dir_fd=self.dirfd)
        else:
            try:  # link(2) fails if the name exists meanwhile: never clobbers
                os.link(
                    self.temp_name,
                    self.name,
                    src_dir_fd=self.dirfd,
                    dst_dir_fd=self.dirfd,
                    follow_symlinks=False,
                )
            except FileExistsError:
                raise OutputRefused(f"{shown(self.path)} exists; pass --force to replace it.") from None
            except OSError as error:  # a file system without hard links: claim the name, then rename
                if error.errno not in (
                    errno.EPERM,
                    errno.ENOTSUP,
                    errno.EOPNOTSUPP,
                    errno.EMLINK,
                    errno.ENOSYS,
                ):
                    raise
                try:
                    claim = os.open(
                        self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=self.dirfd
                    )
                except FileExistsError:
                    raise OutputRefused(f"{shown(self.path)} exists; pass --force to replace it.") from None
                os.close(claim)
                os.replace(self.temp_name, self.name, src_dir_fd=self.dirfd, dst_dir_fd=self.dirfd)
            else:
                os.unlink(self.temp_name, dir_fd=self.dirfd)
        with contextlib.suppress(OSError):
            os.fsync(self.dirfd)

    def _discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        for name in (self.temp_name, f"{self.temp_name}-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=self.dirfd)


def destination(path: str | Path, rules: Rules) -> tuple[int, Path, str]:
    """The open folder, its path and the file name ``path`` is written to under ``rules``."""
    text = os.fspath(path)
    if "\x00" in text:
        raise OutputRefused(f"{shown(text)} is not a file name (it holds a NUL).")
    if rules.confined:
        name = plain_name(text)
        if rules.base is None:
            raise OutputRefused("An in-memory database has no folder to write files in.")
        return open_confined(rules), rules.folder_path, name
    target = Path(text).expanduser()
    if target.name in ("", ".", "..") or text.endswith(("/", os.sep)):
        raise OutputRefused(f"{shown(text)} is a folder; give a file name.")
    folder = target.parent
    if rules.database is not None:
        link = _link_inside(folder, rules.database.expanduser().parent / "reports")
        if link is not None:
            raise OutputRefused(f"{shown(link)} is a symbolic link inside reports/; refused.")
    return _open_folder(folder), folder, target.name


@contextlib.contextmanager
def _refusing(path: str | Path) -> Iterator[None]:
    """An operating system's error writing ``path`` (permission, a full disk…) as one line."""
    try:
        yield
    except OutputRefused:
        raise
    except OSError as error:
        raise OutputRefused(f"{shown(path)} can't be written: {error.strerror or error}.") from error


@contextlib.contextmanager
def create(path: str | Path, rules: Rules = Rules()) -> Iterator[NewFile]:
    """A new file at ``path`` under ``rules``: write it inside the block; it takes its name when
    the block ends (and is removed if the block fails). Refusals, and the operating system's
    errors in making the file, are :class:`OutputRefused`."""
    with _refusing(path):
        dirfd, folder, name = destination(path, rules)
    try:
        with _refusing(folder / name):
            _check_target(dirfd, name, folder / name, rules)  # refuse before any work is done
            new = NewFile(dirfd, folder, name, rules)
        try:
            yield new
            with _refusing(new.path):
                new._publish()
        except BaseException:
            new._discard()
            raise
    finally:
        os.close(dirfd)


def check(path: str | Path, rules: Rules = Rules()) -> Path:
    """Refuse now what :func:`create` would refuse at ``path`` (before the work of making the
    file is done); returns where the file would go. (It is checked again when written.)"""
    with _refusing(path):
        dirfd, folder, name = destination(path, rules)
    try:
        with _refusing(folder / name):
            _check_target(dirfd, name, folder / name, rules)
    finally:
        os.close(dirfd)
    return folder / name


def write_new(path: str | Path, data: str | bytes, rules: Rules = Rules()) -> Path:
    """Write ``data`` (text is UTF-8, written as given: no newline translation) to a new file at
    ``path`` under ``rules``; returns where it went."""
    with create(path, rules) as new, _refusing(new.path):
        new.write(data.encode("utf-8") if isinstance(data, str) else data)
    return new.path


class TextOut:
    """A text stream onto a :class:`NewFile` (or any ``write(bytes)``): UTF-8, no newline
    translation, buffered so a writer can stream many small pieces (one pupil at a time)."""

    def __init__(self, sink: NewFile | IO[bytes], buffer: int = 1 << 16):
        self._sink = sink
        self._parts: list[str] = []
        self._size = 0
        self._buffer = buffer

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= self._buffer:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            self._sink.write("".join(self._parts).encode("utf-8"))
            self._parts.clear()
            self._size = 0


@contextlib.contextmanager
def open_new(path: str | Path, rules: Rules = Rules()) -> Iterator[TextOut]:
    """A text stream writing a new file at ``path`` under ``rules``, as :func:`create` writes it:
    refused before anything is written if the rules forbid it, given its name when the block ends
    without an error, removed when it ends with one."""
    with create(path, rules) as new:
        out = TextOut(new)
        yield out
        with _refusing(new.path):
            out.flush()


def write_atomically(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path``, replacing any earlier file there atomically (never a symbolic
    link, never a database), mode 0600."""
    return write_new(path, text, Rules(force=True))


def append_private(path: Path, text: str) -> Path:
    """Append ``text`` to ``path`` (a log): created owner-only and kept owner-only; a symbolic
    link in its place is refused."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8", "replace"))
    finally:
        os.close(fd)
    return path
