"""User text (names, titles, notes) shown literally: never markup, never terminal escape codes."""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content

# bidirectional overrides and isolates would reorder the rest of the terminal line
_BIDI_CONTROLS = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def plain(text: str | None, multiline: bool = False) -> str:
    """The text with control characters made visible (ESC shows as ␛) and bidi controls dropped;
    line breaks are kept only when ``multiline``."""
    if not text:
        return ""
    out = []
    for ch in text:
        code = ord(ch)
        if code in _BIDI_CONTROLS:
            continue
        if multiline and ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif code < 0x20 or code == 0x7F:
            out.append(chr(0x2400 + code) if code < 0x20 else "␡")
        elif unicodedata.category(ch) == "Cc":
            out.append("�")
        else:
            out.append(ch)
    return "".join(out)


def content(text: str | None, multiline: bool = True) -> Content:
    """User text as Textual Content: shown as typed, no markup parsed."""
    return Content(plain(text, multiline))


def rich_text(text: str | None, style: str = "") -> Text:
    return Text(plain(text), style=style)


def fit(text: str, width: int) -> str:
    """Cut or pad to exactly ``width`` terminal cells (wide characters counted as two)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)
