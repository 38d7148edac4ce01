"""Small dialogs: ask for a reason, pick from a list, show help."""

from __future__ import annotations

import textwrap

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..text import content


class AskScreen(ModalScreen[str | None]):
    """Ask for one line of text. Enter confirms (empty clears, unless a value is required);
    Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ask.cancel")]

    def __init__(
        self, title: str, explanation: str, *, value: str = "", placeholder: str = "", required: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.explanation = explanation
        self.value = value
        self.placeholder = placeholder
        self.required = required

    def compose(self) -> ComposeResult:
        hint = (
            "Enter to confirm · Esc to cancel"
            if self.required
            else "Enter to apply · empty to clear · Esc to cancel"
        )
        with Vertical(id="dialog"):
            yield Label(content(self.title_text), id="dialog-title")
            yield Static(content(self.explanation), id="dialog-body")
            yield Input(value=self.value, placeholder=self.placeholder, id="answer")
            yield Label(Content(hint), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if self.required and not value:
            self.notify("A reason is needed.", severity="warning", markup=False)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ReasonScreen(title: str, explanation: str, placeholder: str = "Reason") -> AskScreen:  # noqa: N802
    """Ask for a reason (an override or a retraction)."""
    return AskScreen(title, explanation, placeholder=placeholder, required=True)


def FilterScreen(current: str) -> AskScreen:  # noqa: N802
    """Filter pupils by name or group."""
    return AskScreen(
        "Filter pupils",
        "Part of a name, or a group: pp, eal, sen, ehcp, fsm, boys, girls, behind, excelling, stalled.",
        value=current,
        placeholder="e.g. smith, pp, behind",
    )


def SearchScreen(current: str) -> AskScreen:  # noqa: N802
    return AskScreen(
        "Search milestones", "Part of a milestone's id or title.", value=current, placeholder="e.g. fractions"
    )


class PickScreen(ModalScreen[str | None]):
    """Pick one of a list of (value, label) choices."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(content(self.title_text), id="dialog-title")
            yield OptionList(
                *[Option(content(label), id=value) for value, label in self.choices], id="choices"
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for i, (value, _) in enumerate(self.choices):
            if value == self.current:
                options.highlighted = i
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


HELP_WIDTH = 66  # the dialog's width inside its border, padding and scroll bar


class HelpScreen(ModalScreen[None]):
    """The keys of the screen underneath."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("question_mark", "close", "Close", show=False, id="help.close2"),
        Binding("q", "close", "Close", show=False, id="help.close3"),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        # a long description wraps under itself; the list scrolls when the terminal is short
        width = max((len(k) for k, _ in self.keys), default=4) + 2
        lines = []
        for key, what in self.keys:
            wrapped = textwrap.wrap(what, HELP_WIDTH - width) or [""]
            lines.append(f"{key:<{width}}{wrapped[0]}")
            lines.extend("\u00a0" * width + more for more in wrapped[1:])  # kept by the wrap
        with Vertical(id="dialog", classes="help"):
            yield Label(Content(self.title_text), id="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(Content("\n".join(lines)), id="help-keys")
            yield Label(Content("Esc or ? to close · arrows scroll"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
