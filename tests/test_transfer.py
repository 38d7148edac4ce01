"""The portable passport file: export, import between two real databases, merge rules, bad files."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from passport_tui.cli import PassportGroup
from passport_tui.cli.transfer import transfer
from passport_tui.errors import FileProblems, JudgementRefused
from passport_tui.interop.transfer import (
    SCHEMA_FILE,
    passport_file_schema,
)
from passport_tui.models import Note
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import NOW, fixed_clock, small_school

DOCS_SCHEMA = Path(__file__).parent.parent / "docs" / "passport-file.schema.json"
TABLES = ("curricula", "pupils", "judgements", "test_scores", "targets", "focus", "notes")


def days_ago(n: float):
    return NOW - timedelta(days=n)


def counts(svc: Service) -> dict[str, int]:
    return {t: svc.store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def standings(svc: Service, upn: str) -> list[tuple[Any, ...]]:
    return [
        (cp.curriculum.id, cp.standing.achieved, cp.standing.next, cp.standing.gaps, cp.standing.points)
        for cp in svc.passport(upn).curricula
    ]


def history(svc: Service, upn: str, school: str | None = None) -> list[tuple[Any, ...]]:
    """A pupil's judgements; with ``school``, each author as a school receiving them names them."""
    return [
        (j.milestone_id, j.verdict.value, f"{j.by}, {school}" if school else j.by, j.at, j.reason)
        for j in svc.history(upn)
    ]


def achieved(svc: Service, upn: str) -> set[str]:
    pupil = svc.pupil(upn)
    return svc.record(pupil.id, "maths").achieved()  # type: ignore[arg-type]


@pytest.fixture
def two(tmp_path: Path):
    a = small_school(tmp_path / "a.db")
    b = small_school(tmp_path / "b.db")
    yield a, b
    a.close()
    b.close()


def busy_pupil(svc: Service) -> None:
    """A1 with a varied history in the sending school."""
    svc.judge("A1", "1N-1", "not_yet", at=days_ago(30), note="counts to 12")
    svc.judge("A1", "1N-1", "achieved", at=days_ago(20), note="counts to 20 and back")
    svc.judge("A1", "1N-2", "achieved", at=days_ago(10))
    svc.retract("A1", "1N-2", "recorded for the wrong child")
    svc.judge("A1", "2N-1", "achieved", reason="secure in class, 1N-2 checked next term", at=days_ago(5))
    svc.judge("A1", "1N-1", "revisit", at=days_ago(2))
    svc.record_test("A1", "maths", 72)
    svc.set_target("A1", "maths", reason="catch up on number", points=12)
    svc.pin_focus("A1", "1N-2", provision="daily number talk")
    pid = svc.pupil("A1").id
    assert pid is not None
    svc.store.add_note(
        Note(pupil_id=pid, curriculum_id="maths", text="Loves counting games", by="ms.hughes", at=NOW)
    )


def test_round_trip_into_a_school_that_knows_the_pupil(two, tmp_path: Path):
    a, b = two
    busy_pupil(a)
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"])
    summary = b.import_passports(file)
    assert summary.pupils_matched == ["A1"] and not summary.pupils_added
    assert summary.events_added == len(a.history("A1")) and not summary.events_left_out
    assert standings(b, "A1") == standings(a, "A1")
    assert history(b, "A1") == history(a, "A1", "previous school")  # the file names no school
    assert [(f.milestone_id, f.provision) for f in b.focus("A1")] == [("1N-2", "daily number talk")]
    pid = b.pupil("A1").id
    assert [t.points for t in b.store.targets(pid)] == [12]  # type: ignore[arg-type]
    assert [t.score for t in b.store.test_scores(pupil_id=pid)] == [72]
    assert [n.text for n in b.store.notes(pid)] == ["Loves counting games"]  # type: ignore[arg-type]
    # the retraction corrects the imported achievement, by its new id
    retraction = [j for j in b.history("A1") if j.verdict.value == "retracted"][0]
    corrected = b.store.judgement(retraction.corrects)  # type: ignore[arg-type]
    assert corrected is not None and (corrected.milestone_id, corrected.verdict.value) == ("1N-2", "achieved")


def test_importing_twice_adds_nothing(two, tmp_path: Path):
    a, b = two
    busy_pupil(a)
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"])
    b.import_passports(file)
    before = counts(b)
    again = b.import_passports(file)
    assert counts(b) == before
    assert not again.changed and again.events_already_here == len(a.history("A1"))


