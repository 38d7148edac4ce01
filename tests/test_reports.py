"""Parent, class and school reports: content, escaping, self-containment, and the commands."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from passport_tui.cli.reports import comment, report
from passport_tui.errors import NotFound, PassportError
from passport_tui.models import NoteKind, Pupil
from passport_tui.reports import (
    class_parent_report,
    parent_report,
    school_report,
)
from passport_tui.reports._render import md, months_before
from passport_tui.reports.parent import expectation_words
from passport_tui.service import Service


class Page(HTMLParser):
    """The visible text of a page (scripts and styles left out), its tags and their attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())

    def count(self, tag: str, cls: str | None = None) -> int:
        return sum(
            1 for t, a in self.tags if t == tag and (cls is None or cls in (a.get("class") or "").split())
        )


def at(day: int, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def ann(school: Service) -> Service:
    """Ann (A1, Year 1): 1N-1 secured long ago, 1N-2 this period; a focus item and a comment."""
    school.judge("A1", "1N-1", "achieved", at=at(1, 3))  # before the period (23 May - 23 Nov)
    school.judge("A1", "1N-2", "achieved", at=at(10, 10))
    school.pin_focus("A1", "1N-3", provision="Daily number bonds game with Mrs Patel")
    school.add_teacher_comment("A1", "Ann has grown in confidence with number.")
    return school


def assert_self_contained(html: str) -> None:
    page = Page(html)
    assert not re.search(r"https?://", html)
    for _tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "data", "action"):
            assert not attrs.get(name), (name, attrs)
    assert page.count("script") == 0
    assert page.count("link") == 0


def test_parent_report_html_says_what_a_parent_needs(ann: Service) -> None:
    html = parent_report(ann, ["A1"], "html")
    page = Page(html)
    text = page.text
    assert html.startswith("<!DOCTYPE html>")
    assert page.tags[0] == ("html", {"lang": "en"})
    assert "Ann Adams" in text and "Year 1" in text and "Class 1H" in text
    assert "23 May 2026 to 23 November 2026" in text
    # secured this period: only 1N-2 (1N-1 was before the period)
    assert "Read and write numbers to 20" in text
    assert "Count to 20 [and back]" not in text
    # next steps: the three steps after what is secured, in order (the curriculum has 4 left)
    items = re.findall(r"<ol>(.*?)</ol>", html, re.S)
    assert len(items) == 1
    steps = [Page(li).text for li in re.findall(r"<li>(.*?)</li>", items[0], re.S)]
    # next steps stop at what is open now; the focus on one is said with it, not twice
    assert steps == ["Add within 20 Our focus now : Daily number bonds game with Mrs Patel"]
    assert text.count("Add within 20") == 1
    # secured in the period: a count, then the steps themselves (a few at most)
    assert "Ann secured 1 new step in this period:" in text
    # the expectation at the end of the year, in words (the stage for Year 1 has 3 steps)
    assert (
        "By the end of Year 1 in July, children are expected to have secured all 3 steps for Year 1." in text
    )
    # points 11 (2 of 3 Year 1 steps) vs expected 10 in autumn of Year 1: above
    assert "Ann is working above the expected standard for Year 1 in Maths." in text
    assert "reach the expected standard for the end of Year 1" in text
    assert "Daily number bonds game with Mrs Patel" in text
    assert "Ann has grown in confidence with number." in text
    assert "2 of the 3 steps for Year 1 secured" in text
    assert "@page" in html and "A4" in html
    assert_self_contained(html)
    # headings in order and table-free; no meaning in colour alone: the badge has words
    assert page.count("h1") == 1 and page.count("h2") >= 2
    assert "Above expected" in text


WIDE = """
[curriculum]
id = "phonics"
title = "Phonics — Letters and Sounds"

[[stages]]
id = "Y1"
title = "Year 1"
year = 1

[[strands]]
id = "s"
title = "Sounds"
""" + "".join(
    f"""
[[milestones]]
id = "P{i}"
strand = "s"
stage = "Y1"
title = "Sound {i}"
"""
    for i in range(1, 7)
)


def test_exactly_the_next_three_steps(school: Service, tmp_path: Path) -> None:
    path = tmp_path / "phonics.toml"
    path.write_text(WIDE, encoding="utf-8")
    school.import_curriculum(path)
    school.judge("A1", "P2", "achieved", at=at(1, 10))
    html = parent_report(school, ["A1"], "html")
    section = html.split(">Phonics <span", 1)[1].split("</section>", 1)[0]  # the short subject name
    ol = re.findall(r"<ol>(.*?)</ol>", section, re.S)[0]
    assert [Page(li).text for li in re.findall(r"<li>(.*?)</li>", ol, re.S)] == [
        "Sound 1",
        "Sound 3",
        "Sound 4",
    ]
    assert "Sound 2" in Page(section).text  # secured this period
    block = parent_report(school, ["A1"], "md").split("### Phonics", 1)[1]
    block = block.split("**Next steps:**", 1)[1].split("**Target:**", 1)[0]
    assert re.findall(r"^\d\. (.*)$", block, re.M) == ["Sound 1", "Sound 3", "Sound 4"]


