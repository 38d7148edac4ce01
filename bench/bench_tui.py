"""The terminal app's budgets of DESIGN §7, measured.

    uv run python bench/bench_tui.py [--quick] [--school bench/out/school.db]

1. **Start to a painted class grid** (≤ 0.6 s): the real ``passport --db school.db --class C`` in a
   pseudo-terminal of 80×24 (``TERM=xterm-256color``, window size set with ``TIOCSWINSZ``), from
   spawn until the output holds the name of the class's first pupil as the grid prints it; then
   ``q`` and wait for the exit. Median of 5 runs (3 with ``--quick``) after one warm-up run, with
   Python's bytecode cache on (kept in ``bench/out/pycache`` through ``PYTHONPYCACHEPREFIX``, as an
   installed wheel has it); the same without any bytecode cache (``PYTHONDONTWRITEBYTECODE=1``, how
   this machine's shell runs Python) is shown for information, and a one-run breakdown by phase
   (interpreter, imports, service, grid data, Textual's start and first paint). C is the class of
   the school database (``bench/generate.py``, built first if missing) with the oldest pupils.
2. **Mark one cell: key to committed and repainted**, 30 pupils × 60 milestones (≤ 10 ms median)
   and 300 × 400 (≤ 20 ms). The app runs under Textual's Pilot (``run_test(size=(80, 24))``) on a
   database built for the purpose (one stage, no prerequisites, a realistic log). The clock starts
   when a key event (``a`` or ``n``, alternately) is posted to the app, as the terminal driver posts
   a parsed key (the same path as ``pilot.press`` without Pilot's idle waits), and stops when the
   app hands the terminal driver the first frame after ``Service.judge_many`` has returned (i.e.
   committed). That frame is also rendered to terminal text (the headless driver skips that step,
   so it is done here to count its cost). The cursor is moved between marks (not timed; the app is
   left to go idle first), so each mark hits a fresh cell; every mark is checked in the database and
   in the grid. Median and p95 over 60 marks (20 with ``--quick``).
3. **Open a 300 × 400 year grid** (≤ 150 ms): push a fresh ``GridScreen`` on that database and
   time until its last frame before the app goes idle (the grid and the milestone text below it
   painted). Median of 5 (3). ``GridScreen.reload()`` to repainted is shown too.
4. **Bytes sent to the terminal to mark one cell** (≤ 1 KB): the real app in a pseudo-terminal of
   80×24 on the 30 × 60 database; after the grid has painted and gone quiet, jump to the last
   milestone (a column nobody has), then for each mark: read until quiet, send ``a``, and count the
   bytes of the burst that follows (until 60 ms without output); then read on to 1.3 s to catch the
   app's once-a-second poll, and move ``down`` (drained separately). Median of 10 marks (4), with
   mouse reporting on and with ``--no-mouse``.
5. **A stock Textual DataTable** (``bench/tui_datatable.py``) on the same databases, measured the
   same way: per-mark time (``update_cell`` + the same judgement through the service) and the open
   time at 300 × 400.

Prints a Markdown table (what, measured, budget, ok/MISS) with the machine, the date and the command.
A benchmark, not a test: the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import platform
import random
import select
import shlex
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import textual
from generate import build_school, fresh
from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable
from tui_datatable import DataTableGridApp, DataTableGridScreen

from passport_tui.engine import Cell
from passport_tui.models import Curriculum, CurriculumHeader, Milestone, Pupil, Stage, Strand
from passport_tui.service import Service
from passport_tui.store import Store
from passport_tui.tui.app import make_app
from passport_tui.tui.screens.grid import GridScreen, View
from passport_tui.tui.widgets.grid import ClassGrid

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SCHOOL_DB = OUT / "school.db"
PYCACHE = OUT / "pycache"
PASSPORT = Path(sys.executable).with_name("passport")
SIZE = (80, 24)

START_BUDGET_S = 0.6
MARK_SMALL_BUDGET_MS = 10.0
MARK_LARGE_BUDGET_MS = 20.0
OPEN_BUDGET_MS = 150.0
BYTES_BUDGET = 1024

FREE_COLUMNS = 10  # the last milestones of the stage nobody has achieved: the marks go there
BURST_GAP_S = 0.06  # a burst of output ends after this long without any
POLL_WINDOW_S = 1.3  # the app polls the database once a second

KEYS = {"a": b"a", "n": b"n", "q": b"q", "down": b"\x1b[B", "end": b"\x1b[F"}


@dataclass
class Row:
    what: str
    measured: str
    budget: str
    ok: bool | None  # None: for information

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("ok" if self.ok else "MISS")


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def p95(xs: Sequence[float]) -> float:
    if not xs:
        return float("nan")
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- machine -------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def machine_line() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpu_model()}, {cores} cores, Python {platform.python_version()}, Textual {textual.__version__}, "
        f"{platform.system()} {platform.release()}"
    )


# --- databases -----------------------------------------------------------------------------

FIRST = ["Amelia", "Isla", "Aisha", "Maryam", "Zoë", "Niamh", "Noah", "Arthur", "Muhammad", "Tomasz", "Kwame"]
LAST = ["Smith", "Jones", "Khan", "Patel", "Kowalski", "Wiśniewska", "Okafor", "O'Brien", "Chen", "Nguyen"]


@dataclass(frozen=True)
class GridData:
    path: Path
    class_name: str
    curriculum_id: str
    stage_id: str
    pupils: int
    milestones: int
    events: int


def build_grid_db(path: Path, pupils: int, milestones: int, seed: int = 7) -> GridData:
    """A curriculum with one stage of ``milestones`` milestones (no prerequisites) and a class of
    ``pupils`` Year 4 pupils with a realistic log: each pupil has secured the first k milestones
    (k spread over the stage, never the last ``FREE_COLUMNS``), some "not yet" on the next ones."""
    rng = random.Random(seed)
    fresh(path)
    stage = "Y4"
    c = Curriculum(
        curriculum=CurriculumHeader(id="bench-grid", title="Bench — one stage of a year group"),
        stages=[Stage(id=stage, title="Year 4", year=4)],
        strands=[Strand(id="n", title="Number")],
        milestones=[
            Milestone(id=f"4N-{k}", strand="n", stage=stage, title=f"Bench milestone {k}: compare and order.")
            for k in range(1, milestones + 1)
        ],
    )
    class_name = f"4B-{pupils}"
    with Store.open(path) as store:
        service = Service(store, user="bench")
        year = service.academic_year()
        people = [
            Pupil(
                upn=f"B{n:05d}",
                first_name=FIRST[rng.randrange(len(FIRST))],
                last_name=LAST[rng.randrange(len(LAST))],
                year_group=4,
                academic_year=year,
                class_name=class_name,
                gender="F" if n % 2 else "M",
                pupil_premium=rng.random() < 0.25,
            )
            for n in range(pupils)
        ]
        with store.transaction():
            store.put_curriculum(c)
            store.upsert_pupils(people)
        ids = [pid for (pid,) in store.conn.execute("SELECT id FROM pupils ORDER BY id")]
        start = datetime(year, 9, 2, 9, tzinfo=UTC)
        now = datetime.now(UTC) - timedelta(hours=1)
        span = max(60.0, (now - start).total_seconds())
        rows: list[tuple[Any, ...]] = []
        for pid in ids:
            k = int(rng.betavariate(2.0, 2.0) * (milestones - FREE_COLUMNS))
            moments = sorted(rng.random() for _ in range(k + 3))
            for i in range(k):
                at = start + timedelta(seconds=moments[i] * span)
                if rng.random() < 0.2:  # a "not yet" before it was secured
                    rows.append(
                        (pid, c.curriculum.id, f"4N-{i + 1}", "not_yet", "bench", at, None, None, None)
                    )
                rows.append((pid, c.curriculum.id, f"4N-{i + 1}", "achieved", "bench", at, None, None, None))
            for j in range(k, min(k + 3, milestones - FREE_COLUMNS)):
                if rng.random() < 0.5:
                    at = start + timedelta(seconds=moments[-1] * span)
                    rows.append(
                        (pid, c.curriculum.id, f"4N-{j + 1}", "not_yet", "bench", at, None, None, None)
                    )
        rows.sort(key=lambda r: r[5])
        store.append_judgements(rows)
    return GridData(path, class_name, c.curriculum.id, stage, pupils, milestones, len(rows))


def school_class(path: Path) -> tuple[str, str]:
    """The school's class with the oldest pupils (the longest logs) and the start of the grid row
    of its first pupil, as the grid prints it."""
    with Service.open(path) as service:
        classes = [name for name, _ in service.classes()]
        pupils = service.pupils()
        oldest: dict[str, int] = {}
        for p in pupils:
            if p.class_name is not None:
                oldest[p.class_name] = max(oldest.get(p.class_name, -1), service.year_group(p))
        name = max(classes, key=lambda k: (oldest.get(k, -1), -classes.index(k)))
        first = service.pupils(name)[0]
    return name, f"{first.last_name}, {first.first_name}"[:12]


# --- the real app in a pseudo-terminal ------------------------------------------------------


def child_env(bytecode: bool) -> dict[str, str]:
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]))
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    for var in ("COLORTERM", "NO_COLOR", "TEXTUAL", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    if bytecode:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class Terminal:
    """A program in a pseudo-terminal of 80×24 whose output is read as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        self.spawned = time.monotonic()
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.output = bytearray()
        self.eof = False

    def read(self, timeout: float) -> bytes:
        """One chunk of output (b"" when nothing came within ``timeout``, or at the end)."""
        if self.eof or not select.select([self.master], [], [], max(0.0, timeout))[0]:
            return b""
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the program has gone and closed the terminal
            data = b""
        if not data:
            self.eof = True
        self.output += data
        return data

    def read_until(self, needle: bytes, timeout: float = 30.0) -> float:
        """Read until ``needle`` has been output; returns the monotonic time when it came."""
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            if self.eof or time.monotonic() > deadline:
                tail = bytes(self.output[-400:])
                raise RuntimeError(f"{needle!r} never came; the end of the output: {tail!r}")
            self.read(deadline - time.monotonic())
        return time.monotonic()

    def read_for(self, seconds: float) -> list[tuple[float, bytes]]:
        """Every chunk that comes in the next ``seconds``, with when it came."""
        chunks: list[tuple[float, bytes]] = []
        deadline = time.monotonic() + seconds
        while not self.eof and (left := deadline - time.monotonic()) > 0:
            data = self.read(left)
            if data:
                chunks.append((time.monotonic(), data))
        return chunks

    def drain(self, quiet: float = 0.3, limit: float = 10.0) -> int:
        """Read until nothing has come for ``quiet`` seconds; returns the bytes read."""
        total = 0
        deadline = time.monotonic() + limit
        while not self.eof and time.monotonic() < deadline:
            data = self.read(quiet)
            if not data:
                break
            total += len(data)
        return total

    def send(self, key: str) -> float:
        os.write(self.master, KEYS[key])
        return time.monotonic()

    def close(self) -> None:
        """Quit with ``q`` and wait for the program to end (killing it if it does not)."""
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.send("q")
        deadline = time.monotonic() + 10
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read(0.1)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        os.close(self.master)


