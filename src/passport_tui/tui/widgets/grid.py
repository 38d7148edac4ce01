"""The class grid: pupils × milestones, one glyph a cell, on Textual's Line API.

Only the visible rows and columns are rendered; each rendered row is cached (and the cache is
dropped when the styles change, e.g. with the theme), and a change to one cell refreshes just that
cell's region. The pupil column and the two header lines stay put while the milestones scroll. Rows
can arrive in two parts: the first screenful, then the rest (``add_rows``), without a repaint of
what is already on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...engine import Cell
from ..glyphs import Glyphs
from ..text import fit

HEADER = 2  # header lines
CELL = 6  # cells per milestone column
MARK = 2  # selection mark
NAME = 18
YEAR = 3  # "Y4 "
SUMMARY = 8  # "13/14 ▼ "


@dataclass(slots=True)
class GridColumn:
    id: str
    strip_year: bool = True  # the title names the stage, so "34COMP-1" can head as "COMP -1"

    @property
    def head(self) -> tuple[str, str]:
        if "-" in self.id:
            top, _, bottom = self.id.rpartition("-")
            # the stage is in the screen's title: drop a leading year number ("34COMP" -> "COMP")
            if self.strip_year:
                top = top.lstrip("0123456789") or top
            return top, "-" + bottom
        return self.id[: CELL - 1], self.id[CELL - 1 : 2 * CELL - 2]


@dataclass(slots=True)
class GridRow:
    pupil_id: int
    name: str  # already made plain
    summary: str  # points/expected
    flags: str  # flag glyphs
    cells: list[Cell] = field(default_factory=list)
    year: str = ""  # "Y4", "R"
    version: int = 0


class ClassGrid(ScrollView, can_focus=True):
    """Rows of pupils, columns of milestones."""

    COMPONENT_CLASSES = {
        "grid--header",
        "grid--header-cursor",
        "grid--name",
        "grid--cursor-row",
        "grid--cursor",
        "grid--selected",
        "grid--achieved",
        "grid--revisit",
        "grid--gap",
        "grid--next",
        "grid--not-yet",
        "grid--not-assessed",
        "grid--flags",
    }

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False, id="grid.up"),
        Binding("down", "move(1, 0)", "Down", show=False, id="grid.down"),
        Binding("left", "move(0, -1)", "Left", show=False, id="grid.left"),
        Binding("right", "move(0, 1)", "Right", show=False, id="grid.right"),
        Binding("home", "jump('home')", "First milestone", show=False, id="grid.home"),
        Binding("end", "jump('end')", "Last milestone", show=False, id="grid.end"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="grid.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="grid.pagedown"),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0), always_update=False, repaint=False)

    class CursorMoved(Message):
        def __init__(self, grid: ClassGrid, row: int, column: int) -> None:
            super().__init__()
            self.grid = grid
            self.row = row
            self.column = column

    def __init__(self, glyphs: Glyphs, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.glyphs = glyphs
        self.rows: list[GridRow] = []
        self.columns: list[GridColumn] = []
        self.selected: set[int] = set()
        self.expected_rows = 0  # rows still to come count towards the scrollable height
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)

    # --- data ------------------------------------------------------------------------------

    @property
    def left(self) -> int:
        return MARK + NAME + YEAR + SUMMARY

    def set_data(
        self,
        columns: list[GridColumn],
        rows: list[GridRow],
        keep_cursor: bool = True,
        expected_rows: int = 0,
    ) -> None:
        """Show ``rows`` (``expected_rows`` in all when the rest will follow through ``add_rows``)."""
        old = self.cursor if keep_cursor else (0, 0)
        self.columns = columns
        self.rows = rows
        self.expected_rows = expected_rows
        self._cache.clear()
        ids = {r.pupil_id for r in rows}
        self.selected &= ids
        self._update_virtual_size()
        row = min(old[0], max(0, len(rows) - 1))
        col = min(old[1], max(0, len(columns) - 1))
        self.set_reactive(ClassGrid.cursor, (row, col))
        self.refresh()
        self.post_message(self.CursorMoved(self, row, col))

    def add_rows(self, rows: list[GridRow]) -> None:
        """Append rows below the ones shown; only those that land on screen are painted."""
        start = len(self.rows)
        self.rows.extend(rows)
        self._update_virtual_size()
        for index in range(start, len(self.rows)):
            self._refresh_row(index)

    def notify_style_update(self) -> None:
        """The styles changed (a new theme): the cached rows carry the old colours."""
        super().notify_style_update()
        self._cache.clear()
        self.refresh()

    def update_row(self, index: int, row: GridRow) -> None:
        """Replace one row and repaint only what changed in it: the cells whose glyph changed,
        and the pupil column when points or flags moved."""
        old = self.rows[index]
        row.version = old.version + 1
        self.rows[index] = row
        if (old.name, old.year, old.summary, old.flags) != (row.name, row.year, row.summary, row.flags):
            self._refresh_region(self._row_y(index), 0, self.left)
        if len(old.cells) != len(row.cells):
            self._refresh_row(index)
            return
        for column, (before, after) in enumerate(zip(old.cells, row.cells, strict=True)):
            if before != after:
                self._refresh_cell(index, column)

    def _update_virtual_size(self) -> None:
        """Scrolling moves whole columns: the last scroll position shows the last column in full."""
        hidden = max(0, len(self.columns) - self.visible_columns)
        height = HEADER + max(len(self.rows), self.expected_rows)
        size = Size(max(self.size.width, self.left) + hidden * CELL, height)
        if size != self.virtual_size:
            self.virtual_size = size

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()

    @property
    def cursor_row(self) -> GridRow | None:
        return self.rows[self.cursor[0]] if self.rows else None

    @property
    def cursor_column(self) -> GridColumn | None:
        return self.columns[self.cursor[1]] if self.columns else None

    def toggle_selected(self, pupil_id: int) -> None:
        self.selected ^= {pupil_id}
        for i, r in enumerate(self.rows):
            if r.pupil_id == pupil_id:
                self._refresh_row(i)

    def select_all(self) -> None:
        ids = {r.pupil_id for r in self.rows}
        self.selected = set() if self.selected >= ids else ids
        self.refresh()

    # --- geometry --------------------------------------------------------------------------

    @property
    def visible_rows(self) -> int:
        return max(1, self.size.height - HEADER)

    @property
    def visible_columns(self) -> int:
        return max(1, (self.size.width - self.left) // CELL)

    @property
    def first_row(self) -> int:
        return int(self.scroll_y)

    @property
    def first_column(self) -> int:
        return int(self.scroll_x) // CELL

    def _row_y(self, index: int) -> int:
        return HEADER + index - self.first_row

    def _refresh_region(self, y: int, x: int, width: int) -> None:
        if 0 <= y < self.size.height:
            self.refresh(Region(x, y, width, 1))

    def _refresh_row(self, index: int) -> None:
        self._refresh_region(self._row_y(index), 0, self.size.width)

    def _refresh_cell(self, index: int, column: int) -> None:
        x = self.left + (column - self.first_column) * CELL
        if 0 <= column - self.first_column < self.visible_columns:
            self._refresh_region(self._row_y(index), x, CELL)

    # --- cursor ----------------------------------------------------------------------------

    def watch_cursor(self, old: tuple[int, int], new: tuple[int, int]) -> None:
        self._scroll_to_cursor()
        if old[0] != new[0]:
            self._refresh_row(old[0])
            self._refresh_row(new[0])
        else:
            self._refresh_cell(new[0], old[1])
            self._refresh_cell(new[0], new[1])
        if old[1] != new[1]:
            self._refresh_region(0, 0, self.size.width)
            self._refresh_region(1, 0, self.size.width)
        self.post_message(self.CursorMoved(self, *new))

    def _scroll_to_cursor(self) -> None:
        row, col = self.cursor
        y, x = self.first_row, self.first_column
        if row < y:
            y = row
        elif row >= y + self.visible_rows:
            y = row - self.visible_rows + 1
        if col < x:
            x = col
        elif col >= x + self.visible_columns:
            x = col - self.visible_columns + 1
        if (y, x) != (self.first_row, self.first_column):
            self.scroll_to(x=x * CELL, y=y, animate=False, immediate=True)

    def move_to(self, row: int, column: int) -> None:
        if not self.rows or not self.columns:
            return
        self.cursor = (max(0, min(row, len(self.rows) - 1)), max(0, min(column, len(self.columns) - 1)))

    def action_move(self, rows: int, columns: int) -> None:
        self.move_to(self.cursor[0] + rows, self.cursor[1] + columns)

    def action_jump(self, where: str) -> None:
        self.move_to(self.cursor[0], 0 if where == "home" else len(self.columns) - 1)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor[0] + direction * self.visible_rows, self.cursor[1])

    def on_click(self, event) -> None:
        x, y = event.x, event.y
        if y < HEADER or not self.rows:
            return
        row = self.first_row + y - HEADER
        col = self.first_column + (x - self.left) // CELL if x >= self.left else self.cursor[1]
        self.move_to(row, col)

    # --- painting --------------------------------------------------------------------------

    def _style(self, name: str, partial: bool = False) -> Style:
        return self.get_component_rich_style(name, partial=partial)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        first_col = self.first_column
        ncols = min(self.visible_columns, max(0, len(self.columns) - first_col))
        cursor_row, cursor_col = self.cursor
        base = self.rich_style
        if y < HEADER:
            key = ("head", y, first_col, ncols, cursor_col, width, len(self.columns))
        else:
            index = self.first_row + y - HEADER
            if index >= len(self.rows):
                return Strip.blank(width, base)
            row = self.rows[index]
            on_row = index == cursor_row
            key = (
                "row",
                index,
                row.pupil_id,
                row.version,
                first_col,
                ncols,
                cursor_col if on_row else -1,
                row.pupil_id in self.selected,
                width,
            )
        strip = self._cache.get(key)
        if strip is None:
            strip = (
                self._render_header(y, first_col, ncols, cursor_col)
                if y < HEADER
                else self._render_row(
                    self.rows[self.first_row + y - HEADER], first_col, ncols, on_row, cursor_col
                )
            )
            strip = strip.adjust_cell_length(width, base)
            self._cache[key] = strip
        return strip

    def _render_header(self, y: int, first: int, n: int, cursor_col: int) -> Strip:
        head = self._style("grid--header")
        cur = self._style("grid--header-cursor")
        label = "Pupil" if y == 0 else ""
        right = "pts/exp" if y == 0 else ""
        if y == 1:
            g = self.glyphs
            more_left = g.left if first > 0 else " "
            more_right = g.right if first + n < len(self.columns) else " "
            label = (
                f"{first + 1}{g.dash}{first + n} of {len(self.columns)} {more_left}{more_right}"
                if self.columns
                else ""
            )
        year = "Yr" if y == 0 else ""
        segs = [Segment(fit("", MARK) + fit(label, NAME) + fit(year, YEAR) + fit(right, SUMMARY), head)]
        for c in range(first, first + n):
            text = self.columns[c].head[y]
            segs.append(Segment(fit(text, CELL - 1) + " ", cur if c == cursor_col else head))
        return Strip(segs).simplify()  # same-style neighbours share one colour code

    def _render_row(self, row: GridRow, first: int, n: int, on_row: bool, cursor_col: int) -> Strip:
        g = self.glyphs
        sel = row.pupil_id in self.selected
        name_style = self._style("grid--name")
        if on_row:
            name_style += self._style("grid--cursor-row")
        if sel:
            name_style += self._style("grid--selected", partial=True)
        segs = [
            Segment(fit(g.selected if sel else " ", MARK), name_style),
            Segment(fit(row.name, NAME - 1) + " ", name_style),
            Segment(fit(row.year, YEAR), name_style),
            Segment(fit(row.summary, 6), name_style),
            Segment(fit(row.flags, SUMMARY - 6), name_style + self._style("grid--flags", partial=True)),
        ]
        cursor = self._style("grid--cursor", partial=True)
        for c in range(first, first + n):
            cell = row.cells[c] if c < len(row.cells) else Cell.NOT_ASSESSED
            style = self._style(CELL_CLASS[cell])
            if on_row and c == cursor_col:
                style += cursor
                segs.append(Segment("[", style))
                segs.append(Segment(g.cell[cell], style))
                segs.append(Segment("]" + " " * (CELL - 3), style))
            else:
                segs.append(Segment(" " + g.cell[cell] + " " * (CELL - 2), style))
        return Strip(segs).simplify()  # same-style neighbours share one colour code


CELL_CLASS = {
    Cell.ACHIEVED: "grid--achieved",
    Cell.REVISIT: "grid--revisit",
    Cell.GAP: "grid--gap",
    Cell.NEXT: "grid--next",
    Cell.NOT_YET: "grid--not-yet",
    Cell.NOT_ASSESSED: "grid--not-assessed",
}
