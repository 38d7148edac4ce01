"""A roster's pathway column (CSV ``Pathway``, OneRoster ``metadata.passport.pathway``) sets the
pathways of the pupils it lists, in the import's one transaction, on a real database file."""

from __future__ import annotations

from pathlib import Path

import pytest

from passport_tui.curriculum import load_curriculum
from passport_tui.errors import RosterError
from passport_tui.resources import sample_curricula_dir
from passport_tui.service import Service
from passport_tui.store import Store

from .conftest import fixed_clock

HEADER = "UPN,Forename,Surname,Year,Class"
KNOWN = "engagement-model, maths"


@pytest.fixture
def svc(school: Service) -> Service:
    """The small school (maths) with the engagement model as a second curriculum."""
    with school.store.transaction():
        school.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
    return school


def roster(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def own_pathways(svc: Service) -> dict[str, list[str]]:
    """UPN → the curricula of each pupil with a pathway of their own, as stored."""
    upns = {p.id: p.upn for p in svc.pupils()}
    return {upns[pid]: sorted(cids) for pid, cids in svc.store.pathways().items()}


def test_a_roster_with_a_pathway_column_sets_pathways(svc: Service, tmp_path: Path) -> None:
    path = roster(
        tmp_path,
        f"{HEADER},Pathway\n"
        "A1,Ann,Adams,1,1H,maths\n"
        "A3,Cara,Cole,1,1H,engagement-model; maths\n"
        "A2,Ben,Brown,1,1H,\n"  # an empty cell: Ben keeps the school's default
        "C1,Gil,Green,1,1H,engagement-model\n",  # a new pupil gets their pathway at once
    )
    done = svc.import_roster(path, 2026)
    assert done.added == 1
    assert own_pathways(svc) == {
        "A1": ["maths"],
        "A3": ["engagement-model", "maths"],
        "C1": ["engagement-model"],
    }
    assert set(svc.pathway("A3").curricula) == {"engagement-model", "maths"}
    assert svc.pathway("A2").default
    assert svc.pathway("C1").curricula == ["engagement-model"]
    # read back from the file by a fresh connection: the pathways were committed
    again = Service(Store.open(tmp_path / "school.db"), user="ms.hughes", clock=fixed_clock)
    try:
        assert own_pathways(again) == own_pathways(svc)
    finally:
        again.close()


def test_an_unknown_curriculum_refuses_the_whole_file_with_its_row(svc: Service, tmp_path: Path) -> None:
    svc.set_pathway("A1", ["engagement-model"])
    before = (svc.pupils(), own_pathways(svc))
    path = roster(
        tmp_path,
        f"{HEADER},Curricula\n"
        "A1,Ann,Adams,1,1H,maths\n"
        "A2,Benjamin,Brown,1,1H,maths;nc-sciense\n"
        "C1,Gil,Green,1,1H,engagement-model\n",
    )
    with pytest.raises(RosterError) as refused:
        svc.import_roster(path, 2026)
    assert refused.value.lines() == [f"{path}:3: Curricula: no curriculum 'nc-sciense' (known: {KNOWN})"]
    # nothing was written: no new pupil, no renamed pupil, no pathway changed
    assert (svc.pupils(), own_pathways(svc)) == before


def test_re_import_without_the_column_keeps_pathways(svc: Service, tmp_path: Path) -> None:
    svc.import_roster(roster(tmp_path, f"{HEADER},Pathway\nA3,Cara,Cole,1,1H,engagement-model\n"), 2026)
    assert own_pathways(svc) == {"A3": ["engagement-model"]}
    done = svc.import_roster(
        roster(tmp_path, f"{HEADER}\nA3,Cara,Cole,2,1H\nA1,Ann,Adams,1,1H\n", "again.csv"), 2026
    )
    assert done.updated and svc.pupil("A3").year_group == 2  # Cara moved up a year …
    assert own_pathways(svc) == {"A3": ["engagement-model"]}  # … and keeps her pathway
    assert svc.pathway("A1").default


def test_a_oneroster_pathway_column_sets_pathways(svc: Service, tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "users.csv").write_text(
        "sourcedId,status,role,givenName,familyName,identifier,grades,metadata.passport.pathway\n"
        "u-1,active,student,Ann,Adams,A1,Y1,engagement-model\n"
        "u-2,active,student,Ben,Brown,A2,Y1,\n",
        encoding="utf-8",
    )
    svc.import_oneroster(folder, 2026)
    assert own_pathways(svc) == {"A1": ["engagement-model"]}
    (folder / "users.csv").write_text(
        "sourcedId,status,role,givenName,familyName,identifier,grades,metadata.passport.pathway\n"
        "u-1,active,student,Ann,Adams,A1,Y1,maths\n"
        "u-2,active,student,Ben,Brown,A2,Y1,art\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterError, match=r"users\.csv:3: metadata\.passport\.pathway: no curriculum 'art'"):
        svc.import_oneroster(folder, 2026)
    assert own_pathways(svc) == {"A1": ["engagement-model"]}
