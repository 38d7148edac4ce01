"""Records and standings: the judgement log folded into each pupil's state, and the engine's
reading of it (points, expected, target, flags, gaps) for one pupil or streamed for many."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from operator import itemgetter

from .. import engine
from ..engine import Event, PupilRecord, Standing
from ..engine.projection import ProjectedRecord, record_of
from ..models import Curriculum, Judgement, Pupil, Verdict
from ..moments import iso_utc
from .personal import PersonalCurricula


def as_event(j: Judgement, moved: Mapping[str, str] | None = None) -> Event:
    """A judgement as the engine's event; with a curriculum's ``moved`` map, an event on a moved
    milestone counts as the milestone it moved to."""
    return Event(
        j.id or 0,
        moved.get(j.milestone_id, j.milestone_id) if moved else j.milestone_id,
        j.verdict.value,
        j.at,
        j.corrects,
        j.by,
        override=j.verdict is Verdict.ACHIEVED and j.reason is not None,
    )


def each_record(rows: Iterable[tuple]) -> Iterator[tuple[int, PupilRecord]]:
    """Fold the store's event rows ``(pupil_id, id, milestone, verdict, at, corrects)``, ordered by
    pupil then id, into one record per pupil, yielded pupil by pupil (so a whole school never sits
    in memory at once)."""
    current: int | None = None
    record = PupilRecord()
    for pupil_id, eid, milestone, verdict, at, corrects in rows:
        if pupil_id != current:
            if current is not None:
                yield current, record
            current, record = pupil_id, PupilRecord()
        # the store writes ISO-8601 with a UTC offset, so no time zone fix-up is needed here
        record.apply_row(
            eid, milestone, verdict, datetime.fromisoformat(at) if isinstance(at, str) else at, corrects
        )
    if current is not None:
        yield current, record


def fold_rows(rows: Iterable[tuple]) -> dict[int, PupilRecord]:
    """Every pupil's record from the store's event rows, as a dict."""
    return dict(each_record(rows))


class Records(PersonalCurricula):
    # --- pathways: which curricula each pupil follows ------------------------------------------

    def default_pathway(self) -> list[str]:
        """The curricula a pupil follows unless given a pathway of their own: the school's
        setting ``default_pathway`` if an admin set one, else every curriculum with year-linked
        stages (frameworks such as the engagement model or small steps only by assignment)."""
        chosen = self.store.get_setting("default_pathway")
        if chosen:
            return list(chosen)
        return [c.id for c in self.curricula() if c.year_linked_stages]

    def pathways_of(self, pupils: list[Pupil]) -> dict[int, set[str]]:
        """Each pupil's pathway (the curricula they follow), by pupil id, from one read."""
        own = self.store.pathways()
        default: set[str] | None = None
        out: dict[int, set[str]] = {}
        for p in pupils:
            if p.id is None:
                continue
            if p.id in own:
                out[p.id] = own[p.id]
            else:
                if default is None:
                    default = set(self.default_pathway())
                out[p.id] = default
        return out

    def following(self, c: Curriculum, pupils: list[Pupil]) -> list[Pupil]:
        """The pupils whose pathway includes curriculum ``c``, in the order given."""
        paths = self.pathways_of(pupils)
        return [p for p in pupils if p.id is not None and c.id in paths.get(p.id, ())]

    def record(self, pupil_id: int, curriculum_id: str) -> PupilRecord:
        """One pupil's record in one curriculum. Internal: callers have looked the pupil up
        through ``pupil``/``pupils``, which check access."""
        return fold_rows(self.store.event_rows(curriculum_id, [pupil_id])).get(pupil_id, PupilRecord())

    def records(self, curriculum_id: str, pupil_ids: list[int] | None = None) -> dict[int, PupilRecord]:
        """Every listed pupil's record in one curriculum, folded from one pass over the log (the
        pupils the user may see, when none are listed)."""
        if self.my_classes() is None:  # every pupil is visible
            if pupil_ids is None:
                return fold_rows(self.store.event_rows(curriculum_id, None))
        else:
            visible = [p.id for p in self.pupils() if p.id is not None]
            allowed = set(visible)
            pupil_ids = visible if pupil_ids is None else [pid for pid in pupil_ids if pid in allowed]
        records = fold_rows(self.store.event_rows(curriculum_id, pupil_ids))
        for pid in pupil_ids:
            records.setdefault(pid, PupilRecord())
        return records

    def standings(
        self,
        c: Curriculum,
        pupils: list[Pupil] | None = None,
        *,
        detail: bool = False,
        on: date | None = None,
    ) -> Iterator[tuple[Pupil, Standing]]:
        """Every pupil's standing in one curriculum (all the user may see by default), streamed
        from one pass over the log: points, expected, target, flags and gaps for the tracking
        lists. ``on`` a past date gives the figures as they stood then, from the events up to that
        day."""
        today = on or self.today()
        pupils = self.following(c, self.pupils() if pupils is None else pupils)
        stand = self.stander(c, today, detail, pupil_ids=[p.id for p in pupils if p.id is not None])
        for pupil, record in self.pupil_records(c, pupils, on=on):
            yield pupil, stand(pupil, record)

    def stander(
        self,
        c: Curriculum,
        today: date,
        detail: bool = False,
        personal: Callable[[Pupil, object], Curriculum] | None = None,
        pupil_ids: list[int] | None = None,
    ) -> Callable[[Pupil, object], Standing]:
        """A function giving a pupil's standing from their record, with the personal targets,
        this window's greater-depth tests and the baselines on entry read once for the whole
        curriculum (or for ``pupil_ids``, the only pupils it will be asked about); each pupil is
        measured on ``c`` as they meet it, with their personal outcomes (``personal``, else read
        here for every pupil at once)."""
        personal = personal or self.personalizer(c)
        terms = self.terms
        entries = self.store.baseline_entries(c.id, pupil_ids, engine.progress_since(today, terms))
        w = engine.window_of(today, terms)
        targets = {
            pid: t.points
            for pid, t in self.store.current_targets(c.id, w.academic_year).items()
            if t.points is not None
        }
        depth = {
            t.pupil_id
            for t in self.store.test_scores(curriculum_id=c.id, academic_year=w.academic_year, term=w.term)
            if t.score >= 80
        }

        def stand(pupil: Pupil, record) -> Standing:
            return engine.standing(
                personal(pupil, record),
                record,
                self.year_group(pupil, today),
                today,
                terms=terms,
                detail=detail,
                personal_target=targets.get(pupil.id) if pupil.id is not None else None,
                greater_depth=pupil.id in depth,
                entry=entries.get(pupil.id) if pupil.id is not None else None,
            )

        return stand

    def pupil_records(
        self, c: Curriculum, pupils: list[Pupil] | None, *, on: date | None = None
    ) -> Iterator[tuple[Pupil, ProjectedRecord | PupilRecord | engine.FirstAchieved]]:
        """Each pupil's record in one curriculum; pupils without events get an empty record last.
        Now: read from the projections the store keeps beside the log (one compact row per pupil,
        written with each judgement), not by folding the log. ``on`` a past date: recomputed from
        the log, from the events up to the end of that day. With no pupils given, the pupils the
        user may see."""
        scoped = self.pupils() if pupils is None else pupils
        everyone = pupils is None and self.my_classes() is None
        by_id = {p.id: p for p in scoped if p.id is not None}
        ids = None if everyone else list(by_id)
        seen: set[int] = set()
        if on is None:
            for pid, value in self.store.projections(c.id, ids):
                pupil = by_id.get(pid)
                if pupil is not None:
                    seen.add(pid)
                    # a stored projection means the pupil has events: judged, whatever is left
                    yield pupil, record_of(value, judged=True)
        else:
            cutoff = iso_utc(datetime.combine(on + timedelta(days=1), time.min, tzinfo=UTC))
            for pid, group in groupby(self.store.event_rows(c.id, ids), key=itemgetter(0)):
                pupil = by_id.get(pid)
                if pupil is None:
                    continue
                seen.add(pid)
                events = [row for row in group if row[4] < cutoff]
                # the lean record is exact for a log without retractions; otherwise fold it all
                lean = engine.lean_fold(events)
                yield pupil, lean if lean is not None else fold_rows(events).get(pid, PupilRecord())
        for pid, pupil in by_id.items():
            if pid not in seen:
                yield pupil, PupilRecord()

    def standing(self, pupil: Pupil, c: Curriculum, record: PupilRecord | None = None, **kw) -> Standing:
        """One pupil's standing in one curriculum now, with their personal target and this
        window's test. ``pupil`` comes from a scoped lookup."""
        assert pupil.id is not None
        today, terms = self.today(), self.terms
        w = engine.window_of(today, terms)
        if "personal_target" not in kw:
            target = self.store.current_target(pupil.id, c.id, w.academic_year)
            kw["personal_target"] = target.points if target is not None else None
        if "greater_depth" not in kw:
            tests = self.store.test_scores(pupil.id, c.id, w.academic_year, w.term)
            kw["greater_depth"] = any(t.score >= 80 for t in tests)
        if record is None:
            record = self.record(pupil.id, c.id)
        if "entry" not in kw:
            since = engine.progress_since(today, terms)
            kw["entry"] = self.store.baseline_entries(c.id, [pupil.id], since).get(pupil.id)
        return engine.standing(
            self.personal_curriculum(c, pupil.id, record.achieved()),  # with their personal outcomes
            record,
            self.year_group(pupil, today),
            today,
            terms=terms,
            **kw,
        )
