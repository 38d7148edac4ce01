"""Where the time goes in the figures that miss their targets: whole-school ``passport tracking
--json`` and ``passport groups --json``, and the start to a painted class grid. A profile, not a
benchmark: it reaches inside the program (it wraps a few of the service's and the engine's
functions with timers), so it follows the code as it is today and may need changing with it.

    uv run python bench/breakdown.py [--runs 5] [--db bench/out/school.db] [--class CLASS]

1. **Reports.** A fresh process, as ``passport`` is (bytecode cached in ``bench/out/pycache``),
   for each of tracking and groups: spawn to its first line; importing the CLI; opening the
   database; then the command's own work split into reading and decoding the projections, the
   engine's standings (``engine.standing``), the group comparison and the milestone lags
   (``engine.groups``), building the result lines and writing the JSON (to ``/dev/null``). Beside
   them, one plain full read of the judgement log in a fresh process (the yardstick of the
   ratio). The median of ``--runs`` runs of each phase.
2. **Start.** ``passport --db DB --class C`` in a pseudo-terminal at 80×24 (as bench_tui.py), with
   timestamps taken inside the process at each step: the interpreter up; importing click, pydantic,
   the model classes, sqlite3, the rest of the CLI (service, store, engine), textual.app and the rest
   of the app (screens, widgets); opening the database; Textual's start to the app's ``on_mount``;
   the grid screen built; the grid's first read in its worker (start and end); the loaded lines
   handled on the app's thread; and, from outside, the first pupil's row read from the terminal
   (the first paint). Beside it, ``python -c pass`` (the interpreter alone), ``python -c 'import
   textual.app'`` (the yardstick of the start ratio), and a bare Textual app that paints one word
   (Textual's own start and first paint), spawn to exit or to the painted word. Medians of
   ``--runs`` runs.

Each step is shown as the median time from spawn and the median time since the step before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --- in the child processes (standard library only at the top, so imports are timed) --------

REPORT_CHILD = r"""
import json, os, sys, time
marks = [("python up", time.time())]
def mark(what): marks.append((what, time.time()))
what, db, out = sys.argv[1], sys.argv[2], sys.argv[3]
import passport_tui.cli
mark("import the CLI (click, service, store, engine, models)")
from passport_tui import engine
from passport_tui.service import Service
from passport_tui.service.records import Records
from passport_tui.engine import groups as engine_groups
from passport_tui.cli.output import emit_json
from passport_tui.cli.tracking import GroupsView, TrackingLine
spent = {}
def timed(name, fn):
    def wrapper(*a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
    return wrapper
def timed_iter(name, fn):
    def wrapper(*a, **k):
        it = fn(*a, **k)
        while True:
            t0 = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
                return
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
            yield item
    return wrapper
engine.standing = timed("engine.standing", engine.standing)
Records.pupil_records = timed_iter("read and decode the projections", Records.pupil_records)
engine_groups.group_analysis = timed("engine.groups.group_analysis", engine_groups.group_analysis)
engine_groups.milestone_lag = timed("engine.groups.milestone_lag", engine_groups.milestone_lag)
service = Service.open(db, None)
mark("open the database (Service.open)")
if what == "tracking":
    rows = service.tracking()
    mark("Service.tracking()")
    result = [TrackingLine.of(r) for r in rows]
else:
    ids = [c.id for c in service.curricula() if c.year_linked_stages]
    analyses = [service.group_analysis(curriculum_id=cid) for cid in ids]
    mark("Service.group_analysis() for each subject")
    result = [GroupsView.of(a) for a in analyses]
mark("the result lines")
sys.stdout = open(os.devnull, "w", encoding="utf-8")
emit_json(result)
sys.stdout.flush()
mark("the JSON written")
service.close()
with open(out, "w") as f:
    json.dump({"marks": marks, "spent": spent}, f)
"""

READ_LOG = r"""
import json, sqlite3, sys, time
marks = [("python up", time.time())]
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
n = 0
for row in conn.execute("SELECT * FROM judgements"):
    n += 1
marks.append(("SELECT * FROM judgements, every row", time.time()))
with open(sys.argv[2], "w") as f:
    json.dump({"marks": marks, "spent": {}}, f)
"""

START_CHILD = r"""
import json, os, sys, threading, time
marks = [("python up", time.time())]
def mark(what):
    marks.append((what, time.time()))
out = os.environ.pop("BREAKDOWN_OUT")
import click
mark("import click")
import pydantic
mark("import pydantic")
import passport_tui.models
mark("import passport_tui.models (the model classes)")
import sqlite3
mark("import sqlite3")
import passport_tui.cli
mark("import the rest of the CLI (service, store, engine, commands)")
import textual.app
mark("import textual.app")
import passport_tui.tui.app as tui_app
mark("import the rest of the app (screens, widgets, glyphs)")
from passport_tui.service import Service
from passport_tui.tui.screens import grid as grid_screen
opened = Service.open
def open_service(*a, **k):
    s = opened(*a, **k)
    if not any(m[0].startswith("open the database") for m in marks):
        mark("open the database (Service.open)")
    return s
Service.open = open_service
mounted = tui_app.PassportApp.on_mount
def on_mount(self):
    mark("Textual's start, to the app's on_mount")
    return mounted(self)
tui_app.PassportApp.on_mount = on_mount
composed = grid_screen.GridScreen.compose
def compose(self):
    yield from composed(self)
    mark("the grid screen composed")
grid_screen.GridScreen.compose = compose
load = grid_screen.load_grid
def load_grid(*a, **k):
    mark("the grid's first read begins (worker, own connection)")
    first = True
    for message in load(*a, **k):
        if first:
            mark("the grid's first read ends (first screenful of lines)")
            first = False
        yield message
grid_screen.load_grid = load_grid
loaded = grid_screen.GridScreen.on_grid_loaded
def on_grid_loaded(self, message):
    if not any(m[0].startswith("the lines handled") for m in marks):
        mark("the lines handled on the app's thread")
    return loaded(self, message)
grid_screen.GridScreen.on_grid_loaded = on_grid_loaded
import atexit
def save():
    with open(out, "w") as f:
        json.dump(marks, f)
atexit.register(save)
sys.argv = ["passport", *sys.argv[1:]]
passport_tui.cli.main()
"""

BARE_TEXTUAL = r"""
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("painted-word")
Bare().run()
"""


# --- the parent ------------------------------------------------------------------------------


def bytecode_env() -> dict[str, str]:
    from common import bytecode_env

    return bytecode_env()


def report_run(what: str, db: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        path = tmp.name
    try:
        if what == "read":
            argv = [sys.executable, "-c", READ_LOG, str(db), path]
        else:
            argv = [sys.executable, "-c", REPORT_CHILD, what, str(db), path]
        spawned = time.time()
        subprocess.run(argv, check=True, env=bytecode_env(), stdout=subprocess.DEVNULL)
        ended = time.time()
        data = json.loads(Path(path).read_text())
    finally:
        os.unlink(path)
    data["spawned"] = spawned
    data["ended"] = ended
    return data


def timeline(runs: list[list[tuple[str, float]]], spawned: list[float]) -> list[tuple[str, float, float]]:
    """(step, median ms from spawn, median ms since the step before) for steps every run has."""
    names = [name for name, _ in runs[0]]
    out = []
    for name in names:
        from_spawn, step = [], []
        for marks, t0 in zip(runs, spawned, strict=True):
            times = dict(marks)
            if name not in times:
                break
            i = [n for n, _ in marks].index(name)
            before = marks[i - 1][1] if i else t0
            from_spawn.append((times[name] - t0) * 1000)
            step.append((times[name] - before) * 1000)
        else:
            out.append((name, statistics.median(from_spawn), statistics.median(step)))
    return out


def print_timeline(title: str, rows: list[tuple[str, float, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'step':<66} {'from spawn':>11} {'this step':>10}")
    for name, at, step in rows:
        print(f"  {name:<66} {at:>8.0f} ms {step:>7.0f} ms")


def bench_reports(db: Path, runs: int) -> None:
    for what in ("read", "tracking", "groups"):
        report_run(what, db)  # warm-up (and the bytecode cache)
        data = [report_run(what, db) for _ in range(runs)]
        label = {
            "read": "one plain full read of the judgement log (the yardstick)",
            "tracking": "passport tracking --json, every subject",
            "groups": "passport groups --json, every subject",
        }[what]
        rows = timeline([[tuple(m) for m in d["marks"]] for d in data], [d["spawned"] for d in data])
        print_timeline(
            f"{label}: whole process {statistics.median(d['ended'] - d['spawned'] for d in data) * 1000:.0f} ms (median of {runs})",
            rows,
        )
        inner = sorted({k for d in data for k in d["spent"]})
        for k in inner:
            print(
                f"    of which {k}: {statistics.median(d['spent'].get(k, 0.0) for d in data) * 1000:.0f} ms"
            )


def pty_run(argv: list[str], needle: bytes | None, out: str | None = None) -> tuple[float, float]:
    """(spawn, the needle read or the exit), as ``time.time()``, of a program in a pseudo-terminal
    at 80×24 (``out``: where the start child writes its timestamps)."""
    from bench_tui import Terminal

    if out is not None:
        os.environ["BREAKDOWN_OUT"] = out  # the terminal's child gets this environment
    try:
        term = Terminal(argv)
    finally:
        os.environ.pop("BREAKDOWN_OUT", None)
    to_wall = time.time() - time.perf_counter()
    try:
        end = term.wait_exit() if needle is None else term.read_until([needle])
    finally:
        term.close()
    return term.spawned + to_wall, end + to_wall


def bench_start(db: Path, class_name: str | None, runs: int) -> None:
    from bench_tui import school_class

    name, needle = school_class(db)
    class_name = class_name or name
    starts: list[list[tuple[str, float]]] = []
    spawned: list[float] = []
    for i in range(runs + 1):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            path = tmp.name
        try:
            t0, painted = pty_run(
                [sys.executable, "-c", START_CHILD, "--db", str(db), "--class", class_name],
                needle,
                path,
            )
            marks = [tuple(m) for m in json.loads(Path(path).read_text())]
        finally:
            os.unlink(path)
        if i == 0:
            continue  # warm-up
        marks.append(("the first pupil's row read from the terminal (first paint)", painted))
        starts.append(marks)
        spawned.append(t0)
    print_timeline(
        f"passport --db {db.name} --class {class_name!r}, 80×24, bytecode cached (median of {runs})",
        timeline(starts, spawned),
    )
    for label, argv, needle in (
        ("python -c pass, spawn to exit", [sys.executable, "-c", "pass"], None),
        ("python -c 'import textual.app', spawn to exit", [sys.executable, "-c", "import textual.app"], None),
        (
            "a bare Textual app, spawn to its one word painted",
            [sys.executable, "-c", BARE_TEXTUAL],
            b"painted-word",
        ),
    ):
        pty_run(argv, needle)
        times = []
        for _ in range(runs):
            t0, t1 = pty_run(argv, needle)
            times.append((t1 - t0) * 1000)
        print(f"  {label}: {statistics.median(times):.0f} ms ({', '.join(f'{t:.0f}' for t in times)})")


def main() -> None:
    sys.path.insert(0, str(HERE))
    from common import OUT, line_buffered, load_average

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=OUT / "school.db")
    parser.add_argument("--class", dest="class_name", help="the class to open (default: the oldest pupils')")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("reports", "start"))
    args = parser.parse_args()
    line_buffered()
    (OUT / "pycache").mkdir(parents=True, exist_ok=True)
    print(f"load average {load_average()} at start")
    if args.only in (None, "reports"):
        bench_reports(args.db, args.runs)
    if args.only in (None, "start"):
        bench_start(args.db, args.class_name, args.runs)
    print(f"\nload average {load_average()} at end")


if __name__ == "__main__":
    main()
