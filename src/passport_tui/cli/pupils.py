"""``passport pupils``: add and edit a pupil, import a roster (the school's CSV, or a OneRoster
set), list pupils, and erase a pupil or the leavers past the retention period."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..engine import year_label
from ..models import Pupil
from ..shown import plain, plural
from .context import PassportGroup, service
from .output import echo, emit_json, inlined, json_option, problems, to_json
from .progress import progress_bar

if TYPE_CHECKING:
    from ..service.imports import RosterImported


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


@dataclass(slots=True)
class RosterLine:
    """What ``pupils import`` or ``pupils oneroster`` did, for ``--json``."""

    file: str
    done: RosterImported = field(metadata=inlined())


@click.group(cls=PassportGroup)
def pupils() -> None:
    """Add, edit, import, list and erase pupils."""


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
@click.option(
    "--left",
    help="The date the pupil left the school, YYYY-MM-DD or DD/MM/YYYY ('' when back on roll; admins). "
    "See 'pupils leavers'.",
)
@json_option
@click.pass_context
def pupils_edit(ctx, pupil: str, name, year, class_name, dob, upn, left, as_json: bool) -> None:
    """Change a pupil's details (PUPIL is a UPN, in any case, or a pupil id); what is not given
    stays as it is."""
    changes = {k: v for k, v in (("class_name", class_name), ("dob", dob), ("left", left)) if v is not None}
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
@json_option
@click.pass_context
def pupils_import(ctx: click.Context, file: str, academic_year: int | None, as_json: bool) -> None:
    """Import a roster CSV from the school's information system (updates pupils by UPN)."""
    with progress_bar() as progress:
        done = service(ctx).import_roster(file, academic_year, progress)
    if as_json:  # the warnings in it, not on stderr as well
        emit_json(RosterLine(file, done))
        return
    problems(f"{warning} (warning)" for warning in done.warnings)
    echo(f"Imported {file}: {plural(done.added, 'pupil')} added, {done.updated} updated")


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
@json_option
@click.pass_context
def oneroster(
    ctx: click.Context, path: Path, academic_year: int | None, uk_grades: bool | None, as_json: bool
) -> None:
    """Import the students of a OneRoster CSV set (1.1 or 1.2; a folder or a .zip), by UPN."""
    svc = service(ctx)
    with progress_bar() as progress:
        done = svc.import_oneroster(path, academic_year, uk_grades=uk_grades, progress=progress)
    year = done.academic_year if done.academic_year is not None else svc.academic_year()
    if as_json:  # the rows skipped and the warnings in it, not on stderr as well
        done.academic_year = year
        emit_json(RosterLine(str(path), done))
        return
    problems(done.skipped)
    problems(f"{problem} (warning)" for problem in done.warnings)
    grades = "UK year groups" if done.uk_grades else "US grades"
    echo(
        f"Imported {path} (OneRoster {done.version}, {year}/{(year + 1) % 100:02d}, {grades}): "
        f"{plural(done.added, 'pupil')} added, {done.updated} updated, {plural(len(done.skipped), 'row')} skipped"
    )


# --- erasure and leavers (UK GDPR) ------------------------------------------------------------

REASON_HELP = "Why (kept in the erasure log, so no names or UPNs)"


def _confirm(question: str, what: str) -> None:
    """Ask on a terminal; without one (a script, a pipe) refuse: --yes says it."""
    if not sys.stdin.isatty():
        raise click.ClickException(f"No terminal to confirm on; pass --yes to {what}.")
    if not click.confirm(question, default=False):
        raise click.ClickException("Nothing erased.")


def _erased_line(e) -> str:
    tables = ", ".join(f"{n} {table}" for table, n in e.erased.tables.items())
    return f"Erased {plain(e.name)} ({plain(e.upn)}): {e.erased.rows} rows ({tables}); erasure {e.erased.erasure}."


def _not_checkpointed() -> None:
    problems(
        [
            "another session has the database open, so the erased rows may stay in its -wal file until "
            "every session closes (warning)"
        ]
    )


