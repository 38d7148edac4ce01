"""Personal outcomes (issue 10, item 7): milestones of one pupil, from their EHCP or provision plan,
under an area of any curriculum they follow, judged achieved-forever like any other milestone.

The small school (conftest): class 1H (Ann A1, Ben A2, Cara A3, Dev A4, Year 1) and 3K (Eve B1,
Finn B2, Year 3) on the small maths curriculum (strand "n", stages Y1 and Y2, each milestone
requiring the one before)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.curriculum import load_curriculum
from passport_tui.engine import (
    OUTCOMES_TITLE,
    Cell,
    expected_points,
    gaps,
    next_outcome_id,
    next_steps,
    points,
    with_outcomes,
)
from passport_tui.errors import (
    AchievedForever,
    Ambiguous,
    NotAllowed,
    NotFound,
    OutcomeRetired,
    PassportError,
    PrerequisitesUnmet,
)
from passport_tui.interop.transfer import SCHEMA_FILE, FileProblems
from passport_tui.models import Judgement, PersonalOutcome, Pupil
from passport_tui.resources import sample_curricula_dir
from passport_tui.service import Service
from passport_tui.store import MIGRATIONS, SCHEMA_VERSION, Store, ValueRefused
from passport_tui.store.connection import connect
from passport_tui.store.schema import database
from tests.conftest import NOW, fixed_clock, small_school
from tests.test_store_schema import shape
from tests.test_transfer import _check

DATA = Path(__file__).parent / "data"
TITLE = "Counts a set of up to 5 objects, touching each one once"
SOURCE = "EHCP section E, annual review March 2026"


def add(svc: Service, upn: str = "A1", title: str = TITLE, **kw) -> str:
    return svc.add_outcome(upn, kw.pop("curriculum", "maths"), area=kw.pop("area", "n"), title=title, **kw).id


def as_user(svc: Service, user: str) -> Service:
    return Service(Store.open(svc.store.path), user=user, clock=fixed_clock)


@pytest.fixture
def staffed(school: Service) -> Service:
    school.add_staff("head", "Mrs Head", "admin")
    with as_user(school, "head") as head:
        head.add_staff("ms.hughes", "Ms Hughes", "teacher", ["1H"])
        head.add_staff("mr.khan", "Mr Khan", "teacher", ["3K"])
        head.add_staff("gov", "A Governor", "viewer")
    return school


# --- the store ----------------------------------------------------------------------------


def steps_before_outcomes() -> int:
    """How many migration steps come before the one that adds the outcomes table."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for n, step in enumerate(MIGRATIONS):
        if "outcomes" in database(conn).table_names():
            return n - 1
        step(conn)
    assert "outcomes" in database(conn).table_names()
    return len(MIGRATIONS) - 1


def test_a_file_from_the_schema_before_outcomes_migrates_and_keeps_its_passports(tmp_path: Path):
    """A file written by the steps before the outcomes table (pathways, no outcomes), holding
    judgements, opens at the current schema with the same shape as a new file, its log and
    projections intact, and takes outcomes."""
    old = tmp_path / "previous.db"
    conn, file = connect(old)
    version = steps_before_outcomes()
    conn.execute("BEGIN IMMEDIATE")
    for step in MIGRATIONS[:version]:
        step(conn)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("COMMIT")
    with Store(conn, file) as store:  # written as that version's code would: no migration here
        with store.transaction():
            store.put_curriculum(load_curriculum(DATA / "maths.toml"))
            store.upsert_pupils(
                [Pupil(upn="A1", first_name="Ann", last_name="Adams", year_group=1, academic_year=2026)]
            )
        pid = store.pupil("A1").id
        store.append_judgement(
            Judgement(
                pupil_id=pid, curriculum_id="maths", milestone_id="1N-1", verdict="achieved", by="x", at=NOW
            )
        )
    with sqlite3.connect(old) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (version,)
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'outcomes'").fetchone() == (0,)
    with Service(Store.open(old), user="ms.hughes", clock=fixed_clock) as svc:
        assert svc.schema_version() == SCHEMA_VERSION
        assert svc.passport("A1").curricula[0].standing.achieved == ["1N-1"]
        assert svc.store.stale_projections() == []
        assert add(svc) == "PO-1"
        svc.judge("A1", "PO-1", "achieved")
        assert svc.passport("A1").curricula[0].standing.achieved == ["1N-1", "PO-1"]
    Store.open(tmp_path / "new.db").close()
    assert shape(old) == shape(tmp_path / "new.db")


