"""The store's termly records (schema 2) over real SQLite files: test scores, targets,
moderation, learning-plan focus and notes (DESIGN §2.7–§2.12, §5, §8)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pydantic
import pytest

from passport_tui.errors import NotFound, PassportError
from passport_tui.models import (
    FocusItem,
    Judgement,
    ModerationAction,
    ModerationEvent,
    Note,
    NoteKind,
    Pupil,
    Target,
    TestScore,
    Verdict,
)
from passport_tui.store import MIGRATIONS, SCHEMA_VERSION, Store, ValueRefused

T0 = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
YEAR = 2026


def pupil(upn: str, last: str) -> Pupil:
    return Pupil(upn=upn, first_name="Ann", last_name=last, year_group=3, academic_year=YEAR, class_name="3B")


def score(pupil_id: int, value: float, term: int = 1, **kw: Any) -> TestScore:
    fields: dict[str, Any] = {
        "curriculum_id": "maths",
        "academic_year": YEAR,
        "by": "mrs.k",
        "at": T0,
    } | kw
    return TestScore(pupil_id=pupil_id, term=term, score=value, **fields)


def target(pupil_id: int, points: int | None = 14, **kw: Any) -> Target:
    fields: dict[str, Any] = {
        "curriculum_id": "maths",
        "academic_year": YEAR,
        "reason": "catching up after a long absence",
        "by": "mrs.k",
        "at": T0,
    } | kw
    return Target(pupil_id=pupil_id, points=points, **fields)


def judgement(pupil_id: int, milestone: str, verdict: Verdict = Verdict.ACHIEVED, **kw: Any) -> Judgement:
    fields: dict[str, Any] = {"curriculum_id": "maths", "by": "mrs.k", "at": T0} | kw
    return Judgement(pupil_id=pupil_id, milestone_id=milestone, verdict=verdict, **fields)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "passport.db"


@pytest.fixture
def store(db_path: Path):
    with Store.open(db_path) as s:
        yield s


@pytest.fixture
def ids(store: Store) -> list[int]:
    """Two pupils' ids: Smith, then Jones."""
    store.upsert_pupils([pupil("A1", "Smith"), pupil("A2", "Jones")])
    by_upn = {p.upn: p.id or 0 for p in store.pupils()}
    return [by_upn["A1"], by_upn["A2"]]


def count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()


# --- the schema ------------------------------------------------------------------------


def test_version_1_file_migrates_to_version_2(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO pupils (upn, first_name, last_name, year_group, academic_year) "
        "VALUES ('A1', 'Ann', 'Smith', 3, 2026)"
    )
    conn.execute(
        'INSERT INTO judgements (pupil_id, curriculum_id, milestone_id, verdict, "by", at, recorded_at) '
        "VALUES (1, 'maths', '3N-1', 'achieved', 'mrs.k', '2026-11-23T09:15:00+00:00', "
        "'2026-11-23T09:15:00+00:00')"
    )
    conn.commit()
    conn.close()
    with Store.open(old) as s:
        assert SCHEMA_VERSION >= 2
        assert s.schema_version() == SCHEMA_VERSION
        assert set(s.db.table_names()) >= {"test_scores", "targets", "moderation", "focus", "notes"}
        # the v1 data is still there and the new tables take rows about it
        [j] = s.judgements(1)
        assert s.add_test_score(score(1, 72.5)).id == 1
        s.add_moderation(
            ModerationEvent(judgement_id=j.id or 0, action=ModerationAction.SAMPLED, by="mr.t", at=T0)
        )
        assert [e.judgement_id for e in s.moderation_events()] == [j.id]
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    Store.open(tmp_path / "fresh.db").close()
    assert schema(old) == schema(tmp_path / "fresh.db")
    with Store.open(old) as s:  # opening again changes nothing
        assert s.schema_version() == SCHEMA_VERSION
        assert len(s.test_scores()) == 1


