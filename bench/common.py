"""What the benchmarks share: the machine's description, paired timings of whole processes,
figures printed as they are measured, and the table written to ``bench/RESULTS.md``.

The machine is shared and its speed drifts, so a figure that has a yardstick is measured as a
ratio against it in the same run: the two are run in turn (A B, B A, A B, …) and the ratio is
taken pair by pair; the median of those ratios is the figure.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"
PYCACHE = OUT / "pycache"
# the command-line program of this environment: what `uv run passport` runs, without uv's own start
PASSPORT = Path(sys.executable).with_name("passport")


def line_buffered() -> None:
    """Every printed line leaves at once, also into a pipe or a file (``… | tee``)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True)


# --- the machine ---------------------------------------------------------------------------


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


def machine_line(*extra: str) -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    bits = [f"{cpu_model()}", f"{cores} cores", f"Python {platform.python_version()}"]
    bits += [*extra, f"SQLite {sqlite3.sqlite_version}", f"{platform.system()} {platform.release()}"]
    return ", ".join(bits)


def command_line() -> str:
    return "uv run python " + " ".join([os.path.relpath(sys.argv[0]), *sys.argv[1:]])


# --- statistics ----------------------------------------------------------------------------


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def p95(xs: Sequence[float]) -> float:
    if not xs:
        return float("nan")
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def spread(xs: Sequence[float], fmt: Callable[[float], str]) -> str:
    """min–max, for the notes."""
    return f"{fmt(min(xs))}–{fmt(max(xs))}" if xs else "-"


# --- timing whole processes ----------------------------------------------------------------


def bytecode_env() -> dict[str, str]:
    """This environment for a child Python with its bytecode cached (in ``bench/out/pycache``), as
    an installed wheel has it: where ``PYTHONDONTWRITEBYTECODE`` is set, every start would compile
    each module from source again."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(PYCACHE))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_process(argv: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Seconds from start to exit of a process whose output is thrown away; it must succeed. Its
    bytecode is cached unless ``env`` is given."""
    env = bytecode_env() if env is None else env
    started = time.perf_counter()
    proc = subprocess.run(
        list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[-600:]}")
    return elapsed


@dataclass
class Pairs:
    """Timings of A and of its yardstick B, taken in turn."""

    a: list[float]
    b: list[float]

    @property
    def ratios(self) -> list[float]:
        return [x / y for x, y in zip(self.a, self.b, strict=True)]

    @property
    def ratio(self) -> float:
        return median(self.ratios)


def paired(a: Callable[[], float], b: Callable[[], float], runs: int, warmup: int = 1) -> Pairs:
    """``runs`` pairs of A and B after ``warmup`` uncounted runs of each; the order in a pair
    alternates (A B, B A, …) so that neither always runs on the heels of the other."""
    for _ in range(warmup):
        a()
        b()
    pairs = Pairs([], [])
    for i in range(runs):
        if i % 2 == 0:
            x = a()
            y = b()
        else:
            y = b()
            x = a()
        pairs.a.append(x)
        pairs.b.append(y)
    return pairs


# --- figures and the record ----------------------------------------------------------------


@dataclass
class Row:
    what: str
    measured: str
    target: str
    ok: bool | None  # None: for information

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("ok" if self.ok else "MISS")


class Report:
    """Figures printed the moment they are measured, kept for the table at the end."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[Row] = []
        self.notes: list[str] = []

    def figure(self, what: str, measured: str, target: str = "", ok: bool | None = None) -> None:
        row = Row(what, measured, target, ok)
        self.rows.append(row)
        against = f"  (target {target}: {row.verdict})" if target else ""
        print(f"= {what}: {measured}{against}", flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  {text}", flush=True)

    def table(self) -> str:
        head = ("what", "measured", "target", "")
        cells = [head, *((r.what, r.measured, r.target, r.verdict) for r in self.rows)]
        widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
        lines = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(len(head))) + " |" for c in cells]
        lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
        return "\n".join(lines)

    def section(self, header: Sequence[str]) -> str:
        day = datetime.now(UTC).date().isoformat()
        out = [f"## {day} — {self.title}", "", *(f"- {h}" for h in header), "", self.table()]
        if self.notes:
            out += ["", *(f"- {n}" for n in self.notes)]
        misses = [r for r in self.rows if r.ok is False]
        judged = [r for r in self.rows if r.ok is not None]
        out += ["", f"{len(misses)} of {len(judged)} targets missed."]
        return "\n".join(out) + "\n"

    def record(self, header: Sequence[str]) -> None:
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write("\n" + self.section(header))
        print(f"\nrecorded in {os.path.relpath(RESULTS)}", flush=True)
