"""Passports and the class grid: what a teacher sees of one pupil, or of a class over one part of
a curriculum."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .. import engine
from ..engine import PupilRecord, Standing
from ..models import Curriculum, FocusItem, PersonalOutcome, Pupil
from .records import Records


@dataclass(slots=True)
class CurriculumPassport:
    """One curriculum of a pupil's passport. ``curriculum`` is as the pupil meets it: with their
    personal outcomes as milestones of its last stage; ``outcomes`` lists every one of them in
    this curriculum, retired ones too (their history stays)."""

    curriculum: Curriculum
    standing: Standing
    achieved_on: dict[str, datetime] = field(default_factory=dict)
    # achieved milestones the stored curriculum no longer has (``passport doctor`` lists them):
    # shown, never silently left out
    unlisted: list[str] = field(default_factory=list)

    @property
    def retired(self) -> list[str]:
        """The retired milestones achieved (they still count), in curriculum order."""
        retired = self.curriculum.retired
        return [m for m in self.standing.achieved if m in retired]

    outcomes: list[PersonalOutcome] = field(default_factory=list)


@dataclass(slots=True)
class PupilPassport:
    pupil: Pupil
    year_group: int
    today: date
    curricula: list[CurriculumPassport]
    focus: list[FocusItem] = field(default_factory=list)


@dataclass(slots=True)
class GridLine:
    """One pupil's row of the class grid."""

    pupil: Pupil
    year_group: int
    cells: list[engine.Cell]
    points: int | None
    expected: int | None
    flags: list[engine.Flag]
    assessed: bool = True  # False: no judgement of any kind yet in this curriculum


class Passports(Records):
    def passport(self, pupil_key: str | int, history_windows: int = 3) -> PupilPassport:
        pupil = self.pupil(pupil_key)
        assert pupil.id is not None
        out = []
        pathway = self.pathways_of([pupil])[pupil.id]
        outcomes = self.store.outcomes(pupil.id)
        for c in self.curricula():
            if c.id not in pathway:
                continue
            rec = self.record(pupil.id, c.id)
            mine = [o for o in outcomes if o.curriculum_id == c.id]
            c = self.personal_curriculum(c, pupil.id, rec.achieved(), outcomes=mine)
            s = self.standing(pupil, c, rec, history_windows=history_windows)
            unlisted = sorted(m for m in s.achieved_set if m not in c.milestone_by_id)
            dates = {m: rec.milestones[m].achieved_at for m in (*s.achieved, *unlisted)}
            kept = {k: v for k, v in dates.items() if v is not None}
            out.append(CurriculumPassport(c, s, kept, unlisted, mine))
        return PupilPassport(
            pupil, self.year_group(pupil), self.today(), out, self.store.focus_items(pupil.id)
        )

    def grid(self, pupils: list[Pupil], c: Curriculum, milestones: list[str]) -> list[GridLine]:
        """The class grid of ``pupils`` (those the user may see) over ``milestones`` of curriculum
        ``c``, in the pupils' order, from one pass over their part of the log."""
        pupils = self.following(c, self._visible(pupils))
        if not pupils:
            return []
        ids = [p.id for p in pupils if p.id is not None]
        personal = self.personalizer(c, ids)
        stand = self.stander(c, self.today(), personal=personal, pupil_ids=ids)
        lines = {
            p.id: self._grid_line(p, personal(p, record), record, milestones, stand)
            for p, record in self.pupil_records(c, pupils)
        }
        return [lines[p.id] for p in pupils if p.id in lines]

    def grid_line(self, pupil: Pupil, c: Curriculum, milestones: list[str]) -> GridLine:
        assert pupil.id is not None
        pupil = self.pupil(pupil.id)
        personal = self.personalizer(c, [pupil.id])
        record = self.record(pupil.id, c.id)
        stand = self.stander(c, self.today(), personal=personal, pupil_ids=[pupil.id])
        return self._grid_line(pupil, personal(pupil, record), record, milestones, stand)

    def _visible(self, pupils: list[Pupil]) -> list[Pupil]:
        mine = self.my_classes()
        return pupils if mine is None else [p for p in pupils if p.class_name in mine]

    def _grid_line(
        self, pupil: Pupil, c: Curriculum, record: PupilRecord | engine.FirstAchieved, milestones, stand
    ) -> GridLine:
        s = stand(pupil, record)
        cells = engine.cells(
            c,
            s.achieved_set,
            record.not_yet(),
            record.revisits(),
            s.year_group,
            milestones,
            assessed=s.assessed,
        )
        return GridLine(pupil, s.year_group, cells, s.points, s.expected, s.flags, s.assessed)
