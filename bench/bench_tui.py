"""The terminal app's budgets of DESIGN §7 and issue 9, measured on the real program in a terminal.

    uv run python bench/bench_tui.py [--quick] [--school bench/out/school.db] [--record]

Every figure is taken from outside: the real ``passport`` (this environment's, as ``uv run passport``
runs it) in a pseudo-terminal (``TERM=xterm-256color``, its size set with ``TIOCSWINSZ``), keys
written to the terminal and the program's output read as it comes. Nothing of the app's inside is
touched, so the script measures the same things however the app, the service or the store are
arranged. Each figure is printed the moment it is measured. Where there is a yardstick, the figure
is a ratio against it taken in the same run, pair by pair (the two run in turn), because the
machine is shared and its speed drifts.

1. **Start to a painted class grid, against ``python -c 'import textual.app'``** (target ≤ 1.5×;
   DESIGN §7: ≤ 0.6 s): both whole processes, bytecode cached (in ``bench/out/pycache``, as an
   installed wheel has it), in turn. ``passport --db school.db --class C`` runs from spawn until
   the output holds the name of the class's first pupil as the grid prints it (C: the class of
   the school database of ``bench/generate.py`` with the oldest pupils, built first if missing);
   the yardstick from spawn to exit.
2. **Mark one cell on a real curriculum with prerequisites, at 80×24 and at 120×40, against a
   stock DataTable doing the same** (``bench/tui_datatable.py``, DESIGN §7: ≤ 10 ms): the demo
   school (``passport demo --no-tui``: the sample curricula, with their prerequisite links, and
   a year of judgements), the first class on its opening view (every milestone there has
   prerequisites). Both programs run side by side, each on its own copy of the database; the
   cursor is moved to the same cell in each (not timed), then a mark is timed in one and in the
   other, in turn: from writing the key (``a`` or ``n``, alternately) to the end of the burst of
   output it causes (the burst ends after 60 ms without output). The cells are next steps (their
   prerequisites met, not yet achieved), so every mark is accepted; each is checked in the
   database (``Service.history``) after it is timed. Also the bytes of each burst (≤ 1 KB).
3. **The same at 300 × 400** (DESIGN §7: ≤ 20 ms), 80×24: a built year group of 300 pupils and one
   stage of 400 milestones in 8 prerequisite chains, with a log of about 60,000 events.
4. **Open a 300 × 400 year grid** (≤ 150 ms, first screenful painted): the app open on a class of
   one pupil; ``k`` (pick a class), down to the 300-pupil class, then Enter is timed to the moment
   the output holds the names of its first and eighth pupils (the first screenful); the time until
   the output goes quiet is shown too. At 80×24 and 120×40.

Also printed for information: ``python -X importtime`` of what ``passport`` imports before its
first frame. ``--record`` appends the figures, with the date, the machine, the load average and the
command, to ``bench/RESULTS.md``. A benchmark, not a test: the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import random
import select
import shlex
import shutil
import struct
import subprocess
import sys
import termios
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import textual
from common import (
    OUT,
    PASSPORT,
    Report,
    command_line,
    line_buffered,
    load_average,
    machine_line,
    median,
    p95,
    paired,
    spread,
)
from generate import build_school, count_events, fresh

from passport_tui.engine import Cell
from passport_tui.models import Curriculum, CurriculumHeader, Milestone, Pupil, Stage, Strand
from passport_tui.service import Service
from passport_tui.store import Store

HERE = Path(__file__).resolve().parent
SCHOOL_DB = OUT / "school.db"
PYCACHE = OUT / "pycache"
DATATABLE = HERE / "tui_datatable.py"
SMALL, LARGE = (80, 24), (120, 40)

START_RATIO_TARGET = 1.5
START_BUDGET_S = 0.6
MARK_SMALL_BUDGET_MS = 10.0
MARK_LARGE_BUDGET_MS = 20.0
OPEN_BUDGET_MS = 150.0
BYTES_BUDGET = 1024

BURST_GAP_S = 0.06  # a burst of output ends after this long without any
KEYS = {
    "a": b"a",
    "n": b"n",
    "q": b"q",
    "k": b"k",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "enter": b"\r",
}


def say(message: str) -> None:
    print(f"… {message}", flush=True)


# --- a program in a pseudo-terminal ---------------------------------------------------------


def child_env(size: tuple[int, int]) -> dict[str, str]:
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    for var in ("COLORTERM", "NO_COLOR", "TEXTUAL", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)  # bytecode cached, as an installed wheel has it
    return env


class Terminal:
    """A program in a pseudo-terminal whose output is read as it comes."""

    def __init__(self, argv: Sequence[str], size: tuple[int, int] = SMALL) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.argv = list(argv)
        self.spawned = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=child_env(size),
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.eof = False
        self.last_chunk = self.spawned

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
            return b""
        self.last_chunk = time.perf_counter()
        self.output += data
        return data

    def read_until(self, needles: Sequence[bytes], start: int = 0, timeout: float = 30.0) -> float:
        """Read until every needle is in the output after ``start``; the time the last came."""
        deadline = time.perf_counter() + timeout
        while not all(n in self.output[start:] for n in needles):
            if self.eof or time.perf_counter() > deadline:
                tail = bytes(self.output[-600:])
                raise RuntimeError(
                    f"{needles!r} never came from {self.argv[:3]}; the end of the output: {tail!r}"
                )
            self.read(deadline - time.perf_counter())
        return self.last_chunk

    def burst(self, timeout: float = 60.0) -> tuple[float, int]:
        """Wait for output, then read until it pauses for ``BURST_GAP_S``: (when its last chunk
        came, its bytes)."""
        first = self.read(timeout)
        if not first:
            raise RuntimeError(f"no output from {self.argv[:3]} within {timeout:.0f} s")
        size = len(first)
        while data := self.read(BURST_GAP_S):
            size += len(data)
        return self.last_chunk, size

    def drain(self, quiet: float = 0.3, limit: float = 30.0) -> float:
        """Read until nothing has come for ``quiet`` seconds; the time the last chunk came."""
        deadline = time.perf_counter() + limit
        while not self.eof and time.perf_counter() < deadline and self.read(quiet):
            pass
        return self.last_chunk

    def send(self, *keys: str) -> float:
        os.write(self.master, b"".join(KEYS[k] for k in keys))
        return time.perf_counter()

    def wait_exit(self, timeout: float = 30.0) -> float:
        """Read to the end of the output and reap the program; the time it was reaped."""
        deadline = time.perf_counter() + timeout
        while not self.eof and time.perf_counter() < deadline:
            self.read(deadline - time.perf_counter())
        self.proc.wait(max(0.1, deadline - time.perf_counter()))
        return time.perf_counter()

    def close(self) -> None:
        """Quit with ``q`` and wait for the program to end (killing it if it does not)."""
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.send("q")
        deadline = time.perf_counter() + 10
        while self.proc.poll() is None and time.perf_counter() < deadline:
            self.read(0.1)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        os.close(self.master)


def passport_argv(db: Path, class_name: str) -> list[str]:
    return [str(PASSPORT), "--db", str(db), "--class", class_name]


def row_label(p: Pupil, width: int = 10) -> bytes:
    """The start of a pupil's name as a grid row shows it ("Last, First")."""
    return f"{p.last_name}, {p.first_name}"[:width].encode()


