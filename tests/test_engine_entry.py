"""A baseline on entry is where a pupil started, never progress (engine.entry): cases with their
numbers, then hypothesis properties.

- progress this year and this window never count a baseline's milestones (points or steps);
- a baseline recorded before the span a figure measures changes nothing, and a pupil without a
  baseline is measured exactly as points now minus points at the start;
- "stalled" is never said of a window the pupil was baselined in (they were not here for all of it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from passport_tui.engine import (
    BASELINE_NOTE,
    Event,
    Flag,
    baseline_milestones,
    entry_until,
    fold,
    is_baseline,
    joined_since,
    points,
    previous_window,
    progress_since,
    secured_since,
    standing,
    starting_point,
    window,
)
from passport_tui.engine.standing import points_at
from tests.factories import Log, at, make_curriculum
from tests.test_engine_properties import curricula

YEAR = 2026  # the academic year 2026/27
YEAR_START = window(YEAR, 1).start_moment  # 1 September 2026
ARRIVED = at(2026, 12, 31)  # noon on the last day of autumn: the default date of a January baseline


def year_2_curriculum():
    return make_curriculum([("Y1", 1, 3), ("Y2", 2, 3), ("Y3", 3, 3)], chain=False)


def baselined(log: Log, cur, through: str, when: datetime) -> dict[str, datetime]:
    """Record a baseline on entry through stage ``through`` at ``when``; returns its entry."""
    entry = {}
    for mid in baseline_milestones(cur, set(), through):
        log.add(mid, "achieved", when)
        entry[mid] = when
    return entry


def test_the_baseline_note_is_what_the_service_writes():
    from passport_tui.service import BASELINE_NOTE as written
    from passport_tui.store.schema import BASELINE_WHERE

    assert written == BASELINE_NOTE == "Baseline on entry"
    # the store's partial index finds exactly these notes
    assert f"substr(note, 1, {len(BASELINE_NOTE)}) = '{BASELINE_NOTE}'" in BASELINE_WHERE
    assert is_baseline("Baseline on entry: joined from another school") and is_baseline(BASELINE_NOTE)
    assert not is_baseline(None) and not is_baseline("baseline") and not is_baseline("Secured in class")


def test_a_january_arrival_baselined_at_12_points_shows_only_what_was_secured_here():
    cur = year_2_curriculum()
    log = Log()
    entry = baselined(log, cur, "Y1", ARRIVED)  # 12 points: Year 1 complete
    log.add("Y2-1", "achieved", at(2027, 1, 20))
    log.add("Y2-2", "achieved", at(2027, 2, 10))
    log.add("Y2-3", "achieved", at(2027, 3, 2))  # 15: +3 secured here
    day = date(2027, 3, 10)  # spring
    s = standing(cur, log.record(), 2, day, entry=entry)
    assert s.points == 15
    assert (s.points_start_of_year, s.progress_this_year) == (12, 3)  # not 9 and "+6"
    assert (s.points_last_window, s.progress_last_window) == (12, 3)
    # without knowing the baseline, the year's progress counted it as progress
    assert standing(cur, log.record(), 2, day).progress_this_year == 6


def test_a_baseline_in_the_middle_of_the_window_is_not_this_windows_progress():
    cur = year_2_curriculum()
    log = Log()
    entry = baselined(log, cur, "Y1", at(2027, 2, 1))  # dated when the child joined, in spring
    log.add("Y2-1", "achieved", at(2027, 2, 20))
    s = standing(cur, log.record(), 2, date(2027, 3, 10), entry=entry)
    assert (s.points, s.progress_this_year, s.progress_last_window) == (13, 1, 1)
    assert Flag.STALLED not in s.flags  # not here in autumn, the last complete window


def test_stalled_is_not_said_of_a_window_the_pupil_was_not_here_for():
    cur = year_2_curriculum()
    log = Log()
    entry = baselined(log, cur, "Y1", ARRIVED)
    record = log.record()
    # spring: the last complete window is autumn, which ended with the baseline
    spring = standing(cur, record, 2, date(2027, 2, 1), entry=entry)
    assert spring.progress_this_year == 0 and Flag.STALLED not in spring.flags
    # the spring window's own row once it is over: the pupil was here all of it and gained nothing
    assert Flag.STALLED in standing(cur, record, 2, window(YEAR, 2).end, entry=entry).flags
    # summer: spring, a whole window here, gained nothing
    assert Flag.STALLED in standing(cur, record, 2, date(2027, 5, 1), entry=entry).flags
    # autumn's own row (the baseline falls on its last day): not stalled, and no progress in it
    autumn = standing(cur, record, 2, window(YEAR, 1).end, entry=entry)
    assert Flag.STALLED not in autumn.flags and autumn.progress_last_window == 0


def test_a_baseline_before_the_year_began_is_measured_from_the_start_of_the_year_as_before():
    cur = year_2_curriculum()
    log = Log()
    entry = baselined(log, cur, "Y1", at(2026, 8, 31))  # the demo's new arrival in 2H
    log.add("Y2-1", "achieved", at(2026, 10, 1))
    record = log.record()
    for day in (date(2026, 11, 23), date(2027, 2, 1), date(2027, 5, 1)):
        with_entry = standing(cur, record, 2, day, entry=entry)
        assert with_entry.progress_this_year == 1
        plain = standing(cur, record, 2, day)
        assert (with_entry.points_start_of_year, with_entry.points_last_window) == (
            plain.points_start_of_year,
            plain.points_last_window,
        )


def test_a_past_days_figures_leave_out_a_baseline_recorded_after_it():
    when = at(2027, 2, 1)
    entry = {"Y1-1": when}
    assert entry_until(entry, when) == {} and entry_until(entry, when + timedelta(seconds=1)) == entry
    assert entry_until(None, when) == {}
    assert joined_since(entry, when) and not joined_since(entry, when + timedelta(seconds=1))
    assert not joined_since({}, when) and not joined_since(None, when)


def test_steps_secured_leave_the_baseline_out():
    since = YEAR_START
    then = {"a"}
    now = {"a", "b", "c", "d"}
    entry = {"b": at(2027, 1, 5), "d": at(2026, 8, 31)}  # b since the start; d before it
    assert starting_point(then, since, now, entry) == {"a", "b"}
    assert secured_since(now, then, since, entry) == {"c", "d"}  # d: retracted then, secured again here
    assert secured_since(now, then, since, None) == {"b", "c", "d"}
    # a baseline milestone retracted since is not part of the starting point (no negative progress)
    assert starting_point(then, since, {"a", "c"}, entry) == {"a"}


# --- properties ------------------------------------------------------------------------------


@st.composite
def arrivals(draw):
    """A curriculum; what the pupil had before the year (dated last summer); a baseline on entry
    through a random stage at a random moment of the year; steps secured after it; a day to look."""
    cur = draw(curricula())
    ids = [m.id for m in cur.milestones]
    before = draw(st.lists(st.sampled_from(ids), unique=True, max_size=4))
    through = draw(st.sampled_from([s.id for s in cur.stages]))
    arrived = YEAR_START + timedelta(days=draw(st.integers(0, 300)), hours=draw(st.integers(0, 23)))
    later = draw(st.lists(st.tuples(st.sampled_from(ids), st.integers(1, 60)), max_size=12))
    look = min(arrived.date() + timedelta(days=draw(st.integers(0, 60))), window(YEAR, 3).end)
    year_group = draw(st.integers(0, 8))
    return cur, before, through, arrived, later, look, year_group


def play(cur, before, through, arrived, later) -> tuple[list[Event], dict[str, datetime]]:
    """The log, with the baseline's events dated ``arrived``, and the baseline's entry."""
    events: list[Event] = []

    def add(mid: str, when: datetime) -> None:
        events.append(Event(len(events) + 1, mid, "achieved", when))

    for k, mid in enumerate(before):
        add(mid, at(2026, 6, 1) + timedelta(hours=k))
    entry = {mid: arrived for mid in baseline_milestones(cur, set(before), through)}
    for mid in entry:
        add(mid, arrived)
    for mid, days in sorted(later, key=lambda x: x[1]):
        add(mid, arrived + timedelta(days=days))
    return events, entry


def redated(events: list[Event], entry: dict[str, datetime], when: datetime) -> list[Event]:
    """The same log with the baseline's events dated ``when``."""
    return [
        Event(e.id, e.milestone, e.verdict, when)
        if e.milestone in entry and e.at == entry[e.milestone]
        else e
        for e in events
    ]


