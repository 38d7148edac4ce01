"""Personal outcomes (issue 10, SEND): milestones of one pupil, from their EHCP or provision plan,
under an area of any curriculum they follow. Added, edited, retired and (while nothing refers to
one) deleted by an admin or the pupil's own teacher; judged like any other milestone
(``judging``); shown on the pupil's passport only (``personal``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import engine
from ..errors import NotFound, PassportError
from ..models import Curriculum, PersonalOutcome, Pupil
from .records import Records

if TYPE_CHECKING:
    from ..interop.transfer import FilePassport, ImportSummary
    from ..store import Store


@dataclass(slots=True)
class OutcomeView:
    """One personal outcome with where the pupil stands on it."""

    outcome: PersonalOutcome
    area_title: str
    status: str  # "achieved", "revisit", "not yet" or "not assessed"
    achieved_on: str | None = None  # ISO date of the achievement, when achieved


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


class Outcomes(Records):
    def add_outcome(
        self,
        pupil_key: str | int,
        curriculum_id: str,
        *,
        area: str,
        title: str,
        source: str | None = None,
        requires: list[str] | None = None,
    ) -> PersonalOutcome:
        """Add an outcome from a pupil's plan under ``area`` (a strand of the curriculum, by id or
        title) of a curriculum they follow; it gets the next id (``PO-1``, ``PO-2``, …) among the
        pupil's outcomes. ``requires`` may name the curriculum's own milestones only."""
        pupil = self.pupil(pupil_key)
        self.require_change()
        assert pupil.id is not None
        c = self.curriculum(curriculum_id)
        self._require_followed(pupil, c)
        title_text = _clean(title)
        if title_text is None:
            raise PassportError("A personal outcome needs a title (what the pupil will be able to do).")
        strand = self._area(c, area)
        needs = self._prerequisites(c, requires)
        with self.store.transaction():
            existing = [o.id for o in self.store.outcomes(pupil.id)]
            outcome = PersonalOutcome(
                pupil_id=pupil.id,
                curriculum_id=c.id,
                id=engine.next_outcome_id(existing, c.milestone_by_id),
                area=strand,
                title=title_text,
                source=_clean(source),
                requires=needs,
                by=self.user,
                at=self.now(),
            )
            return self.store.add_outcome(outcome)

    def edit_outcome(
        self,
        pupil_key: str | int,
        outcome_id: str,
        *,
        curriculum_id: str | None = None,
        area: str | None = None,
        title: str | None = None,
        source: str | None = None,
        requires: list[str] | None = None,
    ) -> PersonalOutcome:
        """Change an outcome's wording, source, area or prerequisites (what is not given stays; an
        empty source clears it). Its id, and so its judgements, stay."""
        pupil = self.pupil(pupil_key)
        self.require_change()
        with self.store.transaction():
            o = self.find_outcome(pupil, outcome_id, curriculum_id)
            if o.retired:
                raise PassportError(
                    f"{o.id} is retired; its wording is kept as it was when it was worked on."
                )
            c = self.curriculum(o.curriculum_id)
            update: dict[str, object] = {}
            if title is not None:
                text = _clean(title)
                if text is None:
                    raise PassportError(
                        "A personal outcome needs a title (what the pupil will be able to do)."
                    )
                update["title"] = text
            if source is not None:
                update["source"] = _clean(source)
            if area is not None:
                update["area"] = self._area(c, area)
            if requires is not None:
                update["requires"] = self._prerequisites(c, requires)
            return self.store.put_outcome(o.model_copy(update=update))

    def retire_outcome(
        self, pupil_key: str | int, outcome_id: str, *, reason: str, curriculum_id: str | None = None
    ) -> PersonalOutcome:
        """Retire an outcome the pupil no longer works towards (met, or changed at a review), with a
        reason. It leaves the next steps; its judgements and their history stay, and an achieved
        one stays achieved."""
        pupil = self.pupil(pupil_key)
        self.require_change()
        why = _clean(reason)
        if why is None:
            raise PassportError(
                "Retiring a personal outcome needs a reason (e.g. 'replaced at the annual review')."
            )
        with self.store.transaction():
            o = self.find_outcome(pupil, outcome_id, curriculum_id)
            if o.retired:
                assert o.retired_at is not None
                raise PassportError(f"{o.id} was already retired on {o.retired_at.date().isoformat()}.")
            return self.store.put_outcome(
                o.model_copy(
                    update={"retired_at": self.now(), "retired_by": self.user, "retired_reason": why}
                )
            )

    def delete_outcome(
        self, pupil_key: str | int, outcome_id: str, *, curriculum_id: str | None = None
    ) -> None:
        """Delete an outcome added by mistake. One with judgements (or a focus item or target on
        it) is refused: retire it instead, so its history stays."""
        pupil = self.pupil(pupil_key)
        self.require_change()
        assert pupil.id is not None
        with self.store.transaction():
            o = self.find_outcome(pupil, outcome_id, curriculum_id)
            self.store.delete_outcome(pupil.id, o.curriculum_id, o.id)

    def outcomes(self, pupil_key: str | int, curriculum_id: str | None = None) -> list[OutcomeView]:
        """A pupil's outcomes (in one curriculum), retired ones too, each with where they stand."""
        pupil = self.pupil(pupil_key)
        assert pupil.id is not None
        if curriculum_id is not None:
            self.curriculum(curriculum_id)
        out = []
        records = {}
        for o in self.store.outcomes(pupil.id, curriculum_id):
            if o.curriculum_id not in records:
                records[o.curriculum_id] = self.record(pupil.id, o.curriculum_id)
            c = self.store.curriculum(o.curriculum_id)
            strand = c.strand_by_id.get(o.area) if c is not None else None
            state = records[o.curriculum_id].get(o.id)
            if state is not None and state.achieved:
                status = "revisit" if o.id in records[o.curriculum_id].revisits() else "achieved"
                when = state.achieved_at.date().isoformat() if state.achieved_at else None
            else:
                status = "not yet" if o.id in records[o.curriculum_id].not_yet() else "not assessed"
                when = None
            out.append(OutcomeView(o, strand.title if strand else o.area, status, when))
        return out

    def baseline_preview(self, pupil_key: str | int, curriculum_id: str) -> list[tuple[str, str, int]]:
        """For a baseline on entry: each stage of the curriculum as (id, title, how many milestones
        a baseline through it would record now), in stage order."""
        pupil = self.pupil(pupil_key)
        assert pupil.id is not None
        c = self.curriculum(curriculum_id)
        achieved = self.record(pupil.id, c.id).achieved()
        return [(st.id, st.title, len(engine.baseline_milestones(c, achieved, st.id))) for st in c.stages]

    # --- checks ------------------------------------------------------------------------------

    def _require_followed(self, pupil: Pupil, c: Curriculum) -> None:
        assert pupil.id is not None
        pathway = self.pathways_of([pupil])[pupil.id]
        if c.id not in pathway:
            raise PassportError(
                f"{pupil.name} does not follow {c.id} (their pathway: {', '.join(sorted(pathway)) or 'nothing'}); "
                f"add it first: passport pathway add {pupil.upn} {c.id}"
            )

    @staticmethod
    def _area(c: Curriculum, area: str) -> str:
        """A strand of ``c`` by id or title (any case)."""
        wanted = " ".join(area.split()).casefold()
        for s in c.strands:
            if wanted in (s.id.casefold(), s.title.casefold()):
                return s.id
        areas = ", ".join(s.id for s in c.strands) or "none"
        raise NotFound(f"No area {area!r} in curriculum {c.id!r} (its areas: {areas}).")

    @staticmethod
    def _prerequisites(c: Curriculum, requires: list[str] | None) -> list[str]:
        needs = list(dict.fromkeys(r.strip() for r in requires or [] if r.strip()))
        unknown = [r for r in needs if r not in c.milestone_by_id]
        if unknown:
            raise NotFound(
                f"A personal outcome may require milestones of {c.id} only; no milestone {', '.join(unknown)} there."
            )
        return needs


