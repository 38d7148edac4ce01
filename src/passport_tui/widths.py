"""How wide text is on a terminal, for the command line's tables: a CJK character or an emoji
takes two columns, a combining accent none, counted as Rich (and so the terminal app) counts them.

Apart from :mod:`passport_tui.shown` because the engine imports that (through its errors) and the
engine is pure; Rich is imported only when a table is printed, so scripted commands start without it."""

from __future__ import annotations


def width(text: str) -> int:
    """How many terminal columns the text takes: a CJK character or an emoji takes two, a
    combining accent none (as Rich and so the terminal app count them)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len  # only when a table is printed: scripted commands start without Rich

    return cell_len(text)


def fitted(text: str, columns: int) -> str:
    """The text cut to at most ``columns`` terminal columns, never through a wide character."""
    if width(text) <= columns:
        return text
    from rich.cells import set_cell_size

    return set_cell_size(text, columns).rstrip(" ") if not text.isascii() else text[:columns]
