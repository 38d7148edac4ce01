"""Moderation: a random sample of a class's achieved judgements in a window, for a second member
of staff to confirm or query; queried judgements stay listed until resolved."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from ...engine import Window
from ...models import Curriculum
from ...service import ModerationItem, Service
from ..failures import guarded
from ..text import plain
from ..widgets.keys import KeyBar
from .base import Read, ServiceScreen
from .modals import AskScreen, HelpScreen

SAMPLE_SIZE = 10


class ModerationLoaded(Read):
    """The class's moderation list in one curriculum was read (after drawing a sample of
    ``drawn`` judgements, when one was drawn)."""

    def __init__(
        self, items: list[ModerationItem], curriculum: Curriculum, window: Window, drawn: int | None
    ) -> None:
        super().__init__()
        self.items = items
        self.curriculum = curriculum
        self.window = window
        self.drawn = drawn


def load_moderation(
    service: Service, class_name: str | None, curriculum_id: str, draw: bool = False
) -> ModerationLoaded:
    drawn = None
    if draw:
        drawn = len(
            service.draw_moderation_sample(
                class_name=class_name, curriculum_id=curriculum_id, size=SAMPLE_SIZE
            )
        )
    items = [
        i for i in service.moderation(class_name=class_name) if i.judgement.curriculum_id == curriculum_id
    ]
    return ModerationLoaded(items, service.curriculum(curriculum_id), service.window(), drawn)


class ModerationScreen(ServiceScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="moderation.back"),
        Binding("s", "sample", "Draw sample", id="moderation.sample"),
        Binding("c", "decide('confirm')", "Confirm", id="moderation.confirm"),
        Binding("x", "decide('query')", "Query", id="moderation.query"),
        Binding("r", "decide('resolve')", "Resolve", id="moderation.resolve"),
        Binding("question_mark", "help", "Help", id="moderation.help"),
    ]

    HELP = [
        ("s", f"draw a random sample of {SAMPLE_SIZE} achieved judgements from this window"),
        ("c", "confirm the highlighted judgement (not your own)"),
        ("x", "query it, with a note (it stays listed until resolved)"),
        ("r", "resolve a query, with a note"),
        ("Esc", "back"),
    ]

    def __init__(self, service: Service, class_name: str | None, curriculum_id: str) -> None:
        super().__init__(service)
        self.class_name = class_name
        self.curriculum_id = curriculum_id
        self.curriculum: Curriculum | None = None
        self.items: list[ModerationItem] = []

    def compose(self) -> ComposeResult:
        yield Static(id="moderation-title")
        yield DataTable(id="moderation-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="moderation-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Id", "Pupil", "Milestone", "Recorded by", "On", "Status", "Note")
        self.reload()
        table.focus()

    def reload(self, draw: bool = False) -> None:
        class_name, curriculum_id = self.class_name, self.curriculum_id
        self.read("moderation", lambda service: load_moderation(service, class_name, curriculum_id, draw))

    @guarded
    def on_moderation_loaded(self, message: ModerationLoaded) -> None:
        if not self.is_latest(message):
            return
        if message.drawn is not None:
            self.notify(f"{message.drawn} judgements drawn for moderation.", markup=False, timeout=3)
        was = self.current()
        self.items = message.items
        self.curriculum = message.curriculum
        table = self.query_one(DataTable)
        table.clear()
        for i in self.items:
            note = i.state.query if i.state.listed else (i.state.resolution or "")
            table.add_row(
                str(i.judgement.id),
                Text(plain(i.pupil.name)),
                i.judgement.milestone_id,
                Text(plain(i.judgement.by)),
                i.judgement.at.date().isoformat(),
                i.state.status.value,
                Text(plain(note or "")),
            )
        if was is not None:  # the cursor stays on the same judgement
            ids = [i.judgement.id for i in self.items]
            if was.judgement.id in ids:
                table.move_cursor(row=ids.index(was.judgement.id))
        open_queries = sum(1 for i in self.items if i.state.listed)
        title = (
            f"Moderation · Class {self.class_name or 'all'} · {self.curriculum_id} · {message.window.name} · "
            f"{len(self.items)} sampled, {open_queries} queried"
        )
        self.query_one("#moderation-title", Static).update(Content(plain(title)))
        if not self.items:
            self.query_one("#moderation-detail", Static).update(
                Content("Nothing sampled yet: press s to draw a sample.")
            )
        else:
            self.show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        item = self.current()
        if item is None or self.curriculum is None:
            return
        text = f"{item.judgement.milestone_id}  {item.title or ''}"
        if item.judgement.note:
            text += f"\nEvidence: {item.judgement.note}"
        self.query_one("#moderation-detail", Static).update(Content(plain(text, multiline=True)))

    def current(self) -> ModerationItem | None:
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row is None or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    def action_sample(self) -> None:
        """Draw a sample (in the worker that then reads the list)."""
        self.reload(draw=True)

    def action_decide(self, action: str) -> None:
        item = self.current()
        if item is None:
            return
        jid = item.judgement.id

        def apply(note: str | None) -> None:
            if note is None and action != "confirm":
                return
            self.service.moderate(jid, action, note)
            self.reload()

        if action == "confirm":
            apply(None)
        else:
            what = "Query" if action == "query" else "Resolve the query on"
            self.app.push_screen(
                AskScreen(
                    f"{what} {item.judgement.milestone_id} for {item.pupil.name}",
                    "A note for the record.",
                    required=True,
                ),
                apply,
            )

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Moderation — keys", self.HELP))