def test_a_new_pupil_and_an_unknown_curriculum_come_with_the_file(two, tmp_path: Path):
    a, _ = two
    busy_pupil(a)
    file = tmp_path / "a1.json"
    written = a.write_passport_file(file, class_name="1H", school="Hill Primary")
    assert (written.pupils, written.curricula) == (4, ["maths"])
    data = json.loads(file.read_text(encoding="utf-8"))
    assert data["exported_by"]["school"] == "Hill Primary"
    assert [p["pupil"]["upn"] for p in data["pupils"]] == ["A1", "A2", "A3", "A4"]
    with Service(Store.open(tmp_path / "new.db"), user="mr.new", clock=fixed_clock) as c:
        summary = c.import_passports(file)
        assert summary.curricula_added == ["maths"]
        assert summary.pupils_added == ["A1", "A2", "A3", "A4"]
        assert c.curriculum("maths") == a.curriculum("maths")
        assert c.pupil("A1").class_name is None  # the roster gives the new school's class
        assert standings(c, "A1") == standings(a, "A1")
        assert history(c, "A1") == history(a, "A1", "Hill Primary")


def test_export_selects_by_year_group_and_refuses_nobody(two):
    a, _ = two
    assert [p["pupil"]["upn"] for p in a.export_passports(year_group=3)["pupils"]] == ["B1", "B2"]
    assert len(a.export_passports()["pupils"]) == 6
    with pytest.raises(Exception, match="No pupils"):
        a.export_passports(year_group=9)


def test_a_milestone_achieved_here_stays_achieved(two, tmp_path: Path):
    a, b = two
    # the sender has 1N-1 not yet and 1N-2 achieved then retracted; we have both achieved
    a.judge("A1", "1N-1", "not_yet", at=days_ago(3))
    a.judge("A1", "1N-2", "achieved", reason="override", at=days_ago(3))
    a.retract("A1", "1N-2", "wrong child")
    b.judge("A1", "1N-1", "achieved", at=days_ago(9))
    b.judge("A1", "1N-2", "achieved", at=days_ago(8))
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"])
    summary = b.import_passports(file)
    assert {"1N-1", "1N-2"} <= achieved(b, "A1")
    assert summary.events_left_out == 3 and summary.events_added == 0
    assert len(summary.kept) == 3


def test_an_achievement_in_the_file_is_achieved_after(two, tmp_path: Path):
    a, b = two
    b.judge("A1", "1N-1", "not_yet", at=days_ago(4))
    a.judge("A1", "1N-1", "achieved", at=days_ago(3))
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"])
    b.import_passports(file)
    assert "1N-1" in achieved(b, "A1")
    assert [j.verdict.value for j in b.history("A1")] == ["not_yet", "achieved"]


def test_a_retraction_of_an_event_we_already_hold_is_left_out(two, tmp_path: Path):
    a, b = two
    a.judge("A1", "1N-1", "achieved", at=days_ago(3))
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"])
    b.import_passports(file)
    a.retract("A1", "1N-1", "too generous")
    a.write_passport_file(file, ["A1"], force=True)
    summary = b.import_passports(file)
    assert "1N-1" in achieved(b, "A1")
    assert summary.events_already_here == 1 and summary.events_left_out == 1


# --- bad files ------------------------------------------------------------------------------


def good_file(a: Service) -> dict[str, Any]:
    a.judge("A1", "1N-1", "achieved", at=days_ago(3))
    a.judge("A1", "1N-2", "achieved", at=days_ago(2))
    a.retract("A1", "1N-2", "wrong child")
    return a.export_passports(["A1", "A2"])


def _drop_at(d: dict[str, Any]) -> None:
    del d["pupils"][0]["events"][0]["at"]


def _bad_at(d: dict[str, Any]) -> None:
    d["pupils"][0]["events"][1]["at"] = "last Tuesday"


def _unknown_milestone(d: dict[str, Any]) -> None:
    d["pupils"][0]["events"][0]["milestone"] = "9Z-9"


def _bad_corrects(d: dict[str, Any]) -> None:
    d["pupils"][0]["events"][2]["corrects"] = 0


def _extra(d: dict[str, Any]) -> None:
    d["pupils"][1]["pupil"]["shoe_size"] = 3


def _future(d: dict[str, Any]) -> None:
    d["pupils"][0]["events"][0]["at"] = "2030-01-01T00:00:00+00:00"


