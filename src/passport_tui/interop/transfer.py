"""The portable passport file: pupils' passports moved between schools (DESIGN §2, §5, §8).

A passport file is JSON (``"format": "passport-file"``, ``"version": 2``; its JSON Schema is
``passport-file.schema.json`` beside this module). It carries the curricula it uses, whole, and per
pupil their details and their full history: every judgement event with its original author and
time, test scores, personal targets, focus items, notes and personal outcomes (milestones of that
pupil only, from their EHCP or provision plan, which their events may refer to). An event refers
to another (a retraction to the achieved event it corrects) by its position in the pupil's
``events`` list, counted from 0, never by a database id.

Authors (every ``by``) are the sending school's logins. Version 2 adds ``staff``, after the pupils
(a streamed export knows its authors once it has written them): ``{"by", "name"}`` for each author
of something in the file whose school set a name ("ms.hughes" is "Ms Hughes"), and nobody else — no
roles, no classes. It is optional; a version 1 file has none and reads as it always did (its
authors show by login). A name is checked as every name is (``passport_tui.names``, at most
``MAX_STAFF_NAME`` characters, not blank) and shown literally; an entry for an author the file does
not use is harmless: it names nobody here. Version 2 also gives a pupil their own ``pathway``
when they have one: the ids of the curricula they follow (``["engagement-model", "small-steps"]``
for a child with PMLD; frameworks without year groups are followed only by assignment), each one
among the file's ``curricula``, none twice, never empty. It is optional and left out for a pupil
who follows their school's default pathway. A version 1 file that holds ``staff`` or a
``pathway`` is refused.

Importing merges a file into this database in one transaction, and never downgrades:

* curricula are matched by id and version; one this database lacks is imported with the file; the
  same id with another version is refused (import the matching version first);
* pupils are matched by UPN; new ones are added (without a class: the roster gives them one); a
  known pupil keeps the details this school holds;
* a new pupil follows the pathway the file gives them (none: this school's default pathway); a
  pupil already here keeps this school's pathway, which this school is in charge of, and the
  summary warns, naming the ``passport pathway`` command, when the file's pathway holds a
  curriculum the pupil does not follow here, so a child's engagement model is never lost
  silently; importing the file again changes nothing;
* events keep their author and time; one already here (same pupil, curriculum, milestone, verdict,
  by, at) is not added again, so importing a file twice changes nothing;
* a milestone achieved here stays achieved: a retraction in the file is imported only when it
  corrects an achieved event imported from the file, never one of ours; the achieved events the
  file itself retracts are left out for a milestone achieved here; a ``not_yet`` is never appended
  after an achieved event;
* a milestone achieved in the file (its final state) is achieved after the merge;
* the rules of the app hold for what the file adds: an ``achieved`` with a prerequisite achieved
  neither in the merged record nor in the file's own history at that point needs the file's own
  override ``reason``; without one the whole file is refused, one line per such event naming the
  pupil and the milestone, and nothing is imported;
* authors are the sending school's staff, never this school's: every ``by`` is kept as
  "ms.x, Oak Primary" (the file's ``exported_by.school``, or "previous school"), so no login here
  ever matches it; a ``by`` that already names a school (a file from a school that had imported
  it) is kept as it is. Imported teacher comments are so marked as the previous school's, and a
  parent report never shows one as this school's latest comment;
* the names ``staff`` gives are kept beside the log, by author as stored ("ms.x, Oak Primary" is
  "Ms X"), and shown for them ("Ms X (Oak Primary)"); the log itself keeps the login, so an event
  has the same key whether its file named its author or not (a version 1 file and a version 2
  file of the same history add nothing to each other). A name from a file exported later replaces
  an earlier one;
* a personal outcome is matched by curriculum, id and title; one this school holds under the same
  id with another title is added under the pupil's next free id, and the file's references follow.

Bad files are refused with one located line per problem (``FILE: $.pupils[3].events[2].at: not an
ISO date-time``; JSON syntax errors with line and column) and the database unchanged.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..curriculum import dump_curriculum, parse_curriculum
from ..errors import CurriculumError, FileProblems, Problem
from ..models import (
    Curriculum,
    FocusItem,
    Judgement,
    Note,
    NoteKind,
    PersonalOutcome,
    Pupil,
    Sen,
    Target,
    TestScore,
    Verdict,
    by_another_school,
)
from ..moments import iso_utc
from ..names import MAX_STAFF_NAME, checked_identifier, checked_name, name_problem
from ..shown import json_escaped, plural
from .json_stream import JsonStream, JsonSyntax, NotAnObject

FORMAT = "passport-file"
VERSION = 2  # the version written; 2 added the head's optional ``staff``
VERSIONS = (1, 2)  # the versions read
TOOL = "passport-tui"
SCHEMA_FILE = Path(__file__).with_name("passport-file.schema.json")
SCHEMA_ID = "https://passport-tui.invalid/schemas/passport-file/v2.schema.json"
FUTURE_SLACK = timedelta(days=1)  # another school's clock may run a little ahead
MAX_PROBLEMS = 100


class PassportFileError(FileProblems):
    """A passport file was refused; every problem is listed with its location."""


# --- the file, as pydantic models ---------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# values checked as every import checks them (passport_tui.names): a UPN and a class name may
# name files, and names reach terminals
Upn = Annotated[str, Field(min_length=1), AfterValidator(lambda v: checked_identifier(v, "UPN"))]
ClassName = Annotated[str, AfterValidator(lambda v: checked_identifier(v, "class"))]
PersonName = Annotated[str, AfterValidator(lambda v: checked_name(v, "name"))]
Author = Annotated[str, Field(min_length=1), AfterValidator(lambda v: checked_name(v, "author"))]


def _staff_name(text: str) -> str:
    if not text.strip():
        raise ValueError("the name is blank")
    return checked_name(text, "name", MAX_STAFF_NAME)


StaffName = Annotated[
    str, Field(json_schema_extra={"minLength": 1, "maxLength": MAX_STAFF_NAME}), AfterValidator(_staff_name)
]


class ExportedBy(_Strict):
    """Who wrote the file: the tool (and its version), the school and the member of staff."""

    tool: str
    tool_version: str | None = None
    school: str | None = None
    user: str | None = None


class FileStaff(_Strict):
    """The name of an author of something in the file (version 2): ``by`` as the file's ``by``
    fields give them, ``name`` as their school set it."""

    by: Author
    name: StaffName


class FilePupil(_Strict):
    """A pupil's details: UPN, names, year group in an academic year (the calendar year it starts
    in), class, date of birth and the groups of DESIGN §2.10 (gender, pupil premium, EAL, SEN,
    FSM, tags)."""

    upn: Upn
    first_name: PersonName
    last_name: PersonName
    year_group: int
    academic_year: int
    class_name: ClassName | None = None
    dob: date | None = None
    gender: str | None = None
    pupil_premium: bool = False
    eal: bool = False
    sen: Sen = Sen.NONE
    fsm: bool = False
    tags: list[str] = Field(default_factory=list)


class FileEvent(_Strict):
    """One judgement event. ``corrects`` (retractions only) is the position, from 0, of the
    achieved event it corrects in the same pupil's ``events``."""

    curriculum: str
    milestone: str
    verdict: Verdict
    by: PersonName
    at: AwareDatetime
    note: str | None = None
    reason: str | None = None
    corrects: int | None = Field(default=None, ge=0)
    recorded_at: AwareDatetime | None = None


