"""Progress bars: drawn by Rich on standard error when it is a terminal, one line a stage, a stage's
name never read as markup; nothing at all otherwise, and never a byte of it on standard output.
Each long command is run with a fake terminal for its standard error: its stages are drawn."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.cli.progress import progress_bar
from passport_tui.models import Judgement, Verdict
from passport_tui.service import Service, maintenance
from passport_tui.store import Store

from .conftest import small_school
from .test_oneroster import V1P2, write_set

ROSTER = """UPN,Legal Forename,Legal Surname,NC Year,Reg Group
B100,Dan,Dyer,1,1H
B101,Eve,Evans,1,1H
"""

# Rich's control sequences: moving the cursor, clearing a line, colours, hiding the cursor
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def frames(terminal: FakeTerminal) -> list[str]:
    """What was drawn, one string per redrawing, control sequences taken out; the last is what
    stays on the screen."""
    text = terminal.getvalue()
    # each redrawing starts by going back to the start of the line and up over the last one
    parts = re.split(r"\r(?:\x1b\[2K)(?:\x1b\[1A\x1b\[2K)*", text)
    return [CONTROL.sub("", part) for part in parts if CONTROL.sub("", part).strip()]


def screen(terminal: FakeTerminal) -> list[str]:
    """The lines left on the screen at the end, without trailing blanks."""
    return [line.rstrip() for line in frames(terminal)[-1].splitlines() if line.strip()]


# --- the bar -----------------------------------------------------------------------------


def test_each_stage_has_its_own_line_and_stays_there_ticked_when_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    terminal = FakeTerminal()
    with progress_bar(terminal) as progress:
        assert progress is not None
        for n in range(0, 30_001, 1_000):
            progress("Reading the roster", n, None)  # a stage of unknown size: a count
        for n in range(1, 2_001):
            progress("Saving pupils", n, 2_000)
        progress("Checking the copy", 0, None)  # begun, nothing to count
    lines = screen(terminal)
    assert len(lines) == 3, lines
    reading, saving, checking = lines
    assert reading.startswith("✓ Reading the roster") and reading.split()[4] == "30,000"
    assert "━" not in reading  # no bar for a stage of unknown size
    assert saving.startswith("✓ Saving pupils") and "━━━" in saving and "2,000 of 2,000" in saving
    assert re.search(r"\d:\d\d:\d\d$", saving)  # the time it took
    assert checking.startswith("✓ Checking the copy") and not re.search(r"Checking the copy +\d+ ", checking)
    # two columns to spare: a ^C echoed at the end of the line does not wrap it
    assert max(len(line) for frame in frames(terminal) for line in frame.splitlines()) == 80 - 2
    raw = terminal.getvalue()
    assert raw.startswith("\x1b[?25l") and raw.endswith("\x1b[?25h")  # the cursor hidden, then back


def test_a_running_stage_shows_a_spinner_and_the_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("passport_tui.cli.progress.PUSH_S", 0)  # every call shown at once
    terminal = FakeTerminal()
    with progress_bar(terminal) as progress:
        assert progress is not None
        progress("Exporting passports", 0, 10)
        progress("Exporting passports", 5, 10)
        terminal.seek(0)
        terminal.truncate()
        progress.__self__.display.refresh()  # type: ignore[attr-defined]
        running = frames(terminal)[-1]
        progress("Exporting passports", 10, 10)
    assert re.search(r"^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Exporting passports .*━.* 5 of 10 \d:\d\d:\d\d eta ", running), running
    assert screen(terminal)[0].startswith("✓ Exporting passports")


def test_a_stage_named_in_markup_or_escapes_is_shown_as_it_is() -> None:
    terminal = FakeTerminal()
    with progress_bar(terminal) as progress:
        assert progress is not None
        progress("[bold red]Year 3[/] \x1b]0;owned\x07 :smile:", 1, 2)
    raw = terminal.getvalue()
    assert "[bold red]Year 3[/] ␛]0;owned␇ :smile:" in raw
    assert "\x1b]" not in raw and "\x07" not in raw and "😄" not in raw


def test_an_error_leaves_the_stage_crossed_where_it_got_to_and_the_terminal_tidy() -> None:
    terminal = FakeTerminal()
    with pytest.raises(KeyboardInterrupt), progress_bar(terminal) as progress:
        assert progress is not None
        progress("Importing passports", 3, 10)
        raise KeyboardInterrupt
    (line,) = screen(terminal)
    assert line.startswith("✗ Importing passports") and "3 of 10" in line and "eta" not in line
    assert terminal.getvalue().endswith("\n\x1b[?25h")  # a new line and the cursor back


@pytest.mark.parametrize("columns", [60, 52, 40])
def test_on_a_narrow_terminal_a_stage_keeps_to_one_line_and_no_figure_is_cut(
    monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """A split pane or a phone: the time taken, then the time left, then the bar are left out,
    then the stage's name is cut with "…"; a line never wraps (Rich's table wrapped "18,807 of
    18,807" over three lines, or cut it to "18,8…")."""
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr("passport_tui.cli.progress.PUSH_S", 0)
    terminal = FakeTerminal()
    with progress_bar(terminal) as progress:
        assert progress is not None
        progress("Copying the database", 18_807, 18_807)
        progress("Checking the copy", 0, None)
        progress("Exporting passports", 46, 142)
        progress("Exporting passports", 142, 142)
    for frame in frames(terminal):
        lines = [line for line in frame.splitlines() if line.strip()]
        assert all(len(line) <= columns - 2 for line in lines), lines
        assert all(line[0] in "✓⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏" for line in lines), lines  # no continuation lines
    copying, checking, exporting = screen(terminal)
    assert copying.endswith("18,807 of 18,807") or copying.endswith("0:00:00")
    assert "18,807 of 18,807" in copying and "142 of 142" in exporting
    assert copying.startswith("✓ Copying the databa")
    assert checking.startswith("✓ Checking the copy")


