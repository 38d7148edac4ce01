"""Curricula change safely (achieved forever): a new version may not drop or re-mean a milestone
that has judgements unless its file maps it (``moved``) or retires it (``retired``). Real SQLite
files throughout; the CLI as a teacher's admin runs it."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_tui import engine
from passport_tui.cli import cli
from passport_tui.curriculum import dump_curriculum, load_curriculum, parse_curriculum
from passport_tui.engine.revision import SHOWN, revise, title_change
from passport_tui.errors import (
    AchievedForever,
    CurriculumChangeRefused,
    CurriculumError,
    MilestoneRetired,
)
from passport_tui.interop.case import parse_case, write_case
from passport_tui.models import Curriculum, Milestone
from passport_tui.service import Service
from passport_tui.store import Store

from .conftest import DATA, fixed_clock, small_school

MATHS = load_curriculum(DATA / "maths.toml")


def version(
    number: str,
    *,
    drop: tuple[str, ...] = (),
    add: tuple[Milestone, ...] = (),
    change: dict[str, dict] | None = None,
    moved: dict[str, str] | None = None,
    retired: tuple[str, ...] = (),
) -> Curriculum:
    """The small maths curriculum as a new version: milestones dropped, added or changed, and the
    header's ``moved`` and ``retired``."""
    c = MATHS.model_copy(deep=True)
    keep = [m for m in c.milestones if m.id not in drop]
    for m in keep:
        m.requires = [r for r in m.requires if r not in drop]
        for key, value in (change or {}).get(m.id, {}).items():
            setattr(m, key, value)
    header = c.curriculum.model_copy(
        update={"version": number, "moved": moved or {}, "retired": list(retired)}
    )
    return Curriculum(curriculum=header, stages=c.stages, strands=c.strands, milestones=[*keep, *add])


def write(tmp_path: Path, c: Curriculum, name: str = "maths-next.toml") -> Path:
    path = tmp_path / name
    path.write_text(dump_curriculum(c), encoding="utf-8")
    parse_curriculum(path.read_text(encoding="utf-8"), str(path))  # a valid file
    return path


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def judge_ann(svc: Service) -> None:
    """Ann (Year 1) has secured 1N-1 and 1N-2 and is not yet at 1N-3; Eve (Year 3) has secured
    all of Year 1 and 2N-1."""
    svc.judge("A1", "1N-1", "achieved")
    svc.judge("A1", "1N-2", "achieved")
    svc.judge("A1", "1N-3", "not-yet")
    for mid in ("1N-1", "1N-2", "1N-3", "2N-1"):
        svc.judge("B1", mid, "achieved")


@pytest.fixture
def judged(tmp_path: Path):
    path = tmp_path / "school.db"
    svc = small_school(path)
    judge_ann(svc)
    svc.close()
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(cli, ["--db", str(path), "--as", "ms.hughes", *args], catch_exceptions=False)
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    run.db = path  # type: ignore[attr-defined]
    return run


def open_school(db: Path) -> Service:
    return Service(Store.open(db), user="ms.hughes", clock=fixed_clock)


def points_and_achieved(db: Path, upn: str) -> tuple[int | None, set[str]]:
    with open_school(db) as svc:
        cp = svc.passport(upn).curricula[0]
        return cp.standing.points, set(cp.standing.achieved)


# --- refused ---------------------------------------------------------------------------------


def test_dropping_a_judged_milestone_is_refused_and_nothing_changes(judged, tmp_path: Path) -> None:
    before = dump(judged.db)
    path = write(tmp_path, version("2", drop=("1N-2",)))
    result = judged("curriculum", "import", str(path), code=1)
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "passport: Refused: importing maths version 2 would drop or change 1 milestone"
    )
    assert lines[1] == "passport:   1N-2: 2 judgements; left out of this file"
    assert "moved = {" in lines[-1] and "retired = [" in lines[-1]
    assert dump(judged.db) == before