def passport_argv(db: Path, class_name: str, *extra: str) -> list[str]:
    return [str(PASSPORT), "--db", str(db), "--class", class_name, *extra]


def time_start(db: Path, class_name: str, needle: bytes, bytecode: bool) -> float:
    term = Terminal(passport_argv(db, class_name), child_env(bytecode))
    try:
        painted = term.read_until(needle)
    finally:
        term.close()
    if term.proc.returncode != 0:
        raise RuntimeError(f"passport exited with {term.proc.returncode}")
    return painted - term.spawned


PHASES = r"""
import json, sys, time
marks = {"python up": time.monotonic()}
db, class_name, out = sys.argv[1:4]
import passport_tui.cli as cli
marks["imported the CLI (click, service, engine, models)"] = time.monotonic()
from passport_tui.tui import app as tui_app
marks["imported the app (textual)"] = time.monotonic()
from passport_tui.service import Service
from passport_tui.tui.screens.grid import GridScreen
spans = {}

def timed(owner, name, label):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        began = time.monotonic()
        try:
            return original(*args, **kwargs)
        finally:
            spans[label] = spans.get(label, 0.0) + time.monotonic() - began
    setattr(owner, name, wrapper)

timed(Service, "open", "Service.open")
timed(Service, "curricula", "Service.curricula")
timed(Service, "grid", "Service.grid (the class's records and cells)")
timed(Service, "pupils", "Service.pupils")
timed(tui_app.PassportApp, "default_stage", "PassportApp.default_stage")
timed(GridScreen, "reload", "GridScreen.reload (all of the above it calls, and set_data)")
display = tui_app.PassportApp._display

def first_paint(self, screen, renderable):
    display(self, screen, renderable)
    if isinstance(screen, GridScreen) and "first frame of the grid" not in marks:
        marks["first frame of the grid"] = time.monotonic()
        with open(out, "w") as f:
            json.dump({"marks": marks, "spans": spans}, f)

tui_app.PassportApp._display = first_paint
sys.argv = ["passport", "--db", db, "--class", class_name]
cli.main()
"""


