"""Judging and reading one pupil's passport: ``judge``, ``retract``, ``revisit``, ``history``,
``show``, ``next`` and ``gaps``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import click

from ..engine import NOT_ASSESSED_YET, year_label
from ..shown import plural
from .context import parse_at, service
from .output import days, echo, emit_json, json_option, named
from .scores import test_words

if TYPE_CHECKING:
    from ..service import PupilPassport


# --- results -------------------------------------------------------------------------------


@dataclass(slots=True)
class MilestoneLine:
    """A milestone of a pupil's next steps or gaps."""

    curriculum: str
    milestone: str
    title: str


@dataclass(slots=True)
class GapAge:
    """A pupil's gap with how many days it has been open."""

    curriculum: str
    milestone: str
    title: str
    days_open: int


@dataclass(slots=True)
class PupilHeading:
    id: int | None
    upn: str
    name: str
    year_group: int
    class_: str | None = field(metadata=named("class"))


@dataclass(slots=True)
class FocusNote:
    milestone: str
    provision: str | None


@dataclass(slots=True)
class TestSummary:
    window: str
    score: float
    test_point: int | None
    greater_depth: bool


@dataclass(slots=True)
class CurriculumStanding:
    """Where a pupil stands in one curriculum, as ``show`` gives it."""

    id: str
    title: str
    achieved: list[str]
    achieved_on: dict[str, date]
    next: list[str]
    gaps: list[str]
    revisit: list[str]
    points: int | None
    expected: int | None
    target: int | None
    target_status: str | None
    flags: list[str]
    window: str
    points_by_window: dict[str, int | None]
    focus: list[FocusNote]
    test: TestSummary | None
    retired: list[str] = field(default_factory=list)  # achieved milestones no longer taught (still counted)
    unlisted: list[str] = field(default_factory=list)  # achieved milestones missing from the curriculum
    # False: no judgement of any kind yet in this curriculum (no points, gaps, flags or target)
    assessed: bool = True


@dataclass(slots=True)
class PassportView:
    pupil: PupilHeading
    curricula: list[CurriculumStanding]


# --- judgements ----------------------------------------------------------------------------


@click.command()
@click.argument("pupil")
@click.argument("milestone")
@click.argument("verdict", type=click.Choice(["achieved", "not-yet"]))
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.option("--note", help="Evidence or a note kept with the judgement.")
@click.option(
    "--override", metavar="REASON", help="Record achieved although prerequisites are unmet, with this reason."
)
@click.option("--at", "at_", metavar="ISODATE", help="Back-date the judgement (e.g. 2026-03-14).")
@json_option
@click.pass_context
def judge(ctx, pupil, milestone, verdict, curriculum_id, note, override, at_, as_json) -> None:
    """Record one judgement: PUPIL (UPN or id) has achieved MILESTONE, or not yet. With --json,
    the judgement as recorded (its id, the pupil's id, who and when)."""
    j = service(ctx).judge(
        pupil, milestone, verdict, curriculum_id=curriculum_id, note=note, reason=override, at=parse_at(at_)
    )
    if as_json:
        emit_json(j)
        return
    extra = f" (override: {j.reason})" if j.reason else ""
    echo(f"Recorded {j.milestone_id} {j.verdict.value.replace('_', ' ')} for {pupil}{extra}")


@click.command()
@click.argument("pupil")
@click.argument("curriculum_id", metavar="CURRICULUM")
@click.option(
    "--through", "through_stage", required=True, metavar="STAGE", help="The last stage secured (e.g. Y2)."
)
@click.option("--reason", help="Why (e.g. 'joined from another school; baseline assessment 3 Sep').")
@click.option(
    "--at",
    "at_text",
    metavar="DATE",
    help="Date the baseline (default: the last day of the window before this one, so it is where "
    "the pupil started this window, not progress in it).",
)
@click.pass_context
def baseline(ctx, pupil, curriculum_id, through_stage, reason, at_text) -> None:
    """Baseline on entry: record every milestone of CURRICULUM up to and including the stage given
    as achieved for PUPIL, in one audited batch (for a child who joins part-way). Milestones already
    achieved are kept; each new judgement carries the note "Baseline on entry" and the reason. It is
    dated before this window (or --at), so it never counts as progress made here.

    \b
    Example:
      passport baseline A123 key-maths --through Y2 --reason "joined in Year 3; baseline assessment"
    """
    done = service(ctx).baseline(pupil, curriculum_id, through_stage, reason=reason, at=parse_at(at_text))
    echo(
        f"Baseline for {pupil} in {curriculum_id} through {through_stage}: {plural(len(done), 'milestone')} recorded achieved"
    )


