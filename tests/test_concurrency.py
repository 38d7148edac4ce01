"""Concurrent teachers on one database (DESIGN §8): nothing lost, no "database is locked" shown.

Eight writer processes judge at once, each with its own connection through ``Service``; then two
terminal apps on one file see each other's marks.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from passport_tui.engine import Cell
from passport_tui.service import Service
from passport_tui.store import Store
from passport_tui.tui.app import PassportApp, make_app
from passport_tui.tui.widgets.grid import ClassGrid
from tests.conftest import fixed_clock, small_school
from tests.workers import WRITER, flat_school

Plan = list[tuple[str, str, str]]  # (upn, milestone, verdict)

OWN_MILESTONES = [f"M{i:02d}" for i in range(1, 10)]  # each process's own pupils: 9 per pupil


def plans(processes: int, own_pupils: int, shared_pupils: int) -> tuple[dict[str, list[str]], list[Plan]]:
    """Pupils by class, and one plan per process: every milestone of OWN_MILESTONES for its own
    pupils, plus its own milestone S<k> for every pupil of the shared class, which all the
    processes write to at once (the same pupils' different milestones)."""
    shared = [f"S{i:03d}" for i in range(shared_pupils)]
    pupils: dict[str, list[str]] = {"shared": shared}
    out: list[Plan] = []
    for k in range(processes):
        own = [f"P{k}-{i:03d}" for i in range(own_pupils)]
        pupils[f"c{k}"] = own
        plan: Plan = []
        for i, upn in enumerate(own):
            for j, milestone in enumerate(OWN_MILESTONES):
                plan.append((upn, milestone, "achieved" if (i + j + k) % 2 else "not_yet"))
        for i, upn in enumerate(shared):
            plan.append((upn, f"X{k}", "achieved" if (i + k) % 3 else "not_yet"))
        # interleave the shared pupils with the own ones, so contention lasts the whole run
        step = max(1, len(plan) // max(1, shared_pupils))
        own_part, shared_part = plan[: len(own) * len(OWN_MILESTONES)], plan[len(own) * len(OWN_MILESTONES) :]
        mixed: Plan = []
        for n, item in enumerate(own_part):
            mixed.append(item)
            if n % step == 0 and shared_part:
                mixed.append(shared_part.pop(0))
        mixed.extend(shared_part)
        out.append(mixed)
    return pupils, out


def run_writers(tmp_path: Path, processes: int, own_pupils: int, shared_pupils: int) -> None:
    db = tmp_path / "school.db"
    pupils, all_plans = plans(processes, own_pupils, shared_pupils)
    flat_school(db, pupils, OWN_MILESTONES + [f"X{k}" for k in range(processes)])
    go = tmp_path / "go"
    workers: list[subprocess.Popen[str]] = []
    for k, plan in enumerate(all_plans):
        plan_file = tmp_path / f"plan{k}.json"
        plan_file.write_text(json.dumps(plan))
        workers.append(
            subprocess.Popen(
                [sys.executable, str(WRITER), "plan", str(db), str(plan_file), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    time.sleep(1.0)  # let every writer import and open its connection, then start them together
    go.touch()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    errors = [error for result in results for error in result["errors"]]
    assert errors == []  # in particular, "database is locked" never reaches a user
    expected = {item for plan in all_plans for item in plan}
    assert len(expected) == sum(len(plan) for plan in all_plans)  # the plans never overlap
    acknowledged = {int(row[0]): (row[1], row[2], row[3]) for result in results for row in result["written"]}
    assert set(acknowledged.values()) == expected

    with Store.open(db) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = store.conn.execute(
            "SELECT j.id, p.upn, j.milestone_id, j.verdict FROM judgements j JOIN pupils p ON p.id = j.pupil_id"
        ).fetchall()
    assert len(rows) == len(expected)
    assert {(upn, m, v) for _, upn, m, v in rows} == expected
    assert {i: (upn, m, v) for i, upn, m, v in rows} == acknowledged  # each id is the one reported


@pytest.mark.slow
def test_eight_processes_judging_at_once_lose_nothing(tmp_path: Path) -> None:
    """8 processes × 500 judgements (450 on their own 50 pupils, 50 on 50 pupils they all share)."""
    run_writers(tmp_path, processes=8, own_pupils=50, shared_pupils=50)


# --- two app sessions on one database ----------------------------------------------------


def grid_cell(app: PassportApp, upn: str, milestone: str) -> Cell:
    grid = app.screen.query_one(ClassGrid)
    shown = app.screen.shown  # type: ignore[attr-defined]
    row = next(i for i, line in enumerate(shown) if line.pupil.upn == upn)
    col = next(i for i, c in enumerate(grid.columns) if c.id == milestone)
    return grid.rows[row].cells[col]


@pytest.mark.slow
async def test_two_sessions_see_each_others_marks(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    small_school(db).close()
    one = Service(Store.open(db), user="ms.hughes", clock=fixed_clock)
    two = Service(Store.open(db), user="mr.khan", clock=fixed_clock)
    app_one = make_app(one, class_name="1H")
    app_two = make_app(two, class_name="1H")
    try:
        async with app_one.run_test(size=(80, 24)) as pilot_one, app_two.run_test(size=(80, 24)) as pilot_two:
            await asyncio.gather(pilot_one.pause(), pilot_two.pause())
            assert grid_cell(app_one, "A1", "1N-1") is Cell.NEXT
            assert grid_cell(app_two, "A1", "1N-1") is Cell.NEXT

            await pilot_one.press("a")  # Ann Adams, 1N-1, in the first session
            await pilot_one.pause()
            assert grid_cell(app_one, "A1", "1N-1") is Cell.ACHIEVED
            await pilot_two.pause(1.3)  # the second polls for other connections' commits
            assert grid_cell(app_two, "A1", "1N-1") is Cell.ACHIEVED
            assert grid_cell(app_two, "A1", "1N-2") is Cell.NEXT

            await pilot_two.press("down", "n")  # Ben Brown, 1N-1, not yet, in the second session
            await pilot_two.pause()
            assert grid_cell(app_two, "A2", "1N-1") is Cell.NOT_YET
            await pilot_one.pause(1.3)
            assert grid_cell(app_one, "A2", "1N-1") is Cell.NOT_YET

            # the same cell from the second session too: a re-confirmation (DESIGN §2.1), nothing undone
            await pilot_two.press("up", "a")
            await pilot_two.pause()
            await pilot_one.pause(1.3)
            assert grid_cell(app_one, "A1", "1N-1") is Cell.ACHIEVED
            assert grid_cell(app_two, "A1", "1N-1") is Cell.ACHIEVED
            marks = [(j.verdict.value, j.by) for j in one.history("A1") if j.milestone_id == "1N-1"]
            assert marks[0] == ("achieved", "ms.hughes")
            assert {verdict for verdict, _ in marks} == {"achieved"}
            assert [(j.milestone_id, j.by) for j in one.history("A2")] == [("1N-1", "mr.khan")]
    finally:
        one.close()
        two.close()
