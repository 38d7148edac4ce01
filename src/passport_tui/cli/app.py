"""Opening the terminal app: ``passport`` with no command, and ``passport demo``. Textual is
imported here, inside the call, so scripted commands never pay for it."""

from __future__ import annotations

import click

from .context import options, service


def open_app(ctx: click.Context) -> None:
    """Open the terminal app on the root command's database, class and display options."""
    from ..tui.app import make_app

    obj = options(ctx)
    app = make_app(service(ctx), ascii_only=obj["ascii"], class_name=obj["class"])
    app.run(mouse=obj["mouse"])
