"""CASE JSON (1EdTech Competencies and Academic Standards Exchange, 1.0 and 1.1) ⇄ ``Curriculum``.

Reading (``read_case`` / ``parse_case``) turns a CFPackage into a curriculum:

- **header**: id = the one ``write_case`` keeps in the CFDocument's ``extensions.passportCurriculum``,
  else a slug of its ``humanCodingScheme`` if it has one (not in the schema, but some tools write it),
  else of its title (stable: the same title gives the same id);
  version = ``version``, else the date of ``lastChangeDateTime``, with a non-final ``adoptionStatus``
  in brackets; source = ``creator``, ``publisher`` and ``officialSourceURL``; licence = the text of the
  CFLicense that ``licenseURI`` names (CFDefinitions), else its title or URI; notes = the document's
  ``description``/``notes`` plus how levels were mapped to year groups.
- **strands and milestones**: ``isChildOf`` associations give the hierarchy. An item with child items is a
  strand (its parent item, if any, is its ``parent``); an item with none is a milestone, in the strand of
  its parent item (items hanging straight off the document go in a strand "General"). A childless item whose
  ``CFItemType`` is "Strand" (what ``write_case`` writes for an empty strand) stays a strand. The order is
  the hierarchy's, depth first, siblings by ``sequenceNumber`` then package order.
  Ids: ``humanCodingScheme`` when present and unique among the strands (or the milestones), else a short id
  from the identifier (the last part of a URI, or the first 8 hex digits of a UUID).
  Title: ``fullStatement``; guidance: ``notes`` and ``abbreviatedStatement``.
- **prerequisites**: "A ``precedes`` B" means B requires A. An edge that would close a cycle is dropped.
  A standard with components (6.RP.A.3 with 3a–3d) is a strand, so a ``precedes`` naming it is applied
  to its parts: each part requires what precedes the standard, and what the standard precedes requires
  every part (see ``_Reader.prerequisites``); one naming a larger group (a cluster, a domain) is ignored.
  Where the link comes from: the association's ``extensions.linkProvenance`` (``source``/``reason``, as
  ``write_case`` writes it), else its ``notes`` as the source; none when it has neither.
- **stages**: a package written by ``write_case`` carries our stages (ids, titles, years, end points)
  in the CFDocument's ``extensions.passportCurriculum`` and each milestone's stage and file position in
  its ``extensions.passportMilestone``; those are used as they are, so a round trip keeps "Year 3" a
  "Year 3". So are the curriculum's ``moved`` and ``retired`` (in ``passportCurriculum``) and a
  milestone's ``retired`` and ``parentText`` (its ``parent_text``; in ``passportMilestone``); an entry
  that does not fit the package's milestones is left out with a warning. Otherwise stages come from ``educationLevel`` (or the real-world misspelling
  ``educationalLevel``), inherited from the nearest ancestor when an item has none. US grades map to England year groups by age, one rule
  (``year_of_grade``): PK/TK (pre-kindergarten) → Reception (year 0), KG → Year 1, grade N → Year N+1
  (so grade 12 → Year 13). A grade past 12 would be past Year 13: its items go in a stage with no year
  group ("Grade 13", "Level 16") and a warning says so, never a Year 14 or beyond.
  One stage per level ("Kindergarten", "Grade 3", …); an item listing a run of consecutive levels goes in a
  stage spanning those years (``years = [4, 5]``, "Grades 3–4"), any other mix in its lowest level; items with
  no level go in a stage "Unlevelled" with no year.

What real packages get wrong is reported as warnings, never failures: the misspelt field, associations that
point outside the package, duplicate codes, items with no statement, association types the passport does not
use, items with several parents, ``precedes`` cycles. Only a file that is not JSON, or has no CFDocument or no
CFItems, is refused (``CurriculumError``, located by line and JSON path such as ``$.CFItems[12]``).

Writing (``write_case`` / ``save_case``) produces a CASE 1.1 package that reads back to the same strands,
milestones and prerequisites; see ``write_case`` for the mapping.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import CurriculumError, Problem, one_line
from ..files import write_atomically
from ..models import Curriculum, CurriculumHeader, LinkProvenance, Milestone, Stage, Strand

__all__ = ["looks_like_case", "parse_case", "read_case", "save_case", "write_case", "year_of_grade"]

# --- education levels ⇄ year groups ---------------------------------------------------------


def _normal_level(raw: str) -> str:
    code = raw.strip().upper()
    if code.isdigit():
        return "KG" if int(code) == 0 else f"{int(code):02d}"
    return {"K": "KG", "PREK": "PK", "PRE-K": "PK"}.get(code, code)


def year_of_grade(code: str) -> int | None:
    """The England year group of a US grade level (a CASE ``educationLevel`` code), matched by age —
    the one rule this module uses both ways: pre-kindergarten ("PK", "TK") → Reception (year 0),
    kindergarten ("KG", "K", "00") → Year 1, grade N ("01" … "12") → Year N+1, so grade 12 → Year 13.
    None for any other code: grade 13 and above would be Year 14 and above, which an England school
    does not have (the reader warns about those), and "IT", "PR", "PS", "UG", "AE", "OTHER" name no
    year group."""
    level = _normal_level(code)
    if level in ("PK", "TK"):
        return 0
    if level == "KG":
        return 1
    if level.isdigit() and 1 <= int(level) <= 12:
        return int(level) + 1
    return None


_LEVEL_YEARS: dict[str, int] = {
    code: year
    for code in ("PK", "TK", "KG", *(f"{g:02d}" for g in range(1, 13)))
    if (year := year_of_grade(code)) is not None
}
_LEVEL_NAMES: dict[str, str] = {
    "IT": "Infant/toddler",
    "PR": "Preschool",
    "PK": "Pre-kindergarten",
    "TK": "Transitional kindergarten",
    "KG": "Kindergarten",
    "13": "Grade 13",
    "PS": "Postsecondary",
    "UG": "Ungraded",
    "AE": "Adult education",
    "OTHER": "Other",
}
MAPPING_NOTE = (
    "Imported from CASE: US grade levels are mapped to England year groups by age — "
    "pre-kindergarten is Reception (year 0), kindergarten is Year 1 and grade N is Year N+1."
)
UNLEVELLED = "unlevelled"
_GROUP_TYPES = {"domain", "cluster", "strand", "grouping", "category"}  # CFItemTypes of groups of standards


def _grade_label(year: int) -> str:
    """The US name of the grade matching an England year group (stage ids and titles)."""
    return "PK" if year == 0 else "KG" if year == 1 else f"G{year - 1}"


def _grade_title(year: int) -> str:
    return "Pre-kindergarten" if year == 0 else "Kindergarten" if year == 1 else f"Grade {year - 1}"


def level_of_year(year: int) -> str | None:
    """The CASE educationLevel of an England year group: Reception → "PK", Year 1 → "KG",
    Year N → the two-digit US grade N-1 ("02" for Year 3); None outside Reception..Year 13."""
    if year == 0:
        return "PK"
    if year == 1:
        return "KG"
    if 2 <= year <= 13:
        return f"{year - 1:02d}"
    return None


def _levels(value: Any) -> list[str]:
    """educationLevel as a list of codes: CASE says an array, real files also give a string
    or a comma-separated string."""
    raw = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    codes: list[str] = []
    for entry in raw:
        if isinstance(entry, str):
            codes += [_normal_level(part) for part in re.split(r"[,;\s]+", entry) if part.strip()]
    return list(dict.fromkeys(codes))


@dataclass(frozen=True)
class _StageKey:
    years: tuple[int, ...]  # empty: no year group
    code: str | None = None  # for a level that maps to no year (e.g. "PS"); None with no years: unlevelled

    def rank(self) -> tuple[int, int, int, str]:
        if self.years:
            return (0, self.years[0], len(self.years), "")
        return (1, 0 if self.code else 1, 0, self.code or "")

    def stage(self) -> Stage:
        if len(self.years) == 1:
            year = self.years[0]
            return Stage(id=_grade_label(year), title=_grade_title(year), year=year)
        if self.years:
            first, last = self.years[0], self.years[-1]
            ident = f"{_grade_label(first)}-{_grade_label(last)}"
            if first >= 2:
                title = f"Grades {first - 1}–{last - 1}"
            else:
                title = f"{_grade_title(first)}–{_grade_title(last)}"
            return Stage(id=ident, title=title, years=list(self.years))
        if self.code:
            return Stage(id=_slug(self.code), title=_LEVEL_NAMES.get(self.code, f"Level {self.code}"))
        return Stage(id=UNLEVELLED, title="Unlevelled")


# --- reading ------------------------------------------------------------------------------


def read_case(path: str | Path) -> tuple[Curriculum, list[str]]:
    """Read a CASE JSON package; return the curriculum and warning lines. Raise ``CurriculumError``
    for a file that cannot be read, is not JSON, or has no CFDocument or CFItems."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise CurriculumError(
            [Problem(name, None, f"cannot read the file: {error.strerror or error}")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CurriculumError([Problem(name, line, "the file is not UTF-8 text")]) from None
    return parse_case(text, name)


def parse_case(text: str, filename: str) -> tuple[Curriculum, list[str]]:
    """Turn CASE JSON ``text`` into a curriculum and warning lines; ``filename`` is for messages."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} (column {error.colno})"
        raise CurriculumError([Problem(filename, error.lineno, message)]) from None
    except RecursionError:
        raise CurriculumError([Problem(filename, None, "not valid JSON: nested too deeply")]) from None
    return _Reader(text, filename, data).run()


class _Reader:
    def __init__(self, text: str, filename: str, data: Any):
        self.text = text
        self.filename = filename
        self.data = data
        self.prefix: list[str | int] = []
        self.warnings: list[str] = []
        self.bad_provenance = 0
        self.precedes_seen = 0  # precedes associations in the package, kept or not

    # -- messages --

    def fail(self, path: list[str | int], message: str) -> CurriculumError:
        full = [*self.prefix, *path]
        return CurriculumError(
            [Problem(self.filename, _line_of(self.text, full), f"{_path(full)}: {message}")]
        )

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.filename}: warning: {message}")

    # -- the package --

    def run(self) -> tuple[Curriculum, list[str]]:
        data = self.data
        if isinstance(data, dict) and set(data) == {"CFPackage"} and isinstance(data["CFPackage"], dict):
            self.prefix = ["CFPackage"]
            data = data["CFPackage"]
        if not isinstance(data, dict):
            raise self.fail([], "a CASE package must be a JSON object with CFDocument and CFItems")
        document = data.get("CFDocument")
        if document is None:
            raise self.fail([], "no CFDocument: this is not a CASE package")
        if not isinstance(document, dict):
            raise self.fail(["CFDocument"], "CFDocument must be an object")
        raw_items = data.get("CFItems")
        if raw_items is None:
            raise self.fail([], "no CFItems: the package has no standards to import")
        if not isinstance(raw_items, list):
            raise self.fail(["CFItems"], "CFItems must be a list")
        raw_associations = data.get("CFAssociations")
        if raw_associations is None:
            raw_associations = []
            self.warn("no CFAssociations: every item is placed at the top level")
        elif not isinstance(raw_associations, list):
            raise self.fail(["CFAssociations"], "CFAssociations must be a list")
        definitions = data.get("CFDefinitions")
        definitions = definitions if isinstance(definitions, dict) else {}

        items = self.items(raw_items)
        if not items:
            raise self.fail(["CFItems"], "CFItems has no items with an identifier")
        doc_ids = {v for v in (_str(document.get("identifier")), _str(document.get("uri"))) if v}
        tree = self.associations(raw_associations, items, doc_ids)
        built = self.build(document, definitions, items, tree)
        if not any(m.requires for m in built.milestones):
            # the passport reasons over prerequisites: a teacher must know this curriculum has none
            why = (
                f"none of its {self.precedes_seen} 'precedes' associations could be kept (see above)"
                if self.precedes_seen
                else "it has no 'precedes' associations"
            )
            self.warn(
                f"no prerequisite links: {why}, so no milestone requires another and the passport cannot "
                "refuse a judgement, list gaps or suggest next steps from prerequisites in this curriculum"
            )
        return built, [one_line(w) for w in self.warnings]  # one warning, one line

    def items(self, raw_items: list[Any]) -> dict[str, _Item]:
        items: dict[str, _Item] = {}
        skipped: list[str] = []
        duplicates: list[str] = []
        misspelt = no_statement = 0
        for i, raw in enumerate(raw_items):
            ident = _str(raw.get("identifier")) if isinstance(raw, dict) else None
            if not isinstance(raw, dict) or ident is None:
                skipped.append(f"$.CFItems[{i}]")
                continue
            if ident in items:
                duplicates.append(ident)
                continue
            if "educationLevel" in raw:
                level_value = raw["educationLevel"]
            else:
                level_value = raw.get("educationalLevel")
                misspelt += "educationalLevel" in raw
            statement = _str(raw.get("fullStatement"))
            if statement is None:
                no_statement += 1
            items[ident] = _Item(
                identifier=ident,
                index=i,
                uri=_str(raw.get("uri")),
                code=_str(raw.get("humanCodingScheme")),
                statement=statement,
                abbreviated=_str(raw.get("abbreviatedStatement")),
                notes=_str(raw.get("notes")),
                item_type=_str(raw.get("CFItemType")),
                levels=_levels(level_value),
                **_carried_milestone(raw.get("extensions")),
            )
        if skipped:
            self.warn(f"{len(skipped)} CFItems have no identifier and were skipped: {_some(skipped)}")
        if duplicates:
            self.warn(f"{len(duplicates)} CFItems repeat an identifier; kept the first: {_some(duplicates)}")
        if misspelt:
            self.warn(
                f"{misspelt} CFItems use 'educationalLevel', a misspelling of CASE's 'educationLevel'; "
                "read as educationLevel"
            )
        if no_statement:
            self.warn(f"{no_statement} CFItems have no fullStatement; titled by their code or identifier")
        return items

    def associations(self, raw: list[Any], items: dict[str, _Item], doc_ids: set[str]) -> _Tree:
        by_uri = {item.uri: key for key, item in items.items() if item.uri}
        tree = _Tree()
        ignored: Counter[str] = Counter()
        outside: list[str] = []
        malformed = 0
        several_parents: list[str] = []

        def node(association: dict[str, Any], end: str) -> str | None:
            """An end of an association: an item key, "" for the document, None if outside."""
            link = association.get(f"{end}NodeURI")
            candidates = [_str(association.get(f"{end}NodeIdentifier"))]
            if isinstance(link, dict):
                candidates += [_str(link.get("identifier")), _str(link.get("uri"))]
            elif isinstance(link, str):
                candidates.append(link)
            for candidate in candidates:
                if candidate is None:
                    continue
                if candidate in items:
                    return candidate
                if candidate in by_uri:
                    return by_uri[candidate]
                if candidate in doc_ids:
                    return ""
            return None

        def name(association: dict[str, Any], end: str) -> str:
            link = association.get(f"{end}NodeURI")
            ident = _str(association.get(f"{end}NodeIdentifier"))
            if ident is None and isinstance(link, dict):
                ident = _str(link.get("identifier")) or _str(link.get("uri"))
            return ident or "?"

        for position, association in enumerate(raw):
            if not isinstance(association, dict):
                malformed += 1
                continue
            kind = _str(association.get("associationType"))
            self.precedes_seen += kind == "precedes"
            if kind not in ("isChildOf", "precedes"):
                ignored[kind or "(none)"] += 1
                continue
            origin, destination = node(association, "origin"), node(association, "destination")
            if origin is None or origin == "" or destination is None:
                outside.append(f"{kind} {name(association, 'origin')} -> {name(association, 'destination')}")
                continue
            if kind == "precedes":
                if destination:
                    tree.precedes.append((origin, destination))
                    link = self.link_provenance(association)
                    if link is not None:
                        tree.provenance.setdefault((origin, destination), link)
                continue
            sequence = association.get("sequenceNumber")
            rank = (
                sequence if isinstance(sequence, int | float) else float("inf"),
                items[origin].index,
                position,
            )
            if origin in tree.parent:
                several_parents.append(items[origin].code or origin)
                continue
            if destination == origin:
                outside.append(f"isChildOf {origin} -> itself")
                continue
            tree.parent[origin] = destination
            tree.rank[origin] = rank
        if malformed:
            self.warn(f"{malformed} CFAssociations are not objects and were skipped")
        if self.bad_provenance:
            self.warn(
                f"{self.bad_provenance} precedes associations have a '{PROVENANCE_KEY}' extension with neither "
                "a source nor a reason; read from their notes instead"
            )
        if outside:
            self.warn(
                f"{len(outside)} associations point outside the package and were ignored: {_some(outside)}"
            )
        for kind, count in sorted(ignored.items()):
            self.warn(
                f"ignored {count} '{kind}' association{'s' if count != 1 else ''} (not used by the passport)"
            )
        if several_parents:
            self.warn(
                f"{len(several_parents)} items are children of more than one item; kept the first parent: "
                f"{_some(several_parents)}"
            )
        return tree

    def link_provenance(self, association: dict[str, Any]) -> LinkProvenance | None:
        """Where a precedes link comes from: ``extensions.linkProvenance``, else ``notes`` as its source."""
        extensions = association.get("extensions")
        given = extensions.get(PROVENANCE_KEY) if isinstance(extensions, dict) else None
        if isinstance(given, dict):
            try:
                return LinkProvenance(source=_str(given.get("source")), reason=_str(given.get("reason")))
            except ValidationError:
                self.bad_provenance += 1
        notes = _str(association.get("notes"))
        return LinkProvenance(source=notes) if notes else None

    # -- the curriculum --

    def build(
        self, document: dict[str, Any], definitions: dict[str, Any], items: dict[str, _Item], tree: _Tree
    ) -> Curriculum:
        parent = self.acyclic_parents(tree.parent, items)
        children: dict[str, list[str]] = defaultdict(list)
        for key in sorted(parent, key=lambda k: tree.rank[k]):
            children[parent[key]].append(key)
        roots = [key for key in children[""]]
        roots += sorted((k for k in items if k not in parent), key=lambda k: items[k].index)
        order: list[str] = []
        stack = list(reversed(roots))
        while stack:
            key = stack.pop()
            order.append(key)
            stack.extend(reversed(children.get(key, [])))

        strand_keys = {k for k in items if children.get(k) or (items[k].item_type or "").lower() == "strand"}
        ids = self.ids(order, items, strand_keys)

        general: Strand | None = None
        strands: list[Strand] = []
        for key in order:
            if key in strand_keys:
                up = parent.get(key, "")
                strands.append(Strand(id=ids[key], title=items[key].title(), parent=ids[up] if up else None))

        levels: dict[str, list[str]] = {}
        for key in order:  # parents come before their children
            own = items[key].levels
            levels[key] = own or levels.get(parent.get(key, ""), [])

        carried_id, carried_stages = self.carried(document)
        carried = {stage.id: stage for stage in carried_stages}
        stage_of: dict[str, _StageKey] = {}  # items placed by their levels
        scattered: list[str] = []
        beyond: dict[str, set[str]] = {}  # item id -> its grades past 12
        milestones: list[Milestone] = []
        for key in order:
            if key in strand_keys:
                continue
            up = parent.get(key, "")
            if up:
                strand_id = ids[up]
            else:
                if general is None:
                    taken = {s.id for s in strands}
                    general = Strand(id=_unique("general", taken), title="General")
                strand_id = general.id
            item = items[key]
            if item.stage in carried:
                stage_id = item.stage
            else:
                past = {code for code in levels[key] if code.isdigit() and int(code) > 12}
                if past:
                    beyond[ids[key]] = past
                stage_key = self.stage_key(levels[key])
                if stage_key is None:
                    scattered.append(ids[key])
                    lowest = min(levels[key], key=lambda code: _LEVEL_YEARS.get(code, 99))
                    stage_key = self.stage_key([lowest]) or _StageKey(())
                stage_of[key] = stage_key
                stage_id = ""  # named below, once every stage is known
            milestones.append(
                Milestone(
                    id=ids[key],
                    strand=strand_id,
                    stage=stage_id,
                    title=item.title(),
                    guidance=item.guidance(),
                    parent_text=item.parent_text,
                    retired=item.retired,
                )
            )
        if general is not None:
            strands.insert(0, general)
        if beyond:
            grades = sorted(set().union(*beyond.values()), key=int)
            self.warn(
                f"{len(beyond)} items are at US grade {', '.join(str(int(g)) for g in grades)}, past grade 12: "
                f"grade N is Year N+1, and there is no year group past Year 13, so they are in a stage with "
                f"no year group: {_some(beyond)}"
            )
        if scattered:
            self.warn(
                f"{len(scattered)} items list levels that are not one run of grades; placed in the lowest: "
                f"{_some(scattered)}"
            )

        by_key = {m.id: m for m in milestones}
        requires = self.prerequisites(tree, items, ids, strand_keys, children)
        for target, sources in requires.items():
            by_key[target].requires = [source for source, _ in sources]
            by_key[target].provenance = {source: link for source, link in sources if link is not None}

        stage_keys = sorted(set(stage_of.values()), key=_StageKey.rank)
        stages = list(carried_stages)
        named: dict[_StageKey, str] = {}
        for stage_key in stage_keys:
            stage = stage_key.stage()
            stage.id = _unique(stage.id, {s.id for s in stages})
            named[stage_key] = stage.id
            stages.append(stage)
        milestone_keys = [key for key in order if key not in strand_keys]
        for key, milestone in zip(milestone_keys, milestones, strict=True):
            if key in stage_of:
                milestone.stage = named[stage_of[key]]
        rank = {s.id: i for i, s in enumerate(stages)}
        positions = [items[key].position for key in milestone_keys]
        if carried and None not in positions and len(set(positions)) == len(positions):
            by_position = dict(zip([m.id for m in milestones], positions, strict=True))
            milestones.sort(key=lambda m: by_position[m.id])  # the order of the exported file
        else:
            milestones.sort(key=lambda m: rank[m.stage])  # stable: hierarchy order inside a stage
        header = self.header(document, definitions, any(k.years for k in stage_keys))
        if carried_id is not None:
            header.id = carried_id
        header.moved, header.retired = self.carried_changes(document, milestones)
        return Curriculum(
            curriculum=header,
            stages=stages,
            strands=strands,
            milestones=milestones,
        )

    def carried_changes(
        self, document: dict[str, Any], milestones: list[Milestone]
    ) -> tuple[dict[str, str], list[str]]:
        """The ``moved`` and ``retired`` of the curriculum ``write_case`` keeps in the CFDocument's
        ``extensions.passportCurriculum`` ({} and [] when absent). An entry that does not fit the
        milestones read is warned about and left out; so is a link from a milestone still taught to
        a retired one (a curriculum file refuses both)."""
        extensions = document.get("extensions")
        given = extensions.get(CURRICULUM_KEY) if isinstance(extensions, dict) else None
        given = given if isinstance(given, dict) else {}
        raw_moved, raw_retired = given.get("moved", {}), given.get("retired", [])
        retired = [x for x in raw_retired if isinstance(x, str)] if isinstance(raw_retired, list) else []
        if not isinstance(raw_retired, list) or len(retired) != len(raw_retired):
            self.warn(
                f"the CFDocument's '{CURRICULUM_KEY}' 'retired' is not a list of ids; kept its ids only"
            )
        by_id = {m.id: m for m in milestones}
        for m in milestones:
            if m.id in retired:
                m.retired = True
        moved: dict[str, str] = {}
        odd: list[str] = []
        for old, new in raw_moved.items() if isinstance(raw_moved, dict) else ():
            target = by_id.get(new) if isinstance(new, str) else None
            if old in by_id or target is None or target.retired or old in retired:
                odd.append(f"{old} -> {new}")
            else:
                moved[old] = new
        if not isinstance(raw_moved, dict):
            self.warn(f"the CFDocument's '{CURRICULUM_KEY}' 'moved' is not an object; ignored")
        if odd:
            self.warn(
                f"{len(odd)} moved milestones do not fit the milestones of the package "
                f"(still there, or moved to none or to a retired one); left out: {_some(odd)}"
            )
        dropped: list[str] = []
        for m in milestones:
            if not m.retired and any(by_id[r].retired for r in m.requires if r in by_id):
                gone = [r for r in m.requires if r in by_id and by_id[r].retired]
                dropped += [f"{r} -> {m.id}" for r in gone]
                m.requires = [r for r in m.requires if r not in gone]
                m.provenance = {k: v for k, v in m.provenance.items() if k not in gone}
        if dropped:
            self.warn(
                f"{len(dropped)} precedes links start at a retired milestone and end at one still "
                f"taught; dropped: {_some(dropped)}"
            )
        return moved, retired

    def carried(self, document: dict[str, Any]) -> tuple[str | None, list[Stage]]:
        """The curriculum id and stages ``write_case`` keeps in the CFDocument's
        ``extensions.passportCurriculum``; (None, []) when absent. A malformed value is warned
        about and ignored (the levels are read instead)."""
        extensions = document.get("extensions")
        given = extensions.get(CURRICULUM_KEY) if isinstance(extensions, dict) else None
        if given is None:
            return None, []
        if not isinstance(given, dict):
            self.warn(f"the CFDocument's '{CURRICULUM_KEY}' extension is not an object; ignored")
            return None, []
        ident = _str(given.get("id"))
        if ident is not None and any(c.isspace() for c in ident):
            self.warn(f"the CFDocument's '{CURRICULUM_KEY}' id {ident!r} has spaces; ignored")
            ident = None
        stages: list[Stage] = []
        raw = given.get("stages")
        for entry in raw if isinstance(raw, list) else []:
            try:
                stage = Stage.model_validate(entry)
            except ValidationError:
                self.warn(f"the CFDocument's '{CURRICULUM_KEY}' has a stage that is not valid; ignored")
                continue
            if stage.id in {s.id for s in stages}:
                self.warn(f"the CFDocument's '{CURRICULUM_KEY}' repeats stage {stage.id!r}; kept the first")
                continue
            stages.append(stage)
        return ident, stages

    def acyclic_parents(self, parent: dict[str, str], items: dict[str, _Item]) -> dict[str, str]:
        """The isChildOf parents with any cycle broken (its members become top-level items)."""
        state: dict[str, int] = {}
        broken: list[str] = []
        result = dict(parent)
        for start in parent:
            path: list[str] = []
            node = start
            while node and node not in state:
                state[node] = 1
                path.append(node)
                node = result.get(node, "")
            if node and state.get(node) == 1:  # came back to the current path: a cycle
                cycle = path[path.index(node) :]
                for member in cycle:
                    result.pop(member, None)
                broken.append(" -> ".join(items[m].code or m for m in [*cycle, cycle[0]]))
            for member in path:
                state[member] = 2
        if broken:
            self.warn(f"isChildOf cycles broken (their items placed at the top): {_some(broken)}")
        return result

    def ids(self, order: list[str], items: dict[str, _Item], strand_keys: set[str]) -> dict[str, str]:
        ids: dict[str, str] = {}
        duplicates: list[str] = []
        for is_strand in (True, False):
            group = [k for k in order if (k in strand_keys) == is_strand]
            codes = Counter(items[k].code_id() for k in group if items[k].code)
            taken: set[str] = {c for c, n in codes.items() if n == 1 and c}
            for key in group:
                code = items[key].code_id()
                if code and codes[code] == 1:
                    ids[key] = code
                    continue
                if code:
                    duplicates.append(code)
                short = _short_id(key)
                candidate = f"{code}-{short}" if code else short
                ids[key] = _unique(candidate, taken)
                taken.add(ids[key])
        if duplicates:
            shown = sorted(set(duplicates))
            self.warn(
                f"{len(duplicates)} items share a humanCodingScheme with another; given ids from their "
                f"identifiers: {_some(shown)}"
            )
        return ids

    def stage_key(self, levels: list[str]) -> _StageKey | None:
        if not levels:
            return _StageKey(())
        years = sorted({_LEVEL_YEARS[c] for c in levels if c in _LEVEL_YEARS})
        if years and len(years) == len(levels) and years == list(range(years[0], years[-1] + 1)):
            return _StageKey(tuple(years))
        if not years and len(levels) == 1:
            return _StageKey((), levels[0])
        return None

    def prerequisites(
        self,
        tree: _Tree,
        items: dict[str, _Item],
        ids: dict[str, str],
        strand_keys: set[str],
        children: dict[str, list[str]],
    ) -> dict[str, list[tuple[str, LinkProvenance | None]]]:
        """Milestone id -> its prerequisites (id, provenance), in package order, from the precedes
        associations ("A precedes B": B requires A).

        A standard with components (6.RP.A.3 with 6.RP.A.3a–3d) is a strand here, never a milestone:
        its components are what a teacher judges. So a precedes naming such a standard is applied to
        its parts: "X precedes 6.RP.A.3" makes each of 3a–3d require X, and "6.RP.A.3 precedes Y"
        makes Y require all of 3a–3d (the standard is met when its parts are). Each such link says so
        in its provenance (the association's source kept, our reading added), and a warning lists
        them. A standard with components is a strand whose children are all milestones and whose
        ``CFItemType`` is not a grouping type (domain, cluster, strand); a precedes naming a larger
        group of standards is still ignored, with a warning."""
        requires: dict[str, list[tuple[str, LinkProvenance | None]]] = defaultdict(list)
        on_strands: list[str] = []
        on_parts: list[str] = []
        dropped: list[str] = []

        def parts(key: str) -> list[str] | None:
            if key not in strand_keys:
                return [key]
            below = children.get(key, [])
            kind = (items[key].item_type or "").lower()
            if below and kind not in _GROUP_TYPES and not any(k in strand_keys for k in below):
                return below
            return None

        for before, after in tree.precedes:
            firsts, seconds = parts(before), parts(after)
            if firsts is None or seconds is None:
                on_strands.append(f"{ids[before]} -> {ids[after]}")
                continue
            given = tree.provenance.get((before, after))
            link = given
            spread = [ids[k] for k in (before, after) if k in strand_keys]
            if spread:
                on_parts.append(f"{ids[before]} -> {ids[after]}")
                reading = (
                    f"CASE says {ids[before]} precedes {ids[after]}; applied to the parts of "
                    f"{' and '.join(spread)}"
                )
                reason = f"{given.reason}; {reading}" if given and given.reason else reading
                link = LinkProvenance(source=given.source if given else None, reason=reason)
            for first in firsts:
                for second in seconds:
                    a, b = ids[first], ids[second]
                    if any(a == known for known, _ in requires[b]):
                        continue
                    if a == b or _reaches_links(requires, a, b):  # b already needed by a: a cycle
                        dropped.append(f"{a} precedes {b}")
                        continue
                    requires[b].append((a, link))
        if on_parts:
            self.warn(
                f"{len(on_parts)} precedes associations name a standard with components; applied to its "
                f"parts: {_some(on_parts)}"
            )
        if on_strands:
            self.warn(
                f"{len(on_strands)} precedes associations involve groups of standards, not standards; "
                f"ignored: {_some(on_strands)}"
            )
        for edge in dropped:
            self.warn(f"precedes cycle: dropped '{edge}', which would make a prerequisite cycle")
        return {k: v for k, v in requires.items() if v}

    def header(self, document: dict[str, Any], definitions: dict[str, Any], mapped: bool) -> CurriculumHeader:
        title = _str(document.get("title")) or "CASE framework"
        code = _str(document.get("humanCodingScheme"))
        ident = _slug(code or title) or _short_id(_str(document.get("identifier")) or "case")
        version = _str(document.get("version"))
        changed = _str(document.get("lastChangeDateTime"))
        if version is None:
            version = changed[:10] if changed else "1"
        status = _str(document.get("adoptionStatus"))
        if status and status.lower() not in ("adopted", "implemented", "public"):
            version = f"{version} ({status})"
        parts = [_str(document.get(k)) for k in ("creator", "publisher", "officialSourceURL")]
        source = "; ".join(dict.fromkeys(p for p in parts if p)) or None
        notes = [_str(document.get(k)) for k in ("description", "notes")]
        if mapped:
            notes.append(MAPPING_NOTE)
        return CurriculumHeader(
            id=ident,
            title=title,
            version=version,
            source=source,
            licence=self.licence(document.get("licenseURI"), definitions),
            notes="\n\n".join(dict.fromkeys(n for n in notes if n)) or None,
        )

    def licence(self, link: Any, definitions: dict[str, Any]) -> str | None:
        if isinstance(link, str):
            link = {"identifier": link, "uri": link}
        if not isinstance(link, dict):
            return None
        wanted = {_str(link.get("identifier")), _str(link.get("uri"))} - {None}
        licences = definitions.get("CFLicenses")
        for entry in licences if isinstance(licences, list) else []:
            if isinstance(entry, dict) and {_str(entry.get("identifier")), _str(entry.get("uri"))} & wanted:
                found = _str(entry.get("licenseText")) or _str(entry.get("title"))
                if found:
                    return found
        parts = [_str(link.get("title")), _str(link.get("uri"))]
        return " ".join(p for p in parts if p) or None


@dataclass
class _Item:
    identifier: str
    index: int
    uri: str | None
    code: str | None
    statement: str | None
    abbreviated: str | None
    notes: str | None
    item_type: str | None
    levels: list[str]
    stage: str | None = None  # extensions.passportMilestone.stage, as write_case writes it
    position: int | None = None  # extensions.passportMilestone.position
    retired: bool = False  # extensions.passportMilestone.retired
    parent_text: str | None = None  # extensions.passportMilestone.parentText

    def code_id(self) -> str:
        return "-".join((self.code or "").split())

    def title(self) -> str:
        return self.statement or self.abbreviated or self.code or self.identifier

    def guidance(self) -> str | None:
        parts = [self.notes]
        if self.abbreviated and self.abbreviated != self.title():
            parts.append(self.abbreviated)
        return "\n\n".join(p for p in parts if p) or None


@dataclass
class _Tree:
    parent: dict[str, str] = field(default_factory=dict)  # item -> parent item, "" for the document
    rank: dict[str, tuple[float, int, int]] = field(default_factory=dict)
    precedes: list[tuple[str, str]] = field(default_factory=list)
    provenance: dict[tuple[str, str], LinkProvenance] = field(default_factory=dict)  # of a precedes


def _carried_milestone(extensions: Any) -> dict[str, Any]:
    """The stage, position, retired and parent text ``write_case`` keeps in a milestone's
    ``extensions`` (none if absent)."""
    given = extensions.get(MILESTONE_KEY) if isinstance(extensions, dict) else None
    if not isinstance(given, dict):
        return {}
    position = given.get("position")
    return {
        "stage": _str(given.get("stage")),
        "position": position if isinstance(position, int) and not isinstance(position, bool) else None,
        "retired": given.get("retired") is True,
        "parent_text": _str(given.get("parentText")),
    }


def _reaches_links(
    requires: dict[str, list[tuple[str, LinkProvenance | None]]], start: str, goal: str
) -> bool:
    """Whether ``start`` requires ``goal``, directly or through other milestones."""
    seen = {start}
    stack = [start]
    while stack:
        for nxt, _ in requires.get(stack.pop(), ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _some(things: Iterable[str], limit: int = 3) -> str:
    listed = list(things)
    shown = ", ".join(listed[:limit])
    return shown + (f" and {len(listed) - limit} more" if len(listed) > limit else "")


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-")


_UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,24}")


def _short_id(identifier: str) -> str:
    """A short, stable id from a CASE identifier: the first 8 hex digits of a UUID, the last part of a
    URI when it is a short token, else 8 hex digits of a hash of the identifier."""
    match = _UUID.search(identifier)
    if match:
        return match.group(0)[:8].lower()
    last = re.split(r"[/:#]", identifier.rstrip("/#"))[-1]
    if _TOKEN.fullmatch(last):
        return last
    return uuid.uuid5(uuid.NAMESPACE_URL, identifier).hex[:8]


def _unique(candidate: str, taken: set[str]) -> str:
    if candidate not in taken:
        return candidate
    n = 2
    while f"{candidate}-{n}" in taken:
        n += 1
    return f"{candidate}-{n}"


def _path(path: list[str | int]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _skip_space(text: str, idx: int) -> int:
    while idx < len(text) and text[idx] in " \t\n\r":
        idx += 1
    return idx


def _line_of(text: str, path: list[str | int]) -> int:
    """The line where the value at ``path`` starts in JSON ``text`` (its parent's line if it is missing)."""
    decoder = json.JSONDecoder()
    idx = _skip_space(text, 0)
    try:
        for step in path:
            opener = text[idx]
            if opener == "{" and isinstance(step, str):
                found, start = None, idx
                idx = _skip_space(text, idx + 1)
                while text[idx] == '"':
                    key, idx = json.decoder.scanstring(text, idx + 1)
                    idx = _skip_space(text, _skip_space(text, idx) + 1)  # past the ':'
                    if key == step:
                        found = idx
                        break
                    idx = _skip_space(text, decoder.raw_decode(text, idx)[1])
                    if text[idx] == ",":
                        idx = _skip_space(text, idx + 1)
                if found is None:
                    idx = start
                    break
                idx = found
            elif opener == "[" and isinstance(step, int):
                idx = _skip_space(text, idx + 1)
                for _ in range(step):
                    idx = _skip_space(text, decoder.raw_decode(text, idx)[1])
                    if text[idx] != ",":
                        break
                    idx = _skip_space(text, idx + 1)
            else:
                break
    except (IndexError, ValueError):
        pass
    return text.count("\n", 0, min(idx, len(text))) + 1


# --- detecting ----------------------------------------------------------------------------


def looks_like_case(text_or_path: str | Path) -> bool:
    """Whether JSON text, or the file at a path, looks like a CASE package (a JSON object with a
    CFDocument or CFItems). A file that mentions "CFDocument" but is broken JSON still counts, so that
    importing it reports the syntax error."""
    text: str
    if isinstance(text_or_path, Path) or not text_or_path.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        try:
            text = Path(text_or_path).read_bytes().decode("utf-8-sig", errors="replace")
        except (OSError, ValueError):
            return False
    else:
        text = text_or_path
    text = text.lstrip("\ufeff \t\r\n")
    if not text.startswith("{"):
        return False
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return '"CFDocument"' in text
    if isinstance(data, dict) and isinstance(data.get("CFPackage"), dict):
        data = data["CFPackage"]
    return isinstance(data, dict) and ("CFDocument" in data or "CFItems" in data)


# --- writing ------------------------------------------------------------------------------

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/passport-tui/case")
PROVENANCE_KEY = "linkProvenance"  # in a precedes association's ``extensions``: {source, reason}
CURRICULUM_KEY = "passportCurriculum"  # in the CFDocument's ``extensions``: {id, stages}
MILESTONE_KEY = "passportMilestone"  # in a milestone CFItem's ``extensions``: {stage, position, …}
_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def change_time(c: Curriculum, changed: datetime | None = None) -> str:
    """The ``lastChangeDateTime`` of an export: ``changed`` if given, else the date in the
    curriculum's version (such as "2024-09-01" or "draft of 2024-09-01", at midnight UTC), else now
    (UTC, to the second)."""
    if changed is not None:
        if changed.tzinfo is None:
            changed = changed.replace(tzinfo=UTC)
        return changed.isoformat(timespec="seconds")
    for match in _DATE.finditer(c.curriculum.version):
        try:
            day = datetime(*map(int, match.groups()), tzinfo=UTC)
        except ValueError:
            continue
        return day.isoformat(timespec="seconds")
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_case(c: Curriculum, *, changed: datetime | None = None) -> dict[str, Any]:
    """The curriculum as a CASE 1.1 CFPackage (a JSON-ready dict).

    - CFDocument: title, version, creator = our ``source`` (CASE requires a creator; "Milestones Passport"
      when there is none), notes, licence as a CFLicense in CFDefinitions.
    - One CFItem per strand (CFItemType "Strand") and per milestone (CFItemType "Milestone"):
      humanCodingScheme = our id, fullStatement = title, notes = guidance.
    - educationLevel of a milestone from its stage's year groups, the reverse of the import mapping:
      Reception → "PK", Year 1 → "KG", Year N → US grade N-1 as two digits (Year 3 → "02"); a two-year
      stage lists both ("02", "03"). Stages with no year group (and years past 13) give no level.
    - isChildOf: milestone → its strand, sub-strand → its parent, top strand → the document, with
      ``sequenceNumber`` the position among siblings in file order; precedes: prerequisite → milestone,
      with the link's provenance (if any) as ``notes`` for people ("Source: …; Our reading: …") and as
      ``extensions.linkProvenance`` (``{"source": …, "reason": …}``) for a reader like ours.
    - What CASE has no field for travels in ``extensions``, so that a reader like ours gets the same
      curriculum back: the CFDocument's ``extensions.passportCurriculum`` holds the curriculum ``id``
      and its ``stages`` (id, title, year or years, end points) as in our files, with its ``moved``
      map and ``retired`` list when it has them; each milestone CFItem's
      ``extensions.passportMilestone`` holds its ``stage`` id, its ``position`` in the file,
      ``retired: true`` for a milestone no longer taught and ``parentText``, its ``parent_text``
      (the milestone in plain words for parents), when it has one.
      Other tools ignore them and read ``educationLevel``.
    - Identifiers are UUID5s of the curriculum id and the item's id, so exporting twice gives the same
      identifiers. ``lastChangeDateTime`` is the real date of the change: ``changed``, else the date
      in the curriculum's version, else now (see ``change_time``). URIs are ``urn:uuid:`` URNs.
    """
    when = change_time(c, changed)

    def ident(*parts: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, "\x1f".join([c.id, *parts])))

    def link(identifier: str, title: str) -> dict[str, str]:
        return {"title": title, "identifier": identifier, "uri": f"urn:uuid:{identifier}"}

    doc_id = ident("document")
    doc_link = link(doc_id, c.title)
    header = c.curriculum
    document: dict[str, Any] = {
        "identifier": doc_id,
        "uri": f"urn:uuid:{doc_id}",
        "frameworkType": "Milestones",
        "caseVersion": "1.1",
        "creator": header.source or "Milestones Passport",
        "title": c.title,
        "lastChangeDateTime": when,
        "version": header.version,
    }
    definitions: dict[str, Any] = {}
    type_ids = {kind: ident("item-type", kind) for kind in ("Strand", "Milestone")}
    definitions["CFItemTypes"] = [
        {
            "identifier": type_ids[kind],
            "uri": f"urn:uuid:{type_ids[kind]}",
            "title": kind,
            "description": description,
            "hierarchyCode": code,
            "typeCode": kind,
            "lastChangeDateTime": when,
        }
        for kind, code, description in (
            ("Strand", "1", "A strand or sub-strand of the curriculum"),
            ("Milestone", "2", "A key learning milestone"),
        )
    ]
    if header.licence:
        licence_id = ident("licence")
        definitions["CFLicenses"] = [
            {
                "identifier": licence_id,
                "uri": f"urn:uuid:{licence_id}",
                "title": header.licence if len(header.licence) <= 80 else "Licence",
                "licenseText": header.licence,
                "lastChangeDateTime": when,
            }
        ]
        document["licenseURI"] = link(licence_id, "Licence")
    if header.notes:
        document["notes"] = header.notes
    document["CFPackageURI"] = doc_link
    carried: dict[str, Any] = {"id": c.id, "stages": [s.model_dump(exclude_none=True) for s in c.stages]}
    if header.moved:
        carried["moved"] = dict(header.moved)
    if header.retired:
        carried["retired"] = list(header.retired)
    document["extensions"] = {CURRICULUM_KEY: carried}
    position = {m.id: n for n, m in enumerate(c.milestones)}

    items: list[dict[str, Any]] = []
    links: dict[tuple[str, str], dict[str, str]] = {}
    for kind, things in (("Strand", c.strands), ("Milestone", c.milestones)):
        for thing in things:
            key = ident(kind.lower(), thing.id)
            links[(kind, thing.id)] = link(key, thing.id)
            item: dict[str, Any] = {
                "identifier": key,
                "uri": f"urn:uuid:{key}",
                "fullStatement": thing.title,
                "humanCodingScheme": thing.id,
                "CFItemType": kind,
                "CFItemTypeURI": link(type_ids[kind], kind),
                "lastChangeDateTime": when,
                "CFDocumentURI": doc_link,
            }
            if isinstance(thing, Milestone):
                if thing.guidance:
                    item["notes"] = thing.guidance
                stage = c.stage_by_id.get(thing.stage)
                levels = [lv for y in (stage.year_list if stage else []) if (lv := level_of_year(y))]
                if levels:
                    item["educationLevel"] = levels
                kept: dict[str, Any] = {"stage": thing.stage, "position": position[thing.id]}
                if thing.retired:
                    kept["retired"] = True
                if thing.parent_text:
                    kept["parentText"] = thing.parent_text
                item["extensions"] = {MILESTONE_KEY: kept}
            items.append(item)

    associations: list[dict[str, Any]] = []

    def associate(
        kind: str,
        origin: dict[str, str],
        destination: dict[str, str],
        sequence: int | None,
        provenance: LinkProvenance | None = None,
    ) -> None:
        key = ident("association", kind, origin["identifier"], destination["identifier"])
        association: dict[str, Any] = {
            "identifier": key,
            "uri": f"urn:uuid:{key}",
            "associationType": kind,
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": when,
            "CFDocumentURI": doc_link,
        }
        if sequence is not None:
            association["sequenceNumber"] = sequence
        if provenance is not None:
            association["notes"] = provenance.text
            given = {"source": provenance.source, "reason": provenance.reason}
            association["extensions"] = {PROVENANCE_KEY: {k: v for k, v in given.items() if v is not None}}
        associations.append(association)

    siblings: Counter[str] = Counter()
    for strand in c.strands:
        up = links[("Strand", strand.parent)] if strand.parent else doc_link
        siblings[up["identifier"]] += 1
        associate("isChildOf", links[("Strand", strand.id)], up, siblings[up["identifier"]])
    for milestone in c.milestones:
        up = links[("Strand", milestone.strand)]
        siblings[up["identifier"]] += 1
        associate("isChildOf", links[("Milestone", milestone.id)], up, siblings[up["identifier"]])
    for milestone in c.milestones:
        for prerequisite, provenance in milestone.links:
            associate(
                "precedes",
                links[("Milestone", prerequisite)],
                links[("Milestone", milestone.id)],
                None,
                provenance,
            )

    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": definitions,
    }


def case_text(c: Curriculum, *, changed: datetime | None = None) -> str:
    """``write_case(c)`` as JSON text."""
    return json.dumps(write_case(c, changed=changed), ensure_ascii=False, indent=2) + "\n"


def save_case(c: Curriculum, path: str | Path, *, changed: datetime | None = None) -> None:
    """Write ``write_case(c)`` as JSON to ``path`` atomically (a temporary file, then a rename)."""
    write_atomically(path, case_text(c, changed=changed))