class FileTestScore(_Strict):
    curriculum: str
    academic_year: int
    term: int = Field(ge=1, le=3)
    score: float = Field(ge=0, le=100)
    by: PersonName
    at: AwareDatetime
    note: str | None = None


class FileTarget(_Strict):
    curriculum: str
    academic_year: int
    points: int | None = Field(default=None, ge=0)
    milestones: list[str] | None = Field(default=None, min_length=1)
    due: date | None = None
    reason: str = Field(min_length=1)
    by: PersonName
    at: AwareDatetime


class FileFocus(_Strict):
    curriculum: str
    milestone: str
    provision: str | None = None
    by: PersonName
    at: AwareDatetime
    active: bool = True


class FileNote(_Strict):
    curriculum: str | None = None
    kind: NoteKind = NoteKind.NOTE
    text: str = Field(min_length=1)
    by: PersonName
    at: AwareDatetime


class FileOutcome(_Strict):
    """A personal outcome from the pupil's EHCP or provision plan: a milestone of this pupil only,
    ``id`` (e.g. ``PO-1``) under ``area`` (a strand) of ``curriculum``; the pupil's events, focus
    items and targets refer to it by that id. ``requires`` names the curriculum's own milestones."""

    curriculum: str
    id: str = Field(min_length=1, pattern=r"^\S+$")
    area: str
    title: str = Field(min_length=1)
    source: str | None = None
    requires: list[str] = Field(default_factory=list)
    by: PersonName
    at: AwareDatetime
    retired_at: AwareDatetime | None = None
    retired_by: PersonName | None = None
    retired_reason: str | None = None


class FilePassport(_Strict):
    """One pupil's passport: details, their own pathway when they have one (the ids of the
    curricula they follow, each among the file's; left out when they follow their school's
    default), and full history, each list oldest first."""

    pupil: FilePupil
    # version 2; left out of a file for a pupil without a pathway of their own (an empty list in a
    # file is refused: see _pathway_problems)
    pathway: list[str] = Field(default_factory=list, json_schema_extra={"minItems": 1, "uniqueItems": True})
    events: list[FileEvent] = Field(default_factory=list)
    test_scores: list[FileTestScore] = Field(default_factory=list)
    targets: list[FileTarget] = Field(default_factory=list)
    focus: list[FileFocus] = Field(default_factory=list)
    notes: list[FileNote] = Field(default_factory=list)
    outcomes: list[FileOutcome] = Field(default_factory=list)  # left out of a file when there are none


class _HeadFields(_Strict):
    """The file less its pupils (checked on its own; the pupils are checked one at a time)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_ref: str | None = Field(default=None, alias="$schema")
    format: Literal["passport-file"]
    version: Literal[1, 2]
    exported_at: AwareDatetime
    exported_by: ExportedBy
    curricula: list[Curriculum]
    staff: list[FileStaff] = Field(default_factory=list)  # version 2; written after the pupils


class PassportFile(_HeadFields):
    """A portable passport file (version 1 or 2)."""

    pupils: list[FilePassport]


def passport_file_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the file, as published in ``passport-file.schema.json``."""
    body = PassportFile.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Milestones Passport file, versions 1 and 2",
        "description": (
            "Pupils' passports moved between schools: the curricula used, and per pupil their "
            "details and full history (judgement events, test scores, targets, focus items, notes). "
            "Events refer to each other by position in the pupil's events list, from 0. Times are "
            "ISO 8601 date-times with an offset; dates are YYYY-MM-DD. Version 2 adds the optional "
            "staff list: the name of each author (by) of something in the file whose school set one; "
            "and each pupil's optional pathway: the ids of the curricula the pupil follows by a "
            "pathway of their own (each among the file's curricula), left out for a pupil who "
            "follows their school's default."
        ),
        **{k: v for k, v in body.items() if k not in ("title", "description")},
    }


# --- export -------------------------------------------------------------------------------


def _tool_version() -> str | None:
    from importlib import metadata  # only when a file is written: it is slow to import

    try:
        return metadata.version("passport-tui")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return None


