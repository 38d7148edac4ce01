"""How the ``passport`` command prints: lines of text, fixed-width tables, results as JSON through
one serialiser, numbers, and refusals as one line each on stderr.

A command turns what the service returned into a typed result (a dataclass, or the service's own
model) and either prints it as text or hands it to :func:`emit_json`; nothing builds JSON by hand,
so ``--json`` means the same everywhere.

Every line a command prints goes through this module, and user text in it is shown as the app
shows it (:func:`passport_tui.shown.plain`): control characters made visible, bidi controls
dropped, so a pupil's name cannot send escape codes to a teacher's terminal. :func:`echo` prints
one line, :func:`table` a table, :func:`refusal` and :func:`problems` errors; JSON keeps the real
values, with every character a terminal would act on escaped; :func:`document` prints a CSV or a
report whose own format has already made its user text safe. No command calls ``click.echo``."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from ..shown import json_escaped, plain, plural
from ..widths import fitted, width

JSON_HELP = "Print JSON instead of text."

F = TypeVar("F", bound=Callable[..., Any])


def json_option(command: F) -> F:
    """The ``--json`` flag, passed to the command as ``as_json``."""
    return click.option("--json", "as_json", is_flag=True, help=JSON_HELP)(command)


# --- JSON ----------------------------------------------------------------------------------


def named(key: str) -> dict[str, Any]:
    """Field metadata: write this dataclass field under ``key`` (``class_`` as ``class``)."""
    return {"json": key}


def inlined(*exclude: str) -> dict[str, Any]:
    """Field metadata: write the value's own keys (less ``exclude``) in place of the field; the
    fields after it may then replace one of those keys where it stands."""
    return {"inline": frozenset(exclude)}


def to_json(value: Any) -> Any:
    """The JSON form of a result: a dataclass field by field (see :func:`named` and
    :func:`inlined`), a pydantic model as it dumps itself, an enum by its value, a date or time in
    ISO 8601, a path as text, mappings and sequences item by item. Anything else is a mistake in
    the command and raises ``TypeError``."""
    if isinstance(value, Enum):  # before str and int: a StrEnum is a str
        return to_json(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if "inline" in f.metadata:
                inner = to_json(item)
                out.update((k, v) for k, v in inner.items() if k not in f.metadata["inline"])
            else:
                out[f.metadata.get("json", f.name)] = to_json(item)
        return out
    if hasattr(value, "model_dump"):  # a pydantic model
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(to_json(v) for v in value)
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


def emit_json(value: Any) -> None:
    """Print a result as indented JSON: UTF-8 text as it is, except the characters a terminal
    would act on (control characters, bidi controls, line separators), which JSON escapes."""
    click.echo(json_escaped(json.dumps(to_json(value), indent=2, ensure_ascii=False)))


# --- text ----------------------------------------------------------------------------------


def echo(line: str = "", *, err: bool = False) -> None:
    """Print one line (on stderr with ``err``): control characters in it, a line break included,
    made visible and bidi controls dropped. A blank line is ``echo()``."""
    click.echo(plain(line), err=err)


def document(text: str) -> None:
    """Print a whole document as it is (a CSV export, a report): its format has already made the
    user text in it safe to show (see :func:`passport_tui.shown.plain`)."""
    click.echo(text, nl=False)


def error_stream() -> IO[str]:
    """Standard error, for a progress bar drawn there (see ``cli/progress.py``)."""
    return sys.stderr


class DocumentOut:
    """A document printed as it is made, piece by piece (a passport file written a pupil at a
    time): each piece as :func:`document` prints it."""

    def write(self, text: str) -> int:
        document(text)
        return len(text)


# --- errors --------------------------------------------------------------------------------


def refusal(lines: Iterable[str]) -> None:
    """A refusal or a bad file: one line each on stderr, after the program's name."""
    for line in lines:
        echo(f"passport: {line}", err=True)


def problems(lines: Iterable[str]) -> None:
    """Lines that carry their own location (``FILE:LINE: message``) or are warnings: on stderr,
    each shown as :func:`echo` shows a line."""
    for line in lines:
        echo(line, err=True)


# --- numbers -------------------------------------------------------------------------------


def num(value: Any) -> str:
    """A figure that may be missing: ``-`` for none, ``13.5`` or ``13`` as it is."""
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def signed(n: int) -> str:
    return f"{n:+d}" if n else "0"


def days(n: int) -> str:
    return plural(n, "day")


# --- tables --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Column:
    """One column of a fixed-width table, its width counted in terminal columns. ``width`` 0
    leaves the cell unpadded (the last column); ``clip`` cuts a longer cell to the width; ``gap``
    is what goes before the column. ``align`` is ``<`` (left) or ``>`` (right)."""

    header: str
    width: int = 0
    align: str = "<"
    clip: bool = False
    gap: str = " "

    def cell(self, text: str) -> str:
        """The text shown (:func:`passport_tui.shown.plain`), clipped and padded to the column's
        width in terminal columns: a Chinese name or an emoji takes two a character, so the
        columns after it still line up."""
        text = plain(text)
        if not self.width:
            return text
        if self.clip:
            text = fitted(text, self.width)
        pad = " " * max(0, self.width - width(text))
        return pad + text if self.align == ">" else text + pad


def table(
    columns: Sequence[Column], rows: Iterable[Sequence[str]], *, indent: str = "", strip: bool = False
) -> None:
    """Print a header line and one line per row, the cells already turned into text (shown as
    :func:`echo` shows a line, before they are padded). ``strip`` drops trailing spaces from the
    rows (not the header)."""
    echo(_line(columns, [c.header for c in columns], indent))
    for row in rows:
        line = _line(columns, row, indent)
        echo(line.rstrip() if strip else line)


def _line(columns: Sequence[Column], cells: Sequence[str], indent: str) -> str:
    parts = [indent]
    for i, (column, text) in enumerate(zip(columns, cells, strict=True)):
        parts.append((column.gap if i else "") + column.cell(text))
    return "".join(parts)
