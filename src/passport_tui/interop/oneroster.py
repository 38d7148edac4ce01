"""OneRoster CSV 1.1 and 1.2 bulk sets (a folder or a .zip) → pupils.

What is read:

- ``users.csv`` (required): students only. In 1.1 the ``role`` column says who is a student; in
  1.2 roles live in ``roles.csv`` (a user with an active ``student`` role is a student). The UPN is
  ``identifier``, failing that ``sourcedId``; names are ``preferredGivenName`` /
  ``preferredFamilyName`` (1.2) when given, else ``givenName`` / ``familyName``.
- ``classes.csv`` + ``enrollments.csv``: a student's class is the title (failing that the
  ``classCode``) of a class they have an active student enrollment in; a ``homeroom`` class (the
  registration group) wins over scheduled classes, then the first by title.
- ``academicSessions.csv``: unless an academic year is given, the latest active ``schoolYear``
  session gives it. OneRoster's ``schoolYear`` is the year the school year *ends* (2023 is
  2022/23); this app counts academic years by the year they *start*, so 2023 → 2022.
- ``demographics.csv`` (optional): ``birthDate`` and ``sex``.
- A ``metadata.passport.pathway`` column in ``users.csv`` (optional; OneRoster allows
  ``metadata.*`` extension columns): the curriculum ids a student follows, separated by ``;``
  (as a roster CSV's ``Pathway`` column); an empty cell leaves the pupil's pathway as it is.
- ``orgs.csv`` and ``manifest.csv``: the version, whether grades are UK year groups, and a
  warning for an org whose parent is missing.

Grades (CEDS codes ``IT PR PK TK KG 01..13 PS UG Other``) → England year groups:

- When the set says it is from the UK (a manifest property or an org ``metadata.*`` column about
  the country or locale saying UK, GB, England, Wales, …; a grade in users.csv written the English
  way, ``Y3`` or ``R``; or ``uk_grades=True``), the numbers
  *are* year groups: ``01`` → Year 1 … ``13`` → Year 13, and ``KG`` (or ``R``) → Reception.
- Otherwise the grades are US grades and are matched by age: a US grade N child is the age of an
  England Year N+1 child, so ``01`` → Year 2 … ``12`` → Year 13, ``KG`` → Year 1 and ``PK`` /
  ``TK`` → Reception.
- A grade written the English way (``Y3``, ``Year 3``, ``R``, ``Reception``) is taken as it is.
- Anything else (nursery, ``UG`` ungraded, ``Other``, post-secondary ``13`` in a US set) has no
  year group here: that student is skipped and reported. A student with no grade takes the grade
  of their class when it has exactly one.

Leniency, since real sets are messy: headers are matched case-insensitively ignoring spaces,
dots, underscores and the like, with a small table of known misspellings (``sourceId`` for
``sourcedId``, ``firstName`` for ``givenName``, …); trailing empty columns are ignored; a row
with an empty status is active; ``tobedeleted`` (and 1.0's ``inactive``) rows are skipped and
reported; dates may be ISO (``2023-05-01``, ``2023-05-01T18:25:43.511Z``) or written with
slashes — day first, the UK way, whenever that makes a real date (``1/05/2023`` is 1 May), and
month first only when the day-first reading cannot be a date (``5/13/2023``); an org whose parent
is not in ``orgs.csv`` is a warning. Row numbers are as a spreadsheet shows them (header = 1).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO

from ..errors import Problem, RosterError
from ..models import Pupil, canonical_upn
from ..names import identifier_problem, name_problem
from .roster import PathwayCell, _gender, _normal, _quote, _tags
from .streams import CHUNK, Capped, Counted, NotText, TooBig, csv_lines, sniff_encoding

__all__ = ["OneRosterImport", "read_oneroster", "parse_date", "year_group_of_grade"]


@dataclass
class OneRosterImport:
    """The pupils of a OneRoster set, and every row left out (``skipped``) or doubtful (``warnings``)."""

    pupils: list[Pupil]
    academic_year: int
    version: str  # "1.1" or "1.2" (from the manifest, else guessed from the files)
    uk_grades: bool  # True when grades were read as UK year groups
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pathways: dict[str, PathwayCell] = field(default_factory=dict)  # UPN → the curricula listed


# --- headers ---------------------------------------------------------------------------

# normalised misspelling → normalised OneRoster name (``sourceid`` → ``sourcedid`` is applied
# everywhere first, so ``orgSourceIds``, ``classSourceId`` … are covered by that rule)
HEADER_FIXES: dict[str, str] = {
    "sourcedld": "sourcedid",
    "soucedid": "sourcedid",
    "id": "sourcedid",
    "satus": "status",
    "stauts": "status",
    "datelastmodifed": "datelastmodified",
    "firstname": "givenname",
    "forename": "givenname",
    "givename": "givenname",
    "givennname": "givenname",
    "lastname": "familyname",
    "surname": "familyname",
    "familyame": "familyname",
    "famlyname": "familyname",
    "identifer": "identifier",
    "indentifier": "identifier",
    "idenitifier": "identifier",
    "grade": "grades",
    "roles": "role",
    "usersourcedids": "usersourcedid",
    "classsourcedids": "classsourcedid",
    "termsourcedid": "termsourcedids",
    "orgsourcedid": "orgsourcedids",
    "schoolyr": "schoolyear",
    "classtitle": "title",
    "dob": "birthdate",
    "dateofbirth": "birthdate",
    "gender": "sex",
}


PATHWAY_KEY = "metadatapassportpathway"  # the users.csv extension column metadata.passport.pathway


def header_key(cell: str) -> str:
    """A header cell as a lookup key: case, spaces and punctuation ignored, misspellings fixed."""
    key = _normal(cell).replace("sourceid", "sourcedid")
    return HEADER_FIXES.get(key, key)


@dataclass
class _Table:
    """One CSV file of the set: its display name, header keys, and its data rows (with row
    numbers), read from the file afresh each time ``rows`` is asked for."""

    name: str
    columns: dict[str, int]
    records: Callable[[], Iterator[tuple[int, list[str]]]]  # the non-blank records, header first

    @property
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return islice(self.records(), 1, None)

    def has(self, key: str) -> bool:
        return key in self.columns

    def get(self, row: list[str], key: str) -> str:
        i = self.columns.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""


def _table(name: str, records: Callable[[], Iterator[tuple[int, list[str]]]]) -> _Table:
    first = records()
    try:
        header = next(first, None)
    finally:
        first.close()  # type: ignore[attr-defined]
    columns: dict[str, int] = {}
    for i, cell in enumerate(header[1] if header else []):
        if cell.strip():  # trailing (or stray) empty header cells name nothing
            columns.setdefault(header_key(cell), i)
    return _Table(name, columns, records)


# --- the set: a folder or a zip --------------------------------------------------------

# A set is read as a stream, never whole; these caps stop a zip bomb (or a runaway export) before
# it costs more than a moment and a few megabytes. Sizes a zip declares are not trusted: the bytes
# are counted as they are unzipped.
MAX_FILES = 1_000  # files in a zip
MAX_DIRECTORY = 4 << 20  # bytes of a zip's directory (the list of its files)
MAX_TOTAL = 256 << 20  # bytes of CSV read from a set, all files together
MAX_RATIO = 100  # unzipped / zipped size of one file (CSV text zips to a tenth or so)
RATIO_FREE = 1 << 20  # a file's first MiB is not held to the ratio
MAX_ROWS = 500_000  # rows of one CSV file
MAX_STUDENTS = 50_000  # students in a set (a school has a few thousand)


def _megabytes(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB"


def _zip_directory(path: Path) -> tuple[int, int] | None:
    """(files, directory bytes) as a zip's end record declares them, read before the directory
    itself is; None when there is no end record (then zipfile says what is wrong)."""
    with path.open("rb") as f:
        f.seek(0, io.SEEK_END)
        size = f.tell()
        back = min(size, 22 + 0xFFFF)  # the end record and the longest comment it may have
        f.seek(size - back)
        tail = f.read(back)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    return int.from_bytes(tail[at + 10 : at + 12], "little"), int.from_bytes(
        tail[at + 12 : at + 16], "little"
    )


class _Source:
    """The CSV files of a set, found by name case-insensitively (in a zip, in any one folder), each
    streamed when it is read; the caps above refuse a set too big to be real, naming the file."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None = None):
        self.path = path
        self.on_bytes = on_bytes  # told of each piece read (a set's files are read more than once)
        self.files: dict[str, tuple[str, Path | zipfile.ZipInfo]] = {}  # lower-case name → (display, where)
        self.zip: zipfile.ZipFile | None = None
        self.sizes: dict[str, int] = {}  # lower-case name → bytes, once read
        self.encodings: dict[str, str] = {}
        try:
            if path.is_dir():
                for p in sorted(path.iterdir()):
                    if p.is_file() and p.suffix.lower() == ".csv":
                        self.files.setdefault(p.name.lower(), (str(p), p))
            elif zipfile.is_zipfile(path):
                declared = _zip_directory(path)
                if declared is not None and (declared[0] > MAX_FILES or declared[1] > MAX_DIRECTORY):
                    message = f"the zip lists more than {MAX_FILES:,} files: not a OneRoster set (refused)"
                    raise RosterError([Problem(str(path), None, message)])
                self.zip = zipfile.ZipFile(path)
                infos = self.zip.infolist()
                if len(infos) > MAX_FILES:
                    message = f"the zip holds {len(infos):,} files: not a OneRoster set (refused)"
                    raise RosterError([Problem(str(path), None, message)])
                for info in sorted(infos, key=lambda i: (i.filename.count("/"), i.filename)):
                    base = info.filename.rsplit("/", 1)[-1]
                    if info.is_dir() or not base.lower().endswith(".csv") or base.startswith("._"):
                        continue
                    self.files.setdefault(base.lower(), (f"{path}/{info.filename}", info))
            elif path.exists():
                raise RosterError([Problem(str(path), None, "not a OneRoster set: give a folder or a .zip")])
            else:
                raise RosterError([Problem(str(path), None, "no such file or folder")])
        except (OSError, zipfile.BadZipFile) as e:
            self.close()
            raise RosterError([Problem(str(path), None, f"cannot read the set: {e}")]) from e
        except RosterError:
            self.close()
            raise

    def __enter__(self) -> _Source:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def display(self, name: str) -> str:
        found = self.files.get(name.lower())
        return found[0] if found else str(self.path / name)

    def _open(self, key: str) -> IO[bytes]:
        """The file's bytes, counted: past its cap, ``TooBig`` saying which cap."""
        display, where = self.files[key]
        total = sum(self.sizes.values())
        if key in self.sizes:  # read before: the same bytes again
            limit, message = self.sizes[key], f"{display}: changed while it was read"
        else:
            left = MAX_TOTAL - total
            limit, message = (
                left,
                (
                    f"more than {_megabytes(MAX_TOTAL)} of CSV in the set (at most {_megabytes(MAX_TOTAL)} "
                    "in all): refused"
                ),
            )
            if isinstance(where, zipfile.ZipInfo):
                ratio_cap = max(RATIO_FREE, MAX_RATIO * where.compress_size)
                if ratio_cap < left:
                    limit = ratio_cap
                    message = (
                        f"unzips to more than {MAX_RATIO} times its zipped size "
                        f"({where.compress_size:,} bytes): refused as a zip bomb"
                    )
        if isinstance(where, zipfile.ZipInfo):
            assert self.zip is not None
            raw: IO[bytes] = self.zip.open(where)
        else:
            raw = where.open("rb")
        capped: io.RawIOBase = Capped(raw, limit, lambda: message)
        if self.on_bytes is not None:
            capped = Counted(capped, self.on_bytes)  # type: ignore[arg-type]
        return io.BufferedReader(capped, CHUNK)

    def _counted(self, key: str, stream: IO[bytes]) -> None:
        raw = stream.raw  # type: ignore[attr-defined]
        capped = raw.raw if isinstance(raw, Counted) else raw
        self.sizes.setdefault(key, capped.count)

    @contextlib.contextmanager
    def _reading(self, display: str) -> Iterator[None]:
        """Whatever goes wrong reading a file of the set, as one line naming it."""
        try:
            yield
        except TooBig as e:
            raise RosterError([Problem(display, e.line, str(e))]) from None
        except NotText as e:
            raise RosterError([Problem(display, e.line, str(e))]) from None
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as e:
            raise RosterError([Problem(display, None, f"cannot read the file: {e}")]) from None

    def table(self, name: str) -> _Table | None:
        key = name.lower()
        found = self.files.get(key)
        if found is None:
            return None
        display = found[0]
        if key not in self.encodings:
            with self._reading(display):

                def sniffed() -> IO[bytes]:
                    stream = self._open(key)
                    opened.append(stream)
                    return stream

                opened: list[IO[bytes]] = []
                self.encodings[key] = sniff_encoding(sniffed)
                self._counted(key, opened[-1])  # the last pass read the whole file
        encoding = self.encodings[key]

        def records() -> Iterator[tuple[int, list[str]]]:
            n = 0
            with self._reading(display), self._open(key) as raw:
                text = io.TextIOWrapper(raw, encoding=encoding, newline="")
                reader = csv.reader(csv_lines(text))
                try:
                    for n, row in enumerate(reader, start=1):  # noqa: B007 - n is the row after the loop
                        if n > MAX_ROWS:
                            message = f"more than {MAX_ROWS:,} rows: too many for one school's set (refused)"
                            raise RosterError([Problem(display, n, message)])
                        if any(cell.strip() for cell in row):
                            if n == 1 and row and row[0].startswith("\ufeff"):
                                row[0] = row[0].removeprefix("\ufeff")
                            yield n, row
                except csv.Error as e:
                    raise RosterError([Problem(display, n + 1, f"not valid CSV: {e}")]) from e

        return _table(display, records)


