"""The termly cycle's use cases: test scores, targets, moderation, focus items and gap ages.

Part of the service layer (``Service`` inherits them); every figure is derived from the judgement
log plus the few facts a teacher enters here, never stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from . import engine
from .engine.moderation import AchievedJudgement, ModerationState, moderation_sample, moderation_state
from .errors import FileProblems, NotFound, PassportError, Problem, ReasonRequired
from .models import (
    Curriculum,
    FocusItem,
    Judgement,
    ModerationAction,
    ModerationEvent,
    Pupil,
    Target,
    TestScore,
)

if TYPE_CHECKING:
    from .service import Service

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


@dataclass(slots=True)
class ModerationItem:
    judgement: Judgement
    pupil: Pupil
    state: ModerationState


class TermlyCycle:
    """Mixed into ``Service``."""

    # --- tests (§2.7) -----------------------------------------------------------------------

    def record_test(
        self: Service,
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
                pupil_id=pupil.id,  # type: ignore[arg-type]
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

    def import_tests(
        self: Service, path, *, curriculum_id: str | None = None, window: str | None = None
    ) -> int:
        """Import test scores from a CSV (UPN, Score, and Curriculum unless given); one transaction.
        Every bad row is reported (``FileProblems``, by row number) and then nothing is written."""
        self.require_change()
        from .interop.tests_csv import scan_test_scores

        default_window = self.window(window)
        if curriculum_id is not None:
            self.curriculum(curriculum_id)  # an unknown --curriculum is one refusal, not one per row
        rows, problems = scan_test_scores(path, curriculum_id=curriculum_id)
        scores = []

        for row in rows:
            pupil = self.store.pupil(row.upn)
            where = (str(path), row.line)
            if pupil is None or pupil.upn != row.upn:  # a UPN, never a pupil's internal id
                problems.append(Problem(*where, f"no pupil with UPN {row.upn!r}"))
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
                    pupil_id=pupil.id,  # type: ignore[arg-type]
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

    def test_results(
        self: Service,
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
                t = scores[p.id]  # type: ignore[index]
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
        self: Service,
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
        unknown = [m for m in milestones or [] if m not in c.milestone_by_id]
        if unknown:
            raise NotFound(f"No milestone {', '.join(unknown)} in curriculum {c.id!r}.")
        self.store.set_target(
            Target(
                pupil_id=pupil.id,  # type: ignore[arg-type]
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

    def personal_targets(self: Service, c: Curriculum) -> dict[int, Target]:
        return self.store.current_targets(c.id, self.academic_year())

    def target(self: Service, pupil_key: str | int, curriculum_id: str) -> TargetView:
        pupil = self.pupil(pupil_key)
        c = self.curriculum(curriculum_id)
        current = self.store.current_target(pupil.id, c.id, self.academic_year())  # type: ignore[arg-type]
        history = self.store.targets(pupil.id, c.id)  # type: ignore[arg-type]
        if current is not None and current.milestones:
            record = self.record(pupil.id, c.id)  # type: ignore[arg-type]
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

    def gap_ages(self: Service, pupil_key: str | int, curriculum_id: str) -> list[tuple[str, int]]:
        """Each gap with how many days it has been open, oldest first."""
        pupil = self.pupil(pupil_key)
        c = self.curriculum(curriculum_id)
        record = self.record(pupil.id, c.id)  # type: ignore[arg-type]
        return engine.gap_ages(c, record, self.year_group(pupil), self.academic_year(), self.today())

    # --- moderation (§2.11) -----------------------------------------------------------------

    def draw_moderation_sample(
        self: Service,
        *,
        class_name: str | None,
        curriculum_id: str,
        window: str | None = None,
        size: int = 10,
    ) -> list[ModerationItem]:
        """Draw a random sample of a class's achieved judgements in a window for a second member of
        staff to confirm or query; the draw is recorded. It is deterministic (the same judgements,
        class, curriculum and window give the same draw); judgements already drawn or moderated are
        left out, so drawing again adds a further sample."""
        self.require_change()
        c = self.curriculum(curriculum_id)
        w = self.window(window)
        pupils = self.pupils(class_name)
        pool = self.store.achieved_judgements(
            curriculum_id=c.id,
            pupil_ids=[p.id for p in pupils if p.id is not None],
            since=w.start_moment,
            until=w.end_moment,
        )
        already = {e.judgement_id for e in self.store.moderation_events([j.id for j in pool if j.id])}
        candidates = [
            AchievedJudgement(j.id, j.pupil_id, j.milestone_id, j.by) for j in pool if j.id not in already
        ]
        chosen = moderation_sample(candidates, size, seed=f"{class_name}-{c.id}-{w.key}")
        with self.store.transaction():
            for a in chosen:
                self.store.add_moderation(
                    ModerationEvent(
                        judgement_id=a.event_id, action=ModerationAction.SAMPLED, by=self.user, at=self.now()
                    )
                )
        return self.moderation(judgement_ids=[a.event_id for a in chosen])

    def moderate(self: Service, judgement_id: int, action: str, note: str | None = None) -> ModerationItem:
        """Confirm, query (with a note) or resolve (with a note) a sampled judgement."""
        self.require_change()
        words = {
            "confirm": ModerationAction.CONFIRMED,
            "query": ModerationAction.QUERIED,
            "resolve": ModerationAction.RESOLVED,
        }
        if action not in words:
            raise PassportError(f"Moderation is confirm, query or resolve, not {action!r}.")
        j = self.store.judgement(judgement_id)
        if j is None or j.verdict.value != "achieved":
            raise NotFound(f"No achieved judgement {judgement_id}.")
        event = ModerationEvent(
            judgement_id=judgement_id,
            action=words[action],
            by=self.user,
            at=self.now(),
            note=(note or "").strip() or None,
        )
        history = self.store.moderation_events([judgement_id])
        moderation_state([*history, event], recorded_by=j.by)  # raises if the rules refuse it
        self.store.add_moderation(event)
        return self.moderation(judgement_ids=[judgement_id])[0]

    def moderation(
        self: Service,
        *,
        judgement_ids: list[int] | None = None,
        class_name: str | None = None,
        open_only: bool = False,
    ) -> list[ModerationItem]:
        """Moderated judgements with their status; queried ones (listed until resolved) first."""
        events = self.store.moderation_events(judgement_ids)
        by_judgement: dict[int, list[ModerationEvent]] = {}
        for e in events:
            by_judgement.setdefault(e.judgement_id, []).append(e)
        if not by_judgement:
            return []
        judgements = self.store.judgements_by_id(by_judgement)
        pupils = {p.id: p for p in self.pupils(class_name)}
        out = []
        for jid, evs in by_judgement.items():
            j = judgements.get(jid)
            if j is None or j.pupil_id not in pupils:
                continue
            state = moderation_state(evs, recorded_by=j.by)
            if open_only and not state.listed:
                continue
            out.append(ModerationItem(j, pupils[j.pupil_id], state))
        out.sort(key=lambda item: (not item.state.listed, item.judgement.id or 0))
        return out

    # --- individual learning plan (§2.12) ---------------------------------------------------

    def pin_focus(
        self: Service,
        pupil_key: str | int,
        milestone_id: str,
        *,
        provision: str | None = None,
        curriculum_id: str | None = None,
    ) -> list[FocusItem]:
        """Pin a next step as the pupil's current focus, with a provision note."""
        self.require_change()
        pupil = self.pupil(pupil_key)
        c, m = self.milestone(milestone_id, curriculum_id)
        if m.id in self.record(pupil.id, c.id).achieved():  # type: ignore[arg-type]
            raise PassportError(f"{m.id} is already achieved; pin a next step or a gap.")
        self.store.pin_focus(
            pupil.id, c.id, m.id, by=self.user, at=self.now(), provision=(provision or "").strip() or None
        )
        return self.store.focus_items(pupil.id)  # type: ignore[arg-type]

    def unpin_focus(
        self: Service, pupil_key: str | int, milestone_id: str, curriculum_id: str | None = None
    ) -> list[FocusItem]:
        self.require_change()
        pupil = self.pupil(pupil_key)
        c, m = self.milestone(milestone_id, curriculum_id)
        pinned = self.store.focus_items(pupil.id, c.id)  # type: ignore[arg-type]
        if not any(f.milestone_id == m.id for f in pinned):  # name the pupil, not their internal id
            raise NotFound(f"{m.id} is not on {pupil.name}'s focus list in {c.id}.")
        self.store.unpin_focus(pupil.id, c.id, m.id, by=self.user, at=self.now())  # type: ignore[arg-type]
        return self.store.focus_items(pupil.id)  # type: ignore[arg-type]

    def focus(self: Service, pupil_key: str | int) -> list[FocusItem]:
        return self.store.focus_items(self.pupil(pupil_key).id)  # type: ignore[arg-type]
