"""``passport transfer``: pupils' passports moved between schools as a portable passport file."""

from __future__ import annotations

import click

from ..shown import plural
from .context import service
from .output import DocumentOut, echo, emit_json, json_option
from .outputs import force_option, output_option, to_stdout
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
@output_option("the passport file")
@force_option
@click.option("--school", metavar="NAME", help="This school's name, written into the file.")
@click.pass_context
def transfer_export(
    ctx: click.Context,
    pupils: tuple[str, ...],
    class_name: str | None,
    year_group: int | None,
    output: str | None,
    force: bool,
    school: str | None,
) -> None:
    """Write the passports of the pupils named (UPN or id), plus those of --class and/or --year,
    to a passport file for the pupils' next school. With no pupil, class or year: every pupil.

    \b
    Examples:
      passport transfer export A123456789012 -o ann.passport.json
      passport transfer export --class 6P > 6P.passport.json
      passport transfer export --year 6 -o leavers-2027.passport.json
    """
    svc = service(ctx)
    chosen = {"class_name": class_name, "year_group": year_group, "school": school}
    keys = list(pupils) or None
    with progress_bar() as progress:
        if to_stdout(output):
            written = svc.export_passports_to(DocumentOut(), keys, progress=progress, **chosen)
            where = "standard output"
        else:
            assert output is not None
            where = str(svc.check_output(output, force=force))
            written = svc.write_passport_file(output, keys, force=force, progress=progress, **chosen)
    curricula = ", ".join(written.curricula) or "none"
    echo(
        f"Wrote {where}: {plural(written.pupils, 'pupil')}, {plural(written.events, 'judgement')} (curricula: {curricula})",
        err=to_stdout(output),
    )


@transfer.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@json_option
@click.pass_context
def transfer_import(ctx: click.Context, file: str, as_json: bool) -> None:
    """Merge a passport file from another school into this database, in one transaction.

    Pupils are matched by UPN (new ones are added), curricula by id and version (one this database
    lacks comes with the file; another version of one we have is refused). History keeps its
    original authors and dates; importing the same file twice adds nothing. Nothing is ever
    downgraded: a milestone achieved here, or achieved in the file, is achieved after the import.
    A bad file is refused, one line per problem, and nothing is changed."""
    with progress_bar() as progress:
        summary = service(ctx).import_passports(file, progress)
    if as_json:  # the summary: what was added, matched, already here or left out, and why
        emit_json(summary)
        return
    for line in summary.lines():
        echo(line)
