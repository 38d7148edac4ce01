"""Pathways: each pupil follows a set of curricula; the grid, passport, tracking, groups and
reports use only a pupil's pathway."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.curriculum import load_curriculum
from passport_tui.errors import PassportError
from passport_tui.resources import sample_curricula_dir


@pytest.fixture
def with_framework(school):
    with school.store.transaction():
        school.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
    return school


def test_by_default_pupils_follow_the_year_linked_curricula_only(with_framework):
    svc = with_framework
    p = svc.pathway("A1")
    assert (p.curricula, p.default) == (["maths"], True)
    assert [cp.curriculum.id for cp in svc.passport("A1").curricula] == ["maths"]
    framework = svc.curriculum("engagement-model")
    assert list(svc.standings(framework)) == []  # nobody follows a framework until assigned


def test_a_pupil_on_the_engagement_model_only(with_framework):
    svc = with_framework
    p = svc.set_pathway("A3", ["engagement-model"])
    assert (p.curricula, p.default) == (["engagement-model"], False)
    assert [cp.curriculum.id for cp in svc.passport("A3").curricula] == ["engagement-model"]
    tracked = {(r.pupil.upn, r.curriculum_id) for r in svc.tracking(class_name="1H")}
    assert ("A3", "maths") not in tracked and ("A1", "maths") in tracked
    maths = svc.curriculum("maths")
    grid = svc.grid(svc.pupils("1H"), maths, [m.id for m in maths.milestones])
    assert "A3" not in {line.pupil.upn for line in grid}
    framework = svc.curriculum("engagement-model")
    assert [p.upn for p, _ in svc.standings(framework)] == ["A3"]
    svc.add_to_pathway("A3", ["maths"])
    assert svc.pathway("A3").curricula == ["engagement-model", "maths"]
    svc.remove_from_pathway("A3", ["engagement-model"])
    assert svc.pathway("A3").curricula == ["maths"]
    with pytest.raises(PassportError, match="does not follow"):
        svc.remove_from_pathway("A3", ["engagement-model"])
    with pytest.raises(PassportError, match="No curriculum 'nope'"):
        svc.set_pathway("A3", ["nope"])


def test_the_pathway_commands(with_framework):
    db = str(with_framework.store.path)
    run = CliRunner().invoke
    result = run(cli, ["--db", db, "pathway", "set", "A3", "engagement-model"])
    assert result.exit_code == 0, result.output
    assert "Cara Cole (A3) follows their own pathway: engagement-model" in result.output
    shown = json.loads(run(cli, ["--db", db, "pathway", "show", "A3", "--json"]).output)
    assert shown == {"upn": "A3", "name": "Cara Cole", "curricula": ["engagement-model"], "default": False}
    result = run(cli, ["--db", db, "pathway", "default"])
    assert result.output.strip() == "Pupils without a pathway of their own follow: maths"
