"""Plans: termly tests beside teacher points, targets (default and personal), gaps that linger,
focus items with provision notes, and the teacher's comments for the parent report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import engine
from ..errors import NotFound, PassportError, ReasonRequired
from ..models import Curriculum, FocusItem, Note, NoteKind, Pupil, Target, TestScore
from .records import Records

DISAGREEMENT = 2  # teacher and test points this far apart are listed


@dataclass(slots=True)
class TestResult:
    """A pupil's test in one window beside the teacher-assessed points."""

    __test__ = False

    pupil: Pupil
    curriculum_id: str
    window: engine.Window
    score: float
    test_point: int | None
    greater_depth: bool
    teacher_points: int | None
    expected: int | None

    @property
    def disagreement(self) -> int | None:
        if self.test_point is None or self.teacher_points is None:
            return None
        return self.teacher_points - self.test_point

    @property
    def disagrees(self) -> bool:
        return self.disagreement is not None and abs(self.disagreement) >= DISAGREEMENT


@dataclass(slots=True)
class TargetView:
    """A pupil's target in one curriculum: the current one (personal or the default) and its history."""

    pupil: Pupil
    curriculum_id: str
    points: int | None
    milestones: list[str]
    due: date | None
    personal: bool
    status: str
    reason: str | None
    history: list[Target]