def _file_events(judgements: list[Judgement]) -> list[dict[str, Any]]:
    """A pupil's log as the file's events: ``corrects`` becomes a position in the list."""
    out: list[dict[str, Any]] = []
    position: dict[int, int] = {}  # database id -> position
    achieved: dict[tuple[str, str], list[int]] = {}  # (curriculum, milestone) -> achieved positions
    for j in judgements:
        key = (j.curriculum_id, j.milestone_id)
        corrects: int | None = None
        if j.verdict is Verdict.RETRACTED:
            earlier = achieved.get(key, [])
            target = position.get(j.corrects) if j.corrects is not None else None
            if target is None or target not in earlier:
                if not earlier:
                    continue  # corrects nothing: it has no effect and nothing to refer to
                target = earlier[-1]
            corrects = target
        if j.id is not None:
            position[j.id] = len(out)
        if j.verdict is Verdict.ACHIEVED:
            achieved.setdefault(key, []).append(len(out))
        out.append(
            {
                "curriculum": j.curriculum_id,
                "milestone": j.milestone_id,
                "verdict": j.verdict.value,
                "by": j.by,
                "at": iso_utc(j.at),
                "note": j.note,
                "reason": j.reason,
                "corrects": corrects,
                "recorded_at": iso_utc(j.recorded_at) if j.recorded_at else None,
            }
        )
    return out


def file_entry(
    pupil: Pupil,
    judgements: list[Judgement],
    scores: list[TestScore],
    targets: list[Target],
    focus: list[FocusItem],
    notes: list[Note],
    outcomes: Iterable[PersonalOutcome] = (),
    pathway: Iterable[str] = (),
) -> dict[str, Any]:
    """One pupil's passport as the file carries it (``pathway``, the pupil's own, and ``outcomes``
    only when there are some, so a file without any reads as it always did)."""
    own = list(pathway)
    entry = {
        "pupil": pupil.model_dump(mode="json", exclude={"id"}),
        **({"pathway": own} if own else {}),
        "events": _file_events(judgements),
        "test_scores": [
            {
                "curriculum": t.curriculum_id,
                "academic_year": t.academic_year,
                "term": t.term,
                "score": t.score,
                "by": t.by,
                "at": iso_utc(t.at),
                "note": t.note,
            }
            for t in scores
        ],
        "targets": [
            {
                "curriculum": t.curriculum_id,
                "academic_year": t.academic_year,
                "points": t.points,
                "milestones": t.milestones,
                "due": t.due.isoformat() if t.due else None,
                "reason": t.reason,
                "by": t.by,
                "at": iso_utc(t.at),
            }
            for t in targets
        ],
        "focus": [
            {
                "curriculum": f.curriculum_id,
                "milestone": f.milestone_id,
                "provision": f.provision,
                "by": f.by,
                "at": iso_utc(f.at),
                "active": f.active,
            }
            for f in focus
        ],
        "notes": [
            {
                "curriculum": n.curriculum_id,
                "kind": str(n.kind),
                "text": n.text,
                "by": n.by,
                "at": iso_utc(n.at),
            }
            for n in notes
        ],
    }
    personal = [
        {
            "curriculum": o.curriculum_id,
            "id": o.id,
            "area": o.area,
            "title": o.title,
            "source": o.source,
            "requires": list(o.requires),
            "by": o.by,
            "at": iso_utc(o.at),
            "retired_at": iso_utc(o.retired_at) if o.retired_at else None,
            "retired_by": o.retired_by,
            "retired_reason": o.retired_reason,
        }
        for o in outcomes
    ]
    if personal:
        entry["outcomes"] = personal
    return entry


def curricula_used(entries: list[dict[str, Any]]) -> set[str]:
    """The ids of the curricula the entries refer to."""
    used: set[str] = set()
    for e in entries:
        used.update(x["curriculum"] for x in e["events"])
        used.update(x["curriculum"] for x in [*e["test_scores"], *e["targets"], *e["focus"]])
        used.update(n["curriculum"] for n in e["notes"] if n["curriculum"] is not None)
        used.update(o["curriculum"] for o in e.get("outcomes", ()))
        used.update(e.get("pathway", ()))
    return used


def authors_of(entry: dict[str, Any]) -> set[str]:
    """Who authored something in one pupil's entry (every ``by``, ``retired_by`` included)."""
    found = {x["by"] for key in ("events", "test_scores", "targets", "focus", "notes") for x in entry[key]}
    for o in entry.get("outcomes", ()):
        found.add(o["by"])
        if o["retired_by"] is not None:
            found.add(o["retired_by"])
    return found


def staff_list(authors: Iterable[str], names: Mapping[str, str]) -> list[dict[str, str]]:
    """The file's ``staff``: each author with a name in ``names`` (by author) that a file may carry;
    a name the file's rules refuse (set before they were) is left out, and its author shows by login."""
    out = []
    for by in sorted(authors):
        name = (names.get(by) or "").strip()
        if (
            by
            and name
            and name_problem(name, "name", MAX_STAFF_NAME) is None
            and name_problem(by, "author") is None
        ):
            out.append({"by": by, "name": name})
    return out