def test_a_removed_milestone_counts_judgements_on_ids_moved_to_it(judged, tmp_path: Path) -> None:
    """1N-1 moved to 1N-2 in version 2; version 3 drops 1N-2: its count includes 1N-1's."""
    judged("curriculum", "import", str(write(tmp_path, version("2", drop=("1N-1",), moved={"1N-1": "1N-2"}))))
    before = dump(judged.db)
    path = write(tmp_path, version("3", drop=("1N-1", "1N-2"), change={"1N-3": {"requires": []}}), "v3.toml")
    result = judged("curriculum", "import", str(path), code=1)
    assert "1N-2: 4 judgements" in result.stderr
    assert dump(judged.db) == before


def test_the_refusal_lists_one_line_each_capped(tmp_path: Path) -> None:
    many = [Milestone(id=f"X-{i:02d}", strand="n", stage="Y1", title=f"Step {i}") for i in range(SHOWN + 5)]
    first = version("1", add=tuple(many))
    judged = {m.id: 1 + (i % 3) for i, m in enumerate(many)}
    revision = revise(first, version("2"), judged)
    assert [r.milestone for r in revision.refused] == [m.id for m in many]
    with Store.open(tmp_path / "s.db") as store:
        store.put_curriculum(first)
        store.upsert_pupils([_pupil()])
        (pid,) = store.conn.execute("SELECT id FROM pupils").fetchone()
        store.append_judgements(
            (pid, "maths", m.id, "not_yet", "t", "2026-10-01T09:00:00+00:00", None, None, None) for m in many
        )
        with pytest.raises(CurriculumChangeRefused) as caught:
            store.put_curriculum(version("2"))
    lines = caught.value.lines()
    assert len(lines) == 1 + SHOWN + 1 + 1
    assert lines[SHOWN + 1] == "  … and 5 more"
    assert all(len(line.splitlines()) == 1 for line in lines)


def _pupil():
    from passport_tui.models import Pupil

    return Pupil(upn="Z1", first_name="Zed", last_name="Z", year_group=1, academic_year=2026)


def test_re_meaning_a_judged_milestone_is_refused(judged, tmp_path: Path) -> None:
    before = dump(judged.db)
    other_stage = version("2", change={"2N-1": {"stage": "Y1"}})
    result = judged("curriculum", "import", str(write(tmp_path, other_stage)), code=1)
    assert (
        "2N-1: 1 judgement; its stage now means other year groups: Y2 (Year 2) -> Y1 (Year 1)"
        in result.stderr
    )
    other_title = version("2", change={"1N-3": {"title": "Know number bonds to 10"}})
    result = judged("curriculum", "import", str(write(tmp_path, other_title)), code=1)
    assert (
        "1N-3: 2 judgements; its title changed: 'Add within 20' -> 'Know number bonds to 10'" in result.stderr
    )
    assert dump(judged.db) == before


def test_a_stage_that_changes_its_year_re_means_its_judged_milestones(judged, tmp_path: Path) -> None:
    c = version("2")
    c.stages[1].year = 3
    result = judged("curriculum", "import", str(write(tmp_path, c)), code=1)
    assert (
        "2N-1: 1 judgement; its stage now means other year groups: Y2 (Year 2) -> Y2 (Year 3)"
        in result.stderr
    )
    assert "2N-2" not in result.stderr  # no judgements: free to change


def test_a_reworded_title_or_a_new_strand_is_imported_with_a_warning(judged, tmp_path: Path) -> None:
    c = version(
        "2", change={"1N-3": {"title": "Add numbers within 20."}, "1N-1": {"title": "count to 20 (and back)"}}
    )
    result = judged("curriculum", "import", str(write(tmp_path, c)))
    assert "1N-3 (2 judgements): title reworded: 'Add within 20' -> 'Add numbers within 20.'" in result.stderr
    assert "1N-1" not in result.stderr  # only case and punctuation differ: the same title
    assert points_and_achieved(judged.db, "A1") == (11, {"1N-1", "1N-2"})


def test_title_rule() -> None:
    assert title_change("Add within 20", "add  within 20!") is None
    assert title_change("Count in steps of 2, 3 and 5", "Count in steps of 2, 5 and 10") == "reworded"
    assert title_change("Add within 20", "Subtract within 100") == "changed"


