"""A curriculum as one pupil meets it: the framework's own milestones and that pupil's personal
outcomes in it (``engine.outcomes``). Every use case that reads or judges one pupil in a
curriculum goes through here, so another pupil never sees someone else's outcomes, and the class
grid (the framework's milestones as columns) never shows them."""

from __future__ import annotations

from collections.abc import Callable, Collection

from .. import engine
from ..errors import Ambiguous, NotFound
from ..models import Curriculum, Milestone, PersonalOutcome, Pupil
from .curricula import Curricula


class PersonalCurricula(Curricula):
    def personal_curriculum(
        self,
        c: Curriculum,
        pupil_id: int,
        achieved: Collection[str] = frozenset(),
        *,
        outcomes: list[PersonalOutcome] | None = None,
        retired: bool = False,
    ) -> Curriculum:
        """``c`` with the pupil's outcomes in it: those still worked towards and the retired ones
        they achieved (``achieved``); every retired one too with ``retired`` (to judge or retract
        one). Internal: the caller has looked the pupil up through ``pupil``."""
        mine = self.store.outcomes(pupil_id, c.id) if outcomes is None else outcomes
        if not mine:
            return c
        return engine.with_outcomes(c, mine if retired else engine.shown_outcomes(mine, achieved))

    def personalizer(
        self, c: Curriculum, pupil_ids: list[int] | None = None
    ) -> Callable[[Pupil, object], Curriculum]:
        """A function giving ``c`` as each pupil meets it, from their record (its ``achieved()``),
        with the outcomes of every pupil (of ``pupil_ids``) in ``c`` read in one query."""
        by_pupil = self.store.outcomes_by_pupil(c.id, pupil_ids)
        if not by_pupil:
            return lambda pupil, record: c

        def personal(pupil: Pupil, record) -> Curriculum:
            mine = by_pupil.get(pupil.id) if pupil.id is not None else None
            if not mine:
                return c
            return engine.with_outcomes(c, engine.shown_outcomes(mine, record.achieved()))

        return personal

    def pupil_milestone(
        self, pupil: Pupil, milestone_id: str, curriculum_id: str | None = None
    ) -> tuple[Curriculum, Milestone]:
        """A milestone of a curriculum or one of the pupil's outcomes, by id, with the curriculum as
        the pupil meets it (their retired outcomes included); ``curriculum_id`` is needed only when
        the id is in several. ``pupil`` comes from a scoped lookup."""
        assert pupil.id is not None
        try:
            c, m = self.milestone(milestone_id, curriculum_id)
            found = m.id  # the milestone an old id moved to, when it moved
        except NotFound:
            found = milestone_id
            mine = [
                o
                for o in self.store.outcomes(pupil.id, curriculum_id)
                if o.id == milestone_id and self.store.curriculum(o.curriculum_id) is not None
            ]
            if not mine:
                raise
            if len(mine) > 1:
                names = ", ".join(o.curriculum_id for o in mine)
                raise Ambiguous(
                    f"{pupil.name} has an outcome {milestone_id!r} in several curricula ({names}); "
                    "give --curriculum."
                ) from None
            c = self.curriculum(mine[0].curriculum_id)
        pc = self.personal_curriculum(c, pupil.id, retired=True)
        return pc, pc.milestone_by_id[found]

    def find_outcome(
        self, pupil: Pupil, outcome_id: str, curriculum_id: str | None = None
    ) -> PersonalOutcome:
        """One of a pupil's outcomes by id (``curriculum_id`` when the id is in several)."""
        assert pupil.id is not None
        mine = [o for o in self.store.outcomes(pupil.id, curriculum_id) if o.id == outcome_id]
        if not mine:
            where = f" in {curriculum_id}" if curriculum_id else ""
            raise NotFound(f"{pupil.name} has no personal outcome {outcome_id!r}{where}.")
        if len(mine) > 1:
            names = ", ".join(o.curriculum_id for o in mine)
            raise Ambiguous(
                f"{pupil.name} has an outcome {outcome_id!r} in several curricula ({names}); give --curriculum."
            )
        return mine[0]

    def milestone_title(self, pupil_id: int, curriculum_id: str, milestone_id: str) -> str | None:
        """The title of a curriculum's milestone or of the pupil's outcome of that id (None when
        neither has it any more). Internal: the caller has checked access to the pupil."""
        c = self.store.curriculum(curriculum_id)
        if c is not None and milestone_id in c.milestone_by_id:
            return c.milestone_by_id[milestone_id].title
        for o in self.store.outcomes(pupil_id, curriculum_id):
            if o.id == milestone_id:
                return o.title
        return None