def test_school_wide_queries_use_their_indexes(store: Store) -> None:
    def plan(sql: str, *params: object) -> str:
        return " | ".join(row[-1] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))

    assert "test_scores_school" in plan(
        "SELECT max(id) FROM test_scores WHERE curriculum_id = ? AND academic_year = ? AND term = ? "
        "GROUP BY pupil_id, curriculum_id, academic_year, term",
        "maths",
        YEAR,
        1,
    )
    assert "targets_school" in plan(
        "SELECT max(id) FROM targets WHERE curriculum_id = ? AND academic_year = ? GROUP BY pupil_id",
        "maths",
        YEAR,
    )
    assert "test_scores_pupil" in plan("SELECT * FROM test_scores WHERE pupil_id = ?", 1)
    assert "focus_pupil" in plan("SELECT * FROM focus WHERE pupil_id = ? ORDER BY id", 1)
    assert "notes_pupil" in plan("SELECT * FROM notes WHERE pupil_id = ? ORDER BY id", 1)
    assert "moderation_judgement" in plan("SELECT * FROM moderation WHERE judgement_id = ?", 1)


def test_models_forbid_unknown_fields() -> None:
    with pytest.raises(pydantic.ValidationError):
        TestScore(pupil_id=1, curriculum_id="m", academic_year=YEAR, term=1, score=50, by="x", at=T0, pct=5)  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        Note(pupil_id=1, text="x", by="x", at=T0, colour="red")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        ModerationEvent(judgement_id=1, action="approved", by="x", at=T0)  # type: ignore[arg-type]
    # the vocabularies accept their plain strings, as a file or a form gives them
    event = ModerationEvent.model_validate({"judgement_id": 1, "action": "queried", "by": "x", "at": T0})
    assert event.action is ModerationAction.QUERIED
    assert Note.model_validate(
        {"pupil_id": 1, "kind": "teacher comment", "text": "x", "by": "x", "at": T0}
    ).kind is (NoteKind.TEACHER_COMMENT)


# --- test scores -----------------------------------------------------------------------


def test_test_score_round_trip_with_aware_datetimes(store: Store, ids: list[int]) -> None:
    paris = timezone(timedelta(hours=1))
    saved = store.add_test_score(score(ids[0], 64, note="arithmetic paper", at=T0.astimezone(paris)))
    assert saved.id is not None
    [back] = store.test_scores(ids[0])
    assert back == saved.model_copy(update={"at": T0})
    assert back.at.tzinfo is UTC
    assert store.conn.execute("SELECT at FROM test_scores").fetchone()[0] == "2026-11-23T09:15:00+00:00"
    with pytest.raises(ValueError, match="no time zone"):
        store.add_test_score(score(ids[0], 50, at=datetime(2026, 11, 23, 9, 0)))
    assert count(store, "test_scores") == 1


def test_a_later_test_score_supersedes_and_history_is_kept(store: Store, ids: list[int]) -> None:
    a, b = ids
    first = store.add_test_score(score(a, 40, term=1))
    store.add_test_score(score(a, 70, term=2))
    store.add_test_score(score(b, 90, term=1))
    second = store.add_test_score(score(a, 55, term=1, at=T0 + timedelta(days=1), note="re-marked"))
    store.add_test_score(score(a, 30, term=1, curriculum_id="reading"))
    store.add_test_score(score(a, 20, term=1, academic_year=YEAR - 1))

    latest = store.test_scores(a, "maths", YEAR)
    assert [(s.term, s.score) for s in latest] == [(1, 55), (2, 70)]
    assert latest[0].id == second.id
    history = store.test_scores(a, "maths", YEAR, 1, history=True)
    assert [s.id for s in history] == [first.id, second.id]
    # the whole school in a window
    assert [
        (s.pupil_id, s.score) for s in store.test_scores(curriculum_id="maths", academic_year=YEAR, term=1)
    ] == [
        (a, 55),
        (b, 90),
    ]
    assert len(store.test_scores()) == 5
    assert len(store.test_scores(history=True)) == 6
    assert [s.curriculum_id for s in store.test_scores(a, academic_year=YEAR, term=1)] == ["maths", "reading"]
    assert store.test_scores(a, term=3) == []