def _no_zone(d: dict[str, Any]) -> None:
    d["pupils"][0]["events"][0]["at"] = "2026-11-01T09:00:00"


def _format(d: dict[str, Any]) -> None:
    d["format"] = "curriculum"


def _version(d: dict[str, Any]) -> None:
    d["version"] = 3


def _other_version(d: dict[str, Any]) -> None:
    d["curricula"][0]["curriculum"]["version"] = "2"


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (_drop_at, ": $.pupils[0].events[0].at: missing (required)"),
        (_bad_at, ": $.pupils[0].events[1].at: not an ISO date-time"),
        (_no_zone, ": $.pupils[0].events[0].at: not an ISO date-time with a time zone"),
        (_unknown_milestone, ": $.pupils[0].events[0].milestone: no milestone '9Z-9' in curriculum maths"),
        (_bad_corrects, ": $.pupils[0].events[2].corrects: event 0 is not an achieved 1N-2"),
        (_extra, ": $.pupils[1].pupil.shoe_size: unknown field"),
        (_future, ": $.pupils[0].events[0].at: 2030-01-01T00:00:00+00:00 is in the future"),
        (_format, ': $.format: not a passport file (format is "curriculum"'),
        (_version, ": $.version: version 3 is not one this passport reads (it reads versions 1 and 2)"),
        (
            _other_version,
            ": $.curricula[0]: curriculum maths version 2 differs from this database's version 1",
        ),
    ],
)
def test_bad_files_are_refused_with_a_location_and_change_nothing(two, tmp_path: Path, spoil, expected):
    a, b = two
    data = good_file(a)
    spoil(data)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    before = counts(b)
    with pytest.raises(FileProblems) as caught:
        b.import_passports(file)
    assert counts(b) == before
    lines = caught.value.lines()
    assert any(line.startswith(str(file) + expected) for line in lines), lines


def test_a_json_syntax_error_gives_line_and_column(two, tmp_path: Path):
    _, b = two
    file = tmp_path / "broken.json"
    file.write_text('{\n  "format": "passport-file",\n  "version": 1,\n  oops\n}\n', encoding="utf-8")
    before = counts(b)
    with pytest.raises(FileProblems) as caught:
        b.import_passports(file)
    assert caught.value.lines() == [
        f"{file}:4: JSON syntax error: Expecting property name enclosed in double quotes (column 3)"
    ]
    assert counts(b) == before


def test_a_problem_late_in_the_file_leaves_earlier_pupils_unwritten(two, tmp_path: Path):
    a, _ = two
    data = good_file(a)
    data["pupils"].append(json.loads(json.dumps(data["pupils"][0])))
    data["pupils"][-1]["pupil"]["upn"] = "NEW1"
    data["curricula"][0]["curriculum"]["version"] = "7"
    file = tmp_path / "late.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    with Service(Store.open(tmp_path / "c.db"), clock=fixed_clock) as c:
        c.store.put_curriculum(a.curriculum("maths"))
        before = counts(c)
        with pytest.raises(FileProblems):
            c.import_passports(file)
        assert counts(c) == before


# --- the schema -----------------------------------------------------------------------------


