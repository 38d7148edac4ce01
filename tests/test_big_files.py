"""Big and hostile files are read as streams: a zip bomb posing as a OneRoster set is refused in
one line after a moment and a few megabytes; caps on files, sizes, rows and line lengths; the CSV
readers take files as streams."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from passport_tui.errors import FileProblems, RosterError
from passport_tui.interop import oneroster
from passport_tui.interop.oneroster import read_oneroster

MEMORY_BUDGET_MB = 200
USERS = "sourcedId,status,role,givenName,familyName,identifier,grades\n"


def zip_bomb(path: Path, megabytes: int = 1024, name: str = "users.csv") -> Path:
    """A zip whose ``name`` unzips to ``megabytes`` of zeros after a CSV header (about 1 MB
    zipped for 1 GB), written a megabyte at a time."""
    zero = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("manifest.csv", "w") as f:
            f.write(b"propertyName,value\noneroster.version,1.1\n")
        with z.open(name, "w", force_zip64=True) as f:
            f.write(USERS.encode())
            for _ in range(megabytes):
                f.write(zero)
    return path


PEAK = """
import json, resource, sys
from passport_tui.errors import PassportError
from passport_tui.interop.oneroster import read_oneroster
try:
    read_oneroster(sys.argv[1], 2026)
    lines = []
except PassportError as error:
    lines = error.lines()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:  # the process's own high-water mark (ru_maxrss may carry the parent's over a fork)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
except OSError:
    pass
