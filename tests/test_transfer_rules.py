"""A crafted passport file cannot lie: what it adds obeys the app's rules (prerequisites first, or
the file's own override reason), its authors stay the sending school's staff and never pass for
ours, and its teacher comments are the previous school's. Each case imports a crafted file into a
real database and compares the pupil's passport before and after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from passport_tui.errors import FileProblems, NotAllowed, PassportError
from passport_tui.reports.parent import parent_report, pupil_report
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import NOW, fixed_clock, small_school

TABLES = ("curricula", "pupils", "judgements", "test_scores", "targets", "focus", "notes")


def at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def counts(svc: Service) -> dict[str, int]:
    return {t: svc.store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def passport(svc: Service, upn: str) -> dict[str, Any]:
    """What a teacher sees of a pupil: standing per curriculum, history with authors, comments."""
    p = svc.passport(upn)
    return {
        "standing": [
            (cp.curriculum.id, cp.standing.achieved, cp.standing.gaps, cp.standing.next, cp.standing.points)
            for cp in p.curricula
        ],
        "history": [(j.milestone_id, j.verdict.value, j.by, j.at, j.reason) for j in svc.history(upn)],
        "comments": [(n.text, n.by) for n in svc.teacher_comments(upn)],
    }


def event(milestone: str, verdict: str = "achieved", by: str = "ms.x", days_ago: float = 3, **more) -> dict:
    return {
        "curriculum": "maths",
        "milestone": milestone,
        "verdict": verdict,
        "by": by,
        "at": at(days_ago),
        **more,
    }


def crafted(
    svc: Service,
    tmp_path: Path,
    pupils: dict[str, list[dict]],
    *,
    school: str | None = "Oak Primary",
    **extra,
) -> Path:
    """A passport file as another school (or an attacker) might write it: the curriculum from a
    real export, then per pupil the events (and ``extra`` lists: notes, targets, ...) given."""
    data = svc.export_passports(list(pupils))
    data["exported_by"] = {"tool": "something else", "school": school, "user": "whoever"}
    data["curricula"] = [svc.curriculum("maths").model_dump(mode="json")]
    for entry in data["pupils"]:
        entry["events"] = pupils[entry["pupil"]["upn"]]
        for key in ("test_scores", "targets", "focus", "notes"):
            entry[key] = extra.get(key, {}).get(entry["pupil"]["upn"], [])
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def school(tmp_path: Path):
    svc = small_school(tmp_path / "school.db")
    yield svc
    svc.close()


# --- prerequisites first ----------------------------------------------------------------------


def test_an_achievement_with_unmet_prerequisites_and_no_reason_refuses_the_whole_file(school, tmp_path):
    school.judge("A2", "1N-1", "achieved")
    file = crafted(
        school,
        tmp_path,
        {
            "A1": [event("1N-1"), event("2N-1", days_ago=2)],  # 2N-1 needs 1N-3: not achieved
            "A2": [event("1N-2")],  # fine: 1N-1 is achieved here
        },
    )
    before = {upn: passport(school, upn) for upn in ("A1", "A2")}
    rows = counts(school)
    with pytest.raises(FileProblems) as refused:
        school.import_passports(file)
    assert refused.value.lines() == [
        f"{file}: $.pupils[0].events[1]: pupil A1, milestone 2N-1 (maths): achieved while 1N-3 is not "
        "achieved, with no override reason in the file; nothing was imported (add the sending school's "
        "reason, or leave the event out)"
    ]
    # all or nothing: neither the refused pupil nor the other one changed
    assert {upn: passport(school, upn) for upn in ("A1", "A2")} == before
    assert counts(school) == rows


def test_every_refused_achievement_is_listed_and_a_blank_reason_is_no_reason(school, tmp_path):
    file = crafted(
        school,
        tmp_path,
        {
            "A1": [event("1N-3", reason="  ")],
            "A2": [event("1N-2"), event("1N-3", days_ago=1)],  # the second follows from the first
        },
    )
    with pytest.raises(FileProblems) as refused:
        school.import_passports(file)
    lines = refused.value.lines()
    assert len(lines) == 2
    assert "$.pupils[0].events[0]: pupil A1, milestone 1N-3 (maths): achieved while 1N-2 is not" in lines[0]
    assert "$.pupils[1].events[0]: pupil A2, milestone 1N-2 (maths): achieved while 1N-1 is not" in lines[1]


def test_the_files_own_override_reason_is_kept_and_the_gap_shows(school, tmp_path):
    file = crafted(school, tmp_path, {"A1": [event("1N-2", reason="secure in class, checked by the SENCo")]})
    school.import_passports(file)
    after = passport(school, "A1")
    ((_, achieved, gaps, _, _),) = after["standing"]
    assert "1N-2" in achieved and "1N-1" in gaps
    assert after["history"][-1][1:] == (
        "achieved",
        "ms.x, Oak Primary",
        NOW - timedelta(days=3),
        "secure in class, checked by the SENCo",
    )


def test_prerequisites_achieved_here_need_no_reason(school, tmp_path):
    school.judge("A1", "1N-1", "achieved", at=NOW - timedelta(days=9))
    file = crafted(school, tmp_path, {"A1": [event("1N-2")]})
    summary = school.import_passports(file)
    assert summary.events_added == 1
    assert "1N-2" in passport(school, "A1")["standing"][0][1]


def test_an_achievement_made_on_prerequisites_the_sender_later_retracted_is_accepted(tmp_path):
    # the sending school judged 1N-2 while 1N-1 stood (the app's rule), then retracted 1N-1; we had
    # meanwhile retracted our copy of 1N-1: the file's 1N-2 is no override, it is imported
    a = small_school(tmp_path / "a.db")
    b = small_school(tmp_path / "b.db")
    try:
        a.judge("A1", "1N-1", "achieved", at=NOW - timedelta(days=9))
        a.write_passport_file(tmp_path / "early.json", ["A1"])
        b.import_passports(tmp_path / "early.json")
        b.retract("A1", "1N-1", "not secure here")
        a.judge("A1", "1N-2", "achieved", at=NOW - timedelta(days=5))
        a.retract("A1", "1N-1", "recorded too early")
        a.write_passport_file(tmp_path / "later.json", ["A1"])
        b.import_passports(tmp_path / "later.json")
        achieved = passport(b, "A1")["standing"][0][1]
        assert "1N-2" in achieved and "1N-1" not in achieved
    finally:
        a.close()
        b.close()


# --- authors stay the sending school's staff ----------------------------------------------------


def staffed(svc: Service) -> None:
    """Staff here: ms.hughes (admin), head (a teacher of 1H: not an admin)."""
    svc.add_staff("ms.hughes", "Ms Hughes", "admin")
    svc.add_staff("head", "Mr Head", "teacher", ["1H"])


def test_authors_from_the_file_are_never_our_staff(school, tmp_path):
    staffed(school)
    before = passport(school, "A1")
    file = crafted(
        school,
        tmp_path,
        {"A1": [event("1N-1", by="head"), event("1N-2", by="ms.hughes", days_ago=2)]},
        notes={"A1": [{"kind": "note", "text": "Settled quickly", "by": "head", "at": at(2)}]},
        targets={
            "A1": [
                {
                    "curriculum": "maths",
                    "academic_year": 2026,
                    "points": 12,
                    "reason": "catch up",
                    "by": "ms.hughes",
                    "at": at(2),
                }
            ]
        },
        test_scores={
            "A1": [
                {
                    "curriculum": "maths",
                    "academic_year": 2026,
                    "term": 1,
                    "score": 64,
                    "by": "head",
                    "at": at(2),
                }
            ]
        },
        focus={"A1": [{"curriculum": "maths", "milestone": "1N-3", "by": "head", "at": at(2)}]},
    )
    school.import_passports(file)
    after = passport(school, "A1")
    assert before["history"] == []
    assert [(m, by) for m, _, by, _, _ in after["history"]] == [
        ("1N-1", "head, Oak Primary"),
        ("1N-2", "ms.hughes, Oak Primary"),
    ]
    pid = school.pupil("A1").id
    assert [n.by for n in school.store.notes(pid)] == ["head, Oak Primary"]  # type: ignore[arg-type]
    assert [t.by for t in school.store.targets(pid)] == ["ms.hughes, Oak Primary"]  # type: ignore[arg-type]
    assert [t.by for t in school.store.test_scores(pupil_id=pid)] == ["head, Oak Primary"]
    assert [f.by for f in school.focus("A1")] == ["head, Oak Primary"]
    # so our teacher "head" did not record 1N-1 and may not retract it (only an admin may)
    with (
        Service(Store.open(school.store.path), user="head", clock=fixed_clock) as head,
        pytest.raises(NotAllowed, match="Only the teacher who recorded 1N-1"),
    ):
        head.retract("A1", "1N-1", "never taught here")
    # the CLI's history shows them the same way
    shown = run_cli(school.store.path, "--as", "head", "history", "A1")
    assert shown.returncode == 0, shown.stderr
    assert "head, Oak Primary" in shown.stdout and "ms.hughes, Oak Primary" in shown.stdout


def test_a_file_without_a_school_names_its_authors_from_the_previous_school(school, tmp_path):
    file = crafted(school, tmp_path, {"A1": [event("1N-1", by="  Ms X ")]}, school="  ")
    school.import_passports(file)
    assert [j.by for j in school.history("A1")] == ["Ms X, previous school"]


def test_an_author_the_file_already_names_with_a_school_is_kept_and_importing_twice_adds_nothing(
    school, tmp_path
):
    file = crafted(school, tmp_path, {"A1": [event("1N-1", by="Ms Y, Elm Academy")]})
    school.import_passports(file)
    again = school.import_passports(file)
    assert [j.by for j in school.history("A1")] == ["Ms Y, Elm Academy"]
    assert not again.changed


def test_a_login_never_holds_a_comma(school):
    with pytest.raises(PassportError, match="no comma"):
        school.add_staff("ms.x, Oak Primary", "Ms X", "admin")
    with pytest.raises(NotAllowed, match="no comma"):
        Service(Store.open(school.store.path), user="head, Oak Primary")


# --- comments are the previous school's ---------------------------------------------------------


def test_an_imported_comment_is_never_this_schools_latest_on_the_parent_report(school, tmp_path):
    school.add_teacher_comment("A1", "Ann reads with real enjoyment.")
    school.add_teacher_comment("A1", "A steady term in number.", "maths")
    report_before = pupil_report(school, "A1")
    file = crafted(
        school,
        tmp_path,
        {"A1": []},
        notes={
            "A1": [
                {"kind": "teacher comment", "text": "Ann is a delight!", "by": "head", "at": NOW.isoformat()},
                {
                    "kind": "teacher comment",
                    "curriculum": "maths",
                    "text": "Top of the class",
                    "by": "head",
                    "at": NOW.isoformat(),
                },
            ]
        },
    )
    school.import_passports(file)
    # kept, with its author as the previous school's
    assert ("Ann is a delight!", "head, Oak Primary") in passport(school, "A1")["comments"]
    report = pupil_report(school, "A1")
    assert report.comment == report_before.comment
    assert report.comment is not None and report.comment.text == "Ann reads with real enjoyment."
    assert report.subjects[0].comment == report_before.subjects[0].comment
    html = parent_report(school, ["A1"])
    assert "Ann is a delight!" not in html and "Top of the class" not in html


def test_a_pupil_with_only_imported_comments_has_no_teacher_comment_on_the_report(school, tmp_path):
    file = crafted(
        school,
        tmp_path,
        {"A1": []},
        notes={"A1": [{"kind": "teacher comment", "text": "Ann is a delight!", "by": "head", "at": at(1)}]},
    )
    school.import_passports(file)
    assert pupil_report(school, "A1").comment is None


# --- the command line -------------------------------------------------------------------------


def run_cli(db: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PASSPORT_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "passport_tui.cli", *(["--db", str(db)] if db else []), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_the_cli_refuses_a_lying_file_in_one_line_and_changes_nothing(school, tmp_path):
    file = crafted(school, tmp_path, {"A1": [event("2N-1")]})
    before = passport(school, "A1")
    rows = counts(school)
    result = run_cli(school.store.path, "transfer", "import", str(file))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert f"{file}: $.pupils[0].events[0]: pupil A1, milestone 2N-1 (maths): achieved while 1N-3" in lines[0]
    assert passport(school, "A1") == before and counts(school) == rows
