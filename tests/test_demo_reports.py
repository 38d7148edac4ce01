"""The demo school's reports read true, as a parent or a governor reads them: a pupil on personal
programmes is never measured against year expectations, a new arrival's baseline is not progress,
no percentage of a handful of pupils, no empty table. On the real demo file (built once, on the
fixed date)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from passport_tui.models import Sen, Verdict
from passport_tui.reports import parent_report, school_report
from passport_tui.reports.parent import pupil_report
from passport_tui.service import BASELINE_NOTE, Service
from passport_tui.store import Store
from tests.conftest import fixed_clock
from tests.test_reports import Page

PERSONAL = {"engagement-model", "small-steps", "psped"}


@pytest.fixture(scope="module")
def demo_school(demo_file: Path, tmp_path_factory) -> Service:
    """One copy of the demo for the module: these tests only read."""
    path = tmp_path_factory.mktemp("demo-reports") / "demo.db"
    shutil.copy(demo_file, path)
    svc = Service(Store.open(path), user="demo", clock=fixed_clock)
    yield svc
    svc.close()


def pmld_pupil(svc: Service):
    (pupil,) = [
        p for p in svc.pupils() if set(svc.pathway(p.upn).curricula) == {"engagement-model", "small-steps"}
    ]
    return pupil


def arrival(svc: Service):
    (pupil,) = {
        p.upn: p
        for p in svc.pupils()
        if any((j.note or "").startswith(BASELINE_NOTE) for j in svc.history(p.upn))
    }.values()
    return pupil


def test_the_pmld_pupil_is_reported_on_personal_programmes_only(demo_school: Service) -> None:
    svc = demo_school
    pupil = pmld_pupil(svc)
    assert pupil.class_name == "4O" and pupil.sen is Sen.EHCP
    text = Page(parent_report(svc, [pupil.upn], "html")).text
    first = pupil.first_name
    assert "The engagement model" in text and "Small steps K1–K8" in text
    assert "English" not in text and "Mathematics" not in text
    assert (
        len(
            re.findall(
                rf"{first} secured \d+ new steps? this term(, \d+ since [^(]+)? \(\d+ in all\)\.", text
            )
        )
        == 2
    )
    assert text.count(f"{first}'s personal target is to secure these 3 steps by 31 March 2027.") == 2
    assert len(re.findall(r"\b\d of 3 secured so far\.", text)) == 2
    for wrong in ("expected standard", "behind", "points", "faster progress", "Year 4 in", "progress bars"):
        assert wrong not in text, wrong


def test_the_new_arrival_is_not_behind_and_the_baseline_is_not_progress(demo_school: Service) -> None:
    svc = demo_school
    pupil = arrival(svc)
    assert pupil.class_name == "2H"
    rows = [r for r in svc.tracking(class_name="2H") if r.pupil.upn == pupil.upn]
    assert {r.curriculum_id for r in rows} == {"key-maths", "key-english"}
    for r in rows:
        s = r.standing
        assert not s.flags or [f.value for f in s.flags] == ["excelling"], (r.curriculum_id, s.flags)
        # progress this year is what was secured here since September, not the baseline
        assert s.points_start_of_year == 12 and 0 <= s.progress_this_year <= 3
    report = pupil_report(svc, pupil.upn)
    baseline = {
        j.milestone_id
        for j in svc.history(pupil.upn)
        if j.verdict is Verdict.ACHIEVED and (j.note or "").startswith(BASELINE_NOTE)
    }
    for subject in report.subjects:
        assert subject.level in ("at", "above"), (subject.title, subject.expectation)
        assert subject.baseline is not None
        assert re.fullmatch(
            rf"When {pupil.first_name} joined, a baseline assessment recorded \d+ steps as already secured, "
            r"up to Year 1\. Only the steps secured since count as new steps here\.",
            subject.baseline,
        )
        assert "faster progress" not in subject.target
    listed = {t for s in report.subjects for t in s.secured}
    titles = {m.title for c in svc.curricula() for m in c.milestones if m.id in baseline}
    assert baseline and not listed & titles  # the baseline's steps are not listed as secured here


def test_every_parent_report_reads_true(demo_school: Service) -> None:
    svc = demo_school
    for pupil in svc.pupils():
        report = pupil_report(svc, pupil.upn)
        followed = set(svc.pathway(pupil.upn).curricula)
        assert len(report.subjects) == len(followed)
        for s in report.subjects:
            if s.personal:
                assert s.steps and not s.progress  # steps this term, not bars of a year's stage
                assert "expected standard" not in s.expectation and "Year" not in s.expectation
                assert "faster" not in s.target and "points" not in s.target
            else:
                assert s.progress and s.steps is None
                assert all(b.total for b in s.progress)  # no bar of nothing
        assert report.personal == bool(followed & PERSONAL)
        assert report.measured == any(not s.personal for s in report.subjects)
    # PSP: followed by the pupils with special educational needs (not the PMLD pupil), by
    # assignment, without points
    psp = {r.pupil.upn for r in svc.tracking(curriculum_id="psped")}
    sen = {p.upn for p in svc.pupils() if p.sen is not Sen.NONE} - {pmld_pupil(svc).upn}
    assert psp == sen and len(psp) >= 5
    assert all(r.standing.points is None and r.steps is not None for r in svc.tracking(curriculum_id="psped"))


def test_the_school_report_reads_true(demo_school: Service) -> None:
    html = school_report(demo_school)
    text = Page(html).text
    # no empty table: each has a body with cells
    tables = re.findall(r"<table.*?</table>", html, re.S)
    assert len(tables) >= 5
    for table in tables:
        assert re.search(r"<tbody>\s*<tr>", table) and "<td" in table
    # the classes table has the subjects with points only: no column of dashes for a framework
    head = re.search(r"<caption>Class summaries</caption>(.*?)</thead>", html, re.S).group(1)
    assert "English" in head and "Mathematics" in head and "engagement" not in head and "Personal" not in head
    # personal programmes: steps secured per class, counts for a handful of pupils
    assert "Personal programmes" in text and "Secured a new step this term" in text
    assert "Only one pupil follows the engagement model: too few to compare groups" in text
    assert "Only one pupil follows small steps K1–K8: too few to compare groups" in text
    # no percentage (or mean) of a group of fewer than five pupils in a group analysis
    small = 0
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if not cells or " / " not in cells[0]:
            continue  # a class row, not a group's
        group = int(cells[0].split(" / ")[0])
        if group >= 5:
            continue
        small += 1
        steps_table = " / " not in cells[-1] and "<br>" not in cells[-1]  # its last cell: the others'
        for cell in cells[1:-1] if steps_table else cells[1:]:
            mine = cell.split("<br>")[0] if "<br>" in cell else cell.split(" / ")[0]
            shown = Page(mine).text.removeprefix("group ")
            assert "%" not in shown and (shown.startswith("n=") or " of " in shown), (row, shown)
    assert small >= 3  # EHCP, the reading-recovery tag, EAL in PSP ...
    assert not re.search(r"\b[1-4] of [1-4] \(\d+%\)", text)  # "2 of 3", never "2 of 3 (67%)"
