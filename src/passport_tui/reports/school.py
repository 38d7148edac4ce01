"""The school report for leaders and governors: class summaries and the group analysis, as one
self-contained HTML page with simple inline-SVG bar charts (no pupil names in it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine.groups import GroupFigures
from ..progress import Progress
from ._render import clean, long_date, render, year_label
from .parent import subject_name

if TYPE_CHECKING:
    from ..service import GroupAnalysis, Service, TrackingRow


@dataclass(slots=True)
class SubjectSummary:
    subject: str
    measured: int  # pupils with points and an expectation
    at_or_above: float | None  # percent
    support: float | None  # percent of pupils with points who need support

    @property
    def at_or_above_words(self) -> str:
        return "—" if self.at_or_above is None else f"{self.at_or_above:.0f}%"

    @property
    def support_words(self) -> str:
        return "—" if self.support is None else f"{self.support:.0f}%"


@dataclass(slots=True)
class ClassSummary:
    name: str
    years: str
    pupils: int
    subjects: list[SubjectSummary]


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


@dataclass(slots=True)
class SubjectGroups:
    subject: str
    window: str
    lines: list[GroupLine]
    lags: list[str]


def _pct(k: int, n: int) -> float | None:
    return 100 * k / n if n else None


def _num(x: float | None, suffix: str = "") -> str:
    return "—" if x is None else f"{x:.1f}{suffix}"


def _summaries(rows: list[TrackingRow], titles: dict[str, str]) -> list[SubjectSummary]:
    out = []
    for cid, title in titles.items():
        mine = [r for r in rows if r.curriculum_id == cid]
        measured = [r for r in mine if r.standing.expected is not None and r.standing.points is not None]
        at = sum(1 for r in measured if r.standing.points >= r.standing.expected)  # type: ignore[operator]
        support = sum(1 for r in mine if r.needs_support)
        out.append(SubjectSummary(title, len(measured), _pct(at, len(measured)), _pct(support, len(mine))))
    return out


def _group_lines(a: GroupAnalysis) -> list[GroupLine]:
    def figure(f: GroupFigures) -> tuple[str, str, str]:
        return _num(f.mean_points), _num(f.mean_progress_year), _num(f.pct_with_gaps, "%")

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
                row.members.pct_at_expected,
                row.rest.pct_at_expected,
                m_progress,
                r_progress,
                m_gaps,
                r_gaps,
            )
        )
    return lines


def school_report(svc: Service, progress: Progress | None = None) -> str:
    """Class summaries (pupils, % at or above expected and % needing support per subject) and the
    group analysis of every subject, now, as a self-contained HTML page. ``progress`` is told of
    each class and each subject as it is done."""
    curricula = svc.curricula()
    titles = {c.id: subject_name(c) for c in curricula}
    today = svc.today()
    classes = []
    every_class = svc.classes()
    steps = len(every_class) + 1 + len(curricula)  # the classes, the whole school, each subject's groups
    for done, (name, count) in enumerate(every_class):
        if progress is not None:
            progress("School report", done, steps)
        years = sorted({svc.year_group(p) for p in svc.pupils(name)})
        classes.append(
            ClassSummary(
                clean(name),
                ", ".join(year_label(y) for y in years),
                count,
                _summaries(svc.tracking(class_name=name), titles),
            )
        )
    if progress is not None:
        progress("School report", len(every_class), steps)
    everyone = _summaries(svc.tracking(), titles) if classes or svc.pupils() else []
    groups = []
    for done, c in enumerate(curricula, start=len(every_class) + 1):
        if progress is not None:
            progress("School report", done, steps)
        a = svc.group_analysis(curriculum_id=c.id)
        lags = []
        for lag in a.lags:
            m = c.milestone_by_id.get(lag.milestone)
            what = clean(m.title) if m else clean(lag.milestone)
            lags.append(
                f"{clean(lag.group)}: “{what}” secured by {lag.group_pct:.0f}% "
                f"({lag.group_achieved} of {lag.group_count}), others {lag.rest_pct:.0f}%"
            )
        groups.append(SubjectGroups(titles[c.id], a.window.name, _group_lines(a), lags))
    if progress is not None:
        progress("School report", steps, steps)
    return render(
        "school.html",
        title="School report: progress and groups",
        on=long_date(today),
        window=svc.window().name,
        subjects=list(titles.values()),
        classes=classes,
        everyone=everyone,
        pupils=len(svc.pupils()),
        groups=groups,
    )
