"""The passport file is written and read as a stream: the text is what it always was, the JSON
framing reads as the standard library's parser does (same values, same error lines), memory holds
one pupil at a time, and a file whose curricula come last still imports."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passport_tui.errors import FileProblems
from passport_tui.interop import json_stream
from passport_tui.interop import transfer as passport_file
from passport_tui.interop.json_stream import JsonStream, JsonSyntax, NotAnObject
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import fixed_clock, small_school
from tests.test_transfer import busy_pupil, counts, history, standings


@pytest.fixture
def two(tmp_path: Path):
    a = small_school(tmp_path / "a.db")
    b = small_school(tmp_path / "b.db")
    yield a, b
    a.close()
    b.close()


# --- writing ---------------------------------------------------------------------------------


def test_the_streamed_file_is_the_text_it_always_was(two, tmp_path: Path) -> None:
    a, _ = two
    busy_pupil(a)
    a.add_teacher_comment("A2", "Ann said:\n“two lines”\u2028and a separator")
    whole = passport_file.dumps_passport_file(a.export_passports())
    out = io.StringIO()
    written = a.export_passports_to(out)
    assert out.getvalue() == whole
    assert (written.pupils, written.curricula) == (6, ["maths"])
    assert written.events == sum(len(p["events"]) for p in json.loads(whole)["pupils"])


def test_an_export_that_fails_part_way_leaves_no_file(two, tmp_path: Path, monkeypatch) -> None:
    a, _ = two
    busy_pupil(a)
    file = tmp_path / "out.json"
    file.write_text("the earlier file", encoding="utf-8")

    def broken(*_args: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(a.store, "notes", broken)
    with pytest.raises(OSError):
        a.write_passport_file(file, force=True)
    assert file.read_text(encoding="utf-8") == "the earlier file"
    assert not list(tmp_path.glob(".out.json*"))  # no temporary file left behind


def test_standard_output_streams_the_same_file(two, tmp_path: Path) -> None:
    """``-o -`` prints the file a pupil at a time (through the output module), the same text a
    file gets; the one-line summary goes to stderr."""
    from click.testing import CliRunner

    from passport_tui.cli import cli

    a, _ = two
    busy_pupil(a)
    a.close()
    db = str(tmp_path / "a.db")
    runner = CliRunner()
    printed = runner.invoke(cli, ["--db", db, "transfer", "export", "-o", "-"])
    assert printed.exit_code == 0, printed.output
    assert "Wrote standard output: 6 pupils" in printed.stderr
    written = runner.invoke(cli, ["--db", db, "transfer", "export", "-o", str(tmp_path / "a.json")])
    assert written.exit_code == 0, written.output
    assert printed.stdout == (tmp_path / "a.json").read_text(encoding="utf-8")


def test_an_export_is_refused_before_a_pupil_is_read(two, tmp_path: Path, monkeypatch) -> None:
    """The output rules hold for the stream: an existing file without ``force`` (or the database)
    is refused before the database is read, and nothing is left behind."""
    from passport_tui.files import OutputRefused

    a, _ = two
    busy_pupil(a)
    file = tmp_path / "out.json"
    file.write_text("the earlier file", encoding="utf-8")

    def unread(*_args: Any) -> Any:
        raise AssertionError("the database was read")

    monkeypatch.setattr(a.store, "judgements", unread)
    for target in (file, tmp_path / "a.db"):
        with pytest.raises(OutputRefused):
            a.write_passport_file(target)
    assert file.read_text(encoding="utf-8") == "the earlier file"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# --- the JSON frame reads as json.loads ------------------------------------------------------


def walk(data: bytes) -> Any:
    """The file through JsonStream: its members, an array member item by item; or the error."""
    stream = JsonStream(io.BytesIO(data))
    out: dict[str, Any] = {}
    try:
        for key in stream.members():
            if stream.is_next("["):
                out[key] = [value for value, _ in stream.items()]
            else:
                out[key] = stream.value()[0]
    except JsonSyntax as e:
        return ("error", e.line, e.message)
    except NotAnObject:
        return "not an object"
    return out


def parsed(text: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return ("error", e.lineno, f"JSON syntax error: {e.msg} (column {e.colno})")
    return data if isinstance(data, dict) else "not an object"


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
documents = st.dictionaries(st.text(max_size=8), values, max_size=5)


@settings(max_examples=150, deadline=None)
@given(documents, st.sampled_from([None, 0, 1, 2]), st.integers(0, 10_000), st.text(max_size=3))
def test_the_frame_reads_as_the_standard_parser_does(
    document: dict[str, Any], indent: int | None, cut: int, junk: str
) -> None:
    """Whole documents give the same values; damaged ones the same first error, line and column,
    read a few bytes at a time so that values are cut at every place."""
    old = json_stream.CHUNK
    json_stream.CHUNK = 5
    try:
        text = json.dumps(document, indent=indent, ensure_ascii=False)
        assert walk(text.encode()) == document
        at = cut % (len(text) + 1)
        damaged = text[:at] + junk + text[at + 1 :]
        assert walk(damaged.encode()) == parsed(damaged), damaged
    finally:
        json_stream.CHUNK = old


def test_memory_holds_one_pupil_at_a_time(two, tmp_path: Path, monkeypatch) -> None:
    a, b = two
    busy_pupil(a)
    data = a.export_passports()
    data["pupils"] = [
        {**data["pupils"][0], "pupil": {**data["pupils"][0]["pupil"], "upn": f"N{i}"}} for i in range(300)
    ]
    file = tmp_path / "many.json"
    file.write_text(passport_file.dumps_passport_file(data), encoding="utf-8")
    size = file.stat().st_size
    monkeypatch.setattr(json_stream, "CHUNK", 4096)
    longest = [0]
    more = JsonStream._more

    def watched(self: JsonStream, at_least: int = 4096) -> bool:
        result = more(self, at_least)
        longest[0] = max(longest[0], len(self.buf))
        return result

    monkeypatch.setattr(JsonStream, "_more", watched)
    summary = b.import_passports(file)
    assert len(summary.pupils_added) == 300
    assert size > 1_000_000 and longest[0] < 60_000, (size, longest[0])


# --- reading ---------------------------------------------------------------------------------


def test_curricula_after_the_pupils_are_read_all_the_same(two, tmp_path: Path) -> None:
    a, _ = two
    busy_pupil(a)
    data = a.export_passports(["A1"])
    reordered = {k: v for k, v in data.items() if k != "curricula"} | {"curricula": data["curricula"]}
    file = tmp_path / "last.json"
    file.write_text(json.dumps(reordered), encoding="utf-8")
    with Service(Store.open(tmp_path / "c.db"), clock=fixed_clock) as c:
        summary = c.import_passports(file)
        assert summary.curricula_added == ["maths"]
        assert standings(c, "A1") == standings(a, "A1")
        assert history(c, "A1") == history(a, "A1", "previous school")
    reordered["pupils"][0]["events"][0]["milestone"] = "9Z-9"
    file.write_text(json.dumps(reordered), encoding="utf-8")
    with (
        Service(Store.open(tmp_path / "d.db"), clock=fixed_clock) as d,
        pytest.raises(FileProblems) as caught,
    ):
        d.import_passports(file)
    assert caught.value.lines() == [
        f"{file}: $.pupils[0].events[0].milestone: no milestone '9Z-9' in curriculum maths version 1"
    ]


def test_a_key_listed_twice_is_refused(two, tmp_path: Path) -> None:
    a, b = two
    text = passport_file.dumps_passport_file(a.export_passports(["A1"]))
    file = tmp_path / "twice.json"
    file.write_text(text.replace('"version": 2,', '"version": 2,\n  "version": 2,', 1), encoding="utf-8")
    before = counts(b)
    with pytest.raises(FileProblems) as caught:
        b.import_passports(file)
    assert caught.value.lines() == [f"{file}: $.version: listed twice"]
    assert counts(b) == before


def test_a_million_problems_cost_a_counter(two, tmp_path: Path) -> None:
    a, b = two
    a.judge("A1", "1N-1", "achieved")
    data = a.export_passports(["A1"])
    event = data["pupils"][0]["events"][0]
    data["pupils"][0]["events"] = [{**event, "milestone": f"X{i}"} for i in range(5000)]
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FileProblems) as caught:
        b.import_passports(file)
    lines = caught.value.lines()
    assert len(lines) == passport_file.MAX_PROBLEMS + 1
    assert lines[-1] == f"{file}: … and {5000 - passport_file.MAX_PROBLEMS} more problems"


def test_a_file_that_is_not_utf8_names_its_line(two, tmp_path: Path) -> None:
    _, b = two
    file = tmp_path / "latin.json"
    file.write_bytes(b'{\n  "format": "passport-file",\n  "x": "caf\xe9"\n}\n')
    with pytest.raises(FileProblems) as caught:
        b.import_passports(file)
    assert caught.value.lines() == [f"{file}:3: the file is not UTF-8 text"]


def test_batched_appends_are_the_log_unbatched_appends_would_write(tmp_path: Path) -> None:
    from passport_tui.models import Judgement, Verdict
    from tests.conftest import NOW

    plain = small_school(tmp_path / "plain.db")
    batched = small_school(tmp_path / "batched.db")
    try:
        for svc in (plain, batched):
            svc.judge("A2", "1N-1", "achieved")  # an event already in the log before the block
        pid = plain.pupil("A1").id
        assert pid == batched.pupil("A1").id and pid is not None

        def events(store, into: list[Judgement]) -> None:
            a = store.append_judgement(
                Judgement(
                    pupil_id=pid,
                    curriculum_id="maths",
                    milestone_id="1N-1",
                    verdict=Verdict.ACHIEVED,
                    by="x",
                    at=NOW,
                )
            )
            into.append(a)
            into.append(
                store.append_judgement(
                    Judgement(
                        pupil_id=pid,
                        curriculum_id="maths",
                        milestone_id="1N-1",
                        verdict=Verdict.RETRACTED,
                        by="x",
                        at=NOW,
                        reason="wrong",
                        corrects=a.id,
                    )
                )
            )

        ours: list[Judgement] = []
        events(plain.store, ours)
        theirs: list[Judgement] = []
        with batched.store.transaction(), batched.store.appends_batched():
            events(batched.store, theirs)
            assert [j.id for j in batched.store.judgements(pid)] == [j.id for j in theirs]  # written first
            batched.store.append_judgement(
                Judgement(
                    pupil_id=pid,
                    curriculum_id="maths",
                    milestone_id="1N-2",
                    verdict=Verdict.NOT_YET,
                    by="x",
                    at=NOW,
                )
            )
        plain.store.append_judgement(
            Judgement(
                pupil_id=pid,
                curriculum_id="maths",
                milestone_id="1N-2",
                verdict=Verdict.NOT_YET,
                by="x",
                at=NOW,
            )
        )
        assert [j.id for j in ours] == [j.id for j in theirs]
        strip = [(j.id, j.milestone_id, j.verdict, j.corrects) for j in plain.store.judgements(pid)]
        assert strip == [(j.id, j.milestone_id, j.verdict, j.corrects) for j in batched.store.judgements(pid)]
        assert standings(plain, "A1") == standings(batched, "A1")
    finally:
        plain.close()
        batched.close()


def test_a_value_too_long_to_be_real_is_refused_not_read_on(two, tmp_path: Path, monkeypatch) -> None:
    _, b = two
    monkeypatch.setattr(json_stream, "MAX_VALUE", 10_000)
    monkeypatch.setattr(json_stream, "CHUNK", 1_000)
    file = tmp_path / "long.json"
    file.write_text(
        '{\n  "format": "passport-file",\n  "$schema": "' + "x" * 50_000 + '"\n}\n', encoding="utf-8"
    )
    with pytest.raises(FileProblems) as caught:
        b.import_passports(file)
    assert caught.value.lines() == [f"{file}:3: a value longer than 10,000 characters: refused"]


def _milestone_index(svc: Service) -> str | None:
    row = svc.store.conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'judgements_milestone'"
    ).fetchone()
    return None if row is None else row[0]


def test_a_whole_school_import_makes_the_milestone_index_again_at_its_end(
    two, tmp_path: Path, monkeypatch
) -> None:
    """A file with as many events as the log (or more) is merged without the index by milestone,
    which is made again, the same, in the same transaction; a refused file leaves it as it was."""
    from passport_tui.store import judgements as log

    a, b = two
    busy_pupil(a)
    file = tmp_path / "school.json"
    with file.open("w", encoding="utf-8") as out:
        a.export_passports_to(out)
    index = _milestone_index(b)
    assert index is not None
    monkeypatch.setattr(log, "DEFER_INDEX_EVENTS", 1)
    said: list[str] = []
    b.store.conn.set_trace_callback(said.append)
    b.import_passports(file)
    b.store.conn.set_trace_callback(None)
    assert any(s.startswith('DROP INDEX "judgements_milestone"') for s in said)  # it was deferred
    assert _milestone_index(b) == index
    assert standings(b, "A1") == standings(a, "A1")

    # a file refused part way: the rollback brings the index back
    c = small_school(tmp_path / "c.db")
    c.judge("A2", "1N-1", "achieved")
    broken = json.loads(file.read_text(encoding="utf-8"))
    first = broken["pupils"][0]
    # its first event made an achievement of 2N-1, whose prerequisite 1N-3 is achieved nowhere
    first["events"] = [{**first["events"][0], "milestone": "2N-1", "verdict": "achieved", "reason": None}]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    said.clear()
    c.store.conn.set_trace_callback(said.append)
    with pytest.raises(FileProblems):
        c.import_passports(bad)
    c.store.conn.set_trace_callback(None)
    assert any(s.startswith('DROP INDEX "judgements_milestone"') for s in said)
    assert _milestone_index(c) == index
    assert c.store.conn.execute("SELECT count(*) FROM judgements").fetchone() == (1,)
    c.close()


def test_a_small_import_into_a_big_log_keeps_the_index(two, tmp_path: Path, monkeypatch) -> None:
    from passport_tui.store import judgements as log

    a, b = two
    busy_pupil(a)
    busy_pupil(b)  # b's log holds A1's events, and more
    b.judge("A2", "1N-1", "achieved")
    file = tmp_path / "one.json"
    data = a.export_passports(["A1"])
    file.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(log, "DEFER_INDEX_EVENTS", 1)
    said: list[str] = []
    b.store.conn.set_trace_callback(said.append)
    b.import_passports(file)
    b.store.conn.set_trace_callback(None)
    assert not any("DROP INDEX" in s for s in said)
    assert _milestone_index(b) is not None
