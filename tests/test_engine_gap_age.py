"""How long each gap has been open (DESIGN §2.4), with hand-counted days."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings

from passport_tui.engine import gap_ages, gap_opened, gaps, judged
from passport_tui.models import Pupil
from tests.factories import Log, at, make_curriculum
from tests.test_engine_properties import play, scenario

TODAY = date(2026, 11, 23)  # autumn 2026/27

# Y1-1 -> Y1-2 -> Y1-3 -> Y2-1 -> Y2-2 -> Y2-3 -> Y3-1 -> Y3-2 -> Y3-3, each requiring the one before
CHAIN = make_curriculum([("Y1", 1, 3), ("Y2", 2, 3), ("Y3", 3, 3)])


def test_gap_behind_achieved_milestones_opened_with_the_earliest_dependent():
    log = Log()
    log.add("Y1-1", "achieved", at(2025, 10, 1))
    log.add("Y2-1", "achieved", at(2025, 12, 1))  # override: Y1-2, Y1-3 unmet
    log.add("Y1-3", "achieved", at(2026, 1, 15))  # override: Y1-2 unmet
    rec = log.record()
    # a Year 2 pupil in 2026/27: the only gap is Y1-2 (Y1-3 and Y2-1 depend on it; Year 1 is below)
    assert gaps(CHAIN, rec.achieved(), 2) == ["Y1-2"]
    # dependents: Y1-3 on 15 Jan 2026, and Y2-1 (through Y1-3) on 1 Dec 2025; Year 1 lay below from
    # 1 Sep 2026. The earliest: 1 Dec 2025, 357 days before 23 Nov 2026 (365 - 8)
    assert gap_opened(CHAIN, rec, "Y1-2", 2, TODAY) == date(2025, 12, 1)
    assert gap_ages(CHAIN, rec, 2, 2026, TODAY) == [("Y1-2", 357)]
    # the same pupil, as the roster records them (Year 1 in 2025/26)
    pupil = Pupil(upn="A1", first_name="A", last_name="B", year_group=1, academic_year=2025)
    assert gap_opened(CHAIN, rec, "Y1-2", pupil.year_group_in, TODAY) == date(2025, 12, 1)
    assert gap_ages(CHAIN, rec, 1, 2025, TODAY) == [("Y1-2", 357)]


def judged_once(milestone: str = "Y1-1") -> Log:
    """A log with one judgement, not yet (a pupil never judged is not assessed: no gaps at all)."""
    log = Log()
    log.add(milestone, "not_yet", at(2024, 9, 10))
    return log


def test_a_pupil_not_assessed_has_no_gap_to_age():
    rec = Log().record()
    assert gap_ages(CHAIN, rec, 4, 2026, TODAY) == [] and gap_opened(CHAIN, rec, "Y1-1", 4, TODAY) is None
    assert len(gap_ages(CHAIN, judged_once().record(), 4, 2026, TODAY)) == 9


def test_gaps_in_stages_below_opened_on_1_september_of_the_year_they_fell_below():
    rec = judged_once().record()
    # a Year 4 pupil in 2026/27 was in Year 2 in 2024/25: Year 1 below from 1 Sep 2024 (813 days),
    # Year 2 from 1 Sep 2025 (448 days), Year 3 from 1 Sep 2026 (83 days)
    assert gap_opened(CHAIN, rec, "Y1-1", 4, TODAY) == date(2024, 9, 1)
    assert gap_opened(CHAIN, rec, "Y2-3", 4, TODAY) == date(2025, 9, 1)
    assert gap_opened(CHAIN, rec, "Y3-1", 4, TODAY) == date(2026, 9, 1)
    assert gap_ages(CHAIN, rec, 4, 2026, TODAY) == [
        ("Y1-1", 813),
        ("Y1-2", 813),
        ("Y1-3", 813),
        ("Y2-1", 448),
        ("Y2-2", 448),
        ("Y2-3", 448),
        ("Y3-1", 83),
        ("Y3-2", 83),
        ("Y3-3", 83),
    ]


def test_two_year_stage_falls_below_when_both_years_have_passed():
    cur = make_curriculum([("Y3-4", [3, 4], 2)], chain=False)
    rec = judged_once("Y3-4-1").record()
    assert gap_ages(cur, rec, 4, 2026, TODAY) == []  # Year 4: not below yet
    # Year 6 in 2026/27, Year 5 in 2025/26: below from 1 Sep 2025, 448 days
    assert gap_ages(cur, rec, 6, 2026, TODAY) == [("Y3-4-1", 448), ("Y3-4-2", 448)]


def test_the_earlier_of_the_two_kinds_wins():
    log = Log()
    log.add("Y1-1", "achieved", at(2026, 10, 5))
    log.add("Y1-3", "achieved", at(2026, 11, 2))  # override: Y1-2 unmet
    rec = log.record()
    # Year 3 pupil in 2026/27: Year 1 below since 1 Sep 2025 (Year 2 then), earlier than 2 Nov 2026
    assert gap_opened(CHAIN, rec, "Y1-2", 3, TODAY) == date(2025, 9, 1)
    # Year 1 pupil: Year 1 is not below, so only the dependent counts: 2 Nov 2026, 21 days
    assert gap_ages(CHAIN, rec, 1, 2026, TODAY) == [("Y1-2", 21)]


def test_a_retracted_milestone_is_a_gap_only_from_its_retraction():
    log = Log()
    log.add("Y1-1", "achieved", at(2025, 10, 1))
    two = log.add("Y1-2", "achieved", at(2025, 11, 1))
    log.add("Y1-3", "achieved", at(2025, 12, 1))
    log.add("Y1-2", "retracted", at(2026, 3, 10), corrects=two.id)
    rec = log.record()
    today = date(2026, 5, 1)  # still 2025/26, a Year 1 pupil: Year 1 is not below
    # Y1-3 (1 Dec 2025) depends on Y1-2, but Y1-2 counted as achieved until 10 Mar 2026:
    # open from then, 21 + 30 + 1 = 52 days
    assert gap_opened(CHAIN, rec, "Y1-2", 1, today) == date(2026, 3, 10)
    assert gap_ages(CHAIN, rec, 1, 2025, today) == [("Y1-2", 52)]


def test_oldest_first_then_curriculum_order():
    cur = make_curriculum([("Y1", 1, 2), ("Y2", 2, 4)], chain=False)
    requires = {"Y2-3": ["Y2-1"], "Y2-4": ["Y2-2"]}
    cur = cur.model_copy(
        update={
            "milestones": [m.model_copy(update={"requires": requires.get(m.id, [])}) for m in cur.milestones]
        }
    )
    log = Log()
    log.add("Y2-4", "achieved", at(2026, 10, 1))  # override
    log.add("Y2-3", "achieved", at(2026, 9, 20))  # override (back-dated)
    rec = log.record()
    # Year 2 pupil: Y1-1, Y1-2 below since 1 Sep 2026 (83 days); Y2-1 open since 20 Sep (64 days);
    # Y2-2 since 1 Oct (53 days)
    assert gap_ages(cur, rec, 2, 2026, TODAY) == [("Y1-1", 83), ("Y1-2", 83), ("Y2-1", 64), ("Y2-2", 53)]


def test_not_a_gap_gives_none_and_no_gaps_gives_nothing():
    log = Log()
    log.add("Y1-1", "achieved", at(2026, 10, 1))
    rec = log.record()
    assert gap_opened(CHAIN, rec, "Y1-2", 1, TODAY) is None  # a next step, not a gap
    assert gap_opened(CHAIN, rec, "Y1-1", 1, TODAY) is None  # achieved
    assert gap_ages(CHAIN, rec, 1, 2026, TODAY) == []
    assert gap_ages(make_curriculum([("K1", None, 3)]), Log().record(), 9, 2026, TODAY) == []


def test_never_opened_after_today():
    log = Log()
    log.add("Y1-3", "achieved", at(2026, 12, 1))  # dated after "today" (a clock skew)
    rec = log.record()
    assert gap_ages(CHAIN, rec, 1, 2026, TODAY) == [("Y1-1", 0), ("Y1-2", 0)]


@settings(max_examples=150, deadline=None)
@given(scenario(allow_retract=True))
def test_gap_ages_list_exactly_the_gaps(sc):
    cur, steps, year = sc
    rec = play(cur, steps)  # events from 1 Sep 2025, one a day
    today = date(2026, 8, 31)  # after every event (at most 40 days of them)
    ages = gap_ages(cur, rec, year, 2025, today)
    listed = gaps(cur, rec.achieved(), year) if judged(rec) else []  # not assessed: no gaps
    assert [m for m, _ in sorted(ages, key=lambda a: cur.order[a[0]])] == listed
    assert all(days >= 0 for _, days in ages)
    assert [d for _, d in ages] == sorted((d for _, d in ages), reverse=True)
