"""Moments as the database and the files keep them: ISO-8601 text in UTC."""

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
