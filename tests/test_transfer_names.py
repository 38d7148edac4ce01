"""Staff names in the passport file (version 2): the sending school's names of the staff who
authored something travel with the file and show where the receiving school shows an imported
author, while the log keeps the login-based author, so old and new files of one history add
nothing to each other. Real SQLite files throughout."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.errors import FileProblems, PassportError
from passport_tui.interop import transfer as passport_file
from passport_tui.models import Note
from passport_tui.service import Service
from passport_tui.store import Store, ValueRefused
from tests.conftest import NOW, fixed_clock, small_school
from tests.test_transfer import counts, days_ago

SCHOOL = "Oakfield Primary"
TABLES = ("judgements", "test_scores", "targets", "focus", "notes", "outcomes", "author_names")


def rows(svc: Service) -> dict[str, int]:
    return {
        **counts(svc),
        **{t: svc.store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES},
    }


@pytest.fixture
def two(tmp_path: Path):
    """Oakfield (a, staff named: Ms Hughes an admin, Mr Khan who teaches 1H, Mrs Idle who authored
    nothing, root without a name) and the receiving school (b, no staff)."""
    a = small_school(tmp_path / "a.db")
    a.add_staff("ms.hughes", "Ms Hughes", "admin")
    a.add_staff("mr.khan", "Mr Khan", "teacher", ["1H"])
    a.add_staff("mrs.idle", "Mrs Idle", "teacher", ["3K"])
    a.add_staff("root", "", "admin")
    b = small_school(tmp_path / "b.db")
    yield a, b
    a.close()
    b.close()


def history_of(a: Service) -> None:
    """A1's history at Oakfield, by three authors (root has no name)."""
    a.judge("A1", "1N-1", "achieved", at=days_ago(20), note="counts to 20")
    a.judge("A1", "1N-2", "not_yet", at=days_ago(10))
    with Service(Store.open(a.store.path), user="mr.khan", clock=fixed_clock) as khan:  # type: ignore[arg-type]
        khan.judge("A1", "1N-2", "achieved", at=days_ago(5))
        khan.record_test("A1", "maths", 72)
    with Service(Store.open(a.store.path), user="root", clock=fixed_clock) as root:  # type: ignore[arg-type]
        root.judge("A1", "1N-3", "not_yet", at=days_ago(3))
    pid = a.pupil("A1").id
    assert pid is not None
    a.store.add_note(
        Note(pupil_id=pid, curriculum_id="maths", text="Loves counting games", by="mr.khan", at=NOW)
    )


def later_service(svc: Service) -> Service:
    """The same database a day later (a file written or imported then)."""
    return Service(Store.open(svc.store.path), user="ms.hughes", clock=lambda: NOW + timedelta(days=1))  # type: ignore[arg-type]


def shown_authors(svc: Service, upn: str) -> list[str]:
    """Each judgement's author as the receiving school shows it, oldest first."""
    names = svc.author_names()
    return [names.get(j.by, j.by) for j in svc.history(upn)]


def as_version_1(file: Path, out: Path) -> Path:
    """The same file as the passport before version 2 wrote it: no staff list."""
    data = json.loads(file.read_text(encoding="utf-8"))
    data.pop("staff", None)
    data["version"] = 1
    data["$schema"] = "https://passport-tui.invalid/schemas/passport-file/v1.schema.json"
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return out


def test_the_file_carries_the_names_of_its_authors_only(two, tmp_path: Path):
    a, _ = two
    history_of(a)
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    data = json.loads(file.read_text(encoding="utf-8"))
    assert data["version"] == 2
    # the authors with a name, and nothing else about them: Mrs Idle authored nothing, root has no name
    assert data["staff"] == [{"by": "mr.khan", "name": "Mr Khan"}, {"by": "ms.hughes", "name": "Ms Hughes"}]
    assert list(data)[-2:] == ["pupils", "staff"]  # after the pupils: a streamed export knows them then
    # the streamed file is the text of the whole document
    assert file.read_text(encoding="utf-8") == passport_file.dumps_passport_file(
        {**a.export_passports(["A1"], school=SCHOOL), "exported_at": data["exported_at"]}
    )


