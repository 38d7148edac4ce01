"""``passport export``: figures for other systems (the tracking CSV for the school information
system's marksheets)."""

from __future__ import annotations

import click

from .context import service
from .output import document, echo


@click.group("export")
def export() -> None:
    """Export figures for other systems."""


@export.command("tracking")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="CSV file to write ('-' for standard output).",
)
@click.option("--window", metavar="WINDOW", help="Window like 2026-autumn (default: the current one).")
@click.option("--class", "class_name", metavar="CLASS", help="Only this class.")
@click.option("--year", "year_group", type=int, help="Only this year group.")
@click.option("--no-bom", is_flag=True, help="Leave out the byte order mark Excel needs to read UTF-8.")
@click.pass_context
def export_tracking(
    ctx: click.Context,
    output: str,
    window: str | None,
    class_name: str | None,
    year_group: int | None,
    no_bom: bool,
) -> None:
    """Write a window's tracking figures as CSV for the school information system's marksheets."""
    from ..interop.export_csv import tracking_csv

    text = tracking_csv(
        service(ctx), window=window, class_name=class_name, year_group=year_group, bom=not no_bom
    )
    if output == "-":
        document(text)
        return
    with open(output, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    rows = text.count("\r\n") - 1
    echo(f"Wrote {rows} rows to {output}", err=True)