class Plans(Records):
    # --- tests (§2.7) -----------------------------------------------------------------------

    def record_test(
        self,
        pupil_key: str | int,
        curriculum_id: str,
        score: float,
        *,
        window: str | None = None,
        note: str | None = None,
    ) -> TestResult:
        """Record a termly test score (percent) for a pupil in a curriculum; a later score for the
        same window supersedes it (the history is kept)."""
        self.require_change()
        pupil = self.pupil(pupil_key)
        c = self.curriculum(curriculum_id)
        w = self.window(window)
        if not 0 <= score <= 100:
            raise PassportError(f"A test score is a percentage from 0 to 100, not {score:g}.")
        self.store.add_test_score(
            TestScore(
                pupil_id=pupil.id,
                curriculum_id=c.id,
                academic_year=w.academic_year,
                term=w.term,
                score=score,
                by=self.user,
                at=self.now(),
                note=(note or "").strip() or None,
            )
        )
        return self.test_results(curriculum_id=c.id, window=w.key, pupils=[pupil])[0]

    def test_results(
        self,
        *,
        curriculum_id: str | None = None,
        window: str | None = None,
        class_name: str | None = None,
        pupils: list[Pupil] | None = None,
    ) -> list[TestResult]:
        """Test-derived points beside teacher-assessed points for a window (disagreements of two
        or more points are flagged by ``TestResult.disagrees``)."""
        w = self.window(window)
        pupils = pupils if pupils is not None else self.pupils(class_name)
        by_id = {p.id: p for p in pupils}
        out: list[TestResult] = []
        curricula = [self.curriculum(curriculum_id)] if curriculum_id else self.curricula()
        on = None if w == self.window() else min(w.end, self.today())
        for c in curricula:
            scores = {
                t.pupil_id: t
                for t in self.store.test_scores(
                    curriculum_id=c.id, academic_year=w.academic_year, term=w.term
                )
                if t.pupil_id in by_id
            }
            if not scores:
                continue
            chosen = [by_id[pid] for pid in scores]
            for p, s in self.standings(c, chosen, on=on):
                t = scores[p.id]
                band = engine.score_point(t.score, s.expected) if s.expected is not None else None
                out.append(
                    TestResult(
                        p,
                        c.id,
                        w,
                        t.score,
                        band.point if band else None,
                        bool(band and band.greater_depth),
                        s.points,
                        s.expected,
                    )
                )
        out.sort(key=lambda r: (not r.disagrees, r.pupil.last_name, r.pupil.first_name))
        return out

    # --- targets (§2.8) ---------------------------------------------------------------------

    def set_target(
        self,
        pupil_key: str | int,
        curriculum_id: str,
        *,
        reason: str,
        points: int | None = None,
        milestones: list[str] | None = None,
        due: date | None = None,
    ) -> TargetView:
        """Set a personal target (points, or a set of milestones by a date) with a reason; with
        neither, go back to the default target. The history is kept."""
        self.require_change()
        pupil = self.pupil(pupil_key)
        c = self.curriculum(curriculum_id)
        if not (reason or "").strip():
            raise ReasonRequired("A personal target")
        if points is not None and milestones:
            raise PassportError("A target is either points or a set of milestones, not both.")
        if points is not None and not c.year_linked_stages:
            raise PassportError(
                f"{c.id} has no tracking points (its stages have no year group); "
                "set a target of milestones instead (--milestones)."
            )
        mine = self.personal_curriculum(c, pupil.id or 0)  # a target may name their outcomes
        unknown = [m for m in milestones or [] if m not in mine.milestone_by_id]
        if unknown:
            raise NotFound(f"No milestone {', '.join(unknown)} in curriculum {c.id!r}.")
        self.store.set_target(
            Target(
                pupil_id=pupil.id,
                curriculum_id=c.id,
                academic_year=self.academic_year(),
                points=points,
                milestones=milestones or None,
                due=due,
                reason=reason.strip(),
                by=self.user,
                at=self.now(),
            )
        )
        return self.target(pupil.upn, c.id)

    def personal_targets(self, c: Curriculum) -> dict[int, Target]:
        return self.store.current_targets(c.id, self.academic_year())

    def target(self, pupil_key: str | int, curriculum_id: str) -> TargetView:
        pupil = self.pupil(pupil_key)
        c = self.curriculum(curriculum_id)
        current = self.store.current_target(pupil.id, c.id, self.academic_year())
        history = self.store.targets(pupil.id, c.id)
        if current is not None and current.milestones:
            record = self.record(pupil.id, c.id)
            done = record.achieved()
            if all(m in done for m in current.milestones):
                status = "met"
            elif current.due is not None and current.due < self.today():
                status = "off track"
            else:
                status = "on track"
            return TargetView(
                pupil,
                c.id,
                None,
                list(current.milestones),
                current.due,
                True,
                status,
                current.reason,
                history,
            )
        s = self.standing(pupil, c, personal_target=current.points if current else None, detail=False)
        return TargetView(
            pupil,
            c.id,
            s.target,
            [],
            None,
            current is not None,
            s.target_status.value if s.target_status else "-",
            current.reason if current else None,
            history,
        )

    # --- gaps that linger (§2.9) ------------------------------------------------------------

    def gap_ages(self, pupil_key: str | int, curriculum_id: str) -> list[tuple[str, int]]:
        """Each gap with how many days it has been open, oldest first."""
        pupil = self.pupil(pupil_key)
        c = self.curriculum(curriculum_id)
        record = self.record(pupil.id, c.id)
        c = self.personal_curriculum(c, pupil.id, record.achieved())  # with their outcomes
        return engine.gap_ages(c, record, self.year_group(pupil), self.academic_year(), self.today())

    # --- individual learning plan (§2.12) ---------------------------------------------------

    def pin_focus(
        self,
        pupil_key: str | int,
        milestone_id: str,
        *,
        provision: str | None = None,
        curriculum_id: str | None = None,
    ) -> list[FocusItem]:
        """Pin a next step as the pupil's current focus, with a provision note."""
        self.require_change()
        pupil = self.pupil(pupil_key)
        c, m = self.pupil_milestone(pupil, milestone_id, curriculum_id)  # their outcomes too
        if m.retired:
            raise PassportError(f"{m.id} is retired (no longer taught); pin a next step or a gap.")
        if m.id in self.record(pupil.id, c.id).achieved():
            raise PassportError(f"{m.id} is already achieved; pin a next step or a gap.")
        self.store.pin_focus(
            pupil.id, c.id, m.id, by=self.user, at=self.now(), provision=(provision or "").strip() or None
        )
        return self.store.focus_items(pupil.id)

    def unpin_focus(
        self, pupil_key: str | int, milestone_id: str, curriculum_id: str | None = None
    ) -> list[FocusItem]:
        self.require_change()
        pupil = self.pupil(pupil_key)
        c, m = self.pupil_milestone(pupil, milestone_id, curriculum_id)
        pinned = self.store.focus_items(pupil.id, c.id)
        if not any(f.milestone_id == m.id for f in pinned):  # name the pupil, not their internal id
            raise NotFound(f"{m.id} is not on {pupil.name}'s focus list in {c.id}.")
        self.store.unpin_focus(pupil.id, c.id, m.id, by=self.user, at=self.now())
        return self.store.focus_items(pupil.id)

    def focus(self, pupil_key: str | int) -> list[FocusItem]:
        return self.store.focus_items(self.pupil(pupil_key).id)

    # --- the teacher's comment for the parent report -------------------------------------

    def add_teacher_comment(self, pupil_key: str | int, text: str, curriculum_id: str | None = None) -> Note:
        """Record the teacher's comment for the parent report (the latest one is shown); with
        ``curriculum_id`` it belongs to that subject's section."""
        pupil = self.pupil(pupil_key)
        self.require_change()
        text = (text or "").strip()
        if not text:
            raise PassportError("A teacher comment needs some text.")
        if curriculum_id is not None:
            self.curriculum(curriculum_id)
        assert pupil.id is not None
        return self.store.add_note(
            Note(
                pupil_id=pupil.id,
                curriculum_id=curriculum_id,
                kind=NoteKind.TEACHER_COMMENT,
                text=text,
                by=self.user,
                at=self.now(),
            )
        )

    def teacher_comments(self, pupil_key: str | int) -> list[Note]:
        """A pupil's teacher comments, oldest first."""
        pupil = self.pupil(pupil_key)
        assert pupil.id is not None
        return self.store.notes(pupil.id, NoteKind.TEACHER_COMMENT)
