"""The half-yearly report to parents and carers, for one pupil or a whole class.

Everything comes from the service: the pupil's passport (what is secured and when, next steps,
points against the expectation for their year), their target, focus items and the teacher's
comment. The words are for a parent, not for a tracking sheet: no points, no milestone codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from ..engine.points import end_of_year_points
from ..errors import NotFound, PassportError
from ..models import Curriculum, Note, Pupil
from ._render import clean, long_date, months_before, render, year_label

if TYPE_CHECKING:
    from ..service import CurriculumPassport, PupilPassport, Service

Format = Literal["html", "md"]
NEXT_STEPS = 3


@dataclass(slots=True)
class Comment:
    text: str
    by: str
    on: str  # a long date


@dataclass(slots=True)
class FocusLine:
    title: str
    provision: str | None


@dataclass(slots=True)
class Progress:
    """How much of the stage for the pupil's year (or of the subject) is secured."""

    done: int
    total: int
    words: str

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(slots=True)
class SubjectReport:
    title: str
    level: str  # above, at, towards, well-below, personal, unmeasured: a CSS class and a badge
    badge: str  # the level in two or three words
    expectation: str  # the sentence
    secured: list[str]
    next_steps: list[str]
    target: str
    progress: list[Progress]
    focus: list[FocusLine] = field(default_factory=list)
    comment: Comment | None = None


@dataclass(slots=True)
class PupilReport:
    name: str
    first_name: str
    year: str
    class_name: str | None
    since: str
    until: str
    subjects: list[SubjectReport]
    comment: Comment | None


# --- the words ------------------------------------------------------------------------------

BADGES = {
    "above": "Above expected",
    "at": "Expected",
    "towards": "Working towards",
    "well-below": "Well below",
    "personal": "Personal programme",
    "unmeasured": "Early steps",
}


def expectation_words(
    first_name: str, subject: str, points: int | None, expected: int | None, year_group: int
) -> tuple[str, str]:
    """(level, sentence): how the child is doing against the expectation for their year."""
    year = year_label(year_group)
    if points is None:
        return "personal", f"{first_name} is following a personalised programme in {subject}."
    if expected is None:
        return (
            "unmeasured",
            f"{first_name} is working on the early steps in {subject}; "
            f"children are not yet measured against a year-group standard at this age.",
        )
    if points >= expected + 1:
        level, how = "above", "working above the expected standard"
    elif points == expected:
        level, how = "at", "working at the expected standard"
    elif points >= expected - 2:
        level, how = "towards", "working towards the expected standard"
    else:
        level, how = "well-below", "working well below the expected standard"
    return level, f"{first_name} is {how} for {year} in {subject}."


def _target_year(c: Curriculum, points: int) -> int | None:
    for year in range(0, 14):
        if end_of_year_points(c, year) == points:
            return year
    return None


def target_words(svc: Service, pupil: Pupil, c: Curriculum, first_name: str) -> str:
    view = svc.target(pupil.upn, c.id)
    if view.milestones:
        titles = [clean(c.milestone_by_id[m].title) for m in view.milestones if m in c.milestone_by_id]
        aim = "to secure " + _join(titles)
        if view.due is not None:
            aim += f" by {long_date(view.due)}"
    elif view.points is not None:
        year = _target_year(c, view.points)
        if year is not None:
            aim = f"to reach the expected standard for the end of {year_label(year)}"
        else:
            aim = f"to reach {view.points} points on the school's tracking scale"
        if not view.personal:
            aim += " by the end of this school year"
    else:
        return "No target is set in this subject yet."
    status = {
        "met": f"{first_name} has already met this target.",
        "on track": f"{first_name} is on track to meet it.",
        "off track": f"{first_name} needs to make faster progress to meet it.",
    }.get(view.status, "")
    lead = (
        f"{first_name}'s personal target is {aim}."
        if view.personal
        else f"The aim is for {first_name} {aim}."
    )
    return f"{lead} {status}".strip()


def subject_name(c: Curriculum) -> str:
    """The subject as a parent says it: ``English`` for ``English — National Curriculum ...``."""
    title = clean(c.title).strip()
    for sep in (" — ", " – ", " - ", ": "):
        if sep in title:
            return title.split(sep, 1)[0].strip() or title
    return title


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _progress(cp: CurriculumPassport, year_group: int) -> list[Progress]:
    """A bar for the stage of the pupil's year, and one before it for an earlier stage still being
    finished (so a child catching up sees their real progress, not 0 of this year's steps); the
    whole subject when no stage is linked to their year."""
    c, achieved = cp.curriculum, set(cp.standing.achieved)

    def bar(ids: list[str], where: str) -> Progress:
        done = sum(1 for m in ids if m in achieved)
        return Progress(done, len(ids), f"{done} of the {len(ids)} {where} secured")

    def stage_ids(stage_id: str) -> list[str]:
        # the steps still taught, and the retired ones the child achieved (they still count)
        counted = c.counted(stage_id, achieved)
        return [m.id for m in c.milestones_by_stage.get(stage_id, []) if m.id in counted]

    own = next((st for st in c.stages if year_group in st.year_list), None)
    if own is None:
        return [
            bar([m.id for m in c.milestones if not m.retired or m.id in achieved], "steps in this subject")
        ]
    bars = []
    earlier = [st for st in c.year_linked_stages if max(st.year_list) < min(own.year_list)]
    unfinished = next((st for st in earlier if any(m not in achieved for m in stage_ids(st.id))), None)
    if unfinished is not None:
        bars.append(bar(stage_ids(unfinished.id), f"steps for {clean(unfinished.title)}"))
    bars.append(bar(stage_ids(own.id), f"steps for {clean(own.title)}"))
    return bars