print(json.dumps({"lines": lines, "peak_mb": peak}))
"""


def refuse_in_a_process(path: Path) -> tuple[list[str], float, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, check=True, timeout=120
    )
    seconds = time.perf_counter() - started
    result = json.loads(done.stdout)
    return result["lines"], result["peak_mb"], seconds


@pytest.mark.slow  # writing the gigabyte takes a few seconds
def test_a_zip_bomb_is_refused_in_one_line_naming_the_file(tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "set.zip")
    assert bomb.stat().st_size < 4 << 20  # 1 GB of zeros, a megabyte or so zipped
    lines, peak_mb, seconds = refuse_in_a_process(bomb)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{bomb}/users.csv: unzips to more than 100 times its zipped size")
    assert "zip bomb" in lines[0]
    assert peak_mb <= MEMORY_BUDGET_MB, f"peak {peak_mb:.0f} MB"
    assert seconds < 30


def test_the_ratio_cap_counts_the_bytes_as_they_are_unzipped(tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "set.zip", megabytes=20)
    with pytest.raises(RosterError) as caught:
        read_oneroster(bomb, 2026)
    assert caught.value.lines()[0].startswith(f"{bomb}/users.csv: unzips to more than 100 times")


def test_a_size_the_zip_misstates_is_not_trusted(tmp_path: Path) -> None:
    """A directory entry that says 10 bytes for 4 MB: the reading stops there and the file is refused
    as corrupt, in one line."""
    path = tmp_path / "set.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("users.csv", USERS + "u1,active,student,Ann,Adams,A1,03\n" * 100_000)
    data = bytearray(path.read_bytes())
    entry = data.rindex(b"PK\x01\x02")
    data[entry + 24 : entry + 28] = (10).to_bytes(4, "little")  # its uncompressed size
    path.write_bytes(bytes(data))
    with pytest.raises(RosterError) as caught:
        read_oneroster(path, 2026)
    (line,) = caught.value.lines()
    assert line.startswith(f"{path}/users.csv: cannot read the file: Bad CRC-32"), line


def test_a_zip_with_too_many_files_is_refused_before_it_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(oneroster.MAX_FILES + 1):
            z.writestr(f"f{i}.csv", "")
    with pytest.raises(RosterError) as caught:
        read_oneroster(path, 2026)
    assert caught.value.lines() == [
        f"{path}: the zip lists more than {oneroster.MAX_FILES:,} files: not a OneRoster set (refused)"
    ]


def test_the_total_size_of_a_set_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oneroster, "MAX_TOTAL", 64 << 10)
    folder = tmp_path / "set"
    folder.mkdir()
    rows = "".join(f"u{i},active,student,Ann,Adams,A{i},03\n" for i in range(2000))  # about 80 KB
    (folder / "users.csv").write_text(USERS + rows, encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        read_oneroster(folder, 2026)
    assert caught.value.lines() == [
        f"{folder / 'users.csv'}: more than 0 MB of CSV in the set (at most 0 MB in all): refused"
    ]


def test_rows_and_students_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    rows = "".join(f"u{i},active,student,Ann,Adams,A{i},03\n" for i in range(30))
    (folder / "users.csv").write_text(USERS + rows, encoding="utf-8")
    monkeypatch.setattr(oneroster, "MAX_STUDENTS", 20)
    with pytest.raises(RosterError) as caught:
        read_oneroster(folder, 2026)
    assert caught.value.lines() == [
        f"{folder / 'users.csv'}:22: more than 20 students: too many for one school's set (refused)"
    ]
    monkeypatch.setattr(oneroster, "MAX_ROWS", 10)
    with pytest.raises(RosterError) as caught:
        read_oneroster(folder, 2026)
    assert caught.value.lines() == [
        f"{folder / 'users.csv'}:11: more than 10 rows: too many for one school's set (refused)"
    ]


def test_an_endless_line_is_refused_not_read_whole(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "users.csv").write_text(USERS + "x" * (2 << 20), encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        read_oneroster(folder, 2026)
    assert caught.value.lines() == [
        f"{folder / 'users.csv'}:2: a line longer than 1,048,576 characters: not a CSV file"
    ]


def test_skipped_rows_are_listed_up_to_a_limit_and_then_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oneroster, "MAX_LISTED", 5)
    folder = tmp_path / "set"
    folder.mkdir()
    gone = "".join(f"u{i},tobedeleted,student,Ann,Adams,A{i},03\n" for i in range(12))
    (folder / "users.csv").write_text(USERS + gone + "k,active,student,Kim,Kay,K1,03\n", encoding="utf-8")
    result = read_oneroster(folder, 2026)
    assert [p.upn for p in result.pupils] == ["K1"]
    assert len(result.skipped) == 6
    assert result.skipped[-1].message == "… and 7 more"


def test_a_set_in_windows_1252_is_read_as_a_stream(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    rows = "u1,active,student,Zoë,Brontë,Z1,03\n" + "".join(
        f"t{i},active,teacher,Tom,Tate,T{i},\n"
        for i in range(60_000)  # past the first megabyte
    )
    (folder / "users.csv").write_bytes((USERS + rows).encode("cp1252"))
    (p,) = read_oneroster(folder, 2026).pupils
    assert (p.first_name, p.last_name) == ("Zoë", "Brontë")


def test_a_corrupt_member_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "set.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("users.csv", USERS + "u1,active,student,Ann,Adams,A1,03\n" * 200)
    data = bytearray(path.read_bytes())
    data[60:70] = b"\xff" * 10  # inside the deflated data
    path.write_bytes(bytes(data))
    with pytest.raises(FileProblems) as caught:
        read_oneroster(path, 2026)
    (line,) = caught.value.lines()
    assert line.startswith(f"{path}/users.csv: cannot read the file")


# --- the CSV readers take files as streams -------------------------------------------------


@pytest.fixture
def no_whole_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a whole file into memory fails the test."""

    def whole(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a whole file was read into memory")

    monkeypatch.setattr(Path, "read_bytes", whole)
    monkeypatch.setattr(Path, "read_text", whole)


ROSTER = "UPN,Forename,Surname,Year\n"


def test_the_csv_readers_stream_their_files(tmp_path: Path, no_whole_reads: None) -> None:
    from passport_tui.interop.roster import read_roster
    from passport_tui.interop.tests_csv import scan_test_scores

    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="cp1252", newline="") as f:
        f.write(ROSTER + "A1,Zoë,Brontë,3\r\n")
    assert [(p.first_name, p.year_group) for p in read_roster(roster, 2026)] == [("Zoë", 3)]
    scores = tmp_path / "scores.csv"
    with scores.open("w", encoding="utf-8-sig", newline="") as f:
        f.write("UPN,Score,Curriculum\nA1,72,maths\n")
    rows, problems = scan_test_scores(scores)
    assert [(r.upn, r.score) for r in rows] == [("A1", 72.0)] and not problems
    folder = tmp_path / "set"
    folder.mkdir()
    with (folder / "users.csv").open("w", encoding="utf-8", newline="") as f:
        f.write(USERS + "u1,active,student,Ann,Adams,A1,03\n")
    assert [p.upn for p in read_oneroster(folder, 2026).pupils] == ["A1"]


