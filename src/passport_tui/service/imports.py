"""Imports: rosters (CSV and OneRoster) and termly test scores. Each file is read and checked in
full first; then it is written in one transaction, or, on any problem, not at all."""

from __future__ import annotations

from pathlib import Path

from .. import engine
from ..errors import FileProblems, Problem
from ..models import Pupil, TestScore
from .records import Records


class Imports(Records):
    def import_roster(self, path: str | Path, academic_year: int | None = None) -> tuple[int, int]:
        """Add or update pupils from a roster CSV, by UPN: (added, updated). Admins only."""
        from ..interop.roster import read_roster

        self.require_admin("import a roster")
        pupils = read_roster(path, academic_year if academic_year is not None else self.academic_year())
        return self._upsert_roster(pupils)

    def import_oneroster(
        self, path: str | Path, academic_year: int | None = None, *, uk_grades: bool | None = None
    ):
        """Add or update the students of a OneRoster CSV set (a folder or a .zip), by UPN. Returns
        the reader's result (its skipped rows and warnings) and (added, updated). Admins only."""
        from ..interop.oneroster import read_oneroster

        self.require_admin("import a roster")
        result = read_oneroster(path, academic_year, default_year=self.academic_year(), uk_grades=uk_grades)
        return result, self._upsert_roster(result.pupils)

    def _upsert_roster(self, pupils: list[Pupil]) -> tuple[int, int]:
        with self.store.transaction():
            for p in pupils:
                # a roster without a class for a known pupil keeps the class they have
                if p.class_name is None and (known := self.store.pupil(p.upn)) is not None:
                    p.class_name = known.class_name
            return self.store.upsert_pupils(pupils)

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
                or pupil.upn != row.upn  # a UPN, never a pupil's internal id
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
