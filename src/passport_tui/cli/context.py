"""What every command shares: the group class that turns the library's errors into one line each,
the Service a command gets from its context, and the ``--at`` date parser.

The root command keeps its options in ``ctx.obj`` (a dict: ``db``, ``as``, ``service``, ``class``,
``ascii``, ``mouse``); the first command that needs the database opens one Service there, closed
when the command ends. Tests may put an open Service in ``obj["service"]``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import click

from ..errors import PassportError
from ..service import Service
from .output import refusal


class PassportGroup(click.Group):
    """Turns the library's errors into one line each on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PassportError as error:
            refusal(error.lines())
            ctx.exit(1)


def options(ctx: click.Context) -> dict[str, Any]:
    """The root command's options (and the open Service, once there is one)."""
    return ctx.find_root().obj


def service(ctx: click.Context) -> Service:
    """The Service of the database the root command names, opened for the acting member of staff
    on first use."""
    obj = options(ctx)
    if obj.get("service") is None:
        obj["service"] = Service.open(obj["db"], obj["as"], confined=bool(obj.get("confined")))
        ctx.find_root().call_on_close(obj["service"].close)
    return obj["service"]


def parse_at(value: str | None) -> datetime | None:
    """``--at``: an ISO date (noon UTC that day) or date-time (UTC unless it says otherwise)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, 12, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date like 2026-03-14") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
