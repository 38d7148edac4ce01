"""Curriculum files: every problem located as FILE:LINE, round trips, the shipped samples."""

from __future__ import annotations

import importlib.util
import string
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passport_tui.curriculum import dump_curriculum, load_curriculum, parse_curriculum, save_curriculum
from passport_tui.engine.revision import title_change
from passport_tui.errors import CurriculumError
from passport_tui.models import Curriculum, CurriculumHeader, LinkProvenance, Milestone, Stage, Strand
from passport_tui.resources import sample_curricula_dir, sample_curriculum_paths, styles_dir

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).parents[1].parent / "shared" / "data"
DATA = SHARED / "nc-england"
RTP = SHARED / "dfe-rtp"

VALID = """\
[curriculum]
id = "t"
title = "Test"

[[stages]]
id = "Y1"
title = "Year 1"
year = 1

[[stages]]
id = "Y2"
title = "Year 2"
year = 2

[[strands]]
id = "n"
title = "Number"

[[milestones]]
id = "1N-1"
strand = "n"
stage = "Y1"
title = "Count to ten."

[[milestones]]
id = "2N-1"
strand = "n"
stage = "Y2"
title = "Count to a hundred."
requires = ["1N-1"]
"""

HEAD = """\
[curriculum]
id = "t"
title = "Test"

[[stages]]
id = "Y1"
title = "Year 1"

[[strands]]
id = "n"
title = "Number"
"""  # 11 lines: a milestone appended after it starts on line 12 (with a blank line first: 13)


