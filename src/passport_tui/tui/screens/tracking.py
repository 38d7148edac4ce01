"""Tracking: a class's or a year group's points, expected, target, progress and flags — who needs
support first — with the group analysis and a chart of points per window. Each tab is read in a
worker when it is shown; a change in the database re-reads only the tab on screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from ...engine import (
    NOT_ASSESSED_YET,
    Flag,
    GroupFigures,
    GroupRow,
    Window,
    previous_window,
    year_label,
    year_short,
)
from ...service import GroupAnalysis, Service, TrackingRow
from ...shown import group_figure
from ..failures import guarded
from ..glyphs import ASCII, Glyphs
from ..text import fit, plain
from ..widgets.keys import KeyBar
from .base import Read, ServiceScreen
from .grid import matches_pupil
from .modals import FilterScreen, HelpScreen, PickScreen

SORTS = ("support", "name", "points", "progress")
FLAG_WORDS = {Flag.FALLING_BEHIND: "behind", Flag.STALLED: "stalled", Flag.EXCELLING: "ahead"}
TABS = ("pupils", "groups", "chart")
CHART_WINDOWS = 6


def num(value: float | int | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:+.1f}" if signed else f"{value:.1f}"
    return f"{value:+d}" if signed else str(value)


# --- the pupils table: each column's header, width and value in one place -----------------------


@dataclass(frozen=True)
class Labels:
    """What a column needs besides the row: the glyphs and the subjects' short names."""

    glyphs: Glyphs
    subjects: dict[str, str]


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, its width (None: as wide as its values) and how a
    row's value is drawn."""

    header: str
    width: int | None
    value: Callable[[Any, Labels], str | Text]
    every_subject: bool = False  # shown only when the table covers every subject


# whether a target is met, on track or off track, in a word (the column fits 80 columns)
TARGET_WORDS = {"met": "met", "on track": "on", "off track": "off"}


def target_text(row: TrackingRow, labels: Labels) -> str:
    """The target's points and whether it is met, on track or off track: ``21 on``, ``21 off``;
    a dash for a pupil not assessed yet without a personal target."""
    s = row.standing
    if s.target is None:
        return "-" if row.assessed else labels.glyphs.dash
    return f"{s.target} {TARGET_WORDS[s.target_status.value]}" if s.target_status else str(s.target)


def flags_text(row: TrackingRow, labels: Labels) -> str:
    if not row.assessed:
        return NOT_ASSESSED_YET
    return " ".join(f"{labels.glyphs.flag[f]}{FLAG_WORDS[f]}" for f in row.standing.flags)


def steps_target(row: TrackingRow) -> str:
    """A target of milestones: how many are secured, ``2 of 3``."""
    words = row.steps.target_words if row.steps else None
    return words or "-"


def points_or_steps(
    row: TrackingRow, labels: Labels, points: int | None, steps: int | None, signed: bool = False
) -> str:
    """A points figure, or in a framework without points its steps secured, marked ``st``; a dash
    for a pupil not assessed yet (no figure is known)."""
    if not row.assessed:
        return labels.glyphs.dash
    if row.has_points:
        return num(points, signed)
    return f"{num(steps, signed)}st"


def gaps_text(row: TrackingRow, labels: Labels) -> str:
    return str(len(row.standing.gaps)) if row.assessed else labels.glyphs.dash


def steps_figure(row: TrackingRow, labels: Labels, value: int | None, signed: bool = False) -> str:
    return num(value, signed) if row.assessed else labels.glyphs.dash


PUPIL = Column("Pupil", 18, lambda r, _: Text(plain(f"{r.pupil.last_name}, {r.pupil.first_name}")))
YEAR = Column("Yr", 2, lambda r, _: year_short(r.standing.year_group))
SUBJECT = Column(
    "Subject",
    9,
    lambda r, k: Text(plain(k.subjects.get(r.curriculum_id, r.curriculum_id))),
    every_subject=True,
)

# points subjects (and, with every subject shown, a framework without points: its steps secured
# in the points columns, marked "st")
COLUMNS = (
    PUPIL,
    YEAR,
    SUBJECT,
    Column("Pts", 4, lambda r, k: points_or_steps(r, k, r.standing.points, r.steps and r.steps.secured)),
    Column("Exp", 3, lambda r, _: num(r.standing.expected)),
    Column("Flags", 16, flags_text),
    Column(
        "+Yr",
        3,
        lambda r, k: points_or_steps(
            r, k, r.standing.progress_this_year, r.steps and r.steps.this_year, signed=True
        ),
    ),
    Column(
        "+Win",
        4,
        lambda r, k: points_or_steps(
            r, k, r.standing.progress_last_window, r.steps and r.steps.this_window, signed=True
        ),
    ),
    Column("Gaps", 4, gaps_text),
    Column("Target", 6, lambda r, k: target_text(r, k) if r.has_points else steps_target(r)),
)