# --- the passport file ---------------------------------------------------------------------


def merge_file_outcomes(
    store: Store,
    pupil: Pupil,
    entry: FilePassport,
    summary: ImportSummary,
    author: Callable[[str], str],
) -> FilePassport:
    """Add the personal outcomes of a pupil's entry in a passport file that this school lacks, inside
    the import's transaction. One this school holds (same curriculum and title) is kept as it is
    here, under its id here. One whose id this school uses for another outcome of the pupil is added
    under the next free id. The entry returned refers to each by its id here (its events, focus
    items, targets), so importing the same file again adds nothing. ``author`` gives an author of
    the file as this school keeps them (the sending school's staff, never a login here)."""
    if not entry.outcomes:
        return entry
    assert pupil.id is not None
    ours = store.outcomes(pupil.id)
    here = {(o.curriculum_id, o.id): o for o in ours}
    used = [o.id for o in ours] + [fo.id for fo in entry.outcomes]  # a new id clashes with neither
    renamed: dict[tuple[str, str], str] = {}

    def words(text: str) -> str:
        return " ".join(text.split()).casefold()

    for fo in entry.outcomes:
        by, retired_by = author(fo.by), None if fo.retired_by is None else author(fo.retired_by)
        mine = here.get((fo.curriculum, fo.id))
        same = [o for o in ours if o.curriculum_id == fo.curriculum and words(o.title) == words(fo.title)]
        if same:  # the same outcome, perhaps under another id here (a file imported before)
            found = next((o for o in same if o.id == fo.id), same[0])
            if found.id != fo.id:
                renamed[(fo.curriculum, fo.id)] = found.id
            continue
        new_id = fo.id
        if mine is not None:
            c = store.curriculum(fo.curriculum)
            new_id = engine.next_outcome_id(used, c.milestone_by_id if c is not None else ())
            renamed[(fo.curriculum, fo.id)] = new_id
            summary.warnings.append(
                f"{pupil.upn}: the file's personal outcome {fo.id} in {fo.curriculum} ({fo.title}) is "
                f"{new_id} here: {fo.id} is already another outcome of this pupil"
            )
        added = PersonalOutcome(
            pupil_id=pupil.id,
            curriculum_id=fo.curriculum,
            id=new_id,
            area=fo.area,
            title=fo.title,
            source=fo.source,
            requires=list(fo.requires),
            by=by,
            at=fo.at,
            retired_at=fo.retired_at,
            retired_by=retired_by,
            retired_reason=fo.retired_reason,
        )
        store.add_outcome(added)
        used.append(new_id)
        here[(fo.curriculum, new_id)] = added
        summary.outcomes_added += 1
    if not renamed:
        return entry

    def named(curriculum: str, milestone: str) -> str:
        return renamed.get((curriculum, milestone), milestone)

    return entry.model_copy(
        update={
            "events": [
                e.model_copy(update={"milestone": named(e.curriculum, e.milestone)}) for e in entry.events
            ],
            "focus": [
                f.model_copy(update={"milestone": named(f.curriculum, f.milestone)}) for f in entry.focus
            ],
            "targets": [
                t.model_copy(update={"milestones": [named(t.curriculum, m) for m in t.milestones]})
                if t.milestones
                else t
                for t in entry.targets
            ],
        }
    )
