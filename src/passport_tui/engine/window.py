"""Academic years and assessment windows (DESIGN §2.6).

An academic year starts on 1 September and is named by the calendar year it starts in (2026 is
2026/27). It has three windows: by default autumn 1 Sep–31 Dec, spring 1 Jan–31 Mar and summer
1 Apr–31 Aug; a school may move the spring and summer start dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

TERM_NAMES = {1: "Autumn", 2: "Spring", 3: "Summer"}


@dataclass(frozen=True, slots=True)
class TermDates:
    """Where the spring and summer windows start, as (month, day); autumn starts on 1 September."""

    spring: tuple[int, int] = (1, 1)
    summer: tuple[int, int] = (4, 1)

    def __post_init__(self) -> None:
        for name, (month, day) in (("spring", self.spring), ("summer", self.summer)):
            date(2001, month, day)  # raises ValueError for an impossible date
            if month >= 9:
                raise ValueError(f"the {name} window must start between January and August")
        if self.spring >= self.summer:
            raise ValueError("the spring window must start before the summer window")


DEFAULT_TERMS = TermDates()


def academic_year_of(d: date) -> int:
    return d.year if d.month >= 9 else d.year - 1


@dataclass(frozen=True, slots=True, order=True)
class Window:
    academic_year: int
    term: int  # 1 autumn, 2 spring, 3 summer
    start: date
    end: date  # inclusive

    @property
    def name(self) -> str:
        return f"{TERM_NAMES[self.term]} {self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    @property
    def key(self) -> str:
        """A short stable name, e.g. ``2026-autumn``."""
        return f"{self.academic_year}-{TERM_NAMES[self.term].lower()}"

    @property
    def end_moment(self) -> datetime:
        """The first moment after the window (UTC): events strictly before it count."""
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)

    @property
    def start_moment(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time(), tzinfo=UTC)

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


def window(academic_year: int, term: int, terms: TermDates = DEFAULT_TERMS) -> Window:
    if term not in TERM_NAMES:
        raise ValueError("term must be 1 (autumn), 2 (spring) or 3 (summer)")
    spring = date(academic_year + 1, *terms.spring)
    summer = date(academic_year + 1, *terms.summer)
    day = timedelta(days=1)
    if term == 1:
        return Window(academic_year, 1, date(academic_year, 9, 1), spring - day)
    if term == 2:
        return Window(academic_year, 2, spring, summer - day)
    return Window(academic_year, 3, summer, date(academic_year + 1, 8, 31))


def window_of(d: date, terms: TermDates = DEFAULT_TERMS) -> Window:
    """The window a date falls in."""
    year = academic_year_of(d)
    for term in (3, 2, 1):
        w = window(year, term, terms)
        if d >= w.start:
            return w
    raise AssertionError("unreachable: every date after 1 September falls in a window")


def previous_window(w: Window, terms: TermDates = DEFAULT_TERMS) -> Window:
    if w.term == 1:
        return window(w.academic_year - 1, 3, terms)
    return window(w.academic_year, w.term - 1, terms)


def windows_of_year(academic_year: int, terms: TermDates = DEFAULT_TERMS) -> list[Window]:
    return [window(academic_year, t, terms) for t in (1, 2, 3)]


def parse_window(text: str, terms: TermDates = DEFAULT_TERMS) -> Window:
    """Read ``2026-autumn`` (or ``2026-1``, ``autumn-2026``)."""
    parts = text.strip().lower().replace("/", "-").split("-")
    names = {v.lower(): k for k, v in TERM_NAMES.items()}
    year = term = None
    for p in parts:
        if p.isdigit() and len(p) == 4:
            year = int(p)
        elif p.isdigit() and int(p) in TERM_NAMES:
            term = int(p)
        elif p in names:
            term = names[p]
    if year is None or term is None:
        raise ValueError(f"{text!r} is not a window: write it like 2026-autumn, 2026-spring or 2026-summer")
    return window(year, term, terms)


def year_group_by_birth(dob: date, academic_year: int) -> int:
    """The year group a child born on ``dob`` is in during ``academic_year`` in England: the
    school year runs 1 September to 31 August, and a child starts Reception (year 0) in the
    September after their fourth birthday."""
    return academic_year - academic_year_of(dob) - 5


def year_label(year_group: int) -> str:
    """A year group in words: "Reception" for year 0 (never "Year 0"), "Nursery" below it,
    else "Year N"."""
    if year_group == 0:
        return "Reception"
    if year_group < 0:
        return "Nursery"
    return f"Year {year_group}"


def year_short(year_group: int, prefix: str = "") -> str:
    """A year group in a narrow column: "R" for Reception (never "0"), "N" for Nursery, else the
    number after ``prefix`` ("2", or "Y2" with ``prefix="Y"``)."""
    if year_group == 0:
        return "R"
    if year_group < 0:
        return "N"
    return f"{prefix}{year_group}"


def birth_mismatch(dob: date | None, year_group: int, academic_year: int) -> str | None:
    """A sentence when a date of birth does not fit the year group (None when it fits or is unknown)."""
    if dob is None:
        return None
    by_birth = year_group_by_birth(dob, academic_year)
    if by_birth == year_group:
        return None
    label = year_label(by_birth)
    given = year_label(year_group)
    return (
        f"born {dob.isoformat()}, a child of {label} in {academic_year}/{(academic_year + 1) % 100:02d} "
        f"by age, not {given}"
    )
