"""``passport report`` (parent and school reports) and ``passport comment`` (the teacher's comment
a parent report shows)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from .context import service
from .output import document, echo
from .outputs import force_option, output_option, to_stdout
from .progress import progress_bar


def _since(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-05-23") from None


@click.command()
@click.argument("pupils", nargs=-1, metavar="[PUPIL]...")
@click.option(
    "--class", "class_name", metavar="CLASS", help="A report for every pupil of CLASS, one per page."
)
@click.option("--school", is_flag=True, help="The school report for leaders and governors (HTML).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    help="html (a self-contained page that prints on A4) or md (Markdown); default: from -o's suffix, else html.",
)
@output_option("the report")
@force_option
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    callback=_since,
    help="Start of the period reported on (default: the same date six months ago).",
)
@click.pass_context
def report(
    ctx: click.Context,
    pupils: tuple[str, ...],
    class_name: str | None,
    school: bool,
    fmt: str | None,
    output: str | None,
    force: bool,
    since: date | None,
) -> None:
    """Write a report to parents for PUPIL(s) (UPN or id) or a whole --class, or the --school report.

    A parent report says, per subject, what the child secured in the period, their next three steps,
    how they are doing against the expectation for their year, their target, focus items and the
    teacher's comment (set it with `passport comment`).

    \b
    Examples:
      passport report A123 > ann.html
      passport report A123 -o ann.html
      passport report --class 3K --format md -o 3K.md --since 2026-04-20
      passport report --school -o school.html
    """
    from ..reports import class_parent_report, parent_report, school_report

    chosen = sum([bool(pupils), class_name is not None, school])
    if chosen != 1:
        raise click.UsageError("Give PUPIL(s), --class CLASS or --school (just one of them).")
    if fmt is None:
        fmt = "md" if output and Path(output).suffix.lower() in (".md", ".markdown") else "html"
    svc = service(ctx)
    if not to_stdout(output):  # a file that may not be written is refused before the work
        svc.check_output(output, force=force)
    if school:
        if fmt != "html":
            raise click.UsageError("The school report is HTML only.")
        if since is not None:
            raise click.UsageError("--since is for parent reports; the school report is as of today.")
        with progress_bar() as progress:
            text = school_report(svc, progress)
    elif class_name is not None:
        text = class_parent_report(svc, class_name, fmt, since)  # type: ignore[arg-type]
    else:
        text = parent_report(svc, list(pupils), fmt, since)  # type: ignore[arg-type]
    if to_stdout(output):
        document(text)
        return
    path = svc.write_file(output, text, force=force)
    echo(f"Report written to {path}", err=True)


@click.command()
@click.argument("pupil")
@click.argument("text", nargs=-1, required=True)
@click.option(
    "--curriculum",
    "curriculum_id",
    metavar="ID",
    help="Attach the comment to one subject's section instead of the whole report.",
)
@click.pass_context
def comment(ctx: click.Context, pupil: str, text: tuple[str, ...], curriculum_id: str | None) -> None:
    """Record the teacher's comment on PUPIL for the parent report (the latest one is shown).

    \b
    Example:
      passport comment A123 "Ann has grown in confidence with number this term."
    """
    svc = service(ctx)
    note = svc.add_teacher_comment(pupil, " ".join(text), curriculum_id)
    p = svc.pupil(pupil)
    where = f" ({curriculum_id})" if curriculum_id else ""
    echo(f"Comment recorded for {p.name}{where} by {note.by}.")
