"""Progress of long work on standard error, when it is a terminal.

A command wraps its long call in ``with progress_bar() as progress:`` and passes ``progress`` to
the service (see ``passport_tui.progress``). On a terminal it draws a bar for each stage on
stderr, gone when the work ends; otherwise (a pipe, a file, cron) it is None and nothing is drawn.
Standard output is never touched: it may be the file being written
(``passport report --school > school.html``). The command prints its own one-line summary either way.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import IO

from ..progress import Progress


@contextlib.contextmanager
def progress_bar(file: IO[str] | None = None) -> Iterator[Progress | None]:
    """A Progress callback drawing on ``file`` (standard error) when it is a terminal, else None."""
    stream = sys.stderr if file is None else file
    if not stream.isatty():
        yield None
        return
    from rich.console import Console  # only on a terminal: scripts never pay for it
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bars

    console = Console(file=stream, force_terminal=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Bars(*columns, console=console, transient=True) as bars:
        tasks: dict[str, object] = {}

        def progress(what: str, done: int, total: int | None) -> None:
            task = tasks.get(what)
            if task is None:
                task = tasks[what] = bars.add_task(what, total=total)
            bars.update(task, completed=done, total=total)  # type: ignore[arg-type]

        yield progress
