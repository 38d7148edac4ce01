"""Curricula: importing, exporting and looking up curricula and their milestones."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..curriculum import dump_curriculum, load_curriculum
from ..errors import Ambiguous, NotFound
from ..models import Curriculum, Judgement, Milestone
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
        """Import a curriculum file, or a new version of a stored one; returns the curriculum as
        stored (the stored version's moves and retired milestones carried over) and warning lines.
        A version that would drop or re-mean a milestone with judgements without mapping it
        (``moved``, ``retired``) is refused with the list (``CurriculumChangeRefused``) and
        nothing changes."""
        self.require_admin("import a curriculum")
        c, warnings = self.read_curriculum(path)
        with self.store.transaction():
            revision = self.store.put_curriculum(c)
        warnings += [f"{path}: warning: {w}" for w in revision.warnings]
        summary = revision.summary()
        return revision.curriculum, warnings + ([f"{path}: note: {summary}"] if summary else [])

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

    def milestone_names(self, judgements: Iterable[Judgement]) -> dict[tuple[str, str], str]:
        """How a history names the milestone of each judgement, by (curriculum, milestone id): its
        id as recorded, with "(now NEW)" when it moved, "(retired)" when it is no longer taught and
        "(not in the curriculum)" when the stored curriculum has no such milestone (nor the pupil a
        personal outcome of that id)."""
        curricula = {c.id: c for c in self.curricula()}
        outcomes: dict[int, set[tuple[str, str]]] = {}
        out: dict[tuple[str, str], str] = {}
        for j in judgements:
            key = (j.curriculum_id, j.milestone_id)
            if key in out:
                continue
            c = curricula.get(j.curriculum_id)
            mid = j.milestone_id
            if c is None:
                out[key] = f"{mid} (not in the curriculum)"
            elif mid in c.milestone_by_id:
                out[key] = f"{mid} (retired)" if c.milestone_by_id[mid].retired else mid
            elif mid in c.curriculum.moved:
                out[key] = f"{mid} (now {c.curriculum.moved[mid]})"
            elif j.pupil_id is not None and key in self._outcome_keys(j.pupil_id, outcomes):
                out[key] = mid
            else:
                out[key] = f"{mid} (not in the curriculum)"
        return out

    def _outcome_keys(self, pupil_id: int, read: dict[int, set[tuple[str, str]]]) -> set[tuple[str, str]]:
        """(curriculum, id) of each of a pupil's personal outcomes, read once per pupil into ``read``."""
        if pupil_id not in read:
            read[pupil_id] = {(o.curriculum_id, o.id) for o in self.store.outcomes(pupil_id)}
        return read[pupil_id]

    def curriculum(self, curriculum_id: str) -> Curriculum:
        c = self.store.curriculum(curriculum_id)
        if c is None:
            known = ", ".join(x.id for x in self.store.curricula()) or "none yet"
            raise NotFound(f"No curriculum {curriculum_id!r} (known: {known}).")
        return c

    def milestone(self, milestone_id: str, curriculum_id: str | None = None) -> tuple[Curriculum, Milestone]:
        """Find a milestone by id; ``curriculum_id`` is needed only when the id is ambiguous. The id
        of a moved milestone finds the milestone it moved to."""
        if curriculum_id is not None:
            c = self.curriculum(curriculum_id)
            m = c.milestone_by_id.get(c.curriculum.moved.get(milestone_id, milestone_id))
            if m is None:
                raise NotFound(f"No milestone {milestone_id!r} in curriculum {curriculum_id!r}.")
            return c, m
        hits = [
            (c, c.milestone_by_id[milestone_id])
            for c in self.curricula()
            if milestone_id in c.milestone_by_id
        ] or [
            (c, c.milestone_by_id[c.curriculum.moved[milestone_id]])
            for c in self.curricula()
            if c.curriculum.moved.get(milestone_id) in c.milestone_by_id
        ]
        if not hits:
            raise NotFound(f"No milestone {milestone_id!r} in any curriculum.")
        if len(hits) > 1:
            names = ", ".join(c.id for c, _ in hits)
            raise Ambiguous(
                f"Milestone {milestone_id!r} is in several curricula ({names}); give --curriculum."
            )
        return hits[0]