def test_nothing_is_drawn_off_a_terminal() -> None:
    stream = io.StringIO()
    with progress_bar(stream) as progress:
        assert progress is None
    assert stream.getvalue() == ""


# --- the commands, on a terminal ---------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> FakeTerminal:
    """Standard error, as the commands' progress bars see it, is a terminal."""
    fake = FakeTerminal()
    monkeypatch.setattr("passport_tui.cli.progress.error_stream", lambda: fake)
    return fake


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "school.db"
    small_school(path).close()
    return path


def passport(db: Path, *args: str):
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, (result.output, result.stderr)
    assert "\x1b" not in result.stdout and "━" not in result.stdout  # no bar on standard output
    return result


def drawn(terminal: FakeTerminal) -> str:
    text = "\n".join(screen(terminal))
    terminal.seek(0)
    terminal.truncate()
    return text


def test_every_long_command_draws_its_stages_on_a_terminal(
    terminal: FakeTerminal, db: Path, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    passport(db, "pupils", "import", str(roster))
    stages = drawn(terminal).splitlines()
    assert re.search(r"^✓ Reading the roster .*━.* ([\d,]+) of \1 ", stages[0])  # bytes of the file
    assert re.search(r"^✓ Saving pupils .*━.* 2 of 2 ", stages[1])

    passport(db, "pupils", "oneroster", str(write_set(tmp_path / "set", V1P2)))
    stages = drawn(terminal).splitlines()
    assert re.search(r"^✓ Reading the set +[\d,]+ ", stages[0])  # a folder: bytes so far, of no known total
    assert re.search(r"^✓ Saving pupils .*━.* 3 of 3 ", stages[1])

    out = passport(db, "report", "--school").stdout
    assert out.lstrip().lower().startswith("<!doctype html")
    assert "✓ School report" in drawn(terminal)

    file = tmp_path / "all.json"
    passport(db, "transfer", "export", "-o", str(file))
    assert re.search(r"✓ Exporting passports .* 11 of 11", drawn(terminal))
    out = passport(db, "transfer", "export").stdout  # the file on standard output, the bar beside it
    assert out.startswith("{") and "✓ Exporting passports" in drawn(terminal)

    other = tmp_path / "other.db"
    Service(Store.open(other)).close()
    passport(other, "transfer", "import", str(file))
    stages = drawn(terminal)
    assert "✓ Checking the file" in stages and re.search(r"✓ Importing passports .* 11 of 11", stages)

    copy = tmp_path / "copy.db"
    passport(db, "backup", str(copy))
    stages = drawn(terminal).splitlines()
    assert re.search(r"^✓ Copying the database .*━.* (\d+) of \1 ", stages[0]), stages
    assert stages[1].startswith("✓ Checking the copy")


def test_the_demo_build_draws_its_bar(terminal: FakeTerminal, tmp_path: Path) -> None:
    passport(tmp_path / "demo.db", "demo", "--no-tui")
    assert re.search(r"✓ Building the demo school .* (\d+) of \1 ", drawn(terminal))


@pytest.fixture
def default_signals():
    """SIGHUP and SIGTERM as a new process has them; as they were, after the test."""
    import signal

    saved = {s: signal.getsignal(s) for s in (signal.SIGHUP, signal.SIGTERM)}
    for s in saved:
        signal.signal(s, signal.SIG_DFL)
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


@pytest.mark.parametrize("name", ["SIGHUP", "SIGTERM"])
def test_a_lost_connection_during_a_backup_leaves_no_half_written_copy(
    terminal: FakeTerminal, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_signals, name
) -> None:
    """The SSH session drops (SIGHUP) or the command is killed (SIGTERM) while the database is
    copied: the command unwinds as after Ctrl-C, and the hidden copy it was writing (the whole
    database, pupils erased since among it) is removed; the exit status is the signal's."""
    import os
    import signal

    from passport_tui.cli import progress as drawing

    number = getattr(signal, name)
    push = drawing._Stages.push

    def push_then_hang_up(self, done: int, total: int | None) -> None:
        push(self, done, total)
        if self.current == "Copying the database":
            os.kill(os.getpid(), number)

    monkeypatch.setattr(drawing._Stages, "push", push_then_hang_up)
    folder = tmp_path / "backups"
    folder.mkdir()
    result = CliRunner().invoke(cli, ["--db", str(db), "backup", str(folder / "copy.db")])
    assert result.exit_code == 128 + number
    assert list(folder.iterdir()) == []
    assert drawn(terminal).startswith("✗ Copying the database")


# --- the commands, off a terminal ----------------------------------------------------------


def test_off_a_terminal_standard_error_holds_only_the_commands_own_lines(db: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert passport(db, "pupils", "import", str(roster)).stderr == ""
    out = passport(db, "report", "--school")
    assert out.stderr == "" and out.stdout.lstrip().lower().startswith("<!doctype html")
    assert out.stdout.rstrip().endswith("</html>")
    out = passport(db, "transfer", "export")
    assert out.stderr.startswith("Wrote standard output: 8 pupils") and len(out.stderr.splitlines()) == 1
    assert passport(db, "backup", str(tmp_path / "copy.db")).stderr == ""


def test_a_backup_into_a_pipe_prints_no_bar_and_never_loads_rich(db: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "passport_tui.cli",
            "--db",
            str(db),
            "backup",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Backed up to ")
    lines = run.stderr.splitlines()
    assert all(line.startswith("import time:") for line in lines)  # nothing but Python's import times
    assert not [line for line in lines if line.split("|")[-1].strip().split(".")[0] == "rich"]


# --- the backup tells its pages ------------------------------------------------------------


MARKS = 5  # commits by another connection during a backup (each would restart a copy that saw it)


def test_a_backup_tells_the_pages_copied_and_a_commit_between_steps_restarts_nothing(
    db: Path, tmp_path: Path
) -> None:
    told: list[tuple[str, int, int | None]] = []
    marked: list[Judgement] = []
    with Store.open(db) as store, Store.open(db) as other:
        pupil = other.pupil("A2")
        assert pupil is not None and pupil.id is not None
        before = store.conn.execute("SELECT count(*) FROM judgements").fetchone()[0]
        mark = Judgement(
            pupil_id=pupil.id,
            curriculum_id="maths",
            milestone_id="1N-1",
            verdict=Verdict.NOT_YET,
            by="ms.hughes",
            at=datetime(2026, 11, 23, 9, tzinfo=UTC),
        )

        def progress(what: str, done: int, total: int | None) -> None:
            told.append((what, done, total))
            if what == maintenance.COPYING and done > 0 and len(marked) < MARKS:
                marked.append(other.append_judgement(mark))  # another teacher marks between two steps

        result = maintenance.backup(store, tmp_path / "copy.db", pages=1, progress=progress)
        now = store.conn.execute("SELECT count(*) FROM judgements").fetchone()[0]
    copying = [(done, total) for what, done, total in told if what == maintenance.COPYING]
    total = copying[0][1]
    assert total is not None and total > 10  # a step a page: many steps
    assert copying == [(n, total) for n in range(total + 1)]  # never started again
    assert told[-1] == (maintenance.CHECKING, 0, None)
    assert now == before + MARKS  # commits between the first steps …
    assert result.judgements == before  # … and the copy is the snapshot it began with
