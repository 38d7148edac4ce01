"""Termly test scores from a CSV: UPN, Score (percent), and Curriculum and Window when the
command does not give them. Every bad row is reported with its row number; nothing is half-read."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import FileProblems, Problem
from ..names import identifier_problem
from .streams import TooBig, csv_lines

HEADERS = {
    "upn": "upn",
    "uniquepupilnumber": "upn",
    "score": "score",
    "percent": "score",
    "percentage": "score",
    "%": "score",
    "mark": "score",
    "curriculum": "curriculum",
    "subject": "curriculum",
    "window": "window",
    "term": "window",
}


@dataclass(frozen=True, slots=True)
class ScoreRow:
    line: int
    upn: str
    curriculum_id: str
    score: float
    window: str | None


def _key(header: str) -> str:
    return "".join(ch for ch in header.strip().lower() if ch.isalnum() or ch == "%")


def read_test_scores(path: str | Path, *, curriculum_id: str | None = None) -> list[ScoreRow]:
    rows, problems = scan_test_scores(path, curriculum_id=curriculum_id)
    if problems:
        raise FileProblems(problems)
    return rows


def scan_test_scores(
    path: str | Path, *, curriculum_id: str | None = None
) -> tuple[list[ScoreRow], list[Problem]]:
    """The good rows and a problem for each bad one, so a caller checking the rows further (is
    the UPN known?) can report every bad row at once. A file that cannot be read, or whose header
    lacks a column, raises ``FileProblems``."""
    name = str(path)
    try:  # a stream: the file is never held in memory whole
        with Path(path).open(encoding="utf-8-sig", newline="") as text:
            return _scan(text, name, curriculum_id)
    except (OSError, UnicodeDecodeError) as error:
        raise FileProblems([Problem(name, None, f"cannot read the file: {error}")]) from None


def parse_test_scores(text: str, name: str, *, curriculum_id: str | None = None) -> list[ScoreRow]:
    rows, problems = _scan(io.StringIO(text, newline=""), name, curriculum_id)
    if problems:
        raise FileProblems(problems)
    return rows


def _scan(text: IO[str], name: str, curriculum_id: str | None) -> tuple[list[ScoreRow], list[Problem]]:
    reader = csv.reader(csv_lines(text))
    try:
        header = next(reader)
    except TooBig as error:
        raise FileProblems([Problem(name, error.line, str(error))]) from None
    except (StopIteration, csv.Error):
        raise FileProblems(
            [Problem(name, 1, "the file is empty; expected a header row with UPN and Score")]
        ) from None
    columns = {HEADERS[_key(h)]: i for i, h in enumerate(header) if _key(h) in HEADERS}
    missing = [c for c in ("upn", "score") if c not in columns]
    if curriculum_id is None and "curriculum" not in columns:
        missing.append("curriculum (or give --curriculum)")
    if missing:
        raise FileProblems([Problem(name, 1, f"missing column: {', '.join(missing)}")])
    rows: list[ScoreRow] = []
    problems: list[Problem] = []
    line = 1
    try:
        for record in reader:
            line += 1
            if not any(cell.strip() for cell in record):
                continue

            def cell(col: str, record: list[str] = record) -> str:
                i = columns.get(col)
                return record[i].strip() if i is not None and i < len(record) else ""

            upn = cell("upn")
            raw = cell("score").rstrip("%").strip()
            if not upn:
                problems.append(Problem(name, line, "UPN is empty"))
                continue
            if (problem := identifier_problem(upn, "UPN")) is not None:
                problems.append(Problem(name, line, problem))
                continue
            try:
                score = float(raw)
            except ValueError:
                problems.append(Problem(name, line, f"Score {raw!r} is not a number"))
                continue
            if not 0 <= score <= 100:
                problems.append(Problem(name, line, f"Score {score:g} is not a percentage from 0 to 100"))
                continue
            cid = cell("curriculum") or curriculum_id
            if not cid:
                problems.append(Problem(name, line, "Curriculum is empty"))
                continue
            rows.append(ScoreRow(line, upn, cid, score, cell("window") or None))
    except csv.Error as error:
        problems.append(Problem(name, line, f"not a valid CSV row: {error}"))
    except TooBig as error:
        problems.append(Problem(name, error.line, str(error)))
    return rows, problems
