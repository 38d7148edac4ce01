"""DESIGN §2.1–§2.4: achieved forever, prerequisites first, next steps, gaps."""

from __future__ import annotations

import subprocess
import sys

import pytest

from passport_tui.engine import Status, decide, fold, gaps, next_steps
from passport_tui.errors import (
    AchievedForever,
    FutureDate,
    NeverAchieved,
    NotAllowed,
    PrerequisitesUnmet,
    ReasonRequired,
)
from tests.factories import Log, at, make_curriculum

NOW = at(2026, 11, 23)


@pytest.fixture
def cur():
    # Y1: Y1-1 -> Y1-2 -> Y1-3, Y2: Y2-1 (needs Y1-3) -> Y2-2 -> Y2-3
    return make_curriculum([("Y1", 1, 3), ("Y2", 2, 3)])


# --- state from events ------------------------------------------------------------------


def test_state_is_derived_from_events():
    log = Log()
    assert log.record().status("Y1-1") is Status.NOT_ASSESSED
    log.add("Y1-1", "not_yet", at(2026, 9, 10))
    assert log.record().status("Y1-1") is Status.NOT_YET
    log.add("Y1-1", "achieved", at(2026, 10, 1))
    assert log.record().status("Y1-1") is Status.ACHIEVED


def test_retraction_undoes_achieved_and_history_keeps_both():
    log = Log()
    log.add("Y1-1", "not_yet", at(2026, 9, 10))
    a = log.add("Y1-1", "achieved", at(2026, 10, 1))
    log.add("Y1-1", "retracted", at(2026, 10, 5), corrects=a.id)
    rec = log.record()
    assert rec.status("Y1-1") is Status.NOT_YET  # the earlier not-yet shows again
    assert len(log.events) == 3


def test_retraction_covers_reconfirmations_before_it():
    log = Log()
    log.add("Y1-1", "achieved", at(2026, 10, 1))
    b = log.add("Y1-1", "achieved", at(2026, 10, 2))
    log.add("Y1-1", "retracted", at(2026, 10, 5), corrects=b.id)
    assert log.record().status("Y1-1") is Status.NOT_ASSESSED


def test_achieved_as_of_a_past_moment():
    log = Log()
    a = log.add("Y1-1", "achieved", at(2026, 10, 1))
    log.add("Y1-1", "retracted", at(2027, 2, 1), corrects=a.id)
    rec = log.record()
    assert rec.achieved_as_of(at(2026, 12, 31)) == {"Y1-1"}
    assert rec.achieved_as_of(at(2026, 9, 30)) == set()
    assert rec.achieved_as_of(at(2027, 3, 1)) == set()


# --- §2.1 achieved forever --------------------------------------------------------------


def test_not_yet_after_achieved_is_refused(cur):
    log = Log()
    log.add("Y1-1", "achieved", at(2026, 10, 1))
    with pytest.raises(AchievedForever, match="Y1-1 was achieved on 2026-10-01 and stays achieved"):
        decide(cur, log.record(), "Y1-1", "not_yet", now=NOW)


def test_achieved_again_is_a_reconfirmation_that_clears_revisit(cur):
    log = Log()
    log.add("Y1-1", "achieved", at(2026, 10, 1))
    log.add("Y1-1", "revisit", at(2026, 10, 2))
    assert log.record().revisits() == {"Y1-1"}
    d = decide(cur, log.record(), "Y1-1", "achieved", now=NOW)
    assert d.verdict == "achieved" and d.reconfirmation
    log.add("Y1-1", "achieved", at(2026, 10, 3))
    assert log.record().revisits() == set()
    assert log.record().status("Y1-1") is Status.ACHIEVED


def test_revisit_keeps_it_achieved(cur):
    log = Log()
    log.add("Y1-1", "achieved", at(2026, 10, 1))
    decide(cur, log.record(), "Y1-1", "revisit", now=NOW)
    log.add("Y1-1", "revisit", at(2026, 10, 2))
    assert log.record().status("Y1-1") is Status.ACHIEVED


