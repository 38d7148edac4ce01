"""``passport curriculum``: check, import, export and list curricula."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import click

from ..shown import plural
from .context import PassportGroup, service
from .output import document, echo, emit_json, json_option, problems
from .outputs import force_option, output_option, to_stdout


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


@dataclass(slots=True)
class CheckedFile:
    """One file of ``curriculum check``: its curriculum when it is good, else every problem as
    ``FILE:LINE: message``."""

    file: str
    ok: bool
    id: str | None = None
    stages: int | None = None
    milestones: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@curriculum.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@json_option
def curriculum_check(files: tuple[str, ...], as_json: bool) -> None:
    """Validate curriculum files (TOML, or CASE JSON) and report every problem as FILE:LINE:
    message (exit status 1 when a file has one; with --json, each file's result on stdout)."""
    from ..curriculum import load_curriculum
    from ..errors import CurriculumError
    from ..interop.case import looks_like_case, read_case

    checked = []
    for f in files:
        warnings: list[str] = []
        try:
            if f.lower().endswith(".json") or looks_like_case(f):
                c, warnings = read_case(f)
            else:
                c = load_curriculum(f)
        except CurriculumError as error:
            checked.append(CheckedFile(f, False, problems=error.lines()))
        else:
            checked.append(CheckedFile(f, True, c.id, len(c.stages), len(c.milestones), warnings=warnings))
    if as_json:
        emit_json(checked)
    else:
        for one in checked:
            problems(one.warnings)
            problems(one.problems)
            if one.ok:
                counts = f"{plural(one.stages or 0, 'stage')}, {plural(one.milestones or 0, 'milestone')}"
                echo(f"{one.file}: ok ({one.id}: {counts})")
    if not all(one.ok for one in checked):
        sys.exit(1)


class FileOrId(click.Path):
    """A curriculum file to read, or a shipped curriculum's id: an input, so over SSH it is a plain
    name in the staff member's folder, or ``-`` for standard input."""

    is_input = True


FILE_OR_ID = FileOrId(dir_okay=False)


@curriculum.command("import")
@click.argument("file", metavar="FILE|ID", type=FILE_OR_ID)
@json_option
@click.pass_context
def curriculum_import(ctx: click.Context, file: str, as_json: bool) -> None:
    """Import (or replace) a curriculum from a TOML file or a CASE JSON package (warnings on
    stderr), or one shipped with passport by its id (see 'curriculum list --shipped'), e.g.
    'passport curriculum import key-maths'. A new version that leaves out or changes the meaning
    of a milestone that has judgements is refused, with the list, unless its [curriculum] table
    says what became of each: moved = { "OLD" = "NEW" } or retired = ["OLD"]."""
    path = shipped_or_file(file)
    c, warnings = service(ctx).import_curriculum_with_warnings(path)
    if as_json:  # the warnings in it, not on stderr as well
        emit_json(
            CurriculumImported(
                path,
                c.id,
                c.curriculum.version,
                c.title,
                len(c.milestones),
                sorted(c.retired),
                dict(c.curriculum.moved),
                path != file,
                warnings,
            )
        )
        return
    problems(warnings)
    extra = [f"{len(c.retired)} retired"] if c.retired else []
    extra += [plural(len(c.curriculum.moved), "moved id")] if c.curriculum.moved else []
    kept = f" ({', '.join(extra)})" if extra else ""
    shipped = f" (shipped with passport: {path})" if path != file else ""
    echo(f"Imported {c.id} {c.curriculum.version}: {plural(len(c.milestones), 'milestone')}{kept}{shipped}")


@dataclass(slots=True)
class CurriculumImported:
    """What ``curriculum import`` stored: the curriculum, with the milestones no longer taught and
    the ids that moved, and whether it was one shipped with passport."""

    file: str
    id: str
    version: str
    title: str
    milestones: int
    retired: list[str]
    moved: dict[str, str]
    shipped: bool
    warnings: list[str]


def shipped_or_file(text: str) -> str:
    """FILE|ID: an existing file as it is; else the file of the shipped curriculum with that id."""
    from pathlib import Path

    from ..errors import PassportError
    from ..resources import shipped_curricula, shipped_curriculum

    if Path(text).is_file():
        return text
    found = None if Path(text).exists() else shipped_curriculum(text)
    if found is None:
        ids = ", ".join(c.id for c in shipped_curricula())
        raise PassportError(f"No file {text!r}, and no curriculum shipped with that id (shipped: {ids}).")
    return str(found.path)


@curriculum.command("export")
@click.argument("curriculum_id", metavar="ID")
@output_option("the curriculum")
@force_option
@click.option("--case", "as_case", is_flag=True, help="CASE 1.1 JSON (the default when FILE ends in .json).")
@click.pass_context
def curriculum_export(
    ctx: click.Context, curriculum_id: str, output: str | None, force: bool, as_case: bool
) -> None:
    """Write a curriculum (admins) as TOML, or CASE 1.1 JSON when FILE ends in .json, to a new
    FILE or to standard output.

    \b
    Examples:
      passport curriculum export nc-maths-ks2 -o maths.toml
      passport curriculum export nc-maths-ks2 --case > maths.json
    """
    svc = service(ctx)
    if to_stdout(output):
        document(svc.curriculum_text(curriculum_id, case=as_case))
        return
    assert output is not None
    if as_case and not output.lower().endswith(".json"):
        raise click.UsageError("--case writes JSON: give FILE a .json suffix.")
    path = svc.export_curriculum(curriculum_id, output, force=force)
    echo(f"Wrote {path}")


@dataclass(slots=True)
class ShippedLine:
    """One curriculum of ``curriculum list --shipped``."""

    id: str
    title: str
    file: str


@curriculum.command("list")
@click.option(
    "--shipped", is_flag=True, help="List the curricula shipped with passport (import one by its id)."
)
@json_option
@click.pass_context
def curriculum_list(ctx: click.Context, shipped: bool, as_json: bool) -> None:
    """List the curricula in the database (or, with --shipped, those shipped with passport)."""
    if shipped:
        from ..resources import shipped_curricula

        lines = [ShippedLine(c.id, c.title, str(c.path)) for c in shipped_curricula()]
        if as_json:
            emit_json(lines)
            return
        width = max(len(line.id) for line in lines)
        for line in lines:
            echo(f"{line.id:<{width}}  {line.title}")
        echo("Import one with: passport curriculum import ID")
        return
    rows = [
        CurriculumLine(c.id, c.title, c.curriculum.version, [s.id for s in c.stages], len(c.milestones))
        for c in service(ctx).curricula()
    ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        echo("No curricula yet: passport curriculum import FILE|ID (see --shipped)")
    for r in rows:
        echo(f"{r.id}  {r.version}  {plural(r.milestones, 'milestone')}  {r.title}")