@settings(max_examples=300, deadline=None)
@given(arrivals())
def test_progress_never_counts_a_baseline(sc):
    """Progress this year and this window are what they would be had the baseline been recorded
    before the year began: the baseline is the starting point, whenever in the year it came."""
    cur, before, through, arrived, later, look, year_group = sc
    events, entry = play(cur, before, through, arrived, later)
    s = standing(cur, fold(events), year_group, look, entry=entry)
    start = YEAR_START - timedelta(hours=12)  # noon on 31 August
    moved = redated(events, entry, start)
    t = standing(cur, fold(moved), year_group, look, entry={m: start for m in entry})
    assert s.points == t.points
    assert s.progress_this_year == t.progress_this_year
    assert s.progress_last_window == t.progress_last_window
    if s.progress_this_year is not None:
        assert s.progress_this_year >= 0  # no retraction: nothing is lost
        # measured from exactly the baseline plus what was there at the start
        record = fold(events)
        held = record.achieved_as_of(YEAR_START) | set(entry)
        assert s.points_start_of_year == points(cur, held)


@settings(max_examples=300, deadline=None)
@given(arrivals())
def test_steps_secured_never_count_a_baseline(sc):
    cur, before, through, arrived, later, look, _ = sc
    events, entry = play(cur, before, through, arrived, later)
    record = fold(events)
    now = record.achieved()
    steps = secured_since(now, record.achieved_as_of(YEAR_START), YEAR_START, entry)
    secured_here = {e.milestone for e in events if e.at > arrived} - set(before) - set(entry)
    assert steps == secured_here and not steps & set(entry)


