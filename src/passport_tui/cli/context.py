"""What every command shares: the group class that turns the library's errors into one line each,
the Service a command gets from its context, and the ``--at`` date parser.

The root command keeps its options in ``ctx.obj`` (a dict: ``db``, ``as``, ``service``, ``class``,
``ascii``, ``mouse``, ``may_create``, ``db_given``); the first command that needs the database opens
one Service there, closed when the command ends. Only ``init``, ``demo`` and the app on the default
database (``may_create``) may create the file; every other command refuses a missing one. Tests may put an open Service in ``obj["service"]``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from ..errors import PassportError
from ..service import Service, database_fault
from ..service.session import database_file
from .output import refusal


class PassportGroup(click.Group):
    """Turns the library's errors into one line each on stderr and exit status 1, and so a fault
    of the database file that a read meets (damaged, busy, read-only, disk full: see
    ``database_fault``)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PassportError as error:
            refusal(error.lines())
            ctx.exit(1)
        except Exception as error:
            known = database_fault(error, _database(ctx))
            if known is None:
                raise
            refusal(known.lines())
            ctx.exit(1)


def _database(ctx: click.Context) -> Path | None:
    """The database file the command works on: the open Service's, else the one named."""
    obj = ctx.find_root().obj
    if not isinstance(obj, dict):
        return None
    if obj.get("service") is not None:
        return obj["service"].database_path
    return database_file(obj.get("db"))


def options(ctx: click.Context) -> dict[str, Any]:
    """The root command's options (and the open Service, once there is one)."""
    return ctx.find_root().obj


def service(ctx: click.Context) -> Service:
    """The Service of the database the root command names, opened for the acting member of staff
    on first use."""
    obj = options(ctx)
    if obj.get("service") is None:
        if not obj.get("may_create", True):
            require_database(obj)
        obj["service"] = Service.open(obj["db"], obj["as"], confined=bool(obj.get("confined")))
        ctx.find_root().call_on_close(obj["service"].close)
    return obj["service"]


def require_database(obj: dict[str, Any]) -> None:
    """Refuse, in one line, a database file that does not exist (a typo in ``--db`` must not
    make a new empty school); say how to create one. Nothing is created."""
    from ..service.session import database_file

    path = database_file(obj["db"])
    if str(path) != ":memory:" and not path.exists():
        db = f"--db {click.format_filename(path)} " if obj.get("db_given") else ""
        raise PassportError(
            f"No database at {click.format_filename(path)}: create it with 'passport {db}init' "
            f"(or try 'passport {db}demo' for a demo school)."
        )


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
