"""``passport backup``, ``passport restore`` and ``passport doctor``: looking after the database
file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .context import options, service
from .output import emit_json, json_option


@dataclass(slots=True)
class DoctorReport:
    """What ``doctor`` found: each check (name, ok, detail) and a one-line verdict."""

    path: Path | None
    ok: bool
    verdict: str
    checks: list[Any]  # the service's checks: dataclasses of name, ok and detail


@click.command()
@click.argument("dest", type=click.Path())
@click.option("--force", is_flag=True, help="Replace DEST if it is an earlier backup (atomically).")
@click.pass_context
def backup(ctx: click.Context, dest: str, force: bool) -> None:
    """Copy the database to DEST (a new file, or a folder for a dated file), safely while others
    work (admins).

    The copy is readable by you only and is checked before it takes DEST's name. An existing
    DEST is refused unless --force is given and DEST is a database (an earlier backup); the
    database itself, its -wal and -shm files and symbolic links are always refused.

    \b
    Examples:
      passport backup ~/backups/passport-2026-11-23.db
      passport backup --force /srv/passport/backups/school-Mon.db
    """
    result = service(ctx).backup(dest, force=force)
    click.echo(
        f"Backed up to {result.path} ({result.size:,} bytes, {result.judgements:,} judgements, "
        f"schema {result.schema_version}); integrity check ok."
    )


@click.command()
@click.argument("src", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed when there is no terminal).")
@click.pass_context
def restore(ctx: click.Context, src: str, yes: bool) -> None:
    """Replace the database with the backup SRC.

    SRC must pass an integrity check and come from this or an older passport. The database must
    not be open anywhere else; the replaced one is kept beside it as NAME.before-restore.

    \b
    Example:
      passport restore ~/backups/passport-2026-11-23.db
    """
    from ..service.maintenance import check_may_restore
    from ..service.session import database_file

    obj = options(ctx)
    db_path = database_file(obj["db"])
    check_may_restore(db_path, obj["as"])  # asked first, so a refusal needs no confirmation
    if not yes:
        try:
            agreed = click.confirm(f"Replace {db_path} with {src}?", default=False)
        except click.Abort:  # no terminal or no answer (e.g. CI)
            raise click.ClickException("No answer to the confirmation; pass --yes to restore.") from None
        if not agreed:
            raise click.ClickException("Not restored.")
    from ..service.maintenance import restore_backup

    result = restore_backup(src, db_path, obj["as"])
    kept = f" The replaced database is kept as {result.previous}." if result.previous else ""
    click.echo(f"Restored {result.path} from {result.source} ({result.judgements:,} judgements).{kept}")


@click.command()
@click.option(
    "--rebuild",
    is_flag=True,
    help="First derive every pupil's projected standing again from the log (admins).",
)
@json_option
@click.pass_context
def doctor(ctx: click.Context, rebuild: bool, as_json: bool) -> None:
    """Check the database: integrity, WAL mode and size, file permissions, schema version,
    foreign keys, the append-only triggers and the projections. Exits 1 when any check fails."""
    from ..service.maintenance import verdict

    svc = service(ctx)
    if rebuild:
        written = svc.rebuild_projections()
        if not as_json:
            click.echo(f"Rebuilt {written:,} projections from the log.")
    checks = svc.doctor()
    ok = all(c.ok for c in checks)
    report = DoctorReport(svc.database_path, ok, verdict(checks), checks)
    if as_json:
        emit_json(report)
    else:
        click.echo(f"{report.path}: {report.verdict}")
        for c in checks:
            click.echo(f"  {'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}")
    if not ok:
        ctx.exit(1)
