"""A pupil nobody has judged yet is *not assessed* (engine.standing): cases with their numbers, then
hypothesis properties.

- no event of any kind in a curriculum: no points (None, never the scale's floor), no gaps, no
  flags, no automatic target, no progress; the expected figure is still known;
- one judgement of any kind (achieved, not yet, a retraction, a baseline) makes the pupil assessed,
  and every figure is what it always was;
- group analysis counts a pupil not assessed in ``count`` and apart, and in no other figure.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from passport_tui.engine import (
    Cell,
    Event,
    FirstAchieved,
    Flag,
    Projection,
    PupilFigures,
    PupilRecord,
    TargetStatus,
    baseline_milestones,
    cells,
    expected_points,
    fold,
    gaps,
    group_analysis,
    judged,
    lean_fold,
    milestone_lag,
    points,
    projection_of,
    record_of,
    standing,
    window_of,
    year_short,
)
from passport_tui.engine.projection import ProjectedRecord
from passport_tui.models import Pupil, Sen
from tests.factories import Log, at, make_curriculum
from tests.test_engine_properties import START, curricula, scenario

AUTUMN = date(2026, 11, 23)  # the demo's "today": autumn 2026/27


def key_stages():
    """Reception to Year 3, three milestones a stage, each needing the one before."""
    return make_curriculum([("R", 0, 3), ("Y1", 1, 3), ("Y2", 2, 3), ("Y3", 3, 3)])


# --- cases -----------------------------------------------------------------------------------


def test_a_year_2_child_just_added_is_not_assessed():
    cur = key_stages()
    s = standing(cur, PupilRecord(), 2, AUTUMN)
    assert not s.assessed
    assert s.points is None  # not 6, the scale's floor
    assert s.expected == 13  # their year's expectation is still known
    assert s.gaps == [] and s.flags == []
    assert (s.target, s.target_status, s.target_is_personal) == (None, None, False)
    assert s.progress_this_year is None and s.progress_last_window is None
    assert (s.points_last_window, s.points_window_before, s.points_start_of_year) == (None, None, None)
    assert s.achieved == [] and s.revisit == [] and not s.achieved_set
    # where a first judgement can start: the open milestones, none of them a gap
    assert s.next == ["R-1"]
    # what the same child got before: points at the floor, every earlier stage a gap, behind, stalled
    today = standing(cur, PupilRecord(), 2, AUTUMN, assessed=True)
    assert today.points == 6 and len(today.gaps) == 6
    assert Flag.FALLING_BEHIND in today.flags and Flag.STALLED in today.flags
    assert today.target_status is TargetStatus.OFF_TRACK


def test_a_reception_child_just_added_is_not_assessed():
    cur = key_stages()
    s = standing(cur, PupilRecord(), 0, AUTUMN)
    assert not s.assessed and s.points is None and s.flags == [] and s.gaps == []
    assert s.expected == 7  # end of Nursery (6) + autumn
    assert standing(cur, PupilRecord(), 0, AUTUMN, assessed=True).points == 6  # the old "6 points, stalled"
    assert (
        year_short(0) == "R" and year_short(-1) == "N" and year_short(2) == "2" and year_short(2, "Y") == "Y2"
    )


def test_no_expectation_below_the_curriculums_first_year():
    cur = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3)])
    assert standing(cur, PupilRecord(), 0, AUTUMN).expected is None


def test_a_framework_without_points_is_not_assessed_too():
    cur = make_curriculum([("K1", None, 3), ("K2", None, 3)])
    s = standing(cur, PupilRecord(), 4, AUTUMN)
    assert not s.assessed and s.points is None and s.expected is None and s.flags == []


def test_a_personal_target_someone_set_is_kept_without_a_status():
    s = standing(key_stages(), PupilRecord(), 2, AUTUMN, personal_target=14)
    assert (s.target, s.target_is_personal, s.target_status) == (14, True, None)


def test_greater_depth_in_a_test_gives_no_flag_without_a_judgement():
    assert standing(key_stages(), PupilRecord(), 2, AUTUMN, greater_depth=True).flags == []


def test_history_and_detail_of_a_pupil_not_assessed():
    s = standing(key_stages(), PupilRecord(), 2, AUTUMN, history_windows=3, detail=False)
    assert s.history == [] and s.next == []


def test_one_judgement_of_any_kind_makes_the_pupil_assessed():
    cur = key_stages()
    for verdict in ("not_yet", "achieved"):
        log = Log()
        log.add("R-1", verdict, at(2026, 10, 1))
        s = standing(cur, log.record(), 2, AUTUMN)
        assert s.assessed and s.points is not None and s.gaps  # as always: behind, with gaps
        assert Flag.FALLING_BEHIND in s.flags
    # an achievement corrected leaves nothing achieved, but someone judged the pupil
    log = Log()
    first = log.add("R-1", "achieved", at(2026, 10, 1))
    log.add("R-1", "retracted", at(2026, 10, 2), corrects=first.id)
    record = log.record()
    assert not record.achieved() and judged(record)
    assert standing(cur, record, 2, AUTUMN).points == 6


def test_a_baseline_makes_the_pupil_assessed():
    cur = key_stages()
    log = Log()
    when = at(2026, 11, 20)
    for mid in baseline_milestones(cur, set(), "Y1"):
        log.add(mid, "achieved", when)
    s = standing(
        cur, log.record(), 2, AUTUMN, entry=dict.fromkeys(baseline_milestones(cur, set(), "Y1"), when)
    )
    assert s.assessed and s.points == 12 and s.progress_this_year == 0


def test_every_kind_of_record_says_whether_it_holds_a_judgement():
    assert not judged(PupilRecord()) and not judged(FirstAchieved())
    assert lean_fold([]) is not None and not judged(lean_fold([]))
    assert judged(lean_fold([(1, 1, "R-1", "not_yet", "2026-10-01T12:00:00+00:00", None)]))
    assert not judged(record_of(Projection()))
    # the store keeps a projection only for a pupil with events: one read from it is judged
    assert judged(record_of(Projection(), judged=True))
    assert judged(record_of(Projection(not_yet=("R-1",))))


def test_the_grid_shows_no_gaps_for_a_pupil_not_assessed():
    cur = key_stages()
    ids = [m.id for m in cur.milestones]
    before = cells(cur, set(), set(), set(), 2, ids)
    assert before.count(Cell.GAP) == 6  # Reception and Year 1: "gaps" nobody found
    now = cells(cur, set(), set(), set(), 2, ids, assessed=False)
    assert Cell.GAP not in now and now[0] is Cell.NEXT and set(now[1:]) == {Cell.NOT_ASSESSED}


def pupil(pid: int, **kw) -> Pupil:
    return Pupil(
        id=pid, upn=f"U{pid}", first_name="A", last_name=f"P{pid}", year_group=2, academic_year=2026, **kw
    )


def test_groups_count_a_pupil_not_assessed_apart():
    figures = [
        PupilFigures(pupil(1, pupil_premium=True), 12, 13, 10, 11, True, frozenset({"a"})),
        PupilFigures(pupil(2), 14, 13, 12, 13, False, frozenset({"a", "b"})),
        PupilFigures(pupil(3, pupil_premium=True), None, 13, assessed=False),
    ]
    (pp,) = group_analysis(figures)
    assert pp.members.count == 2 and pp.members.not_assessed == 1 and pp.members.assessed == 1
    assert pp.members.mean_points == 12.0 and pp.members.pct_at_expected == 0.0
    assert pp.members.pct_with_gaps == 100.0 and pp.members.mean_progress_year == 2.0
    assert pp.rest.count == 1 and pp.rest.not_assessed == 0


# --- properties ------------------------------------------------------------------------------


def logged(cur, steps) -> list[Event]:
    """The events of each proposed judgement the rules accept, in order, one day apart."""
    from passport_tui.engine import decide
    from passport_tui.errors import JudgementRefused

    events: list[Event] = []
    record = PupilRecord()
    for i, (mid, verdict, _override) in enumerate(steps):
        when = START + timedelta(days=i)
        try:
            d = decide(cur, record, mid, verdict, now=when, reason="because")
        except JudgementRefused:
            continue
        e = Event(len(events) + 1, mid, d.verdict, when, d.corrects, override=bool(d.unmet))
        events.append(e)
        record.apply(e)
    return events


@st.composite
def looks(draw):
    """A day to look (any window of two years), a year group, a personal target or none, a
    greater-depth test or none."""
    day = date(2025, 9, 1) + timedelta(days=draw(st.integers(0, 729)))
    return (
        day,
        draw(st.integers(0, 8)),
        draw(st.one_of(st.none(), st.integers(3, 45))),
        draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(curricula(), looks(), st.integers(0, 4))
def test_a_standing_not_assessed_never_has_gaps_flags_or_figures(cur, look, history):
    day, year_group, target, depth = look
    for record in (PupilRecord(), FirstAchieved(), ProjectedRecord(Projection())):
        s = standing(
            cur, record, year_group, day, personal_target=target, greater_depth=depth, history_windows=history
        )
        assert not s.assessed
        assert s.gaps == [] and s.flags == []
        assert s.points is None and s.target_status is None
        assert s.target == target  # only one somebody set
        assert s.progress_this_year is None and s.progress_last_window is None
        assert s.history == [] and s.achieved == [] and not s.achieved_set
        # the next steps are the open milestones in curriculum order, none put first as a gap
        open_ = [m.id for m in cur.milestones if not m.requires and not m.retired]
        assert s.next == open_
        w = window_of(day)
        if s.expected is not None:
            assert s.expected == expected_points(cur, year_group, w.term)


@settings(max_examples=300, deadline=None)
@given(scenario(allow_retract=True), looks())
def test_a_record_with_any_event_gets_todays_figures_unchanged(sc, look):
    """Any record holding at least one event — folded in full, folded lean, or read back from its
    projection — is assessed, and its standing is exactly the one computed as before
    (``assessed=True`` runs today's computation, with no question asked)."""
    cur, steps, _ = sc
    day, year_group, target, depth = look
    events = logged(cur, steps)
    if not events:
        return  # every proposed judgement was refused: nothing in the log
    record = fold(events)
    kw = {"personal_target": target, "greater_depth": depth, "history_windows": 2}
    before = standing(cur, record, year_group, day, assessed=True, **kw)
    forms = [record, ProjectedRecord(projection_of(record), judged=True)]
    lean = lean_fold((1, e.id, e.milestone, e.verdict, e.at.isoformat(), e.corrects) for e in events)
    if lean is not None:  # None: the log holds a retraction
        forms.append(lean)
    for form in forms:
        assert judged(form)
        s = standing(cur, form, year_group, day, **kw)
        assert s.assessed
        if form is record:
            assert s == before
        assert (s.points, s.gaps, s.flags, s.target, s.target_status) == (
            before.points,
            before.gaps,
            before.flags,
            before.target,
            before.target_status,
        )
    # and those figures are the rules' own
    assert before.points == points(cur, record.achieved())
    assert before.gaps == gaps(cur, record.achieved(), year_group)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_pupils_not_assessed_change_no_group_figure_but_the_counts(data):
    """Adding pupils nobody has judged to any set of pupils leaves every mean, percentage and
    milestone lag as it was; only ``count`` and ``not_assessed`` grow."""
    flags = st.booleans()

    def some_pupil(pid: int) -> Pupil:
        return pupil(
            pid,
            pupil_premium=data.draw(flags),
            eal=data.draw(flags),
            sen=data.draw(st.sampled_from(list(Sen))),
            gender=data.draw(st.sampled_from(["F", "M", None])),
        )

    figures = []
    for pid in range(data.draw(st.integers(0, 12))):
        pts = data.draw(st.integers(6, 20))
        figures.append(
            PupilFigures(
                some_pupil(pid),
                pts,
                data.draw(st.one_of(st.none(), st.integers(6, 20))),
                data.draw(st.one_of(st.none(), st.integers(6, pts))),
                data.draw(st.one_of(st.none(), st.integers(6, pts))),
                data.draw(flags),
                frozenset(data.draw(st.lists(st.sampled_from("abcd"), unique=True))),
            )
        )
    newcomers = [
        PupilFigures(some_pupil(100 + k), None, data.draw(st.integers(6, 20)), assessed=False)
        for k in range(data.draw(st.integers(1, 6)))
    ]
    everyone = figures + newcomers
    before = {r.group: r for r in group_analysis(figures)}
    for row in group_analysis(everyone):
        members = [f for f in everyone if row.group in _groups(f)]
        assert row.members.not_assessed == sum(1 for f in members if not f.assessed)
        assert row.rest.not_assessed == sum(1 for f in newcomers if row.group not in _groups(f))
        old = before.get(row.group)
        if old is None:  # a group only newcomers are in: no figure at all
            assert row.members.mean_points is None and row.members.pct_at_expected is None
            assert row.members.pct_with_gaps is None and row.members.measured == 0
            continue
        for side, was in ((row.members, old.members), (row.rest, old.rest)):
            assert replace(side, count=was.count, not_assessed=0) == was
        assert (row.points_gap, row.at_expected_gap) == (old.points_gap, old.at_expected_gap)
    for group in {g for f in everyone for g in _groups(f)}:
        assert milestone_lag(everyone, list("abcd"), group, 1) == milestone_lag(
            figures, list("abcd"), group, 1
        )


def _groups(f: PupilFigures) -> list[str]:
    from passport_tui.engine import groups_of

    return groups_of(f.pupil)


def test_folding_any_event_marks_the_record_judged():
    for verdict in ("achieved", "not_yet", "revisit"):
        assert judged(fold([Event(1, "R-1", verdict, at(2026, 10, 1))]))


def test_reception_is_never_year_0_in_words():
    from passport_tui.engine.revision import _stage_words

    cur = make_curriculum([("R", 0, 1), ("RY1", [0, 1], 1), ("Y1", 1, 1), ("Y34", [3, 4], 1)])
    assert [_stage_words(cur, s) for s in ("R", "RY1", "Y1", "Y34")] == [
        "R (Reception)",
        "RY1 (Reception-Year 1)",
        "Y1 (Year 1)",
        "Y34 (Years 3-4)",
    ]
