"""The glyphs the app draws: a Unicode set, and an ASCII set for terminals without Unicode.
State is always carried by the glyph, never by colour alone (16-colour and NO_COLOR terminals)."""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass

from ..engine import Cell, Flag


@dataclass(frozen=True)
class Glyphs:
    cell: dict[Cell, str]
    flag: dict[Flag, str]
    selected: str
    words: dict[Cell, str]
    left: str = "◂"
    right: str = "▸"
    dash: str = "–"

    def flags(self, flags: list[Flag]) -> str:
        return "".join(self.flag[f] for f in flags)


WORDS = {
    Cell.ACHIEVED: "achieved",
    Cell.REVISIT: "achieved, revisit",
    Cell.GAP: "gap",
    Cell.NEXT: "next step",
    Cell.NOT_YET: "not yet",
    Cell.NOT_ASSESSED: "not assessed",
}

UNICODE = Glyphs(
    cell={
        Cell.ACHIEVED: "●",
        Cell.REVISIT: "◉",
        Cell.GAP: "!",
        Cell.NEXT: "→",
        Cell.NOT_YET: "○",
        Cell.NOT_ASSESSED: "·",
    },
    flag={Flag.FALLING_BEHIND: "▼", Flag.STALLED: "=", Flag.EXCELLING: "▲"},
    selected="✓",
    words=WORDS,
)

ASCII = Glyphs(
    cell={
        Cell.ACHIEVED: "#",
        Cell.REVISIT: "@",
        Cell.GAP: "!",
        Cell.NEXT: ">",
        Cell.NOT_YET: "o",
        Cell.NOT_ASSESSED: ".",
    },
    flag={Flag.FALLING_BEHIND: "v", Flag.STALLED: "=", Flag.EXCELLING: "^"},
    selected="*",
    words=WORDS,
    left="<",
    right=">",
    dash="-",
)


def terminal_speaks_unicode() -> bool:
    """False when the locale's encoding is not UTF-8 (e.g. LANG=C over an old SSH client)."""
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = os.environ.get(var)
        if value:
            return "utf-8" in value.lower() or "utf8" in value.lower()
    return "utf" in (locale.getpreferredencoding(False) or "").lower()


def choose(ascii_only: bool | None) -> Glyphs:
    if ascii_only is None:
        ascii_only = not terminal_speaks_unicode()
    return ASCII if ascii_only else UNICODE
