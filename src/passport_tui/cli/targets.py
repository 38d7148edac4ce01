"""``passport target``: personal targets (points, or milestones by a date) with a reason, and
their history (DESIGN §2.8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from .context import PassportGroup, service
from .output import echo, emit_json, json_option

if TYPE_CHECKING:
    from ..termly import TargetView


@dataclass(slots=True)
class TargetChange:
    """One personal target set (or cleared) in the past."""

    academic_year: int
    points: int | None
    milestones: list[str] | None
    due: date | None
    default: bool
    reason: str
    by: str
    at: datetime


@dataclass(slots=True)
class TargetLine:
    """A pupil's target in one curriculum and its history."""

    upn: str
    name: str
    curriculum: str
    points: int | None
    milestones: list[str]
    due: date | None
    personal: bool
    status: str
    reason: str | None
    history: list[TargetChange]

    @classmethod
    def of(cls, v: TargetView) -> TargetLine:
        return cls(
            v.pupil.upn,
            v.pupil.name,
            v.curriculum_id,
            v.points,
            v.milestones,
            v.due,
            v.personal,
            v.status,
            v.reason,
            [
                TargetChange(t.academic_year, t.points, t.milestones, t.due, t.clears, t.reason, t.by, t.at)
                for t in v.history
            ],
        )


def _target_what(points: int | None, milestones: list[str] | None, due: date | None) -> str:
    if milestones:
        return f"milestones {', '.join(milestones)}" + (f" by {due.isoformat()}" if due else "")
    if points is not None:
        return f"{points} points"
    return "the default target"


def _print_target(v: TargetLine, history: bool = True) -> None:
    if v.points is None and not v.milestones:
        current = "no target (no points in this curriculum)"
    else:
        current = _target_what(v.points, v.milestones, v.due)
    kind = f"personal: {v.reason}" if v.personal else "default"
    echo(f"{v.name} ({v.upn}), {v.curriculum}: {current} ({kind}) — {v.status}")
    if history and v.history:
        echo("  history:")
        for t in v.history:
            echo(
                f"    {t.at.date().isoformat()}  {t.by:<12} {_target_what(t.points, t.milestones, t.due)}"
                f" — {t.reason}"
            )


@click.group(cls=PassportGroup)
def target() -> None:
    """Personal targets (points, or milestones by a date) with a reason, and their history."""


@target.command("set")
@click.argument("pupil")
@click.option("--curriculum", "curriculum_id", required=True, help="Curriculum id.")
@click.option("--points", type=int, help="A points target.")
@click.option("--milestones", metavar="ID,ID", help="A set of milestones to secure, comma-separated.")
@click.option(
    "--due", type=click.DateTime(formats=["%Y-%m-%d"]), help="When the milestones are due (YYYY-MM-DD)."
)
@click.option("--reason", required=True, help="Why this pupil has a personal target.")
@click.pass_context
def target_set(ctx, pupil, curriculum_id, points, milestones, due, reason) -> None:
    """Set a personal target for PUPIL in a curriculum: --points N, or --milestones ID,ID with an
    optional --due date, with a --reason. The earlier targets stay in the history."""
    ids = [m.strip() for m in (milestones or "").split(",") if m.strip()]
    if (points is None) == (not ids):
        raise click.UsageError("Give either --points or --milestones (one of them).")
    if due is not None and not ids:
        raise click.UsageError("--due goes with --milestones.")
    v = service(ctx).set_target(
        pupil,
        curriculum_id,
        reason=reason,
        points=points,
        milestones=ids or None,
        due=due.date() if due else None,
    )
    _print_target(TargetLine.of(v), history=False)


@target.command("clear")
@click.argument("pupil")
@click.option("--curriculum", "curriculum_id", required=True, help="Curriculum id.")
@click.option("--reason", required=True, help="Why the personal target goes.")
@click.pass_context
def target_clear(ctx, pupil, curriculum_id, reason) -> None:
    """Put PUPIL back on the default target (the end-of-year point of their year group) in a
    curriculum; the personal target stays in the history."""
    v = service(ctx).set_target(pupil, curriculum_id, reason=reason)
    _print_target(TargetLine.of(v), history=False)


@target.command("show")
@click.argument("pupil")
@click.option("--curriculum", "curriculum_id", help="Only this curriculum.")
@json_option
@click.pass_context
def target_show(ctx, pupil, curriculum_id, as_json) -> None:
    """PUPIL's current target (personal or the default), whether it is met, on track or off
    track, and the history of personal targets with who set each, when and why."""
    svc = service(ctx)
    ids = [curriculum_id] if curriculum_id else [c.id for c in svc.curricula()]
    lines = [TargetLine.of(svc.target(pupil, cid)) for cid in ids]
    if as_json:
        emit_json(lines)
        return
    if not lines:
        echo("No curricula yet: passport curriculum import FILE")
    for v in lines:
        _print_target(v)
