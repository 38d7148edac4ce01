"""Judging: recording achieved, not yet, revisit and retractions, one pupil or a column of the
grid at a time. A judgement is decided by the engine and appended inside one write transaction,
so two teachers marking the same pupil at once are both checked against the latest state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from .. import engine
from ..errors import JudgementRefused, NotFound, OutcomeRetired, PassportError, ReasonRequired
from ..models import Curriculum, Judgement, Pupil, Verdict
from .records import Records, as_event

VERDICT_WORDS = {
    "achieved": Verdict.ACHIEVED,
    "not-yet": Verdict.NOT_YET,
    "not_yet": Verdict.NOT_YET,
    "notyet": Verdict.NOT_YET,
    "retracted": Verdict.RETRACTED,
    "revisit": Verdict.REVISIT,
}


# the note every judgement of a baseline on entry carries (then ": " and the reason, if any): it
# marks the judgement as where the pupil started, never progress (engine.entry)
BASELINE_NOTE = engine.BASELINE_NOTE


@dataclass(slots=True)
class Outcome:
    """What happened to one judgement of a bulk action."""

    pupil: Pupil
    judgement: Judgement | None = None
    refusal: JudgementRefused | None = None
    already: bool = False  # already achieved (and not due a revisit): nothing recorded


def verdict_of(word: str) -> Verdict:
    try:
        return VERDICT_WORDS[word]
    except KeyError:
        raise PassportError(
            f"A judgement is achieved, not-yet, revisit or retracted, not {word!r}."
        ) from None


class Judging(Records):
    def judge(
        self,
        pupil_key: str | int,
        milestone_id: str,
        verdict: str,
        *,
        curriculum_id: str | None = None,
        note: str | None = None,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> Judgement:
        """Record one judgement (achieved, not yet, retracted, revisit) if the rules allow it."""
        pupil = self.pupil(pupil_key)
        self.require_change()
        _refuse_baseline_words(note)
        c, m = self.pupil_milestone(pupil, milestone_id, curriculum_id)  # their outcomes too
        v = verdict_of(verdict)
        with self.store.transaction():
            self._refuse_retired(pupil, c, m.id, v)
            return self._judge_one(pupil, c, m.id, v, note, reason, at)

    def retract(
        self, pupil_key: str | int, milestone_id: str, reason: str, curriculum_id: str | None = None
    ) -> Judgement:
        return self.judge(pupil_key, milestone_id, "retracted", curriculum_id=curriculum_id, reason=reason)

    def retract_many(
        self, pupil_ids: list[int], curriculum_id: str, milestone_id: str, reason: str
    ) -> list[Outcome]:
        """Retract one milestone's achievement for several pupils in one transaction (a bulk
        mark undone). The checks of ``retract`` for each pupil: every pupil reachable before
        anything is written (one the user may not reach refuses the whole batch), a reason, and
        only the recorder of the achievement or an admin (else the whole batch is refused and
        nothing is written); a pupil with nothing achieved to retract is reported as a refusal,
        the others are retracted."""
        if not (reason or "").strip():
            raise ReasonRequired("A retraction")
        return self.judge_many(pupil_ids, curriculum_id, milestone_id, "retracted", reason=reason)

    def judge_many(
        self,
        pupil_ids: list[int],
        curriculum_id: str,
        milestone_id: str,
        verdict: str,
        *,
        note: str | None = None,
        reason: str | None = None,
    ) -> list[Outcome]:
        """Mark one milestone for several pupils in one transaction; each refusal is reported, the
        others are recorded. Marking a column achieved skips pupils who already have it secured
        (unless it is due a revisit, when it is a re-confirmation). Every pupil is checked before
        anything is written: one pupil the user may not reach refuses the whole batch. A pupil's
        personal outcome is judged for that one pupil only (another pupil's outcome of the same id
        is another outcome)."""
        self.require_change()
        _refuse_baseline_words(note)
        try:
            c, m = self.milestone(milestone_id, curriculum_id)
            personal = False
        except NotFound:
            if len(pupil_ids) != 1:
                raise
            personal = True
        v = verdict_of(verdict)
        pupils = [self.pupil(pid) for pid in pupil_ids]
        if personal:
            c, m = self.pupil_milestone(pupils[0], milestone_id, curriculum_id)
        out: list[Outcome] = []
        with self.store.transaction():
            if personal:
                self._refuse_retired(pupils[0], c, m.id, v)
            for pupil in pupils:
                assert pupil.id is not None
                if v is Verdict.ACHIEVED and len(pupils) > 1:
                    state = self.record(pupil.id, c.id).get(m.id)
                    if state is not None and state.achieved and not state.revisit:
                        out.append(Outcome(pupil, already=True))
                        continue
                try:
                    out.append(Outcome(pupil, self._judge_one(pupil, c, m.id, v, note, reason, None)))
                except JudgementRefused as refusal:
                    out.append(Outcome(pupil, refusal=refusal))
        return out

    def _refuse_retired(self, pupil: Pupil, c: Curriculum, milestone_id: str, verdict: Verdict) -> None:
        """A retired personal outcome is no longer judged; an achievement of it recorded in error
        can still be retracted."""
        if verdict is Verdict.RETRACTED or milestone_id in self.store.curriculum(c.id).milestone_by_id:
            return
        assert pupil.id is not None
        for o in self.store.outcomes(pupil.id, c.id):
            if o.id == milestone_id and o.retired:
                assert o.retired_at is not None
                raise OutcomeRetired(
                    f"{o.id} ({o.title}) was retired on {o.retired_at.date().isoformat()} "
                    f"({o.retired_reason}); it is kept with its history but no longer judged."
                )

    def _judge_one(
        self,
        pupil: Pupil,
        c: Curriculum,
        milestone_id: str,
        verdict: Verdict,
        note: str | None,
        reason: str | None,
        at: datetime | None,
    ) -> Judgement:
        """Decide and append one judgement; the caller has checked access and holds the write
        transaction."""
        assert pupil.id is not None
        now = self.now()
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        if verdict is Verdict.RETRACTED:
            # who recorded each achievement decides who may retract it (the recorder or an admin)
            moved = c.curriculum.moved
            record = engine.fold(as_event(j, moved) for j in self.store.judgements(pupil.id, c.id))
        else:
            record = self.record(pupil.id, c.id)
        decision = engine.decide(
            c,
            record,
            milestone_id,
            verdict.value,
            now=now,
            at=at,
            reason=reason,
            actor=self.user,
            actor_is_admin=self.role == "admin",
        )
        return self.store.append_judgement(
            Judgement(
                pupil_id=pupil.id,
                curriculum_id=c.id,
                milestone_id=milestone_id,
                verdict=Verdict(decision.verdict),
                by=self.user,
                at=at or now,
                note=(note or "").strip() or None,
                reason=decision.reason,
                corrects=decision.corrects,
            )
        )

    def baseline(
        self,
        pupil_key: str | int,
        curriculum_id: str,
        through_stage: str,
        *,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> list[Judgement]:
        """Baseline on entry: record every milestone of ``curriculum_id`` up to and including the
        stage ``through_stage`` as achieved, in one transaction, each judgement carrying the note
        "Baseline on entry" (and the reason), so the history says where they came from. Milestones
        already achieved are left as they are; prerequisites are met in stage order.

        A baseline is where the pupil started here, not progress made here: it is dated ``at``, by
        default noon on the last day of the window before this one (so this window's progress, and
        the "stalled" flag, count only what is secured after it); when it was written is kept as
        ``recorded_at``."""
        pupil = self.pupil(pupil_key)
        self.require_change()
        c = self.curriculum(curriculum_id)
        stage_ids = [st.id for st in c.stages]
        if through_stage not in stage_ids:
            raise NotFound(
                f"No stage {through_stage!r} in curriculum {c.id!r} (stages: {', '.join(stage_ids)})."
            )
        note = BASELINE_NOTE + (f": {reason.strip()}" if reason and reason.strip() else "")
        assert pupil.id is not None
        out: list[Judgement] = []
        with self.store.transaction():
            record = self.record(pupil.id, c.id)
            achieved = record.achieved()
            now = self.baseline_moment() if at is None else at
            if now > self.now():
                raise PassportError("A baseline can't be dated in the future.")
            for mid in engine.baseline_milestones(c, achieved, through_stage):
                m = c.milestone_by_id[mid]
                unmet = [r for r in m.requires if r not in achieved]
                j = self.store.append_judgement(
                    Judgement(
                        pupil_id=pupil.id,
                        curriculum_id=c.id,
                        milestone_id=m.id,
                        verdict=Verdict.ACHIEVED,
                        by=self.user,
                        at=now,
                        note=note,
                        # a link into a later stage is overridden, with the baseline as its reason
                        reason=note if unmet else None,
                    )
                )
                achieved.add(m.id)
                out.append(j)
        return out

    def baseline_moment(self) -> datetime:
        """When a baseline recorded today is dated: noon UTC on the last day of the window before
        the current one."""
        before = engine.previous_window(self.window(), self.terms)
        return datetime.combine(before.end, time(12), UTC)

    def history(self, pupil_key: str | int) -> list[Judgement]:
        """Every judgement of a pupil, oldest first (who judged what, when)."""
        pupil = self.pupil(pupil_key)
        assert pupil.id is not None
        return self.store.judgements(pupil.id)


def _refuse_baseline_words(note: str | None) -> None:
    """A note's first words "Baseline on entry" mark a baseline (never counted as progress):
    only ``baseline`` writes them, so a judgement typed by hand is never taken for one."""
    if engine.is_baseline(note):
        raise PassportError(
            f"A note may not begin {BASELINE_NOTE!r}: those words mark a baseline; "
            "record one with 'passport baseline' (or b on the passport)."
        )
