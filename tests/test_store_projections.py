"""Projections (DESIGN §5): each pupil's current standing per curriculum, kept beside the log.

The property tests draw raw logs — any order of achieved, not yet, revisit and retractions (of
one event, or of all), back-dated events, events at the same moment and at midnight — and check
that the standing from the projection equals the standing from the full fold of the log, now and
at every date the tracking lists use (end of the last windows, start of the year, history)."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passport_tui import engine
from passport_tui.engine import Event, PupilRecord, fold
from passport_tui.engine.projection import ProjectedRecord, Projection, project_rows, projection_of, record_of
from passport_tui.models import Judgement, Pupil, Verdict
from passport_tui.store import Store, iso_utc
from passport_tui.store.projections import decode, encode
from tests.test_engine_properties import curricula

START = datetime(2025, 8, 20, tzinfo=UTC)
VERDICTS = ["achieved", "achieved", "not_yet", "revisit", "retracted"]


@st.composite
def logs(draw, milestones: list[str], size: int = 30) -> list[Event]:
    """A raw log of one pupil in one curriculum: events in log order (ids 1, 2, ...), times that
    wander back and forth (back-dating), some at exactly midnight, some with microseconds; a
    retraction names an earlier event or none."""
    events: list[Event] = []
    for eid in range(1, draw(st.integers(0, size)) + 1):
        day = draw(st.integers(0, 400))
        moment = START + timedelta(days=day)
        if draw(st.booleans()):
            moment += timedelta(
                seconds=draw(st.integers(0, 86_399)), microseconds=draw(st.sampled_from([0, 1, 999_999]))
            )
        verdict = draw(st.sampled_from(VERDICTS))
        corrects = None
        if verdict == "retracted" and events and draw(st.booleans()):
            corrects = draw(st.integers(1, len(events)))
        events.append(Event(eid, draw(st.sampled_from(milestones)), verdict, moment, corrects))
    return events


def rows_of(events: list[Event], pupil_id: int = 1) -> list[tuple]:
    """The log as the store's event rows (``at`` as the stored string)."""
    return [(pupil_id, e.id, e.milestone, e.verdict, iso_utc(e.at), e.corrects) for e in events]


def moments(events: list[Event]) -> list[datetime]:
    """Every event time, a microsecond either side, and the window ends around them."""
    out = {START - timedelta(days=1)}
    for e in events:
        out.update({e.at, e.at - timedelta(microseconds=1), e.at + timedelta(microseconds=1)})
    for year in (2024, 2025, 2026):
        for term in (1, 2, 3):
            out.add(engine.window(year, term).end_moment)
    return sorted(out)


def days(events: list[Event]) -> list[date]:
    """Dates to stand on: each event's day and the next, and a few across the years."""
    out = {date(2025, 9, 1), date(2026, 1, 1), date(2026, 8, 31), date(2026, 11, 23), date(2027, 6, 1)}
    for e in events:
        out.update({e.at.date(), e.at.date() + timedelta(days=1)})
    return sorted(out)


@settings(max_examples=400, deadline=None)
@given(st.data())
@pytest.mark.slow  # over 2.5 s on the 2-core machine
def test_a_projection_answers_as_the_full_record_does(data) -> None:
    cur = data.draw(curricula())
    ids = [m.id for m in cur.milestones]
    events = data.draw(logs(ids))
    record = fold(events)
    value = projection_of(record)
    projected = record_of(value)
    assert projected.achieved() == record.achieved()
    assert projected.not_yet() == record.not_yet()
    assert projected.revisits() == record.revisits()
    for moment in moments(events):
        assert projected.achieved_as_of(moment) == record.achieved_as_of(moment), moment
    for m in ids:
        state = record.get(m)
        assert projected.achieved_at(m) == (state.achieved_at if state else None)
    # the store's fast path from its rows, and the row's text, give the same value
    assert project_rows(rows_of(events)) == value
    assert decode(*encode(1, cur.id, value, len(events))[2:6]) == value


@settings(max_examples=300, deadline=None)
@given(st.data())
@pytest.mark.slow  # over 2.5 s on the 2-core machine
def test_standing_from_the_projection_equals_standing_from_the_log(data) -> None:
    cur = data.draw(curricula())
    events = data.draw(logs([m.id for m in cur.milestones]))
    year_group = data.draw(st.integers(0, 8))
    target = data.draw(st.none() | st.integers(0, 40))
    record = fold(events)
    # the store keeps a projection row for each pupil with events: one read from it is judged
    projected = ProjectedRecord(projection_of(record), judged=bool(events))
    for today in days(events):
        for detail in (True, False):
            kw = {"personal_target": target, "detail": detail, "history_windows": 3 if detail else 0}
            full = engine.standing(cur, record, year_group, today, **kw)
            assert engine.standing(cur, projected, year_group, today, **kw) == full, today
            if not full.assessed:  # no event at all: nothing to measure from
                assert not events and full.points_start_of_year is None
                continue
            assert full.points_start_of_year == engine.points_at(
                cur, projected, engine.window(full.window.academic_year - 1, 3)
            )


def test_an_empty_log_projects_to_nothing() -> None:
    assert projection_of(PupilRecord()) == Projection() == project_rows([])
    assert Projection().empty and ProjectedRecord(Projection()).achieved_as_of(START) == set()