def test_bulk_test_scores_are_all_or_nothing(store: Store, ids: list[int]) -> None:
    assert (
        store.add_test_scores([score(i, 50 + n, term=t) for n, i in enumerate(ids) for t in (1, 2, 3)]) == 6
    )
    assert store.add_test_scores([]) == 0
    bad = [score(ids[0], 80), score(ids[1], 120), score(ids[0], 90)]
    with pytest.raises(
        ValueRefused, match=r"^Test score 2: A test score is a percent from 0 to 100, not 120\.0\.$"
    ):
        store.add_test_scores(bad)
    with pytest.raises(NotFound, match=r"^Test score 2: There is no pupil with id 999\.$"):
        store.add_test_scores(iter([score(ids[0], 80), score(999, 50)]))
    assert count(store, "test_scores") == 6
    assert [s.score for s in store.test_scores(ids[0], term=1)] == [50]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"term": 4}, "A test score's term is 1 (autumn), 2 (spring) or 3 (summer), not 4."),
        ({"term": 0}, "A test score's term is 1 (autumn), 2 (spring) or 3 (summer), not 0."),
        ({"score": 100.5}, "A test score is a percent from 0 to 100, not 100.5."),
        ({"score": -1.0}, "A test score is a percent from 0 to 100, not -1.0."),
        ({"score": float("nan")}, "A test score needs a score."),
        ({"pupil_id": 999}, "There is no pupil with id 999."),
    ],
)
def test_bad_test_scores_are_refused_with_one_line(
    store: Store, ids: list[int], change: dict[str, object], message: str
) -> None:
    bad = score(ids[0], 50).model_copy(update=change)
    with pytest.raises(PassportError) as refused:
        store.add_test_score(bad)
    assert str(refused.value) == message
    assert isinstance(refused.value, NotFound if "pupil_id" in change else ValueRefused)
    assert count(store, "test_scores") == 0


def test_edge_scores_are_accepted(store: Store, ids: list[int]) -> None:
    store.add_test_scores([score(ids[0], 0, term=1), score(ids[0], 100, term=3)])
    assert [s.score for s in store.test_scores(ids[0])] == [0, 100]


