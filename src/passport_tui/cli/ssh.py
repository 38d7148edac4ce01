"""``passport-ssh STAFF``: the forced command of a teacher's key on a school server.

In the service account's ``~/.ssh/authorized_keys``, one line per teacher::

    command="/srv/passport/venv/bin/passport-ssh --db /srv/passport/data/school.db ms.hughes",restrict,pty ssh-ed25519 AAAA…

sshd runs it (through the account's shell, with the line's words only) whatever the teacher
asked for, and puts what they asked for in ``SSH_ORIGINAL_COMMAND``. This program:

- splits that text with :func:`shlex.split` — quotes group words as a shell would, but nothing is
  expanded: no globbing, no variables, no ``;`` — and a quote left open is one line, exit 2;
- refuses ``--db`` and ``--as`` anywhere in it (the key says who and which database);
- runs the words as STAFF through the ``passport`` command group, in STAFF's own folder
  ``reports/STAFF/`` beside the database (created 0700, no symbolic links on the way): every file
  a command reads or writes must be a plain file name there, or ``-`` for standard input or
  output (an input given as ``-`` is read from standard input into a private file in the folder,
  removed afterwards). Whatever STAFF's role, the service writes files only there;
- opens the terminal app when there are no words (``ssh -t passport@server``).

So ``ssh passport@server report A123 > ann.html`` prints the report on the teacher's machine, and
``ssh passport@server pupils import - < roster.csv`` imports a roster from it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from .. import files
from ..errors import one_line
from .output import echo

REFUSED = ("--db", "--as")
STDIN_LIMIT = 1 << 30  # bytes of standard input read into a file for one input
USAGE = "usage: passport-ssh [--db FILE] STAFF  (the forced command of STAFF's key in authorized_keys)"


def say(line: str) -> None:
    echo(f"passport-ssh: {one_line(line)}", err=True)


def own_arguments(argv: list[str]) -> tuple[str | None, str]:
    """``[--db FILE] STAFF`` from the forced command's own words (written by the server's admin)."""
    db: str | None = None
    rest = list(argv)
    if rest[:1] == ["--db"] and len(rest) >= 2:
        db, rest = rest[1], rest[2:]
    elif rest[:1] and rest[0].startswith("--db="):
        db, rest = rest[0].removeprefix("--db="), rest[1:]
    if len(rest) != 1 or rest[0].startswith("-"):
        raise click.UsageError(USAGE)
    return db, rest[0]


def words_of(command: str | None) -> list[str]:
    """The words of ``SSH_ORIGINAL_COMMAND``, split as a shell would quote them and no more; a
    leading ``passport`` is dropped (``ssh passport@server passport show A1`` works too)."""
    words = shlex.split(command or "", comments=False, posix=True)
    if words[:1] == ["passport"]:
        words = words[1:]
    return words


def refused_word(words: list[str]) -> str | None:
    for word in words:
        option = word.split("=", 1)[0]
        if option in REFUSED:
            return option
    return None


class InFolder(click.ParamType):
    """A path parameter of a command run through ``passport-ssh``: a plain file name in the
    staff member's folder (the working folder), or ``-``; an input given as ``-`` is spooled
    from standard input into a private file there. The command's own type checks the rest."""

    def __init__(self, inner: click.Path, run: SshRun):
        self.inner = inner
        self.run = run
        self.name = inner.name

    def get_metavar(self, *args, **kwargs):  # click 8.1 and 8.2 differ in the signature
        return self.inner.get_metavar(*args, **kwargs)

    def convert(self, value, param, ctx):
        if not isinstance(value, str) or not self.run.active:
            return self.inner.convert(value, param, ctx)
        if value == files.STDOUT:
            if self.inner.allow_dash:  # an output printed, or an input read, by the command itself
                return self.inner.convert(value, param, ctx)
            if self.inner.exists or getattr(self.inner, "is_input", False):  # an input: spooled from stdin
                return self.inner.convert(self.run.spool_stdin(), param, ctx)
            raise files.OutputRefused("'-' is not taken here: give a plain file name in your folder.")
        problem = files.plain_name_problem(value)
        if problem is not None:
            raise files.OutputRefused(
                f"{files.shown(value)} {problem}: over SSH a file is a plain name in your folder "
                f"{self.run.where}/ (or - for standard input or output)."
            )
        if os.path.islink(os.path.join(".", value)):
            raise files.OutputRefused(f"{files.shown(value)} is a symbolic link; refused.")
        return self.inner.convert(value, param, ctx)


