"""Roster CSV, as school MIS systems export it → pupils.

The header row names the columns; they are matched case-insensitively, ignoring spaces and
punctuation, with the usual synonyms (``Legal Forename``, ``Reg Group``, ``NC Year``, …); columns
not listed here are ignored. An optional ``Pathway`` column (or ``Curricula``, ``Subjects``) holds the
curriculum ids a pupil follows, separated by ``;``; the reader hands them back beside the pupils
(``pathways``), since a pathway is not part of the pupil record. Every bad cell is reported with its row as a spreadsheet numbers it
(header = row 1) and its column, and all problems are reported at once as a ``RosterError``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import IO, Any

from ..engine.window import birth_mismatch, year_group_by_birth
from ..errors import Problem, RosterError
from ..models import Pupil, Sen, canonical_upn
from ..names import identifier_problem, name_problem
from .streams import Counted, NotText, TooBig, csv_lines, sniff_encoding

# field → header synonyms (normalised), in order of preference when a file has several
COLUMNS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "uniquepupilnumber", "pupilupn"),
    "first_name": (
        "preferredforename",
        "forename",
        "firstname",
        "givenname",
        "forenames",
        "legalforename",
    ),
    "last_name": ("preferredsurname", "surname", "lastname", "familyname", "legalsurname"),
    "year_group": ("year", "yeargroup", "ncyear", "yr", "nationalcurriculumyear", "yeartaughtin"),
    "class_name": ("class", "classname", "reggroup", "registrationgroup", "form", "tutorgroup"),
    "gender": ("gender", "sex"),
    "pupil_premium": ("pupilpremium", "pp", "pupilpremiumindicator"),
    "eal": ("eal", "englishasanadditionallanguage"),
    "sen": ("sen", "senstatus", "senprovision", "send"),
    "fsm": ("fsm", "fsmeligible", "freeschoolmeals"),
    "dob": ("dob", "dateofbirth", "birthdate"),
    "tags": ("tags", "tag"),
    "pathway": ("pathway", "pathways", "curricula", "subjects"),
}
REQUIRED = {"upn": "UPN", "first_name": "Forename", "last_name": "Surname", "year_group": "Year"}
_EXPECTED = "expected a header row naming the columns UPN, Forename, Surname and Year"

_YES = {"y", "yes", "true", "1"}
_NO = {"", "n", "no", "false", "0"}
_SEN = {
    **dict.fromkeys(("", "n", "no", "none", "nosen"), Sen.NONE),
    **dict.fromkeys(("k", "sensupport", "support"), Sen.SUPPORT),
    **dict.fromkeys(("e", "ehcp", "ehcplan", "ehc", "s", "statement"), Sen.EHCP),
}
_GENDER = {"m": "M", "male": "M", "boy": "M", "f": "F", "female": "F", "girl": "F"}
_YEAR = re.compile(r"(?:year|yr|y)?\s*(r|rec|reception|\d{1,2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})")


@dataclass(frozen=True, slots=True)
class PathwayCell:
    """The curricula a roster row lists for its pupil, and where (for a message about an id)."""

    file: str
    row: int
    column: str
    curricula: list[str]

    def problem(self, message: str) -> Problem:
        return Problem(self.file, self.row, f"{self.column}: {message}")


class _CellError(ValueError):
    """A cell value that does not fit its column; the message says what was expected."""


MAX_YEARS_OUT_OF_COHORT = 2  # a date of birth this many years off the year group is refused
# pupils in one roster (a school has a few thousand): past it the file is refused, so memory stays
# bounded however long a file is (as for OneRoster's students)
MAX_PUPILS = 50_000


def read_roster(
    path: str | Path,
    academic_year: int,
    warnings: list[Problem] | None = None,
    pathways: dict[str, PathwayCell] | None = None,
    *,
    on_bytes: Callable[[int], None] | None = None,
) -> list[Pupil]:
    """Read a roster CSV file (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252) as
    a stream: the file is never held in memory whole. ``on_bytes`` is told of each piece read."""
    name = str(path)
    file = Path(path)
    try:
        encoding = sniff_encoding(lambda: file.open("rb"))
        raw = io.BufferedReader(Counted(file.open("rb"), on_bytes)) if on_bytes else file.open("rb")
        with io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
            return _parse_stream(text, name, academic_year, warnings, pathways)
    except NotText as e:
        raise RosterError([Problem(name, e.line, str(e))]) from None
    except (OSError, UnicodeDecodeError) as e:
        message = e.strerror if isinstance(e, OSError) and e.strerror else e
        raise RosterError([Problem(name, None, f"cannot read the file: {message}")]) from None


def parse_roster(
    text: str,
    filename: str,
    academic_year: int,
    warnings: list[Problem] | None = None,
    pathways: dict[str, PathwayCell] | None = None,
) -> list[Pupil]:
    """Pupils from roster CSV text; raises ``RosterError`` listing every problem found. A date of
    birth one year off the year group (a child taught out of year group) is added to ``warnings``;
    further off, it is a problem. Each pupil whose pathway cell is not empty gets an entry in
    ``pathways`` (UPN → the curriculum ids listed; they are checked against the curricula by the
    importer, not here)."""
    stream = io.StringIO(text.removeprefix("\ufeff"), newline="")
    return _parse_stream(stream, filename, academic_year, warnings, pathways)


def _records(text: IO[str], filename: str) -> Iterator[tuple[int, list[str]]]:
    """The non-blank records of a CSV stream with their row numbers as a spreadsheet shows them
    (the delimiter is the one its first non-blank line uses most)."""
    lines = csv_lines(text)
    before: list[str] = []
    n = 0
    try:
        for line in lines:
            before.append(line)
            if line.strip():
                break
        reader = csv.reader(chain(before, lines), delimiter=_delimiter(before[-1] if before else ""))
        for n, row in enumerate(reader, start=1):  # noqa: B007 - n is the row after the loop
            if any(cell.strip() for cell in row):
                yield n, row
    except csv.Error as e:
        raise RosterError([Problem(filename, n + 1, f"not valid CSV: {e}")]) from e
    except TooBig as e:
        raise RosterError([Problem(filename, e.line, str(e))]) from None


def _parse_stream(
    text: IO[str],
    filename: str,
    academic_year: int,
    warnings: list[Problem] | None,
    pathways: dict[str, PathwayCell] | None,
) -> list[Pupil]:
    # (row number as a spreadsheet shows it, cells); blank rows are skipped
    rows = _records(text, filename)
    first = next(rows, None)
    if first is None:
        raise RosterError([Problem(filename, None, f"the file is empty: {_EXPECTED}")])
    header_row, header = first
    columns = _match_columns(header)
    missing = [label for field, label in REQUIRED.items() if field not in columns]
    if missing:
        found = ", ".join(_column_name(h) for h in header if h.strip()) or "none"
        plural = "s" if len(missing) > 1 else ""
        message = f"missing required column{plural} {', '.join(missing)}; columns found: {found}"
        raise RosterError([Problem(filename, header_row, message)])

    problems: list[Problem] = []
    pupils: list[Pupil] = []
    upn_rows: dict[str, int] = {}
    for count, (row_number, row) in enumerate(rows, start=1):
        if count > MAX_PUPILS:
            message = f"more than {MAX_PUPILS:,} pupils: too many for one school's roster (refused)"
            raise RosterError([*problems[:100], Problem(filename, row_number, message)])
        found_before = len(problems)
        values: dict[str, Any] = {}
        pathway_column = ""
        for field, indices in columns.items():
            column, cell = _cell(header, row, indices)
            if field == "pathway":
                pathway_column = column
            try:
                values[field] = _PARSERS[field](cell)
            except _CellError as e:
                problems.append(Problem(filename, row_number, f"{column}: {e}"))
        curricula: list[str] = values.pop("pathway", [])
        upn = values.get("upn")
        if upn is not None:
            upn = values["upn"] = canonical_upn(upn)  # d260002 and D260002 are one pupil
            if upn in upn_rows:
                column = _column_name(header[columns["upn"][0]])
                message = f"{column}: {_quote(upn)} is already on row {upn_rows[upn]}"
                problems.append(Problem(filename, row_number, message))
            else:
                upn_rows[upn] = row_number
        mismatch = birth_mismatch(values.get("dob"), values.get("year_group", -1), academic_year)
        if mismatch is not None and "year_group" in values:
            off = abs(year_group_by_birth(values["dob"], academic_year) - values["year_group"])
            if (
                off >= MAX_YEARS_OUT_OF_COHORT
            ):  # a typo in the date or the year, not a child out of year group
                problems.append(
                    Problem(filename, row_number, f"date of birth: {mismatch}; check the date and the year")
                )
            elif warnings is not None:
                warnings.append(
                    Problem(filename, row_number, f"date of birth: {mismatch} (taught out of year group?)")
                )
        if len(problems) == found_before:
            pupils.append(Pupil(academic_year=academic_year, **values))
            if curricula and pathways is not None:
                pathways[upn] = PathwayCell(filename, row_number, pathway_column, curricula)
    if problems:
        raise RosterError(problems)
    return pupils


# --- columns ---------------------------------------------------------------------------


def _normal(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.casefold())


def _match_columns(header: list[str]) -> dict[str, list[int]]:
    """field → indices of the header cells that name it, most preferred synonym first."""
    normal = [_normal(h) for h in header]
    columns: dict[str, list[int]] = {}
    for field, synonyms in COLUMNS.items():
        indices = [i for synonym in synonyms for i, h in enumerate(normal) if h == synonym]
        if indices:
            columns[field] = indices
    return columns


def _cell(header: list[str], row: list[str], indices: list[int]) -> tuple[str, str]:
    """The first non-blank cell among a field's columns, with its column's name."""
    for i in indices:
        if i < len(row) and row[i].strip():
            return _column_name(header[i]), row[i].strip()
    return _column_name(header[indices[0]]), ""


def _column_name(header: str) -> str:
    """A header cell for a message: as it is if plain, quoted and escaped otherwise."""
    name = header.strip()
    return name if name.isprintable() and len(name) <= 40 else _quote(name)


def _quote(value: str) -> str:
    """A cell's text for a message: quoted, control characters escaped, long text cut."""
    if len(value) > 40:
        value = value[:40] + "…"
    return json.dumps(value, ensure_ascii=False).translate(_LINE_BREAKS)


