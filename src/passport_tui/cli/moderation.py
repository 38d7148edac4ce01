"""``passport moderation``: a second member of staff confirms or queries achieved judgements, from
a random sample (DESIGN §2.11)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import click

from .context import PassportGroup, service
from .output import Column, echo, emit_json, json_option, named, table

if TYPE_CHECKING:
    from ..termly import ModerationItem


@dataclass(slots=True)
class ModerationLine:
    """An achieved judgement and where its moderation stands."""

    judgement_id: int | None
    upn: str
    name: str
    class_: str | None = field(metadata=named("class"))
    curriculum: str
    milestone: str
    recorded_by: str
    recorded_at: datetime
    status: str
    sampled: bool
    confirmed_by: list[str]
    query: str | None
    queried_by: str | None
    resolution: str | None
    resolved_by: str | None

    @classmethod
    def of(cls, item: ModerationItem) -> ModerationLine:
        j, st = item.judgement, item.state
        return cls(
            j.id,
            item.pupil.upn,
            item.pupil.name,
            item.pupil.class_name,
            j.curriculum_id,
            j.milestone_id,
            j.by,
            j.at,
            st.status.value,
            st.sampled,
            list(st.confirmed_by),
            st.query,
            st.queried_by,
            st.resolution,
            st.resolved_by,
        )

    @property
    def note(self) -> str:
        """The query and how it was resolved, with who raised and settled it."""
        note = f"{self.query} ({self.queried_by})" if self.query else ""
        if self.status == "resolved" and self.resolution:
            note += f" → {self.resolution} ({self.resolved_by})"
        return note


MODERATION_COLUMNS = (
    Column("id", 6, ">"),
    Column("pupil", 24, clip=True, gap="  "),
    Column("milestone", 10, clip=True),
    Column("recorded by", 12, clip=True),
    Column("status", 9),
    Column("query", gap="  "),
)


def _print_moderation(lines: Iterable[ModerationLine]) -> None:
    table(
        MODERATION_COLUMNS,
        ((str(d.judgement_id), d.name, d.milestone, d.recorded_by, d.status, d.note) for d in lines),
        strip=True,
    )


@click.group(cls=PassportGroup)
def moderation() -> None:
    """A second member of staff confirms or queries achieved judgements, from a random sample."""


@moderation.command("sample")
@click.option("--class", "class_name", required=True, help="The class to sample.")
@click.option("--curriculum", "curriculum_id", required=True, help="Curriculum id.")
@click.option("--window", help="A window like 2026-autumn (default: the current one).")
@click.option("--size", default=10, show_default=True, type=click.IntRange(min=1), help="How many to draw.")
@json_option
@click.pass_context
def moderation_sample(ctx, class_name, curriculum_id, window, size, as_json) -> None:
    """Draw a random sample of a class's achieved judgements in a window, spread across pupils
    and staff, for moderation. The draw is recorded; judgements already drawn or moderated are
    left out, so drawing again adds more."""
    svc = service(ctx)
    items = svc.draw_moderation_sample(
        class_name=class_name, curriculum_id=curriculum_id, window=window, size=size
    )
    lines = [ModerationLine.of(i) for i in items]
    if as_json:
        emit_json(lines)
        return
    w = svc.window(window)
    if not lines:
        echo(f"No achieved judgements of class {class_name} in {curriculum_id}, {w.name} left to sample.")
        return
    echo(f"Drew {len(lines)} judgements of class {class_name} in {curriculum_id}, {w.name}:")
    _print_moderation(lines)


def _moderate(ctx: click.Context, judgement_id: int, action: str, note: str | None) -> None:
    d = ModerationLine.of(service(ctx).moderate(judgement_id, action, note))
    echo(f"Judgement {judgement_id} ({d.name}, {d.milestone}): {d.status}")


@moderation.command("confirm")
@click.argument("judgement_id", type=int)
@click.pass_context
def moderation_confirm(ctx, judgement_id) -> None:
    """Confirm an achieved judgement (by someone other than the member of staff who recorded it)."""
    _moderate(ctx, judgement_id, "confirm", None)


@moderation.command("query")
@click.argument("judgement_id", type=int)
@click.option("--note", required=True, help="What is in doubt (required).")
@click.pass_context
def moderation_query(ctx, judgement_id, note) -> None:
    """Query an achieved judgement with a note; it stays on the moderation list until resolved.
    The judgement itself is not changed."""
    _moderate(ctx, judgement_id, "query", note)


@moderation.command("resolve")
@click.argument("judgement_id", type=int)
@click.option("--note", required=True, help="How the query was settled (required).")
@click.pass_context
def moderation_resolve(ctx, judgement_id, note) -> None:
    """Resolve the open query on a judgement with a note (retract the judgement separately if
    the query found it was an error)."""
    _moderate(ctx, judgement_id, "resolve", note)


@moderation.command("list")
@click.option("--class", "class_name", help="Only this class.")
@click.option("--open", "open_only", is_flag=True, help="Only those still to settle: pending or queried.")
@json_option
@click.pass_context
def moderation_list(ctx, class_name, open_only, as_json) -> None:
    """Moderated and sampled judgements: id, pupil, milestone, who recorded it, status and the
    query note. Queried ones come first and stay listed until resolved."""
    lines = [ModerationLine.of(i) for i in service(ctx).moderation(class_name=class_name)]
    if open_only:
        lines = [d for d in lines if d.status in ("pending", "queried")]
    if as_json:
        emit_json(lines)
        return
    if not lines:
        echo("Nothing to moderate." if open_only else "Nothing sampled or moderated yet.")
        return
    _print_moderation(lines)
