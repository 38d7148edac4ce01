"""The store's schema and migrations over real files, its public names, and what opening a file
costs (DESIGN §5)."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from passport_tui import store as store_package
from passport_tui.engine import PupilRecord
from passport_tui.engine.projection import projection_of
from passport_tui.service import Service
from passport_tui.store import SCHEMA_VERSION, Store
from tests.conftest import fixed_clock

DATA = Path(__file__).parent / "data"


def shape(path: Path) -> dict[str, object]:
    """What a schema means, whoever wrote its SQL: per table the columns (name, type, NOT NULL,
    default, primary key), foreign keys, CHECK constraints (whitespace aside) and indexes (by
    columns: a UNIQUE column and a unique index are the same), and the triggers."""
    from sqlite_utils import Database

    db = Database(sqlite3.connect(path))
    tables: dict[str, object] = {}
    for table in db.tables:
        indexes = set()
        for _, name, unique, origin, _ in db.conn.execute(f"PRAGMA index_list('{table.name}')"):
            if origin != "pk":
                columns = tuple(row[2] for row in db.conn.execute(f"PRAGMA index_info('{name}')"))
                indexes.add((columns, bool(unique)))
        tables[table.name] = {
            "columns": db.conn.execute(f"PRAGMA table_info('{table.name}')").fetchall(),
            "foreign_keys": sorted(
                (fk.column, fk.other_table, fk.other_column, fk.on_delete) for fk in table.foreign_keys
            ),
            "checks": sorted((c.column, " ".join(c.check.split())) for c in table.checks),
            "indexes": indexes,
        }
    triggers = {t.name: " ".join(t.sql.split()) for t in db.triggers}
    db.close()
    return {"tables": tables, "triggers": triggers}


def test_a_new_file_and_a_migrated_one_have_the_same_schema(tmp_path: Path) -> None:
    for name in ("schema-v1.db", "schema-v3.db"):
        shutil.copy(DATA / name, tmp_path / name)
        Store.open(tmp_path / name).close()
    Store.open(tmp_path / "new.db").close()
    new = shape(tmp_path / "new.db")
    assert "projections" in new["tables"]  # type: ignore[operator]
    assert shape(tmp_path / "schema-v1.db") == new
    assert shape(tmp_path / "schema-v3.db") == new


def test_named_checks_are_declared_on_every_table_that_explains_them(tmp_path: Path) -> None:
    from passport_tui.store.refusals import CHECKS

    with Store.open(tmp_path / "new.db") as store:
        named = {c.name for table in store.db.tables for c in table.checks}
    assert set(CHECKS) <= named
    assert {"judgement_verdict", "pupil_sen", "staff_role"} <= named


# What the code before schema 4 showed for tests/data/schema-v3.db on 23 November 2026 (the
# fixed clock): per pupil, points now, at the end of the last two windows and at the start of
# the year; achieved (with dates), revisit, not yet, gaps and next steps.
V3_PASSPORTS = {
    "A1": (12, 11, 9, 11, ["1N-1", "1N-2", "1N-3"], ["1N-1"], [], [], ["2N-1"]),
    "A2": (10, 9, 9, 9, ["1N-1"], [], ["1N-2"], [], ["1N-2"]),
    "A3": (10, 9, 9, 9, ["1N-2"], [], [], ["1N-1"], ["1N-1", "1N-3"]),
    "A4": (9, 9, 9, 9, [], [], ["1N-1"], [], ["1N-1"]),
    "B1": (13, 13, 12, 13, ["1N-1", "1N-2", "1N-3", "2N-1"], [], [], ["2N-2", "2N-3"], ["2N-2"]),
    # B2 has no judgement at all: not assessed (before, 9 points and all six milestones as gaps)
    "B2": (None, None, None, None, [], [], [], [], ["1N-1"]),
}
V3_DATES = {
    "A1": {
        "1N-1": "2026-07-26T10:00:00+00:00",
        "1N-2": "2026-07-27T10:00:00+00:00",
        "1N-3": "2026-11-23T10:00:00+00:00",
    },
    "A2": {"1N-1": "2026-10-24T10:00:00+00:00"},
    "A3": {"1N-2": "2026-11-23T10:00:00+00:00"},
    "B1": {
        "1N-1": "2025-10-01T09:00:00+00:00",
        "1N-2": "2025-10-02T09:00:00+00:00",
        "1N-3": "2026-02-02T09:00:00+00:00",
        "2N-1": "2026-05-02T09:00:00+00:00",
    },
}


def test_a_database_from_schema_3_migrates_and_keeps_every_passport(tmp_path: Path) -> None:
    """tests/data/schema-v3.db was written by the code at schema 3 (before projections): six
    pupils on the small maths curriculum, judgements with a retraction, an override, a revisit
    and back-dated ones, a test score, a target, a teacher comment, a focus item, moderation,
    staff and a setting. It is kept as it was."""
    path = tmp_path / "v3.db"
    shutil.copy(DATA / "schema-v3.db", path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (3,)
    with Service(Store.open(path), user="ms.hughes", clock=fixed_clock) as svc:
        store = svc.store
        assert store.schema_version() == SCHEMA_VERSION == 11
        for upn, expected in V3_PASSPORTS.items():
            pupil = svc.pupil(upn)
            (cp,) = svc.passport(upn).curricula
            s = cp.standing
            record = svc.record(pupil.id or 0, "maths")
            assert (
                s.points,
                s.points_last_window,
                s.points_window_before,
                s.points_start_of_year,
                s.achieved,
                s.revisit,
                sorted(record.not_yet()),
                s.gaps,
                s.next,
            ) == expected, upn
            assert {m: t.isoformat() for m, t in cp.achieved_on.items()} == V3_DATES.get(upn, {})
        # the migration projected the log of every pupil with one (B2 has none); each
        # projection is the fold of that log
        projected = dict(store.projections("maths"))
        assert sorted(projected) == sorted(p.id for p in store.pupils() if p.upn != "B2")
        for pupil_id, value in projected.items():
            record = PupilRecord()
            for _, eid, m, verdict, at, corrects in store.event_rows("maths", [pupil_id]):
                record.apply_row(eid, m, verdict, datetime.fromisoformat(at), corrects)
            assert value == projection_of(record)
        assert store.stale_projections() == []
        # the rest came through too
        assert store.get_setting("school_name") == "Oak Lane Primary"
        assert [m[0] for m in store.staff()] == ["gov", "mr.khan", "ms.hughes"]
        assert [t.score for t in store.test_scores(history=True)] == [72.0, 85.0]
        assert [n.text for n in store.notes(svc.pupil("A1").id or 0)] == ["Ann counts confidently."]
        assert [e.action.value for e in store.moderation_events()] == ["sampled", "confirmed"]
        assert store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # and it takes new judgements, whose projections follow
        svc.judge("A4", "1N-1", "achieved")
        assert dict(store.projections("maths"))[svc.pupil("A4").id].achieved.keys() == {"1N-1"}


def test_every_name_the_store_module_exported_is_still_importable() -> None:
    names = [
        "APPEND_ONLY",
        "BULK_CACHE_KIB",
        "BULK_CHUNK",
        "BULK_MIN",
        "BUSY_TIMEOUT_S",
        "ENV_BUSY",
        "ENV_DB",
        "Erased",
        "ErasureLine",
        "EventRow",
        "JUDGEMENT_TUPLE",
        "MIGRATIONS",
        "MODERATION_APPEND_ONLY",
        "NOTES_APPEND_ONLY",
        "SCHEMA_VERSION",
        "Store",
        "ValueRefused",
        "busy_timeout",
        "default_db_path",
        "fault",
        "iso_utc",
        "parse_utc",
        "resolve_db_path",
    ]
    for name in names:
        assert hasattr(store_package, name), name
    assert set(store_package.__all__) == set(names)


def test_store_methods_keep_their_names() -> None:
    public = {
        "open", "close", "transaction", "schema_version", "others_changed", "last_change", "db", "path", "conn",
        "get_setting", "set_setting", "put_curriculum", "curricula", "curriculum", "upsert_pupils", "pupils",
        "pupil", "classes", "staff", "staff_member", "put_staff", "remove_staff", "append_judgement",
        "append_judgements", "judgements", "judgement", "judgements_by_id", "event_rows", "add_test_score",
        "add_test_scores", "set_target", "add_moderation", "pin_focus", "unpin_focus", "add_note", "test_scores",
        "targets", "current_targets", "current_target", "moderation_events", "achieved_judgements",
        "focus_items", "notes", "put_projection", "projections", "rebuild_projections", "stale_projections",
        "erase_pupil", "erasure_log", "set_left", "left_on", "leavers", "checkpoint",
    }  # fmt: skip
    with Store.open(":memory:") as store:
        assert {name for name in public if not hasattr(store, name)} == set()


OPEN_AND_READ = """
import sys, time
from datetime import UTC, datetime
t0 = time.perf_counter()
from passport_tui.store import Store
from passport_tui.models import Judgement, Verdict
t1 = time.perf_counter()
store = Store.open(sys.argv[1])
t2 = time.perf_counter()
store.get_setting("terms"); store.staff_member("ms.hughes"); store.curricula(); store.classes()
pupils = store.pupils("1H")
list(store.event_rows("maths", [p.id for p in pupils])); list(store.projections("maths"))
store.current_targets("maths", 2026); store.test_scores(curriculum_id="maths", academic_year=2026, term=1)
store.append_judgement(Judgement(pupil_id=pupils[0].id, curriculum_id="maths", milestone_id="1N-3",
    verdict=Verdict.NOT_YET, by="ms.hughes", at=datetime.now(UTC)))
