"""Invariants of the engine, as hypothesis property tests.

- achieved stays achieved (without a retraction);
- next steps never include achieved or locked milestones;
- points never fall without a retraction;
- gaps are never achieved; the state at a past moment never depends on later events.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from passport_tui.engine import Event, PupilRecord, decide, gaps, next_steps, points
from passport_tui.errors import JudgementRefused
from passport_tui.models import Curriculum, CurriculumHeader, Milestone, Stage, Strand
from tests.factories import at

START = at(2025, 9, 1)


@st.composite
def curricula(draw) -> Curriculum:
    """Random acyclic curricula: up to 4 year stages (one or two years), random prerequisites that
    point only backwards in file order."""
    n_stages = draw(st.integers(1, 4))
    stages, milestones = [], []
    year = draw(st.integers(0, 3))
    for s in range(n_stages):
        two = draw(st.booleans())
        sid = f"S{s}"
        stages.append(
            Stage(id=sid, title=sid, years=[year, year + 1]) if two else Stage(id=sid, title=sid, year=year)
        )
        year += 2 if two else 1
        for k in range(draw(st.integers(1, 6))):
            mid = f"{sid}-{k}"
            earlier = [m.id for m in milestones]
            req = draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True)) if earlier else []
            milestones.append(Milestone(id=mid, strand="s", stage=sid, title=mid, requires=req))
    return Curriculum(
        curriculum=CurriculumHeader(id="p", title="p"),
        stages=stages,
        strands=[Strand(id="s", title="s")],
        milestones=milestones,
    )


@st.composite
def scenario(draw, allow_retract: bool = False):
    cur = draw(curricula())
    ids = [m.id for m in cur.milestones]
    verdicts = ["achieved", "not_yet", "revisit"] + (["retracted"] if allow_retract else [])
    steps = draw(
        st.lists(
            st.tuples(st.sampled_from(ids), st.sampled_from(verdicts), st.booleans()),
            min_size=1,
            max_size=40,
        )
    )
    year_group = draw(st.integers(0, 8))
    return cur, steps, year_group


def play(cur: Curriculum, steps, on_step=None) -> PupilRecord:
    """Apply each proposed judgement the rules accept, in order, one day apart."""
    record = PupilRecord()
    n = 0
    for i, (mid, verdict, override) in enumerate(steps):
        when = START + timedelta(days=i)
        try:
            d = decide(
                cur,
                record,
                mid,
                verdict,
                now=when,
                reason="because" if override or verdict == "retracted" else None,
            )
        except JudgementRefused:
            continue
        n += 1
        record.apply(Event(n, mid, d.verdict, when, d.corrects, override=bool(d.unmet)))
        if on_step:
            on_step(record, d)
    return record


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_achieved_stays_achieved(sc):
    cur, steps, _ = sc
    seen: set[str] = set()

    def check(record, _d):
        now = record.achieved()
        assert seen <= now
        seen.update(now)

    play(cur, steps, check)


@settings(max_examples=300, deadline=None)
@given(scenario(allow_retract=True))
def test_next_steps_never_include_achieved_or_locked(sc):
    cur, steps, year = sc

    def check(record, _d):
        achieved = record.achieved()
        for m in next_steps(cur, achieved, year):
            assert m not in achieved
            assert all(r in achieved for r in cur.milestone_by_id[m].requires)
        assert not set(gaps(cur, achieved, year)) & achieved

    play(cur, steps, check)


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_points_never_fall_without_a_retraction(sc):
    cur, steps, _ = sc
    last = [points(cur, set())]

    def check(record, _d):
        p = points(cur, record.achieved())
        assert p >= last[0]
        last[0] = p

    play(cur, steps, check)


@settings(max_examples=200, deadline=None)
@given(scenario(allow_retract=True), st.integers(0, 40))
def test_state_at_a_past_moment_ignores_later_events(sc, cut):
    cur, steps, _ = sc
    full = play(cur, steps)
    early = play(cur, steps[:cut])
    moment = START + timedelta(days=cut) - timedelta(seconds=1)
    assert full.achieved_as_of(moment) == early.achieved()


@settings(max_examples=200, deadline=None)
@given(curricula(), st.data())
def test_points_are_monotone_in_what_is_achieved(cur, data):
    ids = [m.id for m in cur.milestones]
    a = set(data.draw(st.lists(st.sampled_from(ids), unique=True)))
    b = a | set(data.draw(st.lists(st.sampled_from(ids), unique=True)))
    assert points(cur, a) <= points(cur, b)


@settings(max_examples=200, deadline=None)
@given(scenario(allow_retract=True), st.integers(-2, 45))
def test_fast_as_of_matches_each_milestones_own_history(sc, day):
    cur, steps, _ = sc
    record = play(cur, steps)
    moment = START + timedelta(days=day, hours=1)
    brute = {k for k, m in record.milestones.items() if m.achieved_as_of(moment)}
    assert record.achieved_as_of(moment) == brute


@settings(max_examples=300, deadline=None)
@given(scenario(allow_retract=True), st.integers(-2, 45))
def test_lean_record_matches_the_full_record_or_declines(sc, day):
    from passport_tui.engine import lean_fold

    cur, steps, _ = sc
    events = []
    record = PupilRecord()
    for i, (mid, verdict, _override) in enumerate(steps):
        when = START + timedelta(days=i)
        try:
            d = decide(cur, record, mid, verdict, now=when, reason="because")
        except JudgementRefused:
            continue
        e = Event(len(events) + 1, mid, d.verdict, when, d.corrects)
        events.append(e)
        record.apply(e)
    lean = lean_fold((1, e.id, e.milestone, e.verdict, e.at.isoformat(), e.corrects) for e in events)
    if any(e.verdict == "retracted" for e in events):
        assert lean is None
        return
    moment = START + timedelta(days=day, hours=1)
    assert lean.achieved() == record.achieved()
    assert lean.achieved_as_of(moment) == record.achieved_as_of(moment)
    assert lean.revisits() == record.revisits()
    assert lean.not_yet() == record.not_yet()