def _check(schema: dict[str, Any], value: Any, root: dict[str, Any], where: str = "$") -> None:
    """A small subset of JSON Schema (what the published schema uses), enough to check a file."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return _check(root["$defs"][name], value, root, where)
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                _check(option, value, root, where)
                return None
            except AssertionError as e:
                errors.append(str(e))
        raise AssertionError(f"{where}: matches no option: {errors}")
    kind = schema.get("type")
    types = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "boolean": bool,
        "null": type(None),
    }
    if kind == "number":
        assert isinstance(value, int | float) and not isinstance(value, bool), where
    elif kind is not None:
        assert isinstance(value, types[kind]), f"{where}: not {kind}"
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], where
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(props), f"{where}: extra {set(value) - set(props)}"
        for key, sub in props.items():
            if key in value:
                _check(sub, value[key], root, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check(schema["items"], item, root, f"{where}[{i}]")
    return None


def test_the_published_schema_is_current_and_an_export_matches_it(two):
    a, _ = two
    busy_pupil(a)
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == passport_file_schema(), "regenerate passport-file.schema.json"
    assert json.loads(DOCS_SCHEMA.read_text(encoding="utf-8")) == published
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    data = json.loads(json.dumps(a.export_passports()))
    assert set(published["required"]) <= set(data)
    _check(published, data, published)


# --- the commands ---------------------------------------------------------------------------


@click.group(cls=PassportGroup)
@click.option("--db", required=True)
@click.pass_context
def root(ctx: click.Context, db: str) -> None:
    ctx.obj = {"db": db, "as": None, "service": None, "class": None, "ascii": None, "mouse": True}


root.add_command(transfer)


def test_the_transfer_commands(two, tmp_path: Path):
    a, b = two
    busy_pupil(a)
    a.close()
    b.close()
    runner = CliRunner()
    file = tmp_path / "out.json"
    result = runner.invoke(
        root, ["--db", str(tmp_path / "a.db"), "transfer", "export", "A1", "-o", str(file)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "1 pupil," in result.output
    result = runner.invoke(root, ["--db", str(tmp_path / "b.db"), "transfer", "import", str(file)])
    assert result.exit_code == 0, result.output
    assert "1 matched by UPN" in result.output
    file.write_text("{]", encoding="utf-8")
    result = runner.invoke(root, ["--db", str(tmp_path / "b.db"), "transfer", "import", str(file)])
    assert result.exit_code == 1
    assert f"passport: {file}:1: JSON syntax error" in result.stderr
    for args in (["transfer"], ["transfer", "export"], ["transfer", "import"]):
        help_text = runner.invoke(root, ["--db", "x", *args, "--help"])
        assert help_text.exit_code == 0 and len(help_text.output) > 100


# --- property: random merges never downgrade ------------------------------------------------

MILESTONES = ["1N-1", "1N-2", "1N-3"]
step = st.tuples(
    st.sampled_from(MILESTONES),
    st.sampled_from(["achieved", "not_yet", "retracted", "revisit"]),
    st.integers(1, 4),  # days ago: few values, so the two schools sometimes record the same event
)


def play(svc: Service, steps: list[tuple[str, str, int]]) -> None:
    for mid, verdict, ago in steps:
        with contextlib.suppress(JudgementRefused):
            svc.judge("A1", mid, verdict, reason="because", at=days_ago(ago))


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
@settings(max_examples=int(__import__("os").environ.get("MERGE_EXAMPLES", "40")), deadline=None)
@given(st.lists(step, max_size=8), st.lists(step, max_size=8), st.booleans())
def test_random_merges_never_downgrade(theirs, ours, share):
    with tempfile.TemporaryDirectory() as tmp:
        a = small_school(Path(tmp) / "a.db")
        b = small_school(Path(tmp) / "b.db")
        try:
            play(a, theirs)
            if share:  # we received an earlier file from them, then both went on
                a.write_passport_file(Path(tmp) / "early.json", ["A1"])
                b.import_passports(Path(tmp) / "early.json")
                play(a, theirs[::-1])
            play(b, ours)
            file = Path(tmp) / "a1.json"
            a.write_passport_file(file, ["A1"])
            in_file, here = achieved(a, "A1"), achieved(b, "A1")
            b.import_passports(file)
            after = achieved(b, "A1")
            assert in_file <= after and here <= after
            before = counts(b)
            b.import_passports(file)
            assert counts(b) == before
            with sqlite3.connect(Path(tmp) / "b.db") as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            a.close()
            b.close()


def test_importing_twice_adds_nothing_after_a_retraction_and_reachievement_at_one_moment():
    # found by the property above: achieved, retracted and achieved again at the same moment,
    # imported once early, then again in full: the second full import must add nothing
    test_random_merges_never_downgrade.hypothesis.inner_test(
        [("1N-1", "achieved", 1), ("1N-1", "retracted", 1), ("1N-1", "achieved", 1)], [], True
    )


@pytest.mark.parametrize(
    ("theirs", "ours", "share"),
    [
        # a revisit left out while ours was retracted must stay left out on a second import
        (
            [("1N-1", "retracted", 1), ("1N-1", "achieved", 1), ("1N-1", "revisit", 1)],
            [("1N-1", "retracted", 1)],
            True,
        ),
        # a back-dated "not yet" from before the achievement is history here too
        ([("1N-3", "achieved", 1), ("1N-3", "not_yet", 2), ("1N-3", "retracted", 1)], [], False),
    ],
)
def test_merges_found_by_the_property_stay_idempotent(theirs, ours, share):
    test_random_merges_never_downgrade.hypothesis.inner_test(theirs, ours, share)
