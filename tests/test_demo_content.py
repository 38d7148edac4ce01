"""The demo school shows everything: staff with names and roles, test scores, personal targets,
focus items, notes and teacher comments, each set by the pupil's own teacher."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from passport_tui.models import NoteKind
from passport_tui.service import Service
from passport_tui.service.demo import STAFF, TEACHERS
from passport_tui.store import Store

from .conftest import fixed_clock


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_the_demo_has_named_staff_with_roles_and_its_builder_as_admin(demo_file):
    staff = {u: (n, r) for u, n, r in rows(demo_file, "SELECT username, name, role FROM staff")}
    assert staff["ms.hughes"] == ("Ms Hughes", "admin")
    assert staff["mr.okafor"] == ("Mr Okafor", "teacher") and staff["mrs.patel"] == ("Mrs Patel", "teacher")
    assert staff["demo"][1] == "admin"  # whoever built it can open it
    assert {r for _, r in staff.values()} == {"admin", "teacher", "viewer"}
    classes = set(rows(demo_file, "SELECT username, class_name FROM staff_classes"))
    assert classes == {("ms.hughes", "2H"), ("mr.okafor", "4O"), ("mrs.patel", "6P")}


def test_the_demo_has_scores_targets_focus_notes_and_comments(demo: Service):
    path = demo.database_path
    pupils = len(demo.pupils())
    scored = rows(path, "SELECT DISTINCT pupil_id FROM test_scores")
    assert len(scored) == pupils - 1  # all but the pupil on the engagement model
    terms = rows(path, "SELECT DISTINCT academic_year, term FROM test_scores ORDER BY 1, 2")
    assert terms == [(2025, 1), (2025, 2), (2025, 3), (2026, 1)]  # last year's terms and this one
    assert rows(path, "SELECT count(*) FROM targets WHERE points IS NOT NULL")[0][0] >= 8
    assert rows(path, "SELECT count(*) FROM focus WHERE active")[0][0] >= 8
    assert rows(path, "SELECT count(*) FROM notes WHERE kind = 'note'")[0][0] >= 3
    # every pupil on the core curricula has an overall comment and one per subject, by their teacher
    teacher_of = {c: u for u, _, _, cs in STAFF for c in cs}
    for p in demo.pupils():
        comments = demo.teacher_comments(p.upn)
        if not comments:
            assert "engagement-model" in demo.pathway(p.upn).curricula
            continue
        assert {c.curriculum_id for c in comments} == {None, "key-maths", "key-english"}
        assert {c.by for c in comments} == {teacher_of[p.class_name]}
        overall = next(c for c in comments if c.curriculum_id is None)
        assert p.first_name in overall.text and overall.kind is NoteKind.TEACHER_COMMENT
        assert "{" not in overall.text
    # nothing is dated after yesterday
    for table, column in (("test_scores", "at"), ("targets", "at"), ("focus", "at"), ("notes", "at")):
        latest = rows(path, f"SELECT max({column}) FROM {table}")[0][0]
        assert latest < demo.today().isoformat(), table
    assert set(TEACHERS) <= {u for u, *_ in STAFF}  # the logins the demo's records use are staff


@pytest.mark.slow  # builds the demo a second time
def test_the_demo_is_the_same_for_the_same_seed_and_day(demo_file, tmp_path):
    from passport_tui.service.demo import build_demo

    again = tmp_path / "again.db"
    with Service(Store.open(again), user="demo", clock=fixed_clock) as svc:
        build_demo(svc)
    for table in ("test_scores", "targets", "focus", "notes", "staff"):
        sql = f"SELECT * FROM {table} ORDER BY id" if table != "staff" else "SELECT * FROM staff ORDER BY 1"
        assert rows(again, sql) == rows(demo_file, sql), table
