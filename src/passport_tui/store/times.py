"""Times as the store keeps them: ISO-8601 strings in UTC with their offset
(``2026-11-23T09:15:00+00:00``, with microseconds only when there are any). Strings in that one
form sort in time order, so the log can be compared and windowed as text."""

from __future__ import annotations

from datetime import UTC, datetime

from ..moments import iso_utc, parse_utc

__all__ = ["at_text", "iso_utc", "now_text", "parse_utc"]


def now_text() -> str:
    """The current time as a stored string."""
    return datetime.now(UTC).isoformat()


def at_text(value: datetime | str) -> str:
    """A time given to the store as the stored string. A string already in the stored form
    (``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``, microseconds only when not zero) is checked and kept;
    any other is rewritten into it; one without a time zone is refused."""
    if not isinstance(value, str):
        return iso_utc(value)
    moment = datetime.fromisoformat(value)
    size = len(value)
    if (size == 25 or (size == 32 and moment.microsecond)) and value[10] == "T" and value.endswith("+00:00"):
        return value
    if moment.tzinfo is None:
        raise ValueError(f"{value} has no time zone; give judgement times in UTC")
    return iso_utc(moment)