print("sqlite_utils" in sys.modules, "click" in sys.modules)
"""


def test_opening_a_file_reading_the_first_grid_and_marking_never_import_sqlite_utils(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    shutil.copy(DATA / "schema-v3.db", path)
    Store.open(path).close()  # migrated here: the child opens a file at the current version
    out = subprocess.run(
        [sys.executable, "-c", OPEN_AND_READ, str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_migrating_imports_sqlite_utils(tmp_path: Path) -> None:
    """The other side of the test above: the child would notice an import if there were one."""
    path = tmp_path / "v3.db"
    shutil.copy(DATA / "schema-v3.db", path)
    out = subprocess.run(
        [sys.executable, "-c", OPEN_AND_READ, str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert out.split()[0] == "True"


@pytest.mark.parametrize("statement", ["UPDATE", "DELETE"])
def test_the_logs_stay_append_only_after_migration(tmp_path: Path, statement: str) -> None:
    path = tmp_path / "v3.db"
    shutil.copy(DATA / "schema-v3.db", path)
    with Store.open(path) as store:
        sql = {"UPDATE": "UPDATE {} SET \"by\" = 'x'", "DELETE": "DELETE FROM {}"}[statement]
        for table, message in (
            ("judgements", "judgement log"),
            ("moderation", "moderation log"),
            ("notes", "notes"),
        ):
            with pytest.raises(sqlite3.IntegrityError, match=re.escape(message)):
                store.conn.execute(sql.format(table))
