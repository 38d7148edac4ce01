"""Moderation (DESIGN §2.11): a random sample of a class's achieved judgements in a window, and a
second member of staff's confirm, query and resolve. Status is shown, never silently changed."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.moderation import AchievedJudgement, ModerationState, moderation_sample, moderation_state
from ..errors import NotFound, PassportError
from ..models import Judgement, ModerationAction, ModerationEvent, Pupil
from .records import Records


@dataclass(slots=True)
class ModerationItem:
    judgement: Judgement
    pupil: Pupil
    state: ModerationState
    title: str | None = None  # the milestone's (or the pupil's personal outcome's) title


class Moderation(Records):
    # --- moderation (§2.11) -----------------------------------------------------------------

    def draw_moderation_sample(
        self,
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
        pupils = self.following(c, self.pupils(class_name))
        pool = self.store.achieved_judgements(
            curriculum_id=c.id,
            pupil_ids=[p.id for p in pupils if p.id is not None],
            since=w.start_moment,
            until=w.end_moment,
        )
        already = {e.judgement_id for e in self.store.moderation_events([j.id for j in pool if j.id])}
        # one judgement per pupil and milestone (the first; a re-confirmation is the same
        # judgement made again), and none of a milestone already drawn for that pupil
        drawn = {(j.pupil_id, j.milestone_id) for j in pool if j.id in already}
        candidates: list[AchievedJudgement] = []
        for j in sorted(pool, key=lambda j: (j.at, j.id or 0)):
            key = (j.pupil_id, j.milestone_id)
            if key in drawn or j.id is None:
                continue
            drawn.add(key)
            candidates.append(AchievedJudgement(j.id, j.pupil_id, j.milestone_id, j.by))
        chosen = moderation_sample(candidates, size, seed=f"{class_name}-{c.id}-{w.key}")
        with self.store.transaction():
            for a in chosen:
                self.store.add_moderation(
                    ModerationEvent(
                        judgement_id=a.event_id, action=ModerationAction.SAMPLED, by=self.user, at=self.now()
                    )
                )
        return self.moderation(judgement_ids=[a.event_id for a in chosen])

    def moderate(self, judgement_id: int, action: str, note: str | None = None) -> ModerationItem:
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
        pupil = self._moderatable(j)
        if j is None or pupil is None:
            # one message for "no such judgement", "not achieved" and "not your class"
            raise NotFound(f"No achieved judgement {judgement_id} that {self.user} can moderate.")
        event = ModerationEvent(
            judgement_id=judgement_id,
            action=words[action],
            by=self.user,
            at=self.now(),
            note=(note or "").strip() or None,
        )
        history = self.store.moderation_events([judgement_id])
        state = moderation_state([*history, event], recorded_by=j.by)  # raises if the rules refuse it
        self.store.add_moderation(event)
        return ModerationItem(
            j, pupil, state, self.milestone_title(pupil.id or 0, j.curriculum_id, j.milestone_id)
        )

    def _moderatable(self, j: Judgement | None) -> Pupil | None:
        """The pupil of an achieved judgement the user may moderate, else None."""
        if j is None or j.verdict.value != "achieved":
            return None
        try:
            return self.pupil(j.pupil_id)
        except NotFound:
            return None

    def moderation(
        self,
        *,
        judgement_ids: list[int] | None = None,
        class_name: str | None = None,
        open_only: bool = False,
    ) -> list[ModerationItem]:
        """Moderated judgements with their status; queried ones (listed until resolved) first."""
        pupils = {p.id: p for p in self.pupils(class_name)}  # a class the user may not see is refused
        events = self.store.moderation_events(judgement_ids)
        by_judgement: dict[int, list[ModerationEvent]] = {}
        for e in events:
            by_judgement.setdefault(e.judgement_id, []).append(e)
        if not by_judgement:
            return []
        judgements = self.store.judgements_by_id(by_judgement)
        out = []
        for jid, evs in by_judgement.items():
            j = judgements.get(jid)
            if j is None or j.pupil_id not in pupils:
                continue
            state = moderation_state(evs, recorded_by=j.by)
            if open_only and not state.listed:
                continue
            title = self.milestone_title(j.pupil_id, j.curriculum_id, j.milestone_id)
            out.append(ModerationItem(j, pupils[j.pupil_id], state, title))
        out.sort(key=lambda item: (not item.state.listed, item.judgement.id or 0))
        return out
