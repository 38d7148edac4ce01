"""``passport transfer``: pupils' passports moved between schools as a portable passport file."""

from __future__ import annotations

import click

from .context import service
from .progress import progress_bar


@click.group("transfer")
def transfer() -> None:
    """Move pupils' passports between schools (a portable passport file, JSON).

    The file holds each pupil's details and full history (every judgement with who and when, test
    scores, targets, focus items, notes) and the curricula used. Its format is published as a JSON
    Schema: passport-file.schema.json."""


@transfer.command("export")
@click.argument("pupils", nargs=-1, metavar="[PUPIL]...")
@click.option("--class", "class_name", metavar="CLASS", help="Every pupil of this class.")
@click.option("--year", "year_group", type=int, metavar="Y", help="Every pupil now in this year group.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write (JSON).")
@click.option("--school", metavar="NAME", help="This school's name, written into the file.")
@click.pass_context
def transfer_export(
    ctx: click.Context,
    pupils: tuple[str, ...],
    class_name: str | None,
    year_group: int | None,
    output: str,
    school: str | None,
) -> None:
    """Write the passports of the pupils named (UPN or id), plus those of --class and/or --year,
    to a passport file for the pupils' next school. With no pupil, class or year: every pupil.

    \b
    Examples:
      passport transfer export A123456789012 -o ann.passport.json
      passport transfer export --year 6 -o leavers-2027.passport.json
    """
    with progress_bar() as progress:
        written = service(ctx).write_passport_file(
            output,
            list(pupils) or None,
            class_name=class_name,
            year_group=year_group,
            school=school,
            progress=progress,
        )
    curricula = ", ".join(written.curricula) or "none"
    click.echo(
        f"Wrote {output}: {written.pupils} pupils, {written.events} judgements (curricula: {curricula})"
    )


@transfer.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def transfer_import(ctx: click.Context, file: str) -> None:
    """Merge a passport file from another school into this database, in one transaction.

    Pupils are matched by UPN (new ones are added), curricula by id and version (one this database
    lacks comes with the file; another version of one we have is refused). History keeps its
    original authors and dates; importing the same file twice adds nothing. Nothing is ever
    downgraded: a milestone achieved here, or achieved in the file, is achieved after the import.
    A bad file is refused, one line per problem, and nothing is changed."""
    with progress_bar() as progress:
        summary = service(ctx).import_passports(file, progress)
    for line in summary.lines():
        click.echo(line)