def test_names_show_where_the_receiving_school_shows_an_imported_author(two, tmp_path: Path):
    a, b = two
    history_of(a)
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    summary = b.import_passports(file)
    assert summary.staff_named == 2
    assert "Staff names: 2 authors of the sending school now shown by name" in summary.lines()
    # the log keeps the login-based author; the name is shown for it
    assert [j.by for j in b.history("A1")] == [
        "ms.hughes, Oakfield Primary",
        "ms.hughes, Oakfield Primary",
        "mr.khan, Oakfield Primary",
        "root, Oakfield Primary",
    ]
    assert shown_authors(b, "A1") == [
        "Ms Hughes (Oakfield Primary)",
        "Ms Hughes (Oakfield Primary)",
        "Mr Khan (Oakfield Primary)",
        "root, Oakfield Primary",  # no name set at Oakfield: the login, as before
    ]
    result = CliRunner().invoke(cli, ["--db", str(b.store.path), "--as", "ms.hughes", "history", "A1"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Ms Hughes (Oakfield Primary)") == 2
    assert "Mr Khan (Oakfield Primary)" in result.output and "ms.hughes" not in result.output


def test_importing_twice_adds_nothing(two, tmp_path: Path):
    a, b = two
    history_of(a)
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    b.import_passports(file)
    before = rows(b)
    again = b.import_passports(file)
    assert rows(b) == before
    assert not again.changed and again.staff_named == 0
    assert again.events_already_here == len(a.history("A1"))


@pytest.mark.parametrize("old_first", [True, False], ids=["old-then-new", "new-then-old"])
def test_an_old_file_and_a_new_file_of_one_history_add_nothing_to_each_other(two, tmp_path: Path, old_first):
    a, b = two
    history_of(a)
    new = tmp_path / "a1.json"
    a.write_passport_file(new, ["A1"], school=SCHOOL)
    old = as_version_1(new, tmp_path / "a1-v1.json")
    first, second = (old, new) if old_first else (new, old)
    b.import_passports(first)
    judged = rows(b)["judgements"]
    summary = b.import_passports(second)
    after = rows(b)
    assert after["judgements"] == judged == len(a.history("A1"))
    assert (after["test_scores"], after["notes"]) == (1, 1)
    assert summary.events_added == 0 and summary.events_already_here == judged
    # the new file names the authors whichever came first; the old one never unnames them
    assert summary.staff_named == (2 if old_first else 0)
    assert shown_authors(b, "A1")[:3] == ["Ms Hughes (Oakfield Primary)"] * 2 + ["Mr Khan (Oakfield Primary)"]


def test_an_old_file_alone_still_imports_and_shows_logins(two, tmp_path: Path):
    a, b = two
    history_of(a)
    new = tmp_path / "a1.json"
    a.write_passport_file(new, ["A1"], school=SCHOOL)
    old = as_version_1(new, tmp_path / "a1-v1.json")
    summary = b.import_passports(old)
    assert summary.events_added == len(a.history("A1")) and summary.staff_named == 0
    assert b.author_names() == {}
    assert shown_authors(b, "A1")[0] == "ms.hughes, Oakfield Primary"


def test_a_name_is_shown_literally(two, tmp_path: Path):
    a, b = two
    a.add_staff("ms.hughes", "[bold]x", "admin")
    a.judge("A1", "1N-1", "achieved", at=days_ago(2))
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    b.import_passports(file)
    assert shown_authors(b, "A1") == ["[bold]x (Oakfield Primary)"]
    result = CliRunner().invoke(cli, ["--db", str(b.store.path), "--as", "ms.hughes", "history", "A1"])
    assert "[bold]x (Oakfield Primary)" in result.output


def _spoilt(a: Service, tmp_path: Path, spoil) -> Path:
    history_of(a)
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    data = json.loads(file.read_text(encoding="utf-8"))
    spoil(data)
    file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return file


def _too_long(d: dict[str, Any]) -> None:
    d["staff"][0]["name"] = "M" * 101


def _escape(d: dict[str, Any]) -> None:
    d["staff"][0]["name"] = "Mr \x1b[31mKhan"


def _line_break(d: dict[str, Any]) -> None:
    d["staff"][1]["name"] = "Ms\nHughes"


def _blank(d: dict[str, Any]) -> None:
    d["staff"][1]["name"] = "   "


def _twice(d: dict[str, Any]) -> None:
    d["staff"].append({"by": "mr.khan ", "name": "Someone Else"})


def _in_version_1(d: dict[str, Any]) -> None:
    d["version"] = 1


def _extra(d: dict[str, Any]) -> None:
    d["staff"][0]["role"] = "admin"


def _not_a_list(d: dict[str, Any]) -> None:
    d["staff"] = {"mr.khan": "Mr Khan"}


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (_too_long, "$.staff[0].name: the name is 101 characters long; at most 100"),
        (_escape, "$.staff[0].name: the name holds a character it may not (U+001B)"),
        (_line_break, "$.staff[1].name: the name holds a character it may not (U+000A)"),
        (_blank, "$.staff[1].name: the name is blank"),
        (_twice, "$.staff[2].by: 'mr.khan ' is also $.staff[0]"),
        (_in_version_1, "$.staff: a version 1 file carries no staff names (version 2 does)"),
        (_extra, "$.staff[0].role: unknown field"),
        (_not_a_list, "$.staff: input should be a valid array"),
    ],
)
def test_a_bad_staff_list_is_refused_with_its_location_and_nothing_written(
    two, tmp_path: Path, spoil, expected
):
    a, b = two
    file = _spoilt(a, tmp_path, spoil)
    before = rows(b)
    with pytest.raises(FileProblems) as caught:
        b.import_passports(file)
    assert caught.value.lines() == [f"{file}: {expected}"]
    assert rows(b) == before


def test_a_name_for_an_author_of_nothing_in_the_file_names_nobody(two, tmp_path: Path):
    a, b = two
    file = _spoilt(a, tmp_path, lambda d: d["staff"].append({"by": "head", "name": "The Head"}))
    summary = b.import_passports(file)
    assert summary.staff_named == 2
    assert sorted(b.author_names()) == ["mr.khan, Oakfield Primary", "ms.hughes, Oakfield Primary"]


