"""Curricula: importing, exporting and looking up curricula and their milestones."""

from __future__ import annotations

from pathlib import Path

from ..curriculum import dump_curriculum, load_curriculum
from ..errors import Ambiguous, NotFound
from ..models import Curriculum, Milestone
from .access import Access


class Curricula(Access):
    def read_curriculum(self, path: str | Path) -> tuple[Curriculum, list[str]]:
        """A curriculum file: our TOML, or a CASE JSON package (with warnings about what a real
        package does that CASE does not allow). Reads only; nothing is stored."""
        from ..interop.case import looks_like_case, read_case

        if Path(path).suffix.lower() == ".json" or looks_like_case(path):
            return read_case(path)
        return load_curriculum(path), []

    def import_curriculum(self, path: str | Path) -> Curriculum:
        return self.import_curriculum_with_warnings(path)[0]

    def import_curriculum_with_warnings(self, path: str | Path) -> tuple[Curriculum, list[str]]:
        self.require_admin("import a curriculum")
        c, warnings = self.read_curriculum(path)
        with self.store.transaction():
            self.store.put_curriculum(c)
        return c, warnings

    def curriculum_text(self, curriculum_id: str, case: bool = False) -> str:
        """A curriculum as our TOML, or as CASE 1.1 JSON (admins only, like importing one)."""
        self.require_admin("export a curriculum")
        c = self.curriculum(curriculum_id)
        if case:
            from ..interop.case import case_text

            return case_text(c)
        return dump_curriculum(c)

    def export_curriculum(self, curriculum_id: str, path: str | Path, *, force: bool = False) -> Path:
        """Write a curriculum to a new file (``force``: replace one that is there): CASE 1.1 JSON
        for a .json path, else our TOML (admins only)."""
        text = self.curriculum_text(curriculum_id, case=Path(path).suffix.lower() == ".json")
        return self.write_file(path, text, force=force)

    def curricula(self) -> list[Curriculum]:
        return self.store.curricula()

    def curriculum(self, curriculum_id: str) -> Curriculum:
        c = self.store.curriculum(curriculum_id)
        if c is None:
            known = ", ".join(x.id for x in self.store.curricula()) or "none yet"
            raise NotFound(f"No curriculum {curriculum_id!r} (known: {known}).")
        return c

    def milestone(self, milestone_id: str, curriculum_id: str | None = None) -> tuple[Curriculum, Milestone]:
        """Find a milestone by id; ``curriculum_id`` is needed only when the id is ambiguous."""
        if curriculum_id is not None:
            c = self.curriculum(curriculum_id)
            m = c.milestone_by_id.get(milestone_id)
            if m is None:
                raise NotFound(f"No milestone {milestone_id!r} in curriculum {curriculum_id!r}.")
            return c, m
        hits = [
            (c, c.milestone_by_id[milestone_id])
            for c in self.curricula()
            if milestone_id in c.milestone_by_id
        ]
        if not hits:
            raise NotFound(f"No milestone {milestone_id!r} in any curriculum.")
        if len(hits) > 1:
            names = ", ".join(c.id for c, _ in hits)
            raise Ambiguous(
                f"Milestone {milestone_id!r} is in several curricula ({names}); give --curriculum."
            )
        return hits[0]
