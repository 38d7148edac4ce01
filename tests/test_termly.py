"""The termly cycle (DESIGN §2.7–§2.12) through the service on the fixed clock and through the
`passport` CLI on real database files: test scores and their bands, disagreements, test imports,
personal targets, group analysis, gap ages, moderation and focus items."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.engine import Flag
from passport_tui.errors import FileProblems, NotAllowed, NotFound, PassportError, ReasonRequired
from passport_tui.service import Service
from tests.conftest import fixed_clock, small_school


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, tzinfo=UTC)


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


@pytest.fixture
def fixed_cli_clock(monkeypatch):
    """The CLI's service runs on the real clock; here it runs on the tests' fixed clock
    (2026-11-23, autumn 2026/27), so no figure depends on today's date."""
    real_open = Service.open.__func__  # type: ignore[attr-defined]

    def open_on_fixed_clock(cls, db=None, user=None, **options):
        svc = real_open(cls, db, user, **options)
        svc.clock = fixed_clock
        return svc

    monkeypatch.setattr(Service, "open", classmethod(open_on_fixed_clock))


def judged_once(svc: Service) -> Service:
    """Each pupil of 1H judged once, early in September (1N-1 not yet): assessed, at 9 points with
    nothing achieved (a pupil never judged is not assessed: no figures at all)."""
    for upn in ("A1", "A2", "A3", "A4"):
        svc.judge(upn, "1N-1", "not-yet", at=at(2026, 9, 2))
    return svc


@pytest.fixture
def school(school):
    """The small school, every pupil of 1H judged once (``judged_once``)."""
    return judged_once(school)


@pytest.fixture
def run(school, fixed_cli_clock):
    """``run(*args, code=0, user="ms.hughes")``: the CLI on the school's database file."""
    runner = CliRunner()

    def run(*args: str, code: int = 0, user: str = "ms.hughes"):
        result = runner.invoke(cli, ["--db", str(school.store.path), "--as", user, *args])
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    return run


OCTOBER = at(2026, 10, 1)


def secure_year_1(svc: Service, upn: str, when: datetime = OCTOBER) -> None:
    for m in ("1N-1", "1N-2", "1N-3"):
        svc.judge(upn, m, "achieved", at=when)


# --- tests (§2.7) ----------------------------------------------------------------------------


def test_band_mapping_through_record_test(school):
    # a Year 1 pupil after autumn is expected at 10
    ann = school.record_test("A1", "maths", 85)
    assert (ann.expected, ann.test_point, ann.greater_depth) == (10, 10, True)
    ben = school.record_test("A2", "maths", 40)
    assert (ben.test_point, ben.greater_depth) == (8, False)
    assert school.record_test("A3", "maths", 60).test_point == 10
    assert school.record_test("A4", "maths", 55).test_point == 9
    assert school.record_test("A4", "maths", 34.5).test_point == 7  # a later score replaces it
    flags = {r.pupil.upn: r.standing.flags for r in school.tracking(class_name="1H")}
    assert Flag.EXCELLING in flags["A1"]  # greater depth in the test
    assert Flag.EXCELLING not in flags["A2"]
    with pytest.raises(PassportError, match="0 to 100"):
        school.record_test("A1", "maths", 101)
    assert {r.pupil.upn: r.test_point for r in school.test_results(class_name="1H")}["A4"] == 7


def test_a_disagreement_of_two_points_is_listed_first(school, run):
    secure_year_1(school, "A2")  # teacher-assessed: Year 1 complete, 12 points
    school.record_test("A2", "maths", 40)  # test: 8
    school.record_test("A1", "maths", 85)  # teacher 9, test 10: within a point
    rows = school.test_results(curriculum_id="maths")
    assert [(r.pupil.upn, r.teacher_points, r.test_point, r.disagreement) for r in rows] == [
        ("A2", 12, 8, 4),
        ("A1", 9, 10, -1),
    ]
    assert rows[0].disagrees and not rows[1].disagrees

    listed = json.loads(run("test", "list", "--window", "2026-autumn", "--json").output)
    assert [d["upn"] for d in listed] == ["A2", "A1"]
    assert listed[0] | {"name": None} == {
        "upn": "A2",
        "name": None,
        "class": "1H",
        "curriculum": "maths",
        "window": "2026-autumn",
        "score": 40.0,
        "test_point": 8,
        "greater_depth": False,
        "teacher_points": 12,
        "expected": 10,
        "disagreement": 4,
        "disagrees": True,
    }
    only = json.loads(run("test", "list", "--disagreements", "--window", "2026-autumn", "--json").output)
    assert [d["upn"] for d in only] == ["A2"]
    text = run("test", "list", "--class", "1H", "--window", "2026-autumn").output
    assert re.search(r"^! Ben Brown .* \+4$", text, re.M)
    assert re.search(r"^  Ann Adams .* GD .* -1$", text, re.M)
    assert "No test scores" in run("test", "list", "--window", "2025-autumn").output