def test_schema_3_still_migrates_and_takes_outcomes(tmp_path: Path):
    path = tmp_path / "v3.db"
    shutil.copy(DATA / "schema-v3.db", path)
    with Service(Store.open(path), user="ms.hughes", clock=fixed_clock) as svc:
        assert svc.schema_version() == SCHEMA_VERSION
        assert svc.add_outcome("A4", "maths", area="Number", title=TITLE).id == "PO-1"
        svc.judge("A4", "PO-1", "achieved")
        assert "PO-1" in svc.passport("A4").curricula[0].standing.achieved
        assert svc.store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_schema_refuses_a_blank_title_with_a_sentence(school: Service):
    o = PersonalOutcome(pupil_id=1, curriculum_id="maths", id="PO-9", area="n", title="  ", by="x", at=NOW)
    with pytest.raises(ValueRefused, match="A personal outcome needs a title"):
        school.store.add_outcome(o)
    assert school.store.outcomes() == []


# --- the engine -------------------------------------------------------------------------------


def test_outcomes_are_a_last_stage_with_no_year_and_ids_skip_the_curriculums_own():
    c = load_curriculum(DATA / "maths.toml")
    assert next_outcome_id([]) == "PO-1"
    assert next_outcome_id(["PO-1", "PO-7"], {"PO-8"}) == "PO-9"
    assert with_outcomes(c, []) is c
    mine = [
        PersonalOutcome(
            pupil_id=1, curriculum_id="maths", id=i, area="n", title=i, requires=r, by="x", at=NOW
        )
        for i, r in (("PO-2", []), ("PO-1", ["1N-3", "nope"]), ("1N-1", []))
    ]
    pc = with_outcomes(c, mine)
    # after the curriculum's own, in id order; one using a curriculum id is left out; a
    # prerequisite from elsewhere is dropped
    assert [m.id for m in pc.milestones] == [m.id for m in c.milestones] + ["PO-1", "PO-2"]
    assert pc.milestone_by_id["PO-1"].requires == ["1N-3"]
    assert pc.milestone_by_id["1N-1"] is c.milestone_by_id["1N-1"]
    for achieved in (set(), {"1N-1"}, {"1N-1", "1N-2", "1N-3"}, {m.id for m in c.milestones}):
        for extra in (set(), {"PO-1"}, {"PO-1", "PO-2"}):
            assert points(pc, achieved | extra) == points(c, achieved)
            assert expected_points(pc, 2, 1) == expected_points(c, 2, 1)
    # an overridden outcome makes its unmet prerequisites gaps, like any milestone
    assert gaps(pc, {"PO-1"}, 1) == ["1N-1", "1N-2", "1N-3"]
    assert next_steps(pc, {"1N-1"}, 1) == ["1N-2", "PO-2"]


# --- the service: what a pupil's passport shows ------------------------------------------------


def test_an_outcome_is_a_milestone_of_that_pupil_only_with_no_points(school: Service):
    assert not school.passport("A1").curricula[0].standing.assessed  # nobody has judged Ann yet
    school.judge("A1", "1N-3", "not-yet", at=datetime(2026, 9, 10, tzinfo=UTC))
    before = school.passport("A1").curricula[0].standing
    assert before.assessed and before.points == 9
    oid = add(school, source=SOURCE)
    assert oid == "PO-1"
    cp = school.passport("A1").curricula[0]
    s = cp.standing
    # listed after the framework's own milestones, in a stage of its own with no year
    assert s.next == ["1N-1", "PO-1"]
    stage = cp.curriculum.stages[-1]
    assert (stage.title, stage.year_list) == (OUTCOMES_TITLE, [])
    assert cp.curriculum.milestone_by_id["PO-1"].stage == stage.id
    assert SOURCE in (cp.curriculum.milestone_by_id["PO-1"].guidance or "")
    assert [o.id for o in cp.outcomes] == ["PO-1"]
    school.judge("A1", "PO-1", "achieved")
    s = school.passport("A1").curricula[0].standing
    assert s.achieved == ["PO-1"]
    assert (s.points, s.expected, s.target) == (before.points, before.expected, before.target)
    # nobody else sees it: not on their passport, not judgeable, not in the framework
    assert "PO-1" not in school.passport("A2").curricula[0].standing.next
    with pytest.raises(NotFound, match="No milestone 'PO-1'"):
        school.judge("A2", "PO-1", "achieved")
    assert school.outcomes("A2") == []
    assert "PO-1" not in school.curriculum("maths").milestone_by_id
    # the class grid's columns are the framework's; Ann's row is unchanged by her outcome
    maths = school.curriculum("maths")
    lines = school.grid(school.pupils("1H"), maths, [m.id for m in maths.milestones])
    assert [line.cells[0] for line in lines] == [Cell.NEXT] * 4


