"""Backup, restore and doctor against real database files, including a backup taken while
another connection writes."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from passport_tui.cli import PassportGroup
from passport_tui.cli.maintenance import backup, doctor, restore
from passport_tui.models import Judgement, Verdict
from passport_tui.service import Service, maintenance
from passport_tui.store import MIGRATIONS, SCHEMA_VERSION, Store

from .conftest import small_school


def _judgement(pupil_id: int, i: int) -> Judgement:
    return Judgement(
        pupil_id=pupil_id,
        curriculum_id="maths",
        milestone_id="1N-1",
        verdict=Verdict.NOT_YET,
        by="ms.hughes",
        at=datetime(2026, 11, 23, 9, tzinfo=UTC),
        note=f"n{i}",
    )


def _sql(path: Path, statement: str) -> list[tuple[Any, ...]]:
    """Run one statement on its own connection, closed at once (an open one would make
    ``restore`` see the database as in use)."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        return conn.execute(statement).fetchall()


def _ids(path: Path) -> set[int]:
    return {r[0] for r in _sql(path, "SELECT id FROM judgements")}


def _integrity_ok(path: Path) -> bool:
    return _sql(path, "PRAGMA integrity_check") == [("ok",)]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "school.db"
    svc = small_school(path)
    pupil = svc.store.pupil("A1")
    assert pupil is not None and pupil.id is not None
    for i in range(5):
        svc.store.append_judgement(_judgement(pupil.id, i))
    svc.close()
    return path


# --- backup ----------------------------------------------------------------------------


