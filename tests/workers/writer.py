"""A writer process for the concurrency and crash tests (run as a script, one per process).

writer.py plan DB PLAN_JSON GO_FILE   judge every (upn, milestone, verdict) of the plan once
                                      GO_FILE exists; print a JSON summary (errors included)
writer.py loop DB UPNS MILESTONES     print "ready", then judge in a loop, printing
                                      "id upn milestone verdict" after each commit returns
writer.py append DB N                 print "begin", append N judgements in one transaction,
                                      print "done"
writer.py roster DB CSV               print "begin", import the roster CSV, print "done"
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from passport_tui.service import Service
from passport_tui.store import Store

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # tests.conftest.NOW


def fixed_clock() -> datetime:
    return NOW


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def plan(db: str, plan_file: str, go_file: str) -> None:
    items: list[list[str]] = json.loads(Path(plan_file).read_text())
    errors: list[str] = []
    written: list[list[object]] = []
    try:
        svc = Service(Store.open(db), user="worker", clock=fixed_clock)
    except Exception as error:  # reported, never raised: the test checks the list
        say(json.dumps({"errors": [f"open: {error!r}"], "written": [], "seconds": 0.0}))
        return
    go = Path(go_file)
    while not go.exists():
        time.sleep(0.005)
    start = time.perf_counter()
    for upn, milestone, verdict in items:
        try:
            j = svc.judge(upn, milestone, verdict, curriculum_id="flat")
        except Exception as error:
            errors.append(f"{upn} {milestone} {verdict}: {type(error).__name__}: {error}")
        else:
            written.append([j.id, upn, milestone, j.verdict.value])
    seconds = time.perf_counter() - start
    svc.close()
    say(json.dumps({"errors": errors, "written": written, "seconds": seconds}))


def loop(db: str, upns: str, milestones: str) -> None:
    svc = Service(Store.open(db), user="worker", clock=fixed_clock)
    say("ready")
    verdicts = ("achieved", "not_yet")
    n = 0
    for milestone in milestones.split(","):
        for upn in upns.split(","):
            verdict = verdicts[n % 2]
            j = svc.judge(upn, milestone, verdict, curriculum_id="flat")
            say(f"{j.id} {upn} {milestone} {j.verdict.value}")  # acknowledged: the commit returned
            n += 1
    say("finished")


def append(db: str, count: int) -> None:
    svc = Service(Store.open(db), user="worker", clock=fixed_clock)
    pupil_ids = [p.id for p in svc.store.pupils()]
    milestones = [m.id for m in svc.curriculum("flat").milestones]
    at = NOW.isoformat()
    rows = (
        (pupil_ids[i % len(pupil_ids)], "flat", milestones[i % len(milestones)], "not_yet", "bulk", at)
        + (None, None, None)
        for i in range(count)
    )
    say("begin")
    svc.store.append_judgements(list(rows))
    say("done")


def roster(db: str, csv_file: str) -> None:
    svc = Service(Store.open(db), user="worker", clock=fixed_clock)
    say("begin")
    svc.import_roster(csv_file, academic_year=2026)
    say("done")


def main(argv: list[str]) -> None:
    match argv:
        case ["plan", db, plan_file, go_file]:
            plan(db, plan_file, go_file)
        case ["loop", db, upns, milestones]:
            loop(db, upns, milestones)
        case ["append", db, count]:
            append(db, int(count))
        case ["roster", db, csv_file]:
            roster(db, csv_file)
        case _:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
