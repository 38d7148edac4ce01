"""Times as the store keeps them: ISO-8601 strings in UTC with their offset
(``2026-11-23T09:15:00+00:00``, with microseconds only when there are any). Strings in that one
form sort in time order, so the log can be compared and windowed as text."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_utc(moment: datetime) -> str:
    """An aware datetime as the stored ISO string in UTC; a naive one is refused."""
    zone = moment.tzinfo
    if zone is UTC:
        return moment.isoformat()
    if zone is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; give judgement times in UTC")
    return moment.astimezone(UTC).isoformat()


def parse_utc(text: str) -> datetime:
    """A stored ISO string as an aware datetime in UTC (a string without offset is read as UTC)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


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