def test_record_from_the_cli(school, run):
    out = run("test", "record", "A1", "maths", "85%", "--window", "2026-autumn", "--note", "paper 1").output
    assert "test point 10 (greater depth)" in out and "teacher-assessed points 9, expected 10" in out
    (score,) = school.store.test_scores(school.pupil("A1").id, "maths", 2026, 1)
    assert (score.score, score.note, score.by) == (85.0, "paper 1", "ms.hughes")
    assert "0 to 100" in run("test", "record", "A1", "maths", "120", code=1).stderr
    run("test", "record", "A1", "maths", "lots", code=2)
    assert "No curriculum" in run("test", "record", "A1", "art", "50", code=1).stderr


def test_import_reports_every_bad_row_and_writes_nothing(school, run, tmp_path):
    bad = tmp_path / "scores.csv"
    bad.write_text("UPN,Score\nA1,72\nZZ9,50\nA2,abc\nA3,55%\n", encoding="utf-8")
    result = run("test", "import", str(bad), "--curriculum", "maths", "--window", "2026-autumn", code=1)
    assert result.stderr.splitlines() == [
        f"passport: {bad}:3: no pupil with UPN 'ZZ9'",
        f"passport: {bad}:4: Score 'abc' is not a number",
    ]
    assert count(school.store.path, "test_scores") == 0
    with pytest.raises(FileProblems):
        school.import_tests(bad, curriculum_id="maths")
    assert "No curriculum" in run("test", "import", str(bad), "--curriculum", "art", code=1).stderr

    good = tmp_path / "good.csv"
    good.write_text("UPN,Score,Subject,Term\nA1,72,maths,\nA2,40%,maths,2026-spring\n", encoding="utf-8")
    assert "2 test scores" in run("test", "import", str(good), "--window", "2026-autumn").output
    stored = {(s.pupil_id, s.academic_year, s.term): s.score for s in school.store.test_scores()}
    a1, a2 = school.pupil("A1").id, school.pupil("A2").id
    assert stored == {(a1, 2026, 1): 72.0, (a2, 2026, 2): 40.0}


def test_an_internal_id_is_not_a_upn_in_an_import(school, tmp_path):
    f = tmp_path / "ids.csv"
    f.write_text(f"UPN,Score\n{school.pupil('A1').id},72\n", encoding="utf-8")
    with pytest.raises(FileProblems, match="no pupil with UPN"):
        school.import_tests(f, curriculum_id="maths")


# --- targets (§2.8) --------------------------------------------------------------------------


def test_personal_points_target_with_reason_history_and_status(school):
    # Ann has 9 points and three windows to go (this one included)
    assert school.target("A1", "maths").status == "on track"  # default: 12
    v = school.set_target("A1", "maths", points=11, reason="Absent in September")
    assert (v.points, v.personal, v.status, v.reason) == (11, True, "on track", "Absent in September")
    assert school.set_target("A1", "maths", points=13, reason="Stretch").status == "off track"
    v = school.set_target("A1", "maths", points=9, reason="Settling in")
    assert (v.points, v.status) == (9, "met")
    assert [(t.points, t.reason, t.by, t.at) for t in v.history] == [
        (11, "Absent in September", "ms.hughes", fixed_clock()),
        (13, "Stretch", "ms.hughes", fixed_clock()),
        (9, "Settling in", "ms.hughes", fixed_clock()),
    ]
    # the personal target feeds the tracking table
    (row,) = [r for r in school.tracking(class_name="1H") if r.pupil.upn == "A1"]
    assert row.standing.target == 9 and row.standing.target_is_personal
    with pytest.raises(ReasonRequired):
        school.set_target("A1", "maths", points=12, reason="  ")
    with pytest.raises(PassportError, match="not both"):
        school.set_target("A1", "maths", points=12, milestones=["1N-1"], reason="both")
    with pytest.raises(NotFound, match="9Z-9"):
        school.set_target("A1", "maths", milestones=["9Z-9"], reason="typo")


