"""``passport curriculum``: check, import, export and list curricula."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click

from .context import PassportGroup, service
from .output import emit_json, json_option, problems


@dataclass(slots=True)
class CurriculumLine:
    """One curriculum of ``curriculum list``."""

    id: str
    title: str
    version: str
    stages: list[str]
    milestones: int


@click.group(cls=PassportGroup)
def curriculum() -> None:
    """Check, import, export and list curricula."""


@curriculum.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def curriculum_check(files: tuple[str, ...]) -> None:
    """Validate curriculum files (TOML, or CASE JSON) and report every problem as FILE:LINE: message."""
    from ..curriculum import load_curriculum
    from ..errors import CurriculumError
    from ..interop.case import looks_like_case, read_case

    bad = 0
    for f in files:
        try:
            if f.lower().endswith(".json") or looks_like_case(f):
                c, warnings = read_case(f)
                problems(warnings)
            else:
                c = load_curriculum(f)
        except CurriculumError as error:
            bad += 1
            problems(error.lines())
        else:
            click.echo(f"{f}: ok ({c.id}: {len(c.stages)} stages, {len(c.milestones)} milestones)")
    if bad:
        sys.exit(1)


@curriculum.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def curriculum_import(ctx: click.Context, file: str) -> None:
    """Import (or replace) a curriculum from a TOML file or a CASE JSON package (warnings on
    stderr). A new version that leaves out or changes the meaning of a milestone that has
    judgements is refused, with the list, unless its [curriculum] table says what became of each:
    moved = { "OLD" = "NEW" } or retired = ["OLD"]."""
    c, warnings = service(ctx).import_curriculum_with_warnings(file)
    problems(warnings)
    extra = [
        f"{n} {what}"
        for n, what in ((len(c.retired), "retired"), (len(c.curriculum.moved), "moved ids"))
        if n
    ]
    kept = f" ({', '.join(extra)})" if extra else ""
    click.echo(f"Imported {c.id} {c.curriculum.version}: {len(c.milestones)} milestones{kept}")


@curriculum.command("export")
@click.argument("curriculum_id", metavar="ID")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write (TOML).")
@click.pass_context
def curriculum_export(ctx: click.Context, curriculum_id: str, output: str) -> None:
    """Write a curriculum to a new file: TOML, or CASE 1.1 JSON when FILE ends in .json."""
    path = service(ctx).export_curriculum(curriculum_id, output)
    click.echo(f"Wrote {path}")


@curriculum.command("list")
@json_option
@click.pass_context
def curriculum_list(ctx: click.Context, as_json: bool) -> None:
    """List the curricula in the database."""
    rows = [
        CurriculumLine(c.id, c.title, c.curriculum.version, [s.id for s in c.stages], len(c.milestones))
        for c in service(ctx).curricula()
    ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No curricula yet: passport curriculum import FILE")
    for r in rows:
        click.echo(f"{r.id}  {r.version}  {r.milestones} milestones  {r.title}")