# line breaks json.dumps leaves as they are (it escapes only the C0 controls)
_LINE_BREAKS = {c: f"\\u{c:04x}" for c in (0x85, 0x2028, 0x2029)}


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line uses most (outside quotes)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# --- cells -----------------------------------------------------------------------------


def _year(cell: str) -> int:
    if not cell:
        raise _CellError("the year group is missing")
    match = _YEAR.fullmatch(cell.casefold())
    if match:
        token = match.group(1)
        year = 0 if not token.isdigit() else int(token)
        if 0 <= year <= 13:
            return year
    raise _CellError(f"{_quote(cell)} is not a year group (R or 0 to 13, e.g. Y3 or Year 3)")


def _optional(cell: str) -> str | None:
    return cell or None


def _gender(cell: str) -> str | None:
    return _GENDER.get(cell.casefold(), cell) if cell else None


def _yes_no(cell: str) -> bool:
    word = cell.casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise _CellError(f"{_quote(cell)} is not yes or no (Y/N, Yes/No, True/False or 1/0)")


def _sen(cell: str) -> Sen:
    sen = _SEN.get(_normal(cell))
    if sen is None:
        raise _CellError(f"{_quote(cell)} is not a SEN status (N for none, K for SEN support, E for EHCP)")
    return sen


