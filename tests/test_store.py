"""The store over real SQLite files (DESIGN §5)."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from passport_tui.errors import NotFound, PassportError
from passport_tui.models import (
    Curriculum,
    CurriculumHeader,
    Judgement,
    Milestone,
    Pupil,
    Sen,
    Stage,
    Strand,
    Verdict,
)
from passport_tui.store import MIGRATIONS, SCHEMA_VERSION, Store, default_db_path, resolve_db_path
from passport_tui.store import judgements as judgement_log

T0 = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)


def tiny_curriculum(id: str = "maths", version: str = "1", extra: int = 0) -> Curriculum:
    milestones = [
        Milestone(id="3N-1", strand="n", stage="Y3", title="Count in 4s"),
        Milestone(id="3N-2", strand="n", stage="Y3", title="Count in 8s", requires=["3N-1"]),
        Milestone(
            id="4N-1", strand="n", stage="Y4", title="Count in 6s", requires=["3N-2"], guidance="fluent"
        ),
    ]
    milestones += [Milestone(id=f"X-{i}", strand="n", stage="Y4", title=f"extra {i}") for i in range(extra)]
    return Curriculum(
        curriculum=CurriculumHeader(id=id, title=f"{id} title", version=version, source="tests"),
        stages=[Stage(id="Y3", title="Year 3", year=3), Stage(id="Y4", title="Year 4", years=[4])],
        strands=[Strand(id="n", title="Number")],
        milestones=milestones,
    )


def pupil(
    upn: str, last: str = "Smith", first: str = "Ann", class_name: str | None = "3B", **kw: object
) -> Pupil:
    return Pupil(
        upn=upn,
        first_name=first,
        last_name=last,
        year_group=3,
        academic_year=2026,
        class_name=class_name,
        **kw,
    )


def judgement(
    pupil_id: int, milestone: str = "3N-1", verdict: Verdict = Verdict.ACHIEVED, **kw: object
) -> Judgement:
    fields: dict[str, object] = {"curriculum_id": "maths", "by": "mrs.k", "at": T0} | kw
    return Judgement(pupil_id=pupil_id, milestone_id=milestone, verdict=verdict, **fields)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "school" / "data" / "passport.db"


@pytest.fixture
def store(db_path: Path):
    with Store.open(db_path) as s:
        yield s


@pytest.fixture
def two_pupils(store: Store) -> list[Pupil]:
    store.upsert_pupils([pupil("A1", "Smith"), pupil("A2", "Jones")])
    return store.pupils()


# --- the file --------------------------------------------------------------------------


def test_new_file_is_readable_by_its_owner_only(store: Store, db_path: Path) -> None:
    assert db_path.parent.is_dir()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    store.set_setting("x", 1)  # make sure the WAL file exists
    wal = db_path.with_name(db_path.name + "-wal")
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.touch()
    path.chmod(0o640)
    Store.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_pragmas_in_effect(store: Store) -> None:
    def pragma(name: str) -> object:
        return store.conn.execute(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 10_000
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_fresh_file_is_at_the_latest_schema(store: Store) -> None:
    assert store.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    assert set(store.db.table_names()) >= {"curricula", "milestones", "pupils", "judgements", "settings"}


def schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_version_1_file_migrates_to_latest(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO pupils (upn, first_name, last_name, year_group, academic_year) "
        "VALUES ('A1', 'Ann', 'Smith', 3, 2026)"
    )
    conn.commit()
    conn.close()
    with Store.open(old) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert [p.upn for p in s.pupils()] == ["A1"]
    Store.open(tmp_path / "fresh.db").close()
    assert schema(old) == schema(tmp_path / "fresh.db")
    with Store.open(old) as s:  # opening again changes nothing
        assert s.schema_version() == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(PassportError, match="newer passport"):
        Store.open(path)


def test_resolve_db_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PASSPORT_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(str(tmp_path / "cli.db")) == tmp_path / "cli.db"
    assert resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.setenv("PASSPORT_DB", "")
    assert resolve_db_path(None) == default_db_path()
    monkeypatch.delenv("PASSPORT_DB")
    assert resolve_db_path(None) == default_db_path()
    assert default_db_path().name == "passport.db"
    assert default_db_path().parent.name == "passport"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_db_path("~/x.db") == tmp_path / "x.db"


# --- the append-only log -------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE judgements SET verdict = 'not_yet'",
        "UPDATE judgements SET note = 'edited' WHERE id = 1",
        "DELETE FROM judgements",
        "DELETE FROM judgements WHERE id = 1",
        'INSERT OR REPLACE INTO judgements (id, pupil_id, curriculum_id, milestone_id, verdict, "by", at, '
        "recorded_at) VALUES (1, 1, 'maths', '3N-1', 'not_yet', 'x', 'x', 'x')",
        'INSERT INTO judgements (id, pupil_id, curriculum_id, milestone_id, verdict, "by", at, recorded_at) '
        "VALUES (1, 1, 'maths', '3N-1', 'not_yet', 'x', 'x', 'x') ON CONFLICT (id) DO UPDATE SET verdict = 'x'",
    ],
)
def test_log_refuses_changes_even_through_raw_sqlite3(
    store: Store, two_pupils: list[Pupil], db_path: Path, statement: str
) -> None:
    store.append_judgement(judgement(two_pupils[0].id or 0))
    raw = sqlite3.connect(db_path)  # no foreign_keys, no recursive_triggers: as the sqlite3 shell
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(statement)
    raw.rollback()
    raw.close()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute(statement)
    [j] = store.judgements(two_pupils[0].id or 0)
    assert (j.id, j.verdict, j.note) == (1, Verdict.ACHIEVED, None)


def test_failed_transaction_leaves_nothing(store: Store, two_pupils: list[Pupil]) -> None:
    pid = two_pupils[0].id or 0
    with pytest.raises(RuntimeError), store.transaction():
        store.append_judgement(judgement(pid))
        store.upsert_pupils([pupil("A3")])
        store.set_setting("term", "autumn")
        with store.transaction():  # joins the open one
            store.append_judgement(judgement(pid, "3N-2"))
        raise RuntimeError("boom")
    assert store.judgements(pid) == []
    assert store.pupil("A3") is None
    assert store.get_setting("term") is None
    assert not store.conn.in_transaction


def test_failed_bulk_import_leaves_nothing(store: Store, two_pupils: list[Pupil]) -> None:
    pid = two_pupils[0].id or 0
    rows = [(pid, "maths", "3N-1", "achieved", "t", T0, None, None, None)] * 5
    rows.append((pid, "maths", "3N-1", "emerging", "t", T0, None, None, None))
    with pytest.raises(sqlite3.IntegrityError):
        store.append_judgements(rows)
    with pytest.raises(NotFound):
        store.append_judgements([(999, "maths", "3N-1", "achieved", "t", T0, None, None, None)])
    assert store.judgements(pid) == []


def test_big_import_rebuilds_indexes_and_triggers(
    store: Store, two_pupils: list[Pupil], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(judgement_log, "BULK_MIN", 10)
    monkeypatch.setattr(judgement_log, "BULK_CHUNK", 7)
    before = store.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    pid = two_pupils[1].id or 0
    rows = (
        (pid, "maths", f"M{i}", "not_yet", "t", T0 + timedelta(seconds=i), None, None, None)
        for i in range(50)
    )
    assert store.append_judgements(rows) == 50
    assert store.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == before
    assert [m for _, _, m, *_ in store.event_rows("maths")] == [f"M{i}" for i in range(50)]
    # a failure after the indexes were dropped puts them back (the whole import rolls back)
    bad = [(pid, "maths", "M", "not_yet", "t", T0, None, None, None)] * 30 + [("x",)]
    with pytest.raises(ValueError, match="a judgement row has the fields"):
        store.append_judgements(bad)
    assert store.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == before
    assert len(store.judgements(pid)) == 50
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -2000


# --- round trips -----------------------------------------------------------------------


def test_curricula_round_trip_and_cache(store: Store) -> None:
    store.put_curriculum(tiny_curriculum("science"))
    store.put_curriculum(tiny_curriculum("maths"))
    assert [c.id for c in store.curricula()] == ["maths", "science"]
    maths = store.curriculum("maths")
    assert maths == tiny_curriculum("maths")
    assert store.curriculum("maths") is maths  # parsed once
    assert store.curriculum("nope") is None
    rows = store.conn.execute(
        "SELECT id, stage, strand, title, position FROM milestones WHERE curriculum_id = 'maths' ORDER BY position"
    ).fetchall()
    assert rows == [
        ("3N-1", "Y3", "n", "Count in 4s", 0),
        ("3N-2", "Y3", "n", "Count in 8s", 1),
        ("4N-1", "Y4", "n", "Count in 6s", 2),
    ]
    store.put_curriculum(tiny_curriculum("maths", version="2", extra=2))
    replaced = store.curriculum("maths")
    assert replaced is not maths and replaced == tiny_curriculum("maths", version="2", extra=2)
    count = "SELECT count(*) FROM milestones WHERE curriculum_id = 'maths'"
    assert store.conn.execute(count).fetchone()[0] == 5


def test_curriculum_replaced_by_another_connection_is_seen(store: Store, db_path: Path) -> None:
    store.put_curriculum(tiny_curriculum("maths"))
    assert len(store.curriculum("maths").milestones) == 3  # type: ignore[union-attr]
    with Store.open(db_path) as other:
        other.put_curriculum(tiny_curriculum("maths", extra=1))
    assert len(store.curriculum("maths").milestones) == 4  # type: ignore[union-attr]


def test_pupils_round_trip(store: Store) -> None:
    full = pupil(
        "A1",
        "O'Brien [Y6]",
        "Zoë",
        gender="F",
        pupil_premium=True,
        eal=True,
        sen=Sen.EHCP,
        fsm=True,
        dob=date(2017, 5, 4),
        tags=["g&t", "choir"],
    )
    assert store.upsert_pupils([full, pupil("A2", "adams", class_name=None)]) == (2, 0)
    got = store.pupil("A1")
    assert got is not None and got.id is not None
    assert got.model_copy(update={"id": None}) == full
    assert store.pupil(str(got.id)) == got
    assert store.pupil(got.id) == got
    assert store.pupil("nobody") is None
    assert store.pupil("999") is None
    assert [p.upn for p in store.pupils()] == ["A2", "A1"]  # adams before O'Brien, ignoring case


def test_upsert_matches_by_upn_and_keeps_ids(store: Store) -> None:
    assert store.upsert_pupils([pupil("A1", "Smith"), pupil("A2", "Jones")]) == (2, 0)
    ids = {p.upn: p.id for p in store.pupils()}
    moved = pupil("A1", "Smith", class_name="4C", id=12345)  # an id given is not used
    assert store.upsert_pupils([moved, pupil("A2", "Jones"), pupil("A3", "Brown")]) == (1, 1)
    after = {p.upn: p for p in store.pupils()}
    assert after["A1"].id == ids["A1"] and after["A1"].class_name == "4C"
    assert after["A2"].id == ids["A2"]
    assert store.classes() == [("3B", 2), ("4C", 1)]
    assert [p.upn for p in store.pupils("3B")] == ["A3", "A2"]
    assert store.pupils("nope") == []


def test_judgements_round_trip_with_aware_datetimes(store: Store, two_pupils: list[Pupil]) -> None:
    pid = two_pupils[0].id or 0
    paris = timezone(timedelta(hours=1))
    first = store.append_judgement(
        judgement(pid, at=datetime(2026, 11, 23, 10, 15, tzinfo=paris), note="book p4")
    )
    assert first.id is not None and first.recorded_at is not None
    assert first.recorded_at.tzinfo is not None
    retraction = judgement(
        pid,
        verdict=Verdict.RETRACTED,
        reason="wrong child",
        corrects=first.id,
        at=T0 + timedelta(minutes=5, microseconds=250),
        recorded_at=T0 + timedelta(minutes=6),
    )
    second = store.append_judgement(retraction)
    other = store.append_judgement(judgement(pid, curriculum_id="science"))
    got = store.judgements(pid, "maths")
    assert [j.id for j in got] == [first.id, second.id]
    assert got[0].at == T0 and got[0].at.utcoffset() == timedelta(0)
    assert got[0] == first.model_copy(update={"at": T0})
    assert got[1] == second
    assert got[1].recorded_at == T0 + timedelta(minutes=6)
    assert [j.id for j in store.judgements(pid)] == [first.id, second.id, other.id]
    assert store.judgements(two_pupils[1].id or 0) == []
    raw = store.conn.execute("SELECT at, recorded_at FROM judgements WHERE id = ?", (second.id,)).fetchone()
    assert raw == ("2026-11-23T09:20:00.000250+00:00", "2026-11-23T09:21:00+00:00")


def test_naive_datetimes_and_unknown_references_are_refused(store: Store, two_pupils: list[Pupil]) -> None:
    pid = two_pupils[0].id or 0
    with pytest.raises(ValueError, match="no time zone"):
        store.append_judgement(judgement(pid, at=datetime(2026, 11, 23, 9, 15)))
    with pytest.raises(ValueError, match="no time zone"):
        store.append_judgements(
            [(pid, "maths", "3N-1", "achieved", "t", "2026-11-23T09:15:00", None, None, None)]
        )
    with pytest.raises(NotFound, match="no pupil with id 999"):
        store.append_judgement(judgement(999))
    with pytest.raises(NotFound, match="no judgement 77"):
        store.append_judgement(judgement(pid, verdict=Verdict.RETRACTED, corrects=77))
    assert store.judgements(pid) == []


def test_bulk_append_accepts_models_and_tuples(store: Store, two_pupils: list[Pupil]) -> None:
    a, b = (p.id or 0 for p in two_pupils)
    rows = [
        judgement(a, "3N-1"),
        (b, "maths", "3N-1", "achieved", "t", "2026-11-23T10:15:00+01:00", "n", None, None),
        (a, "maths", "3N-2", "not_yet", "t", T0, None, None, None, "2026-11-24T00:00:00+00:00"),
        (b, "maths", "3N-1", "retracted", "t", "2026-11-23T09:16:00+00:00", None, "oops", 2),
    ]
    assert store.append_judgements(rows) == 4
    assert store.append_judgements([]) == 0
    got = store.judgements(b)
    assert [(j.verdict, j.at, j.note, j.corrects) for j in got] == [
        (Verdict.ACHIEVED, T0, "n", None),
        (Verdict.RETRACTED, T0 + timedelta(minutes=1), None, 2),
    ]
    assert store.judgements(a)[1].recorded_at == datetime(2026, 11, 24, tzinfo=UTC)


def test_event_rows_by_pupil_then_id(store: Store) -> None:
    store.upsert_pupils([pupil(f"U{i}", f"P{i}") for i in range(1, 5)])
    ids = sorted(p.id or 0 for p in store.pupils())
    rows = []
    for k in range(12):
        pid = ids[(k * 3) % 4]
        rows.append((pid, "maths" if k % 5 else "science", f"M{k}", "achieved", "t", T0, None, None, None))
    store.append_judgements(rows)
    events = list(store.event_rows("maths"))
    assert events == sorted(events, key=lambda e: (e[0], e[1]))
    assert len(events) == sum(1 for r in rows if r[1] == "maths")
    first = events[0]
    assert first == (ids[0], first[1], first[2], "achieved", "2026-11-23T09:15:00+00:00", None)
    some = list(store.event_rows("maths", [ids[2], ids[0], ids[2]]))
    assert some == [e for e in events if e[0] in (ids[0], ids[2])]
    assert list(store.event_rows("maths", [])) == []
    assert list(store.event_rows("nope")) == []
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT pupil_id, id, milestone_id, verdict, at, corrects FROM judgements "
        "INDEXED BY judgements_pupil WHERE curriculum_id = ? AND pupil_id IN (SELECT id FROM pupils) "
        "ORDER BY pupil_id, id",
        ("maths",),
    ).fetchall()
    details = " ".join(row[3] for row in plan)
    assert "COVERING INDEX judgements_pupil" in details and "TEMP B-TREE" not in details


# --- settings and change detection -----------------------------------------------------


def test_settings(store: Store) -> None:
    assert store.get_setting("windows") is None
    assert store.get_setting("windows", {"autumn": 9}) == {"autumn": 9}
    store.set_setting("windows", {"spring": [1, 1]})
    store.set_setting("windows", {"spring": [1, 6]})
    assert store.get_setting("windows") == {"spring": [1, 6]}


def test_last_change_sees_commits_here_and_elsewhere(store: Store, db_path: Path) -> None:
    start = store.last_change()
    assert store.last_change() == start
    store.set_setting("a", 1)
    mine = store.last_change()
    assert mine != start
    assert store.last_change() == mine
    with Store.open(db_path) as other:
        other.upsert_pupils([pupil("Z9")])
        seen_by_other = other.last_change()
        theirs = store.last_change()
        assert theirs != mine
        assert store.last_change() == theirs
        store.set_setting("b", 2)
        assert other.last_change() != seen_by_other


def test_in_memory_store() -> None:
    with Store.open(":memory:") as s:
        s.upsert_pupils([pupil("A1")])
        assert s.path is None and [p.upn for p in s.pupils()] == ["A1"]
    assert not Path(":memory:").exists()


def test_concurrent_writers_lose_nothing(db_path: Path, store: Store, two_pupils: list[Pupil]) -> None:
    pid = two_pupils[0].id or 0
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            with Store.open(db_path) as own:
                for i in range(30):
                    own.append_judgement(judgement(pid, f"{name}-{i}", Verdict.NOT_YET))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.judgements(pid)) == 90


def test_others_changed_sees_only_other_connections(tmp_path):
    from passport_tui.store import Store

    path = tmp_path / "x.db"
    a, b = Store.open(path), Store.open(path)
    before = a.others_changed()
    a.set_setting("k", 1)  # our own commit
    assert a.others_changed() == before
    b.set_setting("k", 2)  # another connection's
    assert a.others_changed() != before
    a.close()
    b.close()


def test_a_database_from_the_first_released_schema_opens_and_migrates(tmp_path):
    """tests/data/schema-v1.db was made by schema version 1 (the first release) and is kept as it was."""
    import shutil
    from pathlib import Path

    from passport_tui.service import Service
    from passport_tui.store import SCHEMA_VERSION, Store
    from tests.conftest import fixed_clock

    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "data" / "schema-v1.db", path)
    with Service(Store.open(path), user="t", clock=fixed_clock) as svc:
        assert svc.store.schema_version() == SCHEMA_VERSION
        (cp,) = svc.passport("A1").curricula
        assert cp.standing.achieved == ["1N-1", "1N-2"] and cp.standing.next == ["1N-3"]
        svc.record_test("A1", "maths", 70)  # a table the first release did not have
        assert [h.verdict.value for h in svc.history("A1")] == ["achieved", "not_yet", "achieved"]