def start_phases(db: Path, class_name: str, needle: bytes) -> list[tuple[str, float]]:
    """One start, split into phases (seconds from spawn, and the time spent in service calls)."""
    out = OUT / "start-phases.json"
    out.unlink(missing_ok=True)
    argv = [sys.executable, "-c", PHASES, str(db), class_name, str(out)]
    term = Terminal(argv, child_env(bytecode=True))
    try:
        painted = term.read_until(needle)
    finally:
        term.close()
    data = json.loads(out.read_text())
    steps: list[tuple[str, float]] = []
    previous = term.spawned
    for label, moment in data["marks"].items():
        steps.append((label, moment - previous))
        previous = moment
    steps.append(("frame written to the terminal", painted - previous))
    steps.append(("= spawn to painted", painted - term.spawned))
    steps += [(f"  of which {label}", seconds) for label, seconds in data["spans"].items()]
    return steps


def import_costs(top: int = 4) -> tuple[float, list[tuple[str, float]]]:
    """``python -X importtime`` of what ``passport`` imports to open the app (bytecode cached):
    the total, and each top-level import's cumulative time followed by its ``top`` costliest
    direct imports (indented)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import passport_tui.cli, passport_tui.tui.app"],
        env=child_env(bytecode=True),
        capture_output=True,
        text=True,
        check=True,
    )
    entries: list[tuple[int, str, float]] = []  # in the order printed: children before parents
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _, micros, module = line.split("|")
        if not micros.strip().isdigit():
            continue
        depth = (len(module) - len(module.lstrip())) // 2
        entries.append((depth, module.strip(), int(micros) / 1e6))
    total = sum(s for d, _, s in entries if d == 0)
    out: list[tuple[str, float]] = []
    children: list[tuple[str, float]] = []
    roots: list[tuple[str, float, list[tuple[str, float]]]] = []
    for depth, name, cumulative in entries:
        if depth == 1:
            children.append((name, cumulative))
        elif depth == 0:
            roots.append((name, cumulative, sorted(children, key=lambda x: -x[1])[:top]))
            children = []
    for name, cumulative, kids in sorted(roots, key=lambda r: -r[1])[:top]:
        if cumulative < 0.01:
            break
        out.append((name, cumulative))
        out += [(f"  {kid}", s) for kid, s in kids]
    return total, out


@dataclass
class ByteCounts:
    marks: list[int] = field(default_factory=list)
    polls: list[int] = field(default_factory=list)  # the poll's repaint a moment after a mark
    moves: list[int] = field(default_factory=list)
    mixed: int = 0  # marks whose burst ran into the poll's repaint (left out)


def bursts(chunks: list[tuple[float, bytes]], since: float) -> list[int]:
    """Sizes of the bursts of output in ``chunks``: a burst ends after ``BURST_GAP_S`` of quiet."""
    sizes: list[int] = []
    last = since
    for moment, data in chunks:
        if not sizes or moment - last > BURST_GAP_S:
            sizes.append(0)
        sizes[-1] += len(data)
        last = moment
    return sizes


def count_mark_bytes(grid: GridData, marks: int, mouse: bool) -> ByteCounts:
    extra = [] if mouse else ["--no-mouse"]
    term = Terminal(passport_argv(grid.path, grid.class_name, *extra), child_env(bytecode=True))
    counts = ByteCounts()
    try:
        term.read_until(b"pts/exp")
        term.drain(quiet=1.5)
        term.send("end")  # the last milestone: nobody has it yet
        term.drain(quiet=0.5)
        while len(counts.marks) < marks and len(counts.marks) + counts.mixed < 2 * marks:
            term.drain(quiet=0.3)
            sent = term.send("a")
            sizes = bursts(term.read_for(POLL_WINDOW_S), sent)
            if sizes:
                # the first burst is the mark; anything after it is the once-a-second poll's repaint
                counts.marks.append(sizes[0])
                counts.polls.append(sum(sizes[1:]))
            else:
                counts.mixed += 1
            term.drain(quiet=0.3)
            term.send("down")
            counts.moves.append(term.drain(quiet=0.3))
    finally:
        term.close()
    return counts


# --- the app under Pilot --------------------------------------------------------------------


class Probe:
    """Watches the frames an app hands its terminal driver, and the service's commits."""

    def __init__(self, app: App[Any], service: Service) -> None:
        self.app = app
        self.frames: list[tuple[float, Screen[Any], int]] = []  # when, which screen, bytes
        self.committed: float | None = None
        self.painted: float | None = None
        self.painted_event = asyncio.Event()
        display = app._display
        judge_many = service.judge_many

        def display_and_time(screen: Screen[Any], renderable: Any) -> None:
            display(screen, renderable)
            size = 0
            if isinstance(renderable, CompositorUpdate):  # the text a terminal driver would write
                size = len(renderable.render_segments(app.console).encode())
            now = time.perf_counter()
            self.frames.append((now, screen, size))
            if self.committed is not None and self.painted is None:
                self.painted = now
                self.painted_event.set()

        def judge_and_time(*args: Any, **kwargs: Any) -> Any:
            outcomes = judge_many(*args, **kwargs)
            self.committed = time.perf_counter()
            return outcomes

        app._display = display_and_time  # type: ignore[method-assign]
        service.judge_many = judge_and_time  # type: ignore[method-assign]

    def arm(self) -> None:
        self.committed = self.painted = None
        self.painted_event.clear()

    def settled_since(self, since: float, screen: Screen[Any]) -> float | None:
        """When the last frame of ``screen`` since ``since`` came."""
        times = [t for t, s, _ in self.frames if t >= since and s is screen]
        return max(times) if times else None


