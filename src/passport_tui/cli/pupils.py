"""``passport pupils``: import a roster (the school's CSV, or a OneRoster set) and list pupils."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from ..models import Pupil
from .context import PassportGroup, service
from .output import emit_json, inlined, json_option, problems
from .progress import progress_bar


@dataclass(slots=True)
class PupilLine:
    """A pupil of ``pupils list``: their details with this year's year group (in place of the
    year group they had in the academic year they were recorded for)."""

    pupil: Pupil = field(metadata=inlined("academic_year"))
    year_group: int

    @property
    def groups(self) -> str:
        p = self.pupil
        flags = ",".join(g for g, on in (("PP", p.pupil_premium), ("EAL", p.eal), ("FSM", p.fsm)) if on)
        sen = "" if p.sen == "none" else f"SEN:{p.sen.value}"
        return " ".join(x for x in (flags, sen) if x)


@click.group(cls=PassportGroup)
def pupils() -> None:
    """Import and list pupils."""


@pupils.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--academic-year", type=int, help="Academic year the file's year groups are for (default: this one)."
)
@click.pass_context
def pupils_import(ctx: click.Context, file: str, academic_year: int | None) -> None:
    """Import a roster CSV from the school's information system (updates pupils by UPN)."""
    with progress_bar() as progress:
        done = service(ctx).import_roster(file, academic_year, progress)
    problems(f"{warning} (warning)" for warning in done.warnings)
    click.echo(f"Imported {file}: {done.added} pupils added, {done.updated} updated")


@pupils.command("list")
@click.option("--class", "class_name", help="Only this class.")
@json_option
@click.pass_context
def pupils_list(ctx: click.Context, class_name: str | None, as_json: bool) -> None:
    """List pupils, by class."""
    svc = service(ctx)
    rows = [PupilLine(p, svc.year_group(p)) for p in svc.pupils(class_name)]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        p = r.pupil
        click.echo(
            f"{p.upn:<14} {p.last_name}, {p.first_name}  Y{r.year_group}  "
            f"{p.class_name or '-'}  {r.groups}".rstrip()
        )


@pupils.command("oneroster")
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
    svc = service(ctx)
    with progress_bar() as progress:
        done = svc.import_oneroster(path, academic_year, uk_grades=uk_grades, progress=progress)
    problems(done.skipped)
    problems(f"{problem} (warning)" for problem in done.warnings)
    year = done.academic_year if done.academic_year is not None else svc.academic_year()
    grades = "UK year groups" if done.uk_grades else "US grades"
    click.echo(
        f"Imported {path} (OneRoster {done.version}, {year}/{(year + 1) % 100:02d}, {grades}): "
        f"{done.added} pupils added, {done.updated} updated, {len(done.skipped)} rows skipped"
    )