def passport_document(
    entries: list[dict[str, Any]],
    curricula: list[Curriculum],
    *,
    exported_at: datetime,
    school: str | None,
    user: str,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The passport file (as a JSON-ready dict) holding ``entries`` and the curricula they use;
    ``names``: staff names by author, of which those of the entries' authors go in ``staff``."""
    authors: set[str] = set()
    for e in entries:
        authors |= authors_of(e)
    staff = staff_list(authors, names or {})
    document = {
        "$schema": SCHEMA_ID,
        "format": FORMAT,
        "version": VERSION,
        "exported_at": iso_utc(exported_at),
        "exported_by": {
            "tool": TOOL,
            "tool_version": _tool_version(),
            "school": school,
            "user": user,
        },
        "curricula": [c.model_dump(mode="json") for c in curricula],
        "pupils": entries,
    }
    if staff:
        document["staff"] = staff
    return document


def dumps_passport_file(data: dict[str, Any]) -> str:
    return json_escaped(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def write_passport_stream(
    out: IO[str],
    entries: Iterable[dict[str, Any]],
    curricula: list[Curriculum],
    *,
    exported_at: datetime,
    school: str | None,
    user: str,
    names: Mapping[str, str] | None = None,
) -> tuple[int, int]:
    """Write a passport file to ``out`` a pupil at a time, as each entry comes: the same text as
    ``dumps_passport_file`` of the whole document, never held whole. ``curricula`` must be every
    curriculum the entries use; ``names`` as for :func:`passport_document` (the ``staff`` list
    follows the pupils, once every author is known). Returns the pupils and the judgement events
    written."""
    head = passport_document([], curricula, exported_at=exported_at, school=school, user=user)
    del head["pupils"]
    text = json_escaped(json.dumps(head, indent=2, ensure_ascii=False))
    out.write(text.removesuffix("\n}") + ',\n  "pupils": [')
    pupils = events = 0
    authors: set[str] = set()
    for entry in entries:
        # the entry as json.dumps indents it two levels down (a line break inside a string is
        # written as \n, so every real one is the indentation's)
        out.write(",\n    " if pupils else "\n    ")
        out.write(json_escaped(json.dumps(entry, indent=2, ensure_ascii=False)).replace("\n", "\n    "))
        pupils += 1
        events += len(entry["events"])
        authors |= authors_of(entry)
    out.write("\n  ]" if pupils else "]")
    staff = staff_list(authors, names or {})
    if staff:
        text = json_escaped(json.dumps({"staff": staff}, indent=2, ensure_ascii=False))
        out.write(",\n" + text.removeprefix("{\n").removesuffix("\n}"))
    out.write("\n}\n")
    return pupils, events


# --- reading and checking -----------------------------------------------------------------


def _where(loc: Iterable[str | int]) -> str:
    out = "$"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:  # a key the file made up may hold line breaks or escapes: quote it unless plain
            out += f".{part}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) else f"[{json.dumps(part)}]"
    return out


_TYPE_MESSAGES = {
    "datetime_parsing": "not an ISO date-time",
    "datetime_from_date_parsing": "not an ISO date-time",
    "datetime_type": "not an ISO date-time",
    "timezone_aware": "not an ISO date-time with a time zone (e.g. 2026-11-23T10:00:00+00:00)",
    "date_parsing": "not an ISO date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "not an ISO date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "not an ISO date (YYYY-MM-DD)",
    "date_type": "not an ISO date (YYYY-MM-DD)",
    "missing": "missing (required)",
    "extra_forbidden": "unknown field",
}


def _message(error: Any) -> str:
    kind = error["type"]
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind]
    message = str(error["msg"]).removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def refuse(name: str, found: list[tuple[int | None, str]], more: int = 0) -> PassportFileError:
    unique = list(dict.fromkeys(found))
    problems = [Problem(name, line, message) for line, message in unique[:MAX_PROBLEMS]]
    if len(unique) + more > MAX_PROBLEMS:
        problems.append(Problem(name, None, f"… and {len(unique) + more - MAX_PROBLEMS} more problems"))
    return PassportFileError(problems)


class _Found:
    """Problems found so far: the first ``MAX_PROBLEMS`` kept (once each), the rest counted, so a
    file of a million bad events costs a counter, not a million messages."""

    def __init__(self) -> None:
        self.kept: dict[tuple[int | None, str], None] = {}
        self.more = 0

    def add(self, message: str, line: int | None = None) -> None:
        key = (line, message)
        if key in self.kept:
            return
        if len(self.kept) < MAX_PROBLEMS:
            self.kept[key] = None
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.kept)

    def error(self, name: str) -> PassportFileError:
        return refuse(name, list(self.kept), self.more)


# --- reading, a pupil at a time -----------------------------------------------------------
#
# A passport file of a whole school is hundreds of megabytes. It is read as a stream (see
# ``json_stream``): the members of the top-level object one by one and the pupils one at a time,
# each pupil checked by the pydantic models above on its own JSON text. Importing reads the file
# twice: once to check all of it (``check_passport_file``), once to merge it pupil by pupil
# (``passport_file_pupils``); memory holds one pupil at a time.

MAX_PUPILS = 100_000  # pupils in one file (a school has a few thousand)
_HEAD_KEYS = frozenset({"format", "version", "exported_at", "exported_by", "curricula"})


@dataclass(slots=True)
class PassportFileHead:
    """A checked passport file, less its pupils: who wrote it and when, the curricula it carries,
    the names it gives its authors (``staff``: name by ``by``, as the file gives both), and how
    many pupils and judgement events it holds."""

    name: str
    exported_at: datetime
    exported_by: ExportedBy
    curricula: list[Curriculum]
    schema_ref: str | None = None
    pupils: int = 0
    events: int = 0
    version: int = VERSION
    staff: dict[str, str] = field(default_factory=dict)


Opener = Callable[[], IO[bytes]]
PupilCheck = Callable[[int, "FilePassport"], list[str]]


def _opener(path: str | Path) -> Opener:
    name = str(path)

    def open_file() -> IO[bytes]:
        try:
            return Path(path).open("rb")
        except OSError as e:
            raise refuse(name, [(None, f"cannot read the file: {e.strerror or e}")]) from None

    return open_file