def test_a_milestone_without_judgements_is_removed_or_changed_freely(judged, tmp_path: Path) -> None:
    c = version("2", drop=("2N-3",), change={"2N-2": {"title": "Something else entirely", "stage": "Y1"}})
    result = judged("curriculum", "import", str(write(tmp_path, c)))
    assert "Imported maths 2: 5 milestones" in result.output
    assert "note: dropped 1 without judgements (2N-3)" in result.stderr
    with open_school(judged.db) as svc:
        assert "2N-3" not in svc.curriculum("maths").milestone_by_id
        assert svc.store.orphan_judgements() == []


# --- moved -------------------------------------------------------------------------------------


def test_moved_keeps_points_and_achievements_and_history_shows_the_old_id(judged, tmp_path: Path) -> None:
    points_before, achieved_before = points_and_achieved(judged.db, "A1")
    eve_before = points_and_achieved(judged.db, "B1")
    new = Milestone(
        id="1N-2a", strand="n", stage="Y1", title="Read and write numbers to 20", requires=["1N-1"]
    )
    c = version(
        "2",
        drop=("1N-2",),
        add=(new,),
        change={"1N-3": {"requires": ["1N-2a"]}},
        moved={"1N-2": "1N-2a"},
    )
    result = judged("curriculum", "import", str(write(tmp_path, c)))
    assert "Imported maths 2: 6 milestones (1 moved ids)" in result.output
    assert "maths-next.toml: note: moved 1N-2 -> 1N-2a" in result.stderr
    assert points_and_achieved(judged.db, "A1") == (points_before, achieved_before - {"1N-2"} | {"1N-2a"})
    eve_after = points_and_achieved(judged.db, "B1")
    assert eve_after[0] == eve_before[0] and eve_after[1] == eve_before[1] - {"1N-2"} | {"1N-2a"}
    history = judged("history", "A1").output
    assert "1N-2 (now 1N-2a)  achieved" in history
    with open_school(judged.db) as svc:
        store = svc.store
        assert store.stale_projections() == []
        projected = dict(store.projections("maths"))
        store.rebuild_projections()
        assert dict(store.projections("maths")) == projected  # the import refolded them exactly
        assert set(projected[_pid(store, "A1")].achieved) == {"1N-1", "1N-2a"}
        # achieved forever holds through the move, under either id
        with pytest.raises(AchievedForever):
            svc.judge("A1", "1N-2a", "not-yet")
        with pytest.raises(AchievedForever):
            svc.judge("A1", "1N-2", "not-yet")
        # a correction finds the achievement recorded under the old id
        j = svc.retract("A1", "1N-2a", "recorded for the wrong child")
        assert j.corrects is not None and store.judgement(j.corrects).milestone_id == "1N-2"
        assert "1N-2a" not in svc.passport("A1").curricula[0].standing.achieved
        assert svc.doctor()[-2].name == "judged_milestones" and svc.doctor()[-2].ok


def _pid(store: Store, upn: str) -> int:
    p = store.pupil(upn)
    assert p is not None and p.id is not None
    return p.id


def test_moves_add_up_over_versions(judged, tmp_path: Path) -> None:
    a = Milestone(id="1N-2a", strand="n", stage="Y1", title="Read and write numbers to 20", requires=["1N-1"])
    b = Milestone(
        id="1N-2b", strand="n", stage="Y1", title="Read and write numbers up to 20", requires=["1N-1"]
    )
    two = version(
        "2", drop=("1N-2",), add=(a,), change={"1N-3": {"requires": ["1N-2a"]}}, moved={"1N-2": "1N-2a"}
    )
    judged("curriculum", "import", str(write(tmp_path, two)))
    # version 3 says only what changes now: 1N-2a moved on to 1N-2b
    three = version(
        "3", drop=("1N-2",), add=(b,), change={"1N-3": {"requires": ["1N-2b"]}}, moved={"1N-2a": "1N-2b"}
    )
    judged("curriculum", "import", str(write(tmp_path, three, "v3.toml")))
    with open_school(judged.db) as svc:
        c = svc.curriculum("maths")
        assert c.curriculum.moved == {"1N-2": "1N-2b", "1N-2a": "1N-2b"}
        assert set(svc.passport("A1").curricula[0].standing.achieved) == {"1N-1", "1N-2b"}
        assert svc.store.stale_projections() == []
    # the export carries the moves, and importing it again changes nothing
    judged("curriculum", "export", "maths", "-o", str(tmp_path / "out.toml"))
    exported = load_curriculum(tmp_path / "out.toml")
    assert exported.curriculum.moved == {"1N-2": "1N-2b", "1N-2a": "1N-2b"}
    before = dump(judged.db)
    judged("curriculum", "import", str(tmp_path / "out.toml"))
    assert [
        line
        for line in dump(judged.db)
        if "imported_at" not in line and 'INSERT INTO "curricula"' not in line
    ] == [line for line in before if "imported_at" not in line and 'INSERT INTO "curricula"' not in line]