@pytest.mark.parametrize(
    ("points", "expected", "words"),
    [
        (12, 10, "working above the expected standard for Year 3"),
        (11, 10, "working above the expected standard for Year 3"),
        (10, 10, "working at the expected standard for Year 3"),
        (9, 10, "working towards the expected standard for Year 3"),
        (8, 10, "working towards the expected standard for Year 3"),
        (7, 10, "working well below the expected standard for Year 3"),
        (None, None, "follows a personal programme in maths: progress is the new steps Ann secures"),
    ],
)
def test_expectation_words(points: int | None, expected: int | None, words: str) -> None:
    _, sentence = expectation_words("Ann", "Maths", points, expected, 3)
    assert words in sentence


def test_period_and_since(ann: Service) -> None:
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2026, 11, 23), 6) == date(2026, 5, 23)
    text = Page(parent_report(ann, ["A1"], "html", since=date(2026, 1, 1))).text
    assert "Count to 20 [and back]" in text and "1 January 2026 to 23 November 2026" in text
    with pytest.raises(PassportError):
        parent_report(ann, ["A1"], "html", since=date(2027, 1, 1))


def test_markdown_equivalent(ann: Service) -> None:
    text = parent_report(ann, ["A1"], "md")
    assert "## Ann Adams" in text
    assert "- Read and write numbers to 20" in text
    assert "Count to 20" not in text
    assert "1. Add within 20" in text
    assert "Ann is working above the expected standard for Year 1 in Maths." in text
    assert "reach the expected standard for the end of Year 1" in text
    assert "1. Add within 20 — **our focus now**: Daily number bonds game with Mrs Patel" in text
    assert (
        "By the end of Year 1 in July, children are expected to have secured all 3 steps for Year 1." in text
    )
    assert "> Ann has grown in confidence with number." in text
    assert "<" not in text


def test_latest_comment_and_subject_comment(ann: Service) -> None:
    ann.add_teacher_comment("A1", "A newer comment.")
    ann.add_teacher_comment("A1", "Maths only.", curriculum_id="maths")
    notes = ann.store.notes(ann.pupil("A1").id, NoteKind.TEACHER_COMMENT)
    assert [n.text for n in notes][-1] == "Maths only."
    text = Page(parent_report(ann, ["A1"], "html")).text
    assert "A newer comment." in text and "Maths only." in text
    assert "Ann has grown in confidence" not in text
    with pytest.raises(PassportError):
        ann.add_teacher_comment("A1", "   ")
    with pytest.raises(NotFound):
        ann.add_teacher_comment("A1", "x", curriculum_id="nope")


def test_hostile_names_are_shown_literally(hostile_school: Service) -> None:
    svc = hostile_school
    svc.store.upsert_pupils(
        [
            Pupil(
                upn="X1",
                first_name="<script>alert(1)</script>",
                last_name='"><img src=x>',
                year_group=1,
                academic_year=2026,
                class_name="1H",
            )
        ]
    )
    svc.add_teacher_comment("X1", "<b>bold</b> & [red]red[/red] \x1b[31m")
    html = class_parent_report(svc, "1H", "html")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "\x1b" not in html
    text = Page(html).text
    assert "<script>alert(1)</script>" in text
    assert '"><img src=x>' in text
    assert "<b>bold</b> & [red]red[/red]" in text
    for first, _last in [("[bold]Ann", ""), ("[@click=app.quit]x[/]", ""), ("مريم", ""), ("Zoë 🦊", "")]:
        assert first in text
    assert_self_contained(html)
    markdown = class_parent_report(svc, "1H", "md")
    assert not re.search(r"(?<!\\)[<>\[\]]", markdown.replace("\n>", "\n"))  # every <, >, [, ] escaped
    assert "\x1b" not in markdown
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in markdown
    assert "\\[bold\\]Ann" in markdown
    assert md("[x](http://e)") == "\\[x\\]\\(http://e\\)"