def test_check_constraints_hold_for_raw_sqlite3(store: Store, ids: list[int], db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    for statement in [
        'INSERT INTO test_scores (pupil_id, curriculum_id, academic_year, term, score, "by", at) '
        "VALUES (1, 'maths', 2026, 1, 'lots', 'x', 'x')",
        'INSERT INTO targets (pupil_id, curriculum_id, academic_year, points, reason, "by", at) '
        "VALUES (1, 'maths', 2026, 'ten', 'r', 'x', 'x')",
        'INSERT INTO targets (pupil_id, curriculum_id, academic_year, milestones, reason, "by", at) '
        "VALUES (1, 'maths', 2026, 'not json', 'r', 'x', 'x')",
        'INSERT INTO targets (pupil_id, curriculum_id, academic_year, milestones, reason, "by", at) '
        "VALUES (1, 'maths', 2026, '{\"a\": 1}', 'r', 'x', 'x')",
        'INSERT INTO targets (pupil_id, curriculum_id, academic_year, points, due, reason, "by", at) '
        "VALUES (1, 'maths', 2026, 14, '2027-02-30', 'r', 'x', 'x')",
        'INSERT INTO focus (pupil_id, curriculum_id, milestone_id, "by", at, active) '
        "VALUES (1, 'maths', '3N-1', 'x', 'x', 2)",
        "INSERT INTO notes (pupil_id, kind, text, \"by\", at) VALUES (1, 'gossip', 'hi', 'x', 'x')",
    ]:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            raw.execute(statement)
    raw.close()


# --- targets ---------------------------------------------------------------------------


def test_targets_keep_their_history_and_the_newest_is_current(store: Store, ids: list[int]) -> None:
    a, b = ids
    first = store.set_target(target(a, 14))
    second = store.set_target(
        target(
            a,
            None,
            milestones=["3N-1", "3N-2"],
            due=date(2027, 3, 31),
            reason="secure counting first",
            at=T0 + timedelta(days=7),
        )
    )
    store.set_target(target(b, 16, reason="ahead of the class"))
    store.set_target(target(a, 30, curriculum_id="reading"))
    last_year = store.set_target(target(a, 10, academic_year=YEAR - 1))

    assert second.id is not None and first.id is not None and second.id > first.id
    assert [t.id for t in store.targets(a, "maths")] == [first.id, second.id, last_year.id]
    assert [t.points for t in store.targets(a)] == [14, None, 30, 10]
    back = store.targets(a, "maths")[1]
    assert back == second
    assert (back.milestones, back.due, back.clears) == (["3N-1", "3N-2"], date(2027, 3, 31), False)

    current = store.current_targets("maths", YEAR)
    assert sorted(current) == [a, b]
    assert current[a] == second
    assert current[b].points == 16
    assert store.current_targets("maths", YEAR - 1)[a].points == 10
    assert store.current_targets("science", YEAR) == {}
    assert store.current_target(a, "maths", YEAR) == second
    assert store.current_target(b, "reading", YEAR) is None


def test_a_target_with_neither_points_nor_milestones_clears_to_the_default(
    store: Store, ids: list[int]
) -> None:
    a, b = ids
    store.set_target(target(a, 14))
    store.set_target(target(b, 16))
    cleared = store.set_target(target(a, None, reason="back on track", at=T0 + timedelta(days=30)))
    assert cleared.clears
    assert list(store.current_targets("maths", YEAR)) == [b]
    assert store.current_target(a, "maths", YEAR) is None
    assert [t.clears for t in store.targets(a)] == [False, True]  # the history keeps both
    store.set_target(target(a, 15))
    assert store.current_targets("maths", YEAR)[a].points == 15


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": "  "}, "A personal target needs a reason."),
        ({"points": -3}, "A target's points are a whole number, 0 or more, not -3."),
        ({"points": None, "milestones": []}, "A milestone target lists one or more milestone ids, not []."),
        ({"pupil_id": 42}, "There is no pupil with id 42."),
    ],
)
def test_bad_targets_are_refused(
    store: Store, ids: list[int], change: dict[str, object], message: str
) -> None:
    with pytest.raises(PassportError) as refused:
        store.set_target(target(ids[0]).model_copy(update=change))
    assert str(refused.value) == message
    assert count(store, "targets") == 0


# --- moderation ------------------------------------------------------------------------


@pytest.fixture
def achieved(store: Store, ids: list[int]) -> list[Judgement]:
    """Achieved judgements: Smith 3N-1 (Sep), 3N-2 (Nov), reading R-1 (Nov); Jones 3N-1 (Dec)."""
    a, b = ids
    return [
        store.append_judgement(judgement(a, "3N-1", at=datetime(2026, 9, 20, tzinfo=UTC))),
        store.append_judgement(judgement(a, "3N-2", at=datetime(2026, 11, 2, tzinfo=UTC))),
        store.append_judgement(
            judgement(a, "R-1", curriculum_id="reading", at=datetime(2026, 11, 3, tzinfo=UTC))
        ),
        store.append_judgement(judgement(b, "3N-1", at=datetime(2026, 12, 1, tzinfo=UTC))),
    ]


