"""The half-yearly report to parents and carers, for one pupil or a whole class.

Everything comes from the service: the pupil's passport (what is secured and when, next steps,
points against the expectation for their year), their target, focus items and the teacher's
comment. The words are for a parent, not for a tracking sheet: no points, no milestone codes.

A framework without points (the engagement model, small steps, PSP) is a personal programme: its
progress reads as the new steps secured this term (and in all), with a few of them as examples —
never against an expectation for the child's age, never "behind". A baseline on entry (what a
child had secured before joining) is said once, not listed as steps secured here.

A subject in which nothing at all is recorded for the child yet (no judgement of any kind: not
assessed) says so — "No judgements recorded yet in Maths." — instead of where the child is, and
shows no steps secured, no progress bars and no next steps: nobody knows them yet. The expected
standard for the end of the year, a target someone set, focus items and comments still show.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from ..engine import is_baseline, window_of
from ..engine.points import end_of_year_points, stage_end_points, stage_width
from ..errors import NotFound, PassportError
from ..models import Curriculum, Milestone, Note, Pupil, Verdict, by_another_school
from ._render import clean, long_date, months_before, render, year_label

if TYPE_CHECKING:
    from ..service import CurriculumPassport, PupilPassport, Service

Format = Literal["html", "md"]
NEXT_STEPS = 3
EXAMPLES = 3  # steps secured in the period shown as examples (never the whole list)


@dataclass(slots=True)
class Comment:
    text: str
    by: str  # the member of staff's name as an admin set it; "" when none is set (never the login)
    on: str  # a long date


@dataclass(slots=True)
class FocusLine:
    title: str
    provision: str | None
    next_step: bool = False  # one of the next steps the report lists (said there, not twice)


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
    secured: list[str]  # every step secured in the period, oldest first (the report counts them)
    next_steps: list[str]
    target: str
    progress: list[Progress]
    target_steps: list[TargetStep] = field(default_factory=list)
    focus: list[FocusLine] = field(default_factory=list)
    comment: Comment | None = None
    # a personal programme (a framework without points): the steps secured, with examples
    steps: str | None = None
    examples: list[str] = field(default_factory=list)
    # a baseline on entry, said once: "When Mia joined, ... 17 steps ... through Year 1."
    baseline: str | None = None
    # the expected standard at the end of the school year, in words (subjects with points)
    end_of_year: str | None = None
    # subjects with points: the steps secured in the period as a count, and a few of them
    secured_words: str = ""
    secured_examples: list[str] = field(default_factory=list)

    @property
    def personal(self) -> bool:
        return self.level == "personal"

    @property
    def assessed(self) -> bool:
        """False: nothing is recorded in this subject yet (no steps, bars or next steps to show)."""
        return self.level != "unassessed"

    @property
    def next_focus(self) -> list[FocusLine | None]:
        """For each next step, the focus on it (with how the school helps), or None."""
        by_title = {f.title: f for f in self.focus if f.next_step}
        return [by_title.get(t) for t in self.next_steps]

    @property
    def other_focus(self) -> list[FocusLine]:
        """The focus items that are not among the next steps listed (a gap further back)."""
        return [f for f in self.focus if not f.next_step]


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

    @property
    def measured(self) -> bool:
        """Some subject is measured against the expected standard for the child's year."""
        return any(s.level in ("above", "at", "towards", "well-below") for s in self.subjects)

    @property
    def bars(self) -> bool:
        return any(s.progress for s in self.subjects)

    @property
    def personal(self) -> bool:
        return any(s.personal for s in self.subjects)


# --- the words ------------------------------------------------------------------------------

BADGES = {
    "above": "Above expected",
    "at": "Expected",
    "towards": "Working towards",
    "well-below": "Well below",
    "personal": "Personal programme",
    "unmeasured": "Early steps",
    "unassessed": "Not assessed yet",
}


def not_assessed_words(subject: str) -> str:
    """What the report says of a subject with no judgement recorded yet (``subject`` as it reads
    inside a sentence)."""
    return f"No judgements recorded yet in {subject}."


