"""Imports: rosters (CSV and OneRoster) and termly test scores. Each file is read and checked in
full first; then it is written in one transaction, or, on any problem, not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import engine
from ..errors import FileProblems, Problem, RosterError
from ..models import Pupil, TestScore, canonical_upn
from ..progress import Progress
from .records import Records

if TYPE_CHECKING:
    from ..interop.roster import PathwayCell


@dataclass(slots=True)
class RosterImported:
    """What a roster import did: pupils added and updated, and what the reader warned about."""

    added: int
    updated: int
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows left out (OneRoster)
    academic_year: int | None = None
    version: str | None = None  # the OneRoster version read
    uk_grades: bool | None = None


UPSERT_CHUNK = 2_000  # pupils saved at a time (progress is told after each)


def _bytes_read(
    path: str | Path | None, progress: Progress | None, what: str = "Reading the roster"
) -> Callable[[int], None] | None:
    """A reader's ``on_bytes`` telling ``progress`` how many bytes of the file are read so far."""
    if progress is None:
        return None
    total = Path(path).stat().st_size if path is not None and Path(path).is_file() else None
    read = [0]

    def on_bytes(n: int) -> None:
        read[0] += n
        progress(what, read[0], total)

    return on_bytes


class Imports(Records):
    def import_roster(
        self, path: str | Path, academic_year: int | None = None, progress: Progress | None = None
    ) -> RosterImported:
        """Add or update pupils from a roster CSV, by UPN; a row's Pathway cell, when not empty,
        sets that pupil's pathway. Admins only. ``progress`` is told how far the reading and the
        saving have got."""
        from ..interop.roster import read_roster

        self.require_admin("import a roster")
        warnings: list[Problem] = []
        pathways: dict[str, PathwayCell] = {}
        year = academic_year if academic_year is not None else self.academic_year()
        pupils = read_roster(path, year, warnings, pathways, on_bytes=_bytes_read(path, progress))
        added, updated = self._upsert_roster(pupils, pathways, progress)
        return RosterImported(added, updated, [str(w) for w in warnings])

    def import_oneroster(
        self,
        path: str | Path,
        academic_year: int | None = None,
        *,
        uk_grades: bool | None = None,
        progress: Progress | None = None,
    ) -> RosterImported:
        """Add or update the students of a OneRoster CSV set (a folder or a .zip), by UPN; rows
        skipped and warnings are in the result. Admins only."""
        from ..interop.oneroster import read_oneroster

        self.require_admin("import a roster")
        read = _bytes_read(None, progress, "Reading the set")
        result = read_oneroster(
            path, academic_year, default_year=self.academic_year(), uk_grades=uk_grades, on_bytes=read
        )
        warnings = [str(w) for w in result.warnings]
        for p in result.pupils:
            mismatch = engine.birth_mismatch(p.dob, p.year_group, p.academic_year)
            if mismatch is not None:
                warnings.append(f"{path}: {p.upn}: date of birth: {mismatch}")
        added, updated = self._upsert_roster(result.pupils, result.pathways, progress)
        return RosterImported(
            added,
            updated,
            warnings,
            skipped=[str(s) for s in result.skipped],
            academic_year=result.academic_year,
            version=result.version,
            uk_grades=result.uk_grades,
        )

    def _upsert_roster(
        self,
        pupils: list[Pupil],
        pathways: dict[str, PathwayCell] | None = None,
        progress: Progress | None = None,
    ) -> tuple[int, int]:
        """Upsert the pupils and set the pathways listed (UPN → cell), in one transaction; an
        unknown curriculum id refuses the whole file, naming its row, before anything is written.
        A pupil not in ``pathways`` keeps the pathway they have."""
        pathways = pathways or {}
        known_ids = [c.id for c in self.store.curricula()]
        problems = [
            cell.problem(f"no curriculum {cid!r} (known: {', '.join(known_ids) or 'none yet'})")
            for cell in sorted(pathways.values(), key=lambda c: c.row)
            for cid in cell.curricula
            if cid not in known_ids
        ]
        if problems:
            raise RosterError(problems)
        with self.store.transaction():
            for p in pupils:
                # a roster without a class for a known pupil keeps the class they have
                if p.class_name is None and (known := self.store.pupil(p.upn)) is not None:
                    p.class_name = known.class_name
            added = updated = 0
            for start in range(0, len(pupils), UPSERT_CHUNK):
                a, u = self.store.upsert_pupils(pupils[start : start + UPSERT_CHUNK])
                added, updated = added + a, updated + u
                if progress is not None:
                    progress("Saving pupils", min(start + UPSERT_CHUNK, len(pupils)), len(pupils))
            for upn, cell in pathways.items():
                pupil = self.store.pupil(upn)
                assert pupil is not None and pupil.id is not None  # upserted just above
                self.store.set_pathway(pupil.id, cell.curricula)
            return added, updated

    def import_tests(self, path, *, curriculum_id: str | None = None, window: str | None = None) -> int:
        """Import test scores from a CSV (UPN, Score, and Curriculum unless given); one transaction.
        Every bad row is reported (``FileProblems``, by row number) and then nothing is written."""
        self.require_change()
        from ..interop.tests_csv import scan_test_scores

        default_window = self.window(window)
        if curriculum_id is not None:
            self.curriculum(curriculum_id)  # an unknown --curriculum is one refusal, not one per row
        rows, problems = scan_test_scores(path, curriculum_id=curriculum_id)
        scores = []

        mine = self.my_classes()
        for row in rows:
            pupil = self.store.pupil(row.upn)
            where = (str(path), row.line)
            if (
                pupil is None
                or canonical_upn(pupil.upn) != canonical_upn(row.upn)  # a UPN, never a pupil's internal id
                or (mine is not None and pupil.class_name not in mine)  # not yours reads as not there
            ):
                problems.append(
                    Problem(
                        *where,
                        f"no pupil with UPN {row.upn!r}{' in your classes' if mine is not None else ''}",
                    )
                )
                continue
            if self.store.curriculum(row.curriculum_id) is None:
                problems.append(Problem(*where, f"no curriculum {row.curriculum_id!r}"))
                continue
            try:
                w = engine.parse_window(row.window, self.terms) if row.window else default_window
            except ValueError as error:
                problems.append(Problem(*where, str(error)))
                continue
            scores.append(
                TestScore(
                    pupil_id=pupil.id,
                    curriculum_id=row.curriculum_id,
                    academic_year=w.academic_year,
                    term=w.term,
                    score=row.score,
                    by=self.user,
                    at=self.now(),
                )
            )
        if problems:
            raise FileProblems(sorted(problems, key=lambda x: x.line or 0))
        with self.store.transaction():
            return self.store.add_test_scores(scores)