# --- values ----------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")


def parse_date(cell: str) -> date | None:
    """An ISO date or date-time, or ``D/M/YYYY`` — day first (the UK way) whenever that is a real
    date, month first only when it cannot be (``5/13/2023``). Empty → None; ValueError otherwise."""
    cell = cell.strip()
    if not cell:
        return None
    try:
        if m := _ISO.fullmatch(cell):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _SLASHED.fullmatch(cell):
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            if y < 100:
                y += 2000
            try:
                return date(y, b, a)
            except ValueError:
                return date(y, a, b)  # fails again when neither reading is a date
    except ValueError:
        raise ValueError(f"{_quote(cell)} is not a real date") from None
    raise ValueError(f"{_quote(cell)} is not a date (YYYY-MM-DD or DD/MM/YYYY)")


_UK_GRADE = re.compile(r"(?:year|yr|y)\s*(\d{1,2})|(r|rec|reception)")
_US_BELOW_YEAR_1 = {"PK": 0, "TK": 0, "KG": 1}
_UK_BELOW_YEAR_1 = {"KG": 0, "R": 0, "RE": 0, "TK": 0}
_NO_YEAR = {
    "IT": "infant/toddler",
    "PR": "preschool",
    "PS": "post-secondary",
    "UG": "ungraded",
    "OTHER": "other",
}