def test_class_report_one_page_per_pupil(school: Service) -> None:
    school.judge("A2", "1N-1", "not-yet", at=at(2, 9))  # Ben judged once; the others never
    html = class_parent_report(school, "1H", "html")
    page = Page(html)
    assert page.count("article", "pupil") == 4
    assert ".pupil + .pupil { break-before: page; page-break-before: always; }" in html
    names = [Page(h).text for h in re.findall(r"<h1[^>]*>(.*?)</h1>", html)]
    assert names == ["Ann Adams", "Ben Brown", "Cara Cole", "Dev Dutta"]
    # a progress bar per subject assessed, with the words
    assert page.count("div", "track") == 1
    assert "0 of the 3 steps for Year 1 secured" in page.text
    # nobody has judged Ann, Cara or Dev: said once each, with no bar, steps or next steps
    assert page.text.count("No judgements recorded yet in Maths.") == 3
    assert page.text.count("Not assessed yet") == 3 and page.count("ol") == 1
    assert_self_contained(html)
    md_text = class_parent_report(school, "1H", "md")
    assert md_text.count("\n## ") == 4 and md_text.count("\n---\n") == 3
    with pytest.raises(NotFound):
        class_parent_report(school, "9Z", "html")


def test_school_report(ann: Service) -> None:
    for upn in ("A2", "A3", "A4", "B1", "B2"):  # everyone judged once: assessed
        ann.judge(upn, "1N-1", "not-yet", at=at(2, 9))
    html = school_report(ann)
    page = Page(html)
    text = page.text
    assert "Class summaries" in text and "Group analysis: Maths" in text
    assert page.count("table") == 2
    assert page.count("th") > 10
    for group in ("pupil premium", "EAL", "SEN (any)", "girls", "boys"):
        assert group in text
    assert "1H" in text and "3K" in text and "Whole school" in text
    assert page.count("svg") > 0 and page.count("title") > 1
    assert "Ann" not in text  # no pupil names for governors
    assert "not assessed" not in text.lower()  # said only when some pupil is
    assert_self_contained(html)


# --- the commands -------------------------------------------------------------------------


def root_group(db: Path) -> click.Group:
    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = {"db": str(db), "as": "ms.hughes", "service": None, "class": None}

    root.add_command(report)
    root.add_command(comment)
    return root