@pytest.mark.parametrize("pages", [None, 1])
def test_backup_while_another_connection_writes(db: Path, tmp_path: Path, pages: int | None) -> None:
    committed: list[int] = []
    started = threading.Event()
    stop = threading.Event()

    def writer() -> None:
        with Store.open(db) as store:
            pupil = store.pupil("A2")
            assert pupil is not None and pupil.id is not None
            i = 0
            while not stop.is_set() and i < 2000:
                committed.append(store.append_judgement(_judgement(pupil.id, i)).id or 0)
                i += 1
                if i == 20:
                    started.set()
            started.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert started.wait(10)
        assert thread.is_alive()  # still writing while the backup runs
        with Store.open(db) as store:
            before = set(committed) | _ids(db)
            result = maintenance.backup(store, tmp_path / "copy.db", pages=pages)
    finally:
        stop.set()
        thread.join()
    copy = tmp_path / "copy.db"
    assert result.path == copy
    assert _integrity_ok(copy)
    assert before <= _ids(copy)
    assert result.judgements == len(_ids(copy))
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert not Path(f"{copy}-wal").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_backup_into_folder_and_refuses_itself(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    with Store.open(db) as store:
        result = maintenance.backup(store, folder)
        assert result.path.parent == folder and result.path.suffix == ".db"
        with pytest.raises(maintenance.MaintenanceError, match="database itself"):
            maintenance.backup(store, db)


# --- restore ---------------------------------------------------------------------------


def test_restore_round_trip(db: Path, tmp_path: Path) -> None:
    with Store.open(db) as store:
        saved = maintenance.backup(store, tmp_path / "saved.db")
    original = _ids(db)
    with Store.open(db) as store:  # more work after the backup, which the restore undoes
        store.append_judgement(_judgement(1, 99))
    assert len(_ids(db)) == len(original) + 1

    result = maintenance.restore(saved.path, db)
    assert _ids(db) == original
    assert result.previous is not None and len(_ids(result.previous)) == len(original) + 1
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert not Path(f"{db}-wal").exists()
    with Store.open(db) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert all(c.ok for c in maintenance.doctor(store))


def test_restore_refuses_bad_sources_and_a_database_in_use(db: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(maintenance.MaintenanceError, match="not a usable SQLite database"):
        maintenance.restore(junk, db)

    other = tmp_path / "other.db"
    _sql(other, "CREATE TABLE t (x)")
    with pytest.raises(maintenance.MaintenanceError, match="not a passport database"):
        maintenance.restore(other, db)

    newer = tmp_path / "newer.db"
    with Store.open(db) as store:
        maintenance.backup(store, newer)
    _sql(newer, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(maintenance.MaintenanceError, match="newer passport"):
        maintenance.restore(newer, db)

    good = tmp_path / "good.db"
    with Store.open(db) as store:
        maintenance.backup(store, good)
        store.append_judgement(_judgement(1, 6))  # not in the backup
        with pytest.raises(maintenance.MaintenanceError, match="in use"):
            maintenance.restore(good, db)
        assert store.conn.execute("SELECT count(*) FROM judgements").fetchone()[0] == 6
    assert len(_ids(db)) == 6
    assert not (tmp_path / "school.db.before-restore").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_restore_of_an_older_schema_is_migrated_on_open(db: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(old, isolation_level=None)) as conn:
        MIGRATIONS[0](conn)  # a database as the first passport wrote it
        conn.execute("PRAGMA user_version = 1")
    result = maintenance.restore(old, db)
    assert result.schema_version == 1
    assert _sql(db, "PRAGMA user_version") == [(1,)]
    with Store.open(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert all(c.ok for c in maintenance.doctor(store))


# --- doctor ----------------------------------------------------------------------------


def test_doctor_healthy(db: Path) -> None:
    with Store.open(db) as store:
        checks = maintenance.doctor(store)
    assert {c.name for c in checks} == {
        "integrity",
        "wal",
        "wal_size",
        "permissions",
        "writable",
        "schema",
        "foreign_keys",
        "append_only",
        "judged_milestones",
        "projections",
    }
    assert all(c.ok for c in checks), checks
    assert maintenance.verdict(checks).startswith("healthy")


def test_doctor_flags_permissions(db: Path) -> None:
    os.chmod(db, 0o644)
    with Store.open(db) as store:
        checks = {c.name: c for c in maintenance.doctor(store)}
    assert not checks["permissions"].ok
    assert "chmod 600" in checks["permissions"].detail
    assert "NOT healthy" in maintenance.verdict(list(checks.values()))


def test_doctor_flags_dropped_triggers(db: Path) -> None:
    _sql(db, "DROP TRIGGER judgements_no_update")
    _sql(db, "DROP TRIGGER judgements_no_delete")
    with Store.open(db) as store:
        checks = {c.name: c for c in maintenance.doctor(store)}
    assert not checks["append_only"].ok
    assert "judgements_no_update" in checks["append_only"].detail
    assert "judgements_no_delete" in checks["append_only"].detail
    assert all(c.ok for name, c in checks.items() if name != "append_only")


def test_doctor_finds_a_projection_out_of_step_and_rebuild_mends_it(db: Path) -> None:
    _sql(db, "DELETE FROM projections WHERE rowid = (SELECT min(rowid) FROM projections)")
    with Store.open(db) as store:
        checks = {c.name: c for c in maintenance.doctor(store)}
    assert not checks["projections"].ok and "passport doctor --rebuild" in checks["projections"].detail
    result = CliRunner().invoke(_root(db), ["doctor", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Rebuilt ")
    with Store.open(db) as store:
        assert all(c.ok for c in maintenance.doctor(store))


# --- the commands ----------------------------------------------------------------------


def _root(path: Path, as_: str | None = None) -> click.Group:
    @click.group(cls=PassportGroup)
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = {"db": str(path), "as": as_, "service": None, "class": None, "ascii": None, "mouse": True}

    root.add_command(backup)
    root.add_command(restore)
    root.add_command(doctor)
    return root


def test_cli_backup_doctor_restore(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    root = _root(db)
    copy = tmp_path / "copy.db"

    result = runner.invoke(root, ["backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output and "integrity check ok" in result.output
    assert _integrity_ok(copy)

    result = runner.invoke(root, ["doctor"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith("healthy: all 10 checks passed")

    result = runner.invoke(root, ["doctor", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["ok"] is True and len(data["checks"]) == 10

    os.chmod(db, 0o644)
    result = runner.invoke(root, ["doctor"])
    assert result.exit_code == 1
    assert "NOT healthy" in result.output.splitlines()[0]
    assert "FAIL permissions" in result.output
    assert json.loads(runner.invoke(root, ["doctor", "--json"]).output)["ok"] is False
    os.chmod(db, 0o600)

    with Service(Store.open(db)) as svc:
        svc.store.append_judgement(_judgement(1, 42))
    count = len(_ids(db))

    result = runner.invoke(root, ["restore", str(copy)])  # no stdin: refused
    assert result.exit_code == 1
    assert "--yes" in result.output
    assert len(_ids(db)) == count

    result = runner.invoke(root, ["restore", str(copy)], input="n\n")
    assert result.exit_code == 1 and "Not restored" in result.output
    assert len(_ids(db)) == count

    result = runner.invoke(root, ["restore", str(copy)], input="y\n")
    assert result.exit_code == 0, result.output
    assert len(_ids(db)) == count - 1

    result = runner.invoke(root, ["restore", "--yes", str(tmp_path / "school.db.before-restore")])
    assert result.exit_code == 0, result.output
    assert len(_ids(db)) == count


def test_cli_restore_refusal_is_one_line(db: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"x" * 4096)
    result = CliRunner().invoke(_root(db), ["restore", "--yes", str(junk)])
    assert result.exit_code == 1
    assert result.output.startswith("passport: ") and "not a usable SQLite database" in result.output


def test_cli_restore_needs_an_admin_once_staff_exist(db: Path, tmp_path: Path) -> None:
    with Service(Store.open(db), user="boss") as svc:
        svc.add_staff("boss", "The Head", "admin")
        svc.add_staff("t1", "A Teacher", "teacher", ["1H"])
        maintenance.backup(svc.store, tmp_path / "copy.db")
    ids = _ids(db)
    result = CliRunner().invoke(_root(db, as_="t1"), ["restore", "--yes", str(tmp_path / "copy.db")])
    assert result.exit_code == 1
    assert "Only an admin can restore a backup" in result.output
    assert _ids(db) == ids
    result = CliRunner().invoke(_root(db, as_="boss"), ["restore", "--yes", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