def test_ids_run_on_for_a_pupil_and_each_pupil_starts_at_one(school: Service):
    with school.store.transaction():
        school.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
    school.add_to_pathway("A1", ["engagement-model"])
    assert add(school) == "PO-1"
    assert add(school, area="Initiation", curriculum="engagement-model") == "PO-2"
    assert add(school, "A2") == "PO-1"
    assert [(v.outcome.curriculum_id, v.outcome.id, v.area_title) for v in school.outcomes("A1")] == [
        ("maths", "PO-1", "Number"),
        ("engagement-model", "PO-2", "Initiation"),
    ]


def test_what_an_outcome_may_be_added_under(school: Service):
    with pytest.raises(NotFound, match="No area 'reading' in curriculum 'maths' \\(its areas: n\\)"):
        add(school, area="reading")
    with pytest.raises(PassportError, match="needs a title"):
        add(school, title="   ")
    with pytest.raises(NotFound, match="milestones of maths only; no milestone PO-1"):
        add(school, requires=["PO-1"])
    with school.store.transaction():
        school.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
    with pytest.raises(PassportError, match="does not follow engagement-model"):
        add(school, area="initiation", curriculum="engagement-model")
    assert school.store.outcomes() == []


def test_achieved_forever_and_corrections_by_the_recorder_or_an_admin(staffed: Service):
    with as_user(staffed, "ms.hughes") as teacher:
        add(teacher)
        teacher.judge("A1", "PO-1", "not-yet", note="counts 3")
        teacher.judge("A1", "PO-1", "achieved", note="counts 5 objects, twice")
        with pytest.raises(AchievedForever, match="PO-1 was achieved on 2026-11-23 and stays achieved"):
            teacher.judge("A1", "PO-1", "not-yet")
        teacher.judge("A1", "PO-1", "revisit", note="after the holiday?")
        assert teacher.passport("A1").curricula[0].standing.revisit == ["PO-1"]
        teacher.judge("A1", "PO-1", "achieved")  # a re-confirmation clears it
        assert teacher.passport("A1").curricula[0].standing.revisit == []
    with as_user(staffed, "head") as head:
        head.add_staff("ms.lee", "Ms Lee", "teacher", ["1H"])
    with (
        as_user(staffed, "ms.lee") as other,
        pytest.raises(NotAllowed, match="Only the teacher who recorded PO-1"),
    ):
        other.retract("A1", "PO-1", "not secure")
    with as_user(staffed, "ms.hughes") as teacher:
        teacher.retract("A1", "PO-1", "recorded for the wrong child")
        assert teacher.passport("A1").curricula[0].standing.achieved == []
        assert [(j.milestone_id, j.verdict.value) for j in teacher.history("A1")] == [
            ("PO-1", "not_yet"),
            ("PO-1", "achieved"),
            ("PO-1", "revisit"),
            ("PO-1", "achieved"),
            ("PO-1", "retracted"),
        ]


def test_prerequisites_from_the_curriculum_come_first_and_show_as_gaps_when_overridden(school: Service):
    add(school, requires=["1N-2"])
    assert "PO-1" not in school.passport("A1").curricula[0].standing.next
    with pytest.raises(PrerequisitesUnmet, match="1N-2"):
        school.judge("A1", "PO-1", "achieved")
    school.judge("A1", "PO-1", "achieved", reason="secure with objects, not yet with numerals")
    s = school.passport("A1").curricula[0].standing
    assert s.gaps == ["1N-1", "1N-2"]
    # the grid reads the same gaps in Ann's row
    maths = school.curriculum("maths")
    (line,) = [x for x in school.grid(school.pupils("1H"), maths, ["1N-1", "1N-2"]) if x.pupil.upn == "A1"]
    assert line.cells == [Cell.GAP, Cell.GAP]
    assert dict(school.gap_ages("A1", "maths")).keys() == {"1N-1", "1N-2"}