def test_revisit_of_a_milestone_never_achieved_is_refused(cur):
    with pytest.raises(NeverAchieved, match="nothing to mark for revisit"):
        decide(cur, Log().record(), "Y1-1", "revisit", now=NOW)


def test_retracting_never_achieved_is_refused(cur):
    log = Log()
    log.add("Y1-1", "not_yet", at(2026, 10, 1))
    with pytest.raises(NeverAchieved, match="Y1-1 is not achieved"):
        decide(cur, log.record(), "Y1-1", "retracted", now=NOW, reason="typo")


def test_retraction_needs_a_reason(cur):
    log = Log()
    log.add("Y1-1", "achieved", at(2026, 10, 1))
    with pytest.raises(ReasonRequired):
        decide(cur, log.record(), "Y1-1", "retracted", now=NOW, reason="  ")


def test_retraction_by_recorder_or_admin_only(cur):
    log = Log()
    a = log.add("Y1-1", "achieved", at(2026, 10, 1), by="jones")
    rec = log.record()
    with pytest.raises(NotAllowed):
        decide(cur, rec, "Y1-1", "retracted", now=NOW, reason="x", actor="smith", actor_is_admin=False)
    d = decide(cur, rec, "Y1-1", "retracted", now=NOW, reason="x", actor="jones", actor_is_admin=False)
    assert d.corrects == a.id
    d = decide(cur, rec, "Y1-1", "retracted", now=NOW, reason="x", actor="head", actor_is_admin=True)
    assert d.reason == "x"


def test_retracting_a_milestone_others_depend_on_is_allowed_and_shows_a_gap(cur):
    log = Log()
    for m in ("Y1-1", "Y1-2", "Y1-3"):
        log.add(m, "achieved", at(2026, 10, 1))
    a = log.events[1]
    decide(cur, log.record(), "Y1-2", "retracted", now=NOW, reason="error")
    log.add("Y1-2", "retracted", at(2026, 10, 2), corrects=a.id)
    assert gaps(cur, log.record().achieved(), 1) == ["Y1-2"]


# --- §2.2 prerequisites first -----------------------------------------------------------


def test_unmet_prerequisites_are_refused_and_listed(cur):
    with pytest.raises(PrerequisitesUnmet) as info:
        decide(cur, Log().record(), "Y1-2", "achieved", now=NOW)
    assert info.value.unmet == ["Y1-1"]
    assert "Y1-2 needs Y1-1 first" in str(info.value)


def test_override_with_reason_records_it_and_the_unmet_show_as_gaps(cur):
    d = decide(cur, Log().record(), "Y1-3", "achieved", now=NOW, reason="secure in class work")
    assert d.verdict == "achieved" and d.reason == "secure in class work" and d.unmet == ("Y1-2",)
    log = Log()
    log.add("Y1-3", "achieved", at(2026, 10, 1))
    # the whole chain of unmet prerequisites behind the override is a gap
    assert gaps(cur, log.record().achieved(), 1) == ["Y1-1", "Y1-2"]


def test_override_reason_is_not_kept_when_nothing_was_unmet(cur):
    d = decide(cur, Log().record(), "Y1-1", "achieved", now=NOW, reason="because")
    assert d.reason is None


def test_back_dated_judgement_is_checked_against_state_now(cur):
    log = Log()
    log.add("Y1-1", "achieved", at(2026, 11, 1))
    # back-dating Y1-2 to before Y1-1 was achieved is fine: prerequisites are checked against now
    d = decide(cur, log.record(), "Y1-2", "achieved", now=NOW, at=at(2026, 9, 15))
    assert d.verdict == "achieved"


def test_future_date_is_refused(cur):
    with pytest.raises(FutureDate):
        decide(cur, Log().record(), "Y1-1", "achieved", now=NOW, at=at(2026, 12, 1))


# --- §2.3 next steps --------------------------------------------------------------------


def test_next_steps_are_open_milestones_gaps_first_then_curriculum_order():
    cur = make_curriculum([("Y1", 1, 2), ("Y2", 2, 2)], chain=False)
    # no links: everything is open; a Year 2 pupil has the Year 1 stage as gaps, so those first
    assert next_steps(cur, set(), 2) == ["Y1-1", "Y1-2", "Y2-1", "Y2-2"]
    assert next_steps(cur, {"Y1-1"}, 1) == ["Y1-2", "Y2-1", "Y2-2"]