@click.command()
@click.argument("pupil")
@click.argument("milestone")
@click.option("--reason", required=True, help="Why the earlier 'achieved' was an error.")
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.pass_context
def retract(ctx, pupil, milestone, reason, curriculum_id) -> None:
    """Correct an 'achieved' recorded in error (audited; the history keeps both)."""
    j = service(ctx).retract(pupil, milestone, reason, curriculum_id)
    echo(f"Retracted {j.milestone_id} for {pupil}: {j.reason}")


@click.command()
@click.argument("pupil")
@click.argument("milestone")
@click.option("--note", help="Why retention is in doubt.")
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.pass_context
def revisit(ctx, pupil, milestone, note, curriculum_id) -> None:
    """Mark an achieved milestone for a retention check: it stays achieved and is listed until
    re-confirmed (judge it achieved again)."""
    j = service(ctx).judge(pupil, milestone, "revisit", curriculum_id=curriculum_id, note=note)
    echo(f"{j.milestone_id} marked for revisit for {pupil}")


@click.command()
@click.argument("pupil")
@json_option
@click.pass_context
def history(ctx: click.Context, pupil: str, as_json: bool) -> None:
    """Every judgement of a pupil, oldest first, with who and when."""
    events = service(ctx).history(pupil)
    if as_json:
        emit_json(events)
        return
    names = service(ctx).milestone_names(events)
    authors = service(ctx).author_names()  # other schools' staff a passport file named
    for e in events:
        extra = " — ".join(x for x in (e.reason, e.note) if x)
        echo(
            f"{e.at.isoformat(timespec='minutes')}  {authors.get(e.by, e.by):<12} {e.curriculum_id}  "
            f"{names.get((e.curriculum_id, e.milestone_id), e.milestone_id)}  "
            f"{e.verdict.value}" + (f"  {extra}" if extra else "")
        )


# --- the passport --------------------------------------------------------------------------


