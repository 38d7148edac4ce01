"""A baseline on entry is where a pupil started here, never progress made here.

A pupil who joins with learning already secured is given a baseline on entry (``passport
baseline``): every milestone up to a stage recorded achieved in one batch, each judgement's note
starting "Baseline on entry". Those milestones count in the pupil's points like any other (points
say where a pupil is), but progress — points or steps gained since the start of the year or of a
window — is measured from where the pupil started:

- the starting point of a span that begins at a moment ``since`` is what was achieved then, plus
  every milestone a baseline on entry recorded from then on that is still achieved: for a pupil who
  arrived in January and was baselined at 20 points, progress this year is points now minus 20 (what
  was secured here), never "+20";
- a baseline recorded before ``since`` is already in what was achieved then: a pupil baselined on
  31 August is measured from the start of the year like everyone else;
- a pupil with no baseline is measured exactly as before;
- "stalled" says a whole window gained nothing; a pupil baselined in the window (or since) was not
  here for all of it, so it is not said of them for that window.

``entry`` below maps each milestone a baseline on entry recorded achieved to when it was recorded
(the judgement's ``at``), for one pupil in one curriculum.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import datetime

# the note every judgement of a baseline on entry carries (then ": " and the reason, if any)
BASELINE_NOTE = "Baseline on entry"

Entry = Mapping[str, datetime]


def is_baseline(note: str | None) -> bool:
    """Whether a judgement with this note is part of a baseline on entry."""
    return note is not None and note.startswith(BASELINE_NOTE)


def entry_until(entry: Entry | None, moment: datetime) -> Entry:
    """The part of ``entry`` recorded strictly before ``moment`` (the figures of a past day leave
    out a baseline recorded after it)."""
    if not entry:
        return {}
    return {m: at for m, at in entry.items() if at < moment}


def starting_point(
    achieved_then: Set[str], since: datetime, achieved_now: Set[str], entry: Entry | None
) -> Set[str]:
    """What progress since ``since`` is measured from: the milestones achieved at ``since``, and
    each milestone a baseline on entry recorded at or after ``since`` that is still achieved now.
    Without a baseline since then, ``achieved_then`` itself."""
    if not entry:
        return achieved_then
    joined = {m for m, at in entry.items() if at >= since and m in achieved_now and m not in achieved_then}
    return achieved_then | joined if joined else achieved_then


def secured_since(
    achieved_now: Set[str], achieved_then: Set[str], since: datetime, entry: Entry | None
) -> set[str]:
    """The steps secured since ``since``: achieved now, not then, and not by a baseline on entry."""
    return set(achieved_now) - starting_point(achieved_then, since, achieved_now, entry)


def joined_since(entry: Entry | None, since: datetime) -> bool:
    """Whether a baseline on entry was recorded at or after ``since``: the pupil was not here for
    the whole of a span that starts then."""
    return bool(entry) and max(entry.values()) >= since  # type: ignore[union-attr]