def test_milestones_target_met_on_track_and_off_track_after_its_due_date(school):
    for upn in ("A1", "A2"):
        v = school.set_target(upn, "maths", milestones=["1N-1", "1N-2"], due=date(2026, 12, 15), reason="ILP")
        assert (v.points, v.milestones, v.due, v.status) == (
            None,
            ["1N-1", "1N-2"],
            date(2026, 12, 15),
            "on track",
        )
    school.judge("A1", "1N-1", "achieved", at=at(2026, 11, 2))
    assert school.target("A1", "maths").status == "on track"  # one of two
    school.judge("A1", "1N-2", "achieved", at=at(2026, 11, 20))
    assert school.target("A1", "maths").status == "met"
    school.clock = lambda: datetime(2026, 12, 20, 9, tzinfo=UTC)  # after the due date
    assert school.target("A2", "maths").status == "off track"
    assert school.target("A1", "maths").status == "met"


def test_clearing_a_target_goes_back_to_the_default(school):
    school.set_target("A1", "maths", points=11, reason="Absent in September")
    v = school.set_target("A1", "maths", reason="Back on track")
    assert (v.points, v.personal, v.reason) == (12, False, None)  # Year 1's end point
    assert [(t.points, t.clears, t.reason) for t in v.history] == [
        (11, False, "Absent in September"),
        (None, True, "Back on track"),
    ]


def test_target_commands(school, run):
    out = run("target", "set", "A1", "--curriculum", "maths", "--points", "11", "--reason", "Absent").output
    assert "11 points (personal: Absent) — on track" in out
    run(
        "target", "set", "A2", "--curriculum", "maths",
        "--milestones", "1N-1, 1N-2", "--due", "2026-12-15", "--reason", "ILP",
    )  # fmt: skip
    run("target", "set", "A1", "--curriculum", "maths", "--reason", "neither", code=2)
    run(
        "target",
        "set",
        "A1",
        "--curriculum",
        "maths",
        "--points",
        "11",
        "--milestones",
        "1N-1",
        "--reason",
        "x",
        code=2,
    )
    run(
        "target",
        "set",
        "A1",
        "--curriculum",
        "maths",
        "--points",
        "11",
        "--due",
        "2026-12-01",
        "--reason",
        "x",
        code=2,
    )
    run("target", "set", "A1", "--curriculum", "maths", "--points", "11", code=2)  # --reason is required
    assert (
        "needs a reason"
        in run(
            "target", "set", "A1", "--curriculum", "maths", "--points", "11", "--reason", " ", code=1
        ).stderr
    )

    (ben,) = json.loads(run("target", "show", "A2", "--curriculum", "maths", "--json").output)
    assert ben["milestones"] == ["1N-1", "1N-2"] and ben["due"] == "2026-12-15"
    assert (ben["personal"], ben["status"], ben["reason"]) == (True, "on track", "ILP")

    run("target", "clear", "A1", "--curriculum", "maths", "--reason", "Caught up")
    (ann,) = json.loads(run("target", "show", "A1", "--json").output)
    assert (ann["points"], ann["personal"], ann["status"]) == (12, False, "on track")
    assert [(h["points"], h["default"], h["reason"], h["by"]) for h in ann["history"]] == [
        (11, False, "Absent", "ms.hughes"),
        (None, True, "Caught up", "ms.hughes"),
    ]
    assert ann["history"][0]["at"].startswith("2026-11-23")
    text = run("target", "show", "A1").output
    assert "12 points (default) — on track" in text and "Caught up" in text


# --- groups (§2.10) --------------------------------------------------------------------------