# --- databases ------------------------------------------------------------------------------


def copy_db(src: Path, dest: Path) -> Path:
    fresh(dest)
    for suffix in ("", "-wal"):
        if Path(f"{src}{suffix}").exists():
            shutil.copy(f"{src}{suffix}", f"{dest}{suffix}")
    return dest


def build_demo(path: Path) -> None:
    """The demo school, through the command line: sample curricula with prerequisites."""
    fresh(path)
    subprocess.run([str(PASSPORT), "--db", str(path), "demo", "--no-tui"], check=True, capture_output=True)


@dataclass(frozen=True)
class GridView:
    """What the app opens on for a class: the view, and its cells as the service gives them."""

    db: Path
    class_name: str
    curriculum_id: str
    stage_id: str
    milestones: list[str]
    pupils: list[Pupil]
    cells: list[list[Cell]]  # [row][column]
    with_prerequisites: int  # milestones of the view that have prerequisites


def opening_view(db: Path, class_name: str) -> GridView:
    """The view the app opens on for ``class_name`` (the first subject with a stage for the
    class's year groups, the stage of its most common year group), read through the service.
    The marks check in the database that the app was there."""
    with Service.open(db, user="bench") as service:
        pupils = service.pupils(class_name)
        years = Counter(service.year_group(p) for p in pupils)
        c = next(
            (c for c in service.curricula() if any(y in s.year_list for s in c.stages for y in years)),
            service.curricula()[0],
        )
        stage = next(
            (s.id for y, _ in years.most_common() for s in c.stages if y in s.year_list), c.stages[0].id
        )
        order = c.order
        ms = sorted((m for m in c.milestones if m.stage == stage), key=lambda m: order[m.id])
        ids = [m.id for m in ms]
        lines = service.grid(pupils, c, ids)
    return GridView(
        db,
        class_name,
        c.curriculum.id,
        stage,
        ids,
        [line.pupil for line in lines],
        [list(line.cells) for line in lines],
        sum(1 for m in ms if m.requires),
    )


