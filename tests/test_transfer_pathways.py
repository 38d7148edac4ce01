"""Pathways in the passport file: a pupil's own pathway (the engagement model, small steps, PSP:
frameworks followed only by assignment) travels with them, so the receiving school follows them in
it; a pupil already there keeps that school's pathway, with a warning; bad pathways are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.curriculum import load_curriculum
from passport_tui.errors import FileProblems
from passport_tui.resources import sample_curricula_dir
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import fixed_clock, small_school

TABLES = ("curricula", "pupils", "judgements", "pathways", "settings")


def counts(svc: Service) -> dict[str, int]:
    return {t: svc.store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def followed(svc: Service, upn: str) -> tuple[list[str], bool]:
    way = svc.pathway(upn)
    return way.curricula, way.default


@pytest.fixture
def sending(tmp_path: Path):
    """The small school, with the engagement model: A3 follows it and maths by a pathway of their
    own (no judgement in it yet), A4 follows maths only, by assignment; the others the default."""
    a = small_school(tmp_path / "a.db")
    a.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
    a.set_pathway("A3", ["maths", "engagement-model"])
    a.set_pathway("A4", ["maths"])
    yield a
    a.close()


@pytest.fixture
def empty(tmp_path: Path):
    c = Service(Store.open(tmp_path / "c.db"), user="head", clock=fixed_clock)
    yield c
    c.close()


def test_the_file_carries_each_pupils_own_pathway_and_its_curricula(sending: Service, tmp_path: Path):
    file = tmp_path / "a.json"
    written = sending.write_passport_file(file)
    assert "engagement-model" in written.curricula  # followed, though nothing is judged in it yet
    data = json.loads(file.read_text(encoding="utf-8"))
    assert {e["pupil"]["upn"]: e.get("pathway") for e in data["pupils"]} == {
        "A1": None,
        "A2": None,
        "A3": ["engagement-model", "maths"],
        "A4": ["maths"],
        "B1": None,
        "B2": None,
    }
    assert list(data["pupils"][2])[:2] == ["pupil", "pathway"]
    # the whole file in memory says the same
    assert [e.get("pathway") for e in sending.export_passports(["A3"])["pupils"]] == [
        ["engagement-model", "maths"]
    ]
    assert [c["curriculum"]["id"] for c in sending.export_passports(["A3"])["curricula"]] == [
        "engagement-model",
        "maths",
    ]


def test_a_pathway_naming_a_curriculum_not_here_is_exported_without_it(sending: Service, tmp_path: Path):
    pid = sending.pupil("A4").id
    assert pid is not None
    sending.store.set_pathway(pid, ["maths", "gone"])  # written past the service, which refuses it
    file = tmp_path / "a.json"
    written = sending.write_passport_file(file, ["A4"])
    assert written.curricula == ["maths"]
    data = json.loads(file.read_text(encoding="utf-8"))
    assert data["pupils"][0]["pathway"] == ["maths"]


def test_a_new_pupil_follows_the_files_pathway(sending: Service, empty: Service, tmp_path: Path):
    file = tmp_path / "a.json"
    sending.write_passport_file(file)
    summary = empty.import_passports(file)
    assert summary.pupils_added == ["A1", "A2", "A3", "A4", "B1", "B2"]
    assert summary.pathways_given == ["A3", "A4"] and summary.warnings == []
    assert "Pathways: 2 new pupils follow the pathway the file gives them" in summary.lines()
    for upn in ("A1", "A2", "A3", "A4", "B1", "B2"):
        assert followed(empty, upn) == followed(sending, upn), upn
    assert followed(empty, "A3") == (["engagement-model", "maths"], False)
    # so the receiving school's tracking has A3 in the engagement model, as the sending school's does
    rows = {(r.pupil.upn, r.curriculum_id) for r in empty.tracking(curriculum_id="engagement-model")}
    assert rows == {("A3", "engagement-model")}
    assert rows == {
        (r.pupil.upn, r.curriculum_id) for r in sending.tracking(curriculum_id="engagement-model")
    }


def test_importing_the_same_file_again_changes_nothing(sending: Service, empty: Service, tmp_path: Path):
    file = tmp_path / "a.json"
    sending.write_passport_file(file)
    empty.import_passports(file)
    before = counts(empty)
    again = empty.import_passports(file)
    assert counts(empty) == before
    assert not again.changed and again.pathways_given == [] and again.warnings == []
    assert followed(empty, "A3") == (["engagement-model", "maths"], False)


def test_a_pupil_already_here_keeps_this_schools_pathway_with_a_warning(sending: Service, tmp_path: Path):
    file = tmp_path / "a.json"
    sending.write_passport_file(file)
    b = small_school(tmp_path / "b.db")  # the same pupils, on the default pathway (maths)
    try:
        b.set_pathway("A4", ["maths"])  # the same as the file's: nothing to say
        before = counts(b)
        summary = b.import_passports(file)
        assert counts(b)["pathways"] == before["pathways"]
        assert followed(b, "A3") == (["maths"], True)  # this school's, kept
        assert summary.pathways_given == []
        assert summary.warnings == [
            "A3: follows engagement-model in the file; not here (this school's default pathway: maths) "
            "— `passport pathway add A3 engagement-model` to add it"
        ]
        assert summary.warnings[0] in summary.lines()
        # the warning's command does what it says; the next import has nothing to say
        b.add_to_pathway("A3", ["engagement-model"])
        assert b.import_passports(file).warnings == []
        # when adding would not give the file's pathway (this school's holds more), setting it is
        # offered too
        b.set_pathway("A3", ["engagement-model"])
        b.set_pathway("A4", ["engagement-model"])
        lines = b.import_passports(file).warnings
        assert lines == [
            "A3: follows maths in the file; not here (this school's pathway: engagement-model) "
            "— `passport pathway add A3 maths` to add it",
            "A4: follows maths in the file; not here (this school's pathway: engagement-model) "
            "— `passport pathway add A4 maths` to add it, "
            "or `passport pathway set A4 maths` to follow the file's pathway",
        ]
        assert followed(b, "A4") == (["engagement-model"], False)
    finally:
        b.close()


def test_the_json_summary_carries_the_pathway_warnings(sending: Service, tmp_path: Path):
    file = tmp_path / "a.json"
    sending.write_passport_file(file, ["A3"])
    small_school(tmp_path / "b.db").close()
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(tmp_path / "b.db"), "transfer", "import", str(file), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["pathways_given"] == []
    assert [w.split(";")[0] for w in summary["warnings"]] == ["A3: follows engagement-model in the file"]
    result = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "init"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "transfer", "import", str(file)])
    assert result.exit_code == 0, result.output
    assert "Pathways: 1 new pupil follows the pathway the file gives them" in result.stdout


def _pupil(data: dict[str, Any], upn: str) -> dict[str, Any]:
    return next(e for e in data["pupils"] if e["pupil"]["upn"] == upn)


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (
            lambda d: _pupil(d, "A3")["pathway"].append("psped"),
            ": $.pupils[2].pathway[2]: curriculum 'psped' is not among the file's curricula",
        ),
        (
            lambda d: _pupil(d, "A3").update(pathway=["maths", "maths"]),
            ": $.pupils[2].pathway[1]: curriculum 'maths' is listed twice (also pathway[0])",
        ),
        (
            lambda d: _pupil(d, "A3").update(pathway=[]),
            ": $.pupils[2].pathway: empty; a pathway names at least one curriculum",
        ),
        (
            lambda d: _pupil(d, "A3").update(pathway=["maths", 7]),
            ": $.pupils[2].pathway[1]: input should be a valid string",
        ),
        (
            lambda d: _pupil(d, "A3").update(pathway=None),
            ": $.pupils[2].pathway: input should be a valid array",
        ),
        (
            lambda d: d.update(version=1),
            ": $.pupils[2].pathway: a version 1 file carries no pathways (version 2 does)",
        ),
    ],
)
def test_a_bad_pathway_is_refused_with_its_location_and_nothing_written(
    sending: Service, empty: Service, tmp_path: Path, spoil, expected
):
    data = sending.export_passports()
    data.pop("staff", None)
    spoil(data)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    before = counts(empty)
    with pytest.raises(FileProblems) as caught:
        empty.import_passports(file)
    assert counts(empty) == before  # not A1 and A2 either, who come before the bad pupil
    lines = caught.value.lines()
    assert any(line.startswith(str(file) + expected) for line in lines), lines


def test_a_file_without_pathways_still_imports(sending: Service, empty: Service, tmp_path: Path):
    """A version 1 file, or a version 2 file written before pathways travelled: everyone follows
    the receiving school's default."""
    data = sending.export_passports()
    for entry in data["pupils"]:
        entry.pop("pathway", None)
    for version in (2, 1):
        data["version"] = version
        data.pop("staff", None)
        file = tmp_path / f"v{version}.json"
        file.write_text(json.dumps(data, indent=2), encoding="utf-8")
        summary = empty.import_passports(file)
        assert summary.pathways_given == [] and summary.warnings == []
    assert counts(empty)["pupils"] == 6 and counts(empty)["pathways"] == 0
    assert followed(empty, "A3") == (["maths"], True)
