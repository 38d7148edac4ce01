"""The options of the commands that write a file (``-o FILE``, ``--force``): the file is written
by the service under the rules of :mod:`passport_tui.files` (a new file, never the database or a
backup, never through a symbolic link, mode 0600; under ``--as`` a teacher writes only into their
own folder); ``-o -``, or no ``-o``, prints to standard output instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

FORCE_HELP = "Replace FILE if it is there (atomically); never the database or a backup."


def output_option(what: str) -> Callable[[F], F]:
    """``-o/--output FILE``: where ``what`` goes; ``-`` (the default) is standard output."""
    return click.option(
        "-o",
        "--output",
        metavar="FILE",
        type=click.Path(allow_dash=True),  # a folder, a link, an existing file: refused by the service
        help=f"Write {what} to FILE, a new file ('-' or no -o: standard output).",
    )


def force_option(command: F) -> F:
    """``--force``: replace an existing file."""
    return click.option("--force", is_flag=True, help=FORCE_HELP)(command)


def to_stdout(output: str | None) -> bool:
    return output is None or output == "-"
