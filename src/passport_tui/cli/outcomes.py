"""``passport outcome``: a pupil's personal outcomes, from their EHCP or provision plan. Each is a
milestone of that pupil only, under an area of a curriculum they follow, judged with ``passport
judge PUPIL PO-1 achieved`` like any other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import click

from ..shown import plain as clean
from .context import PassportGroup, service
from .output import echo, emit_json, json_option

CURRICULUM_HELP = "Curriculum id, when the pupil has outcomes of that id in several."


@dataclass(slots=True)
class OutcomeLine:
    """One personal outcome, as ``outcome list`` gives it."""

    curriculum: str
    id: str
    area: str
    area_title: str
    title: str
    source: str | None
    requires: list[str]
    status: str
    achieved_on: str | None
    added_by: str
    added_at: datetime
    retired_at: datetime | None
    retired_by: str | None
    retired_reason: str | None


def _requires(value: str | None) -> list[str] | None:
    return None if value is None else [r for r in value.replace(",", " ").split() if r]


@click.group("outcome", cls=PassportGroup)
def outcome() -> None:
    """A pupil's personal outcomes, from their EHCP or provision plan: milestones of that pupil
    only, under an area of a curriculum they follow, judged like any other milestone (passport
    judge PUPIL PO-1 achieved) and shown on their passport after the curriculum's own."""


@outcome.command("add")
@click.argument("pupil")
@click.argument("curriculum_id", metavar="CURRICULUM")
@click.option(
    "--area", required=True, metavar="STRAND", help="The area (a strand of CURRICULUM), by id or title."
)
@click.option("--title", required=True, help="The outcome: what the pupil will be able to do.")
@click.option("--source", help="Where it comes from (e.g. 'EHCP section E, annual review March 2026').")
@click.option("--requires", metavar="IDS", help="Milestones of CURRICULUM it needs first (comma-separated).")
@click.pass_context
def outcome_add(ctx, pupil, curriculum_id, area, title, source, requires) -> None:
    """Add a personal outcome for PUPIL under an area of CURRICULUM; it gets the next id (PO-1,
    PO-2, …).

    \b
    Example:
      passport outcome add D260001 engagement-model --area initiation \\
        --title "Uses eye pointing to choose between two objects" --source "EHCP section E, 2026"
    """
    o = service(ctx).add_outcome(
        pupil, curriculum_id, area=area, title=title, source=source, requires=_requires(requires)
    )
    echo(f"Added {o.id} for {pupil} in {o.curriculum_id} ({o.area}): {clean(o.title)}")


@outcome.command("list")
@click.argument("pupil")
@click.option("--curriculum", "curriculum_id", help="Only this curriculum's outcomes.")
@json_option
@click.pass_context
def outcome_list(ctx, pupil, curriculum_id, as_json) -> None:
    """PUPIL's personal outcomes, retired ones too, with where they stand."""
    views = service(ctx).outcomes(pupil, curriculum_id)
    lines = [
        OutcomeLine(
            v.outcome.curriculum_id,
            v.outcome.id,
            v.outcome.area,
            v.area_title,
            v.outcome.title,
            v.outcome.source,
            list(v.outcome.requires),
            v.status,
            v.achieved_on,
            v.outcome.by,
            v.outcome.at,
            v.outcome.retired_at,
            v.outcome.retired_by,
            v.outcome.retired_reason,
        )
        for v in views
    ]
    if as_json:
        emit_json(lines)
        return
    if not lines:
        echo("No personal outcomes.")
    for d in lines:
        status = d.status + (f" {d.achieved_on}" if d.achieved_on else "")
        echo(f"{d.curriculum}  {d.id}  [{clean(d.area_title)}]  {status}  {clean(d.title)}")
        if d.source:
            echo(f"    from {clean(d.source)}")
        if d.requires:
            echo(f"    needs {', '.join(d.requires)}")
        if d.retired_at is not None:
            echo(
                f"    retired {d.retired_at.date().isoformat()} by {d.retired_by}: {clean(d.retired_reason)}"
            )


@outcome.command("edit")
@click.argument("pupil")
@click.argument("outcome_id", metavar="ID")
@click.option("--title", help="New wording.")
@click.option("--source", help="Where it comes from (empty to clear).")
@click.option("--area", metavar="STRAND", help="Another area of its curriculum.")
@click.option(
    "--requires", metavar="IDS", help="Milestones it needs first (comma-separated; empty for none)."
)
@click.option("--curriculum", "curriculum_id", help=CURRICULUM_HELP)
@click.pass_context
def outcome_edit(ctx, pupil, outcome_id, title, source, area, requires, curriculum_id) -> None:
    """Change the wording, source, area or prerequisites of PUPIL's outcome ID (e.g. after an
    annual review refines it); its id and judgements stay."""
    o = service(ctx).edit_outcome(
        pupil,
        outcome_id,
        curriculum_id=curriculum_id,
        title=title,
        source=source,
        area=area,
        requires=_requires(requires),
    )
    echo(f"Changed {o.id} for {pupil} ({o.area}): {clean(o.title)}")


@outcome.command("retire")
@click.argument("pupil")
@click.argument("outcome_id", metavar="ID")
@click.option("--reason", required=True, help="Why (e.g. 'replaced at the annual review').")
@click.option("--curriculum", "curriculum_id", help=CURRICULUM_HELP)
@click.pass_context
def outcome_retire(ctx, pupil, outcome_id, reason, curriculum_id) -> None:
    """Retire PUPIL's outcome ID: it leaves their next steps; its judgements and history stay, and
    an achieved outcome stays achieved."""
    o = service(ctx).retire_outcome(pupil, outcome_id, reason=reason, curriculum_id=curriculum_id)
    echo(f"Retired {o.id} for {pupil}: {clean(o.retired_reason)}")


@outcome.command("delete")
@click.argument("pupil")
@click.argument("outcome_id", metavar="ID")
@click.option("--curriculum", "curriculum_id", help=CURRICULUM_HELP)
@click.pass_context
def outcome_delete(ctx, pupil, outcome_id, curriculum_id) -> None:
    """Delete PUPIL's outcome ID, added by mistake. One with judgements (or a focus item or target
    on it) cannot be deleted: retire it instead."""
    service(ctx).delete_outcome(pupil, outcome_id, curriculum_id=curriculum_id)
    echo(f"Deleted {outcome_id} for {pupil}")