def test_moderation_log_round_trip(store: Store, achieved: list[Judgement]) -> None:
    j1, j2, *_ = achieved
    sampled = store.add_moderation(
        ModerationEvent(judgement_id=j1.id or 0, action=ModerationAction.SAMPLED, by="mr.t", at=T0)
    )
    store.add_moderation(
        ModerationEvent(judgement_id=j2.id or 0, action=ModerationAction.SAMPLED, by="mr.t", at=T0)
    )
    queried = store.add_moderation(
        ModerationEvent(
            judgement_id=j1.id or 0,
            action=ModerationAction.QUERIED,
            by="mr.t",
            at=T0 + timedelta(hours=1),
            note="no evidence of 8s",
        )
    )
    assert sampled.id is not None and queried.id is not None
    events = store.moderation_events()
    assert [(e.judgement_id, e.action) for e in events] == [
        (j1.id, ModerationAction.SAMPLED),
        (j2.id, ModerationAction.SAMPLED),
        (j1.id, ModerationAction.QUERIED),
    ]
    assert events[2] == queried
    assert events[2].at.tzinfo is UTC
    assert store.moderation_events([j1.id or 0]) == [sampled, queried]
    assert store.moderation_events([]) == []
    assert store.moderation_events(iter([j2.id or 0, j2.id or 0])) == [events[1]]


def test_bad_moderation_is_refused(store: Store, achieved: list[Judgement]) -> None:
    with pytest.raises(NotFound, match=r"^There is no judgement 999\.$"):
        store.add_moderation(
            ModerationEvent(judgement_id=999, action=ModerationAction.CONFIRMED, by="mr.t", at=T0)
        )
    sloppy = ModerationEvent.model_construct(
        judgement_id=achieved[0].id, action="approved", by="mr.t", at=T0, note=None
    )
    with pytest.raises(
        ValueRefused,
        match=r"^A moderation action is sampled, confirmed, queried or resolved, not 'approved'\.$",
    ):
        store.add_moderation(sloppy)
    assert count(store, "moderation") == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE moderation SET action = 'confirmed'",
        "UPDATE moderation SET note = 'edited' WHERE id = 1",
        "DELETE FROM moderation",
        "DELETE FROM moderation WHERE id = 1",
        'INSERT OR REPLACE INTO moderation (id, judgement_id, action, "by", at) '
        "VALUES (1, 1, 'confirmed', 'x', 'x')",
    ],
)
def test_moderation_log_refuses_changes_even_through_raw_sqlite3(
    store: Store, achieved: list[Judgement], db_path: Path, statement: str
) -> None:
    store.add_moderation(
        ModerationEvent(judgement_id=achieved[0].id or 0, action=ModerationAction.SAMPLED, by="mr.t", at=T0)
    )
    raw = sqlite3.connect(db_path)  # no foreign_keys, no recursive_triggers: as the sqlite3 shell
    with pytest.raises(sqlite3.IntegrityError, match="the moderation log is append-only"):
        raw.execute(statement)
    raw.rollback()
    raw.close()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute(statement)
    [e] = store.moderation_events()
    assert (e.id, e.action, e.note) == (1, ModerationAction.SAMPLED, None)


