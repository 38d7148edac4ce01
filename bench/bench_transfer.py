"""Benchmark the long commands at school scale (DESIGN §7, issue 12): transfer export and import
of the whole school's passport file, and the school report — time and peak memory.

    uv run python bench/bench_transfer.py [--record] [--repeat 1] [--school-report-only]

Each command runs as a whole ``passport`` process, paired with a yardstick process that reads the
judgement log once (``SELECT * FROM judgements``), in turn (A B, B A, …): the time figure is the
median of the ratios pair by pair, so that the machine's drift cancels; the seconds are given
beside it. Memory is each process's own peak RSS (``VmHWM``, read as it exits; ``ru_maxrss``
would carry the parent's over a fork), against the 200 MB budget and, for information, against
the yardstick's.

The school is ``bench/out/school.db`` (built by ``bench/generate.py`` when missing: 2,000 pupils,
1,000,000 judgement events). The import goes into a fresh database each time (every pupil new),
then once more into the database it made (every event already there).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import (
    OUT,
    Report,
    bytecode_env,
    command_line,
    line_buffered,
    load_average,
    machine_line,
    paired,
    spread,
)
from generate import build_school, count_events, fresh

DEFAULT_DB = OUT / "school.db"
IMPORT_BUDGET_S = 60.0
MEMORY_BUDGET_MB = 200.0

# one plain full read of the judgement log, as a whole process: the yardstick
READ_LOG = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
n = 0
for row in conn.execute("SELECT * FROM judgements"):
    n += 1
print(n)
"""

# a child that runs one program (the passport command, or the yardstick) and, as it exits,
# writes its own peak RSS where the first argument says
CHILD = """
import atexit, json, sys
out = sys.argv[1]
def peak():
    mb = None
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            mb = int(line.split()[1]) / 1024
    with open(out, "w") as f:
        json.dump({"peak_mb": mb}, f)
atexit.register(peak)
if sys.argv[2] == "--passport":
    sys.argv = ["passport", *sys.argv[3:]]
    from passport_tui.cli import main
    main()  # it exits through SystemExit, and the peak is written on the way out
else:  # -c CODE ARGS
    code = sys.argv[3]
    sys.argv = ["-c", *sys.argv[4:]]
    exec(compile(code, "<yardstick>", "exec"), {"__name__": "__main__"})
"""


def run(argv: list[str], what: str) -> tuple[float, float]:
    """Seconds from start to exit of the child running ``argv`` (``--passport ARGS`` or
    ``-c CODE ARGS``), and its peak RSS in MB. It must succeed; its output is thrown away."""
    peak_file = OUT / f"peak-{os.getpid()}.json"
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(peak_file), *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=bytecode_env(),
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stderr.decode()[-800:]}")
    peak = json.loads(peak_file.read_text())["peak_mb"]
    peak_file.unlink()
    print(f"  … {what}: {elapsed:.1f} s, peak {peak:.0f} MB", flush=True)
    return elapsed, peak


def new_database(path: Path) -> None:
    """An empty database at ``path`` (``passport init``: a missing one is refused, not made)."""
    fresh(path)
    init = "import sys; from passport_tui.cli import main; sys.argv = ['passport', *sys.argv[1:]]; main()"
    subprocess.run([sys.executable, "-c", init, "--db", str(path), "init"], check=True, capture_output=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--repeat", type=int, default=1, help="pairs of each figure (each import is long)")
    parser.add_argument("--record", action="store_true", help="append the results to bench/RESULTS.md")
    parser.add_argument(
        "--school-report-only", action="store_true", help="only `passport report --school` (no transfer)"
    )
    args = parser.parse_args(argv)
    line_buffered()
    began = time.perf_counter()
    machine = machine_line()
    load_before = load_average()
    command = command_line()
    print(f"machine: {machine}; load average {load_before}")
    print(f"command: {command}")
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.db.exists():
        print(f"… building {args.db} (bench/generate.py)")
        build_school(args.db)
    n_events = count_events(args.db)
    print(f"data: {args.db.name}, {n_events:,} judgement events")

    report = Report(
        "school report" if args.school_report_only else "transfer export and import, school report"
    )
    db = str(args.db)
    file = OUT / "school.passport.json"
    target = OUT / "imported.db"
    yard_peaks: list[float] = []
    peaks: dict[str, list[float]] = {}

    def yardstick() -> float:
        seconds, peak = run(["-c", READ_LOG, db], "one full read of the log")
        yard_peaks.append(peak)
        return seconds

    def timed(what: str, args_: list[str], before: object = None) -> float:
        if callable(before):
            before()
        seconds, peak = run(["--passport", *args_], what)
        peaks.setdefault(what, []).append(peak)
        return seconds

    steps = [
        (
            "transfer export, whole school",
            ["--db", db, "transfer", "export", "--force", "-o", str(file)],
            None,
            None,
        ),
        (
            "transfer import into an empty database",
            ["--db", str(target), "transfer", "import", str(file)],
            lambda: new_database(target),
            IMPORT_BUDGET_S,
        ),
        (
            "transfer import again (every event already there)",
            ["--db", str(target), "transfer", "import", str(file)],
            None,
            None,
        ),
        (
            "`passport report --school`",
            ["--db", db, "report", "--school", "--force", "-o", str(OUT / "school.html")],
            None,
            None,
        ),
    ]
    if args.school_report_only:
        steps = steps[-1:]
    for what, args_, before, budget in steps:
        pairs = paired(
            lambda what=what, args_=args_, before=before: timed(what, args_, before),
            yardstick,
            args.repeat,
            warmup=0,
        )
        seconds = statistics.median(pairs.a)
        report.figure(
            f"{what}: time / one full read of the log (median of {args.repeat} pairs)",
            f"{pairs.ratio:.1f}×",
        )
        report.figure(
            f"{what}: seconds",
            f"{seconds:.1f} s",
            f"≤ {budget:.0f} s" if budget else "",
            (seconds <= budget) if budget else None,
        )
        peak = max(peaks[what])
        report.figure(
            f"{what}: peak RSS", f"{peak:.0f} MB", f"≤ {MEMORY_BUDGET_MB:.0f} MB", peak <= MEMORY_BUDGET_MB
        )
        report.note(
            f"{what}: {spread(pairs.a, lambda x: f'{x:.1f}')} s; the read of the log in the same pairs "
            f"{spread(pairs.b, lambda x: f'{x:.1f}')} s; peak RSS {spread(peaks[what], lambda x: f'{x:.0f}')} MB "
            f"against the read's {statistics.median(yard_peaks):.0f} MB"
        )
    if not args.school_report_only:
        size = file.stat().st_size
        report.note(f"the passport file: {size / 1e6:.0f} MB for {n_events:,} events")
    elapsed = time.perf_counter() - began
    header = [
        f"machine: {machine}; load average {load_before} at start, {load_average()} at end",
        f"data: {args.db.name} ({n_events:,} judgement events, 2,000 pupils unless built otherwise)",
        f"command: `{command}` ({elapsed:.0f} s)",
    ]
    print()
    print(report.section(header))
    if args.record:
        report.record(header)
    fresh(target)


if __name__ == "__main__":
    main()
