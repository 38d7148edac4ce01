"""DESIGN §2.11: moderation — a deterministic, spread-out sample, and the status of each judgement."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passport_tui import models
from passport_tui.engine import (
    AchievedJudgement,
    ModerationStatus,
    ModerationStep,
    moderation_sample,
    moderation_state,
)
from passport_tui.errors import JudgementRefused, NotAllowed, ReasonRequired
from tests.factories import at


def pool(spec: dict[int, list[str]]) -> list[AchievedJudgement]:
    """``{pupil: [who recorded each judgement]}`` -> judgements with event ids 1, 2, …"""
    out = []
    for pupil, staff in spec.items():
        for k, by in enumerate(staff):
            out.append(AchievedJudgement(len(out) + 1, pupil, f"M{k}", by))
    return out


# --- the sample -----------------------------------------------------------------------------


def test_same_pool_size_and_seed_give_the_same_sample_in_any_order():
    judgements = pool({p: ["amy", "ben", "amy"] for p in range(1, 9)})
    first = moderation_sample(judgements, 5, "2026-autumn 3B")
    assert len(first) == 5
    assert moderation_sample(list(reversed(judgements)), 5, "2026-autumn 3B") == first
    assert moderation_sample(judgements, 5, "2026-autumn 3B") == first
    others = {tuple(moderation_sample(judgements, 5, f"seed {k}")) for k in range(10)}
    assert len(others) > 1  # the seed does choose


def test_no_pupil_twice_until_every_pupil_has_one():
    # pupil 1 has ten achieved judgements, pupils 2-4 one each
    judgements = pool({1: ["amy"] * 10, 2: ["amy"], 3: ["amy"], 4: ["amy"]})
    four = moderation_sample(judgements, 4, "s")
    assert sorted(j.pupil_id for j in four) == [1, 2, 3, 4]
    # then fill: pupils 2-4 have nothing more, so the next two come from pupil 1
    six = moderation_sample(judgements, 6, "s")
    assert Counter(j.pupil_id for j in six) == {1: 3, 2: 1, 3: 1, 4: 1}
    assert six[:4] == four  # a bigger sample starts with the smaller one


def test_spread_across_the_staff_who_recorded_them():
    # pupils 1-3 judged by amy, pupils 4-6 by ben, two judgements each
    judgements = pool({p: ["amy" if p <= 3 else "ben"] * 2 for p in range(1, 7)})
    for seed in ("a", "b", "c", "d"):
        two = moderation_sample(judgements, 2, seed)
        assert sorted(j.by for j in two) == ["amy", "ben"]
        four = moderation_sample(judgements, 4, seed)
        assert Counter(j.by for j in four) == {"amy": 2, "ben": 2}
        assert len({j.pupil_id for j in four}) == 4
    # one pupil judged by both: the second pick from that pupil goes to the other member of staff
    both = pool({1: ["amy", "amy", "amy", "ben"]})
    assert sorted(j.by for j in moderation_sample(both, 2, "x")) == ["amy", "ben"]


def test_sample_never_exceeds_the_pool_or_the_size():
    judgements = pool({1: ["amy", "ben"], 2: ["ben"]})
    everything = moderation_sample(judgements, 10, "s")
    assert sorted(j.event_id for j in everything) == [1, 2, 3]
    assert moderation_sample(judgements, 0, "s") == []
    assert moderation_sample([], 5, "s") == []
    assert len(moderation_sample(judgements + judgements, 10, "s")) == 3  # an event counts once


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 8), st.sampled_from(["amy", "ben", "cat"])), max_size=40),
    st.integers(0, 45),
    st.text(max_size=5),
)
def test_sample_covers_as_many_pupils_as_it_can(rows, size, seed):
    judgements = [AchievedJudgement(i, p, f"M{i}", by) for i, (p, by) in enumerate(rows)]
    sample = moderation_sample(judgements, size, seed)
    assert len(sample) == min(size, len(judgements))
    assert len({j.event_id for j in sample}) == len(sample)
    pupils = {j.pupil_id for j in judgements}
    assert len({j.pupil_id for j in sample[: len(pupils)]}) == min(len(sample), len(pupils))


# --- the status of one judgement --------------------------------------------------------------


def state(*steps: tuple[str, str] | tuple[str, str, str]):
    return moderation_state([ModerationStep(*s) for s in steps], recorded_by="amy")


def test_unmoderated_judgement_is_pending():
    s = state()
    assert s.status is ModerationStatus.PENDING and not s.sampled and not s.listed
    s = state(("sampled", "head"))
    assert s.status is ModerationStatus.PENDING and s.sampled


def test_confirmed_by_a_second_member_of_staff():
    s = state(("sampled", "head"), ("confirm", "ben"))
    assert s.status is ModerationStatus.CONFIRMED
    assert s.confirmed_by == ("ben",)
    assert state(("confirm", "ben"), ("confirmed", "cat")).confirmed_by == ("ben", "cat")


def test_the_recorder_cannot_confirm_their_own_judgement():
    with pytest.raises(NotAllowed, match="amy recorded this judgement, so cannot confirm it"):
        state(("confirm", "amy"))


def test_a_query_stays_listed_until_resolved():
    s = state(("query", "ben", "No evidence in the book."))
    assert s.status is ModerationStatus.QUERIED and s.listed
    assert (s.query, s.queried_by) == ("No evidence in the book.", "ben")
    with pytest.raises(JudgementRefused, match="resolve the query before confirming"):
        state(("query", "ben", "No evidence."), ("confirm", "cat"))
    s = state(("query", "ben", "No evidence."), ("resolve", "amy", "Evidence added: p. 12."))
    assert s.status is ModerationStatus.RESOLVED and not s.listed
    assert (s.resolution, s.resolved_by, s.query) == ("Evidence added: p. 12.", "amy", "No evidence.")
    # after a resolution it can be confirmed, or queried again
    assert (
        state(("query", "ben", "?"), ("resolve", "amy"), ("confirm", "ben")).status
        is ModerationStatus.CONFIRMED
    )
    assert state(("confirm", "ben"), ("query", "cat", "Really?")).status is ModerationStatus.QUERIED


def test_refused_moderation_steps():
    with pytest.raises(ReasonRequired, match="Querying a judgement needs a reason"):
        state(("query", "ben", "  "))
    with pytest.raises(JudgementRefused, match="no open query"):
        state(("resolve", "ben"))
    with pytest.raises(JudgementRefused, match="no open query"):
        state(("confirm", "ben"), ("resolve", "ben"))
    with pytest.raises(ValueError, match="unknown moderation action"):
        state(("approve", "ben"))


@pytest.mark.skipif(not hasattr(models, "ModerationEvent"), reason="no stored moderation events yet")
def test_folds_the_stored_moderation_events():
    def event(action: str, by: str, note: str | None = None):
        return models.ModerationEvent(judgement_id=7, action=action, by=by, at=at(2026, 11, 2), note=note)

    events = [
        event("sampled", "head"),
        event("queried", "ben", "Which task?"),
        event("resolved", "amy", "Task 3"),
    ]
    s = moderation_state(events, recorded_by="amy")
    assert (s.status, s.sampled, s.query) == (ModerationStatus.RESOLVED, True, "Which task?")
