"""Dialogs that add a pupil (from the class grid) and erase one (from the pupil's passport).

Each dialog writes through the service in a thread worker, on a connection of its own, and stays
open until the write is done: what the service refuses (a bad year, a class that is not the
teacher's, a reason that names the pupil, a busy database) is shown on the dialog's problem line,
nothing is saved, and what was typed stays, to be put right or left with Esc. A write that went
through closes the dialog with what the service returned; the screen underneath says so and shows
the change."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from ...engine import year_label
from ...errors import PassportError
from ...models import Pupil, is_passport_id
from ...service import ErasedPupil, PupilSaved, Service, database_fault
from ...shown import plural
from ..text import content, plain
from ..widgets.fields import FieldInput

T = TypeVar("T")
# how long a dialog's write waits for another program's write lock before it says the database is
# busy (Enter tries again): as long as a mark on the grid waits (``app.BUSY_WAIT_S``), not the
# command line's ten seconds, in which Esc could not close the dialog
WRITE_WAIT_S = 1.0


class Written(Message):
    """The dialog's write went through: ``result`` is what the service returned."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class Refused(Message):
    """The service refused the dialog's write (or the database could not take it): nothing was
    written."""

    def __init__(self, error: PassportError) -> None:
        super().__init__()
        self.error = error


class WritingDialog(ModalScreen[T], Generic[T]):
    """A dialog that writes through the service in a worker (see the module's notes). While the
    write runs, Enter and Esc wait for it."""

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.busy = False

    def problem(self, text: str) -> None:
        """One line under the fields: what was refused, or what is being done."""
        self.query_one("#dialog-problem", Static).update(content(" ".join(text.split()), multiline=False))

    def write(self, doing: str, job: Callable[[Service], T]) -> None:
        """Run ``job`` with a service of its own in a thread worker; a refusal comes back as
        ``Refused``, the result as ``Written``."""
        if self.busy:
            return
        self.busy = True
        self.problem(doing)
        service = self.service

        def run() -> None:
            with service.reopen() as own:
                own.set_busy_timeout(WRITE_WAIT_S)
                try:
                    result = job(own)
                except Exception as error:
                    fault = database_fault(error, own.database_path) or error
                    if isinstance(fault, PassportError):
                        self.post_message(Refused(fault))
                        return
                    raise
            self.post_message(Written(result))

        self.run_worker(run, name=f"{type(self).__name__}-write", thread=True, exit_on_error=False)

    def on_refused(self, message: Refused) -> None:
        self.busy = False
        text = " ".join(message.error.lines())
        self.problem(text)
        self.refused(text)

    def refused(self, text: str) -> None:
        """Put the focus where the refusal points."""

    def on_written(self, message: Written) -> None:
        self.busy = False
        self.dismiss(message.result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # an error the service did not name: the app's error screen and log; the dialog stays
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.busy = False
            self.problem("")
            self.app.handle_error(event.worker.error)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)


def field(
    label: str, input_id: str, *, value: str = "", placeholder: str = "", next_field: str | None = None
) -> Horizontal:
    """A label and its one-line input, side by side (``next_field``: where Enter goes)."""
    return Horizontal(
        Label(Content(label), classes="field-label"),
        FieldInput(value=value, placeholder=placeholder, id=input_id, next_field=next_field),
        classes="field",
    )


# --- add a pupil --------------------------------------------------------------------------------

ADD_FIELDS = ("pupil-name", "pupil-year", "pupil-class", "pupil-upn", "pupil-dob")
# the field a refusal is about, by the label the service's message starts with
REFUSED_FIELD = {
    "Name": "pupil-name",
    "Year": "pupil-year",
    "Class": "pupil-class",
    "UPN": "pupil-upn",
    "Date of birth": "pupil-dob",
}


def added_notice(saved: PupilSaved) -> str:
    """What a notice says of a pupil just added: who, which year and class, and their id."""
    p = saved.pupil
    where = f", class {p.class_name}" if p.class_name else ""
    who = f"Added {p.name} ({year_label(saved.year_group)}{where})"
    if saved.passport_id:
        return plain(f"{who} with the id {p.upn}: the passport's own id, not a DfE UPN.")
    return plain(f"{who} with UPN {p.upn}.")


