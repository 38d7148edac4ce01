"""``passport demo`` rebuilds its own file only when no other program has it open: never deletes
``demo.db`` and its WAL under a running app (which would then accept marks that are lost)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.service.demo import fresh_demo_file
from passport_tui.store import Store
from passport_tui.store.claim import FileInUse, remove_unused_database

# a second process with the database open as the app has it: the service on the store, a read
# done, then idle until told to go
HOLDER = textwrap.dedent(
    """
    import sys
    from passport_tui.service import Service
    from passport_tui.store import Store

    svc = Service(Store.open(sys.argv[1]), user="ms.hughes")
    svc.pupils()
    print("open", flush=True)
    sys.stdin.readline()
    svc.close()
    """
)


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch) -> Path:
    """The user's data folder, where the demo's own file lives."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PASSPORT_DB", raising=False)
    return tmp_path / "data" / "passport"


def a_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(path)
    store.conn.execute("CREATE TABLE IF NOT EXISTS marker (x)")
    store.conn.execute("INSERT INTO marker VALUES (42)")
    store.close()


class Holder:
    """Another process with the file open, until the ``with`` ends."""

    def __init__(self, path: Path, script: str = HOLDER):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __enter__(self):
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "open"
        return self

    def __exit__(self, *exc):
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def marker(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT x FROM marker").fetchone()[0]
    finally:
        conn.close()  # (a connection's ``with`` commits; it does not close)


def test_demo_refuses_while_the_app_has_the_demo_open(data_home):
    demo = data_home / "demo.db"
    a_database(demo)
    with Holder(demo):
        assert Path(f"{demo}-wal").exists() and Path(f"{demo}-shm").exists()
        result = CliRunner().invoke(cli, ["demo", "--no-tui"])
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            f"passport: The demo database {demo} is open in another program (passport, probably): "
            "close it there, then run passport demo again."
        ]
        # nothing was deleted under it: the file and its WAL are there, and it still reads
        assert demo.exists() and Path(f"{demo}-wal").exists()
        assert marker(demo) == 42
    # once the other program has closed it, the file is the demo's to rebuild
    assert fresh_demo_file() == demo
    assert not any(Path(f"{demo}{s}").exists() for s in ("", "-wal", "-shm", "-journal"))


def test_a_plain_sqlite_connection_counts_as_open(tmp_path):
    path = tmp_path / "demo.db"
    a_database(path)
    script = textwrap.dedent(
        """
        import sqlite3, sys
        conn = sqlite3.connect(sys.argv[1])
        conn.execute("SELECT count(*) FROM marker").fetchone()
        print("open", flush=True)
        sys.stdin.readline()
        """
    )
    with Holder(path, script), pytest.raises(FileInUse):
        remove_unused_database(path, timeout=0.1)
    assert marker(path) == 42
    remove_unused_database(path)
    assert not path.exists()


def test_a_file_that_is_not_a_database_or_not_there_is_simply_removed(tmp_path):
    junk = tmp_path / "demo.db"
    junk.write_bytes(b"not a database at all" * 100)
    Path(f"{junk}-wal").write_bytes(b"stale")
    remove_unused_database(junk)
    assert not junk.exists() and not Path(f"{junk}-wal").exists()
    remove_unused_database(tmp_path / "never.db")  # nothing to remove: no error


def test_the_demo_leaves_staff_already_set_up_as_they_are(tmp_path: Path) -> None:
    """A school tries the demo on its server after setting up its staff (the README's steps):
    Ms Hughes stays the teacher of 4O only; the demo adds only the staff it does not find."""
    db = tmp_path / "school.db"
    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(cli, ["--db", str(db), *args])
        assert result.exit_code == 0, result.output

    run("init")
    run("staff", "add", "head", "--name", "Mrs Head", "--role", "admin")
    run(
        "--as",
        "head",
        "staff",
        "add",
        "ms.hughes",
        "--name",
        "Ms Hughes",
        "--role",
        "teacher",
        "--class",
        "4O",
    )
    run("--as", "head", "demo", "--no-tui")
    with Store.open(db) as store:
        staff = {m[0]: m for m in store.staff()}
    assert staff["ms.hughes"][2:] == ("teacher", ["4O"])
    assert staff["head"][2] == "admin" and "mr.okafor" in staff
