"""The class grid screen: pupils × milestones of one stage (or strand), marked one key per cell."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ...engine import Flag, last_stage_below, year_label, year_short
from ...errors import NotFound, PrerequisitesUnmet
from ...models import Curriculum, Pupil, Sen
from ...service import GridLine, PupilSaved, Service
from ...shown import plural
from ..failures import guarded
from ..glyphs import Glyphs
from ..text import plain
from ..widgets.grid import ClassGrid, GridColumn, GridRow
from ..widgets.keys import KeyBar
from .base import Read, ServiceScreen
from .modals import FilterScreen, HelpScreen, PickScreen, ReasonScreen
from .plan_dialogs import BaselineChoice, BaselineScreen
from .pupil_dialogs import AddPupilScreen, added_notice


def not_assessed_hint(glyphs: Glyphs) -> str:
    """What the grid and the passport say of a pupil nobody has judged in the subject shown, and
    what to do about it."""
    return f"Not assessed yet {glyphs.dash} press b for a baseline, or judge a milestone"


SORTS = ("name", "points", "flags")
REST_SLICE = 20  # pupils read at a time after the first screenful
REST_AFTER = 0.05  # seconds after the first screenful is shown


@dataclass(frozen=True)
class Batch:
    """A bulk mark achieved that ``u`` can undo: the pupils it recorded, one milestone."""

    pupil_ids: tuple[int, ...]
    curriculum_id: str
    milestone_id: str


@dataclass
class View:
    """What the grid shows: a class, a curriculum, and one stage or one strand of it. No
    curriculum means the first with a stage for the class's year group; no part, the stage of the
    class's most common year group (or the first strand)."""

    class_name: str | None
    curriculum_id: str | None = None
    kind: str = "stage"  # "stage" or "strand"
    part: str | None = None  # the stage or strand id


# --- reading the grid (in a worker, on the worker's own connection) -----------------------------


class GridLoaded(Read):
    """The grid of a view was read: every pupil's line, or (``complete`` false) the first
    screenful of them, with ``pupils`` pupils in all."""

    def __init__(
        self,
        view: View,
        curriculum: Curriculum | None,
        milestones: list[str],
        lines: list[GridLine],
        pupils: int,
        complete: bool,
        since: int,
        painted: threading.Event | None = None,
    ) -> None:
        super().__init__()
        self.view = view
        self.curriculum = curriculum
        self.milestones = milestones
        self.lines = lines
        self.pupils = pupils
        self.complete = complete
        self.since = since
        self.painted = painted  # set once the first screenful is on screen


class GridBaselinePlanned(Read):
    """What a baseline on entry would record for one pupil in the grid's subject, stage by stage."""

    def __init__(self, pupil_id: int, name: str, stages: list[tuple[str, str, int]]) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.name = name
        self.stages = stages