def year_group_of_grade(grade: str, uk: bool) -> int:
    """The England year group of a OneRoster grade (see the module's notes); ValueError when the
    grade has none here (the message says why)."""
    cell = grade.strip()
    if m := _UK_GRADE.fullmatch(cell.casefold()):
        year = 0 if m[2] else int(m[1])
        if year <= 13:
            return year
        raise ValueError(f"{_quote(cell)} is not a year group (Reception to Year 13)")
    code = cell.upper()
    if code.isdigit():
        number = int(code)
        year = number if uk else number + 1
        if 1 <= year <= 13:
            return year
        if number == 0:
            return 0 if uk else 1  # a "00" some systems write for kindergarten
        what = "Year 13" if uk else "grade 12"
        raise ValueError(f"grade {_quote(cell)} is beyond {what}: no year group here")
    table = _UK_BELOW_YEAR_1 if uk else _US_BELOW_YEAR_1
    if code in table:
        return table[code]
    if code == "PK":  # UK: nursery
        raise ValueError("grade PK is nursery, below Reception: no year group here")
    if code in _NO_YEAR:
        raise ValueError(f"grade {code} ({_NO_YEAR[code]}) has no year group here")
    raise ValueError(f"{_quote(cell)} is not a OneRoster grade (KG, 01 … 12, …)")


