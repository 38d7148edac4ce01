"""``passport pathway``: the curricula each pupil follows (by default the school's year-linked
curricula; a framework such as the engagement model only by assignment)."""

from __future__ import annotations

from dataclasses import dataclass

import click

from .context import PassportGroup, service
from .output import echo, emit_json, json_option


@dataclass(slots=True)
class PathwayView:
    upn: str
    name: str
    curricula: list[str]
    default: bool  # the school's default pathway, not one of the pupil's own


def _print(p, as_json: bool) -> None:
    view = PathwayView(p.pupil.upn, p.pupil.name, p.curricula, p.default)
    if as_json:
        emit_json(view)
        return
    whose = "the school's default" if view.default else "their own"
    echo(f"{view.name} ({view.upn}) follows {whose} pathway: {', '.join(view.curricula) or 'nothing'}")


@click.group("pathway", cls=PassportGroup)
def pathway() -> None:
    """The curricula a pupil follows: the grid, passport, tracking, groups, moderation and reports
    use only these."""


@pathway.command("show")
@click.argument("pupil")
@json_option
@click.pass_context
def pathway_show(ctx: click.Context, pupil: str, as_json: bool) -> None:
    """The curricula PUPIL follows."""
    _print(service(ctx).pathway(pupil), as_json)


@pathway.command("set")
@click.argument("pupil")
@click.argument("curricula", nargs=-1, required=True, metavar="CURRICULUM...")
@click.pass_context
def pathway_set(ctx: click.Context, pupil: str, curricula: tuple[str, ...]) -> None:
    """PUPIL follows exactly these curricula (e.g. a pupil with profound needs: the engagement model)."""
    _print(service(ctx).set_pathway(pupil, list(curricula)), False)


@pathway.command("add")
@click.argument("pupil")
@click.argument("curricula", nargs=-1, required=True, metavar="CURRICULUM...")
@click.pass_context
def pathway_add(ctx: click.Context, pupil: str, curricula: tuple[str, ...]) -> None:
    """PUPIL follows these curricula as well."""
    _print(service(ctx).add_to_pathway(pupil, list(curricula)), False)


@pathway.command("remove")
@click.argument("pupil")
@click.argument("curricula", nargs=-1, required=True, metavar="CURRICULUM...")
@click.pass_context
def pathway_remove(ctx: click.Context, pupil: str, curricula: tuple[str, ...]) -> None:
    """PUPIL no longer follows these curricula (their judgements are kept)."""
    _print(service(ctx).remove_from_pathway(pupil, list(curricula)), False)


@pathway.command("default")
@click.argument("curricula", nargs=-1, metavar="[CURRICULUM...]")
@click.pass_context
def pathway_default(ctx: click.Context, curricula: tuple[str, ...]) -> None:
    """The school's default pathway: with curricula, set it (admins); with none, show it."""
    svc = service(ctx)
    chosen = svc.set_default_pathway(list(curricula)) if curricula else svc.default_pathway()
    echo(f"Pupils without a pathway of their own follow: {', '.join(chosen) or 'nothing'}")
