"""The sample frameworks beyond the core subjects (DESIGN §2.13): the engagement model, small
steps K1–K8 (stages with no year: no points, no age expectations, personal targets) and
personal, social and physical development (year-linked, Reception to Year 6)."""

from __future__ import annotations

from datetime import date

import pytest

from passport_tui.curriculum import load_curriculum
from passport_tui.engine import standing
from passport_tui.models import Curriculum
from passport_tui.resources import sample_curricula_dir
from tests.factories import Log, at

TODAY = date(2026, 11, 23)  # autumn 2026/27
FRAMEWORKS = ["engagement-model.toml", "small-steps.toml", "psped.toml"]
AREAS = ["exploration", "realisation", "anticipation", "persistence", "initiation"]


def _load(name: str) -> Curriculum:
    return load_curriculum(sample_curricula_dir() / name)


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_the_frameworks_load_and_say_what_they_are(name: str) -> None:
    c = _load(name)
    assert c.id == name.removesuffix(".toml")
    assert "written for this project" in (c.curriculum.notes or "")
    assert "no public source" in (c.curriculum.notes or "")
    assert "MIT" in (c.curriculum.licence or "")
    for m in c.milestones:
        assert m.title == " ".join(m.title.split()) and m.title.endswith("."), m.id
        # prerequisites stay within the strand and point to an earlier stage
        for r in m.requires:
            req = c.milestone_by_id[r]
            assert req.strand == m.strand
            assert c.stages.index(c.stage_by_id[req.stage]) < c.stages.index(c.stage_by_id[m.stage])


def test_the_engagement_model_is_its_five_areas_with_no_ladder() -> None:
    c = _load("engagement-model.toml")
    assert [s.id for s in c.strands] == AREAS
    # one stage per area of engagement, no year group, no levels: not Emerging/Developing/Established
    assert [s.title for s in c.stages] == [a.capitalize() for a in AREAS]
    assert all(not s.year_list for s in c.stages)
    assert not {"Emerging", "Developing", "Established"} & {s.title for s in c.stages}
    for area, stage in zip(AREAS, c.stages, strict=True):
        assert 3 <= sum(1 for m in c.milestones if m.strand == area and m.stage == stage.id) <= 12
    assert all(not m.requires for m in c.milestones)  # no step must come before another


def test_small_steps() -> None:
    c = _load("small-steps.toml")
    assert [s.id for s in c.stages] == [f"K{k}" for k in range(1, 9)]
    assert c.stages[0].title.endswith("Pre-intentional")
    assert c.stages[-1].title.endswith("Establishing")
    assert all(not s.year_list for s in c.stages)
    assert {s.title for s in c.strands} == {
        "Communication",
        "Cognition",
        "Environmental control technology",
        "Physical",
        "Personal, social and emotional",
    }
    for strand in c.strands:
        for stage in c.stages:
            n = sum(1 for m in c.milestones if m.strand == strand.id and m.stage == stage.id)
            assert 3 <= n <= 5
    # every milestone past K1 has a prerequisite in the stage before
    for m in c.milestones:
        if m.stage != "K1":
            (r,) = m.requires
            assert c.milestone_by_id[r].stage == f"K{int(m.stage[1:]) - 1}"


def test_psped_is_year_linked_from_reception() -> None:
    c = _load("psped.toml")
    assert [s.year_list for s in c.stages] == [[y] for y in range(0, 7)]
    assert c.stages[0].title == "Reception"
    assert all(3 <= len(ms) <= 6 for ms in c.milestones_by_stage.values())
    # a Year 2 pupil with Reception and Year 1 complete: 12 points, expected 13 after autumn
    log = Log()
    for stage in ("R", "Y1"):
        for m in c.milestones_by_stage[stage]:
            log.add(m.id, "achieved", at(2026, 10, 1))
    s = standing(c, log.record(), 2, TODAY)
    assert (s.points, s.expected) == (12, 13)


@pytest.mark.parametrize("name", ["small-steps.toml"])
def test_stages_with_no_year_have_no_points_or_expectations(name: str) -> None:
    c = _load(name)
    first = c.milestones[0]
    log = Log()
    log.add(first.id, "achieved", at(2026, 10, 1))
    s = standing(c, log.record(), 4, TODAY)
    assert s.points is None and s.expected is None
    assert s.flags == [] and s.target is None
    # next steps still come in curriculum order: what the achieved milestone opens is among them
    unlocked = c.unlocks[first.id]
    assert unlocked and unlocked[0] in s.next
    assert first.id not in s.next
    assert s.next == sorted(s.next, key=c.order.__getitem__)
    # no stage lies "below" a year group, so nothing is a gap just for age
    assert s.gaps == []


def test_the_engagement_model_has_no_points_and_every_indicator_is_open() -> None:
    c = _load("engagement-model.toml")
    log = Log()
    log.add("EXP-1", "achieved", at(2026, 10, 1))
    s = standing(c, log.record(), 4, TODAY)
    assert s.points is None and s.expected is None and s.flags == [] and s.target is None
    assert s.gaps == [] and "EXP-1" not in s.next
    assert len(s.next) == len(c.milestones) - 1  # nothing locked: no indicator requires another


def test_personal_targets_and_gaps_in_a_framework_with_no_years() -> None:
    c = _load("small-steps.toml")
    log = Log()
    log.add("COM-K2-1", "achieved", at(2026, 10, 1))  # an override: COM-K1-1 not achieved
    s = standing(c, log.record(), 9, TODAY, personal_target=5)
    assert s.gaps == ["COM-K1-1"]
    assert s.next[0] == "COM-K1-1"  # gaps first
    assert "COM-K3-1" in s.next
    assert s.target == 5 and s.target_is_personal
    assert s.points is None and s.expected is None and s.flags == []
