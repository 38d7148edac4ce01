"""``passport backup``, ``passport restore`` and ``passport doctor``: looking after the database
file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..shown import file_size, plain, plural
from .context import options, service
from .output import echo, emit_json, json_option
from .progress import progress_bar


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
    with progress_bar() as progress:
        result = service(ctx).backup(dest, force=force, progress=progress)
    echo(
        f"Backed up to {result.path} ({file_size(result.size)}, {plural(result.judgements, 'judgement')}, "
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
            agreed = click.confirm(plain(f"Replace {db_path} with {src}?"), default=False)
        except click.Abort:  # no terminal or no answer (e.g. CI)
            raise click.ClickException("No answer to the confirmation; pass --yes to restore.") from None
        if not agreed:
            raise click.ClickException("Not restored.")
    from ..service.maintenance import restore_backup

    result = restore_backup(src, db_path, obj["as"])
    kept = f" The replaced database is kept as {result.previous}." if result.previous else ""
    echo(f"Restored {result.path} from {result.source} ({plural(result.judgements, 'judgement')}).{kept}")


@click.command()
@click.option(
    "--rebuild",
    is_flag=True,
    help="First derive every pupil's projected standing again from the log and restore the append-only "
    "triggers (admins).",
)
@json_option
@click.pass_context
def doctor(ctx: click.Context, rebuild: bool, as_json: bool) -> None:
    """Check the database: integrity, WAL mode and size, file permissions and whether it can be
    written, schema version, foreign keys, the append-only triggers (their SQL as the schema makes
    them) and the projections. Exits 1 when any check fails; a file that can't be opened (damaged,
    not a database, read-only folder) fails too.

    --rebuild (admins) first derives the projections again and restores the append-only
    triggers."""
    from ..errors import DatabaseBusy, DatabaseFault
    from ..service.maintenance import doctor_unopened, verdict
    from ..service.session import database_file

    try:
        svc = service(ctx)
    except DatabaseFault as error:
        if isinstance(error, DatabaseBusy) or rebuild:
            raise
        path = database_file(options(ctx)["db"])
        checks = doctor_unopened(path, error)
        _doctor_report(ctx, DoctorReport(path, False, verdict(checks), checks), as_json)
        return
    if rebuild:
        written = svc.rebuild_projections()
        restored = svc.restore_triggers()
        if not as_json:
            echo(f"Rebuilt {plural(written, 'projection')} from the log.")
            if restored:
                echo(f"Restored the append-only trigger(s): {', '.join(restored)}.")
    checks = svc.doctor()
    ok = all(c.ok for c in checks)
    _doctor_report(ctx, DoctorReport(svc.database_path, ok, verdict(checks), checks), as_json)


def _doctor_report(ctx: click.Context, report: DoctorReport, as_json: bool) -> None:
    if as_json:
        emit_json(report)
    else:
        echo(f"{report.path}: {report.verdict}")
        for c in report.checks:
            echo(f"  {'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}")
    if not report.ok:
        ctx.exit(1)
