"""Tracking: points, expected, progress and flags for a class, a year group or the school, now or
at a past window (recomputed from the log), who needs support first, and group analysis."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .. import engine
from ..engine import Standing
from ..errors import NotFound
from ..models import Curriculum, Pupil
from .records import Records


@dataclass(slots=True, frozen=True)
class Steps:
    """Milestones secured in a framework without points: in all, this academic year, this window;
    and of the pupil's target (a set of milestones), how many are secured."""

    secured: int
    this_year: int
    this_window: int
    target_secured: int | None = None
    target_size: int | None = None

    @property
    def target_words(self) -> str | None:
        """``2 of 3`` (the target's milestones secured), or None without a target."""
        if self.target_size is None:
            return None
        return f"{self.target_secured} of {self.target_size}"


@dataclass(slots=True)
class TrackingRow:
    """One pupil in one curriculum on the tracking table."""

    pupil: Pupil
    curriculum_id: str
    standing: Standing
    # a framework without points (the engagement model, small steps): progress as steps secured
    # (None for a pupil not assessed in it yet)
    steps: Steps | None = None
    has_points: bool = True  # False: a framework without points

    @property
    def assessed(self) -> bool:
        """False for a pupil with no judgement of any kind yet in this curriculum: no figure is
        known (``engine.standing``)."""
        return self.standing.assessed

    @property
    def needs_support(self) -> bool:
        """Falling behind, or stalled without being ahead (never said of a pupil not assessed)."""
        flags = self.standing.flags
        Flag = engine.Flag  # noqa: N806
        return Flag.FALLING_BEHIND in flags or (Flag.STALLED in flags and Flag.EXCELLING not in flags)


@dataclass(slots=True)
class GroupAnalysis:
    """Each group against the rest in one curriculum, and the milestones where groups lag most."""

    curriculum_id: str
    window: engine.Window
    groups: list
    lags: list
    pupils: int = 0  # the pupils analysed (those following the curriculum)
    not_assessed: int = 0  # of them, with no judgement yet: counted apart, in no figure


