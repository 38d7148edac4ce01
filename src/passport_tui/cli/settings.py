"""``passport settings``: the school's term dates (DESIGN §2.6)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from ..engine import windows_of_year
from .context import PassportGroup, service
from .output import echo

if TYPE_CHECKING:
    from ..engine import Window
    from ..service import Service


@click.group(cls=PassportGroup)
def settings() -> None:
    """The school's settings: term dates."""


def _month_day(value: str) -> tuple[int, int]:
    try:
        month, day = (int(x) for x in value.split("-"))
        date(2001, month, day)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month and day like 01-05") from None
    return month, day


def _windows(svc: Service) -> list[Window]:
    """This academic year's windows under the school's term dates."""
    return windows_of_year(svc.academic_year(), svc.terms)


@settings.command("terms")
@click.option("--spring", required=True, help="First day of the spring window, MM-DD (default 01-01).")
@click.option("--summer", required=True, help="First day of the summer window, MM-DD (default 04-01).")
@click.pass_context
def settings_terms(ctx, spring, summer) -> None:
    """Set the school's assessment windows (autumn always starts on 1 September)."""
    svc = service(ctx)
    svc.set_term_dates(_month_day(spring), _month_day(summer))
    for w in _windows(svc):
        echo(f"{w.name}: {w.start} to {w.end}")


@settings.command("show")
@click.pass_context
def settings_show(ctx) -> None:
    """Show the windows of this academic year and the current one."""
    svc = service(ctx)
    current = svc.window()
    for w in _windows(svc):
        echo(f"{w.name}: {w.start} to {w.end}" + ("  (current)" if w == current else ""))