# a framework without points (engagement model, small steps, PSP): milestones secured, no points
STEPS_COLUMNS = (
    PUPIL,
    YEAR,
    Column("Steps secured", 13, lambda r, k: steps_figure(r, k, r.steps.secured if r.steps else None)),
    Column(
        "This year", 9, lambda r, k: steps_figure(r, k, r.steps.this_year if r.steps else None, signed=True)
    ),
    Column(
        "This window",
        11,
        lambda r, k: steps_figure(r, k, r.steps.this_window if r.steps else None, signed=True),
    ),
    Column("Gaps", 4, gaps_text),
    Column("Target", 8, lambda r, _: steps_target(r)),
)


# --- the group analysis: each group against the rest -------------------------------------------
# Two header lines: what a pair of columns measures over its first, then "group" and "rest" (the
# other pupils) over each value. The group's name stays at the left when other measures are shown.

GROUP_NAME_WIDTH = 22  # a longer group (a free tag) is cut with "…"; the rest of the table stays


def group_name(row: GroupRow, _: Labels) -> Text:
    return Text(plain(row.group))


def pair(measure: str, value: Callable[[GroupFigures], str]) -> tuple[Column, Column]:
    """A figure of the group and the same figure of the rest, side by side."""
    return (
        Column(f"{measure}\ngroup", None, lambda g, _: value(g.members)),
        Column("\nrest", None, lambda g, _: value(g.rest)),
    )


def points(f: GroupFigures | None) -> str:
    return num(f.mean_points) if f else "-"


def year_ago_share(f: GroupFigures | None, field: str) -> str:
    """The group's percentage (``field``) a year ago, if that window's figures were read."""
    return group_figure(f, getattr(f, field, None))


GROUP_COLUMNS = (
    Column("Group\n", None, group_name),
    *pair("Pupils", lambda f: str(f.count)),
    *pair("Points", points),
    *pair("% exp", lambda f: group_figure(f, f.pct_at_expected)),
    *pair("Progress", lambda f: num(f.mean_progress_year, signed=True)),
    *pair("% gaps", lambda f: group_figure(f, f.pct_with_gaps)),
    Column("Year ago\npoints", None, lambda g, _: points(g.year_ago)),
    Column("\n% exp", None, lambda g, _: year_ago_share(g.year_ago, "pct_at_expected")),
)

# a framework without points: steps secured per pupil, and the share who secured any this window
STEPS_GROUP_COLUMNS = (
    Column("Group\n", None, group_name),
    *pair("Pupils", lambda f: str(f.count)),
    *pair("Steps, window", lambda f: num(f.mean_steps_window)),
    *pair("Steps, year", lambda f: num(f.mean_steps_year)),
    *pair("% progressed", lambda f: group_figure(f, f.pct_made_progress)),
    Column("Year ago\n% progressed", None, lambda g, _: year_ago_share(g.year_ago, "pct_made_progress")),
)


def measures(columns: Sequence[Column]) -> list[list[int]]:
    """The columns after the group's name, as measures: a column whose header has a first line
    starts one (``Points``), the columns after it without one belong to it (its ``rest``)."""
    out: list[list[int]] = []
    for i, column in enumerate(columns[1:], start=1):
        if column.header.split("\n")[0].strip() or not out:
            out.append([])
        out[-1].append(i)
    return out


