"""The class grid screen: pupils × milestones of one stage (or strand), marked one key per cell."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...engine import Flag
from ...errors import JudgementRefused, PassportError, PrerequisitesUnmet
from ...models import Curriculum, Pupil, Sen
from ...service import GridLine, Service
from ..glyphs import Glyphs
from ..text import plain
from ..widgets.grid import ClassGrid, GridColumn, GridRow
from .modals import FilterScreen, HelpScreen, PickScreen, ReasonScreen

SORTS = ("name", "points", "flags")


@dataclass
class View:
    """What the grid shows: a class, a curriculum, and one stage or one strand of it."""

    class_name: str | None
    curriculum_id: str
    kind: str  # "stage" or "strand"
    part: str  # the stage or strand id


def matches_pupil(p: Pupil, flags: list[Flag], text: str) -> bool:
    """Whether a pupil matches a filter: every word is part of the name (or UPN, or a tag), or a
    group word."""
    groups = {
        "pp": p.pupil_premium,
        "eal": p.eal,
        "fsm": p.fsm,
        "sen": p.sen is not Sen.NONE,
        "ehcp": p.sen is Sen.EHCP,
        "boys": p.gender == "M",
        "girls": p.gender == "F",
        "behind": Flag.FALLING_BEHIND in flags,
        "excelling": Flag.EXCELLING in flags,
        "stalled": Flag.STALLED in flags,
    }
    for word in text.lower().split():
        if word in groups:
            if not groups[word]:
                return False
        elif (
            word not in p.name.lower() and word not in p.upn.lower() and word not in " ".join(p.tags).lower()
        ):
            return False
    return True


def matches(line: GridLine, text: str) -> bool:
    return matches_pupil(line.pupil, line.flags, text)


class GridScreen(Screen):
    """Pupils down the side, milestones across; the cursor's milestone in full below."""

    BINDINGS = [
        Binding("a", "mark('achieved')", "Achieved", id="grid.achieved"),
        Binding("n", "mark('not-yet')", "Not yet", id="grid.not_yet"),
        Binding("space", "select", "Select", id="grid.select"),
        Binding("asterisk", "select_all", "All", show=False, id="grid.select_all"),
        Binding("escape", "clear_selection", "Clear", show=False, id="grid.clear"),
        Binding("r", "retract", "Retract", show=False, id="grid.retract"),
        Binding("v", "revisit", "Revisit", show=False, id="grid.revisit"),
        Binding("left_square_bracket", "part(-1)", "Previous stage", show=False, id="grid.prev_part"),
        Binding("right_square_bracket", "part(1)", "Next stage", id="grid.next_part"),
        Binding("s", "pick_part", "Stages", show=False, id="grid.pick_part"),
        Binding("m", "toggle_kind", "Stage/strand", show=False, id="grid.kind"),
        Binding("c", "pick_curriculum", "Subject", show=False, id="grid.curriculum"),
        Binding("k", "pick_class", "Class", show=False, id="grid.class"),
        Binding("slash", "filter", "Filter", id="grid.filter"),
        Binding("o", "sort", "Sort", show=False, id="grid.sort"),
        Binding("enter", "passport", "Passport", id="grid.passport"),
        Binding("t", "tree", "Curriculum", show=False, id="grid.tree"),
        Binding("T", "tracking", "Tracking", show=False, id="grid.tracking"),
        Binding("M", "moderation", "Moderation", show=False, id="grid.moderation"),
        Binding("R", "class_report", "Class reports", show=False, id="grid.class_report"),
        Binding("question_mark", "help", "Help", id="grid.help"),
    ]

    HELP = [
        ("a", "mark the cell (or the column, for the selected pupils) achieved"),
        ("n", "mark not yet"),
        ("r", "retract an achieved judgement made in error (asks a reason)"),
        ("v", "mark an achieved milestone for revisit (a retention check)"),
        ("space", "select or unselect the pupil"),
        ("*", "select all pupils shown (again: none)"),
        ("Esc", "clear the selection"),
        ("arrows", "move; Home/End first/last milestone; PgUp/PgDn"),
        ("[ ]", "previous / next stage (or strand)"),
        ("s", "pick a stage (or strand) from a list"),
        ("m", "switch between stages and strands"),
        ("c", "switch subject (curriculum)"),
        ("k", "switch class"),
        ("/", "filter pupils by name or group (pp, eal, sen, behind, …)"),
        ("o", "sort by name, points or flags"),
        ("Enter", "open the pupil's passport"),
        ("t", "the curriculum tree"),
        ("T", "tracking: points, progress, flags, groups, chart"),
        ("M", "moderation: sample, confirm, query, resolve"),
        ("R", "write the parent reports of the whole class (one HTML file)"),
        ("Ctrl+P", "command palette"),
        ("q", "quit"),
    ]

    def __init__(self, service: Service, glyphs: Glyphs, view: View) -> None:
        super().__init__()
        self.service = service
        self.glyphs = glyphs
        self.view = view
        self.filter_text = ""
        self.sort = "name"
        self.lines: list[GridLine] = []
        self.shown: list[GridLine] = []
        self._shown_text: dict[str, str] = {}
        self._loaded_change = -1

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="grid-title")
        yield ClassGrid(self.glyphs, id="grid")
        with Vertical(id="grid-detail"):
            yield Static(id="cell-status")
            yield Static(id="milestone-text")
        yield Static(self.legend(), id="legend")
        yield Footer(show_command_palette=False)

    def legend(self) -> Content:
        g = self.glyphs
        short = {"achieved, revisit": "revisit", "next step": "next", "not assessed": "none"}
        cells = " ".join(f"{g.cell[c]} {short.get(g.words[c], g.words[c])}" for c in g.cell)
        flags = " ".join(
            f"{g.flag[f]} {w}" for f, w in zip(g.flag, ("behind", "stalled", "ahead"), strict=True)
        )
        return Content(f"{cells}  {flags}")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(ClassGrid).focus()

    def on_screen_resume(self) -> None:
        # back from the passport or another screen: show what changed there (only if anything did)
        if self.lines and self.service.last_change() != self._loaded_change:
            self.reload()

    # --- data ------------------------------------------------------------------------------

    @property
    def curriculum(self) -> Curriculum:
        return self.service.curriculum(self.view.curriculum_id)

    def parts(self) -> list[tuple[str, str]]:
        c = self.curriculum
        if self.view.kind == "stage":
            return [(s.id, s.title) for s in c.stages]
        used = {m.strand for m in c.milestones}
        return [(s.id, s.title) for s in c.strands if s.id in used]

    def milestone_ids(self) -> list[str]:
        c = self.curriculum
        key = "stage" if self.view.kind == "stage" else "strand"
        ms = [m for m in c.milestones if getattr(m, key) == self.view.part]
        order = c.order
        return [m.id for m in sorted(ms, key=lambda m: order[m.id])]

    def reload(self) -> None:
        """Re-read the class from the database and repaint."""
        self._loaded_change = self.service.last_change()
        pupils = self.service.pupils(self.view.class_name)
        self.columns = [GridColumn(m, strip_year=self.view.kind == "stage") for m in self.milestone_ids()]
        self.lines = self.service.grid(pupils, self.curriculum, [c.id for c in self.columns])
        self.apply_filter_and_sort()

    def apply_filter_and_sort(self) -> None:
        lines = (
            [line for line in self.lines if matches(line, self.filter_text)]
            if self.filter_text
            else list(self.lines)
        )
        if self.sort == "points":
            lines.sort(key=lambda x: (x.points is None, -(x.points or 0), x.pupil.last_name))
        elif self.sort == "flags":
            rank = {Flag.FALLING_BEHIND: 0, Flag.STALLED: 1, Flag.EXCELLING: 3}
            lines.sort(key=lambda x: (min((rank[f] for f in x.flags), default=2), x.points or 0))
        self.shown = lines
        grid = self.query_one(ClassGrid)
        grid.set_data(self.columns, [self.row(line) for line in lines])
        self.update_title()

    def row(self, line: GridLine) -> GridRow:
        p = line.pupil
        if line.points is None:
            summary = "-"
        elif line.expected is None:
            summary = str(line.points)
        else:
            summary = f"{line.points}/{line.expected}"
        return GridRow(
            p.id or 0,
            plain(f"{p.last_name}, {p.first_name}"),
            summary,
            self.glyphs.flags(line.flags),
            line.cells,
            year="R" if line.year_group == 0 else f"Y{line.year_group}",
        )

    def update_title(self) -> None:
        c = self.curriculum
        part = dict(self.parts()).get(self.view.part, self.view.part)
        cls = self.view.class_name or "All pupils"
        subject = c.title.split(" — ")[0]
        bits = [f"Class {cls}" if self.view.class_name else cls, subject, f"{part}"]
        bits.append(
            f"{len(self.shown)} of {len(self.lines)} pupils"
            if self.filter_text
            else f"{len(self.lines)} pupils"
        )
        if self.filter_text:
            bits.append(f"filter: {self.filter_text}")
        if self.sort != "name":
            bits.append(f"sorted by {self.sort}")
        selected = len(self.query_one(ClassGrid).selected)
        if selected:
            bits.append(f"{selected} selected")
        self.query_one("#grid-title", Static).update(Content(plain("  ·  ".join(bits))))

    # --- the cursor's milestone ------------------------------------------------------------

    def on_class_grid_cursor_moved(self, event: ClassGrid.CursorMoved) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        """The cursor's milestone in full and the cell's state in words; a line is sent to the
        terminal only when its text changed (both have fixed heights, so no layout pass)."""
        grid = self.query_one(ClassGrid)
        col, row = grid.cursor_column, grid.cursor_row
        if col is None:
            self._show("#milestone-text", "No milestones in this view.")
            self._show("#cell-status", "")
            return
        m = self.curriculum.milestone_by_id[col.id]
        body = f"{m.id}  {m.title}"
        if m.guidance:
            body += f"\n{m.guidance}"
        if m.requires:
            body += f"\nNeeds: {', '.join(m.requires)}"
        self._show("#milestone-text", plain(body, multiline=True))
        if row is None:
            self._show(
                "#cell-status",
                "No pupils to show." if not self.filter_text else "No pupils match the filter.",
            )
            return
        line = self.shown[grid.cursor[0]]
        cell = row.cells[grid.cursor[1]]
        self._show(
            "#cell-status", plain(f"{line.pupil.name} (Year {line.year_group}): {self.glyphs.words[cell]}")
        )

    def _show(self, selector: str, text: str) -> None:
        if self._shown_text.get(selector) != text:
            self._shown_text[selector] = text
            self.query_one(selector, Static).update(Content(text), layout=False)

    # --- marking ---------------------------------------------------------------------------

    def targets(self) -> list[int]:
        grid = self.query_one(ClassGrid)
        if grid.selected:
            return [r.pupil_id for r in grid.rows if r.pupil_id in grid.selected]
        row = grid.cursor_row
        return [row.pupil_id] if row else []

    def action_mark(self, verdict: str, reason: str | None = None) -> None:
        grid = self.query_one(ClassGrid)
        col = grid.cursor_column
        ids = self.targets()
        if col is None or not ids:
            return
        c = self.curriculum
        try:
            outcomes = self.service.judge_many(ids, c.id, col.id, verdict, reason=reason)
        except PassportError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        refused = [o for o in outcomes if o.refusal is not None]
        already = sum(1 for o in outcomes if o.already)
        self.refresh_pupils(ids)
        done = len(outcomes) - len(refused) - already
        if len(ids) > 1:
            word = "achieved" if verdict == "achieved" else "not yet"
            extra = f", {already} already achieved" if already else ""
            self.notify(f"{col.id} {word}: {done} recorded{extra}, {len(refused)} refused.", markup=False)
        if refused:
            self.explain(refused, col.id, verdict)

    def explain(self, refused, milestone: str, verdict: str) -> None:
        """A refusal, explained in place; unmet prerequisites offer an override with a reason."""
        unmet = [o for o in refused if isinstance(o.refusal, PrerequisitesUnmet)]
        if verdict == "achieved" and unmet:
            names = ", ".join(o.pupil.name for o in unmet[:5]) + (" …" if len(unmet) > 5 else "")
            needs = sorted({u for o in unmet for u in o.refusal.unmet})
            text = (
                f"{milestone} needs {', '.join(needs)} first, not yet achieved by: {names}.\n"
                "Give a reason to record it anyway (the unmet prerequisites will show as gaps), or Esc to leave it."
            )
            ids = [o.pupil.id for o in unmet]

            def done(reason: str | None) -> None:
                if reason:
                    self.override(ids, milestone, reason)

            self.app.push_screen(
                ReasonScreen("Prerequisites not yet achieved", text, "Reason for the override"), done
            )
            others = [o for o in refused if o not in unmet]
        else:
            others = refused
        for o in others[:3]:
            self.notify(f"{o.pupil.name}: {o.refusal}", severity="warning", markup=False, timeout=8)

    def override(self, ids: list[int], milestone: str, reason: str) -> None:
        c = self.curriculum
        outcomes = self.service.judge_many(ids, c.id, milestone, "achieved", reason=reason)
        self.refresh_pupils(ids)
        ok = [o.pupil.name for o in outcomes if o.refusal is None]
        who = ok[0] if len(ok) == 1 else f"{len(ok)} pupils"
        self.notify(f"{milestone} recorded achieved with an override for {who}.", markup=False)

    def refresh_pupils(self, ids: list[int]) -> None:
        """Re-read the changed pupils' rows; the grid repaints only the cells that changed."""
        grid = self.query_one(ClassGrid)
        c = self.curriculum
        mids = [col.id for col in self.columns]
        wanted = set(ids)
        fresh = {
            line.pupil.id: self.service.grid_line(line.pupil, c, mids)
            for line in self.lines
            if line.pupil.id in wanted
        }
        self.lines = [fresh.get(line.pupil.id, line) for line in self.lines]
        for i, line in enumerate(self.shown):
            if line.pupil.id in fresh:
                self.shown[i] = fresh[line.pupil.id]
                grid.update_row(i, self.row(self.shown[i]))
        self.show_detail()

    def action_retract(self) -> None:
        grid = self.query_one(ClassGrid)
        row, col = grid.cursor_row, grid.cursor_column
        if row is None or col is None:
            return
        line = self.shown[grid.cursor[0]]

        def done(reason: str | None) -> None:
            if not reason:
                return
            try:
                self.service.judge(
                    row.pupil_id, col.id, "retracted", curriculum_id=self.view.curriculum_id, reason=reason
                )
            except JudgementRefused as refusal:
                self.notify(str(refusal), severity="warning", markup=False)
                return
            self.refresh_pupils([row.pupil_id])
            self.notify(f"{col.id} retracted for {line.pupil.name}.", markup=False)

        self.app.push_screen(
            ReasonScreen(
                "Retract an achieved judgement",
                f"Retract {col.id} for {line.pupil.name}? Use this only for a judgement made in error; "
                "the history keeps both. For doubts about retention, mark it revisit (v) instead.",
                "Why it was an error",
            ),
            done,
        )

    def action_revisit(self) -> None:
        grid = self.query_one(ClassGrid)
        row, col = grid.cursor_row, grid.cursor_column
        if row is None or col is None:
            return
        try:
            self.service.judge(row.pupil_id, col.id, "revisit", curriculum_id=self.view.curriculum_id)
        except JudgementRefused as refusal:
            self.notify(str(refusal), severity="warning", markup=False)
            return
        self.refresh_pupils([row.pupil_id])

    # --- selection, filter, sort -----------------------------------------------------------

    def action_select(self) -> None:
        grid = self.query_one(ClassGrid)
        if grid.cursor_row:
            grid.toggle_selected(grid.cursor_row.pupil_id)
            grid.action_move(1, 0)
            self.update_title()

    def action_select_all(self) -> None:
        self.query_one(ClassGrid).select_all()
        self.update_title()

    def action_clear_selection(self) -> None:
        grid = self.query_one(ClassGrid)
        if grid.selected:
            grid.selected = set()
            grid.refresh()
            self.update_title()

    def action_filter(self) -> None:
        def done(text: str | None) -> None:
            if text is not None:
                self.filter_text = text
                self.apply_filter_and_sort()

        self.app.push_screen(FilterScreen(self.filter_text), done)

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.apply_filter_and_sort()
        self.notify(f"Sorted by {self.sort}.", markup=False, timeout=2)

    # --- navigation ------------------------------------------------------------------------

    def set_view(self, **changes) -> None:
        for k, v in changes.items():
            setattr(self.view, k, v)
        self.reload()

    def action_part(self, step: int) -> None:
        parts = [p for p, _ in self.parts()]
        if not parts:
            return
        i = parts.index(self.view.part) if self.view.part in parts else 0
        self.set_view(part=parts[(i + step) % len(parts)])

    def action_pick_part(self) -> None:
        title = "Stage" if self.view.kind == "stage" else "Strand"
        self.app.push_screen(
            PickScreen(f"Show a {title.lower()}", self.parts(), self.view.part),
            lambda v: v and self.set_view(part=v),
        )

    def action_toggle_kind(self) -> None:
        kind = "strand" if self.view.kind == "stage" else "stage"
        self.view.kind = kind
        if kind == "stage":
            part = self.app.default_stage(self.curriculum, self.view.class_name)
        else:
            parts = self.parts()
            part = parts[0][0] if parts else ""
        self.set_view(part=part)
        self.notify(f"Columns by {kind}.", markup=False, timeout=2)

    def action_pick_curriculum(self) -> None:
        choices = [(c.id, c.title) for c in self.service.curricula()]

        def done(cid: str | None) -> None:
            if cid:
                self.view.curriculum_id = cid
                self.view.kind = "stage"
                self.set_view(part=self.app.default_stage(self.service.curriculum(cid), self.view.class_name))

        self.app.push_screen(PickScreen("Subject", choices, self.view.curriculum_id), done)

    def action_pick_class(self) -> None:
        self.app.pick_class(self)

    def action_passport(self) -> None:
        grid = self.query_one(ClassGrid)
        if grid.cursor_row:
            self.app.open_passport(grid.cursor_row.pupil_id)

    def action_tree(self) -> None:
        self.app.open_tree()

    def action_tracking(self) -> None:
        self.app.open_tracking()

    def action_moderation(self) -> None:
        self.app.open_moderation()

    def action_class_report(self) -> None:
        """The parent reports of the class shown, one HTML file beside the database."""
        from ...reports import class_parent_report

        class_name = self.view.class_name
        if not class_name:
            self.notify("Choose a class first (k).", markup=False, timeout=3)
            return
        self.app.write_report(
            f"class-{class_name}", lambda: class_parent_report(self.service, class_name, "html")
        )

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Class grid — keys", self.HELP))

    def pupil_ids(self) -> list[Pupil]:
        return [line.pupil for line in self.shown]
