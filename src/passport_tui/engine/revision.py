"""A new version of a stored curriculum, checked against the judgements already made (DESIGN §2.1:
achieved forever). Pure: the caller passes the stored curriculum, the new one and how many
judgements each milestone id has in the log.

A milestone that has judgements may not silently disappear or change its meaning. The new file
must say what became of each one that is gone:

- ``moved = { "OLD" = "NEW" }`` in ``[curriculum]``: OLD's judgements count as NEW's from now on
  (the log keeps OLD; folding a pupil's record reads it as NEW);
- ``retired = ["OLD"]`` (or ``retired = true`` on the milestone): OLD stays, with its history, as a
  milestone no longer taught. Listed in ``retired`` but left out of the file, it keeps the stored
  definition. A milestone retired by an earlier version and left out again is kept as it was.

Moves add up over versions: the stored curriculum's moves are kept (an earlier ``A -> B`` becomes
``A -> C`` when this file moves B to C), so a file need only say what changes now.

A milestone kept under the same id is *re-meant* when its stage now covers other year groups (or,
for stages with no year, it is in another stage), or its title changed beyond a rewording: a title
counts as reworded when, ignoring case, spaces and punctuation, at least two thirds of the words of
the two titles are in common, in order (``2 * common / (old + new) >= 2/3``). A re-meant milestone
with judgements is refused (give the new meaning a new id, then move or retire the old one); a
rewording, and a move to another strand, are accepted with a warning. Milestones without judgements
change or go freely.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..models import Curriculum, Milestone
from .window import year_label

REWORDED = 2 / 3  # the least share of words a reworded title keeps
SHOWN = 20  # refused milestones listed one a line; the rest counted


@dataclass(frozen=True, slots=True)
class Refusal:
    """A milestone with judgements that the new version would drop or re-mean."""

    milestone: str
    judgements: int
    why: str


@dataclass(slots=True)
class Revision:
    """What storing a new version means: the curriculum to store (with the stored curriculum's
    moves and retired milestones carried over), what is refused, and what to tell the importer."""

    curriculum: Curriculum
    refused: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)  # moves new or re-aimed by this version
    retired: list[str] = field(default_factory=list)  # milestones this version retires
    dropped: list[str] = field(default_factory=list)  # milestones without judgements that are gone

    def summary(self) -> str | None:
        """One line on what this version changed for milestones already stored, or None."""
        parts = []
        if self.moved:
            parts.append("moved " + _some([f"{old} -> {new}" for old, new in self.moved.items()]))
        if self.retired:
            parts.append("retired " + _some(self.retired))
        if self.dropped:
            parts.append(f"dropped {len(self.dropped)} without judgements ({_some(self.dropped)})")
        return "; ".join(parts) or None


def _some(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def words(title: str) -> list[str]:
    """A title's words, ignoring case, spaces and punctuation."""
    return re.findall(r"\w+", unicodedata.normalize("NFKC", title).casefold())


def title_change(old: str, new: str) -> str | None:
    """None when two titles say the same (up to case, spaces and punctuation), "reworded" when at
    least two thirds of their words are in common in order, else "changed"."""
    a, b = words(old), words(new)
    if a == b:
        return None
    return "reworded" if SequenceMatcher(None, a, b, autojunk=False).ratio() >= REWORDED else "changed"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _years(c: Curriculum, stage_id: str) -> list[int]:
    stage = c.stage_by_id.get(stage_id)
    return stage.year_list if stage else []


def _stage_words(c: Curriculum, stage_id: str) -> str:
    years = _years(c, stage_id)
    if not years:
        return f"{stage_id} (no year group)"
    if len(years) == 1:
        return f"{stage_id} ({year_label(years[0])})"  # Reception, never "Year 0"
    if years[0] <= 0:
        return f"{stage_id} ({year_label(years[0])}-{year_label(years[-1])})"
    return f"{stage_id} (Years {years[0]}-{years[-1]})"


def _strand_title(c: Curriculum, strand_id: str) -> list[str]:
    strand = c.strand_by_id.get(strand_id)
    return words(strand.title) if strand else []


def meaning_change(
    old_c: Curriculum, old: Milestone, new_c: Curriculum, new: Milestone
) -> tuple[str | None, str | None]:
    """(why it is re-meant, or None; a warning about a lesser change, or None) for a milestone
    kept under its id."""
    old_years, new_years = _years(old_c, old.stage), _years(new_c, new.stage)
    if old_years != new_years or (not old_years and old.stage != new.stage):
        stages = f"{_stage_words(old_c, old.stage)} -> {_stage_words(new_c, new.stage)}"
        return f"its stage now means other year groups: {stages}", None
    change = title_change(old.title, new.title)
    if change == "changed":
        return f"its title changed: {_short(old.title)!r} -> {_short(new.title)!r}", None
    notes = []
    if change == "reworded":
        notes.append(f"title reworded: {_short(old.title)!r} -> {_short(new.title)!r}")
    if old.strand != new.strand and _strand_title(old_c, old.strand) != _strand_title(new_c, new.strand):
        notes.append(f"now in strand {new.strand} (was {old.strand})")
    return None, "; ".join(notes) or None


