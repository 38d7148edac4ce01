"""A stock Textual ``DataTable`` showing the class grid, for comparison with ``ClassGrid`` (DESIGN §6).

The same data as the app's grid screen (one row a pupil, one column a milestone, one glyph a cell),
read through the same service calls; a mark commits the same judgement through
``Service.judge_many``, re-reads the pupil's row with ``Service.grid_line`` (as the app does, so
next steps and gaps stay right) and calls ``DataTable.update_cell`` for each cell whose glyph changed.
Used by ``bench/bench_tui.py``, which runs it as its own process in a pseudo-terminal, as it runs
``passport``; not part of the product:

    uv run python bench/tui_datatable.py --db DB --class CLASS --curriculum ID --stage ID
"""

from __future__ import annotations

import argparse

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from passport_tui.models import Curriculum
from passport_tui.service import GridLine, Service
from passport_tui.tui.glyphs import UNICODE, Glyphs

PUPIL_KEY = "pupil"


class DataTableGridScreen(Screen[None]):
    """Pupils × the milestones of one stage in a stock DataTable."""

    BINDINGS = [
        Binding("a", "mark('achieved')", "Achieved"),
        Binding("n", "mark('not-yet')", "Not yet"),
    ]

    def __init__(self, service: Service, class_name: str, curriculum_id: str, stage_id: str) -> None:
        super().__init__()
        self.service = service
        self.class_name = class_name
        self.curriculum_id = curriculum_id
        self.stage_id = stage_id
        self.glyphs: Glyphs = UNICODE
        self.lines: dict[str, GridLine] = {}
        self.milestones: list[str] = []

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="cell", zebra_stripes=False, id="table")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    @property
    def curriculum(self) -> Curriculum:
        return self.service.curriculum(self.curriculum_id)

    def reload(self) -> None:
        """Read the class from the database and fill the table (as ``GridScreen.reload`` does)."""
        c = self.curriculum
        order = c.order
        self.milestones = sorted(
            (m.id for m in c.milestones if m.stage == self.stage_id), key=lambda mid: order[mid]
        )
        pupils = self.service.pupils(self.class_name)
        lines = self.service.grid(pupils, c, self.milestones)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Pupil", key=PUPIL_KEY)
        for mid in self.milestones:
            table.add_column(mid, key=mid)
        self.lines = {}
        for line in lines:
            key = str(line.pupil.id)
            self.lines[key] = line
            name = f"{line.pupil.last_name}, {line.pupil.first_name}"
            table.add_row(name, *(self.glyphs.cell[cell] for cell in line.cells), key=key)

    def action_mark(self, verdict: str) -> None:
        table = self.query_one(DataTable)
        row_key, column_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        if column_key.value == PUPIL_KEY or row_key.value is None or column_key.value is None:
            return
        line = self.lines[row_key.value]
        pupil_id = line.pupil.id or 0
        outcomes = self.service.judge_many([pupil_id], self.curriculum_id, column_key.value, verdict)
        if any(o.refusal is not None for o in outcomes):
            self.notify(str(outcomes[0].refusal), severity="warning", markup=False)
            return
        fresh = self.service.grid_line(line.pupil, self.curriculum, self.milestones)
        self.lines[row_key.value] = fresh
        for mid, before, after in zip(self.milestones, line.cells, fresh.cells, strict=True):
            if before != after:
                table.update_cell(row_key, mid, self.glyphs.cell[after])


class DataTableGridApp(App[None]):
    """Opens one class's grid in a DataTable; ``q`` quits."""

    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self, service: Service, class_name: str, curriculum_id: str, stage_id: str) -> None:
        super().__init__()
        self.service = service
        self.class_name = class_name
        self.curriculum_id = curriculum_id
        self.stage_id = stage_id

    def on_mount(self) -> None:
        self.push_screen(self.new_screen())

    def new_screen(self) -> DataTableGridScreen:
        return DataTableGridScreen(self.service, self.class_name, self.curriculum_id, self.stage_id)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A class grid in a stock DataTable (for the benchmark).")
    parser.add_argument("--db", required=True)
    parser.add_argument("--class", dest="class_name", required=True)
    parser.add_argument("--curriculum", required=True)
    parser.add_argument("--stage", required=True)
    args = parser.parse_args(argv)
    with Service.open(args.db, user="bench") as service:
        DataTableGridApp(service, args.class_name, args.curriculum, args.stage).run()


if __name__ == "__main__":
    main()