def test_an_old_id_typed_by_a_teacher_finds_the_milestone_it_moved_to(judged, tmp_path: Path) -> None:
    a = Milestone(id="1N-3a", strand="n", stage="Y1", title="Add within 20", requires=["1N-2"])
    c = version(
        "2", drop=("1N-3",), add=(a,), change={"2N-1": {"requires": ["1N-3a"]}}, moved={"1N-3": "1N-3a"}
    )
    judged("curriculum", "import", str(write(tmp_path, c)))
    out = judged("judge", "A1", "1N-3", "achieved").output
    assert "Recorded 1N-3a achieved" in out


# --- retired -----------------------------------------------------------------------------------


def test_retired_keeps_the_milestone_and_its_history_visible(judged, tmp_path: Path) -> None:
    points_before, achieved_before = points_and_achieved(judged.db, "A1")
    eve_before = points_and_achieved(judged.db, "B1")
    # retired in the header and left out of the file: the stored definition is kept
    c = version("2", drop=("1N-2",), change={"1N-3": {"requires": ["1N-1"]}}, retired=("1N-2",))
    result = judged("curriculum", "import", str(write(tmp_path, c)))
    assert "Imported maths 2: 6 milestones (1 retired)" in result.output
    assert points_and_achieved(judged.db, "A1") == (points_before, achieved_before)
    assert points_and_achieved(judged.db, "B1") == eve_before
    history = judged("history", "A1").output
    assert "1N-2 (retired)  achieved" in history
    show = judged("show", "A1").output
    assert "1N-2  Read and write numbers to 20  (retired; still counted)" in show
    assert "achieved: 2 of 6 milestones" in show
    as_json = json.loads(judged("show", "A1", "--json").output)
    assert as_json["curricula"][0]["retired"] == ["1N-2"]
    with open_school(judged.db) as svc:
        stored = svc.curriculum("maths")
        assert stored.milestone_by_id["1N-2"].retired
        assert stored.milestone_by_id["1N-2"].title == "Read and write numbers to 20"
        # Ben has not got it: it is neither a next step nor a gap for him, nor needed for points
        ben = svc.passport("A2").curricula[0].standing
        assert "1N-2" not in ben.next and "1N-2" not in ben.gaps
        with pytest.raises(MilestoneRetired):
            svc.judge("A2", "1N-2", "achieved")
        with pytest.raises(MilestoneRetired):
            svc.judge("A1", "1N-2", "revisit")
        # an achievement recorded in error can still be corrected
        svc.retract("A1", "1N-2", "recorded for the wrong child")
        assert "1N-2" not in svc.passport("A1").curricula[0].standing.achieved
    # a later version that leaves it out again keeps it, retired
    judged(
        "curriculum",
        "import",
        str(
            write(tmp_path, version("3", drop=("1N-2",), change={"1N-3": {"requires": ["1N-1"]}}), "v3.toml")
        ),
    )
    with open_school(judged.db) as svc:
        assert svc.curriculum("maths").milestone_by_id["1N-2"].retired


def test_retired_true_on_the_milestone_and_the_parent_report(judged, tmp_path: Path) -> None:
    c = version("2", change={"1N-2": {"retired": True}, "1N-3": {"requires": ["1N-1"]}})
    judged("curriculum", "import", str(write(tmp_path, c)))
    with open_school(judged.db) as svc:
        from passport_tui.reports.parent import pupil_report

        report = pupil_report(svc, "A1")
        assert "Read and write numbers to 20 (retired from the curriculum)" in report.subjects[0].secured


