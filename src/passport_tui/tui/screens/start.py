"""The first run on an empty database: a family or a tutor picks curricula from the ones shipped
with the app, adds their child and, if they like, says what the child has secured already; then
the app opens on the child's passport. No file to write, no UPN needed.

Three steps, each finished with Enter: the curricula (Space ticks, the key milestones are ticked
to begin with), the child (name, year group, an optional date of birth: Enter moves to the next
field) and a baseline per curriculum (the last stage the child has secured, or nothing yet). Esc
goes back a step. The shipped curricula are read, and everything is written, in thread workers;
the writing is one use case of the service (``start``), so it is all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ContentSwitcher, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from ...engine import year_label
from ...errors import PassportError
from ...models import Curriculum
from ...resources import ShippedCurriculum
from ...service import PupilSaved, Service
from ..failures import guarded
from ..text import content
from ..widgets.fields import FieldInput
from ..widgets.keys import KeyBar
from .base import Read, ServiceScreen

STEPS = ("curricula", "child", "baseline")
STEP_TITLES = {"curricula": "Curricula", "child": "The child", "baseline": "What is secure already"}
TICKED = ("key-maths", "key-english")  # ticked to begin with: the key milestones
NOTHING_YET = "nothing"  # the baseline option "nothing secured yet"; a stage's option is "stage:ID"


class ShippedRead(Read):
    """The shipped curricula (and which are in the database already) were read."""

    def __init__(self, shipped: list[ShippedCurriculum], imported: set[str]) -> None:
        super().__init__()
        self.shipped = shipped
        self.imported = imported


class StagesRead(Read):
    """The chosen curricula were read from their files (for their stages)."""

    def __init__(self, curricula: list[Curriculum]) -> None:
        super().__init__()
        self.curricula = curricula


class Started(Read):
    """The curricula were imported and the child added (with their baseline)."""

    def __init__(self, saved: PupilSaved, curriculum_id: str | None) -> None:
        super().__init__()
        self.saved = saved
        self.curriculum_id = curriculum_id


@dataclass(slots=True)
class Child:
    name: str = ""
    year: str = ""
    dob: str = ""


class CurriculumChoice(OptionList):
    """The shipped curricula, each with a box ticked or not (a glyph, not a colour, says which):
    Space ticks, Enter goes on."""

    BINDINGS = [
        Binding("space", "tick", "Tick", id="start.tick"),
        Binding("enter", "screen.next", "Next", id="start.next"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.titles: dict[str, str] = {}
        self.ticked: set[str] = set()

    def set_curricula(self, curricula: list[ShippedCurriculum], ticked: set[str]) -> None:
        self.titles = {c.id: c.title for c in curricula}
        self.ticked = {cid for cid in ticked if cid in self.titles}
        self.clear_options()
        self.add_options([Option(self.prompt(c.id), id=c.id) for c in curricula])
        self.highlighted = 0

    def prompt(self, cid: str) -> Content:
        box = "[x]" if cid in self.ticked else "[ ]"
        return Content(f"{box} ") + content(self.titles[cid], multiline=False)

    def action_tick(self) -> None:
        if self.highlighted is None:
            return
        cid = self.get_option_at_index(self.highlighted).id
        if cid is None:
            return
        self.ticked ^= {cid}
        self.replace_option_prompt_at_index(self.highlighted, self.prompt(cid))


class StageChoice(OptionList):
    """The stages of one curriculum: Enter picks the last one the child has secured."""

    BINDINGS = [Binding("enter", "select", "Choose", id="start.choose")]


class StartScreen(ServiceScreen):
    """Start a passport: curricula, a child, a baseline."""

    BINDINGS = [Binding("escape", "back", "Back", id="start.back")]

    def __init__(self, service: Service) -> None:
        super().__init__(service)
        self.step = "curricula"
        self.shipped: list[ShippedCurriculum] = []
        self.chosen: list[str] = []
        self.curricula: dict[str, Curriculum] = {}
        self.child = Child()
        self.baselines: dict[str, str] = {}
        self.baseline_index = 0
        self.year_group = 0
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Static(
            Content(f"Milestones Passport {self.app.glyphs.dash} start a passport"), id="start-title"
        )
        yield Static(id="start-steps")
        with ContentSwitcher(initial="curricula", id="start-switcher"):
            with Vertical(id="curricula"):
                yield Static(
                    Content(
                        "Which curricula will the child follow? Space ticks or unticks one; "
                        "Enter goes on. More can be added later."
                    ),
                    classes="start-help",
                )
                yield CurriculumChoice(id="curricula-list")
            with Vertical(id="child"):
                yield Static(
                    Content(
                        "Who is the passport for? No UPN is needed: the passport gives the child an "
                        "id. Enter moves to the next field."
                    ),
                    classes="start-help",
                )
                yield Label(Content("Name"), classes="start-label")
                yield FieldInput(placeholder="e.g. Zoë Brontë", id="child-name", next_field="child-year")
                yield Label(Content("Year group this school year"), classes="start-label")
                yield FieldInput(
                    placeholder="R for Reception, or 1 to 13", id="child-year", next_field="child-dob"
                )
                yield Label(Content("Date of birth (optional)"), classes="start-label")
                yield Input(placeholder="YYYY-MM-DD or DD/MM/YYYY", id="child-dob")
            with Vertical(id="baseline"):
                yield Static(id="baseline-help", classes="start-help")
                yield StageChoice(id="baseline-list")
        yield Static(id="start-problem")
        yield KeyBar()

    def on_mount(self) -> None:
        self.show_steps()
        self.read(
            "start-shipped", lambda service: ShippedRead(service.shipped_curricula(), _imported(service))
        )

    # --- the steps -------------------------------------------------------------------------

    def show_steps(self) -> None:
        parts = []
        for n, step in enumerate(STEPS, start=1):
            label = f"{n} {STEP_TITLES[step]}"
            parts.append(f"[{label}]" if step == self.step else label)
        self.query_one("#start-steps", Static).update(Content(f"  {self.app.glyphs.right}  ".join(parts)))

    def go(self, step: str) -> None:
        self.step = step
        self.problem("")
        self.query_one(ContentSwitcher).current = step
        self.show_steps()
        if step == "curricula":
            self.query_one(CurriculumChoice).focus()
        elif step == "child":
            self.query_one("#child-name", Input).focus()
        else:
            self.show_baseline()

    def problem(self, text: str) -> None:
        self.query_one("#start-problem", Static).update(content(text, multiline=False))

    def action_next(self) -> None:
        """Enter on the curricula: on to the child (the chosen curricula are read meanwhile)."""
        chosen = self.query_one(CurriculumChoice).ticked
        if not chosen:
            self.problem("Tick at least one curriculum (Space).")
            return
        self.chosen = [c.id for c in self.shipped if c.id in chosen]  # in the list's order
        wanted = list(self.chosen)
        self.read("start-stages", lambda service: StagesRead([service.shipped_curriculum(c) for c in wanted]))
        self.go("child")

    def action_back(self) -> None:
        if self.busy:
            return
        if self.step == "baseline" and self.baseline_index > 0:
            self.baseline_index -= 1
            self.show_baseline()
        elif self.step == "baseline":
            self.go("child")
        elif self.step == "child":
            self.go("curricula")
        else:
            self.dismiss()

    @guarded
    def on_shipped_read(self, message: ShippedRead) -> None:
        self.shipped = message.shipped
        choice = self.query_one(CurriculumChoice)
        choice.set_curricula(self.shipped, message.imported or set(TICKED))
        choice.focus()

    @guarded
    def on_stages_read(self, message: StagesRead) -> None:
        if not self.is_latest(message):
            return
        self.curricula = {c.id: c for c in message.curricula}
        if self.step == "baseline":
            self.show_baseline()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field: on to the next one; on the last, check the child and go on."""
        event.stop()
        fields = ["child-name", "child-year", "child-dob"]
        at = fields.index(event.input.id or "")
        if at < len(fields) - 1:
            self.query_one(f"#{fields[at + 1]}", Input).focus()
            return
        child = Child(*(self.query_one(f"#{f}", Input).value.strip() for f in fields))
        try:
            self.year_group, warnings = self.service.check_pupil(child.name, child.year, child.dob or None)
        except PassportError as error:
            self.problem(str(error))
            field = {"Name": 0, "Year": 1, "Date of birth": 2}.get(str(error).split(":")[0], 0)
            self.query_one(f"#{fields[field]}", Input).focus()
            return
        for warning in warnings:
            self.notify(warning[:1].upper() + warning[1:], severity="warning", markup=False)
        self.child = child
        self.baselines = {}
        self.baseline_index = 0
        self.go("baseline")

    def show_baseline(self) -> None:
        """The stages of the current curriculum, to pick the last one the child has secured."""
        options = self.query_one(StageChoice)
        cid = self.chosen[self.baseline_index]
        c = self.curricula.get(cid)
        title = c.title if c is not None else next((s.title for s in self.shipped if s.id == cid), cid)
        count = f" ({self.baseline_index + 1} of {len(self.chosen)})" if len(self.chosen) > 1 else ""
        self.query_one("#baseline-help", Static).update(
            content(
                f"{title}{count}\nHas {self.child.name} secured any of it already? Pick the last stage "
                "they have secured (each of its milestones and those before it are recorded as a "
                "baseline), or Nothing yet.",
            )
        )
        options.clear_options()
        if c is None:
            options.add_option(Option(Content("Reading the curriculum…"), disabled=True))
            return
        before = [s for s in c.stages if s.year is not None and s.year == self.year_group - 1]
        hint = before[-1].id if before else None
        options.add_option(Option(Content("Nothing yet"), id=NOTHING_YET))
        for stage in c.stages:
            label = stage.title + ("  (the year before theirs)" if stage.id == hint else "")
            options.add_option(Option(content(label, multiline=False), id=f"stage:{stage.id}"))
        chosen = self.baselines.get(cid)
        ids = [None, *(s.id for s in c.stages)]
        options.highlighted = ids.index(chosen) if chosen in ids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "baseline-list" or event.option.id is None:
            return
        event.stop()
        cid = self.chosen[self.baseline_index]
        if event.option.id == NOTHING_YET:
            self.baselines.pop(cid, None)
        else:
            self.baselines[cid] = event.option.id.removeprefix("stage:")
        if self.baseline_index + 1 < len(self.chosen):
            self.baseline_index += 1
            self.show_baseline()
        else:
            self.finish()

    def finish(self) -> None:
        """Write it all in a worker: the curricula, the child, the baselines."""
        if self.busy:
            return
        self.busy = True
        self.problem("Starting the passport…")
        chosen, child, baselines = list(self.chosen), self.child, dict(self.baselines)
        first = chosen[0] if chosen else None

        def start(service: Service) -> Started:
            saved = service.start(chosen, child.name, child.year, dob=child.dob or None, baselines=baselines)
            return Started(saved, first)

        self.read("start", start)

    @guarded
    def on_started(self, message: Started) -> None:
        self.busy = False
        p = message.saved.pupil
        self.app.notify(
            f"Started the passport of {p.name} ({year_label(message.saved.year_group)}), "
            f"id {p.upn}: the passport's own id, not a DfE UPN.",
            markup=False,
            timeout=8,
        )
        self.dismiss((p.id, message.curriculum_id))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.busy = False
            self.problem("")
        super().on_worker_state_changed(event)


def _imported(service: Service) -> set[str]:
    return {c.id for c in service.curricula()}
