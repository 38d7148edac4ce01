"""Build the generated sample curricula.

    uv run python sample_curricula/build.py [--data DIR] [--out DIR]

From the National Curriculum (England) statements (``DIR/nc-england``; default data folder
``../shared/data`` next to the repository) it writes the full-statement files ``nc-maths.toml`` and
``nc-english.toml``: one milestone per statement, ids prefixed ``nc-``, and no prerequisite links
(the source has none). From the DfE's ready-to-progress criteria (``DIR/dfe-rtp``), the early
learning goals and the key stage 3 statements it writes the key mathematics curriculum
``key-maths.toml`` (see ``key_maths.py``). ``key-english.toml`` is written by hand. The output
depends only on the data and the tables here, so a rebuild gives the same bytes.
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
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "sample_curricula"
ID_PREFIX = (
    "nc-"  # keeps these ids apart from the DfE's official codes (3NPV-1 is a ready-to-progress criterion)
)

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


_MARKUP = re.compile(r"\[Fraction:([^\]]+)\]")


def clean(text: str) -> str:
    """The statement as plain text: whitespace collapsed, the source's fraction markup
    (``[Fraction:1/3]``) written as a fraction (``1/3``)."""
    return " ".join(_MARKUP.sub(r"\1", text).split())


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
        ident = f"{ID_PREFIX}{prefix}{sub.code}-{count[(stage.id, sub.code)]}"
        guidance = clean(row.get("sub_statements") or "") or None
        milestones.append(
            Milestone(
                id=ident, strand=sub.id, stage=stage.id, title=clean(row["statement"]), guidance=guidance
            )
        )
    ids = [m.id for m in milestones]
    assert len(ids) == len(set(ids)), "milestone ids must be unique"

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


def notes(subject: Subject, left_out: int, example: str) -> str:
    key = "key-maths" if subject is MATHS else "key-english"
    lines = [
        f"The National Curriculum programme of study for {subject.name}, Years 1 to 6: one milestone per",
        "statement, for a school that wants to record every statement. It is optional: the key",
        f"curriculum ({key}) holds the milestones other learning depends on, with their links.",
        "Within a year, sub-strands come in teaching order (number first), and statements in the",
        "source's order within a sub-strand; the source's fraction markup is written as plain fractions.",
        f"The {left_out} key stage 3 and 4 statements are left out: the source gives them no year group.",
        f"Milestone ids are '{ID_PREFIX}', the year (34 for Years 3 and 4), a sub-strand code and the",
        f"position: {example}. They are not the DfE's ready-to-progress codes.",
        "There are no prerequisite links: the National Curriculum states none, and links drawn by",
        "position (the k-th statement of one year requiring the k-th of the year before) say wrong",
        "things. A school that adds a link gives it a source or a reason: see the README.",
    ]
    return "\n".join(lines)


def describe(m: Milestone, stages: dict[str, Stage], strands: list[Strand]) -> str:
    """'3NPV-1 is the first Number and place value statement of Year 3'."""
    title = next(s.title for s in strands if s.id == m.strand)
    return f"{m.id} is the first {title} statement of {stages[m.stage].title}"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # key_maths.py lives beside this script
    from key_maths import build_key_maths

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="the data folder (with nc-england/ and dfe-rtp/)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the TOML files")
    args = parser.parse_args(argv)
    nc = args.data / "nc-england"
    source = read_source(nc)
    args.out.mkdir(parents=True, exist_ok=True)
    built = [(subject.out, build(subject, nc, source)) for subject in (MATHS, ENGLISH)]
    built.append(("key-maths.toml", build_key_maths(args.data, source.commit, source.version)))
    for name, curriculum in built:
        path = args.out / name
        assert parse_curriculum(dump_curriculum(curriculum), str(path)) == curriculum, "round trip"
        save_curriculum(curriculum, path)
        links = sum(len(m.requires) for m in curriculum.milestones)
        assert all(m.link(r) for m in curriculum.milestones for r in m.requires), "a link with no provenance"
        print(
            f"wrote {path}: {len(curriculum.stages)} stages, {len(curriculum.strands)} strands, "
            f"{len(curriculum.milestones)} milestones, {links} prerequisite links"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