class GroupsTable(DataTable):
    """The group analysis table. The group's name stays in place at the left; the figures are
    shown a whole measure at a time — as many as fit, never a column cut at an edge (a cut
    ``100.0`` would read ``10``) — and ← and → bring in the measure before or after, which
    the group column's header says are there (``more ▸``)."""

    def __init__(self, glyphs: Glyphs, **options) -> None:
        super().__init__(cursor_type="row", header_height=2, fixed_columns=1, **options)
        self.glyphs = glyphs
        self.figure_columns: Sequence[Column] = ()
        self.cells: list[list[str | Text]] = []
        self.widths: list[int] = []
        self.first = 0  # the first measure shown
        self.shown_measures: list[int] = []

    def show(self, columns: Sequence[Column], rows: list[GroupRow], labels: Labels) -> None:
        """New figures (the same measures start where they were, after a re-read)."""
        if [c.header for c in columns] != [c.header for c in self.figure_columns]:
            self.first = 0
        self.figure_columns = columns
        self.cells = [[column.value(row, labels) for column in columns] for row in rows]
        self.widths = []
        for i, column in enumerate(columns):
            values = [cell_len(v.plain if isinstance(v, Text) else v) for v in (r[i] for r in self.cells)]
            width = max([cell_len(line) for line in column.header.split("\n")] + values)
            if i == 0:  # the group's name: a long free tag is cut with "…"
                width = max(len(f"{self.glyphs.left} more {self.glyphs.right}"), min(width, GROUP_NAME_WIDTH))
            self.widths.append(width)
        for cells in self.cells:  # a name cut where it ends, with "…"
            name = cells[0].plain if isinstance(cells[0], Text) else cells[0]
            if cell_len(name) > self.widths[0]:
                cells[0] = Text(fit(name, self.widths[0]))
        self.lay_out()

    def room(self) -> int:
        """The cells the figures may take: the table's width less the group's column and a
        vertical scroll bar if the rows need one."""
        width = self.size.width
        if len(self.cells) + self.header_height > self.size.height:
            width -= self.styles.scrollbar_size_vertical
        return width - self.widths[0] - 2 * self.cell_padding

    def lay_out(self) -> None:
        if not self.figure_columns:
            return
        parts = measures(self.figure_columns)
        wide = [sum(self.widths[i] + 2 * self.cell_padding for i in m) for m in parts]
        room = self.room() if self.size.width else sum(wide)
        # from the first measure, as many as fit; at the end, the last ones that fit together
        last_start = len(parts) - 1
        while last_start > 0 and sum(wide[last_start - 1 :]) <= room:
            last_start -= 1
        self.first = max(0, min(self.first, last_start))
        shown = [self.first]
        while shown[-1] + 1 < len(parts) and sum(wide[k] for k in shown) + wide[shown[-1] + 1] <= room:
            shown.append(shown[-1] + 1)
        self.shown_measures = shown
        before, after = self.first > 0, shown[-1] < len(parts) - 1
        more = " ".join(
            [*([self.glyphs.left] if before else []), "more", *([self.glyphs.right] if after else [])]
        )
        row = self.cursor_row
        self.clear(columns=True)
        keep = [0, *(i for k in shown for i in parts[k])]
        for i in keep:
            header = self.figure_columns[i].header
            if i == 0:
                header = header.split("\n")[0] + "\n" + (more if before or after else "")
            self.add_column(header, width=self.widths[i], key=str(i))
        for cells in self.cells:
            self.add_row(*(cells[i] for i in keep))
        if self.cells:
            self.move_cursor(row=min(row, len(self.cells) - 1))

    def on_resize(self) -> None:
        self.lay_out()

    def action_cursor_right(self) -> None:
        if self.shown_measures and self.shown_measures[-1] < len(measures(self.figure_columns)) - 1:
            self.first += 1
            self.lay_out()

    def action_cursor_left(self) -> None:
        if self.first > 0:
            self.first -= 1
            self.lay_out()


# --- what the workers read ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose figures: a class (or the school), or the whole year group of the class; a subject
    (or all); a window (None: the current one)."""

    class_name: str | None
    whole_year: bool
    curriculum_id: str | None
    window: str | None


def year_of(service: Service, scope: Scope) -> int | None:
    """The year group of a whole-year scope: the class's youngest year group."""
    if not scope.whole_year:
        return None
    years = sorted({service.year_group(p) for p in service.pupils(scope.class_name)})
    return years[0] if years else None


def who(service: Service, scope: Scope) -> dict:
    year = year_of(service, scope)
    return {"class_name": None if year is not None else scope.class_name, "year_group": year}


class TrackingLoaded(Read):
    def __init__(self, rows: list[TrackingRow], year_group: int | None, subjects: dict[str, str]) -> None:
        super().__init__()
        self.rows = rows
        self.year_group = year_group
        self.subjects = subjects


class GroupsLoaded(Read):
    def __init__(self, analysis: GroupAnalysis) -> None:
        super().__init__()
        self.analysis = analysis


class ChartLoaded(Read):
    def __init__(self, series: list[tuple[Window, float | None, float | None]], steps: bool = False) -> None:
        super().__init__()
        self.series = series
        self.steps = steps  # a framework without points: mean steps secured per pupil in each window