@settings(max_examples=300, deadline=None)
@given(arrivals())
def test_a_pupil_without_a_baseline_is_measured_from_the_start_as_before(sc):
    """No entry (or an empty one): progress is points now minus points at the start of the year
    and at the end of the last window, from the log alone."""
    cur, before, through, arrived, later, look, year_group = sc
    events, _ = play(cur, before, through, arrived, later)
    record = fold(events)
    for entry in (None, {}):
        s = standing(cur, record, year_group, look, entry=entry)
        assert s == standing(cur, record, year_group, look)
        if s.points is not None:
            w = s.window
            assert s.points_start_of_year == points_at(cur, record, window(w.academic_year - 1, 3))
            assert s.points_last_window == points_at(cur, record, previous_window(w))


@settings(max_examples=200, deadline=None)
@given(arrivals())
def test_stalled_is_never_said_of_a_window_the_pupil_was_baselined_in(sc):
    cur, before, through, arrived, later, look, year_group = sc
    events, entry = play(cur, before, through, arrived, later)
    s = standing(cur, fold(events), year_group, look, entry=entry)
    w = s.window
    judged = w if look >= w.end else previous_window(w)  # the window "stalled" is said of
    if entry and arrived >= judged.start_moment:
        assert Flag.STALLED not in s.flags


def test_the_earliest_span_a_standing_measures():
    # autumn: the window before the last is last spring, which ends before last year does
    assert progress_since(date(2026, 11, 23)) == datetime(2026, 4, 1, tzinfo=UTC)
    assert progress_since(date(2027, 2, 1)) == datetime(2026, 9, 1, tzinfo=UTC)  # spring: the year's start
    assert progress_since(date(2027, 5, 1)) == datetime(2026, 9, 1, tzinfo=UTC)  # summer: the year's start


@settings(max_examples=200, deadline=None)
@given(arrivals(), st.integers(-400, 0))
def test_a_baseline_before_the_earliest_span_changes_nothing(sc, shift):
    """The store reads only the baselines recorded since ``progress_since``: leaving the older ones
    out gives the same standing."""
    cur, before, through, arrived, later, look, year_group = sc
    arrived = arrived + timedelta(days=shift)
    events, entry = play(cur, before, through, arrived, later)
    record = fold(events)
    since = progress_since(look)
    recent = {m: t for m, t in entry.items() if t >= since}
    assert standing(cur, record, year_group, look, entry=entry) == standing(
        cur, record, year_group, look, entry=recent
    )