def test_points_with_a_retired_milestone_never_fall() -> None:
    c = version("2", change={"1N-2": {"retired": True}, "1N-3": {"requires": ["1N-1"]}})
    # with it: it counts in its stage, as before; without it, the stage is two milestones long
    assert engine.points(c, {"1N-1", "1N-2"}) == engine.points(MATHS, {"1N-1", "1N-2"}) == 11
    assert engine.points(c, {"1N-1", "1N-3"}) == 12 > engine.points(MATHS, {"1N-1", "1N-3"}) == 11
    assert engine.gaps(c, {"1N-3"}, 1) == ["1N-1"]
    assert "1N-2" not in engine.next_steps(c, {"1N-1"}, 1)


# --- the file and CASE ---------------------------------------------------------------------------


def test_moved_and_retired_round_trip_through_toml_and_case() -> None:
    new = Milestone(
        id="1N-2a", strand="n", stage="Y1", title="Read and write numbers to 20", requires=["1N-1"]
    )
    c = version(
        "2",
        drop=("1N-2",),
        add=(new,),
        change={"1N-3": {"requires": ["1N-2a"]}, "2N-3": {"retired": True}},
        moved={"1N-2": "1N-2a"},
        retired=("2N-2",),
    )
    c = Curriculum.model_validate(c.model_dump())
    text = dump_curriculum(c)
    assert '[curriculum.moved]\n1N-2 = "1N-2a"\n' in text and "retired = true" in text
    again = parse_curriculum(text, "x.toml")
    assert again == c and again.retired == {"2N-2", "2N-3"}
    back, warnings = parse_case(json.dumps(write_case(c)), "x.json")
    assert back.curriculum.moved == {"1N-2": "1N-2a"} and back.retired == {"2N-2", "2N-3"}
    assert back.curriculum.retired == ["2N-2"]


def test_the_file_checks_moved_and_retired(tmp_path: Path) -> None:
    text = dump_curriculum(version("2", change={"1N-2": {"retired": True}}))
    text = text.replace('version = "2"\n', 'version = "2"\nretired = ["2N-3", "2N-3", "1N-1"]\n')
    text += '\n[curriculum.moved]\n"1N-1" = "2N-1"\nX = "1N-2"\nY = "nope"\n'
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CurriculumError) as caught:
        load_curriculum(path)
    joined = "\n".join(caught.value.lines())
    assert "moved: '1N-1' is still a milestone of this file" in joined
    assert "moved: 'X' is moved to '1N-2', which is retired" in joined
    assert "moved: 'Y' is moved to 'nope', which names no milestone" in joined
    assert "retired: '2N-3' is listed twice" in joined
    assert "milestone 1N-2: prerequisite" not in joined  # a retired milestone keeps its links
    assert "milestone 1N-3: prerequisite '1N-2' is retired" in joined
    assert all(line.startswith(f"{path}:") for line in caught.value.lines())


# --- doctor --------------------------------------------------------------------------------------


def test_doctor_finds_judgements_whose_milestone_is_not_in_the_curriculum(judged) -> None:
    with open_school(judged.db) as svc:
        checks = {c.name: c for c in svc.doctor()}
        assert checks["judged_milestones"].ok
    # a database hit by the old import: its curriculum body lost 1N-2 (and its milestone row)
    with sqlite3.connect(judged.db) as conn:
        body = json.loads(conn.execute("SELECT body FROM curricula WHERE id = 'maths'").fetchone()[0])
        body["milestones"] = [m for m in body["milestones"] if m["id"] != "1N-2"]
        for m in body["milestones"]:
            m["requires"] = [r for r in m["requires"] if r != "1N-2"]
        conn.execute(
            "UPDATE curricula SET body = ?, imported_at = 'x' WHERE id = 'maths'", (json.dumps(body),)
        )
        conn.execute("DELETE FROM milestones WHERE id = '1N-2'")
    result = judged("doctor", code=1)
    assert "2 judgement(s) name 1 milestone(s) missing from their curriculum: maths 1N-2 (2)" in result.output
    # show says so rather than dropping the achievement silently
    assert "achieved but no longer in this curriculum: 1N-2" in judged("show", "A1").output
    # re-importing the old version adds it back, and the database is healthy again
    judged("curriculum", "import", str(DATA / "maths.toml"))
    judged("doctor")


