"""User text as it may be shown on a terminal or a page: control characters made visible and
bidirectional controls dropped, so a name can neither send escape codes nor reorder a line."""

from __future__ import annotations

import unicodedata

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
