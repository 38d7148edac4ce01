"""Faults of the database file end in one line, never a traceback: another program holding the
write lock, a read-only file or folder, a damaged file, a file that is not a database, a full disk
(each a real file in that state), and ``doctor`` on each; ``doctor`` compares the append-only
triggers' SQL with the schema's and ``doctor --rebuild`` restores them.

The slow tests run the command line as a separate process, as a teacher runs it (a read-only
file as an ordinary account, a full disk on a small file system of its own); the fast ones run
the same commands in this process."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from passport_tui.errors import DatabaseBusy, DiskFull, NotAllowed
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import fixed_clock, small_school

BUSY = "passport: the database is busy (another program is writing to it); try again"


def school_file(folder: Path, name: str = "school.db") -> Path:
    """The small school as one file (no -wal beside it), a few judgements recorded."""
    path = folder / name
    svc = small_school(path)
    svc.judge("A1", "1N-1", "achieved")
    svc.judge("A2", "1N-1", "not_yet")
    svc.close()
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    return path


def run_cli(
    db: Path, *args: str, env: dict[str, str] | None = None, prefix: list[str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "passport_tui.cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess, *words: str) -> str:
    """The command failed with exit 1 and one line on stderr holding ``words``; that line."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def doctor_fails(result: subprocess.CompletedProcess, check: str, *words: str) -> str:
    """``doctor`` exited 1 without a traceback, the check ``check`` failing; its line."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "NOT healthy" in result.stdout.splitlines()[0], result.stdout
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith(f"FAIL {check}:"))
    for word in words:
        assert word in line, line
    return line


def judgements(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*) FROM judgements").fetchone()[0]


@contextlib.contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another program holding the write lock (a long import, say) until the block ends."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("ROLLBACK")
    finally:
        conn.close()


# --- busy ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_write_past_the_busy_timeout_says_busy_in_one_line_and_reads_carry_on(tmp_path):
    db = school_file(tmp_path)
    fast = {"PASSPORT_BUSY_TIMEOUT": "0.5"}
    with write_lock(db):
        one_line(run_cli(db, "judge", "A3", "1N-1", "achieved", env=fast), BUSY)
        one_line(run_cli(db, "doctor", "--rebuild", env=fast), BUSY)
        assert run_cli(db, "show", "A1", env=fast).returncode == 0  # reading is never blocked
        assert run_cli(db, "doctor", env=fast).returncode == 0
    assert judgements(db) == 2
    assert run_cli(db, "judge", "A3", "1N-1", "achieved", env=fast).returncode == 0  # try again: done
    assert judgements(db) == 3


@pytest.mark.slow
def test_the_cli_waits_for_a_short_lock_and_then_writes(tmp_path):
    db = school_file(tmp_path)
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("PRAGMA journal_mode = WAL")
        other.execute("BEGIN IMMEDIATE")
        command = [
            sys.executable,
            "-m",
            "passport_tui.cli",
            "--db",
            str(db),
            "judge",
            "A3",
            "1N-1",
            "achieved",
        ]
        env = {**os.environ, "PASSPORT_BUSY_TIMEOUT": "30"}
        with subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as cli:
            time.sleep(1.5)
            assert cli.poll() is None  # still waiting for the lock
            other.execute("ROLLBACK")
            out, err = cli.communicate(timeout=60)
    finally:
        other.close()
    assert cli.returncode == 0, err
    assert judgements(db) == 3


@pytest.mark.slow
def test_a_bad_busy_timeout_is_one_line(tmp_path):
    db = school_file(tmp_path)
    one_line(run_cli(db, "show", "A1", env={"PASSPORT_BUSY_TIMEOUT": "soon"}), "PASSPORT_BUSY_TIMEOUT")


def test_the_service_raises_busy_and_writes_nothing(tmp_path):
    db = school_file(tmp_path)
    with (
        Service(Store.open(db, timeout=0.2), clock=fixed_clock) as svc,
        write_lock(db),
        pytest.raises(DatabaseBusy),
    ):
        svc.judge("A3", "1N-1", "achieved")
    assert judgements(db) == 2


# --- read-only file and folder -----------------------------------------------------------------


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another account can reach (pytest's own are owner-only)."""
    folder = Path(tempfile.mkdtemp(prefix="passport-faults-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for p in [folder, *folder.rglob("*")]:
            with contextlib.suppress(OSError):
                p.chmod(0o700 if p.is_dir() else 0o600)
        shutil.rmtree(folder, ignore_errors=True)


AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _nobody_can_run() -> bool:
    if shutil.which("setpriv") is None:
        return False
    probe = subprocess.run([*AS_NOBODY, sys.executable, "-c", "import passport_tui"], capture_output=True)
    return probe.returncode == 0


needs_an_account_modes_stop = pytest.mark.skipif(
    os.geteuid() == 0 and not _nobody_can_run(),
    reason="running as root, whom file modes do not stop, and no ordinary account to run as",
)


def as_owner_without_write(paths: list[Path], modes: dict[Path, int]) -> dict[str, Any]:
    """Make ``paths`` read-only with ``modes`` for the account that runs the command: the files'
    owner, or (running as root, whom modes do not stop) an ordinary account that owns them."""
    extra: dict[str, Any] = {}
    if os.geteuid() == 0:
        for p in paths:
            os.chown(p, 65534, 65534)
        extra = {"prefix": AS_NOBODY, "env": {"HOME": "/tmp"}}
    for p, mode in modes.items():
        p.chmod(mode)
    return extra


@needs_an_account_modes_stop
@pytest.mark.slow
def test_a_read_only_file_refuses_writes_in_one_line_and_doctor_says_so(shared_folder):
    db = school_file(shared_folder)
    kw = as_owner_without_write([shared_folder, db], {db: 0o444})
    one_line(run_cli(db, "judge", "A3", "1N-1", "achieved", **kw), str(db), "read-only")
    shown = run_cli(db, "show", "A1", **kw)
    assert shown.returncode == 0, shown.stderr  # reading still works
    doctor_fails(run_cli(db, "doctor", **kw), "writable", str(db), "read-only")
    assert judgements(db) == 2


@needs_an_account_modes_stop
@pytest.mark.slow
def test_a_read_only_folder_is_one_line_and_doctor_says_so(shared_folder):
    folder = shared_folder / "data"
    folder.mkdir()
    db = school_file(folder)
    kw = as_owner_without_write([folder, db], {folder: 0o555})
    one_line(run_cli(db, "judge", "A3", "1N-1", "achieved", **kw), str(db), "read-only")
    doctor_fails(run_cli(db, "doctor", **kw), "writable", str(folder), "read-only")
    one_line(run_cli(folder / "new.db", "pupils", "list", **kw), str(folder / "new.db"), "can't be created")
    assert judgements(db) == 2


# --- a damaged file, and one that is not a database ---------------------------------------------


def damage(path: Path, table: str | None) -> None:
    """Overwrite with garbage the root page of ``table``'s B-tree, or (None) page 1 past the file
    header, where the schema itself is."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        page = (
            1
            if table is None
            else conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        )
    start = (page - 1) * size + (100 if page == 1 else 0)
    with open(path, "r+b") as f:
        f.seek(start)
        f.write(bytes((i * 37 + 11) % 256 for i in range(size - (start % size))))


@pytest.mark.slow
def test_a_damaged_table_is_one_line_and_doctor_fails_integrity(tmp_path):
    db = school_file(tmp_path)
    damage(db, "judgements")
    one_line(run_cli(db, "history", "A1"), str(db), "damaged", "passport restore")
    one_line(run_cli(db, "judge", "A3", "1N-1", "achieved"), str(db), "damaged")
    result = run_cli(db, "doctor")
    doctor_fails(result, "integrity", "restore")


@pytest.mark.slow
def test_a_damaged_schema_is_one_line_and_doctor_fails_integrity(tmp_path):
    db = school_file(tmp_path)
    damage(db, None)
    one_line(run_cli(db, "show", "A1"), str(db), "damaged")
    doctor_fails(run_cli(db, "doctor"), "integrity", "damaged")
    assert "Traceback" not in run_cli(db, "doctor", "--json").stderr


@pytest.mark.slow
def test_a_file_that_is_not_a_database_is_one_line(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("Shopping: milk, eggs, bread\n" * 400, encoding="utf-8")
    one_line(run_cli(db, "show", "A1"), str(db), "not a passport database")
    doctor_fails(run_cli(db, "doctor"), "integrity", "not a passport database")
    assert db.read_text(encoding="utf-8").startswith("Shopping")  # left as it was


# --- a full disk --------------------------------------------------------------------------------


def test_a_full_database_refuses_the_write_and_keeps_what_was_there(tmp_path):
    # PRAGMA max_page_count is SQLite's own limit: a real SQLITE_FULL on a real file
    db = school_file(tmp_path)
    with Service(Store.open(db), clock=fixed_clock) as svc:
        pages = svc.store.conn.execute("PRAGMA page_count").fetchone()[0]
        svc.store.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(DiskFull, match=f"the disk holding {db} is full"):
            svc.add_teacher_comment("A1", "A long comment. " * 2000)
        assert [n.text for n in svc.teacher_comments("A1")] == []
    assert judgements(db) == 2


def unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not unshare_works(), reason="needs unshare (a mount namespace) for a small tmpfs")
@pytest.mark.slow
def test_a_full_disk_is_one_line_for_the_cli_and_doctor(tmp_path):
    db = school_file(tmp_path)
    mnt, out = tmp_path / "mnt", tmp_path / "result"
    mnt.mkdir()
    # a small file system of its own, filled up: as a disk full on a school server
    script = """
set -e
mount -t tmpfs -o size=1m tmpfs "$MNT"
cp "$DB" "$MNT/school.db"
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
set +e
"$PY" -m passport_tui.cli --db "$MNT/school.db" judge A3 1N-1 achieved >"$OUT.judge.out" 2>"$OUT.judge.err"
echo $? >"$OUT.judge.rc"
"$PY" -m passport_tui.cli --db "$MNT/school.db" doctor >"$OUT.doctor.out" 2>"$OUT.doctor.err"
echo $? >"$OUT.doctor.rc"
"""
    env = {
        **os.environ,
        "PY": sys.executable,
        "MNT": str(mnt),
        "DB": str(db),
        "OUT": str(out),
        "NO_COLOR": "1",
    }
    subprocess.run(["unshare", "-rm", "sh", "-c", script], check=True, env=env, timeout=120)

    def result(cmd: str) -> subprocess.CompletedProcess:
        part = {k: Path(f"{out}.{cmd}.{k}").read_text() for k in ("rc", "out", "err")}
        return subprocess.CompletedProcess(cmd, int(part["rc"]), part["out"], part["err"])

    one_line(result("judge"), "disk holding", "is full")
    assert "Traceback" not in result("doctor").stderr
    doctor = result("doctor")
    assert doctor.returncode == 1
    assert "is full" in doctor.stdout + doctor.stderr


# --- doctor and the triggers' SQL ---------------------------------------------------------------


@pytest.mark.slow
def test_a_trigger_replaced_by_a_no_op_fails_doctor_and_rebuild_restores_it(tmp_path):
    db = school_file(tmp_path)
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER judgements_no_update")
        conn.execute("CREATE TRIGGER judgements_no_update BEFORE UPDATE ON judgements BEGIN SELECT 1; END")
        conn.execute("UPDATE judgements SET verdict = 'not_yet' WHERE verdict = 'achieved'")  # it lets it
        conn.execute("UPDATE judgements SET verdict = 'achieved' WHERE milestone_id = '1N-1' AND id = 1")
    doctor_fails(
        run_cli(db, "doctor"),
        "append_only",
        "not as the schema makes them: judgements_no_update",
        "passport doctor --rebuild",
    )
    rebuilt = run_cli(db, "doctor", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "Restored the append-only trigger(s): judgements_no_update." in rebuilt.stdout
    with (
        contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        conn.execute("UPDATE judgements SET verdict = 'not_yet'")
    assert run_cli(db, "doctor").returncode == 0


def test_only_an_admin_restores_the_triggers(tmp_path):
    db = school_file(tmp_path)
    with Service(Store.open(db), user="ms.hughes", clock=fixed_clock) as svc:
        svc.add_staff("ms.hughes", "Ms Hughes", "admin")
        svc.add_staff("mr.t", "Mr T", "teacher", ["1H"])
    with Service(Store.open(db), user="mr.t", clock=fixed_clock) as teacher, pytest.raises(NotAllowed):
        teacher.restore_triggers()


# --- the same, fast: the command line in this process ------------------------------------------


def invoke(db: Path, *args: str, env: dict[str, str] | None = None):
    from click.testing import CliRunner

    from passport_tui.cli import cli

    return CliRunner().invoke(cli, ["--db", str(db), *args], env=env)


def one_line_here(result, *words: str) -> str:
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_busy_damaged_and_not_a_database_each_end_in_one_line(tmp_path):
    db = school_file(tmp_path)
    with write_lock(db):
        assert (
            one_line_here(invoke(db, "judge", "A3", "1N-1", "achieved", env={"PASSPORT_BUSY_TIMEOUT": "0.2"}))
            == BUSY
        )
    damaged = school_file(tmp_path, "damaged.db")
    damage(damaged, "judgements")
    one_line_here(invoke(damaged, "history", "A1"), str(damaged), "damaged")
    result = invoke(damaged, "doctor")
    assert result.exit_code == 1 and "FAIL integrity" in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    schema = school_file(tmp_path, "schema.db")
    damage(schema, None)
    one_line_here(invoke(schema, "pupils", "list"), str(schema), "damaged")
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 400, encoding="utf-8")
    one_line_here(invoke(text, "show", "A1"), str(text), "not a passport database")
    assert "FAIL integrity" in invoke(text, "doctor").output


def test_doctor_compares_the_triggers_sql_and_rebuild_restores_it(tmp_path):
    db = school_file(tmp_path)
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER notes_no_delete")
        conn.execute("CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes BEGIN SELECT 1; END")
    result = invoke(db, "doctor")
    assert result.exit_code == 1
    assert "FAIL append_only: trigger(s) not as the schema makes them: notes_no_delete" in result.output
    result = invoke(db, "doctor", "--rebuild")
    assert result.exit_code == 0, result.output
    assert "Restored the append-only trigger(s): notes_no_delete." in result.output
    assert invoke(db, "doctor").exit_code == 0
