"""Rule cases that once said the wrong thing, each with the numbers it was found with."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from passport_tui.engine import Flag, TargetStatus, decide, lean_fold, points, standing
from passport_tui.engine.standing import points_at
from passport_tui.engine.window import window
from passport_tui.errors import NotAllowed, PassportError
from passport_tui.models import Curriculum, CurriculumHeader, Milestone, Stage, Strand
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import fixed_clock
from tests.factories import Log, at, make_curriculum


def year_2_curriculum():
    return make_curriculum([("Y1", 1, 3), ("Y2", 2, 3), ("Y3", 3, 3)], chain=False)


def secured(log: Log, stage: str, when: datetime, n: int = 3) -> None:
    for k in range(1, n + 1):
        log.add(f"{stage}-{k}", "achieved", when)


def test_a_pupil_who_met_the_years_end_point_is_not_off_track_for_next_years():
    cur = year_2_curriculum()
    log = Log()
    secured(log, "Y1", at(2026, 6, 1))
    secured(log, "Y2", at(2026, 12, 1))  # 15: the Year 2 end point, met in autumn
    for day in (date(2027, 2, 1), date(2027, 5, 1)):  # spring and summer
        s = standing(cur, log.record(), 2, day)
        assert (s.points, s.target) == (15, 18)  # the default target moves on to the next end point
        assert s.target_status is TargetStatus.ON_TRACK  # was "off track": 15 + 2 windows < 18


def test_on_1_september_a_year_2_pupil_at_12_is_not_falling_behind():
    cur = year_2_curriculum()
    log = Log()
    secured(log, "Y1", at(2026, 6, 1))  # 12 at the end of Year 1
    s = standing(cur, log.record(), 2, date(2026, 9, 1))
    assert (s.points, s.expected) == (12, 13)  # 13 is the expectation *after* autumn
    assert Flag.FALLING_BEHIND not in s.flags
    end = standing(cur, log.record(), 2, date(2026, 12, 31))  # autumn over, 13 not reached
    assert Flag.FALLING_BEHIND in end.flags


def test_a_greater_depth_test_never_makes_a_pupil_behind_and_excelling_at_once():
    # 9 against 10 with an 85% test: a Year 1 pupil with nothing of Year 1 yet (judged not yet once)
    one = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3)], chain=False)
    log = Log()
    log.add("Y1-1", "not_yet", at(2026, 9, 10))
    empty = log.record()
    for day in (date(2026, 11, 1), date(2026, 12, 31)):
        s = standing(one, empty, 1, day, greater_depth=True)
        assert (s.points, s.expected) == (9, 10)
        assert not {Flag.FALLING_BEHIND, Flag.EXCELLING} <= set(s.flags)
    assert Flag.FALLING_BEHIND in standing(one, empty, 1, date(2026, 12, 31), greater_depth=True).flags


def test_a_past_window_with_progress_is_not_stalled():
    cur = year_2_curriculum()
    log = Log()
    secured(log, "Y1", at(2026, 6, 1))  # 12 at the end of last year, and of the window before
    secured(log, "Y2", at(2026, 10, 1))  # +3 in autumn
    autumn = window(2026, 1)
    s = standing(cur, log.record(), 2, autumn.end)  # the past window's row, as tracking computes it
    assert s.points - s.points_last_window == 3
    assert Flag.STALLED not in s.flags
    idle = Log()
    secured(idle, "Y1", at(2026, 6, 1))
    assert Flag.STALLED in standing(cur, idle.record(), 2, autumn.end).flags  # nothing gained in it


def test_a_judgement_at_midnight_belongs_to_the_window_it_opens():
    cur = year_2_curriculum()
    log = Log()
    secured(log, "Y1", at(2026, 6, 1))
    spring_opens = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
    log.add("Y2-1", "achieved", spring_opens)
    autumn, spring = window(2026, 1), window(2026, 2)
    record = log.record()
    assert points_at(cur, record, autumn) == 12  # not counted in autumn
    assert points_at(cur, record, spring) == 13
    # the lean fold (whole-school tracking) agrees with the full record (the passport)
    rows = [(1, e.id, e.milestone, e.verdict, e.at.isoformat(), e.corrects) for e in log.events]
    lean = lean_fold(rows)
    assert lean is not None
    assert points(cur, lean.achieved_as_of(autumn.end_moment)) == 12
    assert points(cur, lean.achieved_as_of(spring.end_moment)) == 13


def test_a_back_dated_not_yet_earlier_than_the_achievement_is_history_not_a_downgrade():
    cur = year_2_curriculum()
    log = Log()
    log.add("Y1-1", "achieved", at(2026, 10, 1))
    now = at(2026, 11, 23)
    decision = decide(cur, log.record(), "Y1-1", "not_yet", now=now, at=at(2026, 9, 15))
    assert decision.verdict == "not_yet"
    log.add("Y1-1", "not_yet", at(2026, 9, 15))
    assert "Y1-1" in log.record().achieved()  # still achieved
    with pytest.raises(PassportError):  # a later "not yet" is still refused
        decide(cur, log.record(), "Y1-1", "not_yet", now=now, at=at(2026, 11, 1))


@pytest.fixture
def staffed(school):
    school.add_staff("head", "Mrs Head", "admin")
    school.user = "head"
    school.add_staff("ms.hughes", "Ms Hughes", "teacher", ["1H"])
    school.add_staff("mr.okafor", "Mr Okafor", "teacher", ["1H"])
    return school


def as_(school, user: str) -> Service:
    return Service(Store.open(school.store.path), user=user, clock=fixed_clock)


def test_a_teacher_can_retract_their_own_slip_but_not_a_colleagues(staffed):
    hughes, okafor = as_(staffed, "ms.hughes"), as_(staffed, "mr.okafor")
    hughes.judge("A1", "1N-1", "achieved")
    with pytest.raises(NotAllowed, match="Only the teacher who recorded"):
        okafor.retract("A1", "1N-1", "not secure")
    undone = hughes.retract("A1", "1N-1", "marked the wrong pupil")
    assert undone.verdict.value == "retracted"
    assert "1N-1" not in hughes.record(hughes.pupil("A1").id, "maths").achieved()


def test_a_moderation_sample_never_holds_the_same_milestone_twice(school):
    for _ in range(3):  # achieved, then re-confirmed twice: three achieved events
        school.judge("A1", "1N-1", "achieved", at=at(2026, 10, 1))
    school.judge("A2", "1N-1", "achieved", at=at(2026, 10, 2))
    sample = school.draw_moderation_sample(class_name="1H", curriculum_id="maths", size=10)
    keys = [(item.pupil.upn, item.judgement.milestone_id) for item in sample]
    assert sorted(keys) == [("A1", "1N-1"), ("A2", "1N-1")]
    again = school.draw_moderation_sample(class_name="1H", curriculum_id="maths", size=10)
    assert again == []  # the re-confirmations of a drawn milestone are not drawn later


def test_a_points_target_on_a_framework_without_points_is_refused(school):
    framework = Curriculum(
        curriculum=CurriculumHeader(id="steps", title="Small steps"),
        stages=[Stage(id="K1", title="K1")],
        strands=[Strand(id="s", title="Strand")],
        milestones=[Milestone(id="K1-1", strand="s", stage="K1", title="Notices a sound")],
    )
    with school.store.transaction():
        school.store.put_curriculum(framework)
    with pytest.raises(PassportError, match="no tracking points"):
        school.set_target("A1", "steps", points=12, reason="stretch")
    view = school.set_target("A1", "steps", milestones=["K1-1"], reason="next outcome")
    assert view.milestones == ["K1-1"]


def test_a_test_score_of_minus_one_is_a_value_not_an_option(school):
    from click.testing import CliRunner

    from passport_tui.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(school.store.path), "test", "record", "A1", "maths", "-1"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "passport: A test score is a percentage from 0 to 100, not -1."


def test_a_baseline_records_every_milestone_through_a_stage_in_one_audited_batch(school):
    school.judge("A1", "1N-1", "achieved")
    done = school.baseline("A1", "maths", "Y1", reason="joined from another school")
    ids = {j.milestone_id for j in done}
    record = school.record(school.pupil("A1").id, "maths")
    curriculum = school.curriculum("maths")
    year_1 = {m.id for m in curriculum.milestones if m.stage == "Y1"}
    assert year_1 <= record.achieved() and "1N-1" not in ids  # kept, not recorded twice
    assert all(j.note == "Baseline on entry: joined from another school" for j in done)
    with pytest.raises(PassportError, match="No stage 'Y9'"):
        school.baseline("A1", "maths", "Y9")
    s = school.standing(school.pupil("A1"), curriculum)
    assert s.points == 12 and not s.gaps  # Year 1 complete: no longer "behind" with every gap open


def test_a_baseline_is_dated_before_this_window_so_it_is_not_progress_and_not_stalled(school):
    """A tutor's new child baselined through Year 1 today: the baseline is where they started this
    window (dated the last day of the window before), so this window shows no gain from it and the
    last complete window — which ends with the baseline — is not "stalled"."""
    pupil = school.pupil("A1")
    window = school.window()
    done = school.baseline("A1", "maths", "Y1", reason="joined this term")
    assert {j.at for j in done} == {school.baseline_moment()}
    assert all(j.at.date() < window.start and j.recorded_at is not None for j in done)
    (row,) = [r for r in school.tracking(curriculum_id="maths") if r.pupil.id == pupil.id]
    assert Flag.STALLED not in row.standing.flags
    # a date may be given (when the child joined), but never one in the future
    with pytest.raises(PassportError, match="future"):
        school.baseline("A1", "maths", "Y2", at=school.now() + timedelta(days=1))
