"""The ``passport`` command. Every command goes through the service layer; refusals and bad files
print one line each to stderr and exit 1; usage errors exit 2. The terminal app is imported only by
the commands that open it, so scripted commands never pay for Textual.

One module per group of commands; they share :mod:`.context` (the Service a command gets, the
group that turns errors into one line) and :mod:`.output` (JSON, tables, numbers)."""

from __future__ import annotations

import click

from .app import open_app
from .context import PassportGroup, service
from .curriculum import curriculum
from .export import export
from .focus import focus
from .judging import baseline, gaps, history, judge, next_, retract, revisit, show
from .maintenance import backup, doctor, restore
from .moderation import moderation
from .pathways import pathway
from .pupils import pupils
from .reports import comment, report
from .scores import tests_group
from .set_up import demo, init
from .settings import settings
from .staff import staff
from .targets import target
from .tracking import groups, tracking
from .transfer import transfer

__all__ = ["PassportGroup", "cli", "main", "service"]


@click.group(cls=PassportGroup, invoke_without_command=True)
@click.option(
    "--db",
    envvar="PASSPORT_DB",
    type=click.Path(dir_okay=False),
    help="Database file (default: your data folder; or PASSPORT_DB).",
)
@click.option("--as", "as_", metavar="STAFF", help="Act as this staff member (for a forced SSH command).")
@click.option("--class", "class_name", metavar="CLASS", help="Open the app on this class's grid.")
@click.option(
    "--ascii",
    "ascii_only",
    is_flag=True,
    default=None,
    help="ASCII glyphs (auto when the locale is not UTF-8).",
)
@click.option("--no-mouse", is_flag=True, help="Do not ask the terminal for mouse events (slow links).")
@click.version_option(package_name="passport-tui")
@click.pass_context
def cli(ctx: click.Context, db, as_, class_name, ascii_only, no_mouse) -> None:
    """The Milestones Passport: key learning milestones, gaps, next steps and termly tracking.

    With no command, opens the terminal app."""
    ctx.obj = {
        "db": db,
        "as": as_,
        "service": None,
        "class": class_name,
        "ascii": ascii_only,
        "mouse": not no_mouse,
    }
    if ctx.invoked_subcommand is None:
        open_app(ctx)


for command in (
    init,
    demo,
    curriculum,
    pupils,
    judge,
    retract,
    show,
    next_,
    gaps,
    history,
    revisit,
    tracking,
    settings,
    tests_group,
    target,
    groups,
    moderation,
    focus,
    staff,
    report,
    comment,
    transfer,
    export,
    backup,
    restore,
    doctor,
    baseline,
    pathway,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="passport")