def test_groups_command_shape(school, run):
    secure_year_1(school, "A2")
    school.judge("A4", "1N-1", "achieved", at=at(2026, 10, 1))
    (maths,) = json.loads(run("groups", "--class", "1H", "--window", "2026-autumn", "--json").output)
    assert (maths["curriculum"], maths["window"]) == ("maths", "2026-autumn")
    groups = {g["group"]: g for g in maths["groups"]}
    assert list(groups) == ["pupil premium", "EAL", "SEN (any)", "SEN support", "girls", "boys"]
    boys = groups["boys"]
    assert set(boys) == {
        "group",
        "group_figures",
        "rest",
        "points_gap",
        "at_expected_gap",
        "year_ago",
        "rest_year_ago",
    }
    assert set(boys["group_figures"]) == {
        "n", "with_points", "mean_points", "pct_at_expected",
        "progress_this_year", "progress_last_window", "pct_with_gaps",
        "with_steps", "steps_per_pupil_window", "steps_per_pupil_year", "made_progress", "pct_made_progress",
        "not_assessed",
    }  # fmt: skip
    # boys: Ben 12, Dev 10; girls: Ann 9, Cara 9
    assert (boys["group_figures"]["n"], boys["group_figures"]["mean_points"]) == (2, 11.0)
    assert (boys["rest"]["n"], boys["rest"]["mean_points"]) == (2, 9.0)
    assert boys["group_figures"]["pct_at_expected"] == 100.0 and boys["rest"]["pct_at_expected"] == 0.0
    assert boys["points_gap"] == 2.0
    assert boys["year_ago"]["n"] == 2  # the same pupils a year earlier
    assert maths["lags"] == []  # groups of 2 are too small to compare milestone by milestone

    text = run("groups", "--class", "1H", "--window", "2026-autumn").output
    assert text.startswith("maths — Autumn 2026/27")
    # groups of 2: the means, but no percentages (the count instead)
    assert re.search(r"^  boys\s+2/2\s+11\.0/9\.0\s+n=2/n=2 ", text, re.M)
    assert "where groups lag most: nowhere" in text
    assert json.loads(run("groups", "--curriculum", "maths", "--window", "2026-autumn", "--json").output)
    assert "No curriculum" in run("groups", "--curriculum", "art", code=1).stderr


def test_groups_lists_the_milestones_groups_lag_on(demo_file, tmp_path, fixed_cli_clock):
    db = tmp_path / "demo.db"
    db.write_bytes(demo_file.read_bytes())
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            str(db),
            "--as",
            "ms.hughes",
            "groups",
            "--class",
            "2H",
            "--window",
            "2026-autumn",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    sections = json.loads(result.output)
    assert [s["curriculum"] for s in sections] == ["key-english", "key-maths", "psped"]
    lags = sections[1]["lags"]
    assert lags and all(re.fullmatch(r".+: \S+ achieved by \d+%, others \d+%", lag["text"]) for lag in lags)
    assert [lag["lag"] for lag in lags] == sorted((lag["lag"] for lag in lags), reverse=True)
    text = CliRunner().invoke(
        cli, ["--db", str(db), "--as", "ms.hughes", "groups", "--class", "2H", "--curriculum", "key-maths"]
    )
    assert f"    {lags[0]['text']}" in text.output


def test_no_curricula_is_a_sentence_not_a_crash(tmp_path):
    with Service.open(tmp_path / "empty.db", "t") as svc, pytest.raises(NotFound, match="No curricula"):
        svc.group_analysis()


# --- gap ages (§2.9) -------------------------------------------------------------------------


def test_gap_ages_oldest_first(school, run):
    school.judge("A1", "1N-3", "achieved", reason="Shown in class work", at=at(2026, 10, 1))
    assert school.gap_ages("A1", "maths") == [("1N-1", 53), ("1N-2", 53)]
    items = json.loads(run("gaps", "A1", "--age", "--json").output)
    assert [(i["milestone"], i["days_open"]) for i in items] == [("1N-1", 53), ("1N-2", 53)]
    # a Year 3 pupil (judged once: a pupil never judged has no gaps): Year 1 has lain below since
    # last September, Year 2 since this one
    school.judge("B1", "2N-1", "not-yet", at=at(2026, 9, 3))
    text = run("gaps", "B1", "--age").output.splitlines()
    assert text[0].split() == ["448", "days", "maths", "1N-1", "Count", "to", "20", "[and", "back]"]
    assert text[-1].split()[:4] == ["83", "days", "maths", "2N-3"]
    assert run("gaps", "A2", "--age").output.strip() == "none"
    assert "days_open" not in run("gaps", "A1", "--json").output  # the plain list is unchanged


