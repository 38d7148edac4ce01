"""CASE JSON (1EdTech CASE 1.0 / 1.1) import and export: ``passport_tui.interop.case``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from passport_tui.curriculum import dump_curriculum, load_curriculum, parse_curriculum
from passport_tui.errors import CurriculumError
from passport_tui.interop.case import (
    _line_of,
    looks_like_case,
    parse_case,
    read_case,
    save_case,
    write_case,
    year_of_grade,
)
from passport_tui.models import Curriculum
from passport_tui.resources import sample_curriculum_paths

DATA = Path(__file__).parent / "data" / "case"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "case"
CCSS = SHARED / "ccss-math-draft.case.json"


def passes_our_validation(c: Curriculum, name: str = "case.toml") -> Curriculum:
    return parse_curriculum(dump_curriculum(c), name)


# --- the real package ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ccss() -> tuple[Curriculum, list[str]]:
    if not CCSS.exists():
        pytest.skip("the shared CASE sample is not here")
    return read_case(CCSS)


def test_real_package_accounts_for_every_item(ccss: tuple[Curriculum, list[str]]) -> None:
    c, _ = ccss
    raw = json.loads(CCSS.read_text(encoding="utf-8"))
    assert len(raw["CFItems"]) == 703
    assert len(c.milestones) + len(c.strands) == 703
    assert c.curriculum.title == "Common Core State Standards for Mathematics"
    assert c.curriculum.id == "common-core-state-standards-for-mathematics"
    assert c.curriculum.source and "National Governors Association" in c.curriculum.source
    assert c.curriculum.notes and "Year N+1" in c.curriculum.notes
    # codes become ids; a standard with components is a strand, its components milestones
    ms = c.milestone_by_id
    assert ms["CCSS.Math.Content.1.OA.A.1"].stage == "G1"
    assert c.strand_by_id["CCSS.Math.Content.K.CC.B.4"].parent == "CCSS.Math.Content.K.CC.B"
    assert ms["CCSS.Math.Content.K.CC.B.4a"].strand == "CCSS.Math.Content.K.CC.B.4"
    assert all(not m.requires for m in c.milestones)  # the package has no precedes


def test_real_package_says_it_has_no_prerequisite_links(ccss: tuple[Curriculum, list[str]]) -> None:
    _, warnings = ccss
    (line,) = [w for w in warnings if "no prerequisite links" in w]
    assert line.startswith(f"{CCSS}: warning: ") and "no 'precedes' associations" in line


def test_real_package_warns_about_the_misspelt_level(ccss: tuple[Curriculum, list[str]]) -> None:
    _, warnings = ccss
    assert any("educationalLevel" in w and "703" in w for w in warnings)
    assert all(w.startswith(str(CCSS)) for w in warnings)


def test_real_package_levels_become_stages(ccss: tuple[Curriculum, list[str]]) -> None:
    c, _ = ccss
    assert [(s.id, s.title, s.year) for s in c.stages] == [
        ("KG", "Kindergarten", 1),
        *[(f"G{n}", f"Grade {n}", n + 1) for n in range(1, 10)],
    ]
    stage_rank = {s.id: i for i, s in enumerate(c.stages)}
    ranks = [stage_rank[m.stage] for m in c.milestones]
    assert ranks == sorted(ranks)


def test_real_package_passes_our_validation(ccss: tuple[Curriculum, list[str]]) -> None:
    c, _ = ccss
    again = passes_our_validation(c)
    assert again == c


# --- small hand-made packages ----------------------------------------------------------------


def test_precedes_becomes_requires_and_levels_become_years() -> None:
    c, warnings = read_case(DATA / "precedes.case.json")
    passes_our_validation(c)
    ms = c.milestone_by_id
    assert ms["N.2"].requires == ["N.1"]
    assert set(ms["N.3"].requires) == {"N.2", "N.4-bbbbbbbb"}
    assert ms["N.1"].guidance == "Say the numbers in order."
    # CASE 1.1 spelling: no misspelling warning
    assert not any("educationalLevel" in w for w in warnings)
    years = {m.id: c.stage_by_id[m.stage].year_list for m in c.milestones}
    assert years == {"N.1": [1], "N.2": [2], "N.3": [2, 3], "N.4-bbbbbbbb": [], "N.4-cccccccc": [0]}
    assert c.stage_by_id["unlevelled"].year is None
    header = c.curriculum
    assert (header.version, header.licence) == (
        "2.0 (Draft)",
        "Creative Commons Attribution 4.0 International",
    )
    assert header.source == "Example Trust; Example Publisher"


def test_tolerated_oddities_are_warnings() -> None:
    c, warnings = read_case(DATA / "precedes.case.json")
    text = "\n".join(warnings)
    assert "2 associations point outside the package" in text
    assert "ignored 1 'exactMatchOf' association" in text
    assert "ignored 1 'isRelatedTo' association" in text
    assert "share a humanCodingScheme" in text and "N.4" in text
    assert "no fullStatement" in text
    # the item whose parent is outside lands in a General strand, titled by its short statement
    orphan = c.milestone_by_id["N.4-cccccccc"]
    assert (orphan.strand, orphan.title) == ("general", "Subitise")


def test_precedes_cycle_is_dropped_with_a_warning() -> None:
    c, warnings = read_case(DATA / "cycle.case.json")
    passes_our_validation(c)
    assert [(m.id, m.requires) for m in c.milestones] == [("A", []), ("B", ["A"]), ("C", ["B"])]
    assert any("precedes cycle" in w and "C precedes A" in w for w in warnings)


def test_no_cfitems_is_refused_with_its_location() -> None:
    with pytest.raises(CurriculumError) as caught:
        read_case(DATA / "no-items.case.json")
    assert caught.value.lines() == [f"{DATA / 'no-items.case.json'}:9: $.CFItems: CFItems must be a list"]
    text = '{\n  "CFDocument": {"identifier": "d", "title": "T"}\n}\n'
    with pytest.raises(CurriculumError) as caught:
        parse_case(text, "x.json")
    assert caught.value.lines() == ["x.json:1: $: no CFItems: the package has no standards to import"]
    with pytest.raises(CurriculumError, match=r"x.json:1: \$: no CFDocument"):
        parse_case('{"CFItems": []}', "x.json")


def test_invalid_json_is_refused_with_its_line() -> None:
    with pytest.raises(CurriculumError) as caught:
        read_case(DATA / "broken.case.json")
    (problem,) = caught.value.problems
    assert problem.line == 5 and "not valid JSON" in problem.message


def test_json_paths_are_located_by_line() -> None:
    text = '{\n "a": 1,\n "CFItems": [\n  {"x": [1, 2]},\n  {"y": "]"},\n  3\n ]\n}\n'
    assert _line_of(text, ["CFItems"]) == 3
    assert _line_of(text, ["CFItems", 0]) == 4
    assert _line_of(text, ["CFItems", 2]) == 6
    assert _line_of(text, ["missing"]) == 1
    assert _line_of(text, ["CFItems", 1, "z"]) == 5


def test_looks_like_case(tmp_path: Path) -> None:
    assert looks_like_case(DATA / "precedes.case.json")
    assert looks_like_case(str(DATA / "cycle.case.json"))
    assert looks_like_case(DATA / "broken.case.json")  # broken, but clearly meant as CASE
    assert looks_like_case('{"CFDocument": {}, "CFItems": []}')
    assert not looks_like_case('{"pupils": []}')
    assert not looks_like_case("[1, 2]")
    assert not looks_like_case(tmp_path / "absent.json")
    toml = tmp_path / "c.json"
    toml.write_text("[curriculum]\nid = 'x'\n", encoding="utf-8")
    assert not looks_like_case(toml)


# --- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sample_curriculum_paths(), ids=lambda p: p.stem)
def test_export_then_import_gives_back_the_curriculum(path: Path) -> None:
    original = load_curriculum(path)
    package = write_case(original)
    back, warnings = parse_case(json.dumps(package), "export.json")
    if any(m.requires for m in original.milestones):
        assert warnings == []
    else:  # a curriculum without links says so
        assert len(warnings) == 1 and "no prerequisite links" in warnings[0]
    passes_our_validation(back)
    assert [(s.id, s.title, s.parent) for s in back.strands] == [
        (s.id, s.title, s.parent) for s in original.strands
    ]

    def shape(c: Curriculum) -> list[tuple[object, ...]]:
        return [
            (
                m.id,
                m.title,
                m.strand,
                frozenset(m.requires),
                frozenset((r, link.source, link.reason) for r, link in m.provenance.items()),
                m.guidance,
                tuple(c.stage_by_id[m.stage].year_list),
            )
            for m in c.milestones
        ]

    assert shape(back) == shape(original)
    header = back.curriculum
    assert (header.title, header.version, header.licence) == (
        original.title,
        original.curriculum.version,
        original.curriculum.licence,
    )
    # and everything else: the id, the stages (ids, titles, years, end points), the order
    assert back == original


def test_export_is_deterministic_and_shaped_like_case_1_1(tmp_path: Path) -> None:
    c = next(c for c in map(load_curriculum, sample_curriculum_paths()) if c.id == "nc-maths")
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    when = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    save_case(c, first, changed=when)
    save_case(c, second, changed=when)
    assert first.read_bytes() == second.read_bytes()
    package = json.loads(first.read_text(encoding="utf-8"))
    assert looks_like_case(first)
    document = package["CFDocument"]
    assert document["caseVersion"] == "1.1" and document["title"] == c.title
    required = {"identifier", "uri", "creator", "title", "lastChangeDateTime"}
    assert required <= set(document)
    for item in package["CFItems"]:
        assert {"identifier", "uri", "fullStatement", "lastChangeDateTime"} <= set(item)
    kinds = {a["associationType"] for a in package["CFAssociations"]}
    assert kinds <= {"isChildOf", "precedes"} and "isChildOf" in kinds
    ids = [x["identifier"] for x in package["CFItems"] + package["CFAssociations"]]
    assert len(ids) == len(set(ids))
    y3 = next(m for m in c.milestones if c.stage_by_id[m.stage].year_list == [1])
    exported = next(
        i for i in package["CFItems"] if i["humanCodingScheme"] == y3.id and i["CFItemType"] == "Milestone"
    )
    assert exported["educationLevel"] == ["KG"]


def test_export_keeps_precedes_and_unlevelled_stages() -> None:
    c = load_curriculum(Path(__file__).parent / "data" / "maths.toml")
    back, _ = parse_case(json.dumps(write_case(c)), "x.json")
    assert {m.id: set(m.requires) for m in back.milestones} == {m.id: set(m.requires) for m in c.milestones}


def test_link_provenance_survives_a_case_round_trip() -> None:
    c = next(c for c in map(load_curriculum, sample_curriculum_paths()) if c.id == "key-maths")
    package = write_case(c)
    precedes = [a for a in package["CFAssociations"] if a["associationType"] == "precedes"]
    assert len(precedes) == sum(len(m.requires) for m in c.milestones)
    # for people: the notes; for a reader like ours: the extension
    assert all(a["notes"].startswith(("Source: ", "Our reading: ")) for a in precedes)
    assert all(set(a["extensions"]["linkProvenance"]) <= {"source", "reason"} for a in precedes)
    back, warnings = parse_case(json.dumps(package), "export.json")
    assert warnings == []
    for m in c.milestones:
        got = back.milestone_by_id[m.id]
        assert {r: got.link(r) for r in got.requires} == {r: m.link(r) for r in m.requires}, m.id


def test_a_foreign_precedes_note_is_read_as_the_link_source() -> None:
    c = load_curriculum(Path(__file__).parent / "data" / "maths.toml")
    package = write_case(c)
    precedes = next(a for a in package["CFAssociations"] if a["associationType"] == "precedes")
    precedes.pop("extensions", None)
    precedes["notes"] = "Progression map, row 3"
    back, _ = parse_case(json.dumps(package), "x.json")
    after = next(
        i for i in package["CFItems"] if i["identifier"] == precedes["destinationNodeURI"]["identifier"]
    )
    before = next(i for i in package["CFItems"] if i["identifier"] == precedes["originNodeURI"]["identifier"])
    link = back.milestone_by_id[after["humanCodingScheme"]].link(before["humanCodingScheme"])
    assert link is not None and (link.source, link.reason) == ("Progression map, row 3", None)
    # a precedes association with neither notes nor the extension gives a link with no provenance
    others = [m for m in back.milestones for r in m.requires if m.link(r) is None]
    assert others or sum(len(m.requires) for m in back.milestones) == 1


def test_a_round_trip_keeps_the_curriculum_id_and_its_year_stages() -> None:
    c = next(c for c in map(load_curriculum, sample_curriculum_paths()) if c.id == "key-maths")
    package = write_case(c)
    assert package["CFDocument"]["extensions"]["passportCurriculum"]["id"] == "key-maths"
    back, _ = parse_case(json.dumps(package), "export.json")
    assert back.id == "key-maths"  # not a slug of the title
    assert [(s.id, s.title, s.year_list) for s in back.stages][:4] == [
        ("R", "Reception", [0]),
        ("Y1", "Year 1", [1]),
        ("Y2", "Year 2", [2]),
        ("Y3", "Year 3", [3]),
    ]
    assert not any(s.title.startswith(("Kindergarten", "Grade")) for s in back.stages)
    # other tools still get the levels
    item = next(i for i in package["CFItems"] if i["CFItemType"] == "Milestone" and "educationLevel" in i)
    assert item["educationLevel"]


def test_a_stage_with_no_year_and_its_end_points_survive_a_round_trip() -> None:
    c = next(c for c in map(load_curriculum, sample_curriculum_paths()) if c.id == "small-steps")
    c.stages[0].end_points = 7
    back, _ = parse_case(json.dumps(write_case(c)), "x.json")
    assert [(s.id, s.title, s.year, s.end_points) for s in back.stages[:2]] == [
        ("K1", "K1 Pre-intentional", None, 7),
        ("K2", "K2 Reactive", None, None),
    ]
    assert [m.stage for m in back.milestones] == [m.stage for m in c.milestones]


def test_a_package_without_our_extensions_is_still_read_by_its_levels() -> None:
    c = next(c for c in map(load_curriculum, sample_curriculum_paths()) if c.id == "key-maths")
    package = write_case(c)
    package["CFDocument"].pop("extensions", None)
    for item in package["CFItems"]:
        item.pop("extensions", None)
    back, _ = parse_case(json.dumps(package), "x.json")
    assert back.id != "key-maths" and back.stages[1].title == "Kindergarten"


def test_change_dates_are_real() -> None:
    c = load_curriculum(Path(__file__).parent / "data" / "maths.toml")
    c.curriculum.version = "2026.1"
    before = datetime.now(UTC).replace(microsecond=0)
    package = write_case(c)
    stamps = {
        x["lastChangeDateTime"]
        for x in [package["CFDocument"], *package["CFItems"], *package["CFAssociations"]]
    }
    (stamp,) = stamps
    assert not stamp.startswith("2000-01-01")
    assert before <= datetime.fromisoformat(stamp) <= before + timedelta(minutes=1)
    # a version that is (or has) a date gives that date
    c.curriculum.version = "draft of 2024-09-01"
    assert write_case(c)["CFDocument"]["lastChangeDateTime"] == "2024-09-01T00:00:00+00:00"
    c.curriculum.version = "2024-13-45"  # not a date: now
    assert write_case(c)["CFDocument"]["lastChangeDateTime"] >= before.isoformat()
    given = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
    assert write_case(c, changed=given)["CFDocument"]["lastChangeDateTime"] == "2025-06-30T12:00:00+00:00"


def _with_precedes(raw: dict, *pairs: tuple[str, str], notes: str | None = None) -> dict:
    """The package with "A precedes B" associations added, A and B named by their codes."""
    by_code = {i.get("humanCodingScheme"): i for i in raw["CFItems"]}
    for n, (before, after) in enumerate(pairs):
        origin = by_code[f"CCSS.Math.Content.{before}"]
        destination = by_code[f"CCSS.Math.Content.{after}"]
        association = {
            "identifier": f"added-precedes-{n}",
            "associationType": "precedes",
            "originNodeURI": {"title": "Origin", "identifier": origin["identifier"], "uri": origin["uri"]},
            "destinationNodeURI": {
                "title": "Destination",
                "identifier": destination["identifier"],
                "uri": destination["uri"],
            },
        }
        if notes:
            association["notes"] = notes
        raw["CFAssociations"].append(association)
    return raw


def test_a_precedes_naming_a_standard_with_components_is_applied_to_its_parts() -> None:
    if not CCSS.exists():
        pytest.skip("the shared CASE sample is not here")
    raw = json.loads(CCSS.read_text(encoding="utf-8"))
    package = _with_precedes(
        raw, ("6.RP.A.2", "6.RP.A.3"), ("6.RP.A.3", "7.RP.A.1"), notes="Progressions, ratios"
    )
    c, warnings = parse_case(json.dumps(package), str(CCSS))
    passes_our_validation(c)
    ms = c.milestone_by_id
    parts = [f"CCSS.Math.Content.6.RP.A.3{x}" for x in "abcd"]
    assert "CCSS.Math.Content.6.RP.A.3" in c.strand_by_id  # the standard stays a strand
    # the standard as destination: each part requires 6.RP.A.2
    for part in parts:
        assert ms[part].requires == ["CCSS.Math.Content.6.RP.A.2"]
        link = ms[part].link("CCSS.Math.Content.6.RP.A.2")
        assert link is not None and link.source == "Progressions, ratios"
        assert link.reason and "applied to the parts of CCSS.Math.Content.6.RP.A.3" in link.reason
    # the standard as origin: 7.RP.A.1 requires all of its parts
    assert ms["CCSS.Math.Content.7.RP.A.1"].requires == parts
    assert sum("name a standard with components" in w and w.count("->") == 2 for w in warnings) == 1


def test_a_precedes_naming_a_cluster_is_still_ignored_with_a_warning() -> None:
    if not CCSS.exists():
        pytest.skip("the shared CASE sample is not here")
    raw = json.loads(CCSS.read_text(encoding="utf-8"))
    c, warnings = parse_case(json.dumps(_with_precedes(raw, ("6.RP.A", "7.RP.A"))), str(CCSS))
    assert all(not m.requires for m in c.milestones)
    assert any("groups of standards" in w and "6.RP.A -> " in w for w in warnings)


def test_precedes_that_are_all_dropped_say_so() -> None:
    c, warnings = parse_case(json.dumps(_tiny([("A", ["01"]), ("B", ["01"])], [("A", "nowhere")])), "x.json")
    assert all(not m.requires for m in c.milestones)
    assert any("no prerequisite links: none of its 1 'precedes'" in w for w in warnings)
    _, warnings = parse_case(json.dumps(_tiny([("A", ["01"]), ("B", ["01"])], [("A", "B")])), "x.json")
    assert not any("no prerequisite links" in w for w in warnings)


def _tiny(items: list[tuple[str, list[str]]], precedes: list[tuple[str, str]]) -> dict:
    """A small package: one strand holding milestones (code, educationLevel), and precedes by code."""
    doc = {"identifier": "doc", "uri": "urn:doc", "title": "Tiny", "creator": "Test"}
    found = [{"identifier": "s", "uri": "urn:s", "fullStatement": "Strand", "humanCodingScheme": "S"}]
    found += [
        {"identifier": code, "uri": f"urn:{code}", "fullStatement": f"Do {code}", "humanCodingScheme": code}
        | ({"educationLevel": levels} if levels else {})
        for code, levels in items
    ]
    tree = [
        {
            "identifier": "a-s",
            "associationType": "isChildOf",
            "originNodeURI": {"identifier": "s"},
            "destinationNodeURI": {"identifier": "doc"},
        }
    ]
    tree += [
        {
            "identifier": f"a-{code}",
            "associationType": "isChildOf",
            "originNodeURI": {"identifier": code},
            "destinationNodeURI": {"identifier": "s"},
        }
        for code, _ in items
    ]
    tree += [
        {
            "identifier": f"p-{a}-{b}",
            "associationType": "precedes",
            "originNodeURI": {"identifier": a},
            "destinationNodeURI": {"identifier": b},
        }
        for a, b in precedes
    ]
    return {"CFDocument": doc, "CFItems": found, "CFAssociations": tree}


def test_us_grades_map_to_years_by_one_rule_and_never_past_year_13_silently() -> None:
    assert [year_of_grade(g) for g in ("PK", "TK", "K", "KG", "00", "01", "5", "12")] == [
        0,
        0,
        1,
        1,
        1,
        2,
        6,
        13,
    ]
    assert [year_of_grade(g) for g in ("13", "15", "PS", "UG", "OTHER")] == [None] * 5
    package = _tiny([("A", ["12"]), ("B", ["13"]), ("C", ["16"]), ("D", ["15", "16"])], [("A", "B")])
    c, warnings = parse_case(json.dumps(package), "x.json")
    passes_our_validation(c)
    years = {m.id: c.stage_by_id[m.stage].year_list for m in c.milestones}
    assert years == {"A": [13], "B": [], "C": [], "D": []}
    assert all(y <= 13 for s in c.stages for y in s.year_list)
    (line,) = [w for w in warnings if "past grade 12" in w]
    assert "3 items are at US grade 13, 15, 16" in line and "Year 13" in line and "B, C, D" in line


def test_parent_text_survives_a_case_round_trip() -> None:
    for c in (c for c in map(load_curriculum, sample_curriculum_paths()) if c.id.startswith("key-")):
        package = write_case(c)
        items = {i["humanCodingScheme"]: i for i in package["CFItems"] if i["CFItemType"] == "Milestone"}
        for m in c.milestones:
            assert m.parent_text
            assert items[m.id]["extensions"]["passportMilestone"]["parentText"] == m.parent_text
        back, warnings = parse_case(json.dumps(package), "export.json")
        assert warnings == []
        assert {m.id: m.parent_text for m in back.milestones} == {m.id: m.parent_text for m in c.milestones}


def test_a_milestone_without_parent_text_exports_none() -> None:
    c = load_curriculum(Path(__file__).parent / "data" / "maths.toml")
    assert all(m.parent_text is None for m in c.milestones)
    package = write_case(c)
    assert not any(
        "parentText" in i.get("extensions", {}).get("passportMilestone", {}) for i in package["CFItems"]
    )
    back, _ = parse_case(json.dumps(package), "x.json")
    assert all(m.parent_text is None for m in back.milestones)