def test_commands(ann: Service, tmp_path: Path) -> None:
    db = ann.store.path
    root = root_group(db)
    runner = CliRunner()
    result = runner.invoke(root, ["comment", "A1", "Lovely", "work", "this", "term."])
    assert result.exit_code == 0, result.output
    assert "Comment recorded for Ann Adams" in result.output
    out = tmp_path / "ann.html"
    result = runner.invoke(root, ["report", "A1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Lovely work this term." in Page(out.read_text()).text
    out_md = tmp_path / "1H.md"
    result = runner.invoke(root, ["report", "--class", "1H", "-o", str(out_md), "--since", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert out_md.read_text().startswith("# Class 1H")
    assert "Count to 20 \\[and back\\]" in out_md.read_text()
    result = runner.invoke(root, ["report", "--school", "-o", str(tmp_path / "school.html")])
    assert result.exit_code == 0, result.output
    assert "Group analysis" in (tmp_path / "school.html").read_text()
    result = runner.invoke(root, ["report", "A1", "--format", "md"])
    assert result.exit_code == 0 and "## Ann Adams" in result.output
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write leaves nothing behind
    for bad in (["report"], ["report", "A1", "--school"], ["report", "A1", "--since", "May"]):
        result = runner.invoke(root, bad)
        assert result.exit_code == 2, (bad, result.output)


def test_progress_bars_show_an_unfinished_earlier_year(school: Service) -> None:
    school.store.upsert_pupils(
        [
            Pupil(
                upn="C1",
                first_name="Gus",
                last_name="Gray",
                year_group=2,
                academic_year=2026,
                class_name="2G",
            )
        ]
    )
    school.judge("C1", "1N-1", "achieved", at=at(1, 10))
    text = Page(parent_report(school, ["C1"], "html")).text
    assert "1 of the 3 steps for Year 1 secured (33%)" in text
    assert "0 of the 3 steps for Year 2 secured (0%)" in text
    assert "Gus is working well below the expected standard for Year 2 in Maths." in text
    # no stage for Year 3 in this curriculum: the whole subject
    school.judge("B1", "1N-1", "not-yet", at=at(1, 10))
    assert "0 of the 6 steps in this subject secured" in Page(parent_report(school, ["B1"], "html")).text


def test_a_child_one_point_short_while_the_window_runs_is_at_the_expected_standard() -> None:
    """A Year 2 child at 12 on 1 September is where they should be as autumn begins (13 is the
    expectation after autumn): the report says so, as the tracking flags do; once autumn is over,
    12 is working towards it."""
    level, sentence = expectation_words("Ann", "Maths", 12, 13, 2, in_progress=True)
    assert level == "at" and "working at the expected standard for Year 2" in sentence
    assert expectation_words("Ann", "Maths", 12, 13, 2, in_progress=False)[0] == "towards"
    assert expectation_words("Ann", "Maths", 11, 13, 2, in_progress=True)[0] == "towards"
    assert expectation_words("Ann", "Maths", 10, 13, 2, in_progress=True)[0] == "well-below"


# --- what a parent reads (issue 12) -----------------------------------------------------------


def test_comments_are_signed_with_the_staff_name_never_the_login(ann: Service) -> None:
    html = parent_report(ann, ["A1"], "html")
    assert "ms.hughes" not in html  # no name set yet: unsigned, dated
    assert '<span class="by">23 November 2026</span>' in html
    ann.add_staff("ms.hughes", "Mrs Helen Hughes", "admin")
    ann.add_teacher_comment("A1", "Counting on well.", curriculum_id="maths")
    html = parent_report(ann, ["A1"], "html")
    assert "ms.hughes" not in html
    assert html.count("Mrs Helen Hughes, 23 November 2026") == 2  # the whole, and maths
    assert "Mrs Helen Hughes, 23 November 2026" in parent_report(ann, ["A1"], "md")


def test_a_step_is_said_in_the_words_for_parents_when_the_curriculum_has_them(
    school: Service, tmp_path: Path
) -> None:
    from types import SimpleNamespace

    from passport_tui.reports.parent import step_words

    # a milestone's parent_text (optional) is said instead of its title
    said = SimpleNamespace(
        title="Sound 1. Statutory wording that runs on.", parent_text="Says the first sound"
    )
    assert step_words(said) == "Says the first sound"  # type: ignore[arg-type]
    assert step_words(SimpleNamespace(title="Sound 1. More.", parent_text=None)) == "Sound 1."  # type: ignore[arg-type]
    # without one, the first sentence of the title
    path = tmp_path / "phonics.toml"
    path.write_text(WIDE.replace('title = "Sound 3"\n', 'title = "Sound 3. More statutory wording."\n'))
    school.import_curriculum(path)
    school.judge("A1", "P1", "achieved", at=at(1, 10))  # judged in phonics: next steps to show
    html = parent_report(school, ["A1"], "html")
    section = Page(html.split(">Phonics <span", 1)[1].split("</section>", 1)[0]).text
    assert "Sound 3." in section and "More statutory wording" not in section


def test_secured_is_a_count_with_a_few_examples(school: Service, tmp_path: Path) -> None:
    path = tmp_path / "phonics.toml"
    path.write_text(WIDE, encoding="utf-8")
    school.import_curriculum(path)
    for i, day in zip(range(1, 6), range(1, 6), strict=True):
        school.judge("A1", f"P{i}", "achieved", at=at(day, 10))
    html = parent_report(school, ["A1"], "html")
    section = Page(html.split(">Phonics <span", 1)[1].split("</section>", 1)[0]).text
    assert "Ann secured 5 new steps in this period; the three most recent:" in section
    assert "Sound 5" in section and "Sound 3" in section and "Sound 2" not in section
    assert "Sound 1" not in section


def test_the_end_of_year_expectation_in_the_first_year_of_a_two_year_stage() -> None:
    from passport_tui.curriculum import load_curriculum
    from passport_tui.reports.parent import end_of_year_words

    c = load_curriculum(Path(__file__).parents[1] / "sample_curricula" / "key-english.toml")
    two = next(st for st in c.year_linked_stages if len(st.year_list) == 2)
    first, last = two.year_list
    n = len(c.milestones_by_stage[two.id])
    words = end_of_year_words(c, first, set())
    assert words == (
        f"By the end of Year {first} in July, children are expected to have secured at least "
        f"{-(-n // 2)} of the {n} steps for {two.title}, and every step before them."
    )
    assert f"secured all {n} steps for {two.title}" in end_of_year_words(c, last, set())


def test_the_school_report_leaves_out_a_subject_nobody_follows(ann: Service, tmp_path: Path) -> None:
    path = tmp_path / "phonics.toml"
    path.write_text(WIDE, encoding="utf-8")
    ann.import_curriculum(path)
    assert "Phonics" in Page(school_report(ann)).text  # followed by default
    for p in ann.pupils():
        ann.set_pathway(p.upn, ["maths"])
    followed = {c for p in ann.pupils() for c in ann.pathway(p.upn).curricula}
    assert "phonics" not in followed
    html = school_report(ann)
    assert "Phonics" not in Page(html).text  # no rows, no group table of dashes
    classes = re.search(r"<caption>Class summaries</caption>(.*?)</table>", html, re.S).group(1)
    assert "—" not in Page(classes).text