def short_title(title: str) -> str:
    """A subject's name for the title bar: ``English`` for ``English — key milestones ...``,
    without a closing remark in brackets (``(example framework)``)."""
    name = title.split(" — ")[0]
    if name.endswith(")") and " (" in name:
        name = name[: name.rindex(" (")] or name
    return name


def subjects_of(service: Service) -> dict[str, str]:
    return {c.id: short_title(c.title) for c in service.curricula()}


def load_pupils(service: Service, scope: Scope) -> TrackingLoaded:
    people = who(service, scope)
    rows = service.tracking(**people, window=scope.window, curriculum_id=scope.curriculum_id)
    return TrackingLoaded(rows, people["year_group"], subjects_of(service))


def load_groups(service: Service, scope: Scope) -> GroupsLoaded:
    window = scope.window or service.window().key
    return GroupsLoaded(
        service.group_analysis(**who(service, scope), window=window, curriculum_id=scope.curriculum_id)
    )


def load_chart(service: Service, scope: Scope, window: Window) -> ChartLoaded:
    """Mean points and mean expected points at this window and the five before."""
    people = who(service, scope)
    windows = [window]
    for _ in range(CHART_WINDOWS - 1):
        windows.insert(0, previous_window(windows[0], service.terms))
    current = service.window()
    steps = scope.curriculum_id is not None and not service.curriculum(scope.curriculum_id).year_linked_stages
    series = []
    for w in windows:
        rows = service.tracking(
            **people, window=None if w == current else w.key, curriculum_id=scope.curriculum_id
        )
        if steps:
            made = [r.steps.this_window for r in rows if r.steps is not None]
            series.append((w, sum(made) / len(made) if made else None, None))
            continue
        # the pupils with points only: one not assessed yet has an expectation but no figure
        pts = [r.standing.points for r in rows if r.standing.points is not None]
        exp = [r.standing.expected for r in rows if r.standing.expected is not None and r.assessed]
        series.append((w, sum(pts) / len(pts) if pts else None, sum(exp) / len(exp) if exp else None))
    return ChartLoaded(series, steps)


