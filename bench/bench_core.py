"""The engine and store budgets of DESIGN §7, measured at school scale.

    uv run python bench/bench_core.py [--db bench/out/school.db] [--rebuild] [--record]

Against the school database of ``bench/generate.py`` (2,000 pupils, 4 curricula, 1,500 milestones,
1,000,000 judgement events; built first if the file is missing, or with ``--rebuild``) it measures:

- one pupil's passport: ``Service.passport(upn)`` (every curriculum, with the 3-window history),
  median and 95th percentile over ``--samples`` random pupils, after one warm-up call;
- points and flags for every pupil, two ways: for each curriculum, ``Service.records(curriculum_id)``
  (one pass over that curriculum's log) then ``engine.standing(..., detail=False)`` for each of the
  2,000 pupils; and ``Service.standings(curriculum, detail=False)``, which folds the log pupil by
  pupil. One warm-up run each, then the median of ``--repeat`` runs;
- importing 1,000,000 judgement events into a fresh database: ``Store.append_judgements`` in one
  transaction (the rows are prepared beforehand and not timed; curricula and pupils are already in);
- memory: the peak RSS of a fresh process that opens the school database and computes points
  and flags for everyone once, each of the two ways (its cold time is shown too, for information). The figure is the
  process's own high-water mark (``VmHWM``), because its ``ru_maxrss`` also counts the parent's
  peak, which Linux carries across exec; ``ru_maxrss`` is printed next to it.

Times are ``time.perf_counter`` wall-clock times. The table prints what was measured, the budget
and ok or MISS; ``--record`` appends it, with the date, the machine and the command, to
``bench/RESULTS.md``. This is a benchmark, not a test: the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from generate import (
    DEFAULT_EVENTS,
    DEFAULT_PUPILS,
    DEFAULT_SEED,
    build_school,
    fresh,
    plan_school,
    write_school,
)

from passport_tui import engine
from passport_tui.engine import PupilRecord
from passport_tui.service import Service
from passport_tui.store import Store

HERE = Path(__file__).resolve().parent
DEFAULT_DB = HERE / "out" / "school.db"
RESULTS = HERE / "RESULTS.md"

PASSPORT_BUDGET_MS = 20.0
EVERYONE_BUDGET_S = 2.0
IMPORT_BUDGET_S = 15.0
MEMORY_BUDGET_MB = 200.0


@dataclass
class Row:
    what: str
    measured: str
    budget: str
    ok: bool

    @property
    def verdict(self) -> str:
        return "ok" if self.ok else "MISS"


# --- machine -------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_line() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{cpu_model()}, {cores} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.system()} {platform.release()}; load average {load} at start"
    )


# --- the measurements ----------------------------------------------------------------------


def points_and_flags_for_everyone(service: Service) -> dict[str, float]:
    """Points and flags for every pupil in every curriculum, the way the tracking table gets them.
    Returns the seconds spent reading and folding the log and computing standings, and the count."""
    today = service.today()
    terms = service.terms
    pupils = service.pupils()
    year_groups = [(p, service.year_group(p, today)) for p in pupils]
    empty = PupilRecord()
    fold_s = standing_s = 0.0
    count = 0
    for c in service.curricula():
        t0 = time.perf_counter()
        records = service.records(c.id)
        t1 = time.perf_counter()
        for p, year_group in year_groups:
            rec = records.get(p.id) if p.id is not None else None
            engine.standing(c, rec or empty, year_group, today, terms=terms, detail=False)
            count += 1
        t2 = time.perf_counter()
        del records  # one curriculum's records at a time, as a tracking table would hold them
        fold_s += t1 - t0
        standing_s += t2 - t1
    return {"records_s": fold_s, "standing_s": standing_s, "standings": count}


def points_and_flags_streamed(service: Service) -> dict[str, float]:
    """The same figures through ``Service.standings``, which folds the log pupil by pupil."""
    count = 0
    for c in service.curricula():
        for _pupil, _standing in service.standings(c, detail=False):
            count += 1
    return {"standings": count}


WAYS: dict[str, Callable[[Service], dict[str, float]]] = {
    "records": points_and_flags_for_everyone,
    "standings": points_and_flags_streamed,
}


def read_rows_only(service: Service) -> float:
    """Seconds to read every curriculum's light event rows from SQLite, without folding them."""
    t0 = time.perf_counter()
    for c in service.curricula():
        for _ in service.store.event_rows(c.id):
            pass
    return time.perf_counter() - t0


def bench_groups(service: Service, repeat: int) -> tuple[float, float]:
    """Group analysis of the whole school, one curriculum at a time (each group against the rest,
    the same window a year earlier, and the milestones where each group lags): the median of
    ``repeat`` runs of the slowest curriculum, and of all curricula together."""
    curricula = service.curricula()
    service.group_analysis(curriculum_id=curricula[0].id)  # warm-up
    slowest, together = [], []
    for _ in range(repeat):
        each = []
        for c in curricula:
            t0 = time.perf_counter()
            service.group_analysis(curriculum_id=c.id)
            each.append(time.perf_counter() - t0)
        slowest.append(max(each))
        together.append(sum(each))
    return statistics.median(slowest), statistics.median(together)