def _secured_title(c: Curriculum, milestone_id: str) -> str:
    """A step secured, as the report names it: its title, marked when it is retired, or its id
    when the curriculum no longer has it (never left out)."""
    m = c.milestone_by_id.get(milestone_id)
    if m is None:
        return f"{clean(milestone_id)} (no longer in the curriculum)"
    return clean(m.title) + (" (retired from the curriculum)" if m.retired else "")


def _comment(note: Note | None) -> Comment | None:
    if note is None:
        return None
    return Comment(clean(note.text).strip(), clean(note.by), long_date(note.at.date()))


def _latest(notes: list[Note], curriculum_id: str | None) -> Note | None:
    chosen = [n for n in notes if n.curriculum_id == curriculum_id]
    return chosen[-1] if chosen else None


def pupil_report(svc: Service, pupil_key: str | int, since: date | None = None) -> PupilReport:
    """What the parent report says about one pupil, as plain data (the templates lay it out)."""
    passport: PupilPassport = svc.passport(pupil_key)
    pupil, today = passport.pupil, passport.today
    since = since if since is not None else months_before(today, 6)
    if since > today:
        raise PassportError(f"The report period can't start after today ({today.isoformat()}).")
    first = clean(pupil.first_name).strip() or clean(pupil.name)
    notes = svc.teacher_comments(pupil.id)  # type: ignore[arg-type]
    subjects = []
    for cp in passport.curricula:
        c, s = cp.curriculum, cp.standing
        title = subject_name(c)
        secured = sorted(
            (at, c.order.get(m, 0), m) for m, at in cp.achieved_on.items() if since <= at.date() <= today
        )
        level, sentence = expectation_words(first, title, s.points, s.expected, passport.year_group)
        subjects.append(
            SubjectReport(
                title=title,
                level=level,
                badge=BADGES[level],
                expectation=sentence,
                secured=[_secured_title(c, m) for _, _, m in secured],
                next_steps=[clean(c.milestone_by_id[m].title) for m in s.next[:NEXT_STEPS]],
                target=target_words(svc, pupil, c, first),
                progress=_progress(cp, passport.year_group),
                focus=[
                    FocusLine(
                        clean(c.milestone_by_id[f.milestone_id].title),
                        clean(f.provision or "").strip() or None,
                    )
                    for f in passport.focus
                    if f.curriculum_id == c.id and f.milestone_id in c.milestone_by_id
                ],
                comment=_comment(_latest(notes, c.id)),
            )
        )
    return PupilReport(
        name=clean(pupil.name),
        first_name=first,
        year=year_label(passport.year_group),
        class_name=clean(pupil.class_name) if pupil.class_name else None,
        since=long_date(since),
        until=long_date(today),
        subjects=subjects,
        comment=_comment(_latest(notes, None)),
    )


def _render(reports: list[PupilReport], fmt: Format, title: str) -> str:
    if fmt not in ("html", "md"):
        raise PassportError(f"A report is html or md, not {fmt!r}.")
    return render(f"parent.{fmt}", reports=reports, title=title)


def parent_report(
    svc: Service, pupil_keys: list[str | int], fmt: Format = "html", since: date | None = None
) -> str:
    """The parent report of one or more pupils (by UPN or id) for the period from ``since``
    (default: the same date six months ago) to today, as a self-contained HTML page or Markdown."""
    if not pupil_keys:
        raise PassportError("Name at least one pupil for a parent report.")
    reports = [pupil_report(svc, key, since) for key in pupil_keys]
    title = f"Report for {reports[0].name}" if len(reports) == 1 else "Reports to parents and carers"
    return _render(reports, fmt, title)


def class_parent_report(
    svc: Service, class_name: str, fmt: Format = "html", since: date | None = None
) -> str:
    """Every pupil of ``class_name`` in one document, each pupil starting on a new page."""
    pupils = svc.pupils(class_name)
    if not pupils:
        known = ", ".join(name for name, _ in svc.classes()) or "none yet"
        raise NotFound(f"No pupils in class {class_name!r} (classes: {known}).")
    reports = [pupil_report(svc, p.id if p.id is not None else p.upn, since) for p in pupils]
    return _render(reports, fmt, f"Class {clean(class_name)}: reports to parents and carers")