def test_achieved_judgements_for_a_sample(store: Store, ids: list[int], achieved: list[Judgement]) -> None:
    a, b = ids
    j1, j2, r1, j4 = achieved
    store.append_judgement(judgement(a, "3N-3", Verdict.NOT_YET))
    assert [j.id for j in store.achieved_judgements()] == [j1.id, j2.id, r1.id, j4.id]
    assert [j.id for j in store.achieved_judgements("maths")] == [j1.id, j2.id, j4.id]
    assert [j.id for j in store.achieved_judgements("maths", pupil_ids=[a])] == [j1.id, j2.id]
    assert store.achieved_judgements(pupil_ids=[]) == []
    # the autumn window, half-open: since <= at < until
    autumn = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert [j.id for j in store.achieved_judgements("maths", None, *autumn)] == [j1.id, j2.id, j4.id]
    assert [j.id for j in store.achieved_judgements(since=datetime(2026, 11, 2, tzinfo=UTC))] == [
        j2.id,
        r1.id,
        j4.id,
    ]
    assert [j.id for j in store.achieved_judgements(until=datetime(2026, 11, 2, tzinfo=UTC))] == [j1.id]
    # a non-UTC bound means the same moment
    later = timezone(timedelta(hours=5))
    assert [
        j.id for j in store.achieved_judgements(since=datetime(2026, 11, 2, 5, tzinfo=later), until=autumn[1])
    ] == [j2.id, r1.id, j4.id]
    # a retracted achievement is not sampled (unless asked for)
    store.append_judgement(
        judgement(a, "3N-2", Verdict.RETRACTED, reason="recorded for the wrong pupil", corrects=j2.id)
    )
    assert [j.id for j in store.achieved_judgements("maths", [a, b], *autumn)] == [j1.id, j4.id]
    assert [j.id for j in store.achieved_judgements("maths", [a], include_retracted=True)] == [j1.id, j2.id]
    got = store.achieved_judgements("maths", [b])
    assert got == [j4] and got[0].verdict is Verdict.ACHIEVED


# --- the learning plan -----------------------------------------------------------------


def test_focus_pins_and_unpins_with_history(store: Store, ids: list[int]) -> None:
    a, b = ids
    t = [T0 + timedelta(minutes=m) for m in range(10)]
    store.pin_focus(a, "maths", "3N-2", by="mrs.k", at=t[0], provision="daily 5-minute counting")
    store.pin_focus(a, "maths", "4N-1", by="mrs.k", at=t[1])
    store.pin_focus(a, "reading", "R-1", by="mrs.k", at=t[2], provision="phonics group")
    store.pin_focus(b, "maths", "3N-1", by="mrs.k", at=t[3])
    assert [f.milestone_id for f in store.focus_items(a)] == ["3N-2", "4N-1", "R-1"]
    assert [f.milestone_id for f in store.focus_items(a, "maths")] == ["3N-2", "4N-1"]

    # pinning again records the new provision; the item keeps its place
    again = store.pin_focus(a, "maths", "3N-2", by="ms.h", at=t[4], provision="counting stick, twice a day")
    items = store.focus_items(a)
    assert [f.milestone_id for f in items] == ["3N-2", "4N-1", "R-1"]
    assert items[0] == again
    assert (items[0].provision, items[0].by, items[0].active) == ("counting stick, twice a day", "ms.h", True)

    unpinned = store.unpin_focus(a, "maths", "3N-2", by="mrs.k", at=t[5])
    assert isinstance(unpinned, FocusItem) and not unpinned.active and unpinned.id is not None
    assert [f.milestone_id for f in store.focus_items(a)] == ["4N-1", "R-1"]
    # pinned again after an unpin: it goes to the end
    store.pin_focus(a, "maths", "3N-2", by="mrs.k", at=t[6])
    assert [f.milestone_id for f in store.focus_items(a)] == ["4N-1", "R-1", "3N-2"]

    history = store.focus_items(a, "maths", history=True)
    assert [(f.milestone_id, f.active) for f in history] == [
        ("3N-2", True),
        ("4N-1", True),
        ("3N-2", True),
        ("3N-2", False),
        ("3N-2", True),
    ]
    assert [f.at for f in history] == [t[0], t[1], t[4], t[5], t[6]]
    assert [f.milestone_id for f in store.focus_items(b)] == ["3N-1"]