class Tracking(Records):
    def tracking(
        self,
        *,
        class_name: str | None = None,
        year_group: int | None = None,
        window: str | None = None,
        curriculum_id: str | None = None,
    ) -> list[TrackingRow]:
        """Per pupil and curriculum: points, expected, target, progress and flags, for a class or a
        year group (or the school), now or at the end of a past window; who needs support first."""
        w = self.window(window)
        current = self.window()
        on = None if w == current else min(w.end, self.today())
        day = on or self.today()
        pupils = self.pupils(class_name)
        if year_group is not None:
            pupils = [p for p in pupils if self.year_group(p, day) == year_group]
        curricula = [self.curriculum(curriculum_id)] if curriculum_id else self.curricula()
        rows = []
        for c in curricula:
            if c.year_linked_stages:
                rows += [
                    TrackingRow(p, c.id, s)
                    for p, s in self.standings(c, pupils, on=on)
                    if s.points is not None or not s.assessed
                ]
            else:
                rows += self._steps_rows(c, pupils, w, on)
        # who needs support, then who is not assessed yet (a list of its own), then the rest
        rows.sort(
            key=lambda r: (
                0 if r.needs_support else 1 if not r.assessed else 2,
                r.pupil.last_name,
                r.pupil.first_name,
                r.curriculum_id,
            )
        )
        return rows

    def _steps_rows(
        self, c: Curriculum, pupils: list[Pupil], w: engine.Window, on: date | None
    ) -> list[TrackingRow]:
        """Rows of a framework without points: each following pupil's steps secured in all, since the
        start of the academic year and in the window (up to its end, or today)."""
        ids = [p.id for p in self.following(c, pupils) if p.id is not None]
        stand = self.stander(c, on or self.today(), pupil_ids=ids)
        rows = []
        for p, record, steps in self._steps(c, pupils, w, on):
            s = stand(p, record)
            rows.append(TrackingRow(p, c.id, s, steps if s.assessed else None, has_points=False))
        return rows

    def _steps(
        self, c: Curriculum, pupils: list[Pupil], w: engine.Window, on: date | None
    ) -> Iterator[tuple[Pupil, object, Steps]]:
        """Each pupil following ``c`` with their record and steps secured as of ``on`` (or today):
        in all, since the start of ``w``'s academic year and since the start of ``w``, a baseline
        on entry never counted as a step secured (``engine.entry``); with their target's milestones
        secured when their target in that year is a set of milestones."""
        day = on or self.today()
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
        year_start = engine.window(w.academic_year, 1, self.terms).start_moment
        targets = {
            pid: t.milestones
            for pid, t in self.store.current_targets(c.id, w.academic_year).items()
            if t.milestones
        }
        following = self.following(c, pupils)
        entries = self.store.baseline_entries(c.id, [p.id for p in following if p.id is not None], year_start)
        for p, record in self.pupil_records(c, following, on=on):
            now = record.achieved_as_of(end)
            wanted = targets.get(p.id) if p.id is not None else None
            entry = engine.entry_until(entries.get(p.id) if p.id is not None else None, end)
            yield (
                p,
                record,
                Steps(
                    len(now),
                    len(engine.secured_since(now, record.achieved_as_of(year_start), year_start, entry)),
                    len(
                        engine.secured_since(
                            now, record.achieved_as_of(w.start_moment), w.start_moment, entry
                        )
                    ),
                    sum(1 for m in wanted if m in now) if wanted else None,
                    len(wanted) if wanted else None,
                ),
            )

    def group_analysis(
        self,
        *,
        class_name: str | None = None,
        year_group: int | None = None,
        window: str | None = None,
        curriculum_id: str | None = None,
        lags_per_group: int = 2,
    ) -> GroupAnalysis:
        """Pupil premium, FSM, EAL, SEN, gender and tags, each against the rest: count, mean points,
        progress, % at or above expected, % with gaps — or, in a framework without points, steps
        secured per pupil in the window and the year and the % who secured any in the window — and
        the same window a year earlier for the same pupils; plus the milestones where each group
        lags the rest most."""
        from ..engine.groups import SMALL_GROUP, PupilFigures, group_analysis, milestone_lag

        if curriculum_id:
            c = self.curriculum(curriculum_id)
        else:
            curricula = self.curricula()
            if not curricula:
                raise NotFound("No curricula yet: import one first (passport curriculum import FILE).")
            # a subject with points first (the engagement model sorts before English and maths)
            c = next((x for x in curricula if x.year_linked_stages), curricula[0])
        w = self.window(window)
        current = self.window()

        def figures(win: engine.Window) -> list[PupilFigures]:
            on = None if win == current else min(win.end, self.today())
            pupils = self.pupils(class_name)
            if year_group is not None:  # the year group as it is in the window analysed
                pupils = [p for p in pupils if self.year_group(p, min(w.end, self.today())) == year_group]
            out = []
            if not c.year_linked_stages:
                for p, record, steps in self._steps(c, pupils, win, on):
                    out.append(
                        PupilFigures(
                            pupil=p,
                            points=None,
                            achieved=frozenset(record.achieved()),  # type: ignore[attr-defined]
                            steps_this_window=steps.this_window,
                            steps_this_year=steps.this_year,
                            assessed=engine.judged(record),
                        )
                    )
                return out
            for p, s in self.standings(c, pupils, on=on):
                out.append(
                    PupilFigures(
                        pupil=p,
                        points=s.points,
                        expected=s.expected,
                        points_at_start_of_year=s.points_start_of_year,
                        points_last_window=s.points_last_window,
                        has_gaps=bool(s.gaps),
                        achieved=s.achieved_set,
                        assessed=s.assessed,
                    )
                )
            return out

        now = figures(w)
        year_ago = figures(engine.window(w.academic_year - 1, w.term, self.terms))
        rows = group_analysis(now, year_ago)
        milestones = [m.id for m in c.milestones if not m.retired]  # a retired one is taught no more
        lags = []
        for row in rows:
            # a percentage of fewer than SMALL_GROUP pupils is left out (it says more about a child)
            found = [
                lag
                for lag in milestone_lag(now, milestones, row.group, min_pupils=SMALL_GROUP)
                if lag.lag > 0
            ]
            lags.extend(found[:lags_per_group])
        lags.sort(key=lambda lag: -lag.lag)
        return GroupAnalysis(c.id, w, rows, lags, len(now), sum(1 for f in now if not f.assessed))