def test_the_store_itself_checks_every_curriculum_it_stores(judged) -> None:
    """The demo, a passport file and the CASE import store curricula through ``put_curriculum``."""
    before = dump(judged.db)
    with open_school(judged.db) as svc, pytest.raises(CurriculumChangeRefused):
        svc.store.put_curriculum(version("1", drop=("1N-1",), change={"1N-2": {"requires": []}}))
    assert dump(judged.db) == before


def test_a_moved_id_given_back_to_a_new_milestone_is_refused(judged, tmp_path: Path) -> None:
    a = Milestone(id="1N-2a", strand="n", stage="Y1", title="Read and write numbers to 20", requires=["1N-1"])
    two = version(
        "2", drop=("1N-2",), add=(a,), change={"1N-3": {"requires": ["1N-2a"]}}, moved={"1N-2": "1N-2a"}
    )
    judged("curriculum", "import", str(write(tmp_path, two)))
    back = version("3", add=(a,))
    result = judged("curriculum", "import", str(write(tmp_path, back, "v3.toml")), code=1)
    assert "1N-2: 2 judgements; an earlier version moved it to 1N-2a" in result.stderr


def test_judging_at_a_moment_reads_events_through_the_moves(judged, tmp_path: Path) -> None:
    a = Milestone(id="1N-1a", strand="n", stage="Y1", title="Count to 20 [and back]")
    c = version(
        "2", drop=("1N-1",), add=(a,), change={"1N-2": {"requires": ["1N-1a"]}}, moved={"1N-1": "1N-1a"}
    )
    judged("curriculum", "import", str(write(tmp_path, c)))
    with open_school(judged.db) as svc:
        ann = svc.pupil("A1")
        c = svc.curriculum("maths")
        (_, then) = next(iter(svc.standings(c, [ann], on=datetime(2026, 11, 23, tzinfo=UTC).date())))
        assert "1N-1a" in then.achieved_set


def test_a_passport_file_from_a_school_that_moved_a_milestone_imports(judged, tmp_path: Path) -> None:
    a = Milestone(id="1N-1a", strand="n", stage="Y1", title="Count to 20 [and back]")
    c = version(
        "2", drop=("1N-1",), add=(a,), change={"1N-2": {"requires": ["1N-1a"]}}, moved={"1N-1": "1N-1a"}
    )
    judged("curriculum", "import", str(write(tmp_path, c)))
    file = tmp_path / "a1.json"
    with open_school(judged.db) as svc:
        svc.write_passport_file(file, ["A1"])
        sent = svc.passport("A1").curricula[0].standing
    with Service(Store.open(tmp_path / "other.db"), user="head", clock=fixed_clock) as other:
        summary = other.import_passports(file)
        assert summary.events_added == 3
        got = other.passport("A1").curricula[0].standing
        assert got.points == sent.points == 11
        assert set(got.achieved) == set(sent.achieved) == {"1N-1a", "1N-2"}
        assert other.curriculum("maths").curriculum.moved == {"1N-1": "1N-1a"}


def test_retiring_leaves_every_earlier_window_as_it_was() -> None:
    """Eve secured 1N-1 and 1N-3 in the autumn and 1N-2 in the spring; 1N-2 is then retired. At the
    end of the autumn she had two of Year 1's three milestones, and still has."""
    from .factories import Log, at

    c = version("2", change={"1N-2": {"retired": True}, "1N-3": {"requires": ["1N-1"]}})
    log = Log()
    log.add("1N-1", "achieved", at(2025, 10, 1))
    log.add("1N-3", "achieved", at(2025, 10, 2))
    log.add("1N-2", "achieved", at(2026, 2, 1))
    record = log.record()
    autumn = engine.window(2025, 1)
    assert engine.points_at(MATHS, record, autumn) == engine.points_at(c, record, autumn) == 11
    assert engine.points(c, record.achieved()) == engine.points(MATHS, record.achieved()) == 12


