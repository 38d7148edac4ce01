"""Build a school-scale passport database for the benchmark (DESIGN §7).

    uv run python bench/generate.py --out bench/out/school.db [--pupils 2000 --events 1000000 --seed 1]

The school: four curricula with 1,500 milestones in all (maths from Reception to Year 6, English
with two-year key stage 2 stages like the National Curriculum, science and computing from Year 1
to Year 6), each split into strands and sub-strands with prerequisite chains inside a sub-strand
(milestone k needs milestone k-1 of the same sub-strand, or the matching milestone of the year
before) and a few links across sub-strands; 2,000 pupils from Reception to Year 6 in about 70
classes, with the usual groups (gender, pupil premium, FSM, EAL, SEN support and EHCP) and a
matching spread of attainment; and 1,000,000 judgement events over the last academic year and this
one up to yesterday: a baseline at the start of last year, then each pupil's milestones achieved in
curriculum order (the order of their class's teaching) at their own pace, some "not yet" before a
milestone is secured and on the next steps, a few pupils with a gap bridged by an override, a few
revisits (half of them re-confirmed) and a handful of retractions of a wrong click.

Everything is derived from the seed and the day (``--today``, by default today in UTC), so the
same arguments give the same database. The file is written from scratch: curricula with
``Store.put_curriculum``, pupils with ``Store.upsert_pupils`` and the events with
``Store.append_judgements`` in one transaction.

Importable: ``build_school(path, pupils, events, seed)`` builds the file and returns counts;
``plan_school(pupils, events, seed)`` returns the curricula, pupils and event rows without writing,
for the import benchmark.
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from passport_tui.models import Curriculum, CurriculumHeader, Milestone, Pupil, Sen, Stage, Strand
from passport_tui.store import Store

DEFAULT_PUPILS = 2000
DEFAULT_EVENTS = 1_000_000
DEFAULT_SEED = 1
YEAR_GROUPS = range(0, 7)  # Reception (0) to Year 6
CLASS_SIZE = 28.5

# --- curricula -----------------------------------------------------------------------------

VERBS = (
    "Recognise",
    "Use",
    "Explain",
    "Compare",
    "Solve problems involving",
    "Describe",
    "Apply",
    "Represent",
    "Reason about",
    "Record",
    "Choose methods for",
    "Check and correct",
)


@dataclass(frozen=True)
class SubStrand:
    id: str
    code: str  # used in milestone ids: 3NPV-4
    title: str
    parent: str
    first_year: int
    weight: float
    last_year: int = 99


@dataclass(frozen=True)
class CurriculumSpec:
    id: str
    title: str
    stages: tuple[tuple[str, str, tuple[int, ...]], ...]  # (id, title, years)
    strands: tuple[tuple[str, str], ...]  # top-level strands (id, title)
    sub_strands: tuple[SubStrand, ...]
    milestones: int


def _years_stages(first: int) -> tuple[tuple[str, str, tuple[int, ...]], ...]:
    return tuple(
        ("R" if y == 0 else f"Y{y}", "Reception" if y == 0 else f"Year {y}", (y,)) for y in range(first, 7)
    )


SPECS: tuple[CurriculumSpec, ...] = (
    CurriculumSpec(
        id="school-maths",
        title="Mathematics — key milestones, Reception to Year 6",
        stages=_years_stages(0),
        strands=(
            ("number", "Number"),
            ("measurement", "Measurement"),
            ("geometry", "Geometry"),
            ("statistics", "Statistics"),
            ("ratio", "Ratio and proportion"),
            ("algebra", "Algebra"),
        ),
        sub_strands=(
            SubStrand("number-npv", "NPV", "Number and place value", "number", 0, 3.0),
            SubStrand("number-as", "AS", "Addition and subtraction", "number", 0, 3.0),
            SubStrand("number-md", "MD", "Multiplication and division", "number", 1, 2.5),
            SubStrand("number-f", "F", "Fractions, decimals and percentages", "number", 1, 2.5),
            SubStrand("measurement-m", "M", "Measures, money and time", "measurement", 0, 2.5),
            SubStrand("geometry-ps", "PS", "Properties of shapes", "geometry", 0, 1.5),
            SubStrand("geometry-pd", "PD", "Position and direction", "geometry", 0, 1.0),
            SubStrand("statistics-s", "S", "Statistics", "statistics", 2, 1.0),
            SubStrand("ratio-r", "RP", "Ratio and proportion", "ratio", 6, 1.0),
            SubStrand("algebra-a", "ALG", "Algebra", "algebra", 6, 1.0),
        ),
        milestones=480,
    ),
    CurriculumSpec(
        id="school-english",
        title="English — key milestones, Years 1 to 6",
        stages=(
            ("Y1", "Year 1", (1,)),
            ("Y2", "Year 2", (2,)),
            ("Y3-4", "Years 3 and 4", (3, 4)),
            ("Y5-6", "Years 5 and 6", (5, 6)),
        ),
        strands=(("reading", "Reading"), ("writing", "Writing"), ("spoken", "Spoken language")),
        sub_strands=(
            SubStrand("reading-wr", "WR", "Word reading", "reading", 1, 2.0),
            SubStrand("reading-comp", "RC", "Reading comprehension", "reading", 1, 3.0),
            SubStrand("writing-tr", "WT", "Spelling", "writing", 1, 2.0),
            SubStrand("writing-hw", "HW", "Handwriting", "writing", 1, 1.0),
            SubStrand("writing-comp", "WC", "Composition", "writing", 1, 3.0),
            SubStrand("writing-vgp", "VGP", "Vocabulary, grammar and punctuation", "writing", 1, 2.0),
            SubStrand("spoken-sl", "SL", "Spoken language", "spoken", 1, 1.0),
        ),
        milestones=420,
    ),
    CurriculumSpec(
        id="school-science",
        title="Science — key milestones, Years 1 to 6",
        stages=_years_stages(1),
        strands=(
            ("working", "Working scientifically"),
            ("biology", "Biology"),
            ("chemistry", "Chemistry"),
            ("physics", "Physics"),
        ),
        sub_strands=(
            SubStrand("working-ws", "WS", "Working scientifically", "working", 1, 3.0),
            SubStrand("biology-pl", "PL", "Plants", "biology", 1, 1.0, 3),
            SubStrand("biology-an", "AN", "Animals, including humans", "biology", 1, 1.5),
            SubStrand("biology-lh", "LH", "Living things and their habitats", "biology", 2, 1.0),
            SubStrand("biology-ei", "EI", "Evolution and inheritance", "biology", 6, 1.0),
            SubStrand("chemistry-ma", "MA", "Materials and their properties", "chemistry", 1, 1.5),
            SubStrand("chemistry-rk", "RK", "Rocks and soils", "chemistry", 3, 0.8, 3),
            SubStrand("physics-se", "SE", "Seasonal changes", "physics", 1, 0.5, 1),
            SubStrand("physics-li", "LI", "Light", "physics", 3, 0.8),
            SubStrand("physics-fo", "FO", "Forces and magnets", "physics", 3, 0.8),
            SubStrand("physics-so", "SO", "Sound", "physics", 4, 0.6, 4),
            SubStrand("physics-el", "EL", "Electricity", "physics", 4, 0.8),
            SubStrand("physics-es", "ES", "Earth and space", "physics", 5, 0.6, 5),
        ),
        milestones=330,
    ),
    CurriculumSpec(
        id="school-computing",
        title="Computing — key milestones, Years 1 to 6",
        stages=_years_stages(1),
        strands=(("cs", "Computer science"), ("it", "Information technology"), ("dl", "Digital literacy")),
        sub_strands=(
            SubStrand("cs-prog", "CP", "Algorithms and programming", "cs", 1, 3.0),
            SubStrand("cs-net", "CN", "Networks and the internet", "cs", 3, 1.0),
            SubStrand("it-create", "IT", "Creating digital content", "it", 1, 2.0),
            SubStrand("dl-safe", "DS", "Online safety and digital literacy", "dl", 1, 2.0),
        ),
        milestones=270,
    ),
)


def _year_weight(year: int) -> float:
    """Later years hold more content than earlier ones (Reception least)."""
    return 0.6 if year == 0 else 1.0 + 0.6 * (year - 1)


def _share(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), at least 1 each when possible."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    out = [max(1, int(r)) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(out) < total:
        out[order[i % len(order)]] += 1
        i += 1
    while sum(out) > total:
        j = max(range(len(out)), key=lambda k: out[k])
        out[j] -= 1
    return out


def build_curriculum(spec: CurriculumSpec, rng: random.Random) -> Curriculum:
    """One curriculum of ``spec.milestones`` milestones with prerequisite chains inside sub-strands."""
    stages = [
        Stage(id=sid, title=title, **({"year": ys[0]} if len(ys) == 1 else {"years": list(ys)}))
        for sid, title, ys in spec.stages
    ]
    strands = [Strand(id=sid, title=title) for sid, title in spec.strands]
    strands += [Strand(id=s.id, title=s.title, parent=s.parent) for s in spec.sub_strands]
    sizes = _share(spec.milestones, [sum(_year_weight(y) for y in ys) for _, _, ys in spec.stages])
    milestones: list[Milestone] = []
    previous: dict[str, list[str]] = {}  # sub-strand -> its milestones in the nearest earlier stage
    earlier: list[str] = []  # every milestone of the earlier stages
    for (sid, title, ys), size in zip(spec.stages, sizes, strict=True):
        active = [s for s in spec.sub_strands if s.first_year <= max(ys) and s.last_year >= min(ys)]
        counts = _share(size, [s.weight for s in active])
        code = "".join(str(y) for y in ys)
        this_stage: list[str] = []
        for sub, n in zip(active, counts, strict=True):
            ids = [f"{code}{sub.code}-{k}" for k in range(1, n + 1)]
            before = previous.get(sub.id, [])
            for k, mid in enumerate(ids):
                requires: list[str] = []
                if before and (k == 0 or rng.random() < 0.5):
                    requires.append(before[min(len(before) - 1, k * len(before) // n)])
                if k > 0 and rng.random() < 0.6:
                    requires.append(ids[k - 1])
                if earlier and rng.random() < 0.08:
                    link = earlier[rng.randrange(len(earlier))]
                    if link not in requires:
                        requires.append(link)
                verb = VERBS[rng.randrange(len(VERBS))]
                milestones.append(
                    Milestone(
                        id=mid,
                        strand=sub.id,
                        stage=sid,
                        title=f"{verb} {sub.title.lower()}: {title}, step {k + 1}.",
                        requires=requires,
                    )
                )
            previous[sub.id] = ids
            this_stage.extend(ids)
        earlier.extend(this_stage)
    return Curriculum(
        curriculum=CurriculumHeader(
            id=spec.id,
            title=spec.title,
            version="bench.1",
            source="Synthetic, generated by bench/generate.py for the school-scale benchmark",
        ),
        stages=stages,
        strands=strands,
        milestones=milestones,
    )


@dataclass
class CurriculumPlan:
    """What the event simulation needs to know about one curriculum."""

    curriculum: Curriculum
    index: int
    # the stages' intervals on the "curriculum year" axis: Year y content spans [y - 1, y)
    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)
    cum: list[int] = field(default_factory=list)  # milestones before each stage
    sizes: list[int] = field(default_factory=list)
    teaching_orders: list[list[str]] = field(default_factory=list)  # one per class

    @property
    def total(self) -> int:
        return len(self.curriculum.milestones)

    def count_at(self, position: float) -> int:
        """Milestones secured by a pupil at ``position`` on the curriculum-year axis."""
        j = bisect.bisect_right(self.starts, position) - 1
        if j < 0:
            return 0
        if position >= self.ends[j]:
            return self.cum[j] + self.sizes[j]
        frac = (position - self.starts[j]) / (self.ends[j] - self.starts[j])
        return self.cum[j] + int(frac * self.sizes[j])

    def position_of(self, i: int) -> float:
        """The position at which the ``i``-th milestone (0-based) of a teaching order is secured:
        the first at which ``count_at`` reaches ``i + 1``."""
        j = bisect.bisect_right(self.cum, i) - 1
        return self.starts[j] + (i + 1 - self.cum[j]) / self.sizes[j] * (self.ends[j] - self.starts[j])


def plan_curriculum(c: Curriculum, index: int, classes: int, rng: random.Random) -> CurriculumPlan:
    plan = CurriculumPlan(c, index)
    stage_rank = {s.id: i for i, s in enumerate(c.stages)}
    total = 0
    for s in c.stages:
        ys = s.year_list
        plan.starts.append(float(min(ys) - 1))
        plan.ends.append(float(max(ys)))
        plan.cum.append(total)
        n = len(c.milestones_by_stage.get(s.id, []))
        plan.sizes.append(n)
        total += n
    # depth of each milestone among the prerequisites inside its own stage
    depth: dict[str, int] = {}
    for m in c.milestones:
        same = [depth[r] for r in m.requires if c.milestone_by_id[r].stage == m.stage]
        depth[m.id] = 1 + max(same) if same else 0
    for _ in range(classes):
        keys = {m.id: (stage_rank[m.stage], depth[m.id], rng.random()) for m in c.milestones}
        plan.teaching_orders.append(sorted(keys, key=keys.__getitem__))
    return plan


# --- pupils --------------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


GIRLS = _names(
    "Amelia, Olivia, Isla, Ava, Mia, Ivy, Lily, Freya, Grace, Sophia, Aisha, Zara, Maryam, Hannah, Ella, "
    "Chloe, Ruby, Evie, Poppy, Layla, Florence, Willow, Sienna, Ada, Maya, Aria, Nur, Fatima, Amira, "
    "Zofia, Wiktoria, Priya, Anaya, Chiamaka, Ama, Siobhan, Niamh, Erin, Elsie, Harper"
)
BOYS = _names(
    "Noah, Oliver, George, Arthur, Leo, Muhammad, Harry, Oscar, Jack, Charlie, Theo, Freddie, Alfie, "
    "Jacob, Ethan, Samuel, Kai, Yusuf, Ibrahim, Tomasz, Oluwaseun, Chidi, Arjun, Mateusz, Callum, Rhys, "
    "Finley, Archie, Reuben, Omar, Hamza, Ayaan, Kacper, Jakub, Kwame, Tobi, Dylan, Logan, Elijah, Ronan"
)
SURNAMES = _names(
    "Smith, Jones, Williams, Taylor, Brown, Davies, Evans, Wilson, Thomas, Johnson, Roberts, Robinson, "
    "Thompson, Wright, Walker, White, Edwards, Hughes, Green, Hall, Khan, Ali, Hussain, Begum, Patel, "
    "Shah, Ahmed, Kowalski, Nowak, Wiśniewska, Okafor, Adeyemi, Mensah, Owusu, O'Brien, Murphy, Kelly, "
    "Campbell, Stewart, Chen, Wong, Nguyen, Silva, Costa, Popescu, Ionescu, Kaur, Singh, Rahman, Mahmood, "
    "Clarke, Cooper, Ward, Turner, Harris, Lewis, Jackson, Wood, Martin, Moore, Allen, Young, King, "
    "Scott, Baker, Price, Bennett, Morris, Reid, Fraser, Lloyd-Jones, Ó Súilleabháin"
)
FORMS = ("Ash", "Beech", "Cedar", "Elm", "Hazel", "Larch", "Maple", "Oak", "Rowan", "Willow", "Yew", "Holly")
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(la: int, school: int, year: int, serial: int) -> str:
    """A UPN with a valid check letter: check letter, LA (3), school (4), year (2), serial (3)."""
    body = f"{la:03d}{school:04d}{year % 100:02d}{serial % 1000:03d}"
    total = sum(int(ch) * weight for ch, weight in zip(body, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23] + body


@dataclass
class PupilPlan:
    pupil: Pupil
    year_group: int
    form: int
    ability: float  # attainment relative to age, in standard deviations
    pace: float  # curriculum years per school year


def class_name(year_group: int, form: int) -> str:
    label = "R" if year_group == 0 else str(year_group)
    name = FORMS[form % len(FORMS)] + ("" if form < len(FORMS) else str(form // len(FORMS) + 1))
    return f"{label} {name}"


def make_pupils(n: int, academic_year: int, rng: random.Random) -> tuple[list[PupilPlan], int]:
    """``n`` pupils spread evenly over Reception to Year 6, in forms of about 28."""
    years = list(YEAR_GROUPS)
    per_year = _share(n, [1.0] * len(years))
    forms = max(1, round(n / len(years) / CLASS_SIZE))
    out: list[PupilPlan] = []
    serial = 0
    for y, count in zip(years, per_year, strict=True):
        entry = academic_year - y  # the year the cohort started Reception
        for k in range(count):
            serial += 1
            girl = rng.random() < 0.49
            pp = rng.random() < 0.24
            fsm = (pp and rng.random() < 0.8) or (not pp and rng.random() < 0.03)
            eal = rng.random() < 0.21
            r = rng.random()
            sen = Sen.EHCP if r < 0.025 else Sen.SUPPORT if r < 0.155 else Sen.NONE
            born = date(entry - 5, 9, 1) + timedelta(days=rng.randrange(365))
            summer_born = born.month in (6, 7, 8)
            tags = []
            if rng.random() < 0.03:
                tags.append("young carer")
            if rng.random() < 0.02:
                tags.append("service child")
            if rng.random() < 0.05:
                tags.append("reading recovery")
            ability = rng.gauss(0.15, 0.85) - 0.35 * pp - (0.7 if sen is Sen.SUPPORT else 0.0)
            ability -= 1.6 if sen is Sen.EHCP else 0.0
            ability -= (0.25 if summer_born else 0.0) + (0.25 * eal if y <= 2 else 0.0)
            pace = min(1.5, max(0.3, rng.gauss(1.0, 0.18) + 0.08 * ability))
            pupil = Pupil(
                upn=upn(372 + serial // 1000, 2046, entry, serial),
                first_name=rng.choice(GIRLS if girl else BOYS),
                last_name=rng.choice(SURNAMES),
                year_group=y,
                academic_year=academic_year,
                class_name=class_name(y, k % forms),
                gender="F" if girl else "M",
                pupil_premium=pp,
                eal=eal,
                sen=sen,
                fsm=fsm,
                dob=born,
                tags=tags,
            )
            out.append(PupilPlan(pupil, y, k % forms, max(-3.0, min(2.5, ability)), pace))
    return out, forms


def teacher_logins(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        login = f"{rng.choice(GIRLS + BOYS)[0].lower()}.{rng.choice(SURNAMES).lower()}"
        login = "".join(ch for ch in login if ch.isascii() and (ch.isalnum() or ch == "."))
        if login not in names:
            names.append(login)
    return names


# --- events --------------------------------------------------------------------------------

DAY = 86_400
EPOCH = date(1970, 1, 1)
ACHIEVED_SHARE = 0.92  # of the events, at most; revisits and "not yet" make up the rest
REVISIT_SHARE = 0.008  # of the achieved milestones older than a month
OVERRIDE_REASON = "Secure in independent work although the prerequisite is not yet secured"
RETRACT_REASON = "Marked the wrong pupil"
NOTES = (
    None,
    "Seen in independent work",
    "Confirmed in a low-stakes quiz",
    "Evidence in the book, p. 12",
    "Explained it to a partner",
)


def academic_year_of(d: date) -> int:
    return d.year if d.month >= 9 else d.year - 1


class Clock:
    """School time: each academic year runs from 1 September to 22 July; a ``position`` counts
    school years from the start of the current one (0 = this 1 September)."""

    def __init__(self, academic_year: int, today: date):
        self.academic_year = academic_year
        self.today = today
        self.now = _epoch(today)  # the first moment of today: every event is before it
        years = range(academic_year - 10, academic_year + 2)
        self._start = {y: _epoch(date(y, 9, 1)) for y in years}
        self._length = {y: _epoch(date(y + 1, 7, 22)) - self._start[y] for y in years}

    def start(self, year: int) -> int:
        return self._start[year]

    def position(self, moment: int) -> float:
        year = self.academic_year if moment >= self._start[self.academic_year] else self.academic_year - 1
        while moment < self._start[year]:
            year -= 1
        frac = (moment - self._start[year]) / self._length[year]
        return (year - self.academic_year) + min(1.0, max(0.0, frac))

    def moment(self, position: float) -> int:
        whole = math.floor(position)
        year = self.academic_year + whole
        return self._start[year] + int((position - whole) * self._length[year])

    def during_school(self, rng: random.Random, low: int, high: int) -> int:
        """A moment in school hours in term time between ``low`` and ``high`` (before ``high``'s day)."""
        a, b = self.position(low), self.position(high)
        moment = self.moment(a + rng.random() * (b - a))
        return min(max(_in_school_hours(rng, moment), low), high - 1)


def _epoch(d: date) -> int:
    """Seconds since the epoch at the start of day ``d`` (UTC)."""
    return (d - EPOCH).days * DAY


def _in_school_hours(rng: random.Random, moment: int) -> int:
    """The same day (the Friday before, for a weekend) at a time between 08:00 and 16:59."""
    day = moment - moment % DAY
    weekday = (day // DAY + 3) % 7  # 1 January 1970 was a Thursday
    if weekday >= 5:
        day -= (weekday - 4) * DAY
    return day + 8 * 3600 + rng.randrange(9 * 3600)


@dataclass
class SchoolPlan:
    curricula: list[Curriculum]
    pupils: list[Pupil]
    events: list[tuple[Any, ...]]  # rows for Store.append_judgements, pupil_id by position (1-based)
    counts: dict[str, int]


def plan_school(
    pupils: int = DEFAULT_PUPILS,
    events: int = DEFAULT_EVENTS,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
) -> SchoolPlan:
    """Curricula, pupils and exactly ``events`` event rows, all from ``seed`` and ``today``.

    The rows are 10-tuples in ``store.JUDGEMENT_TUPLE`` order, sorted by time; ``pupil_id`` is the
    pupil's 1-based position in ``pupils`` (the id a fresh database gives it) and ``corrects``
    names the row number (1-based) of the achieved event a retraction corrects, which is its id in
    a fresh database."""
    today = today or datetime.now(UTC).date()
    rng = random.Random(seed)
    clock = Clock(academic_year_of(today), today)
    now = clock.now
    now_pos = clock.position(now - 1)
    last_start = clock.start(clock.academic_year - 1)
    curricula = [build_curriculum(spec, rng) for spec in SPECS]
    pupil_plans, forms = make_pupils(pupils, clock.academic_year, rng)
    classes = forms * len(YEAR_GROUPS)
    plans = [plan_curriculum(c, i, classes, rng) for i, c in enumerate(curricula)]
    teachers = teacher_logins(classes + 4, rng)

    def teacher(year_group: int, form: int) -> str:
        return teachers[(max(0, year_group) * forms + form) % classes]

    # where each pupil is in each curriculum now (curriculum years; Year y content is [y - 1, y)):
    # a typical pupil has secured a little over a third of their year's milestones by late November
    positions: list[list[float]] = []
    for pp in pupil_plans:
        base = (pp.year_group - 1) + now_pos + 0.1
        positions.append([base + 0.33 * (pp.ability + rng.gauss(0.0, 0.35)) for _ in plans])
    shift = _attainment_shift(plans, positions, ACHIEVED_SHARE * events)

    # raw events: (time, seq, pupil index, curriculum index, milestone, verdict, by, note, reason, corrects)
    raw: list[tuple[Any, ...]] = []
    seq = 0
    not_yet_slots: list[tuple[int, int, int, int, int]] = []  # pupil, curriculum, class, first, last index
    # pupil, curriculum, milestone, when secured, earliest "not yet", by
    before_slots: list[tuple[int, int, str, int, int, str]] = []
    gap_pupils = 0
    retractions = 0
    revisits = 0
    this_start = clock.start(clock.academic_year)
    for pi, pp in enumerate(pupil_plans):
        pid = pi + 1
        entry_start = clock.start(clock.academic_year - pp.year_group)
        first_day = max(last_start, entry_start)
        gap_curriculum = rng.randrange(len(plans)) if rng.random() < 0.15 else -1
        retract_curriculum = rng.randrange(len(plans)) if rng.random() < 0.03 else -1
        klass = pp.year_group * forms + pp.form
        for ci, plan in enumerate(plans):
            c = plan.curriculum
            order = plan.teaching_orders[klass % classes]
            p_now = positions[pi][ci] + shift
            n_now = plan.count_at(p_now)
            p_base = p_now - pp.pace * (now_pos + 1.0)
            n_base = min(n_now, plan.count_at(p_base))
            # when each milestone of the run was secured: the baseline in the first six weeks,
            # then at the pupil's pace through term time; sorted, so prerequisites come first
            moments: list[int] = []
            for i in range(n_now):
                if i < n_base:
                    moment = first_day + rng.randrange(6 * 7) * DAY + 9 * 3600 + rng.randrange(7 * 3600)
                else:
                    target = now_pos - (p_now - plan.position_of(i)) / pp.pace
                    moment = clock.moment(target) if target < now_pos else now - DAY
                    moment = min(_in_school_hours(rng, max(moment, first_day)), now - 3600)
                moments.append(moment)
            moments.sort()
            skipped: set[str] = set()
            if ci == gap_curriculum and n_now > 10:
                gap_pupils += 1
                for _ in range(1 + (rng.random() < 0.4)):
                    skipped.add(order[rng.randrange(n_now // 3, n_now - 1)])
            for i in range(n_now):
                mid = order[i]
                moment = moments[i]
                in_year = clock.academic_year if moment >= this_start else clock.academic_year - 1
                by = teacher(pp.year_group - (clock.academic_year - in_year), pp.form)
                if i < n_base:
                    note: str | None = "Baseline"
                else:
                    note = NOTES[rng.randrange(len(NOTES))] if rng.random() < 0.05 else None
                if mid in skipped:
                    raw.append(
                        (moment, seq, pid, ci, mid, "not_yet", by, "Further teaching needed", None, None)
                    )
                    seq += 1
                    continue
                reason = None
                if skipped and any(r in skipped for r in c.milestone_by_id[mid].requires):
                    reason = OVERRIDE_REASON
                raw.append((moment, seq, pid, ci, mid, "achieved", by, note, reason, None))
                seq += 1
                if i >= n_base:
                    before_slots.append((pid, ci, mid, moment, first_day, by))
                if moment < now - 30 * DAY and rng.random() < REVISIT_SHARE:
                    revisit = clock.during_school(rng, moment + 14 * DAY, now)
                    raw.append((revisit, seq, pid, ci, mid, "revisit", by, "Check retention", None, None))
                    seq += 1
                    revisits += 1
                    if rng.random() < 0.5 and revisit < now - 2 * DAY:
                        again = clock.during_school(rng, revisit + DAY, now)
                        raw.append((again, seq, pid, ci, mid, "achieved", by, "Re-confirmed", None, None))
                        seq += 1
            if ci == retract_curriculum and 0 < n_now < plan.total:
                # a wrong click on the next milestone, put right five minutes later
                latest = moments[-1] if moments else first_day
                moment = clock.during_school(rng, max(latest + 1, now - 60 * DAY), now - 3600)
                by = teacher(pp.year_group, pp.form)
                raw.append((moment, seq, pid, ci, order[n_now], "achieved", by, None, None, None))
                raw.append(
                    (moment + 300, seq + 1, pid, ci, order[n_now], "retracted", by, None, RETRACT_REASON, seq)
                )
                seq += 2
                retractions += 1
            if 0 < n_now < plan.total:
                not_yet_slots.append((pid, ci, klass, n_now, min(plan.total, n_now + 6)))

    # fill up to exactly ``events`` with "not yet": before a milestone was secured, or on next steps
    fill = events - len(raw)
    if fill < 0:
        raise ValueError(f"{events} events are too few for {pupils} pupils (need at least {len(raw)})")
    for _ in range(fill):
        if before_slots and (not not_yet_slots or rng.random() < 0.7):
            pid, ci, mid, moment, first_day, by = before_slots[rng.randrange(len(before_slots))]
            earliest = max(first_day, moment - 50 * DAY)
            if earliest < moment - DAY:  # on a school day before, else earlier the same day
                when = clock.during_school(rng, earliest, moment - DAY)
            else:
                when = moment - rng.randrange(60, 3600)
        else:
            pid, ci, klass, first, last = not_yet_slots[rng.randrange(len(not_yet_slots))]
            mid = plans[ci].teaching_orders[klass % classes][rng.randrange(first, last)]
            earliest = min(max(this_start, now - 90 * DAY), now - 2 * DAY)
            when = clock.during_school(rng, earliest, now)
            pp = pupil_plans[pid - 1]
            by = teacher(pp.year_group, pp.form)
        raw.append((when, seq, pid, ci, mid, "not_yet", by, None, None, None))
        seq += 1

    raw.sort()
    corrected = {r[9] for r in raw if r[9] is not None}
    row_of_seq = {r[1]: n for n, r in enumerate(raw, start=1) if r[1] in corrected}
    to_iso = _iso_cache()
    c_ids = [c.id for c in curricula]
    rows: list[tuple[Any, ...]] = []
    for moment, _, pid, ci, mid, verdict, by, note, reason, corrects in raw:
        at = to_iso(moment)
        rows.append(
            (
                pid,
                c_ids[ci],
                mid,
                verdict,
                by,
                at,
                note,
                reason,
                row_of_seq[corrects] if corrects is not None else None,
                at,
            )
        )
    counts = {
        "curricula": len(curricula),
        "milestones": sum(len(c.milestones) for c in curricula),
        "pupils": len(pupil_plans),
        "classes": classes,
        "events": len(rows),
        "achieved": sum(1 for r in rows if r[3] == "achieved"),
        "not_yet": sum(1 for r in rows if r[3] == "not_yet"),
        "revisit": revisits,
        "retracted": retractions,
        "pupils_with_override": gap_pupils,
    }
    return SchoolPlan(curricula, [pp.pupil for pp in pupil_plans], rows, counts)


def _attainment_shift(plans: list[CurriculumPlan], positions: list[list[float]], achieved: float) -> float:
    """How far to move every pupil along the curriculum (never ahead by more than 0.1 of a year)
    so that about ``achieved`` milestones are secured in all: the rest of the events are "not yet"."""

    def total(shift: float) -> int:
        return sum(plan.count_at(p + shift) for row in positions for plan, p in zip(plans, row, strict=True))

    if total(0.1) <= achieved:
        return 0.1
    low, high = -7.0, 0.1
    for _ in range(40):
        mid = (low + high) / 2
        if total(mid) > achieved:
            high = mid
        else:
            low = mid
    return low


def _iso_cache() -> Callable[[int], str]:
    """Seconds since the epoch as the store's ISO text (``2026-11-23T09:15:00+00:00``), fast."""
    days: dict[int, str] = {}

    def to_iso(moment: int) -> str:
        day, rest = divmod(moment, DAY)
        prefix = days.get(day)
        if prefix is None:
            prefix = days[day] = datetime.fromtimestamp(day * DAY, UTC).date().isoformat()
        h, rest = divmod(rest, 3600)
        m, s = divmod(rest, 60)
        return f"{prefix}T{h:02d}:{m:02d}:{s:02d}+00:00"

    return to_iso


# --- writing -------------------------------------------------------------------------------


def write_school(store: Store, plan: SchoolPlan) -> None:
    """Curricula and pupils (not the events) into an empty store."""
    with store.transaction():
        for c in plan.curricula:
            store.put_curriculum(c)
        store.upsert_pupils(plan.pupils)
    ids = {p.upn: p.id for p in store.pupils()}
    for n, p in enumerate(plan.pupils, start=1):
        if ids[p.upn] != n:
            raise RuntimeError("the pupils did not get ids 1…n: is the database fresh?")


def read_only(path: str | Path) -> sqlite3.Connection:
    """A plain read-only SQLite connection to the database file (no store code involved)."""
    return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)


def count_events(path: str | Path) -> int:
    """The number of events in the judgement log, read with plain SQLite."""
    with closing(read_only(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM judgements").fetchone()[0])


def fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_school(
    path: str | Path,
    pupils: int = DEFAULT_PUPILS,
    events: int = DEFAULT_EVENTS,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
) -> dict[str, int]:
    """Write the school to ``path`` (replacing any file there); returns what it holds."""
    path = Path(path)
    plan = plan_school(pupils, events, seed, today)
    fresh(path)
    with Store.open(path) as store:
        write_school(store, plan)
        if count_events(path):
            raise RuntimeError("the judgement log is not empty")
        with store.transaction():
            appended = store.append_judgements(plan.events)
        if appended != len(plan.events):
            raise RuntimeError(f"appended {appended} of {len(plan.events)} events")
    return plan.counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "school.db")
    parser.add_argument("--pupils", type=int, default=DEFAULT_PUPILS)
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today, UTC)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = build_school(args.out, args.pupils, args.events, args.seed, args.today)
    elapsed = time.perf_counter() - started
    print(f"{args.out}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f" in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