def test_who_may_add_edit_retire_and_delete(staffed: Service):
    cases = {"head": True, "ms.hughes": True, "mr.khan": False, "gov": False}
    for user, allowed in cases.items():
        with as_user(staffed, user) as svc:
            if allowed:
                oid = add(svc)
                svc.edit_outcome("A1", oid, source=SOURCE)
                svc.retire_outcome("A1", oid, reason="replaced at the review")
                continue
            with pytest.raises(NotAllowed if user == "gov" else NotFound) as refused:
                add(svc)
            if user == "mr.khan":  # another class's pupil reads like no pupil at all
                with pytest.raises(NotFound) as missing:
                    add(svc, "Z9")
                assert str(refused.value).replace("A1", "KEY") == str(missing.value).replace("Z9", "KEY")
            else:
                assert "can view but not change" in str(refused.value)
            for action in (
                lambda: svc.edit_outcome("A1", "PO-1", title="x"),
                lambda: svc.retire_outcome("A1", "PO-1", reason="x"),
                lambda: svc.delete_outcome("A1", "PO-1"),
                lambda: svc.judge("A1", "PO-1", "achieved"),
            ):
                with pytest.raises(NotAllowed if user == "gov" else NotFound):
                    action()
    assert [o.id for o in staffed.store.outcomes()] == ["PO-1", "PO-2"]
    with as_user(staffed, "mr.khan") as other, pytest.raises(NotFound):
        other.outcomes("A1")


def test_a_retired_outcome_keeps_its_history_and_an_achievement_stays(school: Service):
    add(school)
    add(school, title="Says 'more' to ask for more")
    school.judge("A1", "PO-1", "achieved")
    school.retire_outcome("A1", "PO-1", reason="met; replaced at the annual review")
    school.retire_outcome("A1", "PO-2", reason="replaced at the annual review")
    s = school.passport("A1").curricula[0].standing
    assert s.achieved == ["PO-1"]  # achieved forever
    assert "PO-2" not in s.next  # no longer worked towards
    with pytest.raises(OutcomeRetired, match="PO-2 .*was retired on 2026-11-23"):
        school.judge("A1", "PO-2", "achieved")
    with pytest.raises(OutcomeRetired):
        school.judge("A1", "PO-1", "revisit")
    with pytest.raises(PassportError, match="PO-1 has judgements and cannot be deleted; retire it"):
        school.delete_outcome("A1", "PO-1")
    with pytest.raises(PassportError, match="already retired"):
        school.retire_outcome("A1", "PO-1", reason="again")
    with pytest.raises(PassportError, match="is retired"):
        school.edit_outcome("A1", "PO-1", title="changed")
    school.retract("A1", "PO-1", "was not secure after all")  # a correction is still taken
    views = {v.outcome.id: v for v in school.outcomes("A1")}
    assert (views["PO-1"].status, views["PO-1"].outcome.retired_reason) == (
        "not assessed",
        "met; replaced at the annual review",
    )
    assert [j.milestone_id for j in school.history("A1")] == ["PO-1", "PO-1"]
    school.delete_outcome("A1", "PO-2")  # nothing refers to it
    assert [o.id for o in school.store.outcomes()] == ["PO-1"]


def test_edit_keeps_the_id_and_its_judgements(school: Service):
    add(school)
    school.judge("A1", "PO-1", "achieved")
    o = school.edit_outcome("A1", "PO-1", title="Counts up to 5 objects", source="", requires=["1N-1"])
    assert (o.title, o.source, o.requires) == ("Counts up to 5 objects", None, ["1N-1"])
    assert school.passport("A1").curricula[0].standing.achieved == ["PO-1"]


def test_bulk_marking_judges_an_outcome_for_its_own_pupil_only(school: Service):
    add(school)
    (done,) = school.judge_many([school.pupil("A1").id], "maths", "PO-1", "achieved")
    assert done.judgement is not None and done.judgement.milestone_id == "PO-1"
    add(school, "A2")
    with pytest.raises(NotFound, match="No milestone 'PO-1' in curriculum 'maths'"):
        school.judge_many([school.pupil("A1").id, school.pupil("A2").id], "maths", "PO-1", "not-yet")


