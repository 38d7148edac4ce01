"""Writer processes for the concurrency and crash tests, and the school they write to."""

from __future__ import annotations

from pathlib import Path

from passport_tui.curriculum import load_curriculum
from passport_tui.models import Pupil
from passport_tui.store import Store

WRITER = Path(__file__).parent / "writer.py"


def flat_curriculum_toml(milestones: list[str]) -> str:
    """A curriculum "flat" whose milestones have no prerequisites (any order is allowed)."""
    head = (
        '[curriculum]\nid = "flat"\ntitle = "Flat"\nversion = "1"\n\n'
        '[[stages]]\nid = "Y1"\ntitle = "Year 1"\nyear = 1\n\n'
        '[[strands]]\nid = "n"\ntitle = "Number"\n'
    )
    body = "".join(
        f'\n[[milestones]]\nid = "{m}"\nstrand = "n"\nstage = "Y1"\ntitle = "Milestone {m}"\n'
        for m in milestones
    )
    return head + body


def flat_school(path: Path, pupils: dict[str, list[str]], milestones: list[str]) -> None:
    """A database at ``path`` with the flat curriculum and pupils by class: {class: [upn, ...]}."""
    toml = path.with_suffix(".toml")
    toml.write_text(flat_curriculum_toml(milestones))
    with Store.open(path) as store, store.transaction():
        store.put_curriculum(load_curriculum(toml))
        store.upsert_pupils(
            [
                Pupil(
                    upn=upn,
                    first_name=f"First{upn}",
                    last_name=f"Last{upn}",
                    year_group=1,
                    academic_year=2026,
                    class_name=class_name,
                )
                for class_name, upns in pupils.items()
                for upn in upns
            ]
        )