def check_passport_file(
    path: str | Path,
    now: datetime | None = None,
    *,
    check_pupil: PupilCheck | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> PassportFileHead:
    """Check a whole passport file, reading it as a stream: JSON syntax, format and version, shape
    (the pydantic models above, unknown fields refused), and references inside it (curricula,
    milestones, retractions). ``check_pupil(i, entry)`` may add problems of its own for each
    pupil (e.g. against this database). Raises ``PassportFileError`` listing every problem."""
    return _check_file(_opener(path), str(path), now, check_pupil, on_bytes)


def passport_file_pupils(path: str | Path) -> Iterator[FilePassport]:
    """The pupils of a passport file checked with :func:`check_passport_file`, one at a time."""
    return _pupils(_opener(path), str(path))


def parse_passport_file(text: str, name: str, now: datetime | None = None) -> PassportFile:
    """Check a passport file's text (see :func:`check_passport_file`) and return all of it.
    ``name`` is only used in the messages."""
    data = text.encode("utf-8", "surrogatepass")
    return _whole(lambda: io.BytesIO(data), name, now)


def read_passport_file(path: str | Path, now: datetime | None = None) -> PassportFile:
    """Read and check a passport file (UTF-8) and return all of it: for small files; an import
    reads a file a pupil at a time instead."""
    return _whole(_opener(path), str(path), now)


def _whole(opener: Opener, name: str, now: datetime | None) -> PassportFile:
    head = _check_file(opener, name, now, None, None)
    return PassportFile.model_construct(
        schema_ref=head.schema_ref,
        format=FORMAT,
        version=head.version,
        exported_at=head.exported_at,
        exported_by=head.exported_by,
        curricula=head.curricula,
        staff=[FileStaff.model_construct(by=by, name=n) for by, n in head.staff.items()],
        pupils=list(_pupils(opener, name)),
    )


def _check_file(
    opener: Opener,
    name: str,
    now: datetime | None,
    check_pupil: PupilCheck | None,
    on_bytes: Callable[[int], None] | None,
) -> PassportFileHead:
    latest = None if now is None else now + FUTURE_SLACK
    texts: dict[str, str] = {}  # the top-level members but the pupils: their JSON text
    found = _Found()
    upns: dict[str, int] = {}
    curricula: dict[str, Curriculum] | None = None  # once the head is checked
    checked: tuple[PassportFileHead, dict[str, Curriculum]] | None = None
    listed = False
    counts = [0, 0, -1]  # pupils, events, the first pupil with a pathway (-1: none)
    with opener() as raw:
        stream = JsonStream(raw, on_bytes)
        try:
            for key in stream.members():
                if key == "pupils" and not listed:
                    listed = True
                    if texts.keys() >= _HEAD_KEYS:  # the head came first, as this app writes it
                        checked = _head(name, texts, listed)
                        curricula = checked[1]
                    _check_pupils(stream, curricula, latest, check_pupil, found, upns, counts)
                    continue
                _, text = stream.value()
                if key in texts or key == "pupils":
                    found.add(f"{_where([key])}: listed twice")
                    continue
                texts[key] = text
                if key == "staff":
                    continue  # checked on its own (it follows the pupils, as this app writes it)
                checked = None  # a member after the pupils: the head is checked again
                if key in ("format", "version"):
                    _format_and_version(name, texts)  # a file of another kind is refused at once
        except JsonSyntax as e:
            raise refuse(name, [(e.line, e.message)]) from None
        except NotAnObject:
            raise refuse(name, [(None, "$: not a passport file (expected a JSON object)")]) from None
    head, by_id = checked if checked is not None else _head(name, texts, listed)
    if curricula is None and listed and not found:  # the curricula came after the pupils: again
        for i, entry in enumerate(_pupils(opener, name)):
            _pupil_found(i, entry, by_id, latest, upns, check_pupil, found)
    head.staff = _staff(texts.get("staff"), head.version, found)
    if head.version < 2 and counts[2] >= 0:
        found.add(f"$.pupils[{counts[2]}].pathway: a version 1 file carries no pathways (version 2 does)")
    if found:
        raise found.error(name)
    head.pupils, head.events = counts[0], counts[1]
    return head


_READS = " and ".join(str(v) for v in VERSIONS)


def _format_and_version(name: str, texts: dict[str, str]) -> None:
    if "format" in texts and json.loads(texts["format"]) != FORMAT:
        got = _shown(texts["format"])
        raise refuse(name, [(None, f'$.format: not a passport file (format is {got}, expected "{FORMAT}")')])
    if "version" in texts:
        version = json.loads(texts["version"])
        if type(version) is not int or version not in VERSIONS:  # true == 1 and 1.0 == 1 in Python
            got = _shown(texts["version"])
            message = f"$.version: version {got} is not one this passport reads (it reads versions {_READS})"
            raise refuse(name, [(None, message)])


def _shown(text: str) -> str:
    """A value of the file, as JSON on one line, cut when long."""
    shown = json.dumps(json.loads(text))
    return shown if len(shown) <= 80 else shown[:80] + "…"


def _head(name: str, texts: dict[str, str], listed: bool) -> tuple[PassportFileHead, dict[str, Curriculum]]:
    """The checked head (all but the pupils) and its curricula by id; raises on any problem."""
    _format_and_version(name, texts)
    if "format" not in texts:
        raise refuse(
            name, [(None, f'$.format: not a passport file (format is missing, expected "{FORMAT}")')]
        )
    if "version" not in texts:
        message = f"$.version: version missing is not one this passport reads (it reads versions {_READS})"
        raise refuse(name, [(None, message)])
    found: list[tuple[int | None, str]] = []
    if not listed:
        found.append((None, "$.pupils: missing (required)"))
    body = "{" + ",".join(f"{json.dumps(key)}:{text}" for key, text in texts.items() if key != "staff") + "}"
    try:
        fields = _HeadFields.model_validate_json(body, strict=True)
    except ValidationError as error:
        found += [(None, f"{_where(e['loc'])}: {_message(e)}") for e in error.errors()]
        raise refuse(name, found) from None
    if found:
        raise refuse(name, found)
    problems, by_id = _curricula_problems(fields.curricula)
    if problems:
        raise refuse(name, [(None, message) for message in problems])
    head = PassportFileHead(
        name,
        fields.exported_at,
        fields.exported_by,
        fields.curricula,
        fields.schema_ref,
        version=fields.version,
    )
    return head, by_id


_STAFF: TypeAdapter[list[FileStaff]] = TypeAdapter(list[FileStaff])


def _staff(text: str | None, version: int, found: _Found) -> dict[str, str]:
    """The file's ``staff`` (JSON text, or None when it has none) checked: each name by its
    ``by``; an author listed twice, or a ``staff`` in a version 1 file, is a problem."""
    if text is None:
        return {}
    if version < 2:
        found.add("$.staff: a version 1 file carries no staff names (version 2 does)")
        return {}
    try:
        staff = _STAFF.validate_json(text, strict=True)
    except ValidationError as error:
        for e in error.errors():
            found.add(f"{_where(('staff', *e['loc']))}: {_message(e)}")
        return {}
    names: dict[str, str] = {}
    seen: dict[str, int] = {}  # as the import keeps an author: on one line
    for i, member in enumerate(staff):
        key = " ".join(member.by.split())
        if key in seen:
            found.add(f"$.staff[{i}].by: {member.by!r} is also $.staff[{seen[key]}]")
            continue
        seen[key] = i
        names[member.by] = member.name
    return names


_PUPILS: TypeAdapter[list[FilePassport]] = TypeAdapter(list[FilePassport])


def _check_pupils(
    stream: JsonStream,
    curricula: dict[str, Curriculum] | None,
    latest: datetime | None,
    check_pupil: PupilCheck | None,
    found: _Found,
    upns: dict[str, int],
    counts: list[int],
) -> None:
    """Each pupil's shape, and, when the curricula are known, its references."""
    if not stream.is_next("["):
        _, text = stream.value()
        try:
            _PUPILS.validate_json(text, strict=True)
        except ValidationError as error:
            for e in error.errors():
                found.add(f"{_where(('pupils', *e['loc']))}: {_message(e)}")
        return
    for i, (_, text) in enumerate(stream.items()):
        if i == MAX_PUPILS:
            raise JsonSyntax(None, f"$.pupils: more than {MAX_PUPILS:,} pupils: refused")
        try:
            entry = FilePassport.model_validate_json(text, strict=True)
        except ValidationError as error:
            for e in error.errors():
                found.add(f"{_where(('pupils', i, *e['loc']))}: {_message(e)}")
            continue
        counts[0] += 1
        counts[1] += len(entry.events)
        if counts[2] < 0 and "pathway" in entry.model_fields_set:
            counts[2] = i
        if curricula is not None:
            _pupil_found(i, entry, curricula, latest, upns, check_pupil, found)


def _pupil_found(
    i: int,
    entry: FilePassport,
    curricula: dict[str, Curriculum],
    latest: datetime | None,
    upns: dict[str, int],
    check_pupil: PupilCheck | None,
    found: _Found,
) -> None:
    """The pupil's references; when they are sound, the caller's own check of it."""
    problems = _pupil_problems(i, entry, curricula, latest, upns)
    if not problems and check_pupil is not None:
        problems = check_pupil(i, entry)
    for message in problems:
        found.add(message)


def _pupils(opener: Opener, name: str) -> Iterator[FilePassport]:
    changed = refuse(name, [(None, "the file changed while it was read: import it again")])
    with opener() as raw:
        stream = JsonStream(raw)
        try:
            for key in stream.members():
                if key != "pupils" or not stream.is_next("["):
                    stream.value()
                    continue
                for _, text in stream.items():
                    try:
                        yield FilePassport.model_validate_json(text, strict=True)
                    except ValidationError:
                        raise changed from None
        except (JsonSyntax, NotAnObject):
            raise changed from None


def _curricula_problems(curricula: list[Curriculum]) -> tuple[list[str], dict[str, Curriculum]]:
    """The file's curricula sound and listed once; returns the problems and the curricula by id."""
    found: list[str] = []
    by_id: dict[str, Curriculum] = {}
    for i, c in enumerate(curricula):
        where = f"$.curricula[{i}]"
        if c.id in by_id:
            found.append(f"{where}.curriculum.id: curriculum {c.id} is listed twice")
            continue
        by_id[c.id] = c
        try:
            parse_curriculum(dump_curriculum(c), where)
        except CurriculumError as error:
            found += [f"{where}: curriculum {c.id}: {p.message}" for p in error.problems]
    return found, by_id


def _pupil_problems(
    i: int,
    entry: FilePassport,
    curricula: dict[str, Curriculum],
    latest: datetime | None,
    upns: dict[str, int],
) -> list[str]:
    """References the models cannot check, in one pupil: the pupil listed once, every milestone in
    its curriculum, retractions pointing back at an achieved event, no future times."""
    found: list[str] = []

    def curriculum_of(where: str, cid: str | None) -> Curriculum | None:
        if cid is None:
            return None
        c = curricula.get(cid)
        if c is None:
            found.append(f"{where}.curriculum: curriculum {cid!r} is not among the file's curricula")
        return c

    personal: set[tuple[str, str]] = set()  # the current pupil's outcomes: (curriculum, id)

    def milestone_in(where: str, c: Curriculum | None, mid: str) -> None:
        if (
            c is not None
            and mid not in c.milestone_by_id
            and mid not in c.curriculum.moved
            and (c.id, mid) not in personal
        ):
            found.append(f"{where}: no milestone {mid!r} in curriculum {c.id} version {c.curriculum.version}")

    def not_future(where: str, at: datetime) -> None:
        if latest is not None and at > latest:
            found.append(f"{where}.at: {at.isoformat()} is in the future")

    here = f"$.pupils[{i}]"
    upn = entry.pupil.upn
    if upn in upns:
        found.append(f"{here}.pupil.upn: UPN {upn} is also $.pupils[{upns[upn]}]")
    else:
        upns[upn] = i
    _pathway_problems(entry, here, curricula, found)
    personal = _outcome_problems(entry, here, curricula, found)
    for j, o in enumerate(entry.outcomes):
        not_future(f"{here}.outcomes[{j}]", o.at)
    seen: dict[str, Curriculum | None] = {}  # the events' curricula, each looked up once
    for j, e in enumerate(entry.events):
        # a million events are checked here: a location is written only for a problem
        cid, mid = e.curriculum, e.milestone
        if cid in seen:
            c = seen[cid]
        else:
            c = seen[cid] = curriculum_of(f"{here}.events[{j}]", cid)
        if c is not None and mid not in c.milestone_by_id:
            milestone_in(f"{here}.events[{j}].milestone", c, mid)
        if latest is not None and e.at > latest:
            not_future(f"{here}.events[{j}]", e.at)
        if e.verdict is Verdict.RETRACTED:
            where = f"{here}.events[{j}]"
            if e.corrects is None:
                found.append(f"{where}.corrects: a retraction names the achieved event it corrects")
            elif e.corrects >= j:
                found.append(f"{where}.corrects: {e.corrects} is not an earlier event of this pupil")
            else:
                t = entry.events[e.corrects]
                if (t.verdict, t.curriculum, t.milestone) != (
                    Verdict.ACHIEVED,
                    e.curriculum,
                    e.milestone,
                ):
                    found.append(
                        f"{where}.corrects: event {e.corrects} is not an achieved {e.milestone} "
                        f"in {e.curriculum}"
                    )
        elif e.corrects is not None:
            found.append(f"{here}.events[{j}].corrects: only a retraction corrects an event")
    for j, s in enumerate(entry.test_scores):
        curriculum_of(f"{here}.test_scores[{j}]", s.curriculum)
        not_future(f"{here}.test_scores[{j}]", s.at)
    for j, t in enumerate(entry.targets):
        where = f"{here}.targets[{j}]"
        c = curriculum_of(where, t.curriculum)
        for k, mid in enumerate(t.milestones or []):
            milestone_in(f"{where}.milestones[{k}]", c, mid)
        not_future(where, t.at)
    for j, f in enumerate(entry.focus):
        where = f"{here}.focus[{j}]"
        milestone_in(f"{where}.milestone", curriculum_of(where, f.curriculum), f.milestone)
        not_future(where, f.at)
    for j, n in enumerate(entry.notes):
        curriculum_of(f"{here}.notes[{j}]", n.curriculum)
        not_future(f"{here}.notes[{j}]", n.at)
    return found


def _pathway_problems(
    entry: FilePassport, here: str, curricula: dict[str, Curriculum], found: list[str]
) -> None:
    """Check a pupil's pathway: when given, not empty, each curriculum among the file's, once."""
    if "pathway" in entry.model_fields_set and not entry.pathway:
        found.append(
            f"{here}.pathway: empty; a pathway names at least one curriculum "
            "(leave it out for a pupil who follows their school's default)"
        )
    first: dict[str, int] = {}
    for k, cid in enumerate(entry.pathway):
        where = f"{here}.pathway[{k}]"
        if cid in first:
            found.append(f"{where}: curriculum {cid!r} is listed twice (also pathway[{first[cid]}])")
            continue
        first[cid] = k
        if cid not in curricula:
            found.append(f"{where}: curriculum {cid!r} is not among the file's curricula")


def _outcome_problems(
    entry: FilePassport, here: str, curricula: dict[str, Curriculum], found: list[str]
) -> set[tuple[str, str]]:
    """Check a pupil's personal outcomes (each once, in a curriculum of the file, under one of its
    areas, requiring its own milestones only); returns their (curriculum, id)."""
    personal: set[tuple[str, str]] = set()
    for j, o in enumerate(entry.outcomes):
        where = f"{here}.outcomes[{j}]"
        c = curricula.get(o.curriculum)
        if c is None:
            found.append(f"{where}.curriculum: curriculum {o.curriculum!r} is not among the file's curricula")
            continue
        if (o.curriculum, o.id) in personal:
            found.append(f"{where}.id: outcome {o.id} is listed twice in {o.curriculum}")
        elif o.id in c.milestone_by_id:
            found.append(f"{where}.id: {o.id} is a milestone of {c.id}, not a personal outcome")
        personal.add((o.curriculum, o.id))
        if o.area not in c.strand_by_id:
            found.append(f"{where}.area: no area {o.area!r} in curriculum {c.id}")
        for k, r in enumerate(o.requires):
            if r not in c.milestone_by_id:
                found.append(f"{where}.requires[{k}]: no milestone {r!r} in curriculum {c.id}")
        if (o.retired_at is None) != (o.retired_by is None) or (o.retired_at is None) != (
            o.retired_reason is None
        ):
            found.append(
                f"{where}: a retired outcome gives retired_at, retired_by and retired_reason together"
            )
    return personal


# --- merging: rules on the file alone ---------------------------------------------------


@dataclass(slots=True)
class ImportSummary:
    """What an import did. ``kept`` explains each event left out so nothing was downgraded."""

    file: str
    curricula_added: list[str] = field(default_factory=list)
    pupils_added: list[str] = field(default_factory=list)  # UPNs
    pupils_matched: list[str] = field(default_factory=list)
    events_added: int = 0
    events_already_here: int = 0
    events_left_out: int = 0
    test_scores_added: int = 0
    targets_added: int = 0
    focus_added: int = 0
    notes_added: int = 0
    outcomes_added: int = 0
    staff_named: int = 0  # names of the sending school's staff new here (or changed)
    pathways_given: list[str] = field(default_factory=list)  # UPNs of new pupils given the file's pathway
    kept: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.curricula_added
            or self.pupils_added
            or self.events_added
            or self.test_scores_added
            or self.targets_added
            or self.focus_added
            or self.notes_added
            or self.outcomes_added
            or self.staff_named
            or self.pathways_given
        )

    def lines(self) -> list[str]:
        out = [
            f"Imported {self.file}: {plural(len(self.pupils_added), 'pupil')} added, "
            f"{len(self.pupils_matched):,} matched by UPN; {plural(self.events_added, 'judgement')} added, "
            f"{self.events_already_here:,} already here, {self.events_left_out:,} left out (never downgrade)",
        ]
        if self.curricula_added:
            out.append(f"Curricula added: {', '.join(self.curricula_added)}")
        extras = (
            (self.test_scores_added, "test score"),
            (self.targets_added, "target"),
            (self.focus_added, "focus item"),
            (self.notes_added, "note"),
            (self.outcomes_added, "personal outcome"),
        )
        if any(n for n, _ in extras):
            out.append("Also added: " + ", ".join(plural(n, what) for n, what in extras if n))
        if self.staff_named:
            s = "" if self.staff_named == 1 else "s"
            out.append(f"Staff names: {self.staff_named} author{s} of the sending school now shown by name")
        if self.pathways_given:
            n = len(self.pathways_given)
            out.append(
                f"Pathways: {n} new pupil{'' if n == 1 else 's'} follow{'s' if n == 1 else ''} "
                "the pathway the file gives them"
            )
        out += self.kept + self.warnings
        return out