def _grades(cell: str) -> list[str]:
    return [g.strip() for g in cell.split(",") if g.strip()]


_UK_WORDS = {
    "uk",
    "gb",
    "gbr",
    "unitedkingdom",
    "greatbritain",
    "england",
    "wales",
    "scotland",
    "northernireland",
    "engb",
    "cygb",
}
_PLACE_WORDS = ("country", "locale", "nation", "region", "gradesystem", "gradescheme")


def _says_uk(key: str, value: str) -> bool:
    return any(w in key for w in _PLACE_WORDS) and _normal(value) in _UK_WORDS


def _status(table: _Table, row_number: int, row: list[str], skipped: list[Problem], what: str) -> bool:
    """True for an active row (empty status counts as active); otherwise records why it is skipped."""
    status = table.get(row, "status").casefold().replace(" ", "")
    if status in ("", "active"):
        return True
    if status == "tobedeleted":
        skipped.append(Problem(table.name, row_number, f"{what} is marked tobedeleted"))
    elif status == "inactive":
        skipped.append(Problem(table.name, row_number, f"{what} is inactive"))
    else:
        message = f"{what} has status {_quote(status)} (expected active or tobedeleted)"
        skipped.append(Problem(table.name, row_number, message))
    return False


def _rows(table: _Table | None) -> Iterator[tuple[int, list[str]]]:
    return table.rows if table is not None else iter([])