def expectation_words(
    first_name: str,
    subject: str,
    points: int | None,
    expected: int | None,
    year_group: int,
    in_progress: bool = False,
) -> tuple[str, str]:
    """(level, sentence): how the child is doing against the expectation for their year.

    ``expected`` is the expectation at the end of the current window; while the window is in
    progress (``in_progress``) a child one point short of it is where they should have been when
    it began, so at the expected standard — as the tracking flags say (not falling behind)."""
    year = year_label(year_group)
    if points is None:
        return (
            "personal",
            f"{first_name} follows a personal programme in {in_sentence(subject)}: progress is the new "
            f"steps {first_name} secures, not a comparison with other children of the same age.",
        )
    if expected is None:
        return (
            "unmeasured",
            f"{first_name} is working on the early steps in {subject}; "
            f"children are not yet measured against a year-group standard at this age.",
        )
    if points >= expected + 1:
        level, how = "above", "working above the expected standard"
    elif points == expected or (in_progress and points == expected - 1):
        level, how = "at", "working at the expected standard"
    elif points >= expected - 2:
        level, how = "towards", "working towards the expected standard"
    else:
        level, how = "well-below", "working well below the expected standard"
    return level, f"{first_name} is {how} for {year} in {subject}."


def end_of_year_words(c: Curriculum, year_group: int, achieved: AbstractSet[str]) -> str | None:
    """The expected standard at the end of the pupil's school year, in words, as the points
    scheme's reports give it: the steps of the stage for their year that a child at the expected
    standard has secured by July (all of them; in the first year of a two-year stage, the share
    that makes its end-of-year points), and every step before them. None when no stage is linked
    to the pupil's year."""
    stages = c.year_linked_stages
    own = next((st for st in stages if year_group in st.year_list), None)
    if own is None:
        return None
    counted = c.counted(own.id, achieved)
    n = sum(1 for m in c.milestones_by_stage.get(own.id, []) if m.id in counted)
    end = stage_end_points(own)
    if not n or end is None:
        return None
    width = stage_width(own)
    # points above the stage's start that the end of this year stands for; a stage's points
    # count one for each full share (third, or sixth for two years) of its steps secured
    share = end_of_year_points(c, year_group) - (end - width)
    need = n if share >= width else max(1, -(-share * n // width))
    what = f"all {n} steps" if need == n else f"at least {need} of the {n} steps"
    if n == 1:
        what = "the one step"
    before = ", and every step before them" if stages[0].id != own.id else ""
    return (
        f"By the end of {year_label(year_group)} in July, children are expected to have secured "
        f"{what} for {clean(own.title)}{before}."
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def step_words(m: Milestone) -> str:
    """A step as a parent reads it: the milestone's words for parents when the curriculum gives
    them, else the first sentence of its title (statutory wording runs on)."""
    text = (getattr(m, "parent_text", None) or "").strip()
    if text:
        return clean(text)
    title = clean(m.title).strip()
    return _SENTENCE_END.split(title, 1)[0]


def secured_words(first: str, n: int) -> str:
    """The steps secured in the period, as a count (a few of them follow as examples)."""
    if n == 0:
        return "No new step was secured in this period."
    steps = "1 new step" if n == 1 else f"{n} new steps"
    if n <= EXAMPLES:
        return f"{first} secured {steps} in this period:"
    return f"{first} secured {steps} in this period; the {_COUNT_WORDS[EXAMPLES]} most recent:"


_COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def _target_year(c: Curriculum, points: int) -> int | None:
    for year in range(0, 14):
        if end_of_year_points(c, year) == points:
            return year
    return None


@dataclass(slots=True)
class TargetStep:
    """One milestone of a target that is a set of milestones."""

    title: str
    secured: bool


def target_words(
    svc: Service, pupil: Pupil, c: Curriculum, first_name: str, achieved: AbstractSet[str] = frozenset()
) -> tuple[str, list[TargetStep]]:
    """The target in words, and its milestones when it is a set of them (the only kind of target
    in a framework without points: said as how many are secured, never "faster progress").
    ``achieved``: the pupil's milestones secured in ``c``."""
    view = svc.target(pupil.upn, c.id)
    if view.milestones:
        known = [m for m in view.milestones if m in c.milestone_by_id]
        steps = [TargetStep(step_words(c.milestone_by_id[m]), m in achieved) for m in known]
        done, n = sum(1 for t in steps if t.secured), len(steps)
        what = "this step" if n == 1 else f"these {n} steps"
        by = f" by {long_date(view.due)}" if view.due is not None else ""
        if view.status == "met":
            status = f"{first_name} has met it: {'it is' if n == 1 else f'all {n} are'} secured."
        elif view.status == "off track":
            status = f"{done} of {n} secured when the date set for it passed; the teacher will review it."
        else:
            status = f"{done} of {n} secured so far."
        return f"{first_name}'s personal target is to secure {what}{by}. {status}", steps
    if view.points is not None:
        year = _target_year(c, view.points)
        if year is not None:
            aim = f"to reach the expected standard for the end of {year_label(year)}"
        else:
            aim = f"to reach {view.points} points on the school's tracking scale"
        if not view.personal:
            aim += " by the end of this school year"
    else:
        return "No target is set in this subject yet.", []
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
    return f"{lead} {status}".strip(), []


def subject_name(c: Curriculum) -> str:
    """The subject as a parent says it: ``English`` for ``English — National Curriculum ...``,
    ``Personal, social and physical development`` for ``... (example framework)``."""
    title = clean(c.title).strip()
    for sep in (" — ", " – ", " - ", ": "):
        if sep in title:
            title = title.split(sep, 1)[0].strip() or title
            break
    if title.endswith(")") and " (" in title:
        title = title[: title.rindex(" (")].strip() or title
    return title


def in_sentence(subject: str) -> str:
    """A framework's name inside a sentence: ``the engagement model`` for ``The engagement
    model``, ``personal, social and physical development`` for ``Personal, social and ...``;
    a name that starts with an acronym (``PSHE``) keeps its capitals."""
    if len(subject) > 1 and subject[0].isupper() and subject[1].islower():
        return subject[0].lower() + subject[1:]
    return subject


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


def _steps(
    cp: CurriculumPassport, first: str, since: date, today: date, term_start: date, excluded: set[str]
) -> tuple[str, list[str]]:
    """A personal programme's progress: ``Isla secured 2 new steps this term (9 in all)`` and up
    to three of this term's steps, the most recent first."""
    c = cp.curriculum
    dated = sorted(
        ((at, c.order.get(m, 0), m) for m, at in cp.achieved_on.items() if m not in excluded),
        reverse=True,
    )
    term = [m for at, _, m in dated if term_start <= at.date() <= today]
    period = [m for at, _, m in dated if since <= at.date() <= today]
    total = len(cp.standing.achieved)

    def steps(n: int) -> str:
        return f"{n} new step" if n == 1 else f"{n} new steps"

    earlier = since < term_start and len(period) != len(term)
    if term:
        words = f"{first} secured {steps(len(term))} this term"
        if earlier:
            words += f", {len(period)} since {long_date(since)}"
    else:
        words = "No new step is recorded as secured this term yet"
        if earlier:
            words += f"; {steps(len(period))} since {long_date(since)}"
    words += f" ({total} in all)."
    examples = term[:EXAMPLES] if term else []
    return words, [step_words(c.milestone_by_id[m]) for m in examples if m in c.milestone_by_id]


def _baseline(svc: Service, pupil: Pupil, cp: CurriculumPassport, first: str) -> tuple[str | None, set[str]]:
    """The milestones a baseline on entry recorded as secured (still secured now), and the
    sentence that says so once."""
    c = cp.curriculum
    assert pupil.id is not None
    recorded = {
        j.milestone_id: j.at
        for j in svc.history(pupil.id)
        if j.curriculum_id == c.id
        and j.verdict is Verdict.ACHIEVED
        and is_baseline(j.note)
        and j.milestone_id in cp.standing.achieved_set
    }
    if not recorded:
        return None, set()
    last = max(recorded, key=lambda m: c.order.get(m, 0))
    stage = c.stage_by_id.get(c.milestone_by_id[last].stage) if last in c.milestone_by_id else None
    through = f", up to {clean(stage.title)}" if stage is not None else ""
    n = len(recorded)
    words = (
        f"When {first} joined, a baseline assessment recorded {n} "
        f"{'step' if n == 1 else 'steps'} as already secured{through}. Only the steps secured since "
        "count as new steps here."
    )
    return words, set(recorded)


def _secured_title(c: Curriculum, milestone_id: str) -> str:
    """A step secured, as the report names it: its title, marked when it is retired, or its id
    when the curriculum no longer has it (never left out)."""
    m = c.milestone_by_id.get(milestone_id)
    if m is None:
        return f"{clean(milestone_id)} (no longer in the curriculum)"
    return clean(m.title) + (" (retired from the curriculum)" if m.retired else "")


def _secured_example(c: Curriculum, milestone_id: str) -> str:
    m = c.milestone_by_id.get(milestone_id)
    return step_words(m) if m is not None and not m.retired else _secured_title(c, milestone_id)


def _comment(note: Note | None, names: dict[str, str]) -> Comment | None:
    """A teacher comment, signed with the member of staff's name (``names``: login to name);
    unsigned when no name is set: a login ("ms.hughes", "root") is not a signature."""
    if note is None:
        return None
    return Comment(clean(note.text).strip(), clean(names.get(note.by, "")).strip(), long_date(note.at.date()))


def staff_names(svc: Service) -> dict[str, str]:
    """Each member of staff's name by login, for the ones an admin gave a name."""
    return {login: name for login, name, _role, _classes in svc.staff() if name and name.strip()}


def _latest(notes: list[Note], curriculum_id: str | None) -> Note | None:
    """This school's latest teacher comment (one a passport file brought is the previous school's)."""
    chosen = [n for n in notes if n.curriculum_id == curriculum_id and not by_another_school(n.by)]
    return chosen[-1] if chosen else None


def pupil_report(
    svc: Service, pupil_key: str | int, since: date | None = None, names: dict[str, str] | None = None
) -> PupilReport:
    """What the parent report says about one pupil, as plain data (the templates lay it out).
    ``names``: the staff's names by login (read from the service when not given)."""
    names = staff_names(svc) if names is None else names
    passport: PupilPassport = svc.passport(pupil_key)
    pupil, today = passport.pupil, passport.today
    since = since if since is not None else months_before(today, 6)
    if since > today:
        raise PassportError(f"The report period can't start after today ({today.isoformat()}).")
    first = clean(pupil.first_name).strip() or clean(pupil.name)
    notes = svc.teacher_comments(pupil.id)  # type: ignore[arg-type]
    term_start = window_of(today, svc.terms).start
    subjects = []
    for cp in passport.curricula:
        c, s = cp.curriculum, cp.standing
        title = subject_name(c)
        baseline, on_entry = _baseline(svc, pupil, cp, first)
        secured = sorted(
            (at, c.order.get(m, 0), m)
            for m, at in cp.achieved_on.items()
            if since <= at.date() <= today and m not in on_entry
        )
        if s.assessed:
            level, sentence = expectation_words(
                first, title, s.points, s.expected, passport.year_group, in_progress=today < s.window.end
            )
        else:
            level = "unassessed"
            sentence = not_assessed_words(title if c.year_linked_stages else in_sentence(title))
        target, target_steps = target_words(svc, pupil, c, first, s.achieved_set)
        personal = level == "personal"
        unassessed = level == "unassessed"
        steps, examples = _steps(cp, first, since, today, term_start, on_entry) if personal else (None, [])
        latest = [m for _, _, m in reversed(secured)][:EXAMPLES]
        subjects.append(
            SubjectReport(
                title=title,
                level=level,
                badge=BADGES[level],
                expectation=sentence,
                secured=[_secured_title(c, m) for _, _, m in secured],
                next_steps=[]
                if unassessed
                else [step_words(c.milestone_by_id[m]) for m in s.next[:NEXT_STEPS]],
                focus=[
                    FocusLine(
                        step_words(c.milestone_by_id[f.milestone_id]),
                        clean(f.provision or "").strip() or None,
                        not unassessed and f.milestone_id in s.next[:NEXT_STEPS],
                    )
                    for f in passport.focus
                    if f.curriculum_id == c.id and f.milestone_id in c.milestone_by_id
                ],
                target=target,
                target_steps=target_steps,
                progress=[] if personal or unassessed else _progress(cp, passport.year_group),
                steps=steps,
                examples=examples,
                baseline=baseline,
                end_of_year=None
                if personal or s.expected is None
                else end_of_year_words(c, passport.year_group, s.achieved_set),
                secured_words="" if personal or unassessed else secured_words(first, len(secured)),
                secured_examples=[_secured_example(c, m) for m in latest],
                comment=_comment(_latest(notes, c.id), names),
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
        comment=_comment(_latest(notes, None), names),
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
    names = staff_names(svc)
    reports = [pupil_report(svc, key, since, names) for key in pupil_keys]
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
    names = staff_names(svc)
    reports = [pupil_report(svc, p.id if p.id is not None else p.upn, since, names) for p in pupils]
    return _render(reports, fmt, f"Class {clean(class_name)}: reports to parents and carers")
