"""User text as it may be shown on a terminal or a page: control characters made visible and
bidirectional controls dropped, so a name can neither send escape codes nor reorder a line.

This is the one rule for every place user text is shown: the terminal app, every line the
``passport`` command prints, the CSV it exports and the reports it writes. JSON keeps the real
value instead, with the same characters written as ``\\uXXXX`` escapes (:func:`json_escaped`)."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine.groups import GroupFigures

# bidirectional overrides, embeddings, isolates and marks: they would reorder the rest of the line
BIDI_CONTROLS = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_LINE_SEPARATORS = {0x2028, 0x2029}  # a line and a paragraph break to some terminals and editors


def plain(text: str | None, multiline: bool = False) -> str:
    """The text with control characters made visible (ESC shows as ␛, a C1 control as �, U+2028
    and U+2029 as ␤) and bidi controls dropped; line breaks are kept only when ``multiline``."""
    if not text:
        return ""
    out = []
    for ch in text:
        code = ord(ch)
        if code in BIDI_CONTROLS:
            continue
        if multiline and ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif code < 0x20 or code == 0x7F:
            out.append(chr(0x2400 + code) if code < 0x20 else "␡")
        elif code in _LINE_SEPARATORS:
            out.append("␤")
        elif unicodedata.category(ch) in ("Cc", "Cs"):  # C1 controls; a lone surrogate cannot be printed
            out.append("�")
        else:
            out.append(ch)
    return "".join(out)


# what json.dumps(ensure_ascii=False) leaves as it is although a terminal would act on it
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def json_escaped(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with DEL, the C1 controls,
    bidi controls, U+2028, U+2029 and lone surrogates written as ``\\uXXXX`` escapes: the same
    value when read back, nothing a terminal acts on when shown. (Those characters can only occur
    inside JSON strings, where an escape means the same.)"""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def plural(n: int, word: str, words: str | None = None) -> str:
    """A count and its noun: ``1 pupil``, ``3 pupils``, ``0 pupils`` (``words`` when the plural
    is not the word and an s: ``plural(n, "child", "children")``)."""
    return f"{n:,} {word if n == 1 else words or word + 's'}"


def file_size(size: int) -> str:
    """A file's size as a person reads it: ``812 bytes``, ``14.2 kB``, ``243 MB`` (SI units, as
    ``ls -h --si`` and file managers give them)."""
    if size < 1000:
        return plural(size, "byte")
    value, units = size / 1000, ["kB", "MB", "GB", "TB"]
    while value >= 999.5 and len(units) > 1:
        value /= 1000
        units.pop(0)
    unit = units[0]
    return f"{value:.1f} {unit}" if value < 99.95 else f"{value:,.0f} {unit}"


def group_figure(
    figures: GroupFigures | None, value: float | None, *, none: str = "-", suffix: str = ""
) -> str:
    """A group's mean or percentage to one decimal (``62.5``, with ``suffix``: ``62.5%``), or, for
    a group of fewer than five pupils, its count (``n=3``): a percentage of three children says
    more about one child than about the group. The count is of the pupils the figure is over: a
    pupil not assessed yet is in none. ``none`` for no group, no pupils or no figure.

    The one way the terminal app, the command line and the school report show a group's figure."""
    if figures is None or figures.count == 0:
        return none
    if figures.small:
        return f"n={figures.assessed}"
    return none if value is None else f"{value:.1f}{suffix}"
