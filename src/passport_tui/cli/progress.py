"""Progress of long work on standard error, when it is a terminal.

A command wraps its long call in ``with progress_bar() as progress:`` and passes ``progress`` to
the service (see ``passport_tui.progress``). On a terminal it draws Rich's progress display on
stderr: one line for each stage (each new ``what``), with a bar, "n of N", the time taken and
the time left, or a spinner and the count so far when the stage's size is not known; a line never
wraps (on a narrow terminal the times, then the bar, are left out, and the name is cut, never a
figure). A finished stage stays on the screen, ticked; the stage a command stopped in (an error,
Ctrl-C) is crossed. Otherwise (a pipe, a file, cron) it is None, nothing is drawn and Rich is
never imported. Standard output is never touched: it may be the file being written
(``passport report --school > school.html``). The command prints its own one-line summary either way.

The stage's name is shown as it is (:func:`passport_tui.shown.plain`, never as Rich markup).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import IO, Any

from ..progress import Progress
from ..shown import plain
from .output import error_stream

MARGIN = 2  # columns left free at the end of a line: a ^C echoed there does not wrap the line
PUSH_S = 0.05  # the service may call often (a pupil, a line); the display is told at most this often
REFRESH_PER_S = 10  # the display is redrawn this often (and so the spinner turns)


@contextlib.contextmanager
def progress_bar(file: IO[str] | None = None) -> Iterator[Progress | None]:
    """A Progress callback drawing on ``file`` (standard error) when it is a terminal, else None."""
    stream = error_stream() if file is None else file
    if not stream.isatty():
        yield None
        return
    stages = _Stages(stream)
    stages.display.start()
    try:
        yield stages.progress
    except BaseException:
        stages.stop(finished=False)  # an error or Ctrl-C: the stage stays where it got to
        raise
    stages.stop(finished=True)


class _Stages:
    """Rich's progress display, one task for each stage, told of progress at most every PUSH_S."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import Progress

        class Display(Progress):
            def get_renderable(self) -> Any:
                return _Inset(super().get_renderable())

            def make_tasks_table(self, tasks: Any) -> Any:
                # one line a stage however narrow the terminal (``console``: Rich's, below)
                return _fitted_table(self.columns, [t for t in tasks if t.visible], console.width - MARGIN)

        console = Console(file=stream, markup=False, emoji=False, highlight=False)
        self.display = Display(
            *_columns(utf8=console.encoding.lower().startswith("utf")),
            console=console,
            auto_refresh=True,
            refresh_per_second=REFRESH_PER_S,
            expand=True,  # the bar takes the width the rest leaves
            # stdout may be the document being written, and stderr's own lines must not be read
            # as markup: neither is redirected through the display
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.tasks: dict[str, Any] = {}  # what -> Rich's task id
        self.current: str | None = None
        self.pending: tuple[int, int | None] | None = None  # the last figures not yet shown
        self.pushed = 0.0

    def progress(self, what: str, done: int, total: int | None) -> None:
        if what != self.current:
            self.finish_current()
            if what not in self.tasks:
                sized = total is not None
                self.tasks[what] = self.display.add_task(plain(what), total=total, completed=0, sized=sized)
            self.current = what
        elif (total is None or done < total) and time.monotonic() - self.pushed < PUSH_S:
            self.pending = (done, total)
            return
        self.push(done, total)

    def push(self, done: int, total: int | None) -> None:
        assert self.current is not None
        task = self.tasks[self.current]
        if total is not None:
            self.display.update(task, total=max(total, 0), completed=max(0, min(done, total)), sized=True)
        else:
            self.display.update(task, completed=max(done, 0))
        self.pending = None
        self.pushed = time.monotonic()

    def finish_current(self) -> None:
        """The stage being drawn is over (the work has moved on): shown complete, a stage of
        unknown size with the count it got to."""
        if self.current is None:
            return
        if self.pending is not None:
            self.push(*self.pending)
        task = next(t for t in self.display.tasks if t.id == self.tasks[self.current])
        if task.fields.get("sized") and task.total is not None:
            self.display.update(task.id, completed=task.total)
        else:
            self.display.update(task.id, total=task.completed)
        self.current = None

    def stop(self, finished: bool) -> None:
        try:
            if finished:
                self.finish_current()
            elif self.current is not None:  # the stage it stopped in is crossed, not ticked
                if self.pending is not None:
                    self.push(*self.pending)
                self.display.update(self.tasks[self.current], failed=True)
        finally:
            self.display.stop()  # the last drawing, a new line, and the cursor shown again


class _Inset:
    """A renderable drawn MARGIN columns narrower than the terminal. A line as wide as the
    terminal leaves the cursor at its end, where a ^C (or a key typed ahead) echoed by the
    terminal wraps to a new line, and the next redrawing goes up one line too few."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield from console.render(self.inner, options.update_width(max(1, options.max_width - MARGIN)))


# the columns _columns() gives, in order
MARK, NAME, BAR, COUNT, TAKEN, LEFT = range(6)
BAR_MIN = 6
# on a narrow terminal, what goes first: the time taken, the time left, then the bar
DROPPED_FIRST = (TAKEN, LEFT, BAR)


def _fitted_table(columns: list[Any], tasks: list[Any], room: int) -> Any:
    """Rich's table of the stages, one line each in ``room`` cells: a line never wraps and a
    figure is never cut (a cut ``18,807`` reads ``18,8…``). When the line does not fit, the time
    taken, the time left and the bar are left out in that order, then the stage's name is cut
    with "…"."""
    from rich.cells import cell_len
    from rich.table import Column, Table
    from rich.text import Text

    rows = [[column(task) for column in columns] for task in tasks]

    def widest(i: int) -> int:
        return max((cell_len(row[i].plain) for row in rows if isinstance(row[i], Text)), default=0)

    widths = {i: widest(i) for i in range(len(columns)) if i != BAR}
    keep = list(range(len(columns)))

    def others(keep: list[int]) -> int:  # the cells of every column but the name and the bar
        return sum(widths[i] for i in keep if i not in (NAME, BAR)) + len(keep) - 1

    def fits(keep: list[int], name: int) -> bool:
        return others(keep) + name + (BAR_MIN if BAR in keep else 0) <= room

    for drop in DROPPED_FIRST:  # the whole name first; then, all left out, a name cut short
        if fits(keep, widths[NAME]):
            break
        keep.remove(drop)
    name = max(1, min(widths[NAME], room - others(keep) - (BAR_MIN if BAR in keep else 0)))
    table_columns = []
    for i in keep:
        if i == BAR:
            table_columns.append(Column(no_wrap=True, ratio=1, min_width=BAR_MIN))
        elif i == NAME:
            table_columns.append(Column(no_wrap=True, overflow="ellipsis", width=name))
        else:
            table_columns.append(Column(no_wrap=True, width=widths[i]))
    table = Table.grid(*table_columns, padding=(0, 1), expand=BAR in keep)
    for row in rows:
        table.add_row(*(row[i] for i in keep))
    return table


def _columns(utf8: bool) -> list[Any]:
    """A spinner (a tick when the stage is done, a cross when the command stopped in it), the
    stage's name, the bar, "n of N" (or "n"), the time taken and the time left. The bar and the
    time left are drawn only for a stage whose size is known."""
    from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class Mark(SpinnerColumn):
        def render(self, task: Any) -> Any:
            if task.fields.get("failed"):
                return Text("✗" if utf8 else "x", style="red")
            return super().render(task)

    class Bar(BarColumn):
        def render(self, task: Any) -> Any:
            return super().render(task) if task.fields.get("sized") else Text("")

    class Count(ProgressColumn):
        def render(self, task: Any) -> Text:
            done = int(task.completed)
            if task.fields.get("sized") and task.total is not None:
                return Text(f"{done:,} of {int(task.total):,}", style="progress.download")
            # a stage told only that it has begun (0 of unknown) has no count to show
            return Text(f"{done:,}" if done else "", style="progress.download")

    class Left(ProgressColumn):
        def render(self, task: Any) -> Text:
            if not task.fields.get("sized") or task.finished or task.fields.get("failed"):
                return Text("")
            left = task.time_remaining
            if left is None:
                return Text("eta -:--", style="progress.remaining")
            minutes, seconds = divmod(int(left), 60)
            hours, minutes = divmod(minutes, 60)
            shown = f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"
            return Text(f"eta {shown}", style="progress.remaining")

    return [
        Mark("dots" if utf8 else "line", finished_text="✓" if utf8 else "+"),
        TextColumn("{task.description}", markup=False),  # the stage's name, never markup
        Bar(bar_width=None),
        Count(),
        TimeElapsedColumn(),
        Left(),
    ]
