"""The ``passport`` command. Every command goes through the service layer; refusals and bad files
print one line each to stderr and exit 1; usage errors exit 2. The terminal app is imported only by
the commands that open it, so scripted commands never pay for Textual.

One module per group of commands; they share :mod:`.context` (the Service a command gets, the
group that turns errors into one line) and :mod:`.output` (JSON, tables, numbers)."""

from __future__ import annotations

import click

from .app import open_app
from .context import PassportGroup, service

# Each command's module, imported only when that command runs (or help lists it): opening the app
# with no command loads none of them, so its first frame does not wait for them.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("set_up", "init"),
    "demo": ("set_up", "demo"),
    "curriculum": ("curriculum", "curriculum"),
    "pupils": ("pupils", "pupils"),
    "pathway": ("pathways", "pathway"),
    "outcome": ("outcomes", "outcome"),
    "judge": ("judging", "judge"),
    "baseline": ("judging", "baseline"),
    "retract": ("judging", "retract"),
    "show": ("judging", "show"),
    "next": ("judging", "next_"),
    "gaps": ("judging", "gaps"),
    "history": ("judging", "history"),
    "revisit": ("judging", "revisit"),
    "tracking": ("tracking", "tracking"),
    "groups": ("tracking", "groups"),
    "settings": ("settings", "settings"),
    "test": ("scores", "tests_group"),
    "target": ("targets", "target"),
    "moderation": ("moderation", "moderation"),
    "focus": ("focus", "focus"),
    "staff": ("staff", "staff"),
    "report": ("reports", "report"),
    "comment": ("reports", "comment"),
    "transfer": ("transfer", "transfer"),
    "export": ("export", "export"),
    "backup": ("maintenance", "backup"),
    "restore": ("maintenance", "restore"),
    "doctor": ("maintenance", "doctor"),
}


class PassportCommands(PassportGroup):
    """The root group: its commands are loaded from their modules when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, attr = COMMANDS[name]
            loaded = __import__(f"{__name__}.{module}", fromlist=[attr])  # the import statement's path
            self.add_command(getattr(loaded, attr), name)
        return super().get_command(ctx, name)


__all__ = ["PassportGroup", "cli", "main", "service"]


@click.group(cls=PassportCommands, invoke_without_command=True)
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
    given = ctx.obj or {}  # passport-ssh passes {"confined": True}: files only in the user's folder
    # a missing database file is created only by init and demo, and by the app on the default
    # database (a family's first run); anything else says how to create it (cli/context.py)
    command = ctx.invoked_subcommand
    ctx.obj = {
        "confined": bool(given.get("confined")),
        "may_create": command in ("init", "demo") or (command is None and db is None),
        "db_given": ctx.get_parameter_source("db") is click.core.ParameterSource.COMMANDLINE,
        "db": db,
        "as": as_,
        "service": None,
        "class": class_name,
        "ascii": ascii_only,
        "mouse": not no_mouse,
    }
    if ctx.invoked_subcommand is None:
        open_app(ctx)
    else:
        end_on_hangup()


def end_on_hangup() -> None:
    """A command ended by a lost connection (SIGHUP: an SSH session dropped) or by SIGTERM
    unwinds as Ctrl-C does: the file it was writing is removed (a backup left a hidden copy of
    the whole database), its transaction rolled back, the terminal tidied; the exit status is
    still the signal's, 128 + its number. (Not in the app, whose terminal Textual looks after.)"""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def end(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for name in ("SIGHUP", "SIGTERM"):  # no SIGHUP on Windows
        if hasattr(signal, name) and signal.getsignal(getattr(signal, name)) == signal.SIG_DFL:
            signal.signal(getattr(signal, name), end)


def main() -> None:
    cli(prog_name="passport")