@pupils.command("erase")
@click.argument("pupil", metavar="PUPIL")
@click.option("--reason", required=True, help=f"{REASON_HELP}: e.g. 'erasure request', 'retention period'.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed when there is no terminal).")
@json_option
@click.pass_context
def pupils_erase(ctx: click.Context, pupil: str, reason: str, yes: bool, as_json: bool) -> None:
    """Erase a pupil (admins): every judgement, note, comment, test score, target, focus item,
    moderation row, pathway and personal outcome, and the pupil, in one transaction. It cannot be
    undone; the erasure log keeps when, who, why and how many rows, nothing personal. Backups made
    before still hold the pupil: erase those under the school's retention policy.

    \b
    Example:
      passport pupils erase K801200000001 --reason "erasure request"
    """
    svc = service(ctx)
    found = svc.check_erasure(pupil, reason)  # every check first, so a refusal asks nothing
    if not yes:
        _confirm(
            plain(f"Erase every record of {found.name} ({found.upn})? This cannot be undone."),
            "erase the pupil",
        )
    done = svc.erase_pupil(pupil, reason)
    if as_json:
        emit_json(_erased_json(done))
    else:
        echo(_erased_line(done))
    if not done.erased.checkpointed:
        _not_checkpointed()


def _erased_json(e) -> dict:
    return {
        "upn": e.upn,
        "erasure": e.erased.erasure,
        "rows": e.erased.rows,
        "tables": e.erased.tables,
        "checkpointed": e.erased.checkpointed,
    }


@pupils.command("leavers")
@click.option(
    "--left-before",
    metavar="DATE",
    help="Only pupils who left before DATE (YYYY-MM-DD): those past the school's retention period.",
)
@click.option("--erase", is_flag=True, help="Erase them, each as 'pupils erase' does (needs --left-before).")
@click.option("--reason", help=f"{REASON_HELP}; default 'retention period: left before DATE'.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed when there is no terminal).")
@json_option
@click.pass_context
def pupils_leavers(
    ctx: click.Context, left_before: str | None, erase: bool, reason: str | None, yes: bool, as_json: bool
) -> None:
    """List the pupils who have left (admins), and with --erase erase those who left before
    --left-before. A pupil has left once an admin records the date: 'pupils edit PUPIL --left DATE'.

    \b
    Examples:
      passport pupils leavers
      passport pupils leavers --left-before 2020-09-01 --erase
    """
    svc = service(ctx)
    if not erase:
        if reason is not None:
            raise click.UsageError("--reason goes with --erase.")
        found = svc.leavers(left_before)
        if as_json:
            emit_json(
                [{**to_json(_leaver_line(svc, x.pupil)), "left_on": x.left_on.isoformat()} for x in found]
            )
            return
        for x in found:
            p = x.pupil
            name = f"{p.last_name}, {p.first_name}" if p.last_name else p.first_name
            echo(f"{p.upn:<14} {plain(name)}  left {x.left_on.isoformat()}  {plain(p.class_name) or '-'}")
        since = f" before {left_before}" if left_before else ""
        echo(f"{len(found)} {'pupil' if len(found) == 1 else 'pupils'} left{since}.")
        return
    found = svc.check_leavers_erasure(left_before or "", reason)
    if found and not yes:
        who = f"{len(found)} {'pupil' if len(found) == 1 else 'pupils'}"
        _confirm(
            f"Erase every record of {who} who left before {left_before}? This cannot be undone.", "erase them"
        )
    erased = svc.erase_leavers(left_before or "", reason) if found else []
    if as_json:
        emit_json([_erased_json(e) for e in erased])
    else:
        for e in erased:
            echo(_erased_line(e))
        echo(
            f"Erased {len(erased)} {'pupil' if len(erased) == 1 else 'pupils'} who left before {left_before}."
        )
    if erased and not erased[-1].erased.checkpointed:
        _not_checkpointed()


def _leaver_line(svc, p: Pupil) -> PupilLine:
    year = svc.year_group(p)
    return PupilLine(p, year, year_label(year))
