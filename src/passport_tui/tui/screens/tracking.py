"""Tracking: a class's or a year group's points, expected, target, progress and flags — who needs
support first — with the group analysis and a chart of points per window."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from ...engine import Flag, Window, previous_window
from ...service import Service, TrackingRow
from ..glyphs import ASCII, Glyphs
from ..text import plain
from .grid import matches_pupil
from .modals import FilterScreen, HelpScreen, PickScreen

SORTS = ("support", "name", "points", "progress")
FLAG_WORDS = {Flag.FALLING_BEHIND: "behind", Flag.STALLED: "stalled", Flag.EXCELLING: "ahead"}
BARS = "▁▂▃▄▅▆▇█"


def num(value: float | int | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:+.1f}" if signed else f"{value:.1f}"
    return f"{value:+d}" if signed else str(value)


class TrackingScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="tracking.back"),
        Binding("enter", "passport", "Passport", id="tracking.passport"),
        Binding("o", "sort", "Sort", id="tracking.sort"),
        Binding("slash", "filter", "Filter", id="tracking.filter"),
        Binding("left_square_bracket", "window(-1)", "◂Window", id="tracking.prev_window"),
        Binding("right_square_bracket", "window(1)", "Window▸", id="tracking.next_window"),
        Binding("y", "scope", "Class/year", show=False, id="tracking.scope"),
        Binding("c", "pick_curriculum", "Subject", show=False, id="tracking.curriculum"),
        Binding("question_mark", "help", "Help", id="tracking.help"),
    ]

    HELP = [
        ("Enter", "open the highlighted pupil's passport"),
        ("o", "sort: who needs support first, name, points, progress"),
        ("/", "filter pupils by name or group (pp, eal, sen, behind, …)"),
        ("[ ]", "the window before / after (figures recomputed from the log)"),
        ("y", "switch between the class and its whole year group"),
        ("c", "choose the subject (or all)"),
        ("Tab", "pupils, groups, chart"),
        ("Esc", "back"),
    ]

    def __init__(
        self, service: Service, glyphs: Glyphs, class_name: str | None, curriculum_id: str | None
    ) -> None:
        super().__init__()
        self.service = service
        self.glyphs = glyphs
        self.class_name = class_name
        self.year_group: int | None = None  # set when showing the whole year group
        self.curriculum_id = curriculum_id
        self.window: Window = service.window()
        self.sort = "support"
        self.filter_text = ""
        self.rows: list[TrackingRow] = []
        self.shown: list[TrackingRow] = []

    def compose(self) -> ComposeResult:
        yield Static(id="tracking-title")
        with TabbedContent(id="tracking-tabs", initial="pupils"):
            with TabPane("Pupils", id="pupils"):
                yield DataTable(id="tracking-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Groups", id="groups"):
                yield DataTable(id="groups-table", cursor_type="row")
                yield Static(id="lags")
            with TabPane("Chart", id="chart"):
                yield Static(id="tracking-chart")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#tracking-table", DataTable)
        table.add_columns(
            "Pupil", "Yr", "Subject", "Pts", "Exp", "Tgt", "Target", "+Yr", "+Win", "Gaps", "Flags"
        )
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        if self.rows:
            self.reload()

    # --- data ------------------------------------------------------------------------------

    def reload(self) -> None:
        key = self.window.key if self.window != self.service.window() else None
        self.rows = self.service.tracking(
            class_name=None if self.year_group is not None else self.class_name,
            year_group=self.year_group,
            window=key,
            curriculum_id=self.curriculum_id,
        )
        self.apply()
        self.fill_groups()
        self.fill_chart()

    def apply(self) -> None:
        rows = [r for r in self.rows if matches_pupil(r.pupil, r.standing.flags, self.filter_text)]
        if self.sort == "name":
            rows.sort(key=lambda r: (r.pupil.last_name, r.pupil.first_name, r.curriculum_id))
        elif self.sort == "points":
            rows.sort(key=lambda r: (-(r.standing.points or 0), r.pupil.last_name))
        elif self.sort == "progress":
            rows.sort(key=lambda r: (r.standing.progress_this_year or 0, r.pupil.last_name))
        self.shown = rows
        table = self.query_one("#tracking-table", DataTable)
        table.clear()
        subjects = {c.id: c.title.split(" — ")[0] for c in self.service.curricula()}
        for r in rows:
            s = r.standing
            table.add_row(
                Text(plain(f"{r.pupil.last_name}, {r.pupil.first_name}")),
                "R" if s.year_group == 0 else str(s.year_group),
                Text(plain(subjects.get(r.curriculum_id, r.curriculum_id))),
                num(s.points),
                num(s.expected),
                " ".join(f"{self.glyphs.flag[f]}{FLAG_WORDS[f]}" for f in s.flags),
                num(s.target),
                s.target_status.value if s.target_status else "-",
                num(s.progress_this_year, signed=True),
                num(s.progress_last_window, signed=True),
                str(len(s.gaps)),
            )
        self.update_title()

    def update_title(self) -> None:
        scope = (
            f"Year {self.year_group}" if self.year_group is not None else f"Class {self.class_name or 'all'}"
        )
        subject = (
            self.service.curriculum(self.curriculum_id).title.split(" — ")[0]
            if self.curriculum_id
            else "all subjects"
        )
        support = sum(1 for r in self.shown if r.needs_support)
        bits = [f"Tracking · {scope} · {subject} · {self.window.name}", f"{support} need support"]
        if self.filter_text:
            bits.append(f"filter: {self.filter_text}")
        if self.sort != "support":
            bits.append(f"sorted by {self.sort}")
        self.query_one("#tracking-title", Static).update(Content(plain("  ·  ".join(bits))))

    def fill_groups(self) -> None:
        table = self.query_one("#groups-table", DataTable)
        lags = self.query_one("#lags", Static)
        table.clear(columns=True)
        result = self.service.group_analysis(
            class_name=None if self.year_group is not None else self.class_name,
            year_group=self.year_group,
            window=self.window.key,
            curriculum_id=self.curriculum_id,
        )
        table.add_columns("Group", "n", "Pts", "rest", "% exp", "rest", "+Yr", "rest", "% gaps", "a year ago")
        for row in result.groups:
            m, rest = row.members, row.rest
            ago = row.year_ago
            table.add_row(
                Text(plain(row.group)),
                str(m.count),
                num(m.mean_points),
                num(rest.mean_points),
                num(m.pct_at_expected),
                num(rest.pct_at_expected),
                num(m.mean_progress_year, signed=True),
                num(rest.mean_progress_year, signed=True),
                num(m.pct_with_gaps),
                f"{num(ago.mean_points)} pts, {num(ago.pct_at_expected)}%" if ago else "-",
            )
        lines = [lag.describe() for lag in result.lags[:6]]
        lags.update(
            Content(
                plain(
                    "Where groups lag most:\n" + ("\n".join(lines) if lines else "no marked lag"),
                    multiline=True,
                )
            )
        )

    def fill_chart(self) -> None:
        """Mean points per window (this window and the five before) against the expected points."""
        windows = [self.window]
        for _ in range(5):
            windows.insert(0, previous_window(windows[0], self.service.terms))
        series = []
        for w in windows:
            key = w.key if w != self.service.window() else None
            rows = self.service.tracking(
                class_name=None if self.year_group is not None else self.class_name,
                year_group=self.year_group,
                window=key,
                curriculum_id=self.curriculum_id,
            )
            pts = [r.standing.points for r in rows if r.standing.points is not None]
            exp = [r.standing.expected for r in rows if r.standing.expected is not None]
            series.append((w, sum(pts) / len(pts) if pts else None, sum(exp) / len(exp) if exp else None))
        values = [v for _, a, e in series for v in (a, e) if v is not None]
        if not values:
            self.query_one("#tracking-chart", Static).update(Content("No points yet."))
            return
        low, high = min(values), max(values)
        ascii_only = self.glyphs is ASCII
        lines = ["Mean points per window (bar) against the mean expected points", ""]
        for w, mean, exp in series:
            width = 0 if mean is None else int(round(4 + 36 * (mean - low) / max(1e-9, high - low)))
            bar = ("#" if ascii_only else "█") * width
            lines.append(f"{w.name:<16} {bar:<41} {num(mean)}  (expected {num(exp)})")
        self.query_one("#tracking-chart", Static).update(Content(plain("\n".join(lines), multiline=True)))

    # --- actions ---------------------------------------------------------------------------

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
        self.reload()

    def action_scope(self) -> None:
        if self.year_group is None:
            pupils = self.service.pupils(self.class_name)
            years = sorted({self.service.year_group(p) for p in pupils})
            self.year_group = years[0] if years else None
        else:
            self.year_group = None
        self.reload()

    def action_pick_curriculum(self) -> None:
        choices = [("", "All subjects"), *[(c.id, c.title) for c in self.service.curricula()]]

        def done(value: str | None) -> None:
            if value is not None:
                self.curriculum_id = value or None
                self.reload()

        self.app.push_screen(PickScreen("Subject", choices, self.curriculum_id or ""), done)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Tracking — keys", self.HELP))
