"""``passport pupils``: add and edit a pupil, import a roster (the school's CSV, or a OneRoster
set) and list pupils."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from ..engine import year_label
from ..models import Pupil
from ..shown import plain
from .context import PassportGroup, service
from .output import echo, emit_json, inlined, json_option, problems, to_json
from .progress import progress_bar


@dataclass(slots=True)
class PupilLine:
    """A pupil of ``pupils list``: their details with this year's year group (in place of the
    year group they had in the academic year they were recorded for)."""

    pupil: Pupil = field(metadata=inlined("academic_year"))
    year_group: int
    year: str  # the year group in words: "Reception", "Year 3"

    @property
    def groups(self) -> str:
        p = self.pupil
        flags = ",".join(g for g, on in (("PP", p.pupil_premium), ("EAL", p.eal), ("FSM", p.fsm)) if on)
        sen = "" if p.sen == "none" else f"SEN:{p.sen.value}"
        return " ".join(x for x in (flags, sen) if x)


@click.group(cls=PassportGroup)
def pupils() -> None:
    """Add, edit, import and list pupils."""


YEAR_HELP = "Year group this school year: R (Reception) or 1 to 13."


@pupils.command("add")
@click.option("--name", required=True, help='The child\'s name: "First Surname" (or "Surname, First").')
@click.option("--year", required=True, help=YEAR_HELP)
@click.option("--class", "class_name", help="Class (optional; a teacher adds to one of their own).")
@click.option("--upn", help="The DfE UPN, if the child has one (otherwise the passport gives an id).")
@click.option("--dob", help="Date of birth, YYYY-MM-DD or DD/MM/YYYY (optional).")
@json_option
@click.pass_context
def pupils_add(ctx, name: str, year: str, class_name: str | None, upn, dob, as_json: bool) -> None:
    """Add one pupil: no UPN needed (a family or a tutor has none; the passport gives an id like
    P0001, which can never be a DfE UPN, and the real UPN can be set later with 'pupils edit')."""
    saved = service(ctx).add_pupil(name, year, class_name=class_name, upn=upn, dob=dob)
    problems(f"{warning} (warning)" for warning in saved.warnings)
    p = saved.pupil
    if as_json:
        emit_json({**to_json(_line(saved)), "passport_id": saved.passport_id})
        return
    what = f"{plain(p.name)} ({year_label(saved.year_group)}{f', class {plain(p.class_name)}' if p.class_name else ''})"
    if saved.passport_id:
        echo(
            f"Added {what} as {p.upn}: the passport's own id, not a DfE UPN "
            f"(give a real UPN later with 'passport pupils edit {p.upn} --upn UPN')."
        )
    else:
        echo(f"Added {what} with UPN {p.upn}.")


@pupils.command("edit")
@click.argument("pupil", metavar="PUPIL")
@click.option("--name", help='New name: "First Surname" (or "Surname, First").')
@click.option("--year", help=YEAR_HELP)
@click.option("--class", "class_name", help="New class ('' for none).")
@click.option("--dob", help="Date of birth, YYYY-MM-DD or DD/MM/YYYY ('' for none).")
@click.option("--upn", help="New UPN (admins; the pupil keeps every judgement).")
@json_option
@click.pass_context
def pupils_edit(ctx, pupil: str, name, year, class_name, dob, upn, as_json: bool) -> None:
    """Change a pupil's details (PUPIL is a UPN, in any case, or a pupil id); what is not given
    stays as it is."""
    changes = {k: v for k, v in (("class_name", class_name), ("dob", dob)) if v is not None}
    saved = service(ctx).edit_pupil(pupil, name=name, year=year, upn=upn, **changes)
    problems(f"{warning} (warning)" for warning in saved.warnings)
    if as_json:
        emit_json({**to_json(_line(saved)), "changed": saved.changed})
        return
    p = saved.pupil
    if not saved.changed:
        echo(f"Nothing to change for {plain(p.name)} ({p.upn}).")
        return
    echo(
        f"Changed the {_and(saved.changed)} of {plain(p.name)} ({p.upn}, {year_label(saved.year_group)}"
        f"{f', class {plain(p.class_name)}' if p.class_name else ''})."
    )


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _line(saved) -> PupilLine:
    return PupilLine(saved.pupil, saved.year_group, year_label(saved.year_group))


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
    echo(f"Imported {file}: {done.added} pupils added, {done.updated} updated")


@pupils.command("list")
@click.option("--class", "class_name", help="Only this class.")
@json_option
@click.pass_context
def pupils_list(ctx: click.Context, class_name: str | None, as_json: bool) -> None:
    """List pupils, by class."""
    svc = service(ctx)
    rows = []
    for p in svc.pupils(class_name):
        year = svc.year_group(p)
        rows.append(PupilLine(p, year, year_label(year)))
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        p = r.pupil
        name = f"{p.last_name}, {p.first_name}" if p.last_name else p.first_name
        short = "R" if r.year_group == 0 else f"Y{r.year_group}"
        echo(f"{p.upn:<14} {plain(name)}  {short}  {plain(p.class_name) or '-'}  {r.groups}".rstrip())


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
    echo(
        f"Imported {path} (OneRoster {done.version}, {year}/{(year + 1) % 100:02d}, {grades}): "
        f"{done.added} pupils added, {done.updated} updated, {len(done.skipped)} rows skipped"
    )
