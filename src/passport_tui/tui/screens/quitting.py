"""Quitting while changes wait for a busy database: the app asks before it loses them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ...shown import plural


def waiting_words(n: int) -> str:
    verb = "is" if n == 1 else "are"
    return f"{plural(n, 'change')} {verb} waiting for the database (busy: another program is writing)."


class QuitWhileWaitingScreen(ModalScreen[bool]):
    """Changes are kept until the busy database takes them; quitting now would lose them. Wait
    (the default, and Escape) goes back to the app, which saves them as soon as it can; "Quit and
    lose them" quits. While the dialog is up the app keeps trying: the count goes down as changes
    are saved, and the dialog closes once none is left. Answers True to quit."""

    BINDINGS = [Binding("escape", "wait", "Wait", id="quitting.wait")]

    def __init__(self, waiting: int) -> None:
        super().__init__()
        self.count = waiting
        self.saved = False  # nothing waits any more

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="quitting"):
            yield Label(Content("Quit the app?"), id="dialog-title")
            yield Static(Content(self.words()), id="dialog-body")
            yield OptionList(
                Option(Content("Wait"), id="wait"),
                Option(Content(self.lose_words()), id="quit"),
                id="choices",
            )
            yield Label(Content("Enter to choose · Esc to wait"), classes="dialog-hint")

    def words(self) -> str:
        saved = "It is" if self.count == 1 else "They are"
        return f"{waiting_words(self.count)}\n{saved} saved as soon as the database is free."

    def lose_words(self) -> str:
        return "Quit and lose it" if self.count == 1 else "Quit and lose them"

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = 0  # wait
        choices.focus()

    def waiting(self, n: int) -> None:
        """``n`` changes still wait (some were saved, or none is left: then it closes)."""
        if n == 0:
            if self.app.screen is self:
                self.dismiss(False)
            else:  # dismissing would take down the dialog above it: closes when it is shown
                self.saved = True
            return
        self.count = n
        self.query_one("#dialog-body", Static).update(Content(self.words()))
        choices = self.query_one(OptionList)
        choices.replace_option_prompt("quit", Content(self.lose_words()))

    def on_screen_resume(self) -> None:
        if self.saved:
            self.dismiss(False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id == "quit")

    def action_wait(self) -> None:
        self.dismiss(False)