class GridBaselineRecorded(Read):
    def __init__(self, pupil_id: int, stage: str, recorded: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.stage = stage
        self.recorded = recorded


class GridLinesRead(Read):
    """Some pupils' lines were read again."""

    def __init__(self, lines: list[GridLine], since: int) -> None:
        super().__init__()
        self.lines = lines
        self.since = since


def default_curriculum(service: Service, pupils: list[Pupil]) -> Curriculum | None:
    """The first subject with a stage for the pupils' year groups (else the first subject)."""
    curricula = service.curricula()
    years = {service.year_group(p) for p in pupils}
    for c in curricula:
        if any(y in s.year_list for s in c.stages for y in years):
            return c
    return curricula[0] if curricula else None


def default_part(service: Service, c: Curriculum, kind: str, pupils: list[Pupil]) -> str:
    """The stage of the pupils' most common year group (the first stage otherwise), or the first
    strand with milestones."""
    if kind == "strand":
        used = {m.strand for m in c.milestones}
        return next((s.id for s in c.strands if s.id in used), "")
    years = Counter(service.year_group(p) for p in pupils)
    for year, _ in years.most_common():
        for s in c.stages:
            if year in s.year_list:
                return s.id
    return c.stages[0].id if c.stages else ""


def milestone_ids(c: Curriculum, view: View) -> list[str]:
    key = "stage" if view.kind == "stage" else "strand"
    order = c.order
    return [
        m.id
        for m in sorted(
            (m for m in c.milestones if getattr(m, key) == view.part and not m.retired),
            key=lambda m: order[m.id],
        )
    ]


def load_grid(service: Service, view: View, first: int, since: int) -> Iterator[GridLoaded]:
    """The view's grid: with ``first``, the first ``first`` pupils' lines, then everyone's."""
    pupils = service.pupils(view.class_name)
    c = service.curriculum(view.curriculum_id) if view.curriculum_id else default_curriculum(service, pupils)
    if c is None:
        yield GridLoaded(view, None, [], [], len(pupils), True, since)
        return
    view = replace(view, curriculum_id=c.id)
    pupils = service.following(c, pupils)  # only those whose pathway includes this curriculum
    if not view.part:
        view.part = default_part(service, c, view.kind, pupils)
    mids = milestone_ids(c, view)
    if 0 < first < len(pupils):
        head = service.grid(pupils[:first], c, mids)
        painted = threading.Event()
        yield GridLoaded(view, c, mids, head, len(pupils), False, since, painted)
        # read the rest once the first screenful is painted, a slice at a time, so the app's
        # thread is not kept waiting for the interpreter while it paints or takes keys
        painted.wait(timeout=2.0)
        lines = list(head)
        for start in range(first, len(pupils), REST_SLICE):
            lines += service.grid(pupils[start : start + REST_SLICE], c, mids)
            time.sleep(0)
    else:
        lines = service.grid(pupils, c, mids)
    yield GridLoaded(view, c, mids, lines, len(pupils), True, since)


def recheck_grid(
    service: Service,
    view: View,
    c: Curriculum,
    known: list[int | None],
    visible: list[int],
    since: int,
) -> Iterator[Read]:
    """After another user's commit: the visible pupils' lines again, or the whole grid if the
    class's pupils or the curriculum changed."""
    pupils = service.pupils(view.class_name)
    if [p.id for p in pupils] != known or service.curriculum(c.id) != c:
        yield from load_grid(service, view, 0, since)
        return
    wanted = set(visible)
    mids = milestone_ids(c, view)
    yield GridLinesRead(service.grid([p for p in pupils if p.id in wanted], c, mids), since)


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


class GridScreen(ServiceScreen):
    """Pupils down the side, milestones across; the cursor's milestone in full below."""

    BINDINGS = [
        Binding("a", "mark('achieved')", "Achieved", id="grid.achieved"),
        Binding("n", "mark('not-yet')", "Not yet", id="grid.not_yet"),
        Binding("space", "select", "Select", id="grid.select"),
        Binding("asterisk", "select_all", "All", show=False, id="grid.select_all"),
        Binding("escape", "clear_selection", "Clear", show=False, id="grid.clear"),
        Binding("u", "undo", "Undo", show=False, id="grid.undo"),
        Binding("r", "retract", "Retract", show=False, id="grid.retract"),
        Binding("v", "revisit", "Revisit", show=False, id="grid.revisit"),
        Binding("b", "baseline", "Baseline", show=False, id="grid.baseline"),
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
        Binding("N", "add_pupil", "Add pupil", show=False, id="grid.add_pupil"),
        Binding("question_mark", "help", "Help", id="grid.help"),
    ]

    HELP = [
        ("a", "mark the cell (or the column, for the selected pupils) achieved"),
        ("n", "mark not yet"),
        ("u", "undo a bulk mark achieved, right after it"),
        ("r", "retract an achieved judgement made in error (asks a reason)"),
        ("v", "mark an achieved milestone for revisit (a retention check)"),
        ("b", "baseline on entry: up to a stage achieved, with a reason"),
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
        ("N", "add a pupil: name, year group, class; UPN and date of birth optional"),
        ("Ctrl+P", "command palette"),
        ("q", "quit"),
    ]

    def __init__(self, service: Service, glyphs: Glyphs, view: View) -> None:
        super().__init__(service)
        self.glyphs = glyphs
        self.view = view
        self.curriculum: Curriculum | None = None
        self.columns: list[GridColumn] = []
        self.filter_text = ""
        self.sort = "name"
        self.lines: list[GridLine] = []
        self.shown: list[GridLine] = []
        self.expected_pupils = 0
        self.complete = False  # every pupil's line has arrived
        self.stale: set[int] = set()  # pupils whose lines may be out of date (another user's commit)
        self._shown_text: dict[str, str] = {}
        self._edits = 0  # marks made here, counted: a read that began before one keeps its result
        self._edited: dict[int, int] = {}  # pupil id -> the count at their last mark
        self.undoable: Batch | None = None  # the bulk mark ``u`` retracts, until another change
        self.find_pupil: int | None = None  # a pupil just added: the cursor goes to them once read

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self.reload()  # the worker reads while the screen is built
        yield Static(id="grid-title")
        yield ClassGrid(self.glyphs, id="grid")
        with Vertical(id="grid-detail"):
            yield Static(id="cell-status")
            yield Static(id="milestone-text")
        yield Static(self.legend(), id="legend")
        yield KeyBar()

    def legend(self) -> Content:
        g = self.glyphs
        short = {"achieved, revisit": "revisit", "next step": "next", "not assessed": "none"}
        cells = " ".join(f"{g.cell[c]} {short.get(g.words[c], g.words[c])}" for c in g.cell)
        flags = " ".join(
            f"{g.flag[f]} {w}" for f, w in zip(g.flag, ("behind", "stalled", "ahead"), strict=True)
        )
        return Content(f"{cells}  {flags}")

    def on_mount(self) -> None:
        grid = self.query_one(ClassGrid)
        self.watch(grid, "scroll_y", self._scrolled, init=False)
        grid.focus()

    # --- data ------------------------------------------------------------------------------

    def parts(self) -> list[tuple[str, str]]:
        c = self.curriculum
        if c is None:
            return []
        if self.view.kind == "stage":
            return [(s.id, s.title) for s in c.stages]
        used = {m.strand for m in c.milestones}
        return [(s.id, s.title) for s in c.strands if s.id in used]

    def reload(self) -> None:
        """Read the view afresh in a worker: the first screenful of pupils first when that is
        what shows (the name order, no filter, the cursor near the top), then the rest."""
        grid = self.query(ClassGrid).first() if self.is_mounted else None
        first = 0
        if (
            self.sort == "name"
            and not self.filter_text
            and (grid is None or grid.cursor[0] < grid.visible_rows)
        ):
            first = max(grid.visible_rows if grid else 0, self.app.size.height)
        view, since = replace(self.view), self._edits
        self.read("grid", lambda service: load_grid(service, view, first, since))

    def data_changed(self) -> None:
        """Another user's commit: re-read the pupils on screen (the rest when they scroll into
        view), or everything if the class or the curriculum changed."""
        if not self.complete or self.curriculum is None:
            self.reload()
            return
        self.stale = {line.pupil.id for line in self.lines if line.pupil.id is not None}
        view, since, c = replace(self.view), self._edits, self.curriculum
        known = [line.pupil.id for line in self.lines]
        visible = self.visible_pupil_ids()
        self.read("grid", lambda service: recheck_grid(service, view, c, known, visible, since))

    def visible_pupil_ids(self) -> list[int]:
        grid = self.query_one(ClassGrid)
        return [r.pupil_id for r in grid.rows[grid.first_row : grid.first_row + grid.visible_rows]]

    def _scrolled(self) -> None:
        """Stale pupils that scroll into view are re-read."""
        wanted = [pid for pid in self.visible_pupil_ids() if pid in self.stale]
        if not wanted or self.curriculum is None:
            return
        pupils = [line.pupil for line in self.lines if line.pupil.id in set(wanted)]
        c, mids, since = self.curriculum, [col.id for col in self.columns], self._edits
        self.read("grid-lines", lambda service: GridLinesRead(service.grid(pupils, c, mids), since))

    def _keep_edits(self, lines: list[GridLine], since: int) -> list[GridLine]:
        """Lines read before a mark made here since: the line the mark left stays."""
        if not any(n > since for n in self._edited.values()):
            return lines
        mine = {line.pupil.id: line for line in self.lines}
        return [
            mine.get(line.pupil.id, line) if self._edited.get(line.pupil.id, 0) > since else line
            for line in lines
        ]

    @guarded
    def on_grid_loaded(self, message: GridLoaded) -> None:
        if not self.is_latest(message):
            return
        if message.curriculum is None:
            self.curriculum, self.columns, self.lines, self.complete = None, [], [], True
            self.apply_filter_and_sort()
            self.notify(
                "No curricula yet: import one with 'passport curriculum import key-maths' (the ids: "
                "'passport curriculum list --shipped'), or try 'passport demo'.",
                severity="warning",
                markup=False,
                timeout=30,
            )
            return
        lines = self._keep_edits(message.lines, message.since)
        grow = (
            message.complete
            and not self.complete
            and message.view == self.view
            and self.sort == "name"
            and not self.filter_text
            and len(lines) >= len(self.lines)
            and all(a is b for a, b in zip(lines, self.lines, strict=False))
        )
        self.view = message.view
        self.curriculum = message.curriculum
        self.columns = [GridColumn(m, strip_year=self.view.kind == "stage") for m in message.milestones]
        self.expected_pupils = message.pupils
        self.complete = message.complete
        self.stale = set()
        if grow:
            # the first screenful is already painted: the rest goes below it, unpainted
            start = len(self.lines)
            self.lines = lines
            self.shown = list(lines)
            self.query_one(ClassGrid).add_rows([self.row(line) for line in lines[start:]])
            self.update_title()
        else:
            self.lines = lines
            self.apply_filter_and_sort()
        if message.painted is not None:  # the rest is read once this screenful has settled
            self.set_timer(REST_AFTER, message.painted.set)
        if message.complete and self.find_pupil is not None:
            self.go_to_pupil(self.find_pupil)

    def go_to_pupil(self, pupil_id: int) -> None:
        """Put the cursor on a pupil just added (the column stays); say so if the view leaves
        them out."""
        self.find_pupil = None
        rows = [i for i, line in enumerate(self.shown) if line.pupil.id == pupil_id]
        if rows:
            grid = self.query_one(ClassGrid)
            grid.move_to(rows[0], grid.cursor[1])
            return
        why = "the filter hides them (/)" if self.filter_text else "this subject is not on their pathway"
        self.notify(f"Not shown here: {why}.", markup=False, timeout=6)

    @guarded
    def on_grid_lines_read(self, message: GridLinesRead) -> None:
        if not self.is_latest(message):
            return
        fresh = {line.pupil.id: line for line in self._keep_edits(message.lines, message.since)}
        self.stale -= set(fresh)
        self.replace_lines(fresh)

    def apply_filter_and_sort(self) -> None:
        if self.stale and (self.filter_text or self.sort != "name"):
            # a filter or an order by points needs every line up to date
            self.stale = set()
            self.reload()
        lines = (
            [line for line in self.lines if matches(line, self.filter_text)]
            if self.filter_text
            else list(self.lines)
        )
        if self.sort == "points":
            lines.sort(key=lambda x: (x.points is None, -(x.points or 0), x.pupil.last_name))
        elif self.sort == "flags":  # behind, stalled, not assessed yet, none, ahead
            rank = {Flag.FALLING_BEHIND: 0, Flag.STALLED: 1, Flag.EXCELLING: 4}
            lines.sort(
                key=lambda x: (min((rank[f] for f in x.flags), default=3 if x.assessed else 2), x.points or 0)
            )
        self.shown = lines
        grid = self.query_one(ClassGrid)
        expected = 0 if self.complete or self.filter_text else self.expected_pupils
        grid.set_data(self.columns, [self.row(line) for line in lines], expected_rows=expected)
        self.update_title()

    def row(self, line: GridLine) -> GridRow:
        p = line.pupil
        if not line.assessed:  # nobody has judged them here: no figure, the expectation if any
            dash = self.glyphs.dash
            summary = dash if line.expected is None else f"{dash}/{line.expected}"
        elif line.points is None:
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
            year=year_short(line.year_group, "Y"),
        )

    def update_title(self) -> None:
        c = self.curriculum
        cls = self.view.class_name or "All pupils"
        bits = [f"Class {cls}" if self.view.class_name else cls]
        if c is not None:
            bits.append(c.title.split(" — ")[0])
            bits.append(dict(self.parts()).get(self.view.part or "", self.view.part or ""))
        total = max(len(self.lines), self.expected_pupils)
        bits.append(
            f"{len(self.shown)} of {plural(total, 'pupil')}" if self.filter_text else plural(total, "pupil")
        )
        if self.filter_text:
            bits.append(f"filter: {self.filter_text}")
        if self.sort != "name":
            bits.append(f"sorted by {self.sort}")
        selected = len(self.query_one(ClassGrid).selected)
        if selected:  # said before a key marks them all
            bits.append(
                f"{selected} selected: a or n marks {'both' if selected == 2 else 'all'}"
                if selected > 1
                else "1 selected"
            )
        self._show("#grid-title", plain("  ·  ".join(bits)))

    # --- the cursor's milestone ------------------------------------------------------------

    def on_class_grid_cursor_moved(self, event: ClassGrid.CursorMoved) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        """The cursor's milestone in full and the cell's state in words; a line is sent to the
        terminal only when its text changed (both have fixed heights, so no layout pass)."""
        grid = self.query_one(ClassGrid)
        col, row = grid.cursor_column, grid.cursor_row
        if self.curriculum is None or col is None:
            self._show("#milestone-text", "No milestones in this view." if self.complete else "")
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
        if not line.assessed:
            self._show("#cell-status", plain(f"{line.pupil.name}: {not_assessed_hint(self.glyphs)}"))
            return
        cell = row.cells[grid.cursor[1]]
        self._show(
            "#cell-status",
            plain(f"{line.pupil.name} ({year_label(line.year_group)}): {self.glyphs.words[cell]}"),
        )

    def _show(self, selector: str, text: str) -> None:
        if self._shown_text.get(selector) != text:
            self._shown_text[selector] = text
            self.query_one(selector, Static).update(Content(text), layout=False)

    # --- marking (on the UI thread: one pupil's line is quick to read) ----------------------

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
        if col is None or not ids or self.curriculum is None:
            return
        if grid.selected:  # a bulk mark: the selection is used up, so the next key marks one cell
            self.clear_selection()
        # these pupils and this column, even if the database is busy and it is saved later
        self.app.save(partial(self.mark, ids, self.curriculum.id, col, verdict, reason))

    def mark(
        self, ids: list[int], curriculum_id: str, col: GridColumn, verdict: str, reason: str | None
    ) -> None:
        try:
            outcomes = self.service.judge_many(ids, curriculum_id, col.id, verdict, reason=reason)
        except NotFound:
            # a pupil erased (or moved away) since the grid read them, in another session or
            # while this change waited for a busy database: the others are marked
            there = [pid for pid in ids if self.reachable(pid)]
            if len(there) == len(ids):
                raise
            self.pupils_gone([pid for pid in ids if pid not in there])
            if not there:
                return
            ids = there
            outcomes = self.service.judge_many(ids, curriculum_id, col.id, verdict, reason=reason)
        refused = [o for o in outcomes if o.refusal is not None]
        already = sum(1 for o in outcomes if o.already)
        self.refresh_pupils(ids)
        recorded = [o.pupil.id for o in outcomes if o.judgement is not None and o.pupil.id is not None]
        if len(ids) > 1:
            word = "achieved" if verdict == "achieved" else "not yet"
            extra = [f"{already} already achieved"] if already else []
            if refused:
                extra.append(f"{len(refused)} refused")
            text = (
                f"Marked {plural(len(recorded), 'pupil')} {col.id} {word}"
                if recorded
                else f"{col.id}: nothing marked"
            )
            text += "".join(f", {x}" for x in extra)
            if verdict == "achieved" and recorded:
                # a retraction corrects an achievement: a bulk "not yet" has nothing to take back
                self.undoable = Batch(tuple(recorded), curriculum_id, col.id)
                text += ".\n(u to undo)"  # on a line of its own
            else:
                text += "."
            self.notify(text, markup=False, timeout=8)
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
        assert self.curriculum is not None
        outcomes = self.service.judge_many(ids, self.curriculum.id, milestone, "achieved", reason=reason)
        self.refresh_pupils(ids)
        ok = [o.pupil.name for o in outcomes if o.refusal is None]
        who = ok[0] if len(ok) == 1 else f"{len(ok)} pupils"
        self.notify(f"{milestone} recorded achieved with an override for {who}.", markup=False)

    def refresh_pupils(self, ids: list[int]) -> None:
        """Re-read the changed pupils' rows; the grid repaints only the cells that changed."""
        assert self.curriculum is not None
        c = self.curriculum
        mids = [col.id for col in self.columns]
        wanted = set(ids)
        self.undoable = None  # any change ends the chance to undo the bulk mark before it
        self._edits += 1
        for pid in wanted:
            self._edited[pid] = self._edits
        fresh = {
            line.pupil.id: self.service.grid_line(line.pupil, c, mids)
            for line in self.lines
            if line.pupil.id in wanted
        }
        self.stale -= wanted
        self.replace_lines(fresh)
        self._loaded_change = self.service.last_change()

    def replace_lines(self, fresh: dict[int | None, GridLine]) -> None:
        """Put fresh lines in place of the old ones; the grid repaints only what changed."""
        grid = self.query_one(ClassGrid)
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
            self.service.judge(
                row.pupil_id, col.id, "retracted", curriculum_id=self.view.curriculum_id, reason=reason
            )
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

    def action_undo(self) -> None:
        """Undo the bulk mark just made: retract the achievements it recorded, with the reason
        "undone", in one transaction."""
        batch = self.undoable
        if batch is None:
            self.notify("Nothing to undo: u takes back a bulk mark right after it.", markup=False, timeout=4)
            return
        self.app.save(partial(self.undo, batch))

    def undo(self, batch: Batch) -> None:
        # a pupil of the batch erased since (or moved out of the user's classes) has nothing to
        # take back here: the others are undone, not refused with them
        ids = [pid for pid in batch.pupil_ids if self.reachable(pid)]
        gone = len(batch.pupil_ids) - len(ids)
        gone_words = f"{plural(gone, 'pupil')} erased or moved since"
        if not ids:
            self.notify(f"Nothing to undo: {gone_words}.", markup=False, timeout=6)
            return
        outcomes = self.service.retract_many(ids, batch.curriculum_id, batch.milestone_id, reason="undone")
        self.refresh_pupils(ids)
        done = sum(1 for o in outcomes if o.judgement is not None)
        refused = [o for o in outcomes if o.refusal is not None]
        text = f"Undone: {done} retracted ({batch.milestone_id})"
        if refused:
            text += f", {len(refused)} refused"
        if gone:
            text += f"; {gone_words}"
        self.notify(text + ".", markup=False, timeout=6)
        for o in refused[:3]:
            self.notify(f"{o.pupil.name}: {o.refusal}", severity="warning", markup=False, timeout=8)

    def pupils_gone(self, ids: list[int]) -> None:
        """Say that these pupils are gone, nothing marked for them, and read the grid again."""
        names = [line.pupil.name for line in self.lines if line.pupil.id in ids] or ["A pupil"]
        who = names[0] if len(names) == 1 else f"{plural(len(names), 'pupil')} ({', '.join(names[:3])})"
        self.notify(
            plain(
                f"{who}: no longer on the roll you see (erased, or moved to another class); nothing marked."
            ),
            severity="warning",
            markup=False,
            timeout=8,
        )
        self.reload()

    def reachable(self, pupil_id: int) -> bool:
        """Whether the pupil is still there for this user (not erased, not moved away)."""
        try:
            self.service.pupil(pupil_id)
        except NotFound:
            return False
        return True

    def action_revisit(self) -> None:
        grid = self.query_one(ClassGrid)
        row, col = grid.cursor_row, grid.cursor_column
        if row is None or col is None:
            return
        pupil_id, cid = row.pupil_id, self.view.curriculum_id

        def revisit() -> None:
            self.service.judge(pupil_id, col.id, "revisit", curriculum_id=cid)
            self.refresh_pupils([pupil_id])

        self.app.save(revisit)

    # --- selection, filter, sort -----------------------------------------------------------

    def action_baseline(self) -> None:
        """Baseline on entry for the cursor's pupil in the subject shown: read what each stage
        would record (in a worker), then ask (``on_grid_baseline_planned``)."""
        grid = self.query_one(ClassGrid)
        row = grid.cursor_row
        if row is None or self.curriculum is None or not self.shown:
            return
        line = self.shown[grid.cursor[0]]
        pupil_id, name, cid = row.pupil_id, line.pupil.name, self.curriculum.id
        self.read(
            "baseline-plan",
            lambda service: GridBaselinePlanned(pupil_id, name, service.baseline_preview(pupil_id, cid)),
        )

    @guarded
    def on_grid_baseline_planned(self, message: GridBaselinePlanned) -> None:
        if not self.is_latest(message) or self.curriculum is None:
            return
        c = self.curriculum
        line = next((x for x in self.lines if x.pupil.id == message.pupil_id), None)
        if line is None:
            return
        offered = last_stage_below(c, line.year_group)
        pupil_id, cid = message.pupil_id, c.id

        def done(choice: BaselineChoice | None) -> None:
            if choice is None:
                return

            def record(service: Service) -> GridBaselineRecorded:
                recorded = service.baseline(pupil_id, cid, choice.stage, reason=choice.reason)
                return GridBaselineRecorded(pupil_id, choice.stage, len(recorded))

            self.notify("Recording the baseline…", markup=False, timeout=2)
            self.read("baseline", record)

        self.app.push_screen(BaselineScreen(message.name, c.title, message.stages, offered), done)

    @guarded
    def on_grid_baseline_recorded(self, message: GridBaselineRecorded) -> None:
        self.notify(
            f"Baseline recorded through {message.stage}: {plural(message.recorded, 'milestone')} achieved.",
            markup=False,
            timeout=6,
        )
        if self.curriculum is not None:
            self.refresh_pupils([message.pupil_id])

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
        self.clear_selection()

    def clear_selection(self) -> None:
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
        self.undoable = None  # u undoes a mark right after it, in the view it was made in
        self.view = replace(self.view, **changes)
        self.complete = False
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
        self.set_view(kind=kind, part=None)
        self.notify(f"Columns by {kind}.", markup=False, timeout=2)

    def action_pick_curriculum(self) -> None:
        choices = [(c.id, c.title) for c in self.service.curricula()]

        def done(cid: str | None) -> None:
            if cid:
                self.set_view(curriculum_id=cid, kind="stage", part=None)

        self.app.push_screen(PickScreen("Subject", choices, self.view.curriculum_id), done)

    def action_pick_class(self) -> None:
        def done(name: str | None) -> None:
            if name:
                self.set_view(class_name=name, part=None if self.view.kind == "stage" else self.view.part)

        self.app.push_screen(PickScreen("Class", self.app.class_choices(), self.view.class_name), done)

    def action_passport(self) -> None:
        grid = self.query_one(ClassGrid)
        if grid.cursor_row:
            self.app.open_passport(grid.cursor_row.pupil_id)

    def cursor_milestone(self) -> tuple[str, str] | None:
        """The curriculum and milestone of the cursor's column, if any."""
        col = self.query_one(ClassGrid).cursor_column
        if col is None or self.curriculum is None:
            return None
        return self.curriculum.id, col.id

    def action_tree(self) -> None:
        self.app.open_tree()

    def action_tracking(self) -> None:
        self.app.open_tracking()

    def action_moderation(self) -> None:
        self.app.open_moderation()

    def action_class_report(self) -> None:
        """The parent reports of the class shown, one HTML file beside the database."""
        class_name = self.view.class_name
        if not class_name:
            self.notify("Choose a class first (k).", markup=False, timeout=3)
            return

        def make(service: Service) -> str:
            from ...reports import class_parent_report

            return class_parent_report(service, class_name, "html")

        self.app.write_report(f"class-{class_name}", make)

    def action_add_pupil(self) -> None:
        """Add a pupil (a dialog that writes in a worker), into the class shown to begin with.
        Someone who may not add pupils there (a viewer; a teacher whose class it no longer is) is
        refused by the service before the dialog opens."""
        class_name = self.view.class_name
        self.service.check_adding(class_name)
        classes = [name for name, _ in self.service.classes()]
        self.app.push_screen(AddPupilScreen(self.service, class_name, classes), self.pupil_added)

    def pupil_added(self, saved: PupilSaved | None) -> None:
        if saved is None:
            return
        p = saved.pupil
        notice = added_notice(saved)
        if self.view.class_name and p.class_name != self.view.class_name:
            notice += plain(f"\nIn class {p.class_name or '(none)'}: k switches class.")
        self.notify(notice, markup=False, timeout=10)
        for warning in saved.warnings:
            self.notify(plain(warning[:1].upper() + warning[1:]), severity="warning", markup=False)
        if p.id is not None and (not self.view.class_name or p.class_name == self.view.class_name):
            self.find_pupil = p.id
        self.reload()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Class grid — keys", self.HELP))