def _moved_and_retired_school(tmp_path: Path) -> Service:
    """The small school after a version that moved 1N-1 to 1N-1a and retired 1N-2."""
    svc = small_school(tmp_path / "school.db")
    judge_ann(svc)
    a = Milestone(id="1N-1a", strand="n", stage="Y1", title="Count to 20 [and back]")
    c = version(
        "2",
        drop=("1N-1",),
        add=(a,),
        change={"1N-2": {"retired": True, "requires": ["1N-1a"]}, "1N-3": {"requires": ["1N-1a"]}},
        moved={"1N-1": "1N-1a"},
    )
    svc.import_curriculum(write(tmp_path, c))
    return svc


async def test_the_grid_and_passport_show_retired_and_moved_milestones(tmp_path: Path) -> None:
    from passport_tui.tui.app import make_app
    from passport_tui.tui.screens.passport import PassportScreen
    from tests.test_tui import settle

    svc = _moved_and_retired_school(tmp_path)
    app = make_app(svc, class_name="1H")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            grid = app.screen.query_one("ClassGrid")
            assert [col.id for col in grid.columns] == ["1N-3", "1N-1a"]  # a retired one takes no marks
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PassportScreen)
            achieved = app.screen.query_one("#achieved-list")
            shown = [str(achieved.get_option_at_index(i).prompt) for i in range(achieved.option_count)]
            assert any("1N-2  Read and write numbers to 20  (retired)" in line for line in shown)
            assert "Year 1: 2 of 3" in shown[0]
            history = app.screen.query_one("#history-list")
            lines = [str(history.get_option_at_index(i).prompt) for i in range(history.option_count)]
            assert any("1N-1 (now 1N-1a)  achieved" in line for line in lines)
            assert any("1N-2 (retired)  achieved" in line for line in lines)
    finally:
        svc.close()


@pytest.mark.slow
async def test_the_tree_shows_retired_and_moved_milestones(tmp_path: Path) -> None:
    from passport_tui.tui.app import make_app
    from passport_tui.tui.screens.tree import TreeScreen
    from tests.test_tui import settle

    svc = _moved_and_retired_school(tmp_path)
    app = make_app(svc, class_name="1H")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)
            assert isinstance(app.screen, TreeScreen)
            await pilot.press("slash", *"read and write", "enter")
            await settle(pilot)
            await settle(pilot)
            detail = str(app.screen.query_one("#milestone-detail").render())
            assert "1N-2" in detail and "Retired: no longer taught" in detail
            await pilot.press("slash", *"count to", "enter")
            await settle(pilot)
            await settle(pilot)
            detail = str(app.screen.query_one("#milestone-detail").render())
            assert "Judgements recorded as 1N-1 count here." in detail
    finally:
        svc.close()


def test_a_case_package_goes_through_the_same_check(judged, tmp_path: Path) -> None:
    before = dump(judged.db)
    path = tmp_path / "maths.json"
    path.write_text(json.dumps(write_case(version("2", drop=("1N-2",)))), encoding="utf-8")
    result = judged("curriculum", "import", str(path), code=1)
    assert "1N-2: 2 judgements; left out of this file" in result.stderr
    assert dump(judged.db) == before
    path.write_text(json.dumps(write_case(version("2", drop=("1N-2",), retired=("1N-2",)))), encoding="utf-8")
    assert "Imported maths 2: 6 milestones (1 retired)" in judged("curriculum", "import", str(path)).output


def test_a_case_package_with_moves_that_do_not_fit_is_read_without_them() -> None:
    package = write_case(version("2"))
    package["CFDocument"]["extensions"]["passportCurriculum"]["moved"] = {
        "1N-1": "2N-1",
        "Z": "nope",
        "Y": "2N-2",
    }
    c, warnings = parse_case(json.dumps(package), "x.json")
    assert c.curriculum.moved == {"Y": "2N-2"}
    assert any("2 moved milestones do not fit" in w and "1N-1 -> 2N-1" in w for w in warnings)


def test_a_year_stage_left_with_no_milestone_still_taught_is_warned_about(judged, tmp_path: Path) -> None:
    c = version("2", drop=("2N-2", "2N-3"), change={"2N-1": {"retired": True}})
    result = judged("curriculum", "import", str(write(tmp_path, c)))
    assert "stage Y2 has no milestone still taught: it counts as complete for every pupil" in result.stderr