class TrackingScreen(ServiceScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="tracking.back"),
        Binding("enter", "passport", "Passport", id="tracking.passport"),
        Binding("o", "sort", "Sort", id="tracking.sort"),
        Binding("slash", "filter", "Filter", id="tracking.filter"),
        Binding(
            "left_square_bracket",
            "window(-1)",
            "◂Window",
            id="tracking.prev_window",
            tooltip="The window before (figures recomputed from the log)",
        ),
        Binding(
            "right_square_bracket",
            "window(1)",
            "Window▸",
            id="tracking.next_window",
            tooltip="The window after (figures recomputed from the log)",
        ),
        Binding("y", "scope", "Class/year", show=False, id="tracking.scope"),
        Binding("c", "pick_curriculum", "Subject", show=False, id="tracking.curriculum"),
        Binding("question_mark", "help", "Help", id="tracking.help"),
    ]

    HELP = [
        ("Enter", "open the highlighted pupil's passport"),
        ("o", "sort: who needs support first, name, points (or steps), progress"),
        ("/", "filter pupils by name or group (pp, eal, sen, behind, …)"),
        ("[ ]", "the window before / after (figures recomputed from the log)"),
        ("y", "switch between the class and its whole year group"),
        ("c", "choose the subject (or all)"),
        ("Tab", "pupils, groups, chart"),
        ("arrows", "move; on the groups table left/right scroll the figures (the group stays)"),
        ("Esc", "back to the screen before"),
    ]

    def __init__(
        self, service: Service, glyphs: Glyphs, class_name: str | None, curriculum_id: str | None
    ) -> None:
        super().__init__(service)
        self.glyphs = glyphs
        self.class_name = class_name
        self.whole_year = False
        self.year_group: int | None = None  # the year group shown, when showing the whole year group
        self.curriculum_id = curriculum_id
        self.window: Window = service.window()
        self.sort = "support"
        self.filter_text = ""
        self.rows: list[TrackingRow] = []
        self.shown: list[TrackingRow] = []
        self.labels = Labels(glyphs, {})
        self.columns: list[Column] = []
        self.fresh: set[str] = set()  # the tabs whose figures are up to date

    def compose(self) -> ComposeResult:
        yield Static(id="tracking-title")
        with TabbedContent(id="tracking-tabs", initial="pupils"):
            with TabPane("Pupils", id="pupils"):
                yield DataTable(id="tracking-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Groups", id="groups"):
                yield GroupsTable(self.glyphs, id="groups-table")
                yield Static(id="lags")
            with TabPane("Chart", id="chart"):
                yield Static(id="tracking-chart")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#tracking-table", DataTable)
        self.columns = self.columns_shown()
        for column in self.columns:
            table.add_column(column.header, width=column.width, key=column.header)
        self.update_title()
        self.reload()
        table.focus()

    # --- data ------------------------------------------------------------------------------

    def columns_shown(self) -> list[Column]:
        """The pupils table's columns: the subject only when the table covers every subject; a
        framework without points shown alone gets its steps columns."""
        if self.rows and not any(r.has_points for r in self.rows) and self.curriculum_id is not None:
            return list(STEPS_COLUMNS)
        return [c for c in COLUMNS if self.curriculum_id is None or not c.every_subject]

    def scope(self) -> Scope:
        current = self.window == self.service.window()
        return Scope(
            self.class_name, self.whole_year, self.curriculum_id, None if current else self.window.key
        )

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active or "pupils"

    def reload(self) -> None:
        """Everything shown may have changed: re-read the tab on screen; the others are read
        when they are shown."""
        self.fresh = set()
        self.read_tab(self.active_tab)

    def read_tab(self, tab: str) -> None:
        if tab in self.fresh:
            return
        self.fresh.add(tab)
        scope = self.scope()
        if tab == "pupils":
            self.read("pupils", lambda service: load_pupils(service, scope))
        elif tab == "groups":
            self.read("groups", lambda service: load_groups(service, scope))
        elif tab == "chart":
            window = self.window
            self.read("chart", lambda service: load_chart(service, scope, window))

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.read_tab(self.active_tab)

    @guarded
    def on_tracking_loaded(self, message: TrackingLoaded) -> None:
        if not self.is_latest(message):
            return
        self.rows = message.rows
        self.year_group = message.year_group
        self.labels = Labels(self.glyphs, message.subjects)
        self.apply()

    def apply(self) -> None:
        rows = [r for r in self.rows if matches_pupil(r.pupil, r.standing.flags, self.filter_text)]
        if self.sort == "name":
            rows.sort(key=lambda r: (r.pupil.last_name, r.pupil.first_name, r.curriculum_id))
        elif self.sort == "points":  # or steps secured, after the points, in a framework without points
            rows.sort(  # a pupil not assessed yet after those with a figure
                key=lambda r: (
                    not r.has_points,
                    not r.assessed,
                    -(r.steps.secured if r.steps else r.standing.points or 0),
                    r.pupil.last_name,
                )
            )
        elif self.sort == "progress":
            rows.sort(
                key=lambda r: (
                    not r.has_points,
                    not r.assessed,
                    r.steps.this_year if r.steps else r.standing.progress_this_year or 0,
                    r.pupil.last_name,
                )
            )
        table = self.query_one("#tracking-table", DataTable)
        was = self.current()
        self.shown = rows
        columns = self.columns_shown()
        table.clear(columns=columns != self.columns)
        if columns != self.columns:
            self.columns = columns
            for column in columns:
                table.add_column(column.header, width=column.width, key=column.header)
        for r in rows:
            table.add_row(*(column.value(r, self.labels) for column in columns))
        if was is not None:  # the cursor stays on the same pupil and subject
            keys = [(r.pupil.id, r.curriculum_id) for r in rows]
            if was in keys:
                table.move_cursor(row=keys.index(was))
        self.update_title()

    def update_title(self) -> None:
        if self.whole_year:
            scope = year_label(self.year_group) if self.year_group is not None else "Year group"
        else:
            scope = f"Class {self.class_name or 'all'}"
        subject = (
            self.labels.subjects.get(self.curriculum_id, self.curriculum_id)
            if self.curriculum_id
            else "all subjects"
        )
        bits = [f"Tracking · {scope} · {subject} · {self.window.name}"]
        points = any(r.has_points for r in self.rows)  # a framework without points has no flags
        if (self.rows and points) or ("pupils" in self.fresh and not self.rows):
            bits.append(f"{sum(1 for r in self.shown if r.needs_support)} need support")
        if any(not r.has_points for r in self.shown) and not any(c is STEPS_COLUMNS[2] for c in self.columns):
            bits.append("st: steps secured, no points")
        if self.filter_text:
            bits.append(f"filter: {self.filter_text}")
        if self.sort != "support":
            bits.append(f"sorted by {self.sort}")
        self.query_one("#tracking-title", Static).update(Content(plain("  ·  ".join(bits))))

    @guarded
    def on_groups_loaded(self, message: GroupsLoaded) -> None:
        if not self.is_latest(message):
            return
        result = message.analysis
        table = self.query_one("#groups-table", GroupsTable)
        steps = bool(result.groups) and not any(r.members.measured or r.rest.measured for r in result.groups)
        table.show(STEPS_GROUP_COLUMNS if steps else GROUP_COLUMNS, result.groups, self.labels)
        lines = [lag.describe() for lag in result.lags[:5]]
        text = "Where groups lag most:\n" + ("\n".join(lines) if lines else "no marked lag")
        whose = "the year group's" if self.whole_year else "the class's" if self.class_name else "the"
        said = [f"rest: {whose} other pupils", "under 5 pupils: their count (n=3), not a percentage"]
        if steps:
            said[:0] = ["Steps secured per pupil", "% progressed: secured a step this window"]
        else:
            said[1:1] = ["Progress: points gained this year"]
        if result.not_assessed:
            said.append(f"{result.not_assessed} {NOT_ASSESSED_YET}: in Pupils, in no other figure")
        note = " · ".join(said)
        text = note + "\n" + text
        self.query_one("#lags", Static).update(Content(plain(text, multiline=True)))

    @guarded
    def on_chart_loaded(self, message: ChartLoaded) -> None:
        if not self.is_latest(message):
            return
        series = message.series
        chart = self.query_one("#tracking-chart", Static)
        values = [v for _, a, e in series for v in (a, e) if v is not None]
        if not values:
            chart.update(Content("No steps secured yet." if message.steps else "No points yet."))
            return
        # steps are counted from nothing; points bars start at the lowest figure shown
        low, high = (0.0, max(values)) if message.steps else (min(values), max(values))
        ascii_only = self.glyphs is ASCII
        # the bars take what the window's name and the figures leave of the width
        room = chart.content_region.width or self.app.size.width - 2
        longest = max(room - 16 - 1 - 1 - 22, 8)
        if message.steps:
            lines = ["Mean steps secured per pupil in each window", ""]
        else:
            lines = ["Mean points per window (bar) against the mean expected points", ""]
        for w, mean, exp in series:
            if message.steps:
                width = 0 if mean is None else round(longest * mean / max(1e-9, high))
            else:
                width = 0 if mean is None else round(4 + (longest - 4) * (mean - low) / max(1e-9, high - low))
            bar = ("#" if ascii_only else "█") * width
            tail = "" if message.steps else f"  (expected {num(exp)})"
            lines.append(f"{w.name:<16} {bar:<{longest}} {num(mean):>4}{tail}")
        chart.update(Content(plain("\n".join(lines), multiline=True)))

    # --- actions ---------------------------------------------------------------------------

    def current(self) -> tuple[int | None, str] | None:
        """The highlighted row's pupil and subject."""
        table = self.query_one("#tracking-table", DataTable)
        if not self.shown or table.cursor_row is None or table.cursor_row >= len(self.shown):
            return None
        row = self.shown[table.cursor_row]
        return row.pupil.id, row.curriculum_id

    def action_passport(self) -> None:
        table = self.query_one("#tracking-table", DataTable)
        if self.shown and table.cursor_row is not None and table.cursor_row < len(self.shown):
            row = self.shown[table.cursor_row]
            self.app.open_passport(row.pupil.id, row.curriculum_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "tracking-table":
            self.action_passport()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.apply()

    def action_filter(self) -> None:
        def done(text: str | None) -> None:
            if text is not None:
                self.filter_text = text
                self.apply()

        self.app.push_screen(FilterScreen(self.filter_text), done)

    def action_window(self, step: int) -> None:
        """The window before, or after (never past the current one)."""
        terms = self.service.terms
        if step < 0:
            self.window = previous_window(self.window, terms)
        else:
            current = self.service.window()
            if self.window >= current:
                return
            probe = current
            while previous_window(probe, terms) > self.window:
                probe = previous_window(probe, terms)
            self.window = probe
        self.update_title()
        self.reload()

    def action_scope(self) -> None:
        self.whole_year = not self.whole_year
        self.update_title()
        self.reload()

    def action_pick_curriculum(self) -> None:
        choices = [("", "All subjects"), *[(c.id, c.title) for c in self.service.curricula()]]

        def done(value: str | None) -> None:
            if value is not None:
                self.curriculum_id = value or None
                self.update_title()
                self.reload()

        self.app.push_screen(PickScreen("Subject", choices, self.curriculum_id or ""), done)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Tracking — keys", self.HELP))