def revise(stored: Curriculum | None, new: Curriculum, judged: Mapping[str, int]) -> Revision:
    """Check ``new`` against the ``stored`` version of the same curriculum and the number of
    judgements each milestone id has (``judged``, by the id in the log) and build what to store."""
    file_moves = dict(new.curriculum.moved)
    listed = list(new.curriculum.retired)
    new_ids = new.milestone_by_id
    refused: list[Refusal] = []
    warnings: list[str] = []

    if stored is None:
        stored = Curriculum(curriculum=new.curriculum.model_copy(update={"moved": {}, "retired": []}))
    prev_moves = dict(stored.curriculum.moved)

    # the moves: the stored ones followed through this file's, then this file's own
    moves: dict[str, str] = {}
    for old, target in prev_moves.items():
        if old in file_moves:
            continue  # the file says again where it goes
        if old in new_ids:
            if judged.get(old):
                refused.append(
                    Refusal(
                        old,
                        judged[old],
                        f"an earlier version moved it to {target}, so its judgements count as "
                        f"{target}; a milestone of this file cannot take the id back (give it another)",
                    )
                )
            continue
        moves[old] = file_moves.get(target, target)
    moves.update(file_moves)

    # the judgements each stored milestone stands for: its own and those of the ids moved to it
    weight: dict[str, int] = {m.id: judged.get(m.id, 0) for m in stored.milestones}
    for old, target in prev_moves.items():
        if target in weight:
            weight[target] += judged.get(old, 0)

    kept: list[Milestone] = []
    dropped: list[str] = []
    for m in stored.milestones:
        if m.id in new_ids or m.id in file_moves:
            continue
        count = weight[m.id]
        if m.id in listed or (m.retired and count):
            kept.append(m)
        elif count:
            refused.append(Refusal(m.id, count, "left out of this file"))
        else:
            dropped.append(m.id)

    stored_ids = stored.milestone_by_id
    for ident in dict.fromkeys(listed):
        if ident in new_ids or ident in stored_ids:
            continue
        if judged.get(ident):
            refused.append(
                Refusal(
                    ident,
                    judged[ident],
                    "listed as retired, but neither this file nor the stored curriculum says what it "
                    "was; add it to the file with retired = true",
                )
            )
        else:
            warnings.append(f"retired: {ident} names no milestone here or in the stored curriculum; left out")

    carried: list[Milestone] = []
    for m in kept:
        missing = [
            f"its {what} {ref!r} is not in this file"
            for what, ref, known in (
                ("stage", m.stage, new.stage_by_id),
                ("strand", m.strand, new.strand_by_id),
            )
            if ref not in known
        ]
        if missing:
            if weight[m.id]:
                refused.append(
                    Refusal(
                        m.id, weight[m.id], f"kept as retired, but {' and '.join(missing)}; keep it there"
                    )
                )
            else:
                warnings.append(f"retired: {m.id} left out: {' and '.join(missing)} (it has no judgements)")
                dropped.append(m.id)
            continue
        carried.append(m)

    final_ids = set(new_ids) | {m.id for m in carried}
    # what a milestone kept under its id (or kept as retired) means now
    for m in stored.milestones:
        count = weight.get(m.id, 0)
        if not count or m.id not in final_ids:
            continue
        now = new_ids.get(m.id, m)
        why, note = meaning_change(stored, m, new, now)
        if why is not None:
            refused.append(Refusal(m.id, count, why))
        elif note is not None:
            warnings.append(f"{m.id} ({_judgements(count)}): {note}")

    milestones = [m.model_copy() for m in new.milestones]
    for m in carried:
        requires = [r for r in m.requires if r in final_ids]
        provenance = {k: v for k, v in m.provenance.items() if k in requires}
        milestones.append(
            m.model_copy(update={"retired": True, "requires": requires, "provenance": provenance})
        )
    header = new.curriculum.model_copy(
        update={"moved": moves, "retired": [x for x in dict.fromkeys(listed) if x in final_ids]}
    )
    final = Curriculum(curriculum=header, stages=new.stages, strands=new.strands, milestones=milestones)

    for stage in final.year_linked_stages:
        if not final.stage_sets.get(stage.id):
            warnings.append(
                f"stage {stage.id} has no milestone still taught: it counts as complete for every pupil "
                "(points pass straight through it)"
            )

    # judgements already on no milestone (a database an older import damaged): said, not refused
    orphans = {k: n for k, n in judged.items() if n and k not in final_ids and k not in moves}
    if orphans:
        warnings.append(
            f"{_judgements(sum(orphans.values()))} name {len(orphans)} milestone(s) that are in neither the "
            f"stored curriculum nor this file ({_some(sorted(orphans))}): they stay in the log but count for "
            "nothing; add them back (retired = true keeps them without teaching them) or move them"
        )

    order = stored.order
    refused.sort(key=lambda r: (order.get(r.milestone, len(order)), r.milestone))
    return Revision(
        curriculum=final,
        refused=refused,
        warnings=warnings,
        moved={k: v for k, v in moves.items() if prev_moves.get(k) != v},
        retired=[
            m.id
            for m in final.milestones
            if m.retired and not (m.id in stored_ids and stored_ids[m.id].retired)
        ],
        dropped=dropped,
    )


def _judgements(n: int) -> str:
    return f"{n} judgement{'s' if n != 1 else ''}"


def refusal_lines(c: Curriculum, refused: list[Refusal]) -> list[str]:
    """The refusal of an import, one line per milestone (the first ``SHOWN``, then a count)."""
    lines = [
        f"Refused: importing {c.id} version {c.curriculum.version} would drop or change "
        f"{len(refused)} milestone{'s' if len(refused) != 1 else ''} that have judgements; nothing was changed:"
    ]
    lines += [f"  {r.milestone}: {_judgements(r.judgements)}; {r.why}" for r in refused[:SHOWN]]
    if len(refused) > SHOWN:
        lines.append(f"  … and {len(refused) - SHOWN} more")
    lines.append(
        'Say in the file\'s [curriculum] table what became of each: moved = { "OLD" = "NEW" } when its '
        'judgements count as another milestone\'s, or retired = ["OLD"] to keep it and its history without '
        "teaching it; a milestone whose meaning changed needs a new id (then move or retire the old one)."
    )
    return lines
