"""The command line's manners: tables that line up whatever the names, ``--json`` on what a
script reads, counts with the right plural, shell completion as the README gives it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.cli.output import Column, table
from passport_tui.widths import fitted, width

DATA = Path(__file__).parent / "data"

ROSTER = """UPN,Legal Forename,Legal Surname,NC Year,Reg Group,Sex,PP,EAL,SEN Status,FSM
A100,Ann,Lee,2,2H,F,Y,N,K,Y
A101,小明,王,2,2H,M,N,Y,N,N
A102,Zoë 🦊,Brontë,2,2H,F,N,N,N,N
A103,Maximilian-Alexander,Featherstonehaugh-王王王,2,2H,M,N,N,N,N
"""


@pytest.fixture
def run(tmp_path: Path):
    db = tmp_path / "school.db"
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(cli, ["--db", str(db), "--as", "ms.hughes", *args], catch_exceptions=False)
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    run("init")
    run("curriculum", "import", str(DATA / "maths.toml"))
    run("pupils", "import", str(tmp_path / "roster.csv"))
    run.dir = tmp_path  # type: ignore[attr-defined]
    return run


# --- tables --------------------------------------------------------------------------------


def test_width_counts_terminal_columns():
    assert width("Ann") == 3
    assert width("王小明") == 6
    assert width("Zoë") == 3 and width("Zoe\u0308") == 3  # a combining diaeresis takes none
    assert fitted("王小明", 5) == "王小" and width(fitted("王小明", 5)) == 4
    assert fitted("Featherstone", 5) == "Feath"


def test_a_table_lines_up_by_terminal_columns(capsys):
    columns = (Column("pupil", 8, clip=True), Column("n", 3, ">"), Column("after"))
    table(
        columns, [("王小明", "1", "x"), ("Ann", "22", "y"), ("王小明王小明", "3", "z"), ("🦊 Zoë", "4", "w")]
    )
    lines = capsys.readouterr().out.splitlines()
    # the last column starts at the same terminal column on every line, the header's included
    starts = {width(line[: line.rindex(" ") + 1]) for line in lines}
    assert starts == {13}, lines


def test_tracking_columns_do_not_shift_with_wide_names(run):
    out = run("tracking").output.splitlines()
    header, rows = out[0], out[1:]
    assert any("王" in r for r in rows) and any("🦊" in r for r in rows)
    at = width(header[: header.index("subject")])
    for row in rows:
        assert width(row[: row.index("maths")]) == at, row