class SshRun:
    """One command run through ``passport-ssh``: the staff member's folder (the working folder)
    and the inputs spooled from standard input into it."""

    def __init__(self, folder_fd: int, where: Path):
        self.folder_fd = folder_fd
        self.where = where
        self.active = True
        self.spooled: list[str] = []

    def spool_stdin(self) -> str:
        """Standard input copied into a new private file in the folder; its relative path."""
        if self.spooled:
            raise files.OutputRefused("Standard input can be read for one input only.")
        box = f".stdin-{secrets.token_hex(6)}"
        os.mkdir(box, 0o700, dir_fd=self.folder_fd)
        self.spooled.append(box)
        fd = os.open(
            f"{box}/stdin", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=self.folder_fd
        )
        total = 0
        with os.fdopen(fd, "wb") as out:
            source = sys.stdin.buffer
            while chunk := source.read(1 << 20):
                total += len(chunk)
                if total > STDIN_LIMIT:
                    raise files.OutputRefused(f"Standard input is over {STDIN_LIMIT >> 20} MB; refused.")
                out.write(chunk)
        return f"{box}/stdin"

    def clean_up(self) -> None:
        for box in self.spooled:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{box}/stdin", dir_fd=self.folder_fd)
            with contextlib.suppress(OSError):
                os.rmdir(box, dir_fd=self.folder_fd)


def each_command(group: click.Group) -> Iterator[click.Command]:
    """Every command under ``group`` (loading the lazily loaded ones), groups included."""
    ctx = click.Context(group, info_name="passport")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        yield command
        if isinstance(command, click.Group):
            yield from each_command(command)


def confine_paths(root: click.Group, run: SshRun) -> None:
    """Every path parameter of every command (not the root's own ``--db``, which passport-ssh
    gives) goes through :class:`InFolder`."""
    for command in each_command(root):
        for param in command.params:
            if isinstance(param.type, InFolder):  # wrapped by an earlier run in this process
                param.type.run = run
            elif isinstance(param.type, click.Path):
                param.type = InFolder(param.type, run)


def run(argv: list[str], command: str | None) -> int:
    """Run ``SSH_ORIGINAL_COMMAND`` (``command``) for the staff member the forced command names;
    the exit status."""
    try:
        db_arg, staff = own_arguments(argv)
    except click.UsageError as error:
        say(error.message)
        return 2
    try:
        words = words_of(command)
    except ValueError as error:
        say(f"the command can't be split ({error}): quote marks must come in pairs.")
        return 2
    bad = refused_word(words)
    if bad is not None:
        say(f"{bad} is not allowed: this key runs passport as {staff} on the school's database.")
        return 1

    from ..service.session import database_file

    db = Path(os.path.abspath(database_file(db_arg)))
    if not db.is_file():
        say(f"there is no database at {db}; an admin sets it up first (README: Running on a school server).")
        return 1
    rules = files.Rules(database=db, base=db.parent, folder=("reports", staff))
    try:
        folder_fd = files.open_confined(rules)
    except files.OutputRefused as error:
        say(str(error))
        return 1
    from . import cli

    job = SshRun(folder_fd, rules.folder_path)
    try:
        os.fchdir(folder_fd)
        if words:  # the app (no words) takes no path: its start does not wait for every command
            confine_paths(cli, job)
        try:
            cli.main(
                args=["--db", str(db), "--as", staff, *words],
                prog_name="passport",
                obj={"confined": True},
            )
        except SystemExit as end:
            return end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
        return 0
    finally:
        job.active = False
        job.clean_up()
        os.close(folder_fd)


def main() -> None:
    sys.exit(run(sys.argv[1:], os.environ.get("SSH_ORIGINAL_COMMAND")))
