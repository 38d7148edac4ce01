"""Build the sample curricula from the National Curriculum (England) statements.

    uv run python sample_curricula/build.py [--data DIR] [--out DIR]

Reads ``nc-maths-statements.csv`` and ``nc-english-statements.csv`` (default data folder:
``../shared/data/nc-england`` next to the repository) and writes ``nc-maths.toml`` and
``nc-english.toml`` into ``sample_curricula/``. The output depends only on the data: ids come
from the fixed tables below, so they never change between runs.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from passport_tui.curriculum import dump_curriculum, parse_curriculum, save_curriculum
from passport_tui.models import Curriculum, CurriculumHeader, Milestone, Stage, Strand

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "nc-england"
DEFAULT_OUT = REPO / "sample_curricula"

VERSION = "2026.1"
LICENCE = "Contains public sector information licensed under the Open Government Licence v3.0."


@dataclass(frozen=True)
class SubStrand:
    """A source sub-strand: its code in milestone ids, its strand id, and the sub-strands
    (by code) it carries on from when the source renames it between years."""

    code: str
    id: str
    continues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subject:
    name: str  # "mathematics"
    csv: str
    out: str
    id: str
    title: str
    strands: dict[str, str]  # source strand title -> strand id (file order)
    substrands: dict[tuple[str, str], SubStrand]  # (strand, sub-strand) -> sub-strand (file order)


MATHS = Subject(
    name="mathematics",
    csv="nc-maths-statements.csv",
    out="nc-maths.toml",
    id="nc-maths",
    title="Mathematics — National Curriculum (England), Years 1–6",
    strands={
        "Number": "number",
        "Measurement": "measurement",
        "Geometry": "geometry",
        "Statistics": "statistics",
        "Ratio and proportion": "ratio",
        "Algebra": "algebra",
    },
    substrands={
        ("Number", "Number and place value"): SubStrand("NPV", "number-npv"),
        ("Number", "Addition and subtraction"): SubStrand("AS", "number-as"),
        ("Number", "Multiplication and division"): SubStrand("MD", "number-md"),
        ("Number", "Addition, subtraction, multiplication and division"): SubStrand(
            "ASMD", "number-asmd", continues=("AS", "MD")
        ),
        ("Number", "Fractions"): SubStrand("F", "number-f"),
        ("Number", "Fractions (including decimals)"): SubStrand("FD", "number-fd", continues=("F",)),
        ("Number", "Fractions (including decimals and percentages)"): SubStrand(
            "FDP", "number-fdp", continues=("FD",)
        ),
        ("Measurement", "Measurement"): SubStrand("M", "measurement"),
        ("Geometry", "Properties of shape"): SubStrand("PS", "geometry-ps"),
        ("Geometry", "Position and direction"): SubStrand("PD", "geometry-pd"),
        ("Statistics", "Statistics"): SubStrand("S", "statistics"),
        ("Ratio and proportion", "Ratio and proportion"): SubStrand("RP", "ratio"),
        ("Algebra", "Algebra"): SubStrand("ALG", "algebra"),
    },
)

ENGLISH = Subject(
    name="English",
    csv="nc-english-statements.csv",
    out="nc-english.toml",
    id="nc-english",
    title="English — National Curriculum (England), Years 1–6",
    strands={
        "Reading": "reading",
        "Writing": "writing",
        "Grammar and Vocabulary": "grammar",
    },
    substrands={
        ("Reading", "Word Reading"): SubStrand("WR", "reading-wr"),
        ("Reading", "Comprehension"): SubStrand("COMP", "reading-comp"),
        ("Writing", "Transcription"): SubStrand("TR", "writing-tr"),
        ("Writing", "Handwriting"): SubStrand("HW", "writing-hw"),
        ("Writing", "Composition"): SubStrand("WC", "writing-wc"),
        ("Grammar and Vocabulary", "Vocabulary Grammar Punctuation"): SubStrand("VGP", "grammar-vgp"),
    },
)

_YEARS = re.compile(r"year-group-(\d+)(?:-(\d+))?")


@dataclass(frozen=True)
class Source:
    commit: str
    version: str


def read_source(data: Path) -> Source:
    text = (data / "SOURCE.md").read_text(encoding="utf-8")
    commit = re.search(r"commit `([0-9a-f]{40})`", text)
    version = re.search(r"ontology version ([0-9.]*[0-9])", text)
    if commit is None or version is None:
        raise SystemExit(f"{data / 'SOURCE.md'}: cannot find the source commit and ontology version")
    return Source(commit.group(1), version.group(1))


def stage_for(year_groups: str) -> tuple[Stage, str]:
    """The stage of a ``year_groups`` value, and its prefix in milestone ids ("3", "34")."""
    match = _YEARS.fullmatch(year_groups)
    if match is None:
        raise SystemExit(f"unexpected year_groups {year_groups!r}")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first == last:
        return Stage(id=f"Y{first}", title=f"Year {first}", year=first), str(first)
    years = list(range(first, last + 1))
    title = f"Years {', '.join(map(str, years[:-1]))} and {last}"
    return Stage(id=f"Y{first}-{last}", title=title, years=years), "".join(map(str, years))


def clean(text: str) -> str:
    return " ".join(text.split())


def build(subject: Subject, data: Path, source: Source) -> Curriculum:
    with (data / subject.csv).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    left_out = [r for r in rows if not r["year_groups"]]
    rows = [r for r in rows if r["year_groups"]]
    # teaching order within a year: sub-strands in the order of the code table (number first), then
    # the source's order inside a sub-strand
    rank = {key: i for i, key in enumerate(subject.substrands)}
    rows.sort(
        key=lambda r: (
            int(_YEARS.match(r["year_groups"]).group(1)),
            rank.get((r["strand"], r["substrand"]), len(rank)),
        )
    )

    stages: dict[str, Stage] = {}
    milestones: list[Milestone] = []
    codes: dict[str, str] = {}  # milestone id -> sub-strand code
    count: dict[tuple[str, str], int] = defaultdict(int)
    used: set[tuple[str, str]] = set()
    for row in rows:
        stage, prefix = stage_for(row["year_groups"])
        stages.setdefault(stage.id, stage)
        key = (row["strand"], row["substrand"])
        if key not in subject.substrands:
            raise SystemExit(f"{subject.csv}: no code for strand {key[0]!r}, sub-strand {key[1]!r}: add one")
        used.add(key)
        sub = subject.substrands[key]
        count[(stage.id, sub.code)] += 1
        ident = f"{prefix}{sub.code}-{count[(stage.id, sub.code)]}"
        if clean(row["statement"]) != row["statement"]:
            print(f"note: stray whitespace removed from {row['descriptor_id']}", file=sys.stderr)
        guidance = clean(row.get("sub_statements") or "") or None
        milestones.append(
            Milestone(
                id=ident, strand=sub.id, stage=stage.id, title=clean(row["statement"]), guidance=guidance
            )
        )
        codes[ident] = sub.code
    ids = [m.id for m in milestones]
    assert len(ids) == len(set(ids)), "milestone ids must be unique"

    milestones = add_prerequisites(subject, list(stages), milestones, codes)
    declared = strands(subject, used)
    third = list(stages)[min(2, len(stages) - 1)]
    example = describe(next(m for m in milestones if m.stage == third), stages, declared)
    return Curriculum(
        curriculum=CurriculumHeader(
            id=subject.id,
            title=subject.title,
            version=VERSION,
            source=(
                "National Curriculum in England (Department for Education), via oaknational/"
                f"oak-curriculum-ontology {source.version}, commit {source.commit}"
            ),
            licence=LICENCE,
            notes=notes(subject, len(left_out), example),
        ),
        stages=list(stages.values()),
        strands=declared,
        milestones=milestones,
    )


def strands(subject: Subject, used: set[tuple[str, str]]) -> list[Strand]:
    """Each strand, followed by its sub-strands; one strand where both have the same title."""
    out: list[Strand] = []
    for strand_title, strand_id in subject.strands.items():
        subs = [
            (key[1], sub) for key, sub in subject.substrands.items() if key[0] == strand_title and key in used
        ]
        if not subs:
            continue
        if [title for title, _ in subs] == [strand_title]:
            assert subs[0][1].id == strand_id, f"{strand_title}: one strand, one id"
            out.append(Strand(id=strand_id, title=strand_title))
            continue
        out.append(Strand(id=strand_id, title=strand_title))
        out += [Strand(id=sub.id, title=title, parent=strand_id) for title, sub in subs]
    return out


def add_prerequisites(
    subject: Subject, stage_order: list[str], milestones: list[Milestone], codes: dict[str, str]
) -> list[Milestone]:
    """Milestone k of (stage S, sub-strand X) requires, in the nearest earlier stage that has X
    (or a sub-strand X carries on from): the same statement if the source repeats it there, else
    that stage's k-th milestone of X, else its last one."""
    continues = {sub.code: sub.continues for sub in subject.substrands.values()}

    def lineage(code: str) -> set[str]:
        out, todo = set(), [code]
        while todo:
            c = todo.pop()
            if c not in out:
                out.add(c)
                todo += continues.get(c, ())
        return out

    by_stage_code: dict[tuple[str, str], list[Milestone]] = defaultdict(list)
    for m in milestones:
        by_stage_code[(m.stage, codes[m.id])].append(m)

    out: list[Milestone] = []
    for m in milestones:
        code = codes[m.id]
        mine = by_stage_code[(m.stage, code)]
        k = mine.index(m)
        family = lineage(code)
        earlier = stage_order[: stage_order.index(m.stage)]
        requires: list[str] = []
        for stage in reversed(earlier):
            before = [p for p in milestones if p.stage == stage and codes[p.id] in family]
            if before:
                same = [p for p in before if p.title == m.title]
                pick = same[0] if same else before[min(k, len(before) - 1)]
                requires = [pick.id]
                break
        out.append(m.model_copy(update={"requires": requires}))
    return out