async def settle(pilot: Pilot[Any]) -> None:
    """Let the app go idle: every message handled and the screen repainted."""
    for _ in range(2):
        await pilot.pause()
        await asyncio.sleep(0.02)
    await pilot.pause()


async def press_key(app: App[Any], key: str) -> float:
    """Post a key event to the app, as the terminal driver does with a key it has parsed."""
    event = events.Key(key, key)
    event.set_sender(app)
    started = time.perf_counter()
    app.post_message(event)
    return started


@dataclass
class MarkTimes:
    ms: list[float] = field(default_factory=list)
    frame_bytes: list[int] = field(default_factory=list)
    reloads_ms: list[float] = field(default_factory=list)  # the poll's reload after own marks


def mark_cells(grid: GridData, marks: int) -> list[tuple[int, int]]:
    """Fresh cells in the columns nobody has: down the first of them, then the next."""
    first = grid.milestones - FREE_COLUMNS
    cells = [(r, first + c) for c in range(FREE_COLUMNS) for r in range(grid.pupils)]
    return cells[:marks]


def count_events(service: Service) -> int:
    return int(service.store.conn.execute("SELECT count(*) FROM judgements").fetchone()[0])


async def mark_app(grid: GridData, marks: int) -> MarkTimes:
    """Marks in the app's class grid, alternately achieved and not yet."""
    service = Service.open(grid.path, user="bench")
    app = make_app(service, ascii_only=False, class_name=grid.class_name)
    probe = Probe(app, service)
    result = MarkTimes()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GridScreen), screen
        table = screen.query_one(ClassGrid)
        reload = screen.reload

        def timed_reload() -> None:
            began = time.perf_counter()
            reload()
            result.reloads_ms.append((time.perf_counter() - began) * 1000)

        screen.reload = timed_reload  # type: ignore[method-assign]
        for i, (row, col) in enumerate(mark_cells(grid, marks)):
            table.move_to(row, col)
            await settle(pilot)
            key, want = ("a", Cell.ACHIEVED) if i % 2 == 0 else ("n", Cell.NOT_YET)
            before = count_events(service)
            probe.arm()
            started = await press_key(app, key)
            await asyncio.wait_for(probe.painted_event.wait(), 30)
            assert probe.painted is not None
            result.ms.append((probe.painted - started) * 1000)
            result.frame_bytes.append(probe.frames[-1][2] if probe.frames else 0)
            await settle(pilot)
            if count_events(service) != before + 1 or table.rows[row].cells[col] is not want:
                raise RuntimeError(f"mark {i} at {(row, col)} did not take: {table.rows[row].cells[col]}")
    service.close()
    return result


