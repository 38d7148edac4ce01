"""``passport focus``: a pupil's current focus, a few next steps pinned with a provision note
(the individual learning plan, DESIGN §2.12)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import click

from .context import PassportGroup, service
from .output import echo, emit_json, json_option

if TYPE_CHECKING:
    from ..models import FocusItem
    from ..service import Service


@dataclass(slots=True)
class FocusLine:
    """A pinned milestone with its title and provision note."""

    curriculum: str
    milestone: str
    title: str | None
    provision: str | None
    by: str
    at: datetime


def focus_lines(svc: Service, items: Iterable[FocusItem]) -> list[FocusLine]:
    out = []
    for f in items:
        title = svc.milestone_title(f.pupil_id, f.curriculum_id, f.milestone_id)  # or their outcome's
        out.append(FocusLine(f.curriculum_id, f.milestone_id, title, f.provision, f.by, f.at))
    return out


def _print_focus(lines: list[FocusLine]) -> None:
    if not lines:
        echo("No focus items.")
    for d in lines:
        echo(f"{d.curriculum}  {d.milestone}  {d.title or ''}" + (f" — {d.provision}" if d.provision else ""))


@click.group(cls=PassportGroup)
def focus() -> None:
    """A pupil's current focus: a few next steps pinned with a provision note."""


@focus.command("pin")
@click.argument("pupil")
@click.argument("milestone")
@click.option("--provision", help="What will be done: the provision note.")
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.pass_context
def focus_pin(ctx, pupil, milestone, provision, curriculum_id) -> None:
    """Pin MILESTONE (a next step or a gap) as PUPIL's current focus, with a provision note; it
    shows on the passport and in the parent report. Pinning again updates the note."""
    svc = service(ctx)
    items = svc.pin_focus(pupil, milestone, provision=provision, curriculum_id=curriculum_id)
    _print_focus(focus_lines(svc, items))


@focus.command("unpin")
@click.argument("pupil")
@click.argument("milestone")
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.pass_context
def focus_unpin(ctx, pupil, milestone, curriculum_id) -> None:
    """Take MILESTONE off PUPIL's current focus (the history is kept)."""
    svc = service(ctx)
    _print_focus(focus_lines(svc, svc.unpin_focus(pupil, milestone, curriculum_id)))


@focus.command("list")
@click.argument("pupil")
@json_option
@click.pass_context
def focus_list(ctx, pupil, as_json) -> None:
    """PUPIL's current focus items, oldest pin first, with their provision notes."""
    svc = service(ctx)
    lines = focus_lines(svc, svc.focus(pupil))
    if as_json:
        emit_json(lines)
        return
    _print_focus(lines)