def problems(tmp_path: Path, text: str, name: str = "c.toml") -> list[str]:
    """The problem lines a file gives (empty when it loads)."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    try:
        load_curriculum(path)
    except CurriculumError as error:
        prefix = f"{path}:"
        assert all(line.startswith(prefix) for line in error.lines())
        return [line.removeprefix(str(path) + ":") for line in error.lines()]
    return []


def milestone(ident: str, *extra: str, strand: str = "n", stage: str = "Y1") -> str:
    lines = ["", "[[milestones]]", f'id = "{ident}"', f'strand = "{strand}"', f'stage = "{stage}"']
    lines += [f'title = "{ident}"', *extra]
    return "\n".join(lines) + "\n"


# --- what a valid file gives ------------------------------------------------------------


def test_a_valid_file_loads(tmp_path: Path) -> None:
    assert problems(tmp_path, VALID) == []
    c = parse_curriculum(VALID, "c.toml")
    assert c.id == "t"
    assert [s.id for s in c.stages] == ["Y1", "Y2"]
    assert c.milestone_by_id["2N-1"].requires == ["1N-1"]
    assert c.milestone_by_id["1N-1"].requires == []


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert load_curriculum(path).id == "t"


# --- each problem, located --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '[curriculum]\nid = "t"\ntitle = "Test\n',
            ["3: TOML syntax error: Illegal character '\\n' (column 14)"],
            id="syntax-unterminated-string",
        ),
        pytest.param(
            '[curriculum]\nid = "t"\n\ntitle = = 3\n',
            ["4: TOML syntax error: Invalid value (column 9)"],
            id="syntax-invalid-value",
        ),
        pytest.param(
            '[curriculum]\nid = "t"\ntitle = ["a",\n',
            ["3: TOML syntax error: Invalid value (at the end of the file)"],
            id="syntax-at-end",
        ),
        pytest.param("", ["1: missing the [curriculum] table (with its id and title)"], id="empty-file"),
        pytest.param(
            HEAD + milestone("1N-1").replace('title = "1N-1"\n', ""),
            ["13: milestone 1N-1: missing field 'title'"],
            id="missing-field",
        ),
        pytest.param(
            HEAD.replace('title = "Test"\n', ""),
            ["1: [curriculum]: missing field 'title'"],
            id="missing-header-field",
        ),
        pytest.param(
            HEAD + milestone("1N-1", 'titel = "x"'),
            ["18: milestone 1N-1: unknown field 'titel' (did you mean 'title'?)"],
            id="unknown-field",
        ),
        pytest.param(
            HEAD.replace('title = "Year 1"\n', 'title = "Year 1"\ncolour = "red"\n'),
            ["8: stage Y1: unknown field 'colour' (expected id, title, year, years, end_points)"],
            id="unknown-field-no-guess",
        ),
        pytest.param(
            HEAD + "\n[extras]\nx = 1\n",
            ["13: unknown table or key 'extras' (expected curriculum, stages, strands, milestones)"],
            id="unknown-table",
        ),
        pytest.param(
            HEAD.replace('title = "Year 1"\n', 'title = "Year 1"\nyear = "one"\n'),
            ["8: stage Y1: 'year' must be a whole number, got 'one'"],
            id="wrong-type-int",
        ),
        pytest.param(
            HEAD.replace('title = "Test"\n', 'title = "Test"\nversion = 2026.1\n'),
            ["4: [curriculum]: 'version' must be text (in quotes), got 2026.1"],
            id="wrong-type-text",
        ),
        pytest.param(
            HEAD + milestone("1N-1", "requires = [1]"),
            ["18: milestone 1N-1: item 1 of 'requires' must be text (in quotes), got 1"],
            id="wrong-type-list-item",
        ),
        pytest.param(
            HEAD + milestone("1N-1", 'requires = "0N-1"'),
            ["18: milestone 1N-1: 'requires' must be a list, got '0N-1'"],
            id="wrong-type-list",
        ),
        pytest.param(
            HEAD.replace('title = "Year 1"\n', 'title = "Year 1"\nyear = 1\nyears = [1, 2]\n'),
            ["5: stage Y1: give either 'year' or 'years', not both"],
            id="stage-year-and-years",
        ),
        pytest.param(
            HEAD.replace('id = "t"', 'id = "t u"'),
            ["2: [curriculum]: curriculum id must be a non-empty word without spaces"],
            id="curriculum-id-with-space",
        ),
        pytest.param(
            '[curriculum]\nid = "t"\ntitle = "T"\n\n[stages]\nid = "Y1"\n',
            ["5: 'stages' must be a list of [[stages]] tables, got a table"],
            id="table-not-array",
        ),
        pytest.param(
            HEAD + '\n[[stages]]\nid = "Y1"\ntitle = "Again"\n',
            ["14: duplicate stage id 'Y1' (first on line 6)"],
            id="duplicate-stage",
        ),
        pytest.param(
            HEAD + '\n[[strands]]\nid = "n"\ntitle = "Again"\n',
            ["14: duplicate strand id 'n' (first on line 10)"],
            id="duplicate-strand",
        ),
        pytest.param(
            HEAD + milestone("1N-1") + milestone("1N-1"),
            ["20: duplicate milestone id '1N-1' (first on line 14)"],
            id="duplicate-milestone",
        ),
        pytest.param(
            HEAD + milestone("1N-2", 'requires = ["1N-1"]'),
            ["18: milestone 1N-2: prerequisite '1N-1' names no milestone"],
            id="unknown-prerequisite",
        ),
        pytest.param(
            HEAD + milestone("1N-1", stage="Y9"),
            ["16: milestone 1N-1: stage 'Y9' is not declared"],
            id="undeclared-stage",
        ),
        pytest.param(
            HEAD + milestone("1N-1", strand="q"),
            ["15: milestone 1N-1: strand 'q' is not declared"],
            id="undeclared-strand",
        ),
        pytest.param(
            HEAD + '\n[[strands]]\nid = "n-npv"\ntitle = "Place value"\nparent = "numbr"\n',
            ["16: strand n-npv: parent 'numbr' is not declared"],
            id="undeclared-parent",
        ),
        pytest.param(
            HEAD + '\n[[strands]]\nid = "q"\ntitle = "Q"\nparent = "q"\n',
            ["16: strand q is its own parent"],
            id="own-parent",
        ),
        pytest.param(
            HEAD + milestone("a", 'requires = ["a"]'),
            ["18: milestone a requires itself"],
            id="requires-itself",
        ),
        pytest.param(
            HEAD + milestone("a", 'requires = ["b"]') + milestone("b", 'requires = ["a"]'),
            ["18: prerequisite cycle: a -> b -> a"],
            id="cycle-of-two",
        ),
        pytest.param(
            HEAD
            + milestone("x")
            + milestone("a", 'requires = ["x", "c"]')
            + milestone("b", 'requires = ["a"]')
            + milestone("c", 'requires = ["b"]'),
            ["24: prerequisite cycle: a -> c -> b -> a"],
            id="cycle-of-three",
        ),
    ],
)
def test_each_problem_is_reported_where_it_is(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert problems(tmp_path, text) == expected


def test_every_problem_in_a_file_is_reported_in_line_order(tmp_path: Path) -> None:
    text = """\
    [curriculum]
    id = "t"
    title = "Test"
    version = 2026.1

    [[stages]]
    id = "Y1"
    title = "Year 1"
    year = "one"

    [[stages]]
    id = "Y1"
    title = "Again"

    [[strands]]
    id = "n"
    title = "N"
    parent = "x"

    [[milestones]]
    id = "a"
    strand = "n"
    stage = "Y9"
    title = "A"
    requires = ["b", "zz", "a"]
    guidance = \"\"\"
    [[milestones]]
    id = "not a milestone: this is text"
    \"\"\"

    [[milestones]]
    id = "b"
    strand = "q"
    stage = "Y1"
    titel = "B"
    requires = ["c"]

    [[milestones]]
    id = "c"
    strand = "n"
    stage = "Y1"
    title = "C"
    requires = ["a"]

    [[milestones]]
    strand = "n"
    stage = "Y1"
    title = 5
    """
    assert problems(tmp_path, text) == [
        "4: [curriculum]: 'version' must be text (in quotes), got 2026.1",
        "9: stage Y1: 'year' must be a whole number, got 'one'",
        "12: duplicate stage id 'Y1' (first on line 7)",
        "18: strand n: parent 'x' is not declared",
        "23: milestone a: stage 'Y9' is not declared",
        "25: milestone a: prerequisite 'zz' names no milestone",
        "25: milestone a requires itself",
        "25: prerequisite cycle: a -> b -> c -> a",
        "31: milestone b: missing field 'title'",
        "33: milestone b: strand 'q' is not declared",
        "35: milestone b: unknown field 'titel' (did you mean 'title'?)",
        "45: milestone #4: missing field 'id'",
        "48: milestone #4: 'title' must be text (in quotes), got 5",
    ]


def test_disjoint_cycles_are_each_reported(tmp_path: Path) -> None:
    text = (
        HEAD
        + milestone("a", 'requires = ["b"]')
        + milestone("b", 'requires = ["a"]')
        + milestone("c", 'requires = ["d"]')
        + milestone("d", 'requires = ["c"]')
    )
    assert problems(tmp_path, text) == [
        "18: prerequisite cycle: a -> b -> a",
        "32: prerequisite cycle: c -> d -> c",
    ]


def test_a_long_chain_is_not_a_cycle(tmp_path: Path) -> None:
    text = (
        HEAD
        + milestone("m0")
        + "".join(milestone(f"m{i}", f'requires = ["m{i - 1}"]') for i in range(1, 400))
    )
    assert problems(tmp_path, text) == []


def test_inline_forms_are_located(tmp_path: Path) -> None:
    text = """\
    curriculum = { id = "t", title = "T", colour = "red" }
    stages = [{ id = "Y1", title = "Year 1" }]
    strands = [
        { id = "n", title = "N" },
    ]
    milestones = [
        { id = "a", strand = "n", stage = "Y1", title = "A" },
        { id = "b", strand = "n", stage = "Y1", titel = "B" },
    ]
    """
    assert problems(tmp_path, text) == [
        "1: [curriculum]: unknown field 'colour' (expected id, title, version, source, licence, notes, moved, retired)",
        "8: milestone b: missing field 'title'",
        "8: milestone b: unknown field 'titel' (did you mean 'title'?)",
    ]


def test_dotted_keys_and_sub_tables_fall_back_gracefully(tmp_path: Path) -> None:
    text = """\
    curriculum.id = "t"
    curriculum.title = "T"
    curriculum.version = 3

    [[stages]]
    id = "Y1"
    title = "Year 1"

    [stages.extra]
    x = 1
    """
    assert problems(tmp_path, text) == [
        "3: [curriculum]: 'version' must be text (in quotes), got 3",
        "9: stage Y1: unknown field 'extra' (expected id, title, year, years, end_points)",
    ]


def test_unreadable_files_are_curriculum_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(CurriculumError) as caught:
        load_curriculum(missing)
    assert caught.value.lines() == [f"{missing}: cannot read the file: No such file or directory"]

    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[curriculum]\nid = "t"\ntitle = "Caf\xe9"\n')
    with pytest.raises(CurriculumError) as caught:
        load_curriculum(latin)
    assert caught.value.lines() == [f"{latin}:3: the file is not UTF-8 text"]


def test_deep_nesting_is_a_curriculum_error() -> None:
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum("x = " + "[" * 100_000, "deep.toml")
    assert caught.value.lines()[0].startswith("deep.toml")


# --- any input: a Curriculum or a CurriculumError, never anything else ---------------------


def parses_or_refuses(text: str) -> None:
    try:
        c = parse_curriculum(text, "fuzz.toml")
    except CurriculumError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file == "fuzz.toml"
            assert problem.line is None or 1 <= problem.line <= text.count("\n") + 1
    else:
        assert isinstance(c, Curriculum)


TOML_ALPHABET = string.ascii_letters + string.digits + " \n\t=[]{}\",.#'-_\\"


@settings(max_examples=300, deadline=None)
@given(st.text() | st.text(alphabet=TOML_ALPHABET))
def test_any_text_parses_or_refuses(text: str) -> None:
    parses_or_refuses(text)


@settings(max_examples=100, deadline=None)
@given(st.binary())
def test_any_bytes_parse_or_refuse(data: bytes) -> None:
    parses_or_refuses(data.decode("utf-8", errors="replace"))
    parses_or_refuses(data.decode("latin-1"))


@st.composite
def mutations(draw: st.DrawFn, source: str) -> str:
    text = source
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "duplicate-line", "drop-line"]))
        if kind == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 8)) :]
        elif kind == "insert":
            text = text[:where] + draw(st.text(alphabet=TOML_ALPHABET, max_size=8)) + text[where:]
        elif kind == "replace":
            text = text[:where] + draw(st.sampled_from(list(TOML_ALPHABET))) + text[where + 1 :]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, max(len(lines) - 1, 0)))
            lines[i:i] = [lines[i]] if kind == "duplicate-line" and lines else []
            if kind == "drop-line" and lines:
                del lines[i]
            text = "\n".join(lines)
    return text


@settings(max_examples=300, deadline=None)
@given(mutations(VALID + milestone("x", 'requires = ["1N-1", "2N-1"]', 'guidance = """\n[[stages]]\n"""')))
def test_mutated_files_parse_or_refuse(text: str) -> None:
    parses_or_refuses(text)


# --- writing and round trips ------------------------------------------------------------


def test_dump_follows_the_layout() -> None:
    text = dump_curriculum(parse_curriculum(VALID, "c.toml"))
    headers = [line for line in text.splitlines() if line.startswith("[")]
    assert headers == [
        "[curriculum]",
        "[[stages]]",
        "[[stages]]",
        "[[strands]]",
        "[[milestones]]",
        "[[milestones]]",
    ]
    assert 'version = "1"' in text
    assert "requires = []" not in text
    assert "guidance" not in text and "parent" not in text
    assert 'requires = ["1N-1"]' in text


def test_save_writes_a_new_file_atomically(tmp_path: Path) -> None:
    c = parse_curriculum(VALID, "c.toml")
    path = tmp_path / "out.toml"
    path.write_text("old", encoding="utf-8")
    save_curriculum(c, path)
    assert path.read_text(encoding="utf-8") == dump_curriculum(c)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.toml"]
    assert load_curriculum(path) == c


WORDS = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
IDS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8)
TEXTS = WORDS.filter(str.strip)  # a link's source or reason: not blank


@st.composite
def curricula(draw: st.DrawFn) -> Curriculum:
    header = CurriculumHeader(
        id=draw(st.text(string.ascii_letters + "-", min_size=1, max_size=10)),
        title=draw(WORDS),
        version=draw(WORDS),
        source=draw(st.none() | WORDS),
        licence=draw(st.none() | WORDS),
        notes=draw(st.none() | WORDS),
    )
    stage_ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    stages = []
    for sid in stage_ids:
        first = draw(st.integers(0, 13))
        width = draw(st.sampled_from([0, 1, 2]))
        stages.append(
            Stage(
                id=sid,
                title=draw(WORDS),
                year=first if width == 1 else None,
                years=list(range(first, first + 2)) if width == 2 else None,
                end_points=draw(st.none() | st.integers(0, 60)),
            )
        )
    strand_ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    strands = [
        Strand(id=s, title=draw(WORDS), parent=draw(st.none() | st.sampled_from(strand_ids[:i] or [None])))
        for i, s in enumerate(strand_ids)
    ]
    milestone_ids = draw(st.lists(IDS, max_size=12, unique=True))
    milestones = []
    for i, m in enumerate(milestone_ids):
        requires = draw(st.lists(st.sampled_from(milestone_ids[:i]), unique=True)) if i else []
        provenance = {}
        for r in requires:
            source, reason = draw(st.none() | TEXTS), draw(st.none() | TEXTS)
            if source is not None or reason is not None:
                provenance[r] = LinkProvenance(source=source, reason=reason)
        milestones.append(
            Milestone(
                id=m,
                strand=draw(st.sampled_from(strand_ids)),
                stage=draw(st.sampled_from(stage_ids)),
                title=draw(WORDS),
                requires=requires,
                guidance=draw(st.none() | WORDS),
                parent_text=draw(st.none() | TEXTS),
                provenance=provenance,
            )
        )
    return Curriculum(curriculum=header, stages=stages, strands=strands, milestones=milestones)


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curricula())
def test_generated_curricula_round_trip(c: Curriculum) -> None:
    assert parse_curriculum(dump_curriculum(c), "gen.toml") == c


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curricula(), st.sampled_from(["stages", "strands", "milestones"]), st.data())
def test_problems_point_at_their_line_whatever_the_text(
    c: Curriculum, section: str, data: st.DataObject
) -> None:
    """An unknown key put into any table of a dumped curriculum is reported on its own line,
    whatever strings (brackets, quotes, newlines) come before it."""
    items = getattr(c, section)
    if not items:
        return
    i = data.draw(st.integers(0, len(items) - 1))
    later = {"stages": ["strands", "milestones"], "strands": ["milestones"], "milestones": []}[section]
    before = c.model_copy(update={section: items[:i], **{name: [] for name in later}})
    header = dump_curriculum(before).count("\n") + 2
    lines = dump_curriculum(c).split("\n")
    assert lines[header - 1] == f"[[{section}]]"
    lines.insert(header, "zzz = 1")
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum("\n".join(lines), "gen.toml")
    [problem] = caught.value.problems
    assert problem.line == header + 1
    assert "unknown field 'zzz'" in problem.message


# --- the shipped samples ----------------------------------------------------------------


def test_the_samples_are_found() -> None:
    assert sample_curricula_dir() == REPO / "sample_curricula"
    assert styles_dir() == REPO / "styles"
    names = [p.name for p in sample_curriculum_paths()]
    assert {"nc-english.toml", "nc-maths.toml"} <= set(names)
    assert names == sorted(names)


@pytest.mark.parametrize("path", sample_curriculum_paths(), ids=lambda p: p.name)
def test_every_sample_loads_and_round_trips(path: Path) -> None:
    c = load_curriculum(path)
    assert parse_curriculum(dump_curriculum(c), str(path)) == c
    assert c.curriculum.licence
    assert len({m.id for m in c.milestones}) == len(c.milestones)


def _sample(name: str) -> Curriculum:
    return load_curriculum(sample_curricula_dir() / name)


OGL = "Contains public sector information licensed under the Open Government Licence v3.0."


def test_the_full_statement_samples() -> None:
    maths, english = _sample("nc-maths.toml"), _sample("nc-english.toml")
    assert maths.id == "nc-maths" and english.id == "nc-english"
    assert [(s.id, s.title, s.year_list) for s in maths.stages] == [
        (f"Y{y}", f"Year {y}", [y]) for y in range(1, 7)
    ]
    assert [(s.id, s.year_list) for s in english.stages] == [
        ("Y1", [1]),
        ("Y2", [2]),
        ("Y3-4", [3, 4]),
        ("Y5-6", [5, 6]),
    ]
    assert (len(maths.milestones), len(english.milestones)) == (235, 153)
    for c in (maths, english):
        assert c.curriculum.licence == OGL
        assert "no prerequisite links" in (c.curriculum.notes or "")
        # ids never take an official ready-to-progress code
        assert all(m.id.startswith("nc-") for m in c.milestones)
    m = maths.milestone_by_id["nc-3NPV-1"]
    assert (m.stage, m.strand) == ("Y3", "number-npv")
    assert maths.strand_by_id["number-npv"].parent == "number"
    assert english.milestone_by_id["nc-34VGP-1"].stage == "Y3-4"
    # the source's fraction markup is written as plain fractions
    titles = [m.title for c in (maths, english) for m in c.milestones]
    assert not [t for t in titles if "[Fraction:" in t]
    assert any("1/3" in t for t in titles)


def _positional_links(c: Curriculum) -> set[tuple[str, str]]:
    """The links the old generator drew: the k-th milestone of a sub-strand in one stage required
    the k-th (or the last) of the same sub-strand in the stage before."""
    by: dict[tuple[str, str], list[str]] = {}
    for m in c.milestones:
        by.setdefault((m.stage, m.strand), []).append(m.id)
    order = [s.id for s in c.stages]
    out = set()
    for (stage, strand), ids in by.items():
        i = order.index(stage)
        before = by.get((order[i - 1], strand), []) if i else []
        for k, ident in enumerate(ids):
            if before:
                out.add((ident, before[min(k, len(before) - 1)]))
    return out


@pytest.mark.parametrize("name", ["nc-maths.toml", "nc-english.toml"])
def test_no_link_in_the_full_statement_files_is_positional(name: str) -> None:
    c = _sample(name)
    links = {(m.id, r) for m in c.milestones for r in m.requires}
    assert not links & _positional_links(c)
    # a link a school adds must say where it comes from, like every shipped link
    assert all(m.link(r) for m in c.milestones for r in m.requires)


def test_the_positional_rule_is_recognised() -> None:
    """The check above can fail: the rule finds the links a positional generator would draw."""
    c = _sample("nc-maths.toml")
    assert ("nc-2NPV-1", "nc-1NPV-1") in _positional_links(c)


@pytest.mark.parametrize("path", sample_curriculum_paths(), ids=lambda p: p.name)
def test_every_shipped_link_has_provenance(path: Path) -> None:
    c = load_curriculum(path)
    missing = [(m.id, r) for m in c.milestones for r in m.requires if m.link(r) is None]
    assert missing == []
    for m in c.milestones:
        for _, link in m.links:
            assert link is not None and link.text.strip()


RTP_CODES = {
    1: ["1NPV-1", "1NPV-2", "1NF-1", "1NF-2", "1AS-1", "1AS-2", "1G-1", "1G-2"],
    2: ["2NPV-1", "2NPV-2", "2NF-1", "2AS-1", "2AS-2", "2AS-3", "2AS-4", "2MD-1", "2MD-2", "2G-1"],
    3: [
        *[f"3NPV-{n}" for n in range(1, 5)],
        *[f"3NF-{n}" for n in range(1, 4)],
        *[f"3AS-{n}" for n in range(1, 4)],
        "3MD-1",
        *[f"3F-{n}" for n in range(1, 5)],
        "3G-1",
        "3G-2",
    ],
    4: [
        *[f"4NPV-{n}" for n in range(1, 5)],
        *[f"4NF-{n}" for n in range(1, 4)],
        *[f"4MD-{n}" for n in range(1, 4)],
        *[f"4F-{n}" for n in range(1, 4)],
        *[f"4G-{n}" for n in range(1, 4)],
    ],
    5: [
        *[f"5NPV-{n}" for n in range(1, 6)],
        "5NF-1",
        "5NF-2",
        *[f"5MD-{n}" for n in range(1, 5)],
        *[f"5F-{n}" for n in range(1, 4)],
        "5G-1",
        "5G-2",
    ],
    6: [
        *[f"6NPV-{n}" for n in range(1, 5)],
        *[f"6AS/MD-{n}" for n in range(1, 5)],
        "6F-1",
        "6F-2",
        "6F-3",
        "6G-1",
    ],
}


def test_the_key_maths_file_has_every_ready_to_progress_criterion() -> None:
    c = _sample("key-maths.toml")
    assert c.id == "key-maths" and c.curriculum.licence == OGL
    codes = [code for year in RTP_CODES.values() for code in year]
    assert len(codes) == len(set(codes)) == 79
    for year, wanted in RTP_CODES.items():
        assert {m.id for m in c.milestones_by_stage[f"Y{year}"]} == set(wanted), year
    assert [(s.id, s.year_list) for s in c.stages] == [
        ("R", [0]),
        *[(f"Y{y}", [y]) for y in range(1, 7)],
        ("KS3", [7, 8, 9]),
    ]
    notes = " ".join((c.curriculum.notes or "").split())
    assert "not confirmed" in notes and "extension of the points scheme" in notes
    # a link marked UNVERIFIED in the source data says so
    link = c.milestone_by_id["3NPV-1"].link("1NPV-1")
    assert link is not None and link.source is None
    assert (link.reason or "").startswith("inferred from numbering, not confirmed")
    # a sourced link cites the guidance's summary-table row
    link = c.milestone_by_id["3NPV-3"].link("2NPV-2")
    assert link is not None and "row NPV-3" in (link.source or "") and link.reason is None


@pytest.mark.skipif(not RTP.is_dir(), reason=f"no source data at {RTP}")
def test_the_key_maths_file_keeps_every_sourced_link_and_the_criteria_wording() -> None:
    import csv

    c = _sample("key-maths.toml")
    with (RTP / "criteria.csv").open(encoding="utf-8", newline="") as f:
        criteria = list(csv.DictReader(f))
    assert {r["code"] for r in criteria} == {code for year in RTP_CODES.values() for code in year}
    for row in criteria:
        assert c.milestone_by_id[row["code"]].title == " ".join(row["text"].split()), row["code"]
    with (RTP / "links.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            m = c.milestone_by_id[row["to"]]
            link = m.link(row["from"])
            assert link is not None, (row["from"], row["to"])
            if row["evidence"].startswith("UNVERIFIED"):
                assert link.source is None and "not confirmed" in (link.reason or "")
            else:
                url = row["evidence"].split()[0]
                assert url in (link.source or ""), (row["from"], row["to"])


@pytest.mark.parametrize("name", ["key-maths.toml", "key-english.toml"])
def test_a_pupil_leaving_primary_keeps_next_steps(name: str) -> None:
    from datetime import UTC, date, datetime

    from passport_tui.engine import standing
    from tests.factories import Log

    c = _sample(name)
    assert c.stages[0].year_list == [0] and c.stages[0].title == "Reception"
    assert c.stages[-1].year_list == [7, 8, 9]
    log = Log()
    for stage in c.stages[:-1]:  # Reception to Year 6 secured
        for m in c.milestones_by_stage[stage.id]:
            log.add(m.id, "achieved", datetime(2026, 9, 10, tzinfo=UTC))
    s = standing(c, log.record(), 7, date(2026, 11, 23))
    assert s.points == 27 and s.expected == 28
    assert s.next and all(c.milestone_by_id[n].stage == "KS3" for n in s.next)
    assert "this project's extension of the points scheme" in " ".join((c.curriculum.notes or "").split())


def test_key_english_is_far_fewer_than_the_statements() -> None:
    c = _sample("key-english.toml")
    primary = [
        m
        for m in c.milestones
        if c.stage_by_id[m.stage].year_list and max(c.stage_by_id[m.stage].year_list) <= 6
    ]
    assert 30 <= len(primary) <= 60 < 153
    assert c.curriculum.licence == OGL
    assert all(m.guidance for m in c.milestones)  # each names its source


def test_sample_texts_have_no_stray_whitespace() -> None:
    for name in ("nc-maths.toml", "nc-english.toml", "key-maths.toml", "key-english.toml"):
        for m in _sample(name).milestones:
            assert m.title == " ".join(m.title.split()), m.id


@pytest.mark.skipif(not (DATA.is_dir() and RTP.is_dir()), reason=f"no source data at {SHARED}")
def test_the_generator_reproduces_the_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_sample_curricula", REPO / "sample_curricula" / "build.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, script)  # dataclasses look their module up
    spec.loader.exec_module(script)
    assert script.main(["--data", str(SHARED), "--out", str(tmp_path)]) == 0
    for name in ("nc-maths.toml", "nc-english.toml", "key-maths.toml"):
        assert (tmp_path / name).read_bytes() == (sample_curricula_dir() / name).read_bytes(), name


# --- where a link comes from --------------------------------------------------------------------

LINKED = VALID + textwrap.dedent(
    """
    [[milestones]]
    id = "1N-2"
    strand = "n"
    stage = "Y1"
    title = "Read numbers to ten."

    [[milestones]]
    id = "2N-9"
    strand = "n"
    stage = "Y2"
    title = "Linked"
    requires = [
        "1N-1",  # a bare id: no provenance
        { id = "2N-1", source = "DfE guidance, summary table row NPV-3" },
        { id = "1N-2", reason = "ordering numbers needs reading them", source = "NC Year 2" },
    ]
    """
)


def test_a_link_can_say_where_it_comes_from() -> None:
    c = parse_curriculum(LINKED, "linked.toml")
    m = c.milestone_by_id["2N-9"]
    assert m.requires == ["1N-1", "2N-1", "1N-2"]
    assert m.link("1N-1") is None
    assert m.link("2N-1") == LinkProvenance(source="DfE guidance, summary table row NPV-3")
    assert m.links[2] == (
        "1N-2",
        LinkProvenance(source="NC Year 2", reason="ordering numbers needs reading them"),
    )
    assert m.link("1N-2").text == "Source: NC Year 2; Our reading: ordering numbers needs reading them"
    # the writer keeps it, one link a line, and reads back the same
    text = dump_curriculum(c)
    assert '    { id = "2N-1", source = "DfE guidance, summary table row NPV-3" },\n' in text
    assert '    "1N-1",\n' in text
    assert parse_curriculum(text, "again.toml") == c


def test_link_problems_are_reported_on_their_own_lines() -> None:
    text = LINKED.replace(
        '    { id = "1N-2", reason = "ordering numbers needs reading them", source = "NC Year 2" },\n',
        '    { id = "1N-2", sorce = "NC" },\n'
        '    { source = "no id" },\n'
        '    { id = "9Z-9", reason = " " },\n'
        '    { id = "2N-1", reason = 3 },\n',
    )
    lines = text.split("\n")
    at = {
        needle: lines.index(next(line for line in lines if needle in line)) + 1
        for needle in ("sorce", "no id", "9Z-9", "reason = 3")
    }
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(text, "bad.toml")
    found = [(p.line, p.message) for p in caught.value.problems]
    assert (
        at["sorce"],
        "milestone 2N-9: item 3 of 'requires': unknown field 'sorce' (did you mean 'source'?)",
    ) in found
    assert any(line == at["sorce"] and "needs a 'source'" in message for line, message in found)
    assert (
        at["no id"],
        "milestone 2N-9: item 4 of 'requires': missing field 'id' (the prerequisite's milestone id)",
    ) in found
    assert (at["9Z-9"], "milestone 2N-9: item 5 of 'requires': 'reason' is blank") in found
    assert (at["9Z-9"], "milestone 2N-9: prerequisite '9Z-9' names no milestone") in found
    assert (
        at["reason = 3"],
        "milestone 2N-9: item 6 of 'requires': 'reason' must be text (in quotes), got 3",
    ) in found
    assert (at["reason = 3"], "milestone 2N-9: prerequisite '2N-1' is listed twice") in found


def test_provenance_is_written_only_inside_requires() -> None:
    text = LINKED + 'provenance = { "1N-1" = { source = "x" } }\n'
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(text, "bad.toml")
    [problem] = caught.value.problems
    assert problem.line == text.count("\n")
    assert "unknown field 'provenance'" in problem.message and "in 'requires'" in problem.message


def test_a_model_refuses_provenance_for_a_link_it_does_not_have() -> None:
    with pytest.raises(ValueError, match="not a prerequisite"):
        Milestone(
            id="b",
            strand="n",
            stage="Y1",
            title="B",
            requires=["a"],
            provenance={"c": LinkProvenance(reason="x")},
        )
    with pytest.raises(ValueError, match="needs a 'source' or a 'reason'"):
        LinkProvenance()


# --- words for parents ----------------------------------------------------------------------------

KEY_CURRICULA = ("key-maths.toml", "key-english.toml")
# the statutory and teachers' words a parent is not expected to know
JARGON = (
    "linear number system",
    "partition",
    "quotitive",
    "partitive",
    "commutative",
    "distributive",
    "denominat",
    "subitise",
    "grapheme",
    "phoneme",
    "digraph",
    "gpc",
    "exception word",
    "demarcate",
    "stimul",
    "correspondence",
    "composition",
)


@pytest.mark.parametrize("name", [*KEY_CURRICULA, "engagement-model.toml"])
def test_every_key_milestone_has_plain_words_for_parents(name: str) -> None:
    c = _sample(name)
    for m in c.milestones:
        text = m.parent_text
        assert text, f"{m.id} has no parent_text"
        assert len(text) <= 120, (m.id, len(text))
        assert text == " ".join(text.split()), m.id  # one line, no stray spaces
        assert text[0].isupper() and not text.endswith("."), m.id  # one sentence, written alike
        assert not any(c in text for c in "[]{}<>*_`\\"), m.id  # no source or rich markup
        assert title_change(m.title, text) is not None, f"{m.id}: parent_text is its title"
        assert not [w for w in JARGON if w in text.casefold()], m.id


def test_the_generator_gives_every_key_maths_milestone_its_parent_text() -> None:
    spec = importlib.util.spec_from_file_location(
        "key_maths_tables", REPO / "sample_curricula" / "key_maths.py"
    )
    assert spec is not None and spec.loader is not None
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    shipped = {m.id: m.parent_text for m in _sample("key-maths.toml").milestones}
    assert shipped == tables.PARENT_TEXT


@pytest.mark.parametrize("name", KEY_CURRICULA)
def test_parent_text_survives_a_toml_round_trip(name: str) -> None:
    c = _sample(name)
    text = dump_curriculum(c)
    assert text.count("\nparent_text = ") == len(c.milestones)
    back = parse_curriculum(text, name)
    assert [m.parent_text for m in back.milestones] == [m.parent_text for m in c.milestones]


def test_parent_text_is_written_after_guidance_and_is_optional() -> None:
    text = LINKED.replace(
        'title = "Linked"\n', 'title = "Linked"\nparent_text = "Can put numbers in order"\n'
    )
    c = parse_curriculum(text, "c.toml")
    assert c.milestone_by_id["2N-9"].parent_text == "Can put numbers in order"
    assert c.milestone_by_id["1N-1"].parent_text is None
    written = dump_curriculum(c)
    block = written[written.index('id = "2N-9"') :]
    keys = [line.split(" = ")[0] for line in block.splitlines() if " = " in line and not line.startswith(" ")]
    assert keys == ["id", "strand", "stage", "title", "requires", "parent_text"]
    assert written.count("parent_text") == 1


def test_a_misspelt_or_blank_parent_text_is_refused_on_its_line(tmp_path: Path) -> None:
    assert problems(tmp_path, HEAD + milestone("1N-1", 'parent-text = "Counts to ten"')) == [
        "18: milestone 1N-1: unknown field 'parent-text' (did you mean 'parent_text'?)"
    ]
    assert problems(tmp_path, HEAD + milestone("1N-1", 'parent_text = "  "')) == [
        "18: milestone 1N-1: parent_text is blank (leave it out instead)"
    ]
