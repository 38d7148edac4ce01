"""The school report for leaders and governors: class summaries and the group analysis, as one
self-contained HTML page with simple inline-SVG bar charts (no pupil names in it).

Subjects with points (year-linked stages) are summarised against the expected standard. A
framework without points (the engagement model, small steps, PSP) is summarised as special schools
do: the steps secured per pupil this term and this year, and how many pupils secured at least one
step this term. A figure of fewer than five pupils is never shown as a percentage or a mean: its
count is shown instead (``n=3``), as a percentage of three children says more about one child
than about a group.

A pupil not assessed yet in a subject (no judgement of any kind recorded there) is counted among
the pupils following it and apart, as "not assessed yet", and in no share, mean or percentage:
nobody knows where they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine.groups import SMALL_GROUP, GroupFigures, too_small_for_percent
from ..progress import Progress
from ..shown import group_figure, plural
from ._render import clean, long_date, render, year_label
from .parent import in_sentence, subject_name

if TYPE_CHECKING:
    from ..models import Curriculum
    from ..service import GroupAnalysis, Service, TrackingRow


@dataclass(slots=True)
class SubjectSummary:
    subject: str
    measured: int  # pupils with points and an expectation
    at_or_above: float | None  # percent
    support: float | None  # percent of the pupils assessed who need support
    following: int = 0  # pupils following the subject
    not_assessed: int = 0  # of them, with no judgement yet: in no share

    @property
    def assessed(self) -> int:
        return self.following - self.not_assessed

    @property
    def small(self) -> bool:
        return too_small_for_percent(self.measured)

    @property
    def at_or_above_words(self) -> str:
        if self.following == 0:
            return "—"
        if self.small:
            return f"n={self.measured}"
        return "—" if self.at_or_above is None else f"{self.at_or_above:.0f}%"

    @property
    def support_words(self) -> str:
        if self.following == 0:
            return "—"
        if too_small_for_percent(self.assessed):
            return f"n={self.assessed}"
        return "—" if self.support is None else f"{self.support:.0f}%"


@dataclass(slots=True)
class ClassLine:
    """One class (or the whole school) in one subject with points."""

    name: str
    years: str
    summary: SubjectSummary


@dataclass(slots=True)
class SubjectClasses:
    """A subject with points: a line per class that follows it, then the whole school. The
    classes table holds one group of rows per subject (never a column per subject: with many
    subjects it would run off the page)."""

    subject: str
    lines: list[ClassLine]
    school: SubjectSummary


@dataclass(slots=True)
class StepsLine:
    """One class (or the school) in a framework without points."""

    name: str
    pupils: int  # following the framework
    this_term: int  # steps secured this term, all pupils together
    per_pupil_term: str
    per_pupil_year: str
    progressed: str  # "9 of 13 (69%)", or "2 of 3" under five pupils
    not_assessed: int = 0  # following it with no judgement yet: in no figure


@dataclass(slots=True)
class Programme:
    """A framework without points: each class, then the whole school."""

    subject: str
    lines: list[StepsLine]


@dataclass(slots=True)
class GroupLine:
    group: str
    count: int
    rest_count: int
    mean_points: str
    rest_mean_points: str
    at_expected: float | None
    rest_at_expected: float | None
    progress: str
    rest_progress: str
    gaps: str
    rest_gaps: str
    # instead of the bar of those at or above expected, for fewer than five pupils: their count
    count_instead: str | None = None
    rest_count_instead: str | None = None


@dataclass(slots=True)
class StepsGroupLine:
    group: str
    count: int
    rest_count: int
    per_pupil_term: str
    rest_per_pupil_term: str
    per_pupil_year: str
    rest_per_pupil_year: str
    progressed: str
    rest_progressed: str


@dataclass(slots=True)
class SubjectGroups:
    subject: str
    window: str
    lines: list[GroupLine]
    lags: list[str]
    steps: list[StepsGroupLine] | None = None  # a framework without points
    followers: int = 0
    too_few: str | None = None  # said instead of a table when too few pupils follow
    not_assessed: int = 0  # of the followers, with no judgement yet: counted, in no figure
    subject_in_sentence: str = ""

    @property
    def not_assessed_words(self) -> str | None:
        if not self.not_assessed:
            return None
        return (
            f"{plural(self.not_assessed, 'pupil')} not assessed yet (no judgement recorded in "
            f"{self.subject_in_sentence}): counted among the pupils, in no other figure."
        )


def _pct(k: int, n: int) -> float | None:
    return 100 * k / n if n else None


def _of(k: int, n: int) -> str:
    """``9 of 13 (69%)``; under five pupils the count alone, ``2 of 3``."""
    if n == 0:
        return "—"
    if too_small_for_percent(n):
        return f"{k} of {n}"
    return f"{k} of {n} ({100 * k / n:.0f}%)"


def _summaries(rows: list[TrackingRow], titles: dict[str, str]) -> list[SubjectSummary]:
    out = []
    for cid, title in titles.items():
        mine = [r for r in rows if r.curriculum_id == cid]
        assessed = [r for r in mine if r.assessed]
        measured = [r for r in assessed if r.standing.expected is not None and r.standing.points is not None]
        at = sum(1 for r in measured if r.standing.points >= r.standing.expected)  # type: ignore[operator]
        support = sum(1 for r in assessed if r.needs_support)
        out.append(
            SubjectSummary(
                title,
                len(measured),
                _pct(at, len(measured)),
                _pct(support, len(assessed)),
                len(mine),
                len(mine) - len(assessed),
            )
        )
    return out


def _steps_line(name: str, rows: list[TrackingRow]) -> StepsLine:
    """One class (or the school) in a framework without points: the pupils following it, and the
    figures of those assessed in it (a pupil not assessed yet has no steps figure)."""
    steps = [r.steps for r in rows if r.steps is not None]
    n = len(steps)
    small = too_small_for_percent(n)

    def mean(total: int) -> str:
        if n == 0:
            return "—"
        return f"n={n}" if small else f"{total / n:.1f}"

    return StepsLine(
        name,
        len(rows),
        sum(s.this_window for s in steps),
        mean(sum(s.this_window for s in steps)),
        mean(sum(s.this_year for s in steps)),
        _of(sum(1 for s in steps if s.this_window > 0), n),
        len(rows) - n,
    )


def _group_lines(a: GroupAnalysis) -> list[GroupLine]:
    def figure(f: GroupFigures) -> tuple[str, str, str]:
        return (
            group_figure(f, f.mean_points, none="—"),
            group_figure(f, f.mean_progress_year, none="—"),
            group_figure(f, f.pct_with_gaps, none="—", suffix="%"),
        )

    lines = []
    for row in a.groups:
        m_points, m_progress, m_gaps = figure(row.members)
        r_points, r_progress, r_gaps = figure(row.rest)
        lines.append(
            GroupLine(
                clean(row.group),
                row.members.count,
                row.rest.count,
                m_points,
                r_points,
                None if row.members.small else row.members.pct_at_expected,
                None if row.rest.small else row.rest.pct_at_expected,
                m_progress,
                r_progress,
                m_gaps,
                r_gaps,
                group_figure(row.members, None, none="—") if row.members.small else None,
                group_figure(row.rest, None, none="—") if row.rest.small else None,
            )
        )
    return lines


def _steps_group_lines(a: GroupAnalysis) -> list[StepsGroupLine]:
    def figure(f: GroupFigures) -> tuple[str, str, str]:
        return (
            group_figure(f, f.mean_steps_window, none="—"),
            group_figure(f, f.mean_steps_year, none="—"),
            _of(f.made_progress, f.stepped) if f.count else "—",
        )

    lines = []
    for row in a.groups:
        m_term, m_year, m_progressed = figure(row.members)
        r_term, r_year, r_progressed = figure(row.rest)
        lines.append(
            StepsGroupLine(
                clean(row.group),
                row.members.count,
                row.rest.count,
                m_term,
                r_term,
                m_year,
                r_year,
                m_progressed,
                r_progressed,
            )
        )
    return lines


# a group "lags" on a milestone in this report only when it is this many percentage points behind
LAG_WORTH_SAYING = 10


def _lags(a: GroupAnalysis, c: Curriculum) -> list[str]:
    lags = []
    for lag in a.lags:
        if lag.lag < LAG_WORTH_SAYING:
            continue
        m = c.milestone_by_id.get(lag.milestone)
        what = clean(m.title) if m else clean(lag.milestone)
        lags.append(
            f"{clean(lag.group)}: “{what}” secured by {lag.group_pct:.0f}% "
            f"({lag.group_achieved} of {lag.group_count}), others {lag.rest_pct:.0f}%"
        )
    return lags


def school_report(svc: Service, progress: Progress | None = None) -> str:
    """Class summaries (pupils, % at or above expected and % needing support per subject with
    points; steps secured in each framework without points) and the group analysis of every
    subject a pupil follows, now, as a self-contained HTML page. ``progress`` is told of each
    class and each subject as it is done."""
    curricula = svc.curricula()
    titles = {c.id: subject_name(c) for c in curricula if c.year_linked_stages}
    today = svc.today()
    programmes_of = [c for c in curricula if not c.year_linked_stages]
    # each class's rows are read, summarised and dropped: only what the report shows is kept (the
    # rows hold every pupil's milestones, and a whole school's of them is hundreds of megabytes)
    class_lines: list[tuple[str, str, list[SubjectSummary]]] = []
    class_steps: dict[str, list[StepsLine]] = {c.id: [] for c in programmes_of}
    every_class = svc.classes()
    steps = len(every_class) + 1 + len(curricula)  # the classes, the whole school, each subject's groups
    for done, (name, _count) in enumerate(every_class):
        if progress is not None:
            progress("School report", done, steps)
        years = sorted({svc.year_group(p) for p in svc.pupils(name)})
        rows = svc.tracking(class_name=name)
        class_lines.append((clean(name), ", ".join(year_label(y) for y in years), _summaries(rows, titles)))
        for c in programmes_of:
            mine = [r for r in rows if r.curriculum_id == c.id]
            if mine:
                class_steps[c.id].append(_steps_line(clean(name), mine))
        del rows
    if progress is not None:
        progress("School report", len(every_class), steps)
    # the whole school one subject at a time, for the same reason
    anyone = bool(class_lines or svc.pupils())
    school_summaries: list[SubjectSummary] = []
    programmes = []
    for c in curricula:
        rows = svc.tracking(curriculum_id=c.id) if anyone else []
        if c.year_linked_stages:
            school_summaries += _summaries(rows, {c.id: titles[c.id]})
        elif rows:
            programmes.append(
                Programme(subject_name(c), [*class_steps[c.id], _steps_line("Whole school", rows)])
            )
        del rows
    # a subject with points that nobody follows has nothing to say: no rows of dashes
    subjects = [
        SubjectClasses(
            school.subject,
            [ClassLine(n, y, summaries[i]) for n, y, summaries in class_lines if summaries[i].following],
            school,
        )
        for i, school in enumerate(school_summaries)
        if school.following
    ]
    groups = []
    # subjects with points first, then the personal programmes
    for done, c in enumerate(sorted(curricula, key=lambda c: not c.year_linked_stages), len(every_class) + 1):
        if progress is not None:
            progress("School report", done, steps)
        a = svc.group_analysis(curriculum_id=c.id)
        followers = a.pupils
        title = subject_name(c)
        if not followers:
            continue  # a subject nobody follows: nothing to say
        entry = SubjectGroups(
            title,
            a.window.name,
            [],
            _lags(a, c),
            followers=followers,
            not_assessed=a.not_assessed,
            subject_in_sentence=title if c.year_linked_stages else in_sentence(title),
        )
        if followers and too_small_for_percent(followers):
            entry.too_few = (
                f"{'Only one pupil follows' if followers == 1 else f'Only {followers} pupils follow'} "
                f"{title if c.year_linked_stages else in_sentence(title)}: too few to compare groups "
                f"(at least {SMALL_GROUP} are needed)."
            )
        elif c.year_linked_stages:
            entry.lines = _group_lines(a)
        else:
            entry.steps = _steps_group_lines(a)
        groups.append(entry)
    if progress is not None:
        progress("School report", steps, steps)
    return render(
        "school.html",
        title="School report: progress and groups",
        on=long_date(today),
        window=svc.window().name,
        subjects=subjects,
        classes=len(class_lines),
        programmes=programmes,
        pupils=len(svc.pupils()),
        groups=groups,
        small=SMALL_GROUP,
        lag_worth_saying=LAG_WORTH_SAYING,
        # a column of pupils not assessed yet, only when there are some
        unassessed=any(
            x.not_assessed for s in subjects for x in (s.school, *(line.summary for line in s.lines))
        ),
        unassessed_steps=any(line.not_assessed for p in programmes for line in p.lines),
    )
