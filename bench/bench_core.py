"""The engine and store budgets of DESIGN §7 at school scale, and what the whole-school reports
cost against one plain read of the judgement log.

    uv run python bench/bench_core.py [--db bench/out/school.db] [--rebuild] [--record] [--quick]

Against the school database of ``bench/generate.py`` (2,000 pupils, 4 curricula, 1,500 milestones,
1,000,000 judgement events; built first if the file is missing, or with ``--rebuild``) it measures,
printing each figure the moment it is measured:

- whole-school ``passport tracking --json`` (every subject) and ``passport groups --json`` (every
  subject in turn), each as a ratio against ONE plain full read of the judgement log
  (``SELECT * FROM judgements`` iterated with the standard library's sqlite3) in the same run. All
  three are whole processes (the CLI is this environment's ``passport``, as ``uv run passport``
  runs it), their bytecode cached in ``bench/out/pycache`` as an installed wheel has it; each
  command and the read run in turn, ``--repeat`` pairs after a warm-up pair, and the figure is
  the median of the pair-by-pair ratios (target ≤ 0.5×, DESIGN §7 and issue 9);
- one pupil's passport: ``Service.passport(upn)`` (every curriculum, with the 3-window history),
  median and 95th percentile over ``--samples`` random pupils, after one warm-up call;
- points and flags for every pupil, two ways: for each curriculum, ``Service.records(curriculum_id)``
  (one pass over that curriculum's log) then ``engine.standing(..., detail=False)`` for each of the
  2,000 pupils; and ``Service.standings(curriculum, detail=False)``, which reads each pupil's
  projected standing (one row a pupil and curriculum, kept beside the log) instead of folding it.
  One warm-up run each, then the median of ``--repeat`` runs;
- group analysis in process: ``Service.group_analysis`` per curriculum;
- importing 1,000,000 judgement events into a fresh database: ``Store.append_judgements`` in one
  transaction (the rows are prepared beforehand and not timed; curricula and pupils are already in);
- memory: the peak RSS of a fresh process that opens the school database and computes points
  and flags for everyone once, each of the two ways (its cold time is shown too, for information). The figure is the
  process's own high-water mark (``VmHWM``), because its ``ru_maxrss`` also counts the parent's
  peak, which Linux carries across exec; ``ru_maxrss`` is printed next to it.

Only the service's public methods, the ``passport`` command and plain SQL on the file are used
(the import, which is the store's own job, calls ``Store.append_judgements``). Times are
``time.perf_counter`` wall-clock times. ``--record`` appends the table, with the date, the machine,
the load average and the command, to ``bench/RESULTS.md``. This is a benchmark, not a test: the
exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import (
    PASSPORT,
    Report,
    bytecode_env,
    command_line,
    line_buffered,
    load_average,
    machine_line,
    paired,
    run_process,
    spread,
)
from generate import (
    DEFAULT_EVENTS,
    DEFAULT_PUPILS,
    DEFAULT_SEED,
    build_school,
    count_events,
    fresh,
    plan_school,
    read_only,
    write_school,
)

from passport_tui import engine
from passport_tui.engine import PupilRecord
from passport_tui.service import Service
from passport_tui.store import Store

HERE = Path(__file__).resolve().parent
DEFAULT_DB = HERE / "out" / "school.db"

PASSPORT_BUDGET_MS = 20.0
EVERYONE_BUDGET_S = 2.0
IMPORT_BUDGET_S = 15.0
MEMORY_BUDGET_MB = 200.0
REPORT_TARGET_RATIO = 0.5  # whole-school tracking or groups against one read of the log

# one plain full read of the judgement log, as a whole process: the yardstick of the reports
READ_LOG = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
n = 0
for row in conn.execute("SELECT * FROM judgements"):
    n += 1
print(n)
"""


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
    """The same figures through ``Service.standings``, which reads each pupil's projection."""
    count = 0
    for c in service.curricula():
        for _pupil, _standing in service.standings(c, detail=False):
            count += 1
    return {"standings": count}


