"""``passport export``: figures for other systems (the tracking CSV for the school information
system's marksheets)."""

from __future__ import annotations

import click

from .context import service
from .output import document, echo
from .outputs import force_option, output_option, to_stdout


@click.group("export")
def export() -> None:
    """Export figures for other systems."""


@export.command("tracking")
@output_option("the CSV")
@force_option
@click.option("--window", metavar="WINDOW", help="Window like 2026-autumn (default: the current one).")
@click.option("--class", "class_name", metavar="CLASS", help="Only this class.")
@click.option("--year", "year_group", type=int, help="Only this year group.")
@click.option("--no-bom", is_flag=True, help="Leave out the byte order mark Excel needs to read UTF-8.")
@click.pass_context
def export_tracking(
    ctx: click.Context,
    output: str | None,
    force: bool,
    window: str | None,
    class_name: str | None,
    year_group: int | None,
    no_bom: bool,
) -> None:
    """Write a window's tracking figures as CSV for the school information system's marksheets."""
    from ..interop.export_csv import tracking_csv

    svc = service(ctx)
    if not to_stdout(output):
        svc.check_output(output, force=force)
    text = tracking_csv(svc, window=window, class_name=class_name, year_group=year_group, bom=not no_bom)
    if to_stdout(output):
        document(text)
        return
    path = svc.write_file(output, text, force=force)
    rows = text.count("\r\n") - 1
    echo(f"Wrote {rows} rows to {path}", err=True)