def bench_passport(service: Service, samples: int, seed: int) -> tuple[float, float, float]:
    """Median and 95th percentile over random pupils, and the median for the oldest year group
    among them (the longest passports), in milliseconds."""
    pupils = service.pupils()
    chosen = random.Random(seed).sample(pupils, min(samples, len(pupils)))
    service.passport(chosen[0].upn)  # warm-up: parses and caches the curricula
    measured: list[tuple[float, int]] = []
    for p in chosen:
        t0 = time.perf_counter()
        service.passport(p.upn)
        measured.append(((time.perf_counter() - t0) * 1000, p.year_group))
    times = sorted(ms for ms, _ in measured)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    oldest = max(year for _, year in measured)
    return statistics.median(times), p95, statistics.median(ms for ms, year in measured if year == oldest)


def bench_everyone(service: Service, repeat: int, way: str) -> tuple[float, dict[str, float]]:
    WAYS[way](service)  # warm-up
    runs: list[tuple[float, dict[str, float]]] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        parts = WAYS[way](service)
        runs.append((time.perf_counter() - t0, parts))
    runs.sort(key=lambda r: r[0])
    return runs[len(runs) // 2]


def bench_import(pupils: int, events: int, seed: int, workdir: Path) -> tuple[float, int]:
    plan = plan_school(pupils, events, seed)
    path = workdir / "import.db"
    fresh(path)
    try:
        with Store.open(path) as store:
            write_school(store, plan)
            rows = plan.events
            t0 = time.perf_counter()
            with store.transaction():
                appended = store.append_judgements(rows)
            elapsed = time.perf_counter() - t0
    finally:
        fresh(path)
    return elapsed, appended


def memory_child(db: Path, way: str) -> None:
    """Run in a fresh process: open the database, compute everyone's points once, report."""
    t0 = time.perf_counter()
    with Service(Store.open(db), user="bench") as service:
        parts = WAYS[way](service)
    elapsed = time.perf_counter() - t0
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(
        json.dumps(
            {"peak_mb": own_peak_rss_mb() or maxrss_mb, "maxrss_mb": maxrss_mb, "cold_s": elapsed, **parts}
        )
    )


def own_peak_rss_mb() -> float | None:
    """This process's own peak RSS (``VmHWM``), or None where /proc is missing.

    ``ru_maxrss`` is kept across ``execve``: a child started by a big parent reports the parent's
    peak if it is higher (here the parent has built the school and folded every record), so the
    child reads the high-water mark of its own address space instead."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def bench_memory(db: Path, way: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--db", str(db), "--memory-child", way],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- reporting -----------------------------------------------------------------------------


def table(rows: Sequence[Row]) -> str:
    head = ("what", "measured", "budget", "")
    cells = [head, *((r.what, r.measured, r.budget, r.verdict) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(len(head))) + " |" for c in cells]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def record(rows: Sequence[Row], machine: str, command: str, scale: str, notes: Sequence[str]) -> None:
    day = datetime.now(UTC).date().isoformat()
    section = [f"\n## {day}\n", f"- machine: {machine}", f"- data: {scale}", f"- command: `{command}`", ""]
    section.append(table(rows))
    if notes:
        section.append("")
        section.extend(f"- {n}" for n in notes)
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write("\n".join(section) + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true", help="build the school database again first")
    parser.add_argument("--pupils", type=int, default=DEFAULT_PUPILS, help="for building (and the import)")
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="for building (and the import)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--samples", type=int, default=50, help="pupils for the passport timing")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of points for everyone")
    parser.add_argument("--record", action="store_true", help="append the results to bench/RESULTS.md")
    parser.add_argument("--memory-child", choices=sorted(WAYS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        memory_child(args.db, args.memory_child)
        return

    machine = machine_line()
    command = "uv run python " + " ".join([os.path.relpath(sys.argv[0]), *sys.argv[1:]])
    print(f"machine: {machine}")
    if args.rebuild or not args.db.exists():
        t0 = time.perf_counter()
        counts = build_school(args.db, args.pupils, args.events, args.seed)
        print(f"built {args.db} in {time.perf_counter() - t0:.1f} s: {counts}")

    with Service(Store.open(args.db), user="bench") as service:
        n_pupils = len(service.pupils())
        n_events = service.store.conn.execute("SELECT count(*) FROM judgements").fetchone()[0]
        curricula = service.curricula()
        n_milestones = sum(len(c.milestones) for c in curricula)
        scale = (
            f"{n_pupils:,} pupils, {len(curricula)} curricula, {n_milestones:,} milestones, "
            f"{n_events:,} judgement events ({args.db.name}, seed {args.seed}, today {service.today()})"
        )
        print(f"data: {scale}")
        median_ms, p95_ms, oldest_ms = bench_passport(service, args.samples, args.seed)
        print(
            f"passport: median {median_ms:.1f} ms, p95 {p95_ms:.1f} ms (oldest year group: median {oldest_ms:.1f} ms)"
        )
        # the product's path first: the comparison below leaves a heap of records for the collector
        streamed_s, _ = bench_everyone(service, args.repeat, "standings")
        everyone_s, parts = bench_everyone(service, args.repeat, "records")
        rows_s = read_rows_only(service)
        groups_one_s, groups_all_s = bench_groups(service, args.repeat)
        print(f"group analysis: slowest curriculum {groups_one_s:.2f} s, all {groups_all_s:.2f} s")
        print(
            f"points and flags for everyone, records + standing: {everyone_s:.2f} s "
            f"(records {parts['records_s']:.2f} s, standing {parts['standing_s']:.2f} s, "
            f"{int(parts['standings']):,} standings); Service.standings: {streamed_s:.2f} s; "
            f"reading the rows alone {rows_s:.2f} s"
        )

    memory = {way: bench_memory(args.db, way) for way in WAYS}
    for way, m in memory.items():
        print(
            f"memory ({way}): peak RSS {m['peak_mb']:.0f} MB (its ru_maxrss {m['maxrss_mb']:.0f} MB; "
            f"cold: {m['cold_s']:.2f} s for everyone's points)"
        )
    with tempfile.TemporaryDirectory(dir=args.db.parent) as tmp:
        import_s, appended = bench_import(args.pupils, args.events, args.seed, Path(tmp))
    print(f"import: {appended:,} events in {import_s:.2f} s ({appended / import_s:,.0f} a second)")

    ms, s_, mb = (
        f"≤ {PASSPORT_BUDGET_MS:.0f} ms",
        f"≤ {EVERYONE_BUDGET_S:.0f} s",
        f"≤ {MEMORY_BUDGET_MB:.0f} MB",
    )
    rows = [
        Row("one pupil's passport, median", f"{median_ms:.1f} ms", ms, median_ms <= PASSPORT_BUDGET_MS),
        Row("one pupil's passport, p95", f"{p95_ms:.1f} ms", ms, p95_ms <= PASSPORT_BUDGET_MS),
        Row(
            "points and flags for every pupil (`Service.standings`)",
            f"{streamed_s:.2f} s",
            s_,
            streamed_s <= EVERYONE_BUDGET_S,
        ),
        Row(
            "group analysis of the whole school, one curriculum",
            f"{groups_one_s:.2f} s",
            s_,
            groups_one_s <= EVERYONE_BUDGET_S,
        ),
        Row(
            f"import {appended:,} judgement events",
            f"{import_s:.2f} s",
            f"≤ {IMPORT_BUDGET_S:.0f} s",
            import_s <= IMPORT_BUDGET_S,
        ),
        Row(
            "memory at school scale: points for everyone (peak RSS)",
            f"{memory['standings']['peak_mb']:.0f} MB",
            mb,
            memory["standings"]["peak_mb"] <= MEMORY_BUDGET_MB,
        ),
    ]
    notes = [
        f"group analysis: `Service.group_analysis` for the whole school (2,000 pupils), every group "
        f"against the rest now and at the same window a year earlier, plus the milestones each group "
        f"lags on; the slowest curriculum is shown, all {len(curricula)} curricula together "
        f"take {groups_all_s:.2f} s",
        f"passport: {args.samples} random pupils after a warm-up; the oldest year group among them "
        f"(the longest logs) has a median of {oldest_ms:.1f} ms",
        f"points and flags for everyone: `Service.standings` streams the log pupil by pupil (median of "
        f"{args.repeat} runs after a warm-up); reading the rows from SQLite alone takes {rows_s:.2f} s. For "
        f"comparison, folding whole `PupilRecord`s with `Service.records` (the per-class path) and calling "
        f"`engine.standing` takes {everyone_s:.2f} s and {memory['records']['peak_mb']:.0f} MB for the "
        f"whole school (records {parts['records_s']:.2f} s, standing {parts['standing_s']:.2f} s)",
        "memory: the peak is the child's own VmHWM. Its ru_maxrss ("
        + ", ".join(f"{way} {m['maxrss_mb']:.0f} MB" for way, m in memory.items())
        + ") also counts this parent's peak, which Linux carries across exec. Cold time for everyone's "
        "points in the child (opening the database, parsing the curricula): "
        + ", ".join(f"{way} {m['cold_s']:.2f} s" for way, m in memory.items()),
    ]
    print()
    print(table(rows))
    if args.record:
        record(rows, machine, command, scale, notes)
        print(f"\nrecorded in {os.path.relpath(RESULTS)}")


if __name__ == "__main__":
    main()