def test_an_endless_line_in_a_roster_or_scores_file_is_one_line(tmp_path: Path) -> None:
    from passport_tui.interop.roster import read_roster
    from passport_tui.interop.tests_csv import scan_test_scores

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER + "A1," + "x" * (2 << 20), encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        read_roster(roster, 2026)
    assert caught.value.lines() == [f"{roster}:2: a line longer than 1,048,576 characters: not a CSV file"]
    scores = tmp_path / "scores.csv"
    scores.write_text("UPN,Score,Curriculum\nA1,72,maths\nA2," + "9" * (2 << 20), encoding="utf-8")
    rows, problems = scan_test_scores(scores)
    assert len(rows) == 1
    assert [str(p) for p in problems] == [
        f"{scores}:3: a line longer than 1,048,576 characters: not a CSV file"
    ]


def test_a_roster_that_is_not_text_names_the_line(tmp_path: Path) -> None:
    from passport_tui.interop.roster import read_roster

    roster = tmp_path / "roster.csv"
    roster.write_bytes((ROSTER + "A1,Ann,Adams,3\n").encode() + b"A2,\x81\x8d,Brown,3\n")
    with pytest.raises(RosterError) as caught:
        read_roster(roster, 2026)
    assert caught.value.lines() == [
        f"{roster}:3: not text in UTF-8 or Windows-1252: save the file as CSV UTF-8"
    ]


# --- progress --------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_and_nowhere_else() -> None:
    from passport_tui.cli.progress import progress_bar

    with progress_bar(io.StringIO()) as progress:
        assert progress is None  # a pipe or a file: nothing drawn
    terminal = FakeTerminal()
    with progress_bar(terminal) as progress:
        assert progress is not None
        for n in range(1, 51):
            progress("Importing passports", n, 50)
    drawn = terminal.getvalue()
    assert "Importing passports" in drawn and "50 of 50" in drawn


def run_with_a_terminal_for_stderr(args: list[str]) -> tuple[bytes, bytes, int]:
    """Run ``passport`` with stderr on a pseudo-terminal and stdout a pipe: (stdout, stderr, status)."""
    import os
    import pty
    import select

    master, slave = pty.openpty()
    command = [sys.executable, "-m", "passport_tui.cli", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            err += chunk
        elif process.poll() is not None:
            break
    assert process.stdout is not None
    out = process.stdout.read()
    os.close(master)
    return out, err, process.wait(timeout=60)


@pytest.mark.slow  # two whole processes
def test_progress_goes_to_the_terminal_never_into_standard_output(tmp_path: Path) -> None:
    from tests.conftest import small_school

    db = tmp_path / "school.db"
    small_school(db).close()
    out, err, status = run_with_a_terminal_for_stderr(["--db", str(db), "report", "--school"])
    assert status == 0, err
    assert out.lstrip().lower().startswith(b"<!doctype html")  # the page, and only the page
    assert b"School report" in err and b"\r" in err
    file = tmp_path / "all.json"
    out, err, status = run_with_a_terminal_for_stderr(
        ["--db", str(db), "transfer", "export", "-o", str(file)]
    )
    assert status == 0, err
    assert out.decode().splitlines() == [
        f"Wrote {file}: 6 pupils, 0 judgements (curricula: none)"
    ]  # the one-line summary
    assert b"Exporting passports" in err
    json.loads(file.read_text(encoding="utf-8"))