def test_focus_targets_and_moderation_know_an_outcome(school: Service):
    add(school)
    school.pin_focus("A1", "PO-1", provision="daily with Mrs Lee")
    assert [f.milestone_id for f in school.focus("A1")] == ["PO-1"]
    view = school.set_target("A1", "maths", reason="plan outcome by Easter", milestones=["PO-1"])
    assert (view.milestones, view.status) == (["PO-1"], "on track")
    with pytest.raises(PassportError, match="focus items and targets and cannot be deleted"):
        school.delete_outcome("A1", "PO-1")
    school.judge("A1", "PO-1", "achieved")
    assert school.target("A1", "maths").status == "met"
    (item,) = school.draw_moderation_sample(class_name="1H", curriculum_id="maths", size=5)
    assert (item.judgement.milestone_id, item.title) == ("PO-1", TITLE)


def test_the_same_outcome_id_in_two_curricula_needs_the_curriculum_named(school: Service):
    """Ids run on per pupil, so this happens only when a passport file brings one in."""
    with school.store.transaction():
        school.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
    school.add_to_pathway("A1", ["engagement-model"])
    add(school)
    school.store.add_outcome(
        PersonalOutcome(
            pupil_id=school.pupil("A1").id or 0,
            curriculum_id="engagement-model",
            id="PO-1",
            area="initiation",
            title="Chooses",
            by="x",
            at=NOW,
        )
    )
    with pytest.raises(
        Ambiguous, match="in several curricula \\(maths, engagement-model\\); give --curriculum"
    ):
        school.judge("A1", "PO-1", "achieved")
    school.judge("A1", "PO-1", "achieved", curriculum_id="engagement-model")
    assert [cp.standing.achieved for cp in school.passport("A1").curricula] == [["PO-1"], []]


def test_steps_secured_in_a_framework_without_points_count_outcomes(school: Service):
    with school.store.transaction():
        school.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
    school.set_pathway("A3", ["engagement-model"])
    school.add_outcome("A3", "engagement-model", area="initiation", title="Chooses between two objects")
    school.judge("A3", "EXP-1", "achieved")
    school.judge("A3", "PO-1", "achieved")
    (row,) = [r for r in school.tracking(class_name="1H", curriculum_id="engagement-model")]
    assert row.steps is not None and (row.steps.secured, row.steps.this_window) == (2, 2)
    assert school.passport("A3").curricula[0].standing.achieved == ["EXP-1", "PO-1"]


# --- the passport file ------------------------------------------------------------------------


def test_a_receiving_school_keeps_the_outcomes_and_their_judgements(tmp_path: Path):
    a = small_school(tmp_path / "a.db")
    b = small_school(tmp_path / "b.db")
    add(a, source=SOURCE)
    add(a, title="Says 'more' to ask for more")
    a.judge("A1", "PO-1", "achieved", note="counted 5 cubes")
    a.retire_outcome("A1", "PO-2", reason="replaced at the review")
    # the receiving school already holds another outcome of Ann's under PO-1
    add(b, title="Sits with the group for a story")
    path = tmp_path / "ann.json"
    a.write_passport_file(path, ["A1"])  # written a pupil at a time: the file is what is checked
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    _check(published, json.loads(path.read_text(encoding="utf-8")), published)
    summary = b.import_passports(path)
    assert summary.outcomes_added == 2
    # renumbered past every id of Ann's here and in the file, and its judgements follow it
    assert any("PO-1" in w and "is PO-3 here" in w for w in summary.warnings), summary.lines()
    views = {v.outcome.title: v for v in b.outcomes("A1")}
    assert views[TITLE].outcome.id == "PO-3" and views[TITLE].status == "achieved"
    assert views["Sits with the group for a story"].outcome.id == "PO-1"
    assert views["Sits with the group for a story"].status == "not assessed"
    assert views["Says 'more' to ask for more"].outcome.retired_reason == "replaced at the review"
    assert views["Says 'more' to ask for more"].outcome.id == "PO-2"
    assert b.passport("A1").curricula[0].standing.achieved == ["PO-3"]
    again = b.import_passports(path)
    assert (again.outcomes_added, again.events_added) == (0, 0)
    # a file without outcomes carries no "outcomes" key, as files always were
    assert "outcomes" not in a.export_passports(["A2"])["pupils"][0]
    a.close()
    b.close()


