"""The sample frameworks beyond the core subjects (DESIGN §2.13): the engagement model, small
steps K1–K8 and personal, social and physical development — stages with no year: no points, no
age expectations, personal targets — and year expectations for PSP when a school sets them."""

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
        # prerequisites point to an earlier stage (and stay within the strand, but for one
        # reasoned PSP link from personal health to physical health)
        for r in m.requires:
            req = c.milestone_by_id[r]
            assert req.strand == m.strand or (m.id, r) == ("Y6PHY-2", "Y3PER-2")
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


def test_psped_has_no_year_expectations() -> None:
    c = _load("psped.toml")
    assert [s.id for s in c.stages] == ["R", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6"]
    # stages order the milestones but name no year group: no "Reception" or "Year 4" to be judged by
    assert [s.title for s in c.stages] == ["Stage R", *[f"Stage {n}" for n in range(1, 7)]]
    assert all(not s.year_list for s in c.stages) and not c.year_linked_stages
    assert "Year" not in c.title and "Reception" not in c.title
    assert all(3 <= len(ms) <= 6 for ms in c.milestones_by_stage.values())
    notes = c.curriculum.notes or ""
    assert "only by assignment" in notes and "year = 0" in notes and "curriculum import" in notes
    # a Year 6 pupil with every early stage secured has no points, no expectation and no flags
    log = Log()
    for stage in ("R", "Y1"):
        for m in c.milestones_by_stage[stage]:
            log.add(m.id, "achieved", at(2026, 10, 1))
    s = standing(c, log.record(), 6, TODAY)
    assert (s.points, s.expected, s.flags, s.target) == (None, None, [], None)
    assert s.gaps == []  # nothing is a gap for age


def test_every_psped_link_gives_its_own_reason() -> None:
    """No link drawn by position: each states why that earlier milestone is needed for this one."""
    c = _load("psped.toml")
    links = [(m.id, r, m.link(r)) for m in c.milestones for r in m.requires]
    assert len(links) >= 20
    reasons = [link.reason for _, _, link in links if link is not None]
    assert len(reasons) == len(links) and all(reasons)
    assert len(set(reasons)) == len(reasons)  # no generic reason shared by many links
    assert not any("follows the earlier one" in r or "same sub-strand" in r for r in reasons)
    # not the old rule "each milestone requires the matching one of the year before"
    positional = {
        (m.id, f"{'R' if m.stage == 'Y1' else 'Y' + str(int(m.stage[1:]) - 1)}{m.id[len(m.stage) :]}")
        for m in c.milestones
        if m.stage != "R"
    }
    drawn = {(m, r) for m, r, _ in links}
    assert len(drawn & positional) <= len(drawn) // 2
    assert ("Y1PHY-2", "RPHY-2") not in drawn  # balancing on one foot does not need a pencil grip
    assert any(not m.requires for m in c.milestones if m.stage != "R")  # dropped where no reason


def test_a_school_sets_psped_year_expectations_by_adding_years(tmp_path) -> None:
    """The notes' recipe: export, add a year to each stage, import again — then points apply."""
    from passport_tui.curriculum import save_curriculum

    path = tmp_path / "psped.toml"
    save_curriculum(_load("psped.toml"), path)
    text = path.read_text(encoding="utf-8")
    for year, stage in enumerate(["R", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6"]):
        text = text.replace(f'id = "{stage}"\ntitle = ', f'id = "{stage}"\nyear = {year}\ntitle = ', 1)
    path.write_text(text, encoding="utf-8")
    c = load_curriculum(path)
    assert [s.year_list for s in c.stages] == [[y] for y in range(0, 7)]
    # a Year 2 pupil with stages R and 1 complete: 12 points, expected 13 after autumn
    log = Log()
    for stage in ("R", "Y1"):
        for m in c.milestones_by_stage[stage]:
            log.add(m.id, "achieved", at(2026, 10, 1))
    s = standing(c, log.record(), 2, TODAY)
    assert (s.points, s.expected) == (12, 13)


@pytest.mark.parametrize("name", ["small-steps.toml", "psped.toml"])
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
