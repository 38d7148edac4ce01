"""Small hand-built curricula and event streams for tests."""

from __future__ import annotations

from datetime import UTC, datetime

from passport_tui.engine import Event, PupilRecord, fold
from passport_tui.models import Curriculum, CurriculumHeader, Milestone, Stage, Strand


def make_curriculum(
    stages: list[tuple[str, int | list[int] | None, int]],
    *,
    chain: bool = True,
    cid: str = "test",
    end_points: dict[str, int] | None = None,
) -> Curriculum:
    """A curriculum with one strand; each stage ``(id, year or years or None, milestone count)``
    gets milestones ``{stage}-1 …``; with ``chain`` each milestone requires the one before it."""
    stage_models = []
    milestones: list[Milestone] = []
    prev: str | None = None
    for sid, year, n in stages:
        kwargs: dict = {}
        if isinstance(year, list):
            kwargs["years"] = year
        elif year is not None:
            kwargs["year"] = year
        if end_points and sid in end_points:
            kwargs["end_points"] = end_points[sid]
        stage_models.append(Stage(id=sid, title=sid, **kwargs))
        for k in range(1, n + 1):
            mid = f"{sid}-{k}"
            milestones.append(
                Milestone(
                    id=mid,
                    strand="s",
                    stage=sid,
                    title=f"Milestone {mid}",
                    requires=[prev] if chain and prev else [],
                )
            )
            prev = mid
    return Curriculum(
        curriculum=CurriculumHeader(id=cid, title="Test curriculum"),
        stages=stage_models,
        strands=[Strand(id="s", title="Strand")],
        milestones=milestones,
    )


def at(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


class Log:
    """Builds an event stream with increasing ids."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, milestone: str, verdict: str, when: datetime, corrects: int | None = None, by: str = "t"):
        e = Event(len(self.events) + 1, milestone, verdict, when, corrects, by)
        self.events.append(e)
        return e

    def record(self) -> PupilRecord:
        return fold(self.events)
