"""What the app does with an error it did not expect: the traceback goes to a log file beside the
database (readable by its owner only, as it may name pupils), and the teacher sees one line and
where the details are. The app carries on."""

from __future__ import annotations

import functools
import inspect
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..files import append_private
from .text import content, plain

LOG_NAME = "passport-errors.log"


def summary(error: BaseException) -> str:
    """One line naming the error: its type and the first line of its message."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


def write_log(path: Path, error: BaseException, user: str) -> Path:
    """Append the error's traceback to ``path`` (created owner-only, kept owner-only; a symbolic
    link in its place is refused)."""
    entry = "".join(
        [
            f"--- {datetime.now(UTC).isoformat(timespec='seconds')}  user {user}\n",
            *traceback.format_exception(error),
            "\n",
        ]
    )
    return append_private(path, entry)


def guarded(handler: Callable) -> Callable:
    """A message handler whose errors go to the app's one error handler (a notice, or the error
    screen) instead of ending the app."""

    @functools.wraps(handler)
    async def run(self, *args):
        try:
            result = handler(self, *args)
            if inspect.isawaitable(result):
                await result
        except Exception as error:
            self.app.handle_error(error)

    return run


class ErrorScreen(ModalScreen[None]):
    """Something went wrong: one line, and the log file that holds the details."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="error.close"),
        Binding("enter", "close", "Close", show=False, id="error.close2"),
    ]

    def __init__(self, what: str, log: Path | None, log_problem: str | None = None) -> None:
        super().__init__()
        self.what = what
        self.log_path = log
        self.log_problem = log_problem

    def compose(self) -> ComposeResult:
        if self.log_path is not None:
            where = f"The details were written to {plain(str(self.log_path))}"
        else:
            where = f"The details could not be written to a log file: {plain(self.log_problem)}"
        with Vertical(id="dialog", classes="error"):
            yield Label(Content("Something went wrong"), id="dialog-title")
            yield Static(content(self.what, multiline=False), id="error-summary")
            yield Static(Content(where), id="error-log")
            yield Label(Content("Esc to go back."), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
