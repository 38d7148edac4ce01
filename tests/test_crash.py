"""A killed process mid-write (DESIGN §8): the database opens, passes ``PRAGMA integrity_check``
and holds every judgement that was acknowledged; an import is there whole or not at all.

Each writer is a real process (tests/workers/writer.py) killed with SIGKILL at a seeded random
moment: 24 while judging one at a time, 12 during a bulk import (6 × 50,000 judgements through
``append_judgements``, 6 × a roster of 5,000 pupils through ``Service.import_roster``).
"""

from __future__ import annotations

import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from passport_tui.store import Store
from tests.workers import WRITER, flat_school

UPNS = [f"P{i:03d}" for i in range(400)]  # 6,800 judgements to make: more than 0.4 s of work
MILESTONES = [f"M{i:02d}" for i in range(1, 18)]
JUDGING_KILLS = 24
BULK_KILLS = 6  # per kind of import
BULK_JUDGEMENTS = 50_000
ROSTER_PUPILS = 5_000


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 pupils in class c on the flat curriculum (no prerequisites), no judgements yet."""
    path = tmp_path_factory.mktemp("crash") / "template.db"
    flat_school(path, {"c": UPNS}, MILESTONES)
    return path


def fresh_copy(template: Path, path: Path) -> Path:
    shutil.copy(template, path)  # the template's last connection closed: no -wal file to copy
    return path


class Writer:
    """A writer process (tests/workers/writer.py) whose output is read straight from the pipe.

    Every byte is read with ``os.read`` on the pipe's descriptor, with no buffered file object in
    between, and kept here until it is used: a line read past while waiting for another, or still
    in the pipe at the kill, is never lost. (A buffered ``readline()`` followed by
    ``communicate()`` loses whatever the buffer had read ahead: ``communicate`` reads the
    descriptor, not the buffer.)"""

    def __init__(self, db: Path, *args: str) -> None:
        """Start ``writer.py ARGS`` with DB in place of the word "DB"; its stderr goes beside DB."""
        self.errors = db.with_suffix(".stderr")
        with self.errors.open("wb") as errors:
            self.proc = subprocess.Popen(
                [sys.executable, str(WRITER), *(str(db) if a == "DB" else a for a in args)],
                stdout=subprocess.PIPE,
                stderr=errors,
                bufsize=0,
            )
        assert self.proc.stdout is not None
        self.fd = self.proc.stdout.fileno()
        self.lines: list[str] = []  # complete lines, first to last
        self.used = 0  # lines already taken by wait_for
        self.partial = b""  # the end of the output after its last newline
        self.eof = False

    def _read(self, deadline: float) -> None:
        """One chunk from the pipe (waiting at most until ``deadline``), split into lines."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"the writer said nothing for a while: {self.stderr()}")
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.eof = True
            return
        *complete, self.partial = (self.partial + chunk).split(b"\n")
        self.lines += [line.decode() for line in complete]

    def stderr(self) -> str:
        return self.errors.read_text(errors="replace")

    def wait_for(self, word: str, timeout: float = 60.0) -> float:
        """Read up to the next line, which must be ``word``; return the time it was read."""
        deadline = time.monotonic() + timeout
        while len(self.lines) <= self.used:
            if self.eof:
                raise AssertionError(f"the writer ended before {word!r}: {self.stderr()}")
            self._read(deadline)
        line = self.lines[self.used]
        self.used += 1
        assert line == word, f"the writer said {line!r}, not {word!r}: {self.stderr()}"
        return time.perf_counter()

    def rest(self, timeout: float = 30.0) -> list[str]:
        """Read to the end of the output and reap the process; the complete lines not yet taken
        by ``wait_for``, first to last. A last line without its newline was not (fully)
        printed, so it is not acknowledged and not returned."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            self._read(deadline)
        self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        self.proc.stdout.close()  # type: ignore[union-attr]
        return self.lines[self.used :]

    def finish(self) -> list[str]:
        """Let the writer run to its end; what it printed after the lines taken."""
        lines = self.rest(timeout=120.0)
        assert self.proc.returncode == 0, f"the writer failed ({self.proc.returncode}): {self.stderr()}"
        return lines

    def kill(self, at: float, *, may_finish: bool = False) -> list[str]:
        """SIGKILL the writer at time ``at``; the complete lines it printed after those taken.
        With ``may_finish`` a writer that finished first (a run faster than the timing runs, on a
        machine whose load changed) is a run that committed, not a failure."""
        time.sleep(max(0.0, at - time.perf_counter()))
        self.proc.send_signal(signal.SIGKILL)
        lines = self.rest()
        ended = (-signal.SIGKILL, 0) if may_finish else (-signal.SIGKILL,)
        assert self.proc.returncode in ended, f"the writer ended on its own ({self.proc.returncode})"
        return lines


def schema(store: Store) -> list[tuple[str, str]]:
    return store.conn.execute("SELECT type, name FROM sqlite_master ORDER BY type, name").fetchall()


@contextmanager
def reopened(path: Path) -> Iterator[Store]:
    """The database after the kill, opened as the app opens it and checked whole."""
    with Store.open(path) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        yield store


@pytest.mark.slow
def test_killed_while_judging_keeps_every_acknowledged_judgement(template: Path, tmp_path: Path) -> None:
    rng = random.Random(20261123)
    with Store.open(template) as store:
        expected_schema = schema(store)
    acknowledged_total = 0
    for run in range(JUDGING_KILLS):
        db = fresh_copy(template, tmp_path / f"judging{run}.db")
        writer = Writer(db, "loop", "DB", ",".join(UPNS), ",".join(MILESTONES))
        ready = writer.wait_for("ready")
        lines = writer.kill(ready + rng.uniform(0.05, 0.4))
        assert "finished" not in lines, "the writer ran out of judgements to make before the kill"
        acknowledged = {}
        for line in lines:
            id_, upn, milestone, verdict = line.split()
            acknowledged[int(id_)] = (upn, milestone, verdict)
        acknowledged_total += len(acknowledged)

        with reopened(db) as store:
            assert schema(store) == expected_schema
            rows = store.conn.execute(
                "SELECT j.id, p.upn, j.milestone_id, j.verdict FROM judgements j "
                "JOIN pupils p ON p.id = j.pupil_id"
            ).fetchall()
            held = {id_: (upn, m, v) for id_, upn, m, v in rows}
            assert {i: held.get(i) for i in acknowledged} == acknowledged, f"run {run}"
            # at most the one judgement being acknowledged when the kill came is there unannounced
            assert len(held) - len(acknowledged) in (0, 1), f"run {run}"
    assert acknowledged_total > JUDGING_KILLS * 10  # the kills came while judgements were being written


def bulk_runs(template: Path, tmp_path: Path, args: list[str], seed: int) -> Iterator[tuple[int, Path, bool]]:
    """Run the bulk writer once to time it, then BULK_KILLS times killed between "begin" and the
    time it took: yields (run, database, whether "done" was printed before the kill)."""
    rng = random.Random(seed)
    took = []
    for run in range(2):
        db = fresh_copy(template, tmp_path / f"timing{run}.db")
        writer = Writer(db, *args)
        began = writer.wait_for("begin")
        took.append(writer.wait_for("done") - began)
        assert writer.finish() == []
    for run in range(BULK_KILLS):
        db = fresh_copy(template, tmp_path / f"bulk{run}.db")
        writer = Writer(db, *args)
        began = writer.wait_for("begin")
        lines = writer.kill(began + rng.uniform(0.05, 0.9) * min(took), may_finish=True)
        yield run, db, "done" in lines


@pytest.mark.slow
def test_killed_during_a_bulk_judgement_import_keeps_all_or_none(template: Path, tmp_path: Path) -> None:
    with Store.open(template) as store:
        expected_schema = schema(store)
    outcomes = []
    for run, db, done in bulk_runs(template, tmp_path, ["append", "DB", str(BULK_JUDGEMENTS)], seed=1):
        with reopened(db) as store:
            # the import drops and rebuilds the log's indexes and insert triggers inside its
            # transaction: they must be back whichever way it ended
            assert schema(store) == expected_schema, f"run {run}"
            (count,) = store.conn.execute("SELECT count(*) FROM judgements").fetchone()
        assert count in (0, BULK_JUDGEMENTS), f"run {run}: {count} of {BULK_JUDGEMENTS}"
        if done:
            assert count == BULK_JUDGEMENTS, f"run {run}: acknowledged, but {count} there"
        outcomes.append(count)
    assert 0 in outcomes  # at least one kill landed before the commit


@pytest.mark.slow
def test_killed_during_a_roster_import_keeps_all_or_none(template: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "UPN,Forename,Surname,Year,Class\n"
        + "".join(f"R{i:05d},Fore{i},Sur{i},1,R{i % 30}\n" for i in range(ROSTER_PUPILS))
    )
    outcomes = []
    for run, db, done in bulk_runs(template, tmp_path, ["roster", "DB", str(roster)], seed=2):
        with reopened(db) as store:
            (old,) = store.conn.execute("SELECT count(*) FROM pupils WHERE upn LIKE 'P%'").fetchone()
            (new,) = store.conn.execute("SELECT count(*) FROM pupils WHERE upn LIKE 'R%'").fetchone()
        assert old == len(UPNS), f"run {run}"
        assert new in (0, ROSTER_PUPILS), f"run {run}: {new} of {ROSTER_PUPILS}"
        if done:
            assert new == ROSTER_PUPILS, f"run {run}: acknowledged, but {new} there"
        outcomes.append(new)
    assert 0 in outcomes  # at least one kill landed before the commit