# --- moderation (§2.11) ----------------------------------------------------------------------


def achieved_in_autumn(svc: Service) -> None:
    secure_year_1(svc, "A1", at(2026, 9, 20))
    secure_year_1(svc, "A2", at(2026, 10, 5))
    svc.judge("A3", "1N-1", "achieved", at=at(2026, 11, 2))
    svc.judge("A4", "1N-1", "achieved", at=at(2026, 7, 1))  # last summer: not in the window
    svc.judge("B1", "1N-1", "achieved", at=at(2026, 10, 1))  # another class


def test_moderation_sample_is_deterministic_and_recorded(school, tmp_path):
    achieved_in_autumn(school)
    twin = judged_once(small_school(tmp_path / "twin.db"))
    achieved_in_autumn(twin)
    drawn = school.draw_moderation_sample(
        class_name="1H", curriculum_id="maths", window="2026-autumn", size=3
    )
    again = twin.draw_moderation_sample(class_name="1H", curriculum_id="maths", window="2026-autumn", size=3)
    twin.close()
    assert [i.judgement.id for i in drawn] == [i.judgement.id for i in again]
    assert len({i.pupil.upn for i in drawn}) == 3  # spread across pupils
    assert {i.pupil.upn for i in drawn} <= {"A1", "A2", "A3"}
    assert all(i.state.sampled and i.state.status.value == "pending" for i in drawn)
    events = school.store.moderation_events()
    assert sorted(e.judgement_id for e in events) == sorted(i.judgement.id for i in drawn)
    assert {(e.action.value, e.by) for e in events} == {("sampled", "ms.hughes")}
    # drawing again takes from the judgements not drawn yet: 7 achieved in the window in all
    more = school.draw_moderation_sample(
        class_name="1H", curriculum_id="maths", window="2026-autumn", size=10
    )
    assert len(more) == 4 and not {i.judgement.id for i in more} & {i.judgement.id for i in drawn}
    assert school.draw_moderation_sample(class_name="1H", curriculum_id="maths", window="2026-autumn") == []


def test_moderation_commands(school, run):
    achieved_in_autumn(school)
    drawn = json.loads(
        run(
            "moderation", "sample", "--class", "1H", "--curriculum", "maths",
            "--window", "2026-autumn", "--size", "2", "--json",
        ).output
    )  # fmt: skip
    assert len(drawn) == 2 and all(d["status"] == "pending" and d["sampled"] for d in drawn)
    first, second = (str(d["judgement_id"]) for d in drawn)

    # the member of staff who recorded it cannot confirm it; a second one can
    result = run("moderation", "confirm", first, code=1)
    assert "cannot confirm" in result.stderr and len(result.stderr.splitlines()) == 1
    assert "confirmed" in run("moderation", "confirm", first, user="mr.khan").output

    # a query needs a note
    run("moderation", "query", second, user="mr.khan", code=2)
    assert (
        "needs a reason" in run("moderation", "query", second, "--note", " ", user="mr.khan", code=1).stderr
    )
    run("moderation", "query", second, "--note", "No evidence in the book", user="mr.khan")

    # queried: first on the list, and listed as open until resolved
    listed = json.loads(run("moderation", "list", "--class", "1H", "--json").output)
    assert [(str(d["judgement_id"]), d["status"]) for d in listed] == [
        (second, "queried"),
        (first, "confirmed"),
    ]
    assert (listed[0]["query"], listed[0]["queried_by"], listed[0]["recorded_by"]) == (
        "No evidence in the book",
        "mr.khan",
        "ms.hughes",
    )
    assert [
        str(d["judgement_id"]) for d in json.loads(run("moderation", "list", "--open", "--json").output)
    ] == [second]
    assert "open query" in run("moderation", "confirm", second, user="mr.khan", code=1).stderr
    text = run("moderation", "list", "--open").output
    assert re.search(
        rf"^\s*{second}\s+\S+ \S+\s+1N-\d\s+ms\.hughes\s+queried\s+No evidence in the book", text, re.M
    )
    run("moderation", "resolve", second, code=2)  # --note is required
    run("moderation", "resolve", second, "--note", "Seen in the maths book")
    assert json.loads(run("moderation", "list", "--open", "--json").output) == []
    assert "Nothing to moderate." in run("moderation", "list", "--open").output
    statuses = {
        str(d["judgement_id"]): d["status"] for d in json.loads(run("moderation", "list", "--json").output)
    }
    assert statuses == {first: "confirmed", second: "resolved"}
    assert "nothing to resolve" in run("moderation", "resolve", second, "--note", "again", code=1).stderr
    assert "No achieved judgement" in run("moderation", "confirm", "99999", user="mr.khan", code=1).stderr
    assert json.loads(run("moderation", "list", "--class", "3K", "--json").output) == []


