"""``passport init`` and ``passport demo``: a new database, or a demo school in one."""

from __future__ import annotations

import click

from ..engine import year_label
from ..shown import plural
from .app import open_app
from .context import options, service
from .output import echo
from .progress import progress_bar


@click.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create an empty database (or check an existing one opens)."""
    svc = service(ctx)
    echo(f"Database ready: {svc.database_path} (schema version {svc.schema_version()})")


@click.command()
@click.option("--no-tui", is_flag=True, help="Build the demo and print a summary without opening the app.")
@click.option("--seed", default=2026, show_default=True, help="Seed of the demo's random choices.")
@click.pass_context
def demo(ctx: click.Context, no_tui: bool, seed: int) -> None:
    """Build a realistic demo school (sample curricula, 3 classes, ~80 pupils, a year of
    judgements) and open the app on it.

    Without --db the demo goes into its own file (demo.db in your data folder), rebuilt each time;
    a database that already has pupils is never touched."""
    from ..service.demo import build_demo, fresh_demo_file

    root = options(ctx)
    if root["db"] is None:
        root["db"] = str(fresh_demo_file())
    svc = service(ctx)
    with progress_bar() as progress:
        summary = build_demo(svc, seed=seed, progress=progress)
    echo(f"Demo school built in {svc.database_path}")
    echo(f"  curricula: {', '.join(summary.curricula)}")
    for name, year, n in summary.classes:
        echo(f"  class {name}: {year_label(year)}, {plural(n, 'pupil')}")
    echo(f"  {plural(summary.judgements, 'judgement')} from {summary.first_day} to {summary.last_day}")
    if not no_tui:
        open_app(ctx)