def test_next_steps_never_include_achieved_or_locked(cur):
    steps = next_steps(cur, {"Y1-1"}, 1)
    assert steps == ["Y1-2"]


def test_pupil_far_ahead_has_next_steps_in_later_stages(cur):
    done = {"Y1-1", "Y1-2", "Y1-3", "Y2-1"}
    assert next_steps(cur, done, 1) == ["Y2-2"]


def test_gap_is_listed_before_other_next_steps():
    cur = make_curriculum([("Y1", 1, 3)], chain=False)
    cur2 = cur.model_copy(deep=True)
    cur2.milestones[2].requires = ["Y1-2"]
    cur2.__dict__.pop("milestone_by_id", None)
    # Y1-3 achieved by override; Y1-2 is a gap and open, so it comes before Y1-1
    assert next_steps(cur2, {"Y1-3"}, 1) == ["Y1-2", "Y1-1"]


# --- §2.4 gaps --------------------------------------------------------------------------


def test_stage_below_the_year_group_is_a_gap():
    cur = make_curriculum([("Y3", 3, 2), ("Y4", 4, 2)], chain=False)
    assert gaps(cur, {"Y3-1"}, 4) == ["Y3-2"]
    assert gaps(cur, {"Y3-1"}, 3) == []


def test_two_year_stage_is_not_below_until_both_years_are():
    cur = make_curriculum([("Y3-4", [3, 4], 2), ("Y5-6", [5, 6], 2)], chain=False)
    assert gaps(cur, set(), 4) == []
    assert gaps(cur, set(), 5) == ["Y3-4-1", "Y3-4-2"]


def test_stage_with_no_year_is_never_below():
    cur = make_curriculum([("K1", None, 2)], chain=False)
    assert gaps(cur, set(), 9) == []


# --- layering (DESIGN §9) ---------------------------------------------------------------


def test_engine_imports_no_io_or_ui():
    code = (
        "import sys, passport_tui.engine, passport_tui.models, passport_tui.errors;"
        "bad=[m for m in ('textual','rich','click','sqlite3','sqlite_utils') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_engine_source_has_no_clock():
    import pathlib

    import passport_tui.engine as eng

    for path in pathlib.Path(eng.__file__).parent.glob("*.py"):
        text = path.read_text()
        assert ".now(" not in text and "today()" not in text and "time.time" not in text, path
    assert fold([]).achieved() == set()


def test_grid_cells_in_order_of_importance():
    from passport_tui.engine import Cell, cells

    cur = make_curriculum([("Y1", 1, 5)])  # chain Y1-1 -> ... -> Y1-5
    achieved = {"Y1-1", "Y1-4"}  # Y1-4 by override: Y1-2, Y1-3 are gaps
    got = cells(cur, achieved, {"Y1-3", "Y1-5"}, {"Y1-4"}, 1, ["Y1-1", "Y1-2", "Y1-3", "Y1-4", "Y1-5"])
    assert got == [Cell.ACHIEVED, Cell.GAP, Cell.GAP, Cell.REVISIT, Cell.NOT_YET]
    got = cells(cur, {"Y1-1"}, set(), set(), 1, ["Y1-2", "Y1-3"])
    assert got == [Cell.NEXT, Cell.NOT_ASSESSED]


def test_a_baseline_offers_the_last_stage_wholly_below_the_pupils_year() -> None:
    from passport_tui.engine import last_stage_below

    c = make_curriculum([("R", 0, 1), ("Y1", 1, 1), ("Y12", [1, 2], 1), ("Y3", 3, 1), ("P", None, 1)])
    assert last_stage_below(c, 0) is None  # nothing below Reception
    assert last_stage_below(c, 2) == "Y1"  # a stage spanning Years 1–2 is not wholly below Year 2
    assert last_stage_below(c, 3) == "Y12"
    assert last_stage_below(c, 9) == "Y3"  # a stage with no year is never below one
    assert last_stage_below(c, None) is None
