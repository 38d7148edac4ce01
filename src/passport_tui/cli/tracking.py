"""``passport tracking`` and ``passport groups``: points, expected, targets, progress and flags per
pupil, and each group of pupils against the rest (DESIGN §2.9, §2.10)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from ..engine import NOT_ASSESSED_YET, year_short
from ..shown import group_figure, plural
from .context import service
from .output import Column, echo, emit_json, json_option, named, num, table

if TYPE_CHECKING:
    from ..engine import GroupFigures
    from ..service import GroupAnalysis, TrackingRow


# --- results -------------------------------------------------------------------------------


@dataclass(slots=True)
class TrackingLine:
    """One pupil in one curriculum on the tracking table."""

    upn: str
    name: str
    class_: str | None = field(metadata=named("class"))
    year_group: int
    curriculum: str
    window: str
    points: int | None
    expected: int | None
    target: int | None
    target_status: str | None
    progress_this_year: int | None
    progress_last_window: int | None
    gaps: int | None  # None for a pupil not assessed yet: nobody knows their gaps
    flags: list[str]
    # False: no judgement of any kind yet in this curriculum, so no points, gaps, flags or progress
    assessed: bool
    # a framework without points: milestones secured in all, this academic year, this window
    steps_secured: int | None = None
    steps_this_year: int | None = None
    steps_this_window: int | None = None
    # and of a target that is a set of milestones: how many of them are secured, of how many
    steps_target_secured: int | None = None
    steps_target_size: int | None = None

    @classmethod
    def of(cls, r: TrackingRow) -> TrackingLine:
        s = r.standing
        steps = r.steps
        return cls(
            r.pupil.upn,
            r.pupil.name,
            r.pupil.class_name,
            s.year_group,
            r.curriculum_id,
            s.window.key,
            s.points,
            s.expected,
            s.target,
            s.target_status.value if s.target_status else None,
            s.progress_this_year,
            s.progress_last_window,
            len(s.gaps) if s.assessed else None,
            [f.value for f in s.flags],
            s.assessed,
            steps.secured if steps else None,
            steps.this_year if steps else None,
            steps.this_window if steps else None,
            steps.target_secured if steps else None,
            steps.target_size if steps else None,
        )


@dataclass(slots=True)
class Figures:
    """A group's (or the rest's) figures."""

    n: int
    with_points: int
    mean_points: float | None
    pct_at_expected: float | None
    progress_this_year: float | None
    progress_last_window: float | None
    pct_with_gaps: float | None
    # a framework without points: steps secured per pupil, who secured any this window
    with_steps: int = 0
    steps_per_pupil_window: float | None = None
    steps_per_pupil_year: float | None = None
    made_progress: int = 0
    pct_made_progress: float | None = None
    # pupils with no judgement yet: in n, in no mean or percentage
    not_assessed: int = 0

    @classmethod
    def of(cls, f: GroupFigures | None) -> Figures | None:
        if f is None:
            return None
        return cls(
            f.count,
            f.measured,
            f.mean_points,
            f.pct_at_expected,
            f.mean_progress_year,
            f.mean_progress_window,
            f.pct_with_gaps,
            f.stepped,
            f.mean_steps_window,
            f.mean_steps_year,
            f.made_progress,
            f.pct_made_progress,
            f.not_assessed,
        )


@dataclass(slots=True)
class GroupLine:
    group: str
    group_figures: Figures | None
    rest: Figures | None
    points_gap: float | None
    at_expected_gap: float | None
    year_ago: Figures | None
    rest_year_ago: Figures | None


@dataclass(slots=True)
class LagLine:
    """A milestone where a group lags the rest."""

    group: str
    milestone: str
    group_pct: float
    rest_pct: float
    lag: float
    text: str


@dataclass(slots=True)
class GroupsView:
    """Each group against the rest in one curriculum, and where groups lag most."""

    curriculum: str
    window: str
    groups: list[GroupLine]
    lags: list[LagLine]
    pupils: int = 0
    not_assessed: int = 0  # of the pupils, with no judgement yet: left out of every figure

    @classmethod
    def of(cls, a: GroupAnalysis) -> GroupsView:
        return cls(
            a.curriculum_id,
            a.window.key,
            [
                GroupLine(
                    r.group,
                    Figures.of(r.members),
                    Figures.of(r.rest),
                    r.points_gap,
                    r.at_expected_gap,
                    Figures.of(r.year_ago),
                    Figures.of(r.rest_year_ago),
                )
                for r in a.groups
            ],
            [
                LagLine(lag.group, lag.milestone, lag.group_pct, lag.rest_pct, lag.lag, lag.describe())
                for lag in a.lags
            ],
            a.pupils,
            a.not_assessed,
        )


# --- tracking ------------------------------------------------------------------------------

TRACKING_COLUMNS = (
    Column("pupil", 26, clip=True),
    Column("yr", 2, ">"),
    Column("subject", 12, clip=True),
    Column("pts", 3, ">"),
    Column("exp", 3, ">"),
    Column("tgt", 3, ">"),
    Column("+yr", 3, ">"),
    Column("+win", 4, ">"),
    Column("gaps", 4, ">"),
    Column("flags", gap="  "),
)


@click.command()
@click.option("--class", "class_name", help="Only this class.")
@click.option("--year", "year_group", type=int, help="Only this year group.")
@click.option("--window", help="A past window, like 2026-autumn (default: the current one).")
@click.option("--curriculum", "curriculum_id", help="Only this curriculum.")
@json_option
@click.pass_context
def tracking(ctx, class_name, year_group, window, curriculum_id, as_json) -> None:
    """Points, expected, target, progress and flags per pupil and subject; who needs support
    (falling behind or stalled) first, then who is not assessed yet (no judgement of any kind in
    the subject: no points, gaps, flags or progress are known)."""
    rows = service(ctx).tracking(
        class_name=class_name, year_group=year_group, window=window, curriculum_id=curriculum_id
    )
    if as_json:
        emit_json([TrackingLine.of(r) for r in rows])
        return
    if not rows:
        echo("No pupils follow that choice.")
        return
    lines = [TrackingLine.of(r) for r in rows if r.has_points]
    stepped = [TrackingLine.of(r) for r in rows if not r.has_points]
    if lines:
        _points_table(lines)
    if stepped:
        if lines:
            echo()
        echo("Frameworks without points: milestones secured (in all, this year, this window)")
        table(
            STEPS_COLUMNS,
            (
                (
                    d.name,
                    year_short(d.year_group),
                    d.curriculum,
                    str(d.steps_secured) if d.assessed else UNKNOWN,
                    f"+{d.steps_this_year}" if d.assessed else UNKNOWN,
                    f"+{d.steps_this_window}" if d.assessed else UNKNOWN,
                    f"{d.steps_target_secured} of {d.steps_target_size}" if d.steps_target_size else "-",
                    "" if d.assessed else NOT_ASSESSED_YET,
                )
                for d in stepped
            ),
        )
    unassessed = len({r.pupil.id for r in rows if not r.assessed})
    if unassessed:
        echo()
        echo(
            f"{plural(unassessed, 'pupil')} {NOT_ASSESSED_YET} in a subject (no judgement recorded there): "
            "record a baseline (passport baseline) or judge a milestone."
        )


# a figure nobody knows yet: a pupil not assessed in the subject
UNKNOWN = "—"


STEPS_COLUMNS = (
    Column("pupil", 26, clip=True),
    Column("yr", 2, ">"),
    Column("subject", 16, clip=True),
    Column("secured", 7, ">"),
    Column("+yr", 4, ">"),
    Column("+win", 4, ">"),
    Column("target", 8, ">"),
    Column("", gap="  "),
)


def _points_table(lines: list[TrackingLine]) -> None:
    table(
        TRACKING_COLUMNS,
        (
            (
                d.name,
                year_short(d.year_group),
                d.curriculum,
                num(d.points),
                num(d.expected),
                num(d.target),
                num(d.progress_this_year),
                num(d.progress_last_window),
                str(d.gaps),
                ", ".join(d.flags),
            )
            if d.assessed
            else (
                d.name,
                year_short(d.year_group),
                d.curriculum,
                UNKNOWN,
                num(d.expected),
                num(d.target) if d.target is not None else UNKNOWN,
                UNKNOWN,
                UNKNOWN,
                UNKNOWN,
                NOT_ASSESSED_YET,
            )
            for d in lines
        ),
    )


# --- groups --------------------------------------------------------------------------------

GROUP_COLUMNS = (
    Column("group", 17, clip=True),
    Column("n", 5, ">"),
    Column("points", 9, ">"),
    Column("% at exp", 10, ">"),
    Column("+year", 9, ">"),
    Column("% gaps", 10, ">"),
    Column("pts yr ago", 10, ">"),
)


STEPS_GROUP_COLUMNS = (
    Column("group", 17, clip=True),
    Column("n", 5, ">"),
    Column("steps/pupil win", 15, ">"),
    Column("steps/pupil yr", 14, ">"),
    Column("% progressed", 12, ">"),
    Column("% yr ago", 10, ">"),
)


def _pair(a: Any, b: Any) -> str:
    """A group's figure and the rest's: ``12.5/13.0``."""

    def one(x: Any) -> str:
        return f"{x:.1f}" if isinstance(x, float) else num(x)

    return f"{one(a)}/{one(b)}"


def _percents(a: GroupFigures | None, b: GroupFigures | None, field: str) -> str:
    """The group's percentage and the rest's (``n=3`` for a side under five pupils)."""
    return f"{group_figure(a, getattr(a, field, None))}/{group_figure(b, getattr(b, field, None))}"


@click.command()
@click.option("--class", "class_name", help="Only this class.")
@click.option("--year", "year_group", type=int, help="Only this year group.")
@click.option("--window", help="A past window, like 2026-autumn (default: the current one).")
@click.option("--curriculum", "curriculum_id", help="Only this curriculum (default: each in turn).")
@json_option
@click.pass_context
def groups(ctx, class_name, year_group, window, curriculum_id, as_json) -> None:
    """Group analysis: pupil premium, FSM, EAL, SEN, girls, boys and tags, each against the rest
    (figures as group/rest): pupils, mean points, % at or above expected, progress this year,
    % with gaps, and the group's mean points a year ago; in a framework without points, steps
    secured per pupil this window and this year and the % who secured any step this window (and
    a year ago). A percentage of fewer than five pupils is shown as their count (n=3). Pupils not
    assessed yet (no judgement in the subject) count in n and in no other figure, and are counted
    apart. Then the milestones where groups lag the rest most."""
    svc = service(ctx)
    ids = [curriculum_id] if curriculum_id else [c.id for c in svc.curricula()]
    analyses = [
        svc.group_analysis(class_name=class_name, year_group=year_group, window=window, curriculum_id=cid)
        for cid in ids
    ]
    if not curriculum_id:  # every subject: those that some of these pupils follow
        analyses = [a for a in analyses if a.pupils]
    if as_json:
        emit_json([GroupsView.of(a) for a in analyses])
        return
    if not analyses:
        echo("No curricula yet: passport curriculum import FILE")
    for i, a in enumerate(analyses):
        if i:
            echo()
        echo(f"{a.curriculum_id} — {a.window.name} (each figure: group/rest)")
        if not a.groups:
            echo("  no groups among these pupils")
            continue
        if not any(r.members.measured or r.rest.measured for r in a.groups):
            _steps_groups(a)
            continue
        table(
            GROUP_COLUMNS,
            (
                (
                    r.group,
                    _pair(r.members.count, r.rest.count),
                    _pair(r.members.mean_points, r.rest.mean_points),
                    _percents(r.members, r.rest, "pct_at_expected"),
                    _pair(r.members.mean_progress_year, r.rest.mean_progress_year),
                    _percents(r.members, r.rest, "pct_with_gaps"),
                    _pair(r.year_ago.mean_points, r.rest_year_ago.mean_points) if r.year_ago else "-",
                )
                for r in a.groups
            ),
            indent="  ",
        )
        _not_assessed(a)
        _lags(a)


def _not_assessed(a: GroupAnalysis) -> None:
    """The pupils with no judgement yet, counted apart: they are in n and in no other figure."""
    if a.not_assessed:
        echo(
            f"  {plural(a.not_assessed, 'pupil')} {NOT_ASSESSED_YET} (counted in n, left out of every other figure)"
        )


def _lags(a: GroupAnalysis) -> None:
    echo("  where groups lag most:" + ("" if a.lags else " nowhere (or groups too small to compare)"))
    for lag in a.lags:
        echo(f"    {lag.describe()}")


def _steps_groups(a: GroupAnalysis) -> None:
    """A framework without points: steps secured per pupil and the % who secured any this window."""
    echo("  steps secured per pupil; % progressed: secured at least one step this window")
    table(
        STEPS_GROUP_COLUMNS,
        (
            (
                r.group,
                _pair(r.members.count, r.rest.count),
                _pair(r.members.mean_steps_window, r.rest.mean_steps_window),
                _pair(r.members.mean_steps_year, r.rest.mean_steps_year),
                _percents(r.members, r.rest, "pct_made_progress"),
                group_figure(r.year_ago, r.year_ago.pct_made_progress) if r.year_ago else "-",
            )
            for r in a.groups
        ),
        indent="  ",
    )
    _not_assessed(a)
    _lags(a)