def test_a_file_whose_events_name_an_outcome_it_lacks_is_refused(tmp_path: Path):
    a = small_school(tmp_path / "a.db")
    b = small_school(tmp_path / "b.db")
    add(a)
    a.judge("A1", "PO-1", "achieved")
    data = a.export_passports(["A1"])
    data["pupils"][0]["outcomes"][0]["area"] = "reading"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FileProblems, match=r"\$\.pupils\[0\]\.outcomes\[0\]\.area: no area 'reading'"):
        b.import_passports(bad)
    del data["pupils"][0]["outcomes"]
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FileProblems, match=r"events\[0\]\.milestone: no milestone 'PO-1'"):
        b.import_passports(bad)
    assert b.store.outcomes() == [] and b.history("A1") == []
    a.close()
    b.close()


# --- the command line -----------------------------------------------------------------------------


def test_the_outcome_commands_round_trip(school: Service):
    db = str(school.store.path)
    school.close()

    def run(*args: str, code: int = 0):
        result = CliRunner().invoke(cli, ["--db", db, "--as", "ms.hughes", *args])
        assert result.exit_code == code, (args, result.output, result.stderr)
        return result

    out = run("outcome", "add", "A1", "maths", "--area", "Number", "--title", TITLE, "--source", SOURCE)
    assert out.output == f"Added PO-1 for A1 in maths (n): {TITLE}\n"
    run("judge", "A1", "PO-1", "achieved", "--note", "five cubes")
    refused = run("judge", "A1", "PO-1", "not-yet", code=1)
    assert refused.stderr.count("\n") == 1 and "stays achieved" in refused.stderr
    (line,) = json.loads(run("outcome", "list", "A1", "--json").output)
    assert (line["id"], line["area_title"], line["status"], line["source"]) == (
        "PO-1",
        "Number",
        "achieved",
        SOURCE,
    )
    assert "PO-1  [Number]  achieved" in run("outcome", "list", "A1").output
    assert "No personal outcomes." in run("outcome", "list", "A2").output
    assert "PO-1  achieved" in run("history", "A1").output
    run("outcome", "retire", "A1", "PO-1", "--reason", "met; replaced at the review")
    assert "retired 2" in run("outcome", "list", "A1").output
    refused = run("outcome", "delete", "A1", "PO-1", code=1)
    assert "cannot be deleted; retire it instead" in refused.stderr
    run("outcome", "add", "A1", "maths", "--area", "n", "--title", "Typed by mistake")
    assert run("outcome", "delete", "A1", "PO-2").output == "Deleted PO-2 for A1\n"
    refused = run("outcome", "add", "A1", "maths", "--area", "x", "--title", "y", code=1)
    assert refused.stderr == "passport: No area 'x' in curriculum 'maths' (its areas: n).\n"


# --- the demo -------------------------------------------------------------------------------------


def test_the_demos_pupil_on_the_engagement_model_has_outcomes_some_achieved(demo: Service):
    (pmld,) = [p for p in demo.pupils("4O") if "engagement-model" in demo.pathway(p.upn).curricula]
    views = demo.outcomes(pmld.upn)
    assert 2 <= len(views) <= 3
    framework = demo.curriculum("engagement-model")
    assert {v.outcome.area for v in views} <= {s.id for s in framework.strands}
    assert all(v.outcome.source and "EHCP" in v.outcome.source for v in views)
    assert any(v.status == "achieved" for v in views) and any(v.status != "achieved" for v in views)
    (cp,) = [cp for cp in demo.passport(pmld.upn).curricula if cp.curriculum.id == "engagement-model"]
    assert {v.outcome.id for v in views if v.status == "achieved"} <= set(cp.standing.achieved)


def test_doctor_counts_a_judged_outcome_as_read_and_another_pupils_use_of_its_id_as_an_orphan(
    school: Service,
):
    oid = add(school, "A1", "Counts five cubes")
    school.judge("A1", oid, "achieved")
    checks = {c.name: c for c in school.doctor()}
    assert checks["judged_milestones"].ok, checks["judged_milestones"].detail
    # the same id written for a pupil without that outcome (as a damaged or hand-edited file
    # might hold) counts for nothing, and doctor says so
    stray = school.history("A1")[-1].model_copy(update={"id": None, "pupil_id": school.pupil("A2").id})
    school.store.append_judgement(stray)
    checks = {c.name: c for c in school.doctor()}
    assert not checks["judged_milestones"].ok and oid in checks["judged_milestones"].detail