def test_a_retraction_keeps_the_time_the_milestone_counted() -> None:
    day = timedelta(days=1)
    events = [
        Event(1, "A", "achieved", START),
        Event(2, "A", "achieved", START + 3 * day),  # a re-confirmation
        Event(3, "A", "retracted", START + 5 * day, corrects=1),  # corrects only the first
        Event(4, "B", "achieved", START + day),
        Event(5, "B", "retracted", START + 2 * day),
    ]
    value = projection_of(fold(events))
    assert value.achieved == {"A": iso_utc(START + 3 * day)}
    assert value.spans == {
        "A": ((iso_utc(START), None),),
        "B": ((iso_utc(START + day), iso_utc(START + 2 * day)),),
    }
    projected = ProjectedRecord(value)
    hour = timedelta(hours=1)  # events strictly before a moment count
    assert projected.achieved_as_of(START + day) == {"A"}
    assert projected.achieved_as_of(START + day + hour) == {"A", "B"}
    assert projected.achieved_as_of(START + 2 * day + hour) == {"A"}


# --- in the store ------------------------------------------------------------------------


def _pupils(store: Store) -> list[int]:
    store.upsert_pupils(
        [
            Pupil(upn=f"P{i}", first_name="A", last_name=f"P{i}", year_group=3, academic_year=2025)
            for i in range(3)
        ]
    )
    return [p.id or 0 for p in store.pupils()]


def _expected(store: Store, curriculum_id: str) -> dict[int, Projection]:
    """Every pupil's projection folded in full from the store's log."""
    out: dict[int, PupilRecord] = {}
    for pupil_id, eid, milestone, verdict, at, corrects in store.event_rows(curriculum_id):
        out.setdefault(pupil_id, PupilRecord()).apply_row(
            eid, milestone, verdict, datetime.fromisoformat(at), corrects
        )
    return {pid: projection_of(record) for pid, record in out.items()}


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_the_store_keeps_every_projection_equal_to_the_fold_of_its_log(data) -> None:
    milestones = ["M1", "M2", "M3", "M4"]
    steps = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, 2),  # pupil
                st.sampled_from(["maths", "science"]),
                st.sampled_from(milestones),
                st.sampled_from(VERDICTS),
                st.integers(0, 400),  # day
                st.booleans(),  # a retraction names the newest event (else none)
                st.booleans(),  # appended alone (else in a bulk append)
            ),
            max_size=40,
        )
    )
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "p.db") as store:
        pupils = _pupils(store)
        bulk: list[tuple] = []
        newest = 0

        def flush() -> None:
            nonlocal newest
            newest += store.append_judgements(bulk)
            bulk.clear()

        for p, cid, m, verdict, day, names, alone in steps:
            corrects = newest if verdict == "retracted" and names and newest else None
            at = START + timedelta(days=day)
            if alone:
                flush()
                store.append_judgement(
                    Judgement(
                        pupil_id=pupils[p],
                        curriculum_id=cid,
                        milestone_id=m,
                        verdict=Verdict(verdict),
                        by="t",
                        at=at,
                        reason="r" if verdict == "retracted" else None,
                        corrects=corrects,
                    )
                )
                newest += 1
            else:
                bulk.append((pupils[p], cid, m, verdict, "t", at, None, None, corrects))
        flush()
        for cid in ("maths", "science"):
            assert dict(store.projections(cid)) == _expected(store, cid)
        assert store.stale_projections() == []
        before = store.conn.execute("SELECT * FROM projections ORDER BY 1, 2").fetchall()
        assert store.rebuild_projections() == len(before)
        assert store.conn.execute("SELECT * FROM projections ORDER BY 1, 2").fetchall() == before


def test_projections_of_some_pupils_and_staleness(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.db") as store:
        a, b, c = _pupils(store)
        for pid in (a, b):
            store.append_judgement(
                Judgement(
                    pupil_id=pid,
                    curriculum_id="maths",
                    milestone_id="M1",
                    verdict=Verdict.ACHIEVED,
                    by="t",
                    at=START,
                )
            )
        assert [pid for pid, _ in store.projections("maths")] == [a, b]
        assert [pid for pid, _ in store.projections("maths", [c, b])] == [b]
        assert list(store.projections("science")) == []
        # a projection put by hand that is not the log's is found stale only by the log's measure:
        # put_projection trusts its caller, stale_projections compares event ids
        store.put_projection(a, "maths", Projection())
        assert dict(store.projections("maths"))[a] == Projection()
        assert store.stale_projections() == []
        store.conn.execute("DELETE FROM projections WHERE pupil_id = ?", (b,))
        store.conn.execute(
            "INSERT INTO projections (curriculum_id, pupil_id, last_event) VALUES ('science', ?, 7)", (c,)
        )
        assert store.stale_projections() == [(b, "maths"), (c, "science")]
        assert store.rebuild_projections() == 2
        assert store.stale_projections() == []
        assert dict(store.projections("maths"))[a].achieved == {"M1": iso_utc(START)}


def test_a_failed_append_leaves_the_projections_as_they_were(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.db") as store:
        a, *_ = _pupils(store)
        first = Judgement(
            pupil_id=a, curriculum_id="maths", milestone_id="M1", verdict=Verdict.ACHIEVED, by="t", at=START
        )
        store.append_judgement(first)
        before = list(store.projections("maths"))
        try:
            with store.transaction():
                store.append_judgement(first.model_copy(update={"milestone_id": "M2"}))
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert list(store.projections("maths")) == before