def test_moderation_refusals_in_the_service(school):
    achieved_in_autumn(school)
    (item,) = school.draw_moderation_sample(
        class_name="1H", curriculum_id="maths", window="2026-autumn", size=1
    )
    with pytest.raises(NotAllowed):
        school.moderate(item.judgement.id, "confirm")
    with pytest.raises(PassportError, match="confirm, query or resolve"):
        school.moderate(item.judgement.id, "approve")
    assert count(school.store.path, "moderation") == 1  # the sample only: nothing refused was written


# --- individual learning plan (§2.12) --------------------------------------------------------


def test_focus_pin_unpin_list(school, run):
    school.judge("A1", "1N-1", "achieved", at=at(2026, 10, 1))
    out = run("focus", "pin", "A1", "1N-2", "--provision", "Daily 10-minute number work").output
    assert "maths  1N-2  Read and write numbers to 20 — Daily 10-minute number work" in out
    run("focus", "pin", "A1", "1N-3", "--curriculum", "maths")
    assert "already achieved" in run("focus", "pin", "A1", "1N-1", code=1).stderr
    items = json.loads(run("focus", "list", "A1", "--json").output)
    assert [(i["milestone"], i["provision"], i["by"]) for i in items] == [
        ("1N-2", "Daily 10-minute number work", "ms.hughes"),
        ("1N-3", None, "ms.hughes"),
    ]
    run("focus", "unpin", "A1", "1N-2")
    assert [i["milestone"] for i in json.loads(run("focus", "list", "A1", "--json").output)] == ["1N-3"]
    result = run("focus", "unpin", "A1", "1N-2", code=1)
    assert result.stderr.strip() == "passport: 1N-2 is not on Ann Adams's focus list in maths."
    assert "No milestone" in run("focus", "pin", "A1", "9Z-9", code=1).stderr
    assert run("focus", "list", "A2").output.strip() == "No focus items."


def test_show_json_has_focus_and_test(school, run):
    run("focus", "pin", "A1", "1N-1", "--provision", "Counting songs")
    run("test", "record", "A1", "maths", "85")  # this window, on the fixed clock
    (entry,) = json.loads(run("show", "A1", "--json").output)["curricula"]
    assert entry["focus"] == [{"milestone": "1N-1", "provision": "Counting songs"}]
    assert entry["test"] == {"window": "2026-autumn", "score": 85.0, "test_point": 10, "greater_depth": True}
    assert "excelling" in entry["flags"]
    (other,) = json.loads(run("show", "A2", "--json").output)["curricula"]
    assert (other["focus"], other["test"]) == ([], None)
    text = run("show", "A1").output
    assert "test: 85% in Autumn 2026/27: test point 10 (greater depth)" in text
    assert "focus: 1N-1 — Counting songs" in text


def test_every_termly_command_has_help():
    runner = CliRunner()
    for path in [
        ("test", "record"), ("test", "import"), ("test", "list"),
        ("target", "set"), ("target", "clear"), ("target", "show"),
        ("groups",), ("gaps",),
        ("moderation", "sample"), ("moderation", "confirm"), ("moderation", "query"),
        ("moderation", "resolve"), ("moderation", "list"),
        ("focus", "pin"), ("focus", "unpin"), ("focus", "list"),
    ]:  # fmt: skip
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output, path
    assert "--age" in runner.invoke(cli, ["gaps", "--help"]).output
