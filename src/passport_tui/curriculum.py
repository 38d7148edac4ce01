"""Curriculum files (DESIGN §4): TOML ⇄ ``Curriculum``.

Reading never stops at the first problem: every problem in a file is reported, each as
``FILE:LINE: message`` in a ``CurriculumError``. tomllib gives no line numbers for values, so
``_Scanner`` finds on which line each table and key starts. Writing uses tomli-w for values and
lays the file out as §4 does: ``[curriculum]``, ``[[stages]]``, ``[[strands]]``, ``[[milestones]]``.
A new version of a curriculum says in ``[curriculum]`` what became of milestones it no longer
has: ``moved`` (``{ "OLD" = "NEW" }``, written back as a ``[curriculum.moved]`` table) and
``retired`` (a list, or ``retired = true`` on a milestone); ``engine.revision`` checks a version
against the stored one.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import CurriculumError, Problem
from .files import write_atomically
from .models import Curriculum, CurriculumHeader, Milestone, Stage, Strand

__all__ = ["dump_curriculum", "load_curriculum", "parse_curriculum", "save_curriculum"]

SECTIONS: dict[str, tuple[str, type[BaseModel]]] = {
    "stages": ("stage", Stage),
    "strands": ("strand", Strand),
    "milestones": ("milestone", Milestone),
}

Table = tuple[str, int]  # ("milestones", 3) is the 4th [[milestones]]; ("curriculum", 0); ("", 0) is the top
TOP: Table = ("", 0)


# --- reading -----------------------------------------------------------------------------


def load_curriculum(path: str | Path) -> Curriculum:
    """Read and check a curriculum file; raise ``CurriculumError`` listing every problem."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        message = f"cannot read the file: {error.strerror or error}"
        raise CurriculumError([Problem(name, None, message)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CurriculumError([Problem(name, line, "the file is not UTF-8 text")]) from None
    return parse_curriculum(text, name)


def parse_curriculum(text: str, filename: str) -> Curriculum:
    """Check curriculum TOML ``text``; ``filename`` is only used in the messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, message = _syntax_problem(str(error), text)
        raise CurriculumError([Problem(filename, line, message)]) from None
    except RecursionError:
        raise CurriculumError([Problem(filename, None, "TOML syntax error: nested too deeply")]) from None

    lines = _Scanner(text).run()
    data, found = _read_links(data, lines)
    try:
        curriculum: Curriculum | None = Curriculum.model_validate(data, strict=True)
    except ValidationError as error:
        curriculum = None
        found += [_shape_problem(e, data, lines) for e in error.errors()]
    found += _link_problems(data, lines)
    found += _change_problems(data, lines)
    if found or curriculum is None:
        unique = sorted(dict.fromkeys(found), key=lambda problem: problem[0])
        raise CurriculumError([Problem(filename, line, message) for line, message in unique])
    return curriculum


_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def _syntax_problem(message: str, text: str) -> tuple[int, str]:
    """tomllib says '... (at line N, column M)' or '... (at end of document)'."""
    match = _AT.search(message)
    if match is None:
        return 1, f"TOML syntax error: {message}"
    what = message[: match.start()]
    if match.group(1) is None:
        return text.rstrip().count("\n") + 1, f"TOML syntax error: {what} (at the end of the file)"
    return int(match.group(1)), f"TOML syntax error: {what} (column {match.group(2)})"


# --- where things are ---------------------------------------------------------------------


@dataclass
class _Lines:
    """The line of each table header and of each ``key =`` inside a table."""

    tables: dict[Table, int] = field(default_factory=dict)
    keys: dict[tuple[Table, str], int] = field(default_factory=dict)
    items: dict[tuple[Table, str, int], int] = field(default_factory=dict)  # entries of a key's array

    moved: dict[Table, list[int]] = field(default_factory=dict)  # requires entries read from tables

    def item(self, table: Table, key: str, index: int) -> int:
        """The line of entry ``index`` of a key's array (as read: see ``_read_links``)."""
        at = self.moved.get(table) if key == "requires" else None
        if at is not None and 0 <= index < len(at):
            index = at[index]
        return self.items.get((table, key, index)) or self.key(table, key)

    def table(self, table: Table) -> int:
        return self.tables.get(table) or self.keys.get((TOP, table[0])) or 1

    def key(self, table: Table, key: str) -> int:
        return self.keys.get((table, key)) or self.table(table)

    def add_table(self, table: Table, line: int) -> None:
        self.tables.setdefault(table, line)

    def add_key(self, table: Table, key: str, line: int) -> None:
        self.keys.setdefault((table, key), line)


_HEADER = re.compile(r"\[\[([^\[\]\n]*)\]\]|\[([^\[\]\n]*)\]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass
class _Frame:
    """An open array or inline table; ``owner`` is the table its keys belong to, if we track it."""

    kind: str  # "array" | "inline"
    owner: Table | None = None  # inline: the table of its keys; array: (section, 0) for an array of tables
    items: int = 0
    want_key: bool = True
    entries: tuple[Table, str] | None = None  # an array whose entries' lines we note: (table, key)
    want_entry: bool = True


class _Scanner:
    """Walks TOML text once and notes where each table and key starts.

    It skips strings and comments properly so that ``[[milestones]]`` inside a multi-line
    string is not taken for a header. It never raises: on text that is not TOML it finds less.
    Keys inside inline tables are found for ``curriculum = {...}`` and ``milestones = [{...}, ...]``.
    """

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1
        self.table: Table = TOP
        self.aot_counts: dict[str, int] = defaultdict(int)
        self.stack: list[_Frame] = []
        self.at_statement = True
        self.last_top_key = ""
        self.last_key = ""  # the last key of a statement in the current table
        self.found = _Lines()

    def run(self) -> _Lines:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c == "\n":
                self.line += 1
                self.pos += 1
                if not self.stack:
                    self.at_statement = True
            elif c in " \t\r":
                self.pos += 1
            elif c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif not self.stack and self.at_statement:
                if c == "[":
                    self._header()
                else:
                    self._key(self.table, top=self.table == TOP)
            elif self.stack and self.stack[-1].kind == "inline" and self.stack[-1].want_key:
                if c == "}":
                    self.stack.pop()
                    self.pos += 1
                else:
                    frame = self.stack[-1]
                    frame.want_key = False
                    self._key(frame.owner, top=False)
            else:
                self._value_char(c)
        return self.found

    def _header(self) -> None:
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        match = _HEADER.match(self.text, self.pos, end)
        self.pos = end
        if match is None:
            self.table = ("?", 0)
            return
        is_aot = match.group(1) is not None
        parts = _key_parts(match.group(1) if is_aot else match.group(2))
        name = ".".join(parts)
        if len(parts) > 1:  # [curriculum.x] or [[milestones.x]]: a key of the table it is in
            parent = (parts[0], max(self.aot_counts[parts[0]] - 1, 0))
            self.found.add_key(parent, parts[1], self.line)
        if is_aot:
            self.table = (name, self.aot_counts[name])
            self.aot_counts[name] += 1
        else:
            self.table = (name, 0)
        self.found.add_table(self.table, self.line)

    def _key(self, owner: Table | None, *, top: bool) -> None:
        start = self.pos
        parts: list[str] = []
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t":
                self.pos += 1
            elif c in "\"'":
                end = text.find(c, self.pos + 1)
                if end < 0 or "\n" in text[self.pos : end]:
                    break
                parts.append(text[self.pos + 1 : end])
                self.pos = end + 1
            elif c == ".":
                self.pos += 1
            elif c == "=":
                self.pos += 1
                break
            else:
                bare = _BARE_KEY.match(text, self.pos)
                if bare is None:
                    break
                parts.append(bare.group())
                self.pos = bare.end()
        self.at_statement = False
        if self.pos == start:
            self.pos += 1
        if not parts:
            return
        if owner is not None:
            self.found.add_key(owner, parts[0], self.line)
        if not self.stack:
            self.last_key = parts[0]
        if top:
            self.last_top_key = parts[0]
            if len(parts) > 1:  # curriculum.id = "x"
                self.found.add_key((parts[0], 0), parts[1], self.line)

    def _value_char(self, c: str) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and top.entries is not None and c not in "],":
            if top.want_entry:  # an entry of an array whose entries we locate starts here
                table, key = top.entries
                self.found.items.setdefault((table, key, top.items), self.line)
                top.want_entry = False
        elif top is not None and top.entries is not None and c == ",":
            top.items += 1
            top.want_entry = True
        if c in "\"'":
            self._skip_string(c)
            return
        self.pos += 1
        if c == "[":
            owner = None
            if top is None and self.table == TOP and self.last_top_key in SECTIONS:
                owner = (self.last_top_key, 0)
            entries = None
            if top is None and self.table[0] == "milestones" and self.last_key == "requires":
                entries = (self.table, "requires")
            self.stack.append(_Frame("array", owner, entries=entries))
        elif c == "{":
            owner = None
            if top is None and self.table == TOP and self.last_top_key == "curriculum":
                owner = ("curriculum", 0)
            elif top is not None and top.kind == "array" and top.owner is not None and len(self.stack) == 1:
                owner = (top.owner[0], top.items)
                top.items += 1
            if owner is not None:
                self.found.add_table(owner, self.line)
            self.stack.append(_Frame("inline", owner))
        elif c in "]}" and top is not None:
            self.stack.pop()
        elif c == "," and top is not None and top.kind == "inline":
            top.want_key = True

    def _skip_string(self, quote: str) -> None:
        text, start = self.text, self.pos
        triple = quote * 3
        if text.startswith(triple, start):
            end = self._find_close(triple, start + 3)
            for _ in range(2):  # up to two more quotes end the content: """a"""" is 'a"'
                if text.startswith(quote, end):
                    end += 1
        else:
            end = self._find_close(quote, start + 1)
            newline = text.find("\n", start, end)
            if newline >= 0:
                end = newline
        self.line += text.count("\n", start, end)
        self.pos = max(end, start + 1)

    def _find_close(self, close: str, pos: int) -> int:
        """The position just after ``close``, skipping backslash escapes in basic strings."""
        text = self.text
        escapes = close[0] == '"'
        while pos < len(text):
            if escapes and text[pos] == "\\":
                pos += 2
            elif text.startswith(close, pos):
                return pos + len(close)
            else:
                pos += 1
        return len(text)


def _key_parts(key: str) -> list[str]:
    parts = []
    for piece in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', key):
        piece = piece.strip()
        if len(piece) >= 2 and piece[0] == piece[-1] and piece[0] in "\"'":
            piece = piece[1:-1]
        parts.append(piece)
    return parts or [key.strip()]


# --- what is wrong ------------------------------------------------------------------------

_EXPECTED = {
    "string_type": "must be text (in quotes)",
    "int_type": "must be a whole number",
    "list_type": "must be a list",
    "model_type": "must be a table",
    "dict_type": "must be a table",
    "model_attributes_type": "must be a table",
}


def _split(loc: tuple[str | int, ...]) -> tuple[Table | None, tuple[str | int, ...]]:
    """Which table a pydantic error location is in, and the rest of the location."""
    if loc and loc[0] == "curriculum":
        return ("curriculum", 0), loc[1:]
    if len(loc) >= 2 and loc[0] in SECTIONS and isinstance(loc[1], int):
        return (str(loc[0]), loc[1]), loc[2:]
    return None, loc


def _element(data: dict[str, Any], table: Table) -> dict[str, Any] | None:
    if table[0] == "curriculum":
        value = data.get("curriculum")
    else:
        items = data.get(table[0])
        value = items[table[1]] if isinstance(items, list) and 0 <= table[1] < len(items) else None
    return value if isinstance(value, dict) else None


def _what(data: dict[str, Any], table: Table) -> str:
    """How a message names a table: '[curriculum]', 'milestone 3NPV-1' or 'milestone #4'."""
    if table[0] == "curriculum":
        return "[curriculum]"
    noun = SECTIONS[table[0]][0] if table[0] in SECTIONS else table[0]
    element = _element(data, table) or {}
    ident = element.get("id")
    return f"{noun} {ident}" if isinstance(ident, str) and ident.strip() else f"{noun} #{table[1] + 1}"


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)[:40]


def _shape_problem(error: ErrorDetails, data: dict[str, Any], lines: _Lines) -> tuple[int, str]:
    """One pydantic error as (line, message)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    table, rest = _split(loc)
    if table is None:
        name = str(loc[0]) if loc else "?"
        line = lines.table((name, 0))
        if kind == "list_type" and name in SECTIONS:
            return line, f"'{name}' must be a list of [[{name}]] tables, got {_shown(error['input'])}"
        if kind == "extra_forbidden":
            return line, f"unknown table or key '{name}' (expected {_choices(Curriculum)})"
        return line, f"'{name}' {_EXPECTED.get(kind, _plain(error['msg']))}, got {_shown(error['input'])}"

    what = _what(data, table)
    model = CurriculumHeader if table[0] == "curriculum" else SECTIONS[table[0]][1]
    if not rest:
        if kind == "missing":
            return 1, f"missing the [{table[0]}] table (with its id and title)"
        if kind in _EXPECTED:
            return lines.table(table), f"{what} {_EXPECTED[kind]}, got {_shown(error['input'])}"
        return lines.table(table), f"{what}: {_plain(error['msg'])}"
    name = str(rest[0])
    if kind == "missing":
        return lines.table(table), f"{what}: missing field '{name}'"
    line = lines.key(table, name)
    if kind == "extra_forbidden":
        guess = get_close_matches(name, _file_fields(model), n=1)
        hint = f"did you mean '{guess[0]}'?" if guess else f"expected {_choices(model)}"
        return line, f"{what}: unknown field '{name}' ({hint})"
    subject = f"'{name}'" if len(rest) == 1 else f"item {_index(rest[1])} of '{name}'"
    if kind in _EXPECTED:
        return line, f"{what}: {subject} {_EXPECTED[kind]}, got {_shown(error['input'])}"
    if kind == "value_error":  # our validators name the field themselves
        return line, f"{what}: {_plain(error['msg'])}"
    return line, f"{what}: {subject}: {_plain(error['msg'])}"


def _file_fields(model: type[BaseModel]) -> list[str]:
    """The keys a file may use (a milestone's ``provenance`` is written inside ``requires``)."""
    return [name for name in model.model_fields if not (model is Milestone and name == "provenance")]


def _choices(model: type[BaseModel]) -> str:
    return ", ".join(_file_fields(model))


def _index(i: str | int) -> str:
    return str(i + 1) if isinstance(i, int) else str(i)


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")


def _elements(data: dict[str, Any], section: str) -> Iterator[tuple[Table, dict[str, Any]]]:
    items = data.get(section)
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield (section, i), item


def _text(element: dict[str, Any], key: str) -> str | None:
    value = element.get(key)
    return value if isinstance(value, str) else None


LINK_FIELDS = ("id", "source", "reason")
LINK_SHAPE = '{ id = "…", source = "…" } or { id = "…", reason = "…" }'


def _read_links(data: dict[str, Any], lines: _Lines) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """A prerequisite in ``requires`` is an id, or a table ``{ id, source, reason }`` that says where
    the link comes from. Turn the tables into ids plus the milestone's ``provenance`` (the model's
    shape) and report what is wrong with them. ``data`` itself is left as it is."""
    found: list[tuple[int, str]] = []
    items = data.get("milestones")
    if not isinstance(items, list):
        return data, found
    milestones: list[Any] = []
    for i, element in enumerate(items):
        if not isinstance(element, dict):
            milestones.append(element)
            continue
        table = ("milestones", i)
        what = _what(data, table)
        element = dict(element)
        if "provenance" in element:
            message = f"{what}: unknown field 'provenance' (write a link's source or reason in 'requires': {LINK_SHAPE})"
            found.append((lines.key(table, "provenance"), message))
            del element["provenance"]
        wanted = element.get("requires")
        if isinstance(wanted, list) and any(isinstance(entry, dict) for entry in wanted):
            ids: list[Any] = []
            provenance: dict[str, dict[str, str]] = {}
            at: list[int] = []  # where each kept entry was in the file's list
            for n, entry in enumerate(wanted):
                if not isinstance(entry, dict):
                    ids.append(entry)
                    at.append(n)
                    continue
                problems, ident = _link_entry_problems(entry, f"{what}: item {n + 1} of 'requires'")
                found += [(lines.item(table, "requires", n), problem) for problem in problems]
                if ident is None:
                    continue
                ids.append(ident)
                at.append(n)
                if not problems:
                    provenance[ident] = {k: entry[k] for k in ("source", "reason") if k in entry}
            element["requires"] = ids
            element["provenance"] = provenance
            lines.moved[table] = at
        milestones.append(element)
    return {**data, "milestones": milestones}, found


def _link_entry_problems(entry: dict[str, Any], subject: str) -> tuple[list[str], str | None]:
    """What is wrong with one ``{ id, source, reason }`` table, and its id if it has a usable one."""
    problems: list[str] = []
    for key in entry:
        if key not in LINK_FIELDS:
            guess = get_close_matches(key, LINK_FIELDS, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"expected {', '.join(LINK_FIELDS)}"
            problems.append(f"{subject}: unknown field '{key}' ({hint})")
    for key in LINK_FIELDS:
        if key in entry and not isinstance(entry[key], str):
            problems.append(f"{subject}: '{key}' {_EXPECTED['string_type']}, got {_shown(entry[key])}")
        elif key != "id" and key in entry and not entry[key].strip():
            problems.append(f"{subject}: '{key}' is blank")
    ident = entry.get("id")
    if "id" not in entry:
        problems.append(f"{subject}: missing field 'id' (the prerequisite's milestone id)")
    if not any(key in entry for key in ("source", "reason")):
        named = f" ('{ident}')" if isinstance(ident, str) else ""
        problems.append(
            f"{subject}{named} needs a 'source' (where the link is published) or a 'reason' "
            "(why it holds, in your reading); or write the id alone"
        )
    return problems, ident if isinstance(ident, str) else None


def _link_problems(data: dict[str, Any], lines: _Lines) -> list[tuple[int, str]]:
    """Duplicate ids, undeclared stages/strands/parents, unknown or circular prerequisites."""
    found: list[tuple[int, str]] = []
    declared: dict[str, dict[str, Table]] = {}
    for section, (noun, _) in SECTIONS.items():
        seen: dict[str, Table] = {}
        for table, element in _elements(data, section):
            ident = _text(element, "id")
            if ident is None:
                continue
            if ident in seen:
                first = lines.key(seen[ident], "id")
                message = f"duplicate {noun} id '{ident}' (first on line {first})"
                found.append((lines.key(table, "id"), message))
            else:
                seen[ident] = table
        declared[section] = seen

    strands, milestones = declared["strands"], declared["milestones"]
    parents: dict[str, list[str]] = {}
    for table, strand in _elements(data, "strands"):
        parent = _text(strand, "parent")
        ident = _text(strand, "id")
        if parent is None:
            continue
        if parent == ident:
            found.append((lines.key(table, "parent"), f"strand {ident} is its own parent"))
        elif parent not in strands:
            message = f"{_what(data, table)}: parent '{parent}' is not declared"
            found.append((lines.key(table, "parent"), message))
        elif ident is not None and strands[ident] == table:
            parents[ident] = [parent]
    for cycle in _cycles(parents):
        line = lines.key(strands[cycle[0]], "parent")
        found.append((line, f"strand parent cycle: {' -> '.join(cycle)}"))

    requires: dict[str, list[str]] = {}
    for table, milestone in _elements(data, "milestones"):
        what = _what(data, table)
        ident = _text(milestone, "id")
        for key, section in (("stage", "stages"), ("strand", "strands")):
            ref = _text(milestone, key)
            if ref is not None and ref not in declared[section]:
                found.append((lines.key(table, key), f"{what}: {key} '{ref}' is not declared"))
        wanted = milestone.get("requires")
        edges: list[str] = []
        for n, ref in enumerate(wanted if isinstance(wanted, list) else []):
            if not isinstance(ref, str):
                continue
            line = lines.item(table, "requires", n)
            if ref == ident:
                found.append((line, f"milestone {ident} requires itself"))
            elif ref in wanted[:n]:
                found.append((line, f"{what}: prerequisite '{ref}' is listed twice"))
            elif ref not in milestones:
                found.append((line, f"{what}: prerequisite '{ref}' names no milestone"))
            else:
                edges.append(ref)
        if ident is not None and milestones.get(ident) == table:
            requires[ident] = edges
    for cycle in _cycles(requires):
        line = lines.key(milestones[cycle[0]], "requires")
        found.append((line, f"prerequisite cycle: {' -> '.join(cycle)}"))
    return found


def _change_problems(data: dict[str, Any], lines: _Lines) -> list[tuple[int, str]]:
    """What is wrong with ``moved`` and ``retired``: a moved id that is still a milestone here, a
    move to no milestone or to a retired one, an id both moved and retired or listed twice, and a
    milestone still taught that requires a retired one."""
    header = data.get("curriculum")
    header = header if isinstance(header, dict) else {}
    table: Table = ("curriculum", 0)
    found: list[tuple[int, str]] = []
    ids: dict[str, Table] = {}
    for at, element in _elements(data, "milestones"):
        ident = _text(element, "id")
        if ident is not None:
            ids.setdefault(ident, at)
    listed = header.get("retired")
    listed = [x for x in listed if isinstance(x, str)] if isinstance(listed, list) else []
    retired = set(listed) | {
        ident
        for _, element in _elements(data, "milestones")
        if (ident := _text(element, "id")) is not None and element.get("retired") is True
    }
    moved = header.get("moved")
    moved = {k: v for k, v in moved.items() if isinstance(v, str)} if isinstance(moved, dict) else {}
    for old, new in moved.items():
        # each entry's own line when written as a [curriculum.moved] table
        line = lines.keys.get((("curriculum.moved", 0), old)) or lines.key(table, "moved")
        if old == new:
            found.append((line, f"[curriculum]: moved: '{old}' is moved to itself"))
        elif old in ids:
            found.append(
                (
                    line,
                    f"[curriculum]: moved: '{old}' is still a milestone of this file (line "
                    f"{lines.key(ids[old], 'id')}); only a milestone that is gone is moved (retire one to keep it)",
                )
            )
        elif new not in ids:
            found.append(
                (line, f"[curriculum]: moved: '{old}' is moved to '{new}', which names no milestone")
            )
        elif new in retired:
            found.append(
                (
                    line,
                    f"[curriculum]: moved: '{old}' is moved to '{new}', which is retired; "
                    "move it to a milestone still taught",
                )
            )
    line = lines.key(table, "retired")
    seen: set[str] = set()
    for ident in listed:
        if ident in seen:
            found.append((line, f"[curriculum]: retired: '{ident}' is listed twice"))
        seen.add(ident)
        if ident in moved:
            found.append(
                (
                    line,
                    f"[curriculum]: '{ident}' is both moved (to '{moved[ident]}') and retired; "
                    "give it one or the other",
                )
            )
    if retired:
        for at, element in _elements(data, "milestones"):
            ident = _text(element, "id")
            wanted = element.get("requires")
            if ident is None or ident in retired or not isinstance(wanted, list):
                continue
            for n, ref in enumerate(wanted):
                if isinstance(ref, str) and ref in retired and ref != ident:
                    found.append(
                        (
                            lines.item(at, "requires", n),
                            f"{_what(data, at)}: prerequisite '{ref}' is retired; a milestone still "
                            "taught cannot need it (drop the link, or require what replaces it)",
                        )
                    )
    return found


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Cycles of a graph given as node -> successors, each as [a, b, a], starting at the
    cycle's first node in the graph's order. Every node on a cycle is in exactly one reported cycle."""
    order = {node: i for i, node in enumerate(graph)}
    alive = set(graph)
    cycles: list[list[str]] = []
    while True:
        _prune(graph, alive)
        if not alive:
            return cycles
        node = min(alive, key=order.__getitem__)
        path: list[str] = []
        at: dict[str, int] = {}
        while node not in at:
            at[node] = len(path)
            path.append(node)
            node = next(n for n in graph[node] if n in alive)
        cycle = path[at[node] :]
        first = min(range(len(cycle)), key=lambda i: order[cycle[i]])
        cycle = cycle[first:] + cycle[:first]
        cycles.append([*cycle, cycle[0]])
        alive.difference_update(cycle)


def _prune(graph: dict[str, list[str]], alive: set[str]) -> None:
    """Drop from ``alive`` every node that cannot reach a cycle (Kahn's algorithm, reversed)."""
    users: dict[str, list[str]] = defaultdict(list)
    out: dict[str, int] = {}
    for node in alive:
        successors = {n for n in graph[node] if n in alive}
        out[node] = len(successors)
        for n in successors:
            users[n].append(node)
    queue = [node for node, count in out.items() if count == 0]
    while queue:
        node = queue.pop()
        alive.discard(node)
        for user in users[node]:
            out[user] -= 1
            if out[user] == 0:
                queue.append(user)


# --- writing ------------------------------------------------------------------------------


def dump_curriculum(c: Curriculum) -> str:
    """The curriculum as TOML in the §4 layout; None values, empty ``requires``, ``moved`` and
    ``retired``, and ``retired = false`` are left out. ``moved`` is written as its own table,
    ``[curriculum.moved]``, one line a milestone, after the header's other keys."""
    chunks = [_table_text("[curriculum]", c.curriculum)]
    if c.curriculum.moved:
        entries = "".join(tomli_w.dumps({old: new}) for old, new in c.curriculum.moved.items())
        chunks[0] += f"\n[curriculum.moved]\n{entries}"
    for section in SECTIONS:
        chunks += [_table_text(f"[[{section}]]", item) for item in getattr(c, section)]
    return "\n".join(chunks)


def save_curriculum(c: Curriculum, path: str | Path) -> None:
    """Write the curriculum to a new file at ``path`` atomically (a temporary file, then a rename)."""
    write_atomically(path, dump_curriculum(c))


def _table_text(header: str, model: BaseModel) -> str:
    lines = [header]
    for key in type(model).model_fields:
        value = getattr(model, key)
        if value is None or (key in ("requires", "provenance", "moved", "retired") and not value):
            continue
        if key == "moved":  # a table of its own: see dump_curriculum
            continue
        if key == "provenance":  # written inside ``requires``
            continue
        if key == "requires" and isinstance(model, Milestone) and model.provenance:
            lines.append(f"requires = {_requires_text(model)}")
            continue
        lines.append(f"{key} = {_value_text(value)}")
    return "\n".join(lines) + "\n"


def _requires_text(m: Milestone) -> str:
    """``requires`` with each link's provenance: one entry a line, ``{ id = …, source = …, reason = … }``
    for a link that has one, the bare id for one that has none."""
    entries = []
    for ident, link in m.links:
        if link is None:
            entries.append(_value_text(ident))
            continue
        fields = [("id", ident), ("source", link.source), ("reason", link.reason)]
        inner = ", ".join(f"{k} = {_inline_text(v)}" for k, v in fields if v is not None)
        entries.append(f"{{ {inner} }}")
    return "[\n" + "".join(f"    {entry},\n" for entry in entries) + "]"


def _inline_text(value: str) -> str:
    """A string on one line (an inline table must not span lines)."""
    return tomli_w.dumps({"v": value}).removeprefix("v = ").removesuffix("\n")


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        items = [_value_text(v) for v in value]
        one_line = f"[{', '.join(items)}]"
        if len(one_line) <= 80:
            return one_line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    multiline = isinstance(value, str) and "\r" not in value
    return tomli_w.dumps({"v": value}, multiline_strings=multiline).removeprefix("v = ").removesuffix("\n")