async def mark_datatable(grid: GridData, marks: int) -> MarkTimes:
    """The same marks in a stock DataTable."""
    service = Service.open(grid.path, user="bench")
    app = DataTableGridApp(service, grid.class_name, grid.curriculum_id, grid.stage_id)
    probe = Probe(app, service)
    result = MarkTimes()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DataTableGridScreen), screen
        table = screen.query_one(DataTable)
        for i, (row, col) in enumerate(mark_cells(grid, marks)):
            table.move_cursor(row=row, column=col + 1, animate=False)
            await settle(pilot)
            key, want = ("a", Cell.ACHIEVED) if i % 2 == 0 else ("n", Cell.NOT_YET)
            before = count_events(service)
            probe.arm()
            started = await press_key(app, key)
            await asyncio.wait_for(probe.painted_event.wait(), 30)
            assert probe.painted is not None
            result.ms.append((probe.painted - started) * 1000)
            result.frame_bytes.append(probe.frames[-1][2] if probe.frames else 0)
            await settle(pilot)
            glyph = table.get_cell_at(table.cursor_coordinate)
            if count_events(service) != before + 1 or glyph != screen.glyphs.cell[want]:
                raise RuntimeError(f"DataTable mark {i} at {(row, col)} did not take: {glyph!r}")
    service.close()
    return result