def _dob(cell: str) -> date | None:
    if not cell:
        return None
    try:
        if m := _ISO_DATE.fullmatch(cell):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _UK_DATE.fullmatch(cell):
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise _CellError(f"{_quote(cell)} is not a real date") from None
    raise _CellError(f"{_quote(cell)} is not a date (YYYY-MM-DD or DD/MM/YYYY)")


def _tags(cell: str) -> list[str]:
    tags = (tag.strip() for tag in cell.split(";"))
    return list(dict.fromkeys(tag for tag in tags if tag))


def _identifier(what: str, required: bool) -> Callable[[str], str | None]:
    """A UPN or class name, as :func:`passport_tui.names.identifier_problem` allows (they name
    files and reach terminals, so a control character or a slash is refused, not passed on)."""

    def parse(cell: str) -> str | None:
        if not cell:
            if required:
                raise _CellError(f"the {what} is missing")
            return None
        problem = identifier_problem(cell, what)
        if problem is not None:
            raise _CellError(problem)
        return cell

    return parse


def _name(what: str) -> Callable[[str], str]:
    """A forename or surname: required, without control characters (:func:`name_problem`)."""

    def parse(cell: str) -> str:
        if not cell:
            raise _CellError(f"the {what} is missing")
        problem = name_problem(cell, what)
        if problem is not None:
            raise _CellError(problem)
        return cell

    return parse


_PARSERS: dict[str, Callable[[str], Any]] = {
    "upn": _identifier("UPN", required=True),
    "first_name": _name("forename"),
    "last_name": _name("surname"),
    "year_group": _year,
    "class_name": _identifier("class", required=False),
    "gender": _gender,
    "pupil_premium": _yes_no,
    "eal": _yes_no,
    "sen": _sen,
    "fsm": _yes_no,
    "dob": _dob,
    "tags": _tags,
    "pathway": _tags,  # curriculum ids, separated by ";" like tags
}


def pupil_value(field: str, text: str) -> Any:
    """One pupil detail (``upn``, ``year_group``, ``class_name``, ``dob``, …) read from text and
    checked as a roster cell of that column is; a ``ValueError`` says what was expected."""
    return _PARSERS[field](text.strip())