class AddPupilScreen(WritingDialog[PupilSaved]):
    """Add a pupil: name, year group, class (the class being viewed, to begin with), and an
    optional UPN and date of birth. Enter moves to the next field and, on the last, adds the
    pupil; Tab moves too; Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add_pupil.cancel")]

    def __init__(self, service: Service, class_name: str | None, classes: list[str]) -> None:
        super().__init__(service)
        self.class_name = class_name
        self.class_names = classes  # the classes the user sees, for the hint

    def compose(self) -> ComposeResult:
        shown = ", ".join(self.class_names[:5]) + (", …" if len(self.class_names) > 5 else "")
        with Vertical(id="dialog", classes="pupil"):
            yield Label(Content("Add a pupil"), id="dialog-title")
            yield Static(
                Content(
                    "No UPN is needed: without one the passport gives the pupil an id of its own "
                    "(the real UPN can be set later)."
                ),
                id="dialog-body",
            )
            yield field("Name", "pupil-name", placeholder="e.g. Zoë Brontë", next_field="pupil-year")
            yield field(
                "Year group",
                "pupil-year",
                placeholder="R for Reception, or 1 to 13",
                next_field="pupil-class",
            )
            yield field(
                "Class",
                "pupil-class",
                value=self.class_name or "",
                placeholder=f"e.g. {plain(shown)}" if shown else "optional",
                next_field="pupil-upn",
            )
            yield field(
                "UPN (optional)",
                "pupil-upn",
                placeholder="none: the passport gives an id",
                next_field="pupil-dob",
            )
            yield field("Born (optional)", "pupil-dob", placeholder="YYYY-MM-DD or DD/MM/YYYY")
            yield Static(id="dialog-problem")
            yield Label(
                Content("Enter: next field, on the last adds · Tab moves · Esc cancels"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#pupil-name", Input).focus()

    def value(self, input_id: str) -> str:
        return self.query_one(f"#{input_id}", Input).value.strip()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        at = ADD_FIELDS.index(event.input.id or "")
        if at < len(ADD_FIELDS) - 1:
            self.query_one(f"#{ADD_FIELDS[at + 1]}", Input).focus()
            return
        self.add()

    def add(self) -> None:
        name, year, klass, upn, dob = (self.value(f) for f in ADD_FIELDS)

        def job(service: Service) -> PupilSaved:
            return service.add_pupil(name, year, class_name=klass or None, upn=upn or None, dob=dob or None)

        self.write("Adding the pupil…", job)

    def refused(self, text: str) -> None:
        # "Year: …", or "UPN X is already …"
        label = next((label for label in REFUSED_FIELD if text.startswith((f"{label}:", f"{label} "))), None)
        target = REFUSED_FIELD[label] if label else ("pupil-class" if "class" in text.lower() else None)
        if target is not None:
            self.query_one(f"#{target}", Input).focus()


# --- erase a pupil ------------------------------------------------------------------------------

ERASED_KINDS = (
    "notes, teacher's comments, test scores, targets, focus items, moderation rows, pathway and "
    "personal outcomes"
)


def confirms(typed: str, pupil: Pupil) -> bool:
    """Whether what was typed names the pupil: their name (case, spaces and how an accent is
    encoded aside: "ë" typed is "e" and a combining diaeresis stored) or UPN."""

    def words(text: str) -> list[str]:
        return unicodedata.normalize("NFC", text).casefold().split()

    typed_words = words(typed)
    if not typed_words:
        return False
    return typed_words == words(pupil.name) or " ".join(typed_words) == pupil.upn.casefold()


def erased_notice(erased: ErasedPupil) -> str:
    """What a notice says of a pupil just erased."""
    text = (
        f"Erased {erased.name} ({erased.upn}): {plural(erased.erased.rows, 'row')} "
        "(audit line kept, no personal data)."
    )
    if not erased.erased.checkpointed:
        text += (
            " Another session has the database open: the erased rows stay in its -wal file until "
            "every session closes."
        )
    return plain(text)


class ErasePupilScreen(WritingDialog[ErasedPupil]):
    """Erase a pupil for good (admins): says what goes, asks a reason (kept in the erasure log,
    so without the pupil's name or UPN) and the pupil's name or UPN typed again to confirm. Enter
    in the reason moves on; Enter in the confirmation erases; Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="erase_pupil.cancel")]

    def __init__(self, service: Service, pupil: Pupil, year_group: int, judgements: int) -> None:
        super().__init__(service)
        self.pupil = pupil
        self.year_group = year_group
        self.judgements = judgements

    def compose(self) -> ComposeResult:
        p = self.pupil
        kind = "id" if is_passport_id(p.upn) else "UPN"
        where = f", class {p.class_name}" if p.class_name else ""
        body = (
            f"Every record of {p.name} ({kind} {p.upn}, {year_label(self.year_group)}{where}) is "
            f"removed from the database file: {plural(self.judgements, 'judgement')}, "
            f"{ERASED_KINDS}, and the pupil. This cannot be undone. The erasure log keeps when, "
            "who, why (so the reason may not name the pupil) and how many rows: nothing personal. "
            "Backups made before still hold the pupil."
        )
        with Vertical(id="dialog", classes="pupil erase"):
            yield Label(content(f"Erase {p.name}?", multiline=False), id="dialog-title")
            yield Static(content(body), id="dialog-body")
            yield field(
                "Reason",
                "erase-reason",
                placeholder="kept in the log: no name, e.g. erasure request",
                next_field="erase-confirm",
            )
            yield field("Type to confirm", "erase-confirm", placeholder=f"the pupil's name or {kind}")
            yield Static(id="dialog-problem")
            yield Label(
                Content("Enter: next field, on the last erases · Tab moves · Esc cancels"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#erase-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "erase-reason":
            self.query_one("#erase-confirm", Input).focus()
            return
        self.erase()

    def erase(self) -> None:
        reason = self.query_one("#erase-reason", Input).value
        typed = self.query_one("#erase-confirm", Input).value
        if not confirms(typed, self.pupil):
            kind = "id" if is_passport_id(self.pupil.upn) else "UPN"
            self.problem(f"Nothing erased: type the pupil's name or {kind} ({self.pupil.upn}) to confirm.")
            self.query_one("#erase-confirm", Input).focus()
            return
        pupil_id = self.pupil.id
        assert pupil_id is not None
        self.write("Erasing…", lambda service: service.erase_pupil(pupil_id, reason))

    def refused(self, text: str) -> None:
        if text.startswith("Reason:"):
            self.query_one("#erase-reason", Input).focus()
