"""User text (names, titles, notes) shown literally: never markup, never terminal escape codes."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content

from ..shown import plain

__all__ = ["content", "plain"]


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