def test_unpinning_what_is_not_pinned_is_refused(store: Store, ids: list[int]) -> None:
    a, _ = ids
    with pytest.raises(NotFound, match=r"^3N-2 \(maths\) is not pinned"):
        store.unpin_focus(a, "maths", "3N-2", by="mrs.k", at=T0)
    store.pin_focus(a, "maths", "3N-2", by="mrs.k", at=T0)
    store.unpin_focus(a, "maths", "3N-2", by="mrs.k", at=T0)
    with pytest.raises(NotFound, match="is not pinned"):
        store.unpin_focus(a, "maths", "3N-2", by="mrs.k", at=T0)
    assert count(store, "focus") == 2
    with pytest.raises(NotFound, match=r"^There is no pupil with id 77\.$"):
        store.pin_focus(77, "maths", "3N-2", by="mrs.k", at=T0)


# --- notes -----------------------------------------------------------------------------


def test_notes_round_trip_by_kind(store: Store, ids: list[int]) -> None:
    a, b = ids
    n1 = store.add_note(Note(pupil_id=a, text="Hostile [b]name[/b] O'Brien [Y6]", by="mrs.k", at=T0))
    n2 = store.add_note(
        Note(
            pupil_id=a,
            curriculum_id="maths",
            kind=NoteKind.TEACHER_COMMENT,
            text="Ann counts confidently in 4s and 8s.\nNext: 6s.",
            by="mrs.k",
            at=T0 + timedelta(days=1),
        )
    )
    store.add_note(Note(pupil_id=b, kind=NoteKind.TEACHER_COMMENT, text="Settled well.", by="mrs.k", at=T0))
    assert store.notes(a) == [n1, n2]
    assert store.notes(a, NoteKind.TEACHER_COMMENT) == [n2]
    assert store.notes(a, "note") == [n1]
    assert store.notes(a)[0].kind is NoteKind.NOTE
    assert [n.text for n in store.notes(b)] == ["Settled well."]


def test_bad_notes_are_refused_and_notes_are_append_only(store: Store, ids: list[int], db_path: Path) -> None:
    with pytest.raises(ValueRefused, match=r"^A note needs some text\.$"):
        store.add_note(Note(pupil_id=ids[0], text=" \n ", by="mrs.k", at=T0))
    sloppy = Note.model_construct(pupil_id=ids[0], curriculum_id=None, kind="gossip", text="x", by="x", at=T0)
    with pytest.raises(ValueRefused, match=r"^A note is a 'teacher comment' or a 'note', not 'gossip'\.$"):
        store.add_note(sloppy)
    with pytest.raises(NotFound, match="There is no pupil with id 5"):
        store.add_note(Note(pupil_id=5, text="x", by="x", at=T0))
    store.add_note(Note(pupil_id=ids[0], text="kept", by="mrs.k", at=T0))
    raw = sqlite3.connect(db_path)
    for statement in ["UPDATE notes SET text = 'edited'", "DELETE FROM notes"]:
        with pytest.raises(sqlite3.IntegrityError, match="notes are append-only"):
            raw.execute(statement)
    raw.close()
    assert [n.text for n in store.notes(ids[0])] == ["kept"]


# --- transactions ----------------------------------------------------------------------


def test_a_refusal_inside_a_transaction_rolls_back_everything(store: Store, ids: list[int]) -> None:
    a, _ = ids
    with pytest.raises(ValueRefused), store.transaction():
        store.set_target(target(a, 14))
        store.pin_focus(a, "maths", "3N-1", by="mrs.k", at=T0)
        store.add_note(Note(pupil_id=a, text="hello", by="mrs.k", at=T0))
        store.add_test_score(score(a, 50, term=5))
    assert [count(store, t) for t in ("targets", "focus", "notes", "test_scores")] == [0, 0, 0, 0]
    assert not store.conn.in_transaction


def test_another_connection_sees_committed_records(store: Store, ids: list[int], db_path: Path) -> None:
    before = store.last_change()
    with Store.open(db_path) as other:
        other.add_test_score(score(ids[0], 61))
        other.set_target(target(ids[0], 13))
    assert store.last_change() != before
    assert [s.score for s in store.test_scores(ids[0])] == [61]
    assert store.current_targets("maths", YEAR)[ids[0]].points == 13