@click.command()
@click.argument("pupil")
@json_option
@click.pass_context
def show(ctx: click.Context, pupil: str, as_json: bool) -> None:
    """A pupil's passport: per curriculum, achieved (with dates), next steps, gaps, points,
    expected, target and flags."""
    svc = service(ctx)
    pp = svc.passport(pupil)
    p = pp.pupil
    tests = {t.curriculum_id: t for t in svc.test_results(pupils=[p])}
    entries = []
    for cp in pp.curricula:
        s = cp.standing
        t = tests.get(cp.curriculum.id)
        entries.append(
            CurriculumStanding(
                id=cp.curriculum.id,
                title=cp.curriculum.title,
                achieved=s.achieved,
                achieved_on={m: d.date() for m, d in cp.achieved_on.items()},
                next=s.next,
                gaps=s.gaps,
                revisit=s.revisit,
                points=s.points,
                expected=s.expected,
                target=s.target,
                target_status=s.target_status.value if s.target_status else None,
                flags=[f.value for f in s.flags],
                window=s.window.key,
                points_by_window={w.key: v for w, v in s.history},
                focus=[
                    FocusNote(f.milestone_id, f.provision)
                    for f in pp.focus
                    if f.curriculum_id == cp.curriculum.id
                ],
                test=None if t is None else TestSummary(t.window.key, t.score, t.test_point, t.greater_depth),
                retired=cp.retired,
                unlisted=cp.unlisted,
                assessed=s.assessed,
            )
        )
    if as_json:
        heading = PupilHeading(p.id, p.upn, p.name, pp.year_group, p.class_name)
        emit_json(PassportView(heading, entries))
        return
    echo(f"{p.name} ({p.upn}) — {year_label(pp.year_group)}, class {p.class_name or '-'}")
    for cp, e in zip(pp.curricula, entries, strict=True):
        c = cp.curriculum
        echo()
        echo(c.title)
        if not e.assessed:
            expected = (
                f" (expected {e.expected} in {cp.standing.window.name})" if e.expected is not None else ""
            )
            echo(
                f"  {NOT_ASSESSED_YET}{expected}: no judgement recorded here; "
                "record a baseline (passport baseline) or judge a milestone"
            )
        elif e.points is not None:
            echo(
                f"  points {e.points}, expected {e.expected} ({cp.standing.window.name}), "
                f"target {e.target} ({e.target_status})"
            )
        if e.assessed:
            echo(f"  flags: {', '.join(e.flags) or 'none'}")
        if e.test is not None:
            echo(f"  test: {test_words(tests[c.id])}")
        for f in e.focus:
            echo(f"  focus: {f.milestone}" + (f" — {f.provision}" if f.provision else ""))
        taught = len(c.milestones) - len(c.retired) + len(e.retired)  # retired count once achieved
        echo(f"  achieved: {len(e.achieved)} of {plural(taught, 'milestone')}")
        for mid in e.retired:
            echo(f"    {mid}  {c.milestone_by_id[mid].title}  (retired; still counted)")
        if e.unlisted:
            echo(
                f"  achieved but no longer in this curriculum: {', '.join(e.unlisted)} "
                "(an admin should run passport doctor)"
            )
        for label, ids in (("gaps", e.gaps if e.assessed else None), ("next steps", e.next[:5])):
            if ids is None:  # not assessed: no gaps are known
                continue
            echo(f"  {label}:" + ("" if ids else " none"))
            for mid in ids[:10]:
                echo(f"    {mid}  {c.milestone_by_id[mid].title}")
            if len(ids) > 10:
                echo(f"    … and {len(ids) - 10} more")


def milestone_lines(pp: PupilPassport, key: str) -> list[MilestoneLine]:
    """A pupil's next steps (``key`` "next") or gaps ("gaps"), curriculum by curriculum."""
    return [
        MilestoneLine(cp.curriculum.id, mid, cp.curriculum.milestone_by_id[mid].title)
        for cp in pp.curricula
        for mid in getattr(cp.standing, key)
    ]


def _print_milestones(ctx: click.Context, pupil: str, key: str, as_json: bool) -> None:
    items = milestone_lines(service(ctx).passport(pupil, history_windows=0), key)
    if as_json:
        emit_json(items)
        return
    if not items:
        echo("none")
    for i in items:
        echo(f"{i.curriculum}  {i.milestone}  {i.title}")


@click.command("next")
@click.argument("pupil")
@json_option
@click.pass_context
def next_(ctx: click.Context, pupil: str, as_json: bool) -> None:
    """A pupil's next steps: gaps first, then in curriculum order."""
    _print_milestones(ctx, pupil, "next", as_json)


@click.command()
@click.argument("pupil")
@click.option("--age", is_flag=True, help="With how many days each gap has been open, oldest first.")
@json_option
@click.pass_context
def gaps(ctx: click.Context, pupil: str, age: bool, as_json: bool) -> None:
    """A pupil's gaps: milestones not secured that later learning depends on or that lie below
    their year group. With --age, how long each has been open, oldest first (a gap that lingers
    needs attention)."""
    if not age:
        _print_milestones(ctx, pupil, "gaps", as_json)
        return
    svc = service(ctx)
    items = [
        GapAge(c.id, mid, c.milestone_by_id[mid].title, n)
        for c in svc.curricula()
        for mid, n in svc.gap_ages(pupil, c.id)
    ]
    items.sort(key=lambda i: -i.days_open)  # stable: curriculum order within the same age
    if as_json:
        emit_json(items)
        return
    if not items:
        echo("none")
    for i in items:
        echo(f"{days(i.days_open):>10}  {i.curriculum}  {i.milestone}  {i.title}")