# --- the reader ------------------------------------------------------------------------


def read_oneroster(
    path: str | Path,
    academic_year: int | None = None,
    *,
    default_year: int | None = None,
    uk_grades: bool | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> OneRosterImport:
    """Pupils from a OneRoster CSV set (1.1 or 1.2, a folder or a .zip).

    ``academic_year`` (the year the academic year starts) overrides the set's own school year;
    ``default_year`` is used when neither is known. ``uk_grades`` forces the reading of grades
    (None: decide from the set). Raises ``RosterError`` when users.csv is missing or unreadable,
    when a UPN, a class or a name holds what it may not (:mod:`passport_tui.names`; every such row
    is listed), when no student is left to import, or when the set is too big to be real (see the
    caps above); every skipped row is in ``skipped``."""
    with _Source(Path(path), on_bytes) as source:
        return _read_set(source, academic_year, default_year, uk_grades)


MAX_LISTED = 1_000  # rows skipped (or warned about) listed one by one; the rest are counted


class _Listed(list[Problem]):
    """Problems, the first ``MAX_LISTED`` of them kept and the rest counted (a set of a million
    deleted rows must not make a million messages)."""

    def __init__(self) -> None:
        super().__init__()
        self.more = 0
        self.file = ""

    def append(self, problem: Problem) -> None:
        if len(self) < MAX_LISTED:
            super().append(problem)
        else:
            self.more += 1
            self.file = problem.file

    def closed(self) -> list[Problem]:
        extra = [Problem(self.file, None, f"… and {self.more:,} more")] if self.more else []
        return [*self, *extra]


def _read_set(
    source: _Source, academic_year: int | None, default_year: int | None, uk_grades: bool | None
) -> OneRosterImport:
    users = source.table("users.csv")
    if users is None:
        raise RosterError(
            [Problem(source.display("users.csv"), None, "missing: a OneRoster set needs users.csv")]
        )
    skipped = _Listed()
    warnings = _Listed()

    manifest = source.table("manifest.csv")
    properties: dict[str, str] = {}
    for _, row in _rows(manifest):
        assert manifest is not None
        key = manifest.get(row, "propertyname") or (row[0].strip() if row else "")
        value = manifest.get(row, "value") or (row[1].strip() if len(row) > 1 else "")
        properties[_normal(key)] = value
    roles = source.table("roles.csv")
    version = properties.get("onerosterversion", "")
    if not version:
        version = "1.2" if roles is not None or not users.has("role") else "1.1"

    # orgs: missing parents are a warning; metadata may say the set is from the UK
    orgs = source.table("orgs.csv")
    says_uk = any(_says_uk(k, v) for k, v in properties.items())
    if orgs is not None:
        org_ids = {orgs.get(row, "sourcedid") for _, row in orgs.rows}
        for n, row in orgs.rows:
            if not _status(orgs, n, row, skipped, "org"):
                continue
            parent = orgs.get(row, "parentsourcedid")
            if parent and parent not in org_ids:
                message = f"org {_quote(orgs.get(row, 'sourcedid'))}: its parent {_quote(parent)} is not in orgs.csv (kept)"
                warnings.append(Problem(orgs.name, n, message))
            says_uk = says_uk or any(
                key.startswith("metadata") and _says_uk(key, orgs.get(row, key)) for key in orgs.columns
            )
    # grades written the English way anywhere in users.csv say the set is from the UK too
    says_uk = says_uk or any(
        _UK_GRADE.fullmatch(g.casefold()) for _, row in users.rows for g in _grades(users.get(row, "grades"))
    )
    uk = says_uk if uk_grades is None else uk_grades

    year = academic_year if academic_year is not None else _school_year(source, skipped, warnings)
    if year is None:
        year = default_year
    if year is None:
        message = "no active schoolYear session to give the academic year: give it (--academic-year)"
        raise RosterError([Problem(source.display("academicSessions.csv"), None, message)])

    # who is a student
    required = ["sourcedid", "givenname", "familyname"] + ([] if roles is not None else ["role"])
    missing = [k for k in required if not users.has(k)]
    if missing:
        names = {
            "sourcedid": "sourcedId",
            "givenname": "givenName",
            "familyname": "familyName",
            "role": "role",
        }
        hint = " (or roles.csv)" if "role" in missing else ""
        message = (
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(names[k] for k in missing)}{hint}"
        )
        raise RosterError([Problem(users.name, 1 if users.columns else None, message)])
    students: set[str] | None = None
    if roles is not None:
        students = set()
        for n, row in roles.rows:
            if roles.get(row, "role").casefold() != "student":
                continue
            if _status(roles, n, row, skipped, "student role"):
                students.add(roles.get(row, "usersourcedid"))

    refused = _Listed()  # values that may not enter: they refuse the whole set
    class_of = _classes(source, skipped, warnings, refused)

    demographics = _demographics(source, skipped, warnings)

    pupils: list[Pupil] = []
    pathways: dict[str, PathwayCell] = {}
    upn_rows: dict[str, int] = {}
    for n, row in users.rows:
        sourced_id = users.get(row, "sourcedid")
        if students is not None:
            if sourced_id not in students:
                continue
        elif users.get(row, "role").casefold() != "student":
            continue
        who = f"student {_quote(sourced_id)}" if sourced_id else "student"
        if not _status(users, n, row, skipped, who):
            continue
        upn = canonical_upn(users.get(row, "identifier") or sourced_id)  # d260002 is D260002
        first = users.get(row, "preferredgivenname") or users.get(row, "givenname")
        last = users.get(row, "preferredfamilyname") or users.get(row, "familyname")
        reasons = []
        if not upn:
            reasons.append("no identifier or sourcedId")
        if not first:
            reasons.append("no givenName")
        if not last:
            reasons.append("no familyName")
        if upn in upn_rows:
            reasons.append(f"UPN {_quote(upn)} is already on row {upn_rows[upn]}")
        bad = [
            problem
            for problem in (
                identifier_problem(upn, "UPN"),
                name_problem(first, "givenName"),
                name_problem(last, "familyName"),
            )
            if problem is not None
        ]
        if bad:
            refused.append(Problem(users.name, n, f"{who}: {'; '.join(bad)}"))
            continue
        class_name, class_grades = class_of.get(sourced_id, (None, []))
        grades = _grades(users.get(row, "grades"))
        if not grades and len(class_grades) == 1:
            grades = class_grades
        year_group: int | None = None
        if not grades:
            reasons.append("no grade, so no year group")
        else:
            try:
                year_group = year_group_of_grade(grades[0], uk)
            except ValueError as e:
                reasons.append(str(e))
        if reasons or year_group is None:
            skipped.append(Problem(users.name, n, f"{who}: {'; '.join(reasons)}"))
            continue
        if len(pupils) == MAX_STUDENTS:
            message = f"more than {MAX_STUDENTS:,} students: too many for one school's set (refused)"
            raise RosterError([Problem(users.name, n, message)])
        upn_rows[upn] = n
        gender, dob = demographics.get(sourced_id, (None, None))
        pupils.append(
            Pupil(
                upn=upn,
                first_name=first,
                last_name=last,
                year_group=year_group,
                academic_year=year,
                class_name=class_name,
                gender=gender,
                dob=dob,
            )
        )
        if curricula := _tags(users.get(row, PATHWAY_KEY)):
            pathways[upn] = PathwayCell(users.name, n, "metadata.passport.pathway", curricula)
    if refused:
        raise RosterError(refused.closed())
    if not pupils:
        raise RosterError([*skipped.closed(), Problem(users.name, None, "no students to import")])
    return OneRosterImport(pupils, year, version, uk, skipped.closed(), warnings.closed(), pathways)