def test_a_file_cannot_name_a_login_of_this_school(two, tmp_path: Path):
    a, b = two
    b.add_staff("ms.hughes", "Mrs Brown", "admin")  # the receiving school has its own ms.hughes
    history_of(a)
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    b.import_passports(file)
    assert b.staff_name("ms.hughes") == "Mrs Brown"
    assert "ms.hughes" not in b.author_names()
    # and the store refuses a name for an author without a school
    with pytest.raises(ValueRefused):
        b.store.name_authors({"ms.hughes": "Someone"}, "2026-01-01T00:00:00+00:00")


def test_names_travel_on_and_the_latest_file_names_them(two, tmp_path: Path):
    a, b = two
    history_of(a)
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    b.import_passports(file)
    # b passes A1 on: Oakfield's authors keep their school and their names
    on = tmp_path / "on.json"
    b.write_passport_file(on, ["A1"], school="Birch Academy")
    data = json.loads(on.read_text(encoding="utf-8"))
    assert {"by": "ms.hughes, Oakfield Primary", "name": "Ms Hughes"} in data["staff"]
    with Service(Store.open(tmp_path / "c.db"), user="mr.new", clock=fixed_clock) as c:
        c.import_passports(on)
        assert shown_authors(c, "A1")[0] == "Ms Hughes (Oakfield Primary)"
    # Ms Hughes marries: a later file names her anew; the earlier file, imported again, does not undo it
    a.add_staff("ms.hughes", "Mrs Hughes-Patel", "admin")
    later = tmp_path / "later.json"
    with later_service(a) as a2, later_service(b) as b2:
        a2.write_passport_file(later, ["A1"], school=SCHOOL)
        assert b2.import_passports(later).staff_named == 1
        assert b2.import_passports(file).staff_named == 0
    assert shown_authors(b, "A1")[0] == "Mrs Hughes-Patel (Oakfield Primary)"


def test_a_name_the_rules_refuse_is_left_out_of_the_file(two, tmp_path: Path):
    a, b = two
    a.judge("A1", "1N-1", "achieved", at=days_ago(2))
    # set before the length cap, straight into the database
    a.store.put_staff("ms.hughes", "M" * 150, "admin")
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    assert "staff" not in json.loads(file.read_text(encoding="utf-8"))
    assert b.import_passports(file).events_added == 1
    assert shown_authors(b, "A1") == ["ms.hughes, Oakfield Primary"]


def test_staff_add_refuses_a_name_over_the_cap(two):
    a, _ = two
    with pytest.raises(PassportError, match="The name is 101 characters long; at most 100"):
        a.add_staff("mr.long", "M" * 101, "teacher")


def test_personal_outcome_authors_are_the_sending_schools_too(two, tmp_path: Path):
    a, b = two
    a.add_outcome("A1", "maths", area="n", title="Counts objects to 5 with support", source="EHCP")
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    data = json.loads(file.read_text(encoding="utf-8"))
    assert data["pupils"][0]["outcomes"][0]["by"] == "ms.hughes"
    data["pupils"][0]["outcomes"][0]["by"] = "head"  # a login of the receiving school, say
    file.write_text(json.dumps(data), encoding="utf-8")
    b.import_passports(file)
    (outcome,) = b.store.outcomes(b.pupil("A1").id)  # type: ignore[arg-type]
    assert outcome.by == "head, Oakfield Primary"


async def test_the_passport_screen_shows_the_name_literally(two, tmp_path: Path):
    from passport_tui.tui.app import make_app
    from tests.test_tui import SIZE
    from tests.test_tui_plan import open_passport

    a, b = two
    history_of(a)
    a.add_staff("ms.hughes", "[b]Ms Hughes[/b]", "admin")
    file = tmp_path / "a1.json"
    a.write_passport_file(file, ["A1"], school=SCHOOL)
    b.import_passports(file)
    app = make_app(b, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_passport(pilot, "A1")
        lst = screen.query_one("#history-list")
        lines = [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
    assert len(lines) == 4
    assert [line.split("  ")[1] for line in lines] == [  # newest first
        "root, Oakfield Primary",
        "Mr Khan (Oakfield Primary)",
        "[b]Ms Hughes[/b] (Oakfield Primary)",
        "[b]Ms Hughes[/b] (Oakfield Primary)",
    ]


def test_a_file_dated_in_the_future_cannot_keep_its_names_for_ever(two, tmp_path: Path):
    a, b = two
    history_of(a)
    file = _spoilt(a, tmp_path, lambda d: d.update(exported_at="2099-01-01T00:00:00+00:00"))
    b.import_passports(file)
    a.add_staff("ms.hughes", "Mrs Hughes-Patel", "admin")
    later = tmp_path / "later.json"
    with later_service(a) as a2, later_service(b) as b2:
        a2.write_passport_file(later, ["A1"], school=SCHOOL)
        assert b2.import_passports(later).staff_named == 1
    assert shown_authors(b, "A1")[0] == "Mrs Hughes-Patel (Oakfield Primary)"
