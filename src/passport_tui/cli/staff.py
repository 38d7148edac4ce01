"""``passport staff``: staff and their roles (DESIGN §8)."""

from __future__ import annotations

from dataclasses import dataclass

import click

from .context import PassportGroup, service
from .output import echo, emit_json, json_option


@dataclass(slots=True)
class StaffLine:
    """A member of staff: their login, name, role and classes."""

    username: str
    name: str
    role: str
    classes: list[str]


@click.group(cls=PassportGroup)
def staff() -> None:
    """Staff and their roles. Until the first member is added anyone may use the database (a
    tutor, a family); after that only known staff can: admins manage curricula, rosters, staff and
    settings, teachers judge the pupils of their own classes, viewers change nothing."""


@staff.command("add")
@click.argument("username")
@click.option("--name", required=True, help="The person's name.")
@click.option(
    "--role", type=click.Choice(["admin", "teacher", "viewer"]), required=True, help="What they may do."
)
@click.option("--class", "classes", multiple=True, help="A class they teach (repeat for several).")
@click.pass_context
def staff_add(ctx, username, name, role, classes) -> None:
    """Add a member of staff, or change one (their OS login, or the name a forced SSH command
    passes with --as). The first one added must be an admin."""
    service(ctx).add_staff(username, name, role, list(classes) if classes else None)
    echo(f"{username}: {role}" + (f", teaching {', '.join(classes)}" if classes else ""))


@staff.command("remove")
@click.argument("username")
@click.pass_context
def staff_remove(ctx, username) -> None:
    """Remove a member of staff (never the last admin)."""
    service(ctx).remove_staff(username)
    echo(f"Removed {username}")


@staff.command("list")
@json_option
@click.pass_context
def staff_list(ctx, as_json) -> None:
    """List the staff, their roles and classes."""
    rows = [StaffLine(u, n, r, c) for u, n, r, c in service(ctx).staff()]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        echo("No staff yet: anyone who can open the database may use it.")
    for r in rows:
        echo(f"{r.username:<16} {r.role:<8} {r.name}  {' '.join(r.classes)}".rstrip())
