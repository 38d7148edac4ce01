"""A realistic demo school, built deterministically from a seed and today's date.

Three classes in three year groups, about 80 pupils with the usual mix of groups, the sample
curricula, and a year of judgements: a baseline at the start of last year, then each window of last
year and the current window so far. Pupils progress through their next steps at their own pace, so
the demo shows pupils on track, ahead, falling behind and with gaps — and every judgement in it was
accepted by the same rules a teacher meets.

Pathways: everyone follows the year-linked key maths and key English; pupils with special
educational needs also follow personal, social and physical development (tracked as steps
secured, as special schools do); a pupil with profound and multiple learning difficulties in 4O
follows the engagement model and small steps only, with a target of milestones in each; and a
pupil who joined 2H this September has a baseline on entry (through Year 1) instead of a history
here, then this term's progress.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from .. import engine
from ..curriculum import load_curriculum
from ..engine import Event, PupilRecord
from ..errors import PassportError
from ..models import (
    Curriculum,
    Judgement,
    Note,
    NoteKind,
    PersonalOutcome,
    Pupil,
    Sen,
    Target,
    TestScore,
    Verdict,
)
from ..progress import Progress
from ..resources import sample_curricula_dir
from ..store import default_db_path
from .access import Access
from .judging import BASELINE_NOTE
from .records import as_event
from .session import Session

FIRST_NAMES = [
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Freya",
    "Grace",
    "Sophia",
    "Aisha",
    "Zara",
    "Maryam",
    "Hannah",
    "Ella",
    "Chloe",
    "Ruby",
    "Evie",
    "Poppy",
    "Layla",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Leo",
    "Muhammad",
    "Harry",
    "Oscar",
    "Jack",
    "Charlie",
    "Theo",
    "Freddie",
    "Alfie",
    "Jacob",
    "Ethan",
    "Samuel",
    "Kai",
    "Yusuf",
    "Ibrahim",
    "Tomasz",
    "Oluwaseun",
    "Chidi",
    "Priya",
    "Arjun",
    "Wiktoria",
    "Mateusz",
    "Siobhan",
    "Niamh",
    "Callum",
    "Rhys",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Khan",
    "Ali",
    "Hussain",
    "Begum",
    "Patel",
    "Kowalski",
    "Nowak",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Campbell",
    "Stewart",
    "Chen",
    "Wong",
    "Nguyen",
    "Silva",
    "Costa",
]
TEACHERS = ("ms.hughes", "mr.okafor", "mrs.patel")
# the staff (login, name, role, classes): Ms Hughes is the deputy head as well as 2H's teacher (an
# admin), the others teach their class, a teaching assistant reads; whoever builds the demo is
# added as its head teacher (an admin), so the database opens for them
STAFF = (
    ("ms.hughes", "Ms Hughes", "admin", ["2H"]),
    ("mr.okafor", "Mr Okafor", "teacher", ["4O"]),
    ("mrs.patel", "Mrs Patel", "teacher", ["6P"]),
    ("mr.ellis", "Mr Ellis", "viewer", []),
)


@dataclass(frozen=True)
class DemoClass:
    name: str
    year_group: int  # this academic year
    size: int
    teacher: str


CLASSES = (
    DemoClass("2H", 2, 26, TEACHERS[0]),
    DemoClass("4O", 4, 27, TEACHERS[1]),
    DemoClass("6P", 6, 27, TEACHERS[2]),
)


@dataclass
class DemoSummary:
    curricula: list[str]
    classes: list[tuple[str, int, int]]  # name, year group, pupils
    pupils: int
    judgements: int
    first_day: date
    last_day: date


def make_pupils(rng: random.Random, academic_year: int) -> tuple[list[Pupil], dict[str, float]]:
    pupils: list[Pupil] = []
    pace: dict[str, float] = {}
    n = 0
    for cls in CLASSES:
        for _ in range(cls.size):
            n += 1
            upn = f"D{academic_year % 100:02d}{n:04d}"
            pp = rng.random() < 0.28
            fsm = pp and rng.random() < 0.75
            eal = rng.random() < 0.18
            r = rng.random()
            sen = Sen.EHCP if r < 0.04 else Sen.SUPPORT if r < 0.16 else Sen.NONE
            pupils.append(
                Pupil(
                    upn=upn,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    year_group=cls.year_group,
                    academic_year=academic_year,
                    class_name=cls.name,
                    gender=rng.choice("MF"),
                    pupil_premium=pp,
                    eal=eal,
                    sen=sen,
                    fsm=fsm,
                    dob=date(academic_year - 5 - cls.year_group, rng.randint(9, 12), rng.randint(1, 28))
                    if rng.random() < 0.33
                    else date(academic_year - 4 - cls.year_group, rng.randint(1, 8), rng.randint(1, 28)),
                    tags=["reading-recovery"] if rng.random() < 0.08 else [],
                )
            )
            # how fast this pupil secures milestones, relative to the expected pace
            p = rng.gauss(1.0, 0.28) - (0.12 if pp else 0) - (0.25 if sen is Sen.SUPPORT else 0)
            p -= 0.55 if sen is Sen.EHCP else 0
            pace[upn] = max(0.15, min(1.9, p))
    return pupils, pace


def _moment(rng: random.Random, start: date, end: date) -> datetime:
    days = max(0, (end - start).days)
    d = start + timedelta(days=rng.randint(0, days))
    return datetime(d.year, d.month, d.day, rng.randint(8, 15), rng.choice((0, 15, 30, 45)), tzinfo=UTC)


ARRIVAL_REASON = "joined from another school in September; baseline assessment"


def simulate(
    c: Curriculum,
    pupil: Pupil,
    pace: float,
    teacher: str,
    today: date,
    rng: random.Random,
    *,
    early_stages: int = 0,
    arrival: datetime | None = None,
) -> list[Judgement]:
    """A year of one pupil's judgements in one curriculum, each one decided by the engine.

    ``early_stages``: in a framework without year groups, how many of its first stages the
    pupil had secured before last year (a year-linked curriculum uses the stages below the
    pupil's year group). ``arrival``: the pupil joined this academic year; a baseline on entry
    (every stage below their year group) is recorded at this moment, and only this year's
    windows follow."""
    assert pupil.id is not None
    year_now = engine.academic_year_of(today)
    last_year = year_now - 1
    yg_last = pupil.year_group_in(last_year)
    record = PupilRecord()
    out: list[Judgement] = []

    def put(mid: str, verdict: str, when: datetime, reason: str | None = None, note: str | None = None):
        d = engine.decide(
            c, record, mid, verdict, now=when + timedelta(seconds=1), reason=reason, actor=teacher
        )
        j = Judgement(
            pupil_id=pupil.id,
            curriculum_id=c.id,
            milestone_id=mid,
            verdict=Verdict(d.verdict),
            by=teacher,
            at=when,
            note=note,
            reason=d.reason,
            corrects=d.corrects,
        )
        out.append(j)
        record.apply(Event(len(out), mid, d.verdict, when, d.corrects, teacher, bool(d.unmet)))

    if arrival is not None:
        # a baseline on entry: everything below the pupil's year group, in one batch, as
        # ``passport baseline`` records it (the rules met in stage order)
        below = engine.stages_below(c, pupil.year_group_in(year_now))
        note = f"{BASELINE_NOTE}: {ARRIVAL_REASON}"
        for m in sorted(c.milestones, key=lambda m: c.order[m.id]):
            if m.stage in below:
                put(m.id, "achieved", arrival, note=note)
        windows = [w for w in engine.windows_of_year(year_now) if w.start <= today]
    else:
        # baseline: what the pupil secured before last year (stages below last year's year
        # group, or a framework's first stages)
        below = engine.stages_below(c, yg_last)
        if not c.year_linked_stages:
            below = {st.id for st in c.stages[:early_stages]}
        base_day = date(last_year, 7, 14)  # judged by the previous teacher before the summer holiday
        slack = 0.015 if pace > 0.7 else 0.06
        # the milestones first (each open when chosen), then the moments, in the same order: a
        # milestone is never dated before one it needs, so the log reads true in time as well
        chosen: list[str] = []
        moments: list[datetime] = []
        secured = set(record.achieved())
        for m in c.milestones:
            if m.stage in below and rng.random() > slack and engine.is_open(c, secured, m.id):
                chosen.append(m.id)
                moments.append(_moment(rng, base_day, base_day + timedelta(days=3)))
                secured.add(m.id)
        for mid, when in zip(chosen, sorted(moments), strict=True):
            put(mid, "achieved", when, note="Baseline from previous school year")
        # then each window of last year and the current window up to yesterday
        windows = engine.windows_of_year(last_year) + [engine.window_of(today)]
    for w in windows:
        end = min(w.end, today - timedelta(days=1))
        if end < w.start:
            continue
        share = (end - w.start).days / max(1, (w.end - w.start).days) if w.end > end else 1.0
        year_size = _year_size(c, pupil.year_group_in(w.academic_year))
        budget = int(round(max(3, year_size) / 3 * pace * share * 1.1 + rng.random()))
        first = min(w.start + timedelta(days=7), end)
        times = sorted(_moment(rng, first, end) for _ in range(budget + 2))
        for when in times[:budget]:
            steps = engine.next_steps(c, record.achieved(), pupil.year_group_in(w.academic_year))
            if not steps:
                break
            mid = steps[0] if rng.random() < 0.7 else rng.choice(steps[:4])
            if rng.random() < 0.25:
                put(mid, "not_yet", when - timedelta(hours=2), note="Further teaching needed")
            put(mid, "achieved", when)
        # fast learners sometimes jump ahead with an override: the skipped prerequisite becomes a gap
        if pace > 1.35 and rng.random() < 0.3:
            achieved = record.achieved()
            locked = [
                m for m in c.milestones if m.id not in achieved and not engine.is_open(c, achieved, m.id)
            ]
            if locked:
                put(locked[0].id, "achieved", times[-2], reason="Secure in independent work")
        # a teacher doubts retention of one milestone now and then
        if rng.random() < 0.05 and record.achieved():
            pick = sorted(record.achieved())[rng.randrange(len(record.achieved()))]
            put(pick, "revisit", times[-1] + timedelta(minutes=5), note="Check retention after the holiday")
    out.sort(key=lambda j: j.at)
    return out


def _milestone_targets(
    service: Session, pupil: Pupil, events: list[Judgement], curricula: list[Curriculum], year: int
) -> None:
    """A target of milestones (the pupil's outcomes for the year) in each framework without
    points: a step secured this year and the next two to come, due at the end of spring."""
    assert pupil.id is not None
    year_start = datetime(year, 9, 1, tzinfo=UTC)
    for c in curricula:
        mine = [j for j in events if j.pupil_id == pupil.id and j.curriculum_id == c.id]
        achieved = engine.fold(as_event(j) for j in mine).achieved()
        this_year = [
            j.milestone_id
            for j in mine
            if j.verdict is Verdict.ACHIEVED and j.at >= year_start and j.milestone_id in c.milestone_by_id
        ]
        upcoming = engine.next_steps(c, achieved, pupil.year_group_in(year))[:2]
        chosen = [m for m in this_year[-1:] if m in achieved] + upcoming
        if chosen:
            service.store.set_target(
                Target(
                    pupil_id=pupil.id,
                    curriculum_id=c.id,
                    academic_year=year,
                    milestones=chosen,
                    due=date(year + 1, 3, 31),
                    reason="outcomes agreed at the annual review of the provision plan",
                    by=TEACHERS[1],
                    at=datetime(year, 9, 20, 15, tzinfo=UTC),
                )
            )


# The PMLD pupil's outcomes from section E of their EHCP, agreed at last spring's annual review,
# under engagement areas: (area, outcome, what happened since: achieved in the summer term, not
# yet this term, or achieved this term).
PMLD_OUTCOMES = (
    (
        "initiation",
        "Uses eye pointing to choose between two objects of reference at snack time, on 4 days out of 5.",
        "achieved",
    ),
    (
        "anticipation",
        "Anticipates the next part of the hello song: smiles or vocalises before the cue, with a familiar adult.",
        "not yet",
    ),
    (
        "persistence",
        "Keeps exploring a sensory tray for two minutes with an adult alongside, returning to it when distracted.",
        "achieved this term",
    ),
)


def pmld_outcomes(service: Session, pupil: Pupil, teacher: str, today: date) -> list[Judgement]:
    """Add the PMLD pupil's personal outcomes (from the EHCP's annual review last March) and return
    the judgements of them made since: achieved in the summer term, not yet this term."""
    assert pupil.id is not None
    year = engine.academic_year_of(today)
    review = datetime(year, 3, 12, 15, 30, tzinfo=UTC)
    source = f"EHCP section E, annual review March {year}"
    outcomes = [
        PersonalOutcome(
            pupil_id=pupil.id,
            curriculum_id="engagement-model",
            id=f"PO-{n}",
            area=area,
            title=title,
            source=source,
            by=teacher,
            at=review,
        )
        for n, (area, title, _) in enumerate(PMLD_OUTCOMES, 1)
    ]
    service.store.add_outcomes(outcomes)
    out = []
    this_term = datetime.combine(max(date(year, 9, 20), today - timedelta(days=5)), datetime.min.time(), UTC)
    for o, (_, _, happened) in zip(outcomes, PMLD_OUTCOMES, strict=True):
        if happened == "achieved":
            when, verdict, note = (
                datetime(year, 6, 18, 11, 0, tzinfo=UTC),
                Verdict.ACHIEVED,
                "Seen on 4 of 5 days",
            )
        elif this_term.date() >= today:  # too early in the term for anything else
            continue
        elif happened == "not yet":
            when, verdict, note = (
                this_term.replace(hour=10),
                Verdict.NOT_YET,
                "Smiles after the cue, not yet before it",
            )
        else:
            when, verdict, note = (
                this_term.replace(hour=14),
                Verdict.ACHIEVED,
                "Two minutes on three days running",
            )
        out.append(
            Judgement(
                pupil_id=pupil.id,
                curriculum_id=o.curriculum_id,
                milestone_id=o.id,
                verdict=verdict,
                by=teacher,
                at=when,
                note=note,
            )
        )
    return out


def _staff(service: Session) -> None:
    """The staff, with names and roles; whoever builds the demo is its head teacher. A member of
    staff already set up (a school trying the demo on its own server) is left as they are."""
    known = {m[0] for m in service.store.staff()}
    for login, name, role, classes in STAFF:
        if login not in known:
            service.store.put_staff(login, name, role, classes)
    if service.user not in known | {login for login, *_ in STAFF}:
        service.store.put_staff(service.user, "Head teacher", "admin", [])


# what the demo's teachers write: by how the pupil is getting on (pace against the expected)
COMMENTS = {
    "ahead": (
        "{first} has made excellent progress this term and explains {their} thinking clearly. "
        "Next, we will stretch {them} with problems that have more than one step.",
        "{first} works with real confidence and often helps others. {They} is ready for more "
        "challenging work and we will keep building on this.",
    ),
    "on track": (
        "{first} has worked hard this term and is secure in most of what we have taught. "
        "Practising the next steps at home, little and often, will help.",
        "{first} is making steady progress and joins in well. {They} is becoming more "
        "independent and we are pleased with {their} effort.",
    ),
    "support": (
        "{first} is trying hard. {They} is getting extra help in a small group, and is making "
        "progress with the steps below; reading together at home every day makes a difference.",
        "{first} has had a mixed term and needs more time with the basics. We are working on "
        "them in short, regular sessions and will share how it goes at parents' evening.",
    ),
}
SUBJECT_COMMENTS = {
    "key-maths": {
        "ahead": "Confident with number; ready for reasoning problems.",
        "on track": "Secure with the number work taught this term.",
        "support": "Number facts need regular practice; working on these in a small group.",
    },
    "key-english": {
        "ahead": "Reads widely and writes with flair; now varying sentence openings.",
        "on track": "Reading fluently; working on punctuating longer sentences.",
        "support": "Phonics and reading every day in a small group; making progress.",
    },
}
PRONOUNS = {
    "F": {"them": "her", "their": "her", "They": "She"},
    "M": {"them": "him", "their": "his", "They": "He"},
}
PROVISIONS = (
    "Small group, 3 × 20 minutes a week with Mr Ellis",
    "Daily 10-minute catch-up before lunch",
    "Pre-teaching on Mondays; practical equipment on the table",
    "Paired reading with an older pupil, twice a week",
)
NOTES = (
    "Parents' evening: mum asked for ideas to practise at home; sent a sheet of games.",
    "Glasses from October: sits near the front.",
    "Settled well after a wobbly start to the term.",
    "Attended the homework club every week this half term.",
)


def _school_records(
    service: Session,
    pupils: list[Pupil],
    pace: dict[str, float],
    events: list[Judgement],
    core: list[Curriculum],
    teacher_of: dict[str, str],
    today: date,
    rng: random.Random,
) -> None:
    """Test scores, personal targets, focus items, notes and teacher comments, so that every
    screen and report has something true to show: scores follow a pupil's pace, a target,
    a focus item and a comment are set by the pupil's own teacher, from their own standing."""
    store = service.store
    year = engine.academic_year_of(today)
    this_window = engine.window_of(today)
    by_pupil: dict[tuple[int, str], list[Judgement]] = {}
    for j in events:
        by_pupil.setdefault((j.pupil_id, j.curriculum_id), []).append(j)
    # test scores: each term of last year, and this term's once it is half over
    terms = [(year - 1, w.term, w.end) for w in engine.windows_of_year(year - 1)]
    if today >= this_window.start + (this_window.end - this_window.start) / 2:
        terms.append((year, this_window.term, today - timedelta(days=1)))
    scores = []
    for p in pupils:
        assert p.id is not None and p.upn
        teacher = teacher_of[p.class_name or ""]
        for c in core:
            base = 62 + 30 * (pace[p.upn] - 1)
            for academic_year, term, end in terms:
                score = round(max(8.0, min(100.0, base + rng.gauss(0, 7))))
                scores.append(
                    TestScore(
                        pupil_id=p.id,
                        curriculum_id=c.id,
                        academic_year=academic_year,
                        term=term,
                        score=float(score),
                        by=teacher,
                        at=_moment(rng, end - timedelta(days=12), end - timedelta(days=3)),
                    )
                )
    store.add_test_scores(scores)
    comment_day = max(this_window.start, today - timedelta(days=4))
    yesterday = today - timedelta(days=1)

    def on(d: date) -> datetime:  # a day of this term, never after yesterday
        return datetime.combine(max(this_window.start, min(d, yesterday)), time(9, 0), UTC)

    for p in pupils:
        assert p.id is not None and p.upn
        teacher = teacher_of[p.class_name or ""]
        pronouns = PRONOUNS["F" if p.gender == "F" else "M"]  # every demo pupil is one or the other
        band = "ahead" if pace[p.upn] > 1.2 else "support" if pace[p.upn] < 0.8 else "on track"
        when = _moment(rng, comment_day, yesterday)
        for c in core:
            achieved = engine.fold(as_event(j) for j in by_pupil.get((p.id, c.id), [])).achieved()
            yg = p.year_group_in(year)
            current = engine.points(c, achieved)
            # a personal target for about one pupil in five: a stretch, or a realistic step
            if c.id == "key-maths" and rng.random() < 0.2 and current is not None:
                default = engine.default_target(c, yg, current)
                stretch = band == "ahead"
                store.set_target(
                    Target(
                        pupil_id=p.id,
                        curriculum_id=c.id,
                        academic_year=year,
                        points=default + 1 if stretch else max(current + 1, default - 1),
                        reason="stretch: greater depth in number"
                        if stretch
                        else "realistic step, agreed with parents",
                        by=teacher,
                        at=on(this_window.start + timedelta(days=14)),
                    )
                )
            # the first next step on the plan of a pupil who needs support
            steps = engine.next_steps(c, achieved, yg)
            if band == "support" and steps:
                store.pin_focus(
                    p.id,
                    c.id,
                    steps[0],
                    by=teacher,
                    at=on(this_window.start + timedelta(days=10)),
                    provision=rng.choice(PROVISIONS),
                )
            store.add_note(
                Note(
                    pupil_id=p.id,
                    curriculum_id=c.id,
                    kind=NoteKind.TEACHER_COMMENT,
                    text=SUBJECT_COMMENTS[c.id][band],
                    by=teacher,
                    at=when,
                )
            )
        store.add_note(
            Note(
                pupil_id=p.id,
                kind=NoteKind.TEACHER_COMMENT,
                text=rng.choice(COMMENTS[band]).format(first=p.first_name, **pronouns),
                by=teacher,
                at=when + timedelta(minutes=5),
            )
        )
        if rng.random() < 0.15:
            store.add_note(
                Note(
                    pupil_id=p.id,
                    text=rng.choice(NOTES),
                    by=teacher,
                    at=_moment(rng, this_window.start, yesterday),
                )
            )


def _year_size(c: Curriculum, year: int) -> float:
    """Milestones a year's teaching covers: the year's stage (half of a two-year stage)."""
    for s in c.stages:
        if year in s.year_list:
            return len(c.milestones_by_stage.get(s.id, [])) / len(s.year_list)
    return len(c.milestones) / max(1, len(c.stages))


# The sample curricula the demo school follows: named, so that a new file in sample_curricula/
# changes the demo only when it is added here.
DEMO_CURRICULA = (
    "key-maths.toml",
    "key-english.toml",
    "engagement-model.toml",
    "psped.toml",
    "small-steps.toml",
)


def fresh_demo_file(path: Path | None = None) -> Path:
    """The demo's own file (``demo.db`` in the user's data folder), emptied for a new build;
    refused while another program (the app, most likely) has it open, so nothing is deleted
    under a running app."""
    from ..store.claim import FileInUse, remove_unused_database

    path = path or default_db_path().with_name("demo.db")
    try:
        remove_unused_database(path)
    except FileInUse:
        raise PassportError(
            f"The demo database {path} is open in another program (passport, probably): "
            "close it there, then run passport demo again."
        ) from None
    return path


def build_demo(service: Session, seed: int = 2026, progress: Progress | None = None) -> DemoSummary:
    """Fill an empty database with the demo school (admins only; never a database with pupils);
    ``progress`` is told of each pupil whose year is made up."""
    if isinstance(service, Access):
        service.require_admin("build the demo school")
    if service.store.pupils():
        raise PassportError(f"{service.database_path} already has pupils; the demo needs an empty database.")
    today = service.today()
    rng = random.Random(f"{seed}-{today.isoformat()}")
    curricula = [load_curriculum(sample_curricula_dir() / name) for name in DEMO_CURRICULA]
    year = service.academic_year(today)
    pupils, pace = make_pupils(rng, year)
    store = service.store
    with store.transaction():
        for c in curricula:
            store.put_curriculum(c)
        store.upsert_pupils(pupils)
    stored = {p.upn: p for p in store.pupils()}
    teacher_of = {cls.name: cls.teacher for cls in CLASSES}
    by_id = {c.id: c for c in curricula}
    core = [c.id for c in curricula if c.year_linked_stages]  # the school's default pathway
    pathway = {p.upn: list(core) for p in pupils}
    # a pupil with profound and multiple learning difficulties in 4O: the engagement model and
    # small steps only, at their own pace
    in_4o = [p for p in pupils if p.class_name == "4O"]
    pmld = next((p for p in in_4o if p.sen is Sen.EHCP), in_4o[0])
    pmld.sen = Sen.EHCP
    store.upsert_pupils([pmld])
    pathway[pmld.upn] = ["engagement-model", "small-steps"]
    pace[pmld.upn] = 0.6
    # pupils with special educational needs: PSP as well, tracked as steps secured
    for p in pupils:
        if p is not pmld and p.sen is not Sen.NONE:
            pathway[p.upn] = [*core, "psped"]
    for p in pupils:
        if pathway[p.upn] != core:
            store.set_pathway(stored[p.upn].id or 0, pathway[p.upn])
    # a new arrival in 2H joined this September: a baseline on entry instead of a history here,
    # recorded as of the day before the school year began (what they had secured before joining),
    # so that this year's progress is only what they secure here
    arrival = [p for p in pupils if p.class_name == "2H" and p.sen is Sen.NONE][-1]
    entry = datetime(year, 8, 31, 12, tzinfo=UTC)
    events: list[Judgement] = []
    for n, p in enumerate(pupils, start=1):
        if progress is not None:
            progress("Building the demo school", n, len(pupils))
        sp = stored[p.upn]
        for cid in pathway[p.upn]:
            c = by_id[cid]
            # each subject has its own random stream, so adding a subject leaves the others as they were
            stream = random.Random(f"{seed}-{today.isoformat()}-{c.id}-{p.upn}")
            yg_last = sp.year_group_in(year - 1)
            events.extend(
                simulate(
                    c,
                    sp,
                    pace[p.upn],
                    teacher_of[p.class_name or ""],
                    today,
                    stream,
                    early_stages=(1 if cid == "small-steps" else 0) if p is pmld else max(0, yg_last - 2),
                    arrival=entry if p is arrival else None,
                )
            )
    events += pmld_outcomes(service, stored[pmld.upn], teacher_of["4O"], today)
    events.sort(key=lambda j: j.at)
    if progress is not None:  # the saving is a stage of its own: the bar above is full by now
        progress("Saving the demo school", 0, None)
    with store.transaction():
        store.append_judgements(events)
        _milestone_targets(
            service, stored[pmld.upn], events, [by_id["engagement-model"], by_id["small-steps"]], year
        )
    with store.transaction():
        _staff(service)
        _school_records(
            service,
            [stored[p.upn] for p in pupils if p is not pmld],
            pace,
            events,
            [by_id[cid] for cid in core],
            teacher_of,
            today,
            random.Random(
                f"{seed}-{today.isoformat()}-records"
            ),  # its own stream: the judgements stay as they were
        )
    if progress is not None:
        progress("Saving the demo school", len(events), None)
    return DemoSummary(
        curricula=[c.id for c in curricula],
        classes=[(cls.name, cls.year_group, cls.size) for cls in CLASSES],
        pupils=len(pupils),
        judgements=len(events),
        first_day=min(j.at for j in events).date() if events else today,
        last_day=max(j.at for j in events).date() if events else today,
    )