@dataclass
class OpenTimes:
    open_ms: list[float] = field(default_factory=list)
    reload_ms: list[float] = field(default_factory=list)
    data_ms: list[float] = field(default_factory=list)  # each Service.grid call
    data_calls: list[int] = field(default_factory=list)  # Service.grid calls in each open


async def open_app(grid: GridData, runs: int) -> OpenTimes:
    """Push a fresh GridScreen on the 300 × 400 class and time it to its settled frame."""
    service = Service.open(grid.path, user="bench")
    app = make_app(service, ascii_only=False, class_name=grid.class_name)
    probe = Probe(app, service)
    result = OpenTimes()
    data = service.grid

    def timed_grid(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return data(*args, **kwargs)
        finally:
            result.data_ms.append((time.perf_counter() - began) * 1000)

    service.grid = timed_grid  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, GridScreen)
        result.data_ms.clear()
        for _ in range(runs):
            view = View(grid.class_name, grid.curriculum_id, "stage", grid.stage_id)
            screen = GridScreen(service, app.glyphs, view)
            started = time.perf_counter()
            calls = len(result.data_ms)
            app.push_screen(screen)
            await settle(pilot)
            end = probe.settled_since(started, screen)
            if end is None or len(screen.query_one(ClassGrid).rows) != grid.pupils:
                raise RuntimeError("the grid screen did not paint")
            result.open_ms.append((end - started) * 1000)
            result.data_calls.append(len(result.data_ms) - calls)
            app.pop_screen()
            await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GridScreen)
        for _ in range(runs):
            started = time.perf_counter()
            screen.reload()
            await settle(pilot)
            end = probe.settled_since(started, screen)
            result.reload_ms.append(((end or started) - started) * 1000)
    service.close()
    return result


async def open_datatable(grid: GridData, runs: int) -> OpenTimes:
    service = Service.open(grid.path, user="bench")
    app = DataTableGridApp(service, grid.class_name, grid.curriculum_id, grid.stage_id)
    probe = Probe(app, service)
    result = OpenTimes()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(runs):
            screen = app.new_screen()
            started = time.perf_counter()
            app.push_screen(screen)
            await settle(pilot)
            end = probe.settled_since(started, screen)
            if end is None or screen.query_one(DataTable).row_count != grid.pupils:
                raise RuntimeError("the DataTable screen did not paint")
            result.open_ms.append((end - started) * 1000)
            app.pop_screen()
            await settle(pilot)
    service.close()
    return result


# --- the run --------------------------------------------------------------------------------


def seconds(x: float) -> str:
    return f"{x:.2f} s"


def millis(x: float) -> str:
    return f"{x:.1f} ms" if x < 100 else f"{x:.0f} ms"