WAYS: dict[str, Callable[[Service], dict[str, float]]] = {
    "records": points_and_flags_for_everyone,
    "standings": points_and_flags_streamed,
}


def read_log_in_process(db: Path) -> tuple[float, int]:
    """Seconds to read every row of the judgement log with plain SQLite in this process."""
    t0 = time.perf_counter()
    n = 0
    conn = read_only(db)
    try:
        for _ in conn.execute("SELECT * FROM judgements"):
            n += 1
    finally:
        conn.close()
    return time.perf_counter() - t0, n


def bench_cli_against_log(db: Path, report: Report, repeat: int) -> None:
    """Whole-school tracking and groups through the CLI, each against one read of the log."""
    read = [sys.executable, "-c", READ_LOG, str(db)]
    for what, args in (
        ("whole-school `passport tracking --json`, every subject", ["tracking", "--json"]),
        ("whole-school `passport groups --json`, every subject", ["groups", "--json"]),
    ):
        argv = [str(PASSPORT), "--db", str(db), *args]
        out = subprocess.run(argv, capture_output=True, text=True, check=True, env=bytecode_env()).stdout
        parsed = json.loads(out)  # the command prints what it should, once, before it is timed
        print(f"… {' '.join(['passport', *args])}: {len(out):,} characters of JSON ({type(parsed).__name__})")
        pairs = paired(lambda argv=argv: run_process(argv), lambda: run_process(read), repeat, warmup=0)
        report.figure(
            f"{what} / one full read of the log (median of {repeat} pairs)",
            f"{pairs.ratio:.2f}×",
            f"≤ {REPORT_TARGET_RATIO}×",
            pairs.ratio <= REPORT_TARGET_RATIO,
        )
        report.note(
            f"{' '.join(['passport', *args])}: {statistics.median(pairs.a):.2f} s a run "
            f"({spread(pairs.a, lambda x: f'{x:.2f}')} s); the read of the log in the same pairs "
            f"{statistics.median(pairs.b):.2f} s ({spread(pairs.b, lambda x: f'{x:.2f}')} s); "
            f"ratios {', '.join(f'{r:.2f}' for r in pairs.ratios)}"
        )


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
    with Service.open(db, user="bench") as service:
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
        env=bytecode_env(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the run -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true", help="build the school database again first")
    parser.add_argument("--pupils", type=int, default=DEFAULT_PUPILS, help="for building (and the import)")
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="for building (and the import)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--samples", type=int, default=50, help="pupils for the passport timing")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (and pairs) of each figure")
    parser.add_argument("--quick", action="store_true", help="one timed run of each; no import, no memory")
    parser.add_argument("--record", action="store_true", help="append the results to bench/RESULTS.md")
    parser.add_argument("--memory-child", choices=sorted(WAYS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        memory_child(args.db, args.memory_child)
        return

    line_buffered()
    began = time.perf_counter()
    repeat = 1 if args.quick else args.repeat
    machine = machine_line()
    load_before = load_average()
    command = command_line()
    print(f"machine: {machine}; load average {load_before}")
    print(f"command: {command}")
    if args.rebuild or not args.db.exists():
        t0 = time.perf_counter()
        print(f"… building {args.db} (bench/generate.py)")
        counts = build_school(args.db, args.pupils, args.events, args.seed)
        print(f"built {args.db} in {time.perf_counter() - t0:.1f} s: {counts}")

    report = Report("engine, store and whole-school reports")
    with Service.open(args.db, user="bench") as service:
        n_pupils = len(service.pupils())
        curricula = service.curricula()
        today = service.today()
    n_events = count_events(args.db)
    n_milestones = sum(len(c.milestones) for c in curricula)
    scale = (
        f"{n_pupils:,} pupils, {len(curricula)} curricula, {n_milestones:,} milestones, "
        f"{n_events:,} judgement events ({args.db.name}, seed {args.seed}, today {today})"
    )
    print(f"data: {scale}")

    # 1. the whole-school reports against one read of the log, whole processes in turn
    bench_cli_against_log(args.db, report, repeat)
    read_s, read_n = read_log_in_process(args.db)
    report.note(f"one full read of the log in this process: {read_s:.2f} s for {read_n:,} rows")

    with Service.open(args.db, user="bench") as service:
        # 2. one pupil's passport
        median_ms, p95_ms, oldest_ms = bench_passport(service, args.samples, args.seed)
        ms = f"≤ {PASSPORT_BUDGET_MS:.0f} ms"
        report.figure(
            "one pupil's passport, median", f"{median_ms:.1f} ms", ms, median_ms <= PASSPORT_BUDGET_MS
        )
        report.figure("one pupil's passport, p95", f"{p95_ms:.1f} ms", ms, p95_ms <= PASSPORT_BUDGET_MS)
        report.note(
            f"passport: {args.samples} random pupils after a warm-up; the oldest year group among them "
            f"(the longest logs) has a median of {oldest_ms:.1f} ms"
        )
        # 3. points and flags for everyone; the product's path first: the comparison after it
        # leaves a heap of records for the collector
        streamed_s, _ = bench_everyone(service, repeat, "standings")
        s_ = f"≤ {EVERYONE_BUDGET_S:.0f} s"
        report.figure(
            "points and flags for every pupil (`Service.standings`)",
            f"{streamed_s:.2f} s",
            s_,
            streamed_s <= EVERYONE_BUDGET_S,
        )
        everyone_s, parts = bench_everyone(service, repeat, "records")
        report.note(
            f"points and flags for everyone: `Service.standings` reads each pupil's projection (median "
            f"of {repeat} runs after a warm-up). For comparison, folding whole `PupilRecord`s with "
            f"`Service.records` (the per-class path) and calling `engine.standing` takes "
            f"{everyone_s:.2f} s (records {parts['records_s']:.2f} s, standing {parts['standing_s']:.2f} s)"
        )
        # 4. group analysis in process
        groups_one_s, groups_all_s = bench_groups(service, repeat)
        report.figure(
            "group analysis of the whole school, one curriculum (in process)",
            f"{groups_one_s:.2f} s",
            s_,
            groups_one_s <= EVERYONE_BUDGET_S,
        )
        report.note(
            f"group analysis: `Service.group_analysis` for the whole school, every group against the "
            f"rest now and at the same window a year earlier, plus the milestones each group lags on; "
            f"the slowest curriculum is shown, all {len(curricula)} curricula together take "
            f"{groups_all_s:.2f} s"
        )

    if not args.quick:
        # 5. memory, in fresh processes
        memory = {}
        for way in WAYS:
            memory[way] = m = bench_memory(args.db, way)
            if way == "standings":
                report.figure(
                    "memory at school scale: points for everyone (peak RSS)",
                    f"{m['peak_mb']:.0f} MB",
                    f"≤ {MEMORY_BUDGET_MB:.0f} MB",
                    m["peak_mb"] <= MEMORY_BUDGET_MB,
                )
        report.note(
            "memory: the peak is the child's own VmHWM; "
            + ", ".join(
                f"{way}: {m['peak_mb']:.0f} MB (its ru_maxrss {m['maxrss_mb']:.0f} MB, cold "
                f"{m['cold_s']:.2f} s for everyone's points)"
                for way, m in memory.items()
            )
        )
        # 6. import
        with tempfile.TemporaryDirectory(dir=args.db.parent) as tmp:
            import_s, appended = bench_import(args.pupils, args.events, args.seed, Path(tmp))
        report.figure(
            f"import {appended:,} judgement events",
            f"{import_s:.2f} s",
            f"≤ {IMPORT_BUDGET_S:.0f} s",
            import_s <= IMPORT_BUDGET_S,
        )

    took = time.perf_counter() - began
    header = [
        f"machine: {machine}; load average {load_before} at start, {load_average()} at end",
        f"data: {scale}",
        f"command: `{command}` ({took:.0f} s)",
    ]
    print()
    print(report.section(header))
    if args.record:
        report.record(header)


if __name__ == "__main__":
    main()
