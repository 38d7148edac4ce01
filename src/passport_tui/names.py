"""What a UPN, a class name, a staff login and a person's name may hold, checked where each enters
(a roster, a OneRoster set, a passport file, a test-score file, ``staff add``).

A UPN, a class or a login names files and folders and reaches terminals: it is printable (no
control character, bidi control, line separator or other invisible character; an ordinary space
is fine), holds no slash or backslash, is not ``.`` or ``..``, and has at most
:data:`MAX_IDENTIFIER` characters. A pupil's or a staff member's name holds no control character,
bidi control or line separator (ordinary spaces and every script's letters are fine); a member of
staff's name has at most :data:`MAX_STAFF_NAME` characters. Each check
returns what is wrong as a sentence, or None, so a reader can put it on the row it came from."""

from __future__ import annotations

import functools
import unicodedata

from .shown import BIDI_CONTROLS

MAX_IDENTIFIER = 40  # characters in a UPN, a class name or a login
MAX_STAFF_NAME = 100  # characters in a member of staff's name ("Ms Hughes")


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


@functools.lru_cache(maxsize=4096)  # a file repeats the same few logins and names
def identifier_problem(text: str, what: str) -> str | None:
    """What is wrong with ``text`` as a UPN, a class name or a login (``what`` names it), or None.
    An empty value is left to the caller (required or not)."""
    bad = [c for c in text if not c.isprintable() or c in "/\\"]
    if bad:
        shown = ", ".join(sorted({_code(c) if not c.isprintable() else repr(c) for c in bad}))
        return f"the {what} holds a character it may not ({shown})"
    if text in (".", ".."):
        return f"the {what} may not be {text!r}"
    if len(text) > MAX_IDENTIFIER:
        return f"the {what} is {len(text)} characters long; at most {MAX_IDENTIFIER}"
    return None


@functools.lru_cache(maxsize=4096)
def name_problem(text: str, what: str, longest: int | None = None) -> str | None:
    """What is wrong with ``text`` as a person's name (``what`` names it), or None: a control
    character (a tab or a line break included), a bidi control, a line or paragraph separator or
    a lone surrogate is refused, and so is a name over ``longest`` characters (when given)."""
    bad = sorted(
        {
            _code(c)
            for c in text
            if ord(c) in BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")
        }
    )
    if bad:
        return f"the {what} holds a character it may not ({', '.join(bad)})"
    if longest is not None and len(text) > longest:
        return f"the {what} is {len(text)} characters long; at most {longest}"
    return None


def checked_identifier(text: str, what: str) -> str:
    """``text`` when it may be a UPN, a class name or a login; else ``ValueError`` saying why."""
    problem = identifier_problem(text, what)
    if problem is not None:
        raise ValueError(problem)
    return text


def checked_name(text: str, what: str, longest: int | None = None) -> str:
    """``text`` when it may be a person's name (of at most ``longest`` characters, when given);
    else ``ValueError`` saying why."""
    problem = name_problem(text, what, longest)
    if problem is not None:
        raise ValueError(problem)
    return text
