"""Commands for OneRoster import (``passport pupils oneroster``) and the tracking CSV export
(``passport export tracking``). The lead's ``cli`` attaches them; the service comes from
``cli.service(ctx)``, imported inside each command so that importing this module stays cheap."""

from __future__ import annotations

from pathlib import Path

import click

from ..interop.export_csv import tracking_csv


@click.command("oneroster")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--academic-year",
    type=int,
    help="Academic year (the year it starts) the set's grades are for (default: the set's school year).",
)
@click.option(
    "--uk-grades/--us-grades",
    default=None,
    help="Read grades as UK year groups, or as US grades (default: UK when the set says it is from the UK).",
)
@click.pass_context
def oneroster(ctx: click.Context, path: Path, academic_year: int | None, uk_grades: bool | None) -> None:
    """Import the students of a OneRoster CSV set (1.1 or 1.2; a folder or a .zip), by UPN."""
    from ..cli import service

    svc = service(ctx)
    done = svc.import_oneroster(path, academic_year, uk_grades=uk_grades)
    for problem in done.skipped:
        click.echo(problem, err=True)
    for problem in done.warnings:
        click.echo(f"{problem} (warning)", err=True)
    year = done.academic_year or svc.academic_year()
    grades = "UK year groups" if done.uk_grades else "US grades"
    click.echo(
        f"Imported {path} (OneRoster {done.version}, {year}/{(year + 1) % 100:02d}, {grades}): "
        f"{done.added} pupils added, {done.updated} updated, {len(done.skipped)} rows skipped"
    )


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
    from ..cli import service

    text = tracking_csv(
        service(ctx), window=window, class_name=class_name, year_group=year_group, bom=not no_bom
    )
    if output == "-":
        click.echo(text, nl=False)
        return
    with open(output, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    rows = text.count("\r\n") - 1
    click.echo(f"Wrote {rows} rows to {output}", err=True)