def missing_here(pf: PassportFile, ours: dict[str, Curriculum]) -> list[str]:
    """Milestones the file uses that our copy of the same curriculum version lacks."""
    return [m for i, entry in enumerate(pf.pupils) for m in missing_here_in(i, entry, ours.get)]


def missing_here_in(i: int, entry: FilePassport, ours: Callable[[str], Curriculum | None]) -> list[str]:
    """Milestones pupil ``i`` of the file uses that our copy of the curriculum lacks."""
    found: list[str] = []
    personal = {(o.curriculum, o.id) for o in entry.outcomes}  # the pupil's own milestones
    refs = [(f"events[{j}].milestone", e.curriculum, e.milestone) for j, e in enumerate(entry.events)]
    refs += [(f"focus[{j}].milestone", f.curriculum, f.milestone) for j, f in enumerate(entry.focus)]
    refs += [
        (f"targets[{j}].milestones[{k}]", t.curriculum, m)
        for j, t in enumerate(entry.targets)
        for k, m in enumerate(t.milestones or [])
    ]
    for where, cid, mid in refs:
        mine = ours(cid)
        if (
            mine is not None
            and mid not in mine.milestone_by_id
            and mid not in mine.curriculum.moved
            and (cid, mid) not in personal
        ):
            found.append(
                f"$.pupils[{i}].{where}: milestone {mid!r} is not in this database's curriculum "
                f"{cid} version {mine.curriculum.version}"
            )
    return found


