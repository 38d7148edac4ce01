"""Starting out: a family or a tutor with an empty database picks curricula from the ones shipped
with the app, adds a child and, if they like, a baseline (what the child has secured already),
all in one step that writes everything or nothing."""

from __future__ import annotations

from datetime import date

from ..errors import NotFound
from ..models import Curriculum
from ..resources import ShippedCurriculum, shipped_curricula, shipped_curriculum
from .judging import Judging
from .pupils import Pupils, PupilSaved


class Starting(Pupils, Judging):
    def shipped_curricula(self) -> list[ShippedCurriculum]:
        """The curricula shipped with the app (id, title, file), key milestones first."""
        return shipped_curricula()

    def shipped_curriculum(self, curriculum_id: str) -> Curriculum:
        """A shipped curriculum read from its file (not imported), e.g. to offer its stages."""
        from ..curriculum import load_curriculum

        return load_curriculum(_shipped(curriculum_id).path)

    def needs_start(self) -> bool:
        """Whether the app should offer the first-run steps: the database has no pupils yet and
        the user may set it up (an admin; everyone, while no staff are configured)."""
        return not self.store.has_pupils() and self.role == "admin"

    def start(
        self,
        curricula: list[str],
        name: str,
        year: int | str,
        *,
        dob: date | str | None = None,
        baselines: dict[str, str] | None = None,
        class_name: str | None = None,
    ) -> PupilSaved:
        """Import the shipped curricula named (those already in the database are kept as they
        are), add the child and record each baseline (curriculum id → the last stage the child
        has secured), in one transaction. Admins only."""
        self.require_admin("set up curricula")
        wanted = [_shipped(cid) for cid in dict.fromkeys(curricula)]
        have = {c.id for c in self.store.curricula()}
        for cid in baselines or {}:
            if cid not in have and all(c.id != cid for c in wanted):
                raise NotFound(f"No curriculum {cid!r} to set a baseline in.")
        with self.store.transaction():
            for c in wanted:
                if c.id not in have:
                    self.import_curriculum(c.path)
            saved = self.add_pupil(name, year, dob=dob, class_name=class_name)
            assert saved.pupil.id is not None
            for cid, stage in (baselines or {}).items():
                self.baseline(saved.pupil.id, cid, stage, reason="set when the passport was started")
        return saved


def _shipped(curriculum_id: str) -> ShippedCurriculum:
    found = shipped_curriculum(curriculum_id)
    if found is None:
        shipped = ", ".join(c.id for c in shipped_curricula())
        raise NotFound(f"No shipped curriculum {curriculum_id!r} (shipped: {shipped}).")
    return found