def _school_year(source: _Source, skipped: list[Problem], warnings: list[Problem]) -> int | None:
    """The academic year (start year) of the latest active schoolYear session, or of the latest
    session of any kind when there is no schoolYear session."""
    sessions = source.table("academicSessions.csv")
    if sessions is None:
        return None
    school_years: list[int] = []
    others: list[int] = []
    for n, row in sessions.rows:
        if not _status(sessions, n, row, skipped, "academic session"):
            continue
        cell = sessions.get(row, "schoolyear")
        try:
            ends = int(cell)
        except ValueError:
            start = None
            with contextlib.suppress(ValueError):
                start = parse_date(sessions.get(row, "startdate"))
            if start is None:
                warnings.append(
                    Problem(sessions.name, n, f"schoolYear {_quote(cell)} is not a year (ignored)")
                )
                continue
            ends = start.year + 1 if start.month >= 8 else start.year
        kind = _normal(sessions.get(row, "type"))
        (school_years if kind == "schoolyear" else others).append(ends - 1)
    years = school_years or others
    return max(years) if years else None


def _classes(
    source: _Source, skipped: list[Problem], warnings: list[Problem], refused: list[Problem]
) -> dict[str, tuple[str, list[str]]]:
    """user sourcedId → (class name, the class's grades) from their student enrollments; a class
    name that may not be one (:func:`identifier_problem`) is added to ``refused``."""
    classes = source.table("classes.csv")
    enrollments = source.table("enrollments.csv")
    if classes is None or enrollments is None:
        return {}
    known: dict[str, tuple[bool, str, list[str]]] = {}  # id → (homeroom?, name, grades)
    deleted: set[str] = set()
    for n, row in classes.rows:
        class_id = classes.get(row, "sourcedid")
        if not _status(classes, n, row, skipped, f"class {_quote(class_id)}"):
            deleted.add(class_id)
            continue
        name = classes.get(row, "title") or classes.get(row, "classcode")
        if not name:
            warnings.append(
                Problem(classes.name, n, f"class {_quote(class_id)} has no title or classCode (ignored)")
            )
            continue
        if (problem := identifier_problem(name, "class")) is not None:
            refused.append(Problem(classes.name, n, f"class {_quote(class_id)}: {problem}"))
            continue
        homeroom = _normal(classes.get(row, "classtype")) == "homeroom"
        known[class_id] = (homeroom, name, _grades(classes.get(row, "grades")))
    chosen: dict[str, tuple[bool, str, list[str]]] = {}  # user → their best class so far

    def rank(option: tuple[bool, str, list[str]]) -> tuple[bool, str, str]:
        return (not option[0], option[1].casefold(), option[1])  # a homeroom first, then by title

    for n, row in enrollments.rows:
        if enrollments.get(row, "role").casefold() != "student":
            continue
        user = enrollments.get(row, "usersourcedid")
        class_id = enrollments.get(row, "classsourcedid")
        if not _status(enrollments, n, row, skipped, f"enrollment of {_quote(user)}"):
            continue
        if class_id not in known:
            why = "is marked tobedeleted" if class_id in deleted else "is not in classes.csv"
            skipped.append(
                Problem(enrollments.name, n, f"enrollment of {_quote(user)}: class {_quote(class_id)} {why}")
            )
            continue
        option = known[class_id]
        best = chosen.get(user)
        if best is None or rank(option) < rank(best):
            chosen[user] = option
    return {user: (name, grades) for user, (_, name, grades) in chosen.items()}


def _demographics(
    source: _Source, skipped: list[Problem], warnings: list[Problem]
) -> dict[str, tuple[str | None, date | None]]:
    """user sourcedId → (gender, date of birth) from demographics.csv, when the set has one."""
    table = source.table("demographics.csv")
    out: dict[str, tuple[str | None, date | None]] = {}
    if table is None:
        return out
    for n, row in table.rows:
        user = table.get(row, "sourcedid")
        if not _status(table, n, row, skipped, f"demographics of {_quote(user)}"):
            continue
        dob: date | None = None
        try:
            dob = parse_date(table.get(row, "birthdate"))
        except ValueError as e:
            warnings.append(Problem(table.name, n, f"birthDate: {e} (left empty)"))
        out[user] = (_gender(table.get(row, "sex")), dob)
    return out
