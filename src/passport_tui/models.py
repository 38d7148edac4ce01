"""The things a school talks about, as pydantic models.

Curriculum files (DESIGN §4) map onto ``Curriculum``; the store returns ``Pupil`` and
``Judgement``. Every model forbids unknown fields so a typo in a file is an error, not a
silent loss.
"""

from __future__ import annotations

import re
from collections.abc import Set
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # schemas built on first use, not at start-up


class Stage(Strict):
    """A stage of a curriculum: a year group (``year``), two (``years``), or none (small steps)."""

    id: str
    title: str
    year: int | None = None
    years: list[int] | None = None
    end_points: int | None = None

    @model_validator(mode="after")
    def _one_way_of_saying_years(self) -> Stage:
        if self.year is not None and self.years is not None:
            raise ValueError("give either 'year' or 'years', not both")
        if self.years is not None:
            if not self.years:
                raise ValueError("'years' must list at least one year")
            if self.years != list(range(self.years[0], self.years[0] + len(self.years))):
                raise ValueError("'years' must be consecutive years in order, e.g. [3, 4]")
        return self

    @property
    def year_list(self) -> list[int]:
        """The year groups this stage covers; empty for a stage with no year."""
        if self.year is not None:
            return [self.year]
        return list(self.years or [])


class Strand(Strict):
    """A strand (e.g. Number) or a sub-strand of one (``parent``)."""

    id: str
    title: str
    parent: str | None = None


