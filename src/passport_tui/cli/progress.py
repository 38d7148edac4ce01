"""Progress of long work on standard error, when it is a terminal.

A command wraps its long call in ``with progress_bar() as progress:`` and passes ``progress`` to
the service (see ``passport_tui.progress``). On a terminal it draws a bar for each stage on
stderr (click's progress bar); otherwise (a pipe, a file, cron) it is None and nothing is drawn.
Standard output is never touched: it may be the file being written
(``passport report --school > school.html``). The command prints its own one-line summary either way.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import IO, Any

import click

from ..progress import Progress
from ..shown import plain
from .output import error_stream

REDRAW_S = 0.1  # a stage whose size is not known is redrawn at most this often


@contextlib.contextmanager
def progress_bar(file: IO[str] | None = None) -> Iterator[Progress | None]:
    """A Progress callback drawing on ``file`` (standard error) when it is a terminal, else None."""
    stream = error_stream() if file is None else file
    if not stream.isatty():
        yield None
        return
    open_bar: list[Any] = []  # the stage being drawn: [what, click's bar or None, last drawn]

    def finish() -> None:
        if not open_bar:
            return
        _, bar, _ = open_bar.pop()
        if bar is not None:
            bar.render_finish()
        else:
            stream.write("\n")
            stream.flush()

    def progress(what: str, done: int, total: int | None) -> None:
        if not open_bar or open_bar[0][0] != what:
            finish()
            bar = None
            if total is not None:
                bar = click.progressbar(length=max(total, 1), label=plain(what), file=stream, show_pos=True)
                bar.render_progress()
            open_bar.append([what, bar, 0.0])
        _, bar, drawn = open_bar[0]
        if bar is not None:
            bar.update(max(0, min(done, bar.length) - bar.pos))
        elif time.monotonic() - drawn >= REDRAW_S:  # a stage of unknown size: how much so far
            stream.write(f"\r{plain(what)}: {done:,}")
            stream.flush()
            open_bar[0][2] = time.monotonic()

    try:
        yield progress
    finally:
        finish()