def next_steps(view: GridView, count: int, rows: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """Up to ``count`` cells that are next steps (prerequisites met, not yet assessed), column by
    column (so the cursor moves little between them)."""
    rows = range(len(view.pupils)) if rows is None else rows
    cells = [(r, c) for c in range(len(view.milestones)) for r in rows if view.cells[r][c] is Cell.NEXT]
    return cells[:count]


FIRST = ["Amelia", "Isla", "Aisha", "Maryam", "Zoë", "Niamh", "Noah", "Arthur", "Muhammad", "Tomasz", "Kwame"]
STRANDS = 8


def build_year_grid(path: Path, pupils: int, milestones: int, seed: int = 7) -> tuple[str, str]:
    """A year group of ``pupils`` Year 4 pupils in one class, and a class of one, on a curriculum
    with one stage of ``milestones`` milestones in ``STRANDS`` prerequisite chains (each needs the
    one before it in its strand). Each pupil has secured the first k milestones in curriculum
    order, some "not yet" before securing one and on the next ones; the first 20 pupils by name
    are behind (k < 6), so next steps are near the left edge. Returns (the big class, the small)."""
    rng = random.Random(seed)
    fresh(path)
    stage = "Y4"
    strands = [Strand(id=f"s{k}", title=f"Strand {k}") for k in range(STRANDS)]
    c = Curriculum(
        curriculum=CurriculumHeader(id="bench-year", title="Bench — a year group's stage"),
        stages=[Stage(id=stage, title="Year 4", year=4)],
        strands=strands,
        milestones=[
            Milestone(
                id=f"4B-{k}",
                strand=f"s{k % STRANDS}",
                stage=stage,
                title=f"Bench milestone {k}: compare and order.",
                requires=[f"4B-{k - STRANDS}"] if k > STRANDS else [],
            )
            for k in range(1, milestones + 1)
        ],
    )
    big, small = "4B", "4A"
    with Service.open(path, user="bench") as service:
        year = service.academic_year()
    people = [
        Pupil(
            upn=f"B{n:05d}",
            first_name=FIRST[rng.randrange(len(FIRST))],
            last_name=f"Pupil{n:03d}",
            year_group=4,
            academic_year=year,
            class_name=big,
            gender="F" if n % 2 else "M",
            pupil_premium=rng.random() < 0.25,
        )
        for n in range(pupils)
    ]
    people.append(
        Pupil(
            upn="A00001",
            first_name="Tiny",
            last_name="Solo",
            year_group=4,
            academic_year=year,
            class_name=small,
        )
    )
    with Store.open(path) as store, store.transaction():
        store.put_curriculum(c)
        store.upsert_pupils(people)
    with Service.open(path, user="bench") as service:
        ids = {p.upn: p.id for p in service.pupils(big)}
    start = datetime(year, 9, 2, 9, tzinfo=UTC)
    span = max(60.0, (datetime.now(UTC) - timedelta(hours=1) - start).total_seconds())
    rows: list[tuple[Any, ...]] = []
    for n, person in enumerate(people[:pupils]):
        pid = ids[person.upn]
        k = rng.randrange(6) if n < 20 else int(rng.betavariate(2.0, 2.0) * (milestones - STRANDS))
        moments = sorted(rng.random() for _ in range(k + 1))
        for i in range(k):
            at = start + timedelta(seconds=moments[i] * span)
            if rng.random() < 0.2:  # a "not yet" before it was secured
                rows.append((pid, c.curriculum.id, f"4B-{i + 1}", "not_yet", "bench", at, None, None, None))
            rows.append((pid, c.curriculum.id, f"4B-{i + 1}", "achieved", "bench", at, None, None, None))
        for j in range(k + STRANDS, min(k + 2 * STRANDS, milestones)):  # beyond the next steps
            if rng.random() < 0.3:
                at = start + timedelta(seconds=moments[-1] * span)
                rows.append((pid, c.curriculum.id, f"4B-{j + 1}", "not_yet", "bench", at, None, None, None))
    rows.sort(key=lambda r: r[5])
    with Store.open(path) as store, store.transaction():
        store.append_judgements(rows)
    return big, small


# --- 1. start against import textual.app -----------------------------------------------------


def school_class(path: Path) -> tuple[str, bytes]:
    """The school's class with the oldest pupils (the longest logs), and its first pupil's row."""
    with Service.open(path, user="bench") as service:
        classes = [name for name, _ in service.classes()]
        oldest: dict[str, int] = {}
        for p in service.pupils():
            if p.class_name is not None:
                oldest[p.class_name] = max(oldest.get(p.class_name, -1), service.year_group(p))
        name = max(classes, key=lambda k: (oldest.get(k, -1), -classes.index(k)))
        first = service.pupils(name)[0]
    return name, row_label(first)


def time_start(db: Path, class_name: str, needle: bytes) -> float:
    term = Terminal(passport_argv(db, class_name))
    try:
        painted = term.read_until([needle])
    finally:
        term.close()
    if term.proc.returncode != 0:
        raise RuntimeError(f"passport exited with {term.proc.returncode}")
    return painted - term.spawned


def time_import_textual() -> float:
    term = Terminal([sys.executable, "-c", "import textual.app"])
    try:
        ended = term.wait_exit()
    finally:
        term.close()
    if term.proc.returncode != 0:
        raise RuntimeError(f"python -c 'import textual.app' exited with {term.proc.returncode}")
    return ended - term.spawned


def import_costs(top: int = 6) -> tuple[float, list[tuple[str, float]]]:
    """``python -X importtime`` of what ``passport`` imports to open the app (bytecode cached):
    the total, and the costliest packages, each with the time of its own modules (self times
    added up by top-level package, so nothing is counted twice)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import passport_tui.cli, passport_tui.tui.app"],
        env=child_env(SMALL),
        capture_output=True,
        text=True,
        check=True,
    )
    by_package: Counter[str] = Counter()
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        own, _, module = line.removeprefix("import time:").split("|")
        if own.strip().isdigit():
            by_package[module.strip().split(".")[0]] += int(own) / 1e6
    return sum(by_package.values()), by_package.most_common(top)


def bench_start(report: Report, school: Path, runs: int) -> None:
    class_name, needle = school_class(school)
    say(
        f"start: `passport --db {school.name} --class {class_name}` until {needle.decode()!r} shows, in turn "
        f"with `python -c 'import textual.app'` ({runs} pairs)"
    )
    pairs = paired(lambda: time_start(school, class_name, needle), time_import_textual, runs)
    report.figure(
        f"start to a painted class grid / `python -c 'import textual.app'`, whole processes (median of {runs} pairs)",
        f"{pairs.ratio:.2f}×",
        f"≤ {START_RATIO_TARGET}×",
        pairs.ratio <= START_RATIO_TARGET,
    )
    start_s = median(pairs.a)
    report.figure(
        "`passport` start to a painted class grid (DESIGN §7)",
        f"{start_s:.2f} s",
        f"≤ {START_BUDGET_S} s",
        start_s <= START_BUDGET_S,
    )
    secs = lambda x: f"{x:.2f}"  # noqa: E731
    report.note(
        f"start: `passport --db {school.name} --class {class_name}` (the class with the oldest pupils), 80×24, "
        f"spawn to its first pupil's row in the output, bytecode cached: {start_s:.2f} s "
        f"({spread(pairs.a, secs)} s); `python -c 'import textual.app'` spawn to exit in the same pairs "
        f"{median(pairs.b):.2f} s ({spread(pairs.b, secs)} s); ratios {', '.join(f'{r:.2f}' for r in pairs.ratios)}"
    )
    total, costs = import_costs()
    report.note(
        f"start: `python -X importtime` of the CLI and the app (which slows imports down): {total:.2f} s in all; "
        "the costliest packages (their own modules): "
        + ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in costs)
    )


# --- 2 and 3. marks, side by side with a DataTable -----------------------------------------


@dataclass
class Marks:
    ms: list[float] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)


class MarkingApp:
    """One program showing a grid in a terminal, on its own copy of the database, whose marks
    are timed and checked."""

    def __init__(
        self, label: str, argv: list[str], db: Path, view: GridView, size: tuple[int, int], offset: int
    ) -> None:
        self.label = label
        self.db = db
        self.view = view
        self.checker = Service.open(db, user="bench")  # opened first: the app never sees it write
        self.term = Terminal(argv, size)
        self.cursor = (0, -offset)  # the DataTable's first column is the name
        self.marks = Marks()
        self.term.read_until([row_label(view.pupils[0], 8)])
        self.term.drain(quiet=1.0)

    def last_id(self, upn: str) -> int:
        return max((j.id or 0 for j in self.checker.history(upn)), default=0)

    def move_to(self, row: int, col: int) -> None:
        r, c = self.cursor
        keys = ["down" if row > r else "up"] * abs(row - r) + ["right" if col > c else "left"] * abs(col - c)
        if keys:
            self.term.send(*keys)
            self.term.drain(quiet=0.25)
        self.cursor = (row, col)

    def mark(self, key: str) -> None:
        row, col = self.cursor
        pupil, milestone = self.view.pupils[row], self.view.milestones[col]
        before = self.last_id(pupil.upn)
        self.term.drain(quiet=0.15)
        sent = self.term.send(key)
        ended, size = self.term.burst()
        self.marks.ms.append((ended - sent) * 1000)
        self.marks.bytes.append(size)
        verdict = "achieved" if key == "a" else "not_yet"
        deadline = time.perf_counter() + 10
        while True:  # the judgement is in the database (a program may commit after it paints)
            new = [j for j in self.checker.history(pupil.upn) if (j.id or 0) > before]
            if any(
                j.milestone_id == milestone and getattr(j.verdict, "value", j.verdict) == verdict for j in new
            ):
                break
            if time.perf_counter() > deadline:
                raise RuntimeError(
                    f"{self.label}: the mark {key!r} of {pupil.upn} {milestone} is not in the database "
                    f"(new: {[(j.milestone_id, getattr(j.verdict, 'value', j.verdict)) for j in new]}); is the app on another view?"
                )
            time.sleep(0.02)

    def close(self) -> None:
        self.term.close()
        self.checker.close()


def datatable_argv(view: GridView, db: Path) -> list[str]:
    return [
        sys.executable,
        str(DATATABLE),
        "--db",
        str(db),
        "--class",
        view.class_name,
        "--curriculum",
        view.curriculum_id,
        "--stage",
        view.stage_id,
    ]


def mark_side_by_side(
    view: GridView, cells: list[tuple[int, int]], size: tuple[int, int], tag: str
) -> tuple[Marks, Marks]:
    """The same marks in the app and in the DataTable, in turn, each on its own copy."""
    ours_db = copy_db(view.db, OUT / f"marks-{tag}-app.db")
    theirs_db = copy_db(view.db, OUT / f"marks-{tag}-datatable.db")
    ours = MarkingApp("passport", passport_argv(ours_db, view.class_name), ours_db, view, size, 0)
    theirs = MarkingApp("DataTable", datatable_argv(view, theirs_db), theirs_db, view, size, 1)
    try:
        for i, (row, col) in enumerate(cells):
            key = "a" if i % 2 == 0 else "n"
            for app in (ours, theirs) if i % 2 == 0 else (theirs, ours):
                app.move_to(row, col)
                app.mark(key)
    finally:
        ours.close()
        theirs.close()
    return ours.marks, theirs.marks


def report_marks(
    report: Report, what: str, size: tuple[int, int], ours: Marks, theirs: Marks, budget: float
) -> None:
    ratios = [a / b for a, b in zip(ours.ms, theirs.ms, strict=True)]
    mine = median(ours.ms)
    w, h = size
    report.figure(
        f"{what}, {w}×{h}: key to repainted, median of {len(ours.ms)}",
        f"{mine:.1f} ms",
        f"≤ {budget:.0f} ms",
        mine <= budget,
    )
    report.figure(
        f"{what}, {w}×{h}: the same / a stock DataTable (median of {len(ratios)} pairs)",
        f"{median(ratios):.3f}×",
        "",
        None,
    )
    report.note(
        f"marks, {what}, {w}×{h}: passport median {mine:.1f} ms (p95 {p95(ours.ms):.1f}, max {max(ours.ms):.1f}), "
        f"{median(ours.bytes):.0f} B a mark; DataTable median {median(theirs.ms):.1f} ms "
        f"(p95 {p95(theirs.ms):.1f}), {median(theirs.bytes):.0f} B a mark"
    )


# --- 4. opening a year grid ----------------------------------------------------------------


def open_year_grid(
    db: Path, big: str, small: str, size: tuple[int, int], runs: int
) -> tuple[list[float], list[float]]:
    """Switch the running app from the class of one to the year group (``k``, down, Enter): to
    the first screenful painted, and to the output going quiet, in ms."""
    with Service.open(db, user="bench") as service:
        names = [row_label(p) for p in service.pupils(big)]
        tiny = row_label(service.pupils(small)[0])
        classes = [name for name, _ in service.classes()]
    step = classes.index(big) - classes.index(small)
    there, back = ("down", "up") if step > 0 else ("up", "down")
    first_screenful = [names[0], names[min(7, len(names) - 1)]]
    term = Terminal(passport_argv(db, small), size)
    painted, quiet = [], []
    try:
        term.read_until([tiny])
        term.drain(quiet=1.0)
        for _ in range(runs):
            term.send("k", *[there] * abs(step))
            term.drain(quiet=0.3)
            start = len(term.output)
            sent = term.send("enter")
            painted.append((term.read_until(first_screenful, start) - sent) * 1000)
            quiet.append((term.drain(quiet=0.3) - sent) * 1000)
            term.send("k", *[back] * abs(step))
            term.drain(quiet=0.3)
            start = len(term.output)
            term.send("enter")
            term.read_until([tiny], start)
            term.drain(quiet=0.5)
    finally:
        term.close()
    return painted, quiet


# --- the run --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (about a minute)")
    parser.add_argument("--school", type=Path, default=SCHOOL_DB, help="the school-scale database")
    parser.add_argument("--record", action="store_true", help="append the results to bench/RESULTS.md")
    args = parser.parse_args(argv)
    line_buffered()
    quick: bool = args.quick
    starts, marks, large_marks, opens = (3, 8, 4, 3) if quick else (9, 20, 8, 5)
    began = time.perf_counter()
    machine = machine_line(f"Textual {textual.__version__}")
    load_before = load_average()
    command = command_line()
    print(f"machine: {machine}; load average {load_before}")
    print(f"command: {command}")
    OUT.mkdir(exist_ok=True)
    PYCACHE.mkdir(exist_ok=True)
    report = Report("terminal app")

    school: Path = args.school
    if not school.exists():
        say(f"building {school} (bench/generate.py, about 30 s)")
        build_school(school)
    demo = OUT / "demo.db"
    say("building the demo school (`passport demo --no-tui`)")
    build_demo(demo)
    year_db = OUT / "year-300x400.db"
    say("building a year group of 300 pupils × 400 milestones")
    big, small = build_year_grid(year_db, 300, 400)

    # 1. start against import textual.app
    bench_start(report, school, starts)

    # 2. marks on a real curriculum with prerequisites, against a DataTable, two sizes
    with Service.open(demo, user="bench") as service:
        demo_class = service.classes()[0][0]
    view = opening_view(demo, demo_class)
    cells = next_steps(view, marks)
    real = (
        f"demo class {view.class_name}, {view.curriculum_id} {view.stage_id}: {len(view.pupils)} pupils × "
        f"{len(view.milestones)} milestones, {view.with_prerequisites} of them with prerequisites"
    )
    all_bytes: list[int] = []
    for size in (SMALL, LARGE):
        say(f"marks at {size[0]}×{size[1]} on the {real} ({len(cells)} pairs with a DataTable)")
        ours, theirs = mark_side_by_side(view, cells, size, f"{size[0]}x{size[1]}")
        report_marks(
            report,
            "mark one cell on a real curriculum with prerequisites",
            size,
            ours,
            theirs,
            MARK_SMALL_BUDGET_MS,
        )
        all_bytes += ours.bytes if size == SMALL else []
    report.figure(
        f"bytes sent to the terminal to mark one cell, 80×24 (median of {len(all_bytes)})",
        f"{median(all_bytes):.0f} B",
        f"≤ {BYTES_BUDGET} B",
        median(all_bytes) <= BYTES_BUDGET,
    )

    # 3. marks at 300 × 400
    year_view = opening_view(year_db, big)
    year_cells = next_steps(year_view, large_marks, rows=range(20))
    say(f"marks at 80×24 on the 300 × 400 year grid ({len(year_cells)} pairs with a DataTable)")
    ours, theirs = mark_side_by_side(year_view, year_cells, SMALL, "300x400")
    report_marks(report, "mark one cell, 300 × 400", SMALL, ours, theirs, MARK_LARGE_BUDGET_MS)

    # 4. open a 300 × 400 year grid
    for size in (SMALL, LARGE):
        say(f"opening the 300 × 400 year grid at {size[0]}×{size[1]} ({opens} times)")
        painted, quiet = open_year_grid(year_db, big, small, size, opens)
        report.figure(
            f"open a 300 × 400 year grid, {size[0]}×{size[1]}: first screenful painted (median of {opens})",
            f"{median(painted):.0f} ms",
            f"≤ {OPEN_BUDGET_MS:.0f} ms",
            median(painted) <= OPEN_BUDGET_MS,
        )
        report.note(
            f"open, {size[0]}×{size[1]}: from Enter in the class picker to the first and eighth pupils' rows in the "
            f"output: {', '.join(f'{x:.0f}' for x in painted)} ms; to the output going quiet (0.3 s without any): "
            f"{', '.join(f'{x:.0f}' for x in quiet)} ms"
        )

    took = time.perf_counter() - began
    n_events = count_events(year_db)
    header = [
        f"machine: {machine}; load average {load_before} at start, {load_average()} at end",
        f"data: start on `{school.name}`; marks on the {real}, built by `passport demo --no-tui`; the 300 × 400 "
        f"year grid built by this script ({year_view.with_prerequisites} of its 400 milestones have a "
        f"prerequisite; {n_events:,} events)",
        f"command: `{command}` ({took:.0f} s)",
    ]
    if args.school != SCHOOL_DB:
        header[-1] += f" on {shlex.quote(str(args.school))}"
    print()
    print(report.section(header))
    if args.record:
        report.record(header)


if __name__ == "__main__":
    main()
