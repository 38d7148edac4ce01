"""Dialogs of the pupil passport for a pupil's plan: add a personal outcome from their EHCP or
provision plan, and a baseline on entry. Each only asks; the passport screen does the work."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..text import content


@dataclass(frozen=True, slots=True)
class OutcomeDraft:
    """What the teacher typed for a new personal outcome."""

    area: str  # a strand id
    title: str
    source: str | None


class OutcomeScreen(ModalScreen[OutcomeDraft | None]):
    """Add a personal outcome: pick its area, type what the pupil will be able to do and where it
    comes from. Enter adds it; Tab moves between the fields; Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="outcome.cancel")]

    def __init__(self, pupil: str, curriculum: str, areas: list[tuple[str, str]]) -> None:
        super().__init__()
        self.pupil_name = pupil
        self.curriculum_title = curriculum
        self.areas = areas  # (strand id, title)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="plan"):
            yield Label(content(f"New personal outcome for {self.pupil_name}"), id="dialog-title")
            yield Static(
                content(f"From the EHCP or provision plan, under an area of {self.curriculum_title}."),
                id="dialog-body",
            )
            yield Label(Content("Area"), classes="field-label")
            yield OptionList(
                *[Option(content(title), id=sid) for sid, title in self.areas], id="outcome-areas"
            )
            yield Label(Content("Outcome"), classes="field-label")
            yield Input(placeholder="What the pupil will be able to do", id="outcome-title")
            yield Label(Content("From (optional)"), classes="field-label")
            yield Input(placeholder="e.g. EHCP section E, annual review 2026", id="outcome-source")
            yield Label(Content("Enter to add · Tab to move · Esc to cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        areas = self.query_one("#outcome-areas", OptionList)
        areas.highlighted = 0 if self.areas else None
        areas.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#outcome-title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        title = self.query_one("#outcome-title", Input).value.strip()
        areas = self.query_one("#outcome-areas", OptionList)
        if not title:
            self.notify("Say what the pupil will be able to do.", severity="warning", markup=False)
            self.query_one("#outcome-title", Input).focus()
            return
        if areas.highlighted is None:
            self.notify("Pick the area it belongs to.", severity="warning", markup=False)
            areas.focus()
            return
        area = areas.get_option_at_index(areas.highlighted).id
        assert area is not None
        source = self.query_one("#outcome-source", Input).value.strip() or None
        self.dismiss(OutcomeDraft(area, title, source))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class BaselineChoice:
    """The stage a baseline runs through, and why."""

    stage: str
    reason: str | None


class BaselineScreen(ModalScreen[BaselineChoice | None]):
    """Baseline on entry: pick the last stage the pupil has secured and give a reason; the dialog
    says how many milestones that records. The first Enter asks to confirm, the second records;
    Escape goes back (or cancels)."""

    BINDINGS = [Binding("escape", "back", "Cancel", id="baseline.cancel")]

    def __init__(
        self, pupil: str, curriculum: str, stages: list[tuple[str, str, int]], current: str | None = None
    ) -> None:
        super().__init__()
        self.pupil_name = pupil
        self.curriculum_title = curriculum
        self.stages = stages  # (id, title, milestones it would record)
        self.current = current
        self.confirming = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="plan"):
            yield Label(content(f"Baseline on entry: {self.pupil_name}"), id="dialog-title")
            yield Static(
                content(
                    f"{self.curriculum_title}: every milestone up to and including the stage you pick "
                    "is recorded as achieved in one batch, noted 'Baseline on entry' with your reason."
                ),
                id="dialog-body",
            )
            yield Label(Content("Secured up to"), classes="field-label")
            yield OptionList(
                *[Option(content(f"{title}  ({n} to record)"), id=sid) for sid, title, n in self.stages],
                id="baseline-stages",
            )
            yield Label(Content("Reason"), classes="field-label")
            yield Input(placeholder="e.g. joined in Year 3; baseline assessment 3 Sep", id="baseline-reason")
            yield Static(id="baseline-summary")
            yield Label(id="baseline-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        stages = self.query_one("#baseline-stages", OptionList)
        ids = [sid for sid, _, _ in self.stages]
        stages.highlighted = ids.index(self.current) if self.current in ids else (0 if ids else None)
        stages.focus()
        self.show_summary()

    @property
    def chosen(self) -> tuple[str, str, int] | None:
        stages = self.query_one("#baseline-stages", OptionList)
        if stages.highlighted is None or not self.stages:
            return None
        return self.stages[stages.highlighted]

    def show_summary(self) -> None:
        chosen = self.chosen
        if chosen is None:
            text, hint = "This curriculum has no stages.", "Esc to cancel"
        else:
            _, title, n = chosen
            if self.confirming:
                text = f"Record {n} milestones as achieved for {self.pupil_name}, through {title}?"
                hint = "Enter to record · Esc to go back"
            else:
                text = f"Through {title}: {n} milestones will be recorded as achieved."
                hint = "Enter to continue · Tab to move · Esc to cancel"
        self.query_one("#baseline-summary", Static).update(content(text))
        self.query_one("#baseline-hint", Label).update(Content(hint))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.confirming = False
        if self.is_mounted:
            self.show_summary()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.advance()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.confirming:  # a changed reason is confirmed again
            self.confirming = False
            self.show_summary()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.advance()

    def advance(self) -> None:
        """Enter: ask to confirm, then record."""
        chosen = self.chosen
        if chosen is None:
            return
        sid, title, n = chosen
        if n == 0:
            self.notify(f"Nothing to record: everything through {title} is achieved already.", markup=False)
            return
        if not self.confirming:
            self.confirming = True
            self.show_summary()
            return
        reason = self.query_one("#baseline-reason", Input).value.strip() or None
        self.dismiss(BaselineChoice(sid, reason))

    def action_back(self) -> None:
        if self.confirming:
            self.confirming = False
            self.show_summary()
            return
        self.dismiss(None)