PREVIOUS_SCHOOL = "previous school"


def sending_school(pf: PassportFile | PassportFileHead) -> str:
    """The school a file comes from, as its staff are named here: ``exported_by.school`` (on one
    line), or "previous school" when the file does not say."""
    return " ".join((pf.exported_by.school or "").split()) or PREVIOUS_SCHOOL


def foreign_author(by: str, school: str) -> str:
    """How an author named in a passport file is stored here: "ms.x, Oak Primary" (shown so, or
    as "Ms X (Oak Primary)" when a file named them: ``models.named_author``). An author that
    already names a school ("ms.x, Oak Primary" in a file from a school that had imported it) is
    kept as it is; either way it holds a comma, which no login here does."""
    name = " ".join(by.split()) or "someone"
    return name if by_another_school(name) else f"{name}, {school}"


def unmet_problem(index: int, position: int, upn: str, cid: str, mid: str, unmet: list[str]) -> str:
    """The line refusing a file's ``achieved`` with unmet prerequisites and no override reason."""
    return (
        f"$.pupils[{index}].events[{position}]: pupil {upn}, milestone {mid} ({cid}): achieved while "
        f"{', '.join(unmet)} {'is' if len(unmet) == 1 else 'are'} not achieved, with no override reason "
        "in the file; nothing was imported (add the sending school's reason, or leave the event out)"
    )


def event_key(cid: str, mid: str, verdict: str, by: str, at: str) -> tuple[str, str, str, str, str]:
    return (cid, mid, verdict, by, at)


def file_fold(events: list[FileEvent]) -> tuple[set[int], set[int]]:
    """Positions of the file's achieved events live at its end, and those the file retracts."""
    live: dict[tuple[str, str], list[int]] = {}
    corrected: set[int] = set()
    for p, e in enumerate(events):
        key = (e.curriculum, e.milestone)
        if e.verdict is Verdict.ACHIEVED:
            live.setdefault(key, []).append(p)
        elif e.verdict is Verdict.RETRACTED and e.corrects is not None:
            gone = [q for q in live.get(key, []) if q <= e.corrects]
            corrected.update(gone)
            live[key] = [q for q in live.get(key, []) if q > e.corrects]
    return {q for qs in live.values() for q in qs}, corrected


def target_key(
    cid: str, year: int, points: int | None, milestones: list[str] | None, t: Target | FileTarget
) -> tuple[Any, ...]:
    return (
        cid,
        year,
        points,
        tuple(milestones) if milestones is not None else None,
        t.due.isoformat() if t.due else None,
        t.reason,
        t.by,
        iso_utc(t.at),
    )
