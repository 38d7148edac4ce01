"""Pathways: the curricula each pupil follows. By default a pupil follows the school's year-linked
curricula; a framework without year groups (the engagement model, small steps, PSP) only by
assignment. The grid, passport, tracking, groups, moderation and reports use only a pupil's pathway."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PassportError
from ..models import Pupil
from .records import Records


@dataclass(slots=True)
class Pathway:
    """The curricula one pupil follows, and whether that is the school's default."""

    pupil: Pupil
    curricula: list[str]
    default: bool


class Pathways(Records):
    def pathway(self, pupil_key: str | int) -> Pathway:
        pupil = self.pupil(pupil_key)
        assert pupil.id is not None
        own = self.store.pathways().get(pupil.id)
        order = [c.id for c in self.curricula()]
        chosen = own if own is not None else set(self.default_pathway())
        return Pathway(pupil, [cid for cid in order if cid in chosen], own is None)

    def set_pathway(self, pupil_key: str | int, curriculum_ids: list[str]) -> Pathway:
        """Give a pupil their own pathway: exactly these curricula (the pupil's teacher or an admin)."""
        pupil = self.pupil(pupil_key)
        self.require_change()
        for cid in curriculum_ids:
            self.curriculum(cid)  # an unknown id is refused, naming the known ones
        if not curriculum_ids:
            raise PassportError("A pathway needs at least one curriculum.")
        assert pupil.id is not None
        self.store.set_pathway(pupil.id, list(curriculum_ids))
        return self.pathway(pupil.id)

    def add_to_pathway(self, pupil_key: str | int, curriculum_ids: list[str]) -> Pathway:
        current = self.pathway(pupil_key)
        return self.set_pathway(current.pupil.id or pupil_key, [*current.curricula, *curriculum_ids])

    def remove_from_pathway(self, pupil_key: str | int, curriculum_ids: list[str]) -> Pathway:
        """Stop following these curricula (judgements are kept); removing the last goes back to the
        school's default pathway."""
        current = self.pathway(pupil_key)
        unknown = [cid for cid in curriculum_ids if cid not in current.curricula]
        if unknown:
            raise PassportError(
                f"{current.pupil.name} does not follow {', '.join(unknown)} "
                f"(their pathway: {', '.join(current.curricula) or 'none'})."
            )
        remaining = [c for c in current.curricula if c not in curriculum_ids]
        if remaining:
            return self.set_pathway(current.pupil.id or pupil_key, remaining)
        # nothing of their own left: the pupil follows the school's default pathway again
        assert current.pupil.id is not None
        self.require_change()
        self.store.set_pathway(current.pupil.id, [])
        return self.pathway(current.pupil.id)

    def set_default_pathway(self, curriculum_ids: list[str]) -> list[str]:
        """The curricula a pupil without a pathway of their own follows (admins only; an empty list
        goes back to every curriculum with year-linked stages)."""
        self.require_admin("change the school's default pathway")
        for cid in curriculum_ids:
            self.curriculum(cid)
        self.store.set_setting("default_pathway", list(dict.fromkeys(curriculum_ids)) or None)
        return self.default_pathway()