class LinkProvenance(Strict):
    """Where one prerequisite link comes from (DESIGN §4). ``source`` cites published material (a
    document, a table row, a passage, an address); ``reason`` is the reading of whoever wrote the
    file ("our reading": why the link holds). A link may carry both: a reading that a source
    supports. At least one is given."""

    source: str | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _says_where_from(self) -> LinkProvenance:
        for name in ("source", "reason"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise ValueError(f"a link's '{name}' must not be blank")
        if self.source is None and self.reason is None:
            raise ValueError("a link's provenance needs a 'source' or a 'reason'")
        return self

    @property
    def text(self) -> str:
        """One line for people: 'Source: …', 'Our reading: …', or both joined by '; '."""
        parts = []
        if self.source:
            parts.append(f"Source: {self.source}")
        if self.reason:
            parts.append(f"Our reading: {self.reason}")
        return "; ".join(parts)


class Milestone(Strict):
    """A milestone. ``requires`` lists the ids of its prerequisites, in file order;
    ``provenance`` says, for any of them, where that link comes from (in a curriculum file it is
    written inside ``requires``: ``{ id = "2NPV-1", source = "…" }``). ``parent_text`` is the
    milestone in plain words for parents: one short sentence of what the child can do, without the
    statutory wording of ``title`` (reports for parents use it when present). A ``retired`` milestone is
    no longer taught: it stays, with its history, but is never judged again, never a next step
    nor a gap, and counts in points only for a pupil who achieved it."""

    id: str
    strand: str
    stage: str
    title: str
    requires: list[str] = Field(default_factory=list)
    guidance: str | None = None
    parent_text: str | None = None
    retired: bool = False
    provenance: dict[str, LinkProvenance] = Field(default_factory=dict)

    @field_validator("parent_text")
    @classmethod
    def _parent_text_is_not_blank(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("parent_text is blank (leave it out instead)")
        return v

    @model_validator(mode="after")
    def _provenance_is_for_a_prerequisite(self) -> Milestone:
        stray = [key for key in self.provenance if key not in self.requires]
        if stray:
            raise ValueError(f"provenance given for {', '.join(map(repr, stray))}, not a prerequisite")
        return self

    def link(self, prerequisite: str) -> LinkProvenance | None:
        """Where the link to ``prerequisite`` comes from, or None when the file does not say."""
        return self.provenance.get(prerequisite)

    @property
    def links(self) -> list[tuple[str, LinkProvenance | None]]:
        """Each prerequisite with its provenance (None when not given), in file order."""
        return [(r, self.provenance.get(r)) for r in self.requires]


class CurriculumHeader(Strict):
    """The ``[curriculum]`` table. ``moved`` maps the id of a milestone that is gone to the
    milestone its judgements count as from now on (``{ "OLD" = "NEW" }``); ``retired`` lists
    milestones kept but no longer taught (as ``retired = true`` on a milestone does)."""

    id: str
    title: str
    version: str = "1"
    source: str | None = None
    licence: str | None = None
    notes: str | None = None
    moved: dict[str, str] = Field(default_factory=dict)
    retired: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_is_plain(cls, v: str) -> str:
        if not v or any(c.isspace() for c in v):
            raise ValueError("curriculum id must be a non-empty word without spaces")
        return v


class Curriculum(Strict):
    """A whole curriculum file: header, stages, strands, milestones (in file order)."""

    model_config = ConfigDict(extra="forbid", ignored_types=(cached_property,), defer_build=True)

    curriculum: CurriculumHeader
    stages: list[Stage] = Field(default_factory=list)
    strands: list[Strand] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)

    @model_validator(mode="after")
    def _retired_by_the_header(self) -> Curriculum:
        """A milestone the header lists in ``retired`` is retired (as ``retired = true`` says)."""
        listed = set(self.curriculum.retired)
        for m in self.milestones:
            if m.id in listed:
                m.retired = True
        return self

    @property
    def id(self) -> str:
        return self.curriculum.id

    @cached_property
    def retired(self) -> frozenset[str]:
        """The ids of the retired milestones."""
        return frozenset(m.id for m in self.milestones if m.retired)

    @cached_property
    def retired_by_stage(self) -> dict[str, frozenset[str]]:
        """The ids of each stage's retired milestones (stages with none left out)."""
        out: dict[str, set[str]] = {}
        for m in self.milestones:
            if m.retired:
                out.setdefault(m.stage, set()).add(m.id)
        return {k: frozenset(v) for k, v in out.items()}

    def counted(self, stage_id: str, achieved: Set[str]) -> frozenset[str]:
        """The milestones of a stage that count for a pupil who has ``achieved`` these: those still
        taught, and the retired ones they achieved (a retired milestone is no longer required, and
        an achievement of it is never lost)."""
        active = self.stage_sets.get(stage_id, frozenset())
        retired = self.retired_by_stage.get(stage_id)
        return active | (retired & achieved) if retired else active

    @property
    def title(self) -> str:
        return self.curriculum.title

    @cached_property
    def milestone_by_id(self) -> dict[str, Milestone]:
        return {m.id: m for m in self.milestones}

    @cached_property
    def stage_by_id(self) -> dict[str, Stage]:
        return {s.id: s for s in self.stages}

    @cached_property
    def strand_by_id(self) -> dict[str, Strand]:
        return {s.id: s for s in self.strands}

    @cached_property
    def milestones_by_stage(self) -> dict[str, list[Milestone]]:
        out: dict[str, list[Milestone]] = {s.id: [] for s in self.stages}
        for m in self.milestones:
            out.setdefault(m.stage, []).append(m)
        return out

    @cached_property
    def year_linked_stages(self) -> list[Stage]:
        """Stages linked to a year group, in file order."""
        return [s for s in self.stages if s.year_list]

    @cached_property
    def first_year(self) -> int | None:
        """The lowest year group any stage is linked to."""
        years = [y for s in self.stages for y in s.year_list]
        return min(years) if years else None

    @cached_property
    def stage_sets(self) -> dict[str, frozenset[str]]:
        """The ids of each stage's milestones still taught (retired ones left out), for fast set
        arithmetic."""
        return {
            sid: frozenset(m.id for m in ms if not m.retired) for sid, ms in self.milestones_by_stage.items()
        }

    @cached_property
    def requires_of(self) -> dict[str, tuple[str, ...]]:
        return {m.id: tuple(m.requires) for m in self.milestones}

    @cached_property
    def order(self) -> dict[str, int]:
        """Curriculum order of each milestone: stage order first, then file order."""
        stage_rank = {s.id: i for i, s in enumerate(self.stages)}
        ranked = sorted(
            enumerate(self.milestones), key=lambda im: (stage_rank.get(im[1].stage, 1 << 30), im[0])
        )
        return {m.id: rank for rank, (_, m) in enumerate(ranked)}

    @cached_property
    def unlocks(self) -> dict[str, list[str]]:
        """For each milestone, the milestones that list it as a prerequisite."""
        out: dict[str, list[str]] = {m.id: [] for m in self.milestones}
        for m in self.milestones:
            for r in m.requires:
                out.setdefault(r, []).append(m.id)
        return out


class PersonalOutcome(Strict):
    """A milestone of one pupil only, from their EHCP or provision plan: an outcome under an area
    (a strand) of a curriculum. While the pupil follows that curriculum it is one of its milestones
    for them (in a "Personal outcomes" stage with no year, so it carries no points) and is judged
    by the same rules as any other. ``id`` (e.g. ``PO-1``) is unique among the pupil's outcomes in
    that curriculum; ``requires`` may name the curriculum's own milestones only. A retired outcome
    is no longer worked towards: its judgements and their history stay."""

    pupil_id: int
    curriculum_id: str
    id: str
    area: str  # a strand id of the curriculum
    title: str
    source: str | None = None  # where it comes from, e.g. "EHCP section E, annual review 2026"
    requires: list[str] = Field(default_factory=list)
    by: str  # who added it
    at: datetime  # when it was added
    retired_at: datetime | None = None
    retired_by: str | None = None
    retired_reason: str | None = None

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class Sen(StrEnum):
    NONE = "none"
    SUPPORT = "support"
    EHCP = "ehcp"


def canonical_upn(upn: str) -> str:
    """A UPN (or the passport's own pupil id) as it is stored and matched: without surrounding
    spaces and in capitals, so ``d260002`` and ``D260002`` name the same pupil (a DfE UPN is
    written in capitals)."""
    return upn.strip().upper()


PASSPORT_ID = re.compile(
    r"P\d{4,8}"
)  # the passport's own ids, P0001…: at most 9 characters, a DfE UPN has 13


def is_passport_id(upn: str) -> bool:
    """Whether a pupil's UPN is the passport's own id (given to a child with no UPN)."""
    return PASSPORT_ID.fullmatch(upn) is not None


class Pupil(Strict):
    """A pupil. ``year_group`` is the year group in academic year ``academic_year``
    (the calendar year in which that academic year starts); any other date's year group
    is derived from it, so pupils move up on 1 September by themselves."""

    id: int | None = None
    upn: str
    first_name: str
    last_name: str
    year_group: int
    academic_year: int
    class_name: str | None = None
    gender: str | None = None
    pupil_premium: bool = False
    eal: bool = False
    sen: Sen = Sen.NONE
    fsm: bool = False
    dob: date | None = None
    tags: list[str] = Field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def year_group_in(self, academic_year: int) -> int:
        return self.year_group + (academic_year - self.academic_year)


class Verdict(StrEnum):
    ACHIEVED = "achieved"
    NOT_YET = "not_yet"
    RETRACTED = "retracted"
    REVISIT = "revisit"


def by_another_school(by: str) -> bool:
    """Whether an author (``by``) is another school's member of staff. What a passport file
    brings keeps its author as "Ms X, Oak Primary"; a login of this school never holds a comma
    (``Access`` refuses one), so an imported author can never pass for one of ours."""
    return "," in by


def named_author(by: str, name: str) -> str:
    """Another school's member of staff as shown here, from their author as stored ("ms.hughes,
    Oak Primary") and the name a passport file gave them: "Ms Hughes (Oak Primary)"."""
    school = by.partition(",")[2].strip()
    return f"{name} ({school})" if school else name


class Judgement(Strict):
    """One event of the append-only judgement log."""

    id: int | None = None
    pupil_id: int
    curriculum_id: str
    milestone_id: str
    verdict: Verdict
    by: str
    at: datetime
    note: str | None = None
    reason: str | None = None  # the override reason (achieved) or the correction reason (retracted)
    corrects: int | None = None  # for a retraction: the achieved event it corrects
    recorded_at: datetime | None = None  # when it was written (``at`` may be back-dated)


# --- termly records (DESIGN §2.7–§2.12): each kept with its history ----------------------


class TestScore(Strict):
    """A termly test score (a percent) of a pupil in a curriculum (DESIGN §2.7). A later score
    for the same pupil, curriculum, academic year and term supersedes the earlier; both are kept."""

    __test__ = False  # not a pytest test class, whatever its name says

    id: int | None = None
    pupil_id: int
    curriculum_id: str
    academic_year: int  # the calendar year the academic year starts in
    term: int  # 1 autumn, 2 spring, 3 summer (the store refuses any other)
    score: float  # percent, 0 to 100 (the store refuses any other)
    by: str
    at: datetime  # when it was recorded
    note: str | None = None


class Target(Strict):
    """A personal target (DESIGN §2.8): ``points``, or a set of ``milestones`` by ``due``, with a
    reason. The newest for a (pupil, curriculum, academic year) is the current one; one with
    neither points nor milestones clears back to the default target."""

    id: int | None = None
    pupil_id: int
    curriculum_id: str
    academic_year: int
    points: int | None = None
    milestones: list[str] | None = None  # milestone ids
    due: date | None = None
    reason: str
    by: str
    at: datetime

    @property
    def clears(self) -> bool:
        """True for a row that puts the default target back."""
        return self.points is None and self.milestones is None


class ModerationAction(StrEnum):
    SAMPLED = "sampled"
    CONFIRMED = "confirmed"
    QUERIED = "queried"
    RESOLVED = "resolved"


class ModerationEvent(Strict):
    """One event of the append-only moderation log about an achieved judgement (DESIGN §2.11)."""

    id: int | None = None
    judgement_id: int
    action: ModerationAction
    by: str
    at: datetime
    note: str | None = None


class FocusItem(Strict):
    """A next step pinned on a pupil's individual learning plan, with a provision note
    (DESIGN §2.12). Unpinning appends an item with ``active=False``; the history is kept."""

    id: int | None = None
    pupil_id: int
    curriculum_id: str
    milestone_id: str
    provision: str | None = None
    by: str
    at: datetime
    active: bool = True


class NoteKind(StrEnum):
    TEACHER_COMMENT = "teacher comment"
    NOTE = "note"


class Note(Strict):
    """A note or a teacher comment about a pupil (in one curriculum, or none); append-only."""

    id: int | None = None
    pupil_id: int
    curriculum_id: str | None = None
    kind: NoteKind = NoteKind.NOTE
    text: str
    by: str
    at: datetime