def table(rows: Sequence[Row], header: Sequence[str] = ("what", "measured", "budget", "")) -> str:
    cells = [list(header)] + [[r.what, r.measured, r.budget, r.verdict] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)) + " |"]
    lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    for c in cells[1:]:
        lines.append("| " + " | ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)) + " |")
    return "\n".join(lines)


def step(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def timed_step(message: str, work: Callable[[], Any]) -> Any:
    step(message)
    began = time.perf_counter()
    result = work()
    print(f"  ({time.perf_counter() - began:.1f} s)", file=sys.stderr, flush=True)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (about a minute)")
    parser.add_argument("--school", type=Path, default=SCHOOL_DB, help="the school-scale database")
    args = parser.parse_args(argv)
    quick: bool = args.quick
    starts, cold_starts, marks, byte_marks, opens = (3, 1, 20, 4, 3) if quick else (5, 3, 60, 10, 5)
    dt_marks, dt_opens = (4, 1) if quick else (10, 2)
    began = time.perf_counter()
    load_before = load_average()
    OUT.mkdir(exist_ok=True)
    PYCACHE.mkdir(exist_ok=True)

    school: Path = args.school
    if not school.exists():
        timed_step(f"building {school} (bench/generate.py, about 30 s)", lambda: build_school(school))

    def grid_db(pupils: int, milestones: int) -> GridData:
        """A fresh database for each app, so every run starts from the same log."""
        return build_grid_db(OUT / f"tui-{pupils}x{milestones}.db", pupils, milestones)

    # 1. start
    class_name, first_row = school_class(school)
    needle = first_row.encode()
    step(f"start: passport --db {school.name} --class {class_name!r}, until {first_row!r} shows")
    time_start(school, class_name, needle, bytecode=True)  # warm-up: fills the bytecode cache
    warm = [time_start(school, class_name, needle, bytecode=True) for _ in range(starts)]
    cold = [time_start(school, class_name, needle, bytecode=False) for _ in range(cold_starts)]
    phases = start_phases(school, class_name, needle)

    # 2, 3 and 5 under Pilot
    step(f"marks at 30 × 60 ({marks})")
    small = grid_db(30, 60)
    app_small = asyncio.run(mark_app(small, marks))
    step(f"marks at 300 × 400 ({marks})")
    large = grid_db(300, 400)
    app_large = asyncio.run(mark_app(large, marks))
    step(f"opening the 300 × 400 grid ({opens})")
    app_open = asyncio.run(open_app(grid_db(300, 400), opens))
    step(f"the same with a stock DataTable ({marks}, {dt_marks} and {dt_opens})")
    dt_small = asyncio.run(mark_datatable(grid_db(30, 60), marks))
    dt_large = asyncio.run(mark_datatable(grid_db(300, 400), dt_marks))
    dt_open = asyncio.run(open_datatable(grid_db(300, 400), dt_opens))

    # 4. bytes
    step(f"bytes per mark in a pseudo-terminal ({byte_marks} marks, with and without the mouse)")
    bytes_mouse = count_mark_bytes(grid_db(30, 60), byte_marks, mouse=True)
    bytes_plain = count_mark_bytes(grid_db(30, 60), byte_marks, mouse=False)

    start_s = median(warm)
    rows = [
        Row(
            f"`passport` start to a painted class grid (median of {len(warm)})",
            seconds(start_s),
            f"≤ {START_BUDGET_S} s",
            start_s <= START_BUDGET_S,
        ),
        Row(
            f"mark one cell, 30 × 60: key to committed and repainted, median of {len(app_small.ms)}",
            millis(median(app_small.ms)),
            f"≤ {MARK_SMALL_BUDGET_MS:.0f} ms",
            median(app_small.ms) <= MARK_SMALL_BUDGET_MS,
        ),
        Row("mark one cell, 30 × 60, p95", millis(p95(app_small.ms)), "", None),
        Row(
            f"mark one cell, 300 × 400, median of {len(app_large.ms)}",
            millis(median(app_large.ms)),
            f"≤ {MARK_LARGE_BUDGET_MS:.0f} ms",
            median(app_large.ms) <= MARK_LARGE_BUDGET_MS,
        ),
        Row("mark one cell, 300 × 400, p95", millis(p95(app_large.ms)), "", None),
        Row(
            f"open a 300 × 400 year grid (median of {len(app_open.open_ms)})",
            millis(median(app_open.open_ms)),
            f"≤ {OPEN_BUDGET_MS:.0f} ms",
            median(app_open.open_ms) <= OPEN_BUDGET_MS,
        ),
        Row(
            f"the same, switching the open grid to it: `GridScreen.reload()` (median of {len(app_open.reload_ms)})",
            millis(median(app_open.reload_ms)),
            f"≤ {OPEN_BUDGET_MS:.0f} ms",
            median(app_open.reload_ms) <= OPEN_BUDGET_MS,
        ),
        Row(
            f"bytes sent to the terminal to mark one cell (median of {len(bytes_mouse.marks)})",
            f"{median(bytes_mouse.marks):.0f} B",
            f"≤ {BYTES_BUDGET} B",
            median(bytes_mouse.marks) <= BYTES_BUDGET,
        ),
        Row(
            f"the same with `--no-mouse` (median of {len(bytes_plain.marks)})",
            f"{median(bytes_plain.marks):.0f} B",
            f"≤ {BYTES_BUDGET} B",
            median(bytes_plain.marks) <= BYTES_BUDGET,
        ),
    ]
    compare = [
        Row(
            "mark one cell, 30 × 60, median (p95)",
            f"{millis(median(app_small.ms))} ({millis(p95(app_small.ms))})",
            f"{millis(median(dt_small.ms))} ({millis(p95(dt_small.ms))})",
            None,
        ),
        Row(
            "mark one cell, 300 × 400, median (p95)",
            f"{millis(median(app_large.ms))} ({millis(p95(app_large.ms))})",
            f"{millis(median(dt_large.ms))} ({millis(p95(dt_large.ms))})",
            None,
        ),
        Row(
            "open the 300 × 400 grid, median",
            millis(median(app_open.open_ms)),
            millis(median(dt_open.open_ms)),
            None,
        ),
        Row(
            "terminal text of the first frame after a mark, median (in process)",
            f"{median(app_small.frame_bytes):.0f} B",
            f"{median(dt_small.frame_bytes):.0f} B",
            None,
        ),
    ]
    command = "uv run python bench/bench_tui.py" + (" --quick" if quick else "")
    if args.school != SCHOOL_DB:
        command += f" --school {shlex.quote(str(args.school))}"

    print(f"## {datetime.now(UTC).date().isoformat()} — terminal app\n")
    print(f"- machine: {machine_line()}; load average {load_before} at start, {load_average()} at end")
    print(
        f"- data: start on `{school.name}` (class {class_name}); marks and bytes on {small.pupils} pupils × "
        f"{small.milestones} milestones ({small.events:,} events) and {large.pupils} × {large.milestones} "
        f"({large.events:,} events), one stage without prerequisites, built by this script"
    )
    print(f"- command: `{command}` ({time.perf_counter() - began:.0f} s)\n")
    print(table(rows))
    print()
    print(table(compare, header=("Pilot, 80×24", "ClassGrid (ours)", "stock DataTable", "")))
    print()
    print(
        f"- start: spawn to the first pupil's row in the output, bytecode cached; all runs "
        f"{', '.join(seconds(x) for x in warm)}. Without a bytecode cache (PYTHONDONTWRITEBYTECODE=1, "
        f"as this machine's shell runs Python): median {seconds(median(cold))} of {len(cold)}."
    )
    print("- start, one run by phase (seconds since the previous line):")
    for label, s in phases:
        print(f"    - {label}: {seconds(s)}")
    print(
        f"- marks: posting the key event to the first frame after the commit, 80×24, alternately "
        f"achieved and not yet. 30 × 60: max {millis(max(app_small.ms))}; 300 × 400: max "
        f"{millis(max(app_large.ms))}. The app's once-a-second poll re-read the whole grid after its own "
        f"commits {len(app_small.reloads_ms)} times at 30 × 60 (median {millis(median(app_small.reloads_ms))}) "
        f"and {len(app_large.reloads_ms)} times at 300 × 400 (median {millis(median(app_large.reloads_ms))})."
    )
    print(
        f"- open: push of a fresh GridScreen to its last frame before the app is idle; it called "
        f"Service.grid {median(app_open.data_calls):.0f} times (median), {millis(median(app_open.data_ms))} "
        f"a call (median). `GridScreen.reload()` on the open screen, to its last frame: "
        f"{', '.join(millis(x) for x in app_open.reload_ms)}."
    )
    for label, counts in (("mouse on", bytes_mouse), ("--no-mouse", bytes_plain)):
        print(
            f"- bytes ({label}): marks {counts.marks}; the poll's repaint after each mark "
            f"{median(counts.polls):.0f} B (median); a cursor move {median(counts.moves):.0f} B; "
            f"{counts.mixed} marks ran into the poll's repaint and were left out."
        )
    misses = [r for r in rows if r.ok is False]
    if start_s > START_BUDGET_S:
        total, costs = import_costs()
        print(
            f"- start missed: `python -X importtime` of the CLI and the app: {seconds(total)} in all; costliest:"
        )
        for name, s in costs:
            indent = "  " * (len(name) - len(name.lstrip()))
            print(f"    {indent}- {name.strip()}: {millis(s * 1000)}")
    print(f"\n{len(misses)} of {sum(1 for r in rows if r.ok is not None)} budgets missed.", file=sys.stderr)


if __name__ == "__main__":
    main()