def notes(subject: Subject, left_out: int, example: str) -> str:
    titles = {sub.code: title for (_, title), sub in subject.substrands.items()}
    lines = [
        f"The National Curriculum programme of study for {subject.name}, Years 1 to 6: one milestone per",
        "statement. Within a year, sub-strands come in teaching order (number first), and statements",
        "in the source's order within a sub-strand.",
        f"The {left_out} key stage 3 and 4 statements are left out: the source gives them no year group.",
        "Milestone ids are the year (34 for Years 3 and 4), a sub-strand code and the position:",
        f"{example}.",
        "The prerequisite links are this project's own reading of the National Curriculum's",
        "year-by-year structure, not part of the source: milestone k of a sub-strand in one year",
        "requires, in the nearest earlier year that has the sub-strand, the same statement when the",
        "source repeats it, otherwise that year's k-th milestone of the sub-strand, or its last one.",
    ]
    carried = [
        f"{title} carries on from {' and '.join(titles[c] for c in sub.continues)}"
        for (_, title), sub in subject.substrands.items()
        if sub.continues
    ]
    if carried:
        lines.append("Renamed sub-strands continue one progression:")
        lines += [f"- {line}." for line in carried]
    return "\n".join(lines)


def describe(m: Milestone, stages: dict[str, Stage], strands: list[Strand]) -> str:
    """'3NPV-1 is the first Number and place value statement of Year 3'."""
    title = next(s.title for s in strands if s.id == m.strand)
    return f"{m.id} is the first {title} statement of {stages[m.stage].title}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the nc-england data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the TOML files")
    args = parser.parse_args(argv)
    source = read_source(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    for subject in (MATHS, ENGLISH):
        curriculum = build(subject, args.data, source)
        path = args.out / subject.out
        assert parse_curriculum(dump_curriculum(curriculum), str(path)) == curriculum, "round trip"
        save_curriculum(curriculum, path)
        links = sum(len(m.requires) for m in curriculum.milestones)
        print(
            f"wrote {path}: {len(curriculum.stages)} stages, {len(curriculum.strands)} strands, "
            f"{len(curriculum.milestones)} milestones, {links} prerequisite links"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
