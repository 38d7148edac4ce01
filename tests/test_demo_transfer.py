"""The demo's log reads true in time as well as in order: no achievement is dated before one it
needs (unless an override reason says why), so the demo school's passport file moves to another
school whole, as a real school's would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import fixed_clock


@pytest.fixture(scope="module")
def demo_school(demo_file: Path, tmp_path_factory) -> Service:
    path = tmp_path_factory.mktemp("demo-transfer") / "demo.db"
    shutil.copy(demo_file, path)
    svc = Service(Store.open(path), user="demo", clock=fixed_clock)
    yield svc
    svc.close()


def test_no_achievement_is_dated_before_one_it_needs(demo_school: Service) -> None:
    store = demo_school.store
    wrong: list[str] = []
    for pupil in store.pupils():
        for c in store.curricula():
            # the log in time order, as a passport file carries it
            events = sorted(store.judgements(pupil.id, c.id), key=lambda j: (j.at, j.id))
            secured: set[str] = set()
            for j in events:
                if j.verdict.value != "achieved":
                    continue
                m = c.milestone_by_id.get(j.milestone_id)
                unmet = [r for r in (m.requires if m else []) if r not in secured]
                if unmet and not j.reason:
                    wrong.append(
                        f"{pupil.upn} {c.id} {j.milestone_id} at {j.at:%Y-%m-%d %H:%M} before {unmet}"
                    )
                secured.add(j.milestone_id)
    assert wrong == []


def test_the_demo_moves_to_another_school_whole(demo_school: Service, tmp_path: Path) -> None:
    file = tmp_path / "demo.passport.json"
    with file.open("w", encoding="utf-8") as out:
        written = demo_school.export_passports_to(out)
    other = Service(Store.open(tmp_path / "other.db"), user="head", clock=fixed_clock)
    try:
        summary = other.import_passports(file)
        assert summary.events_added == written.events
        assert summary.events_left_out == 0
        # the receiving school follows each child in what the sending school did: the SEN pupils'
        # PSP, the PMLD pupil's engagement model and small steps
        assert summary.pathways_given and summary.warnings == []
        for pupil in demo_school.store.pupils():
            sent, received = demo_school.pathway(pupil.upn), other.pathway(pupil.upn)
            assert (received.curricula, received.default) == (sent.curricula, sent.default), pupil.upn
        assert tracked(other) == tracked(demo_school)
        again = other.import_passports(file)
        assert (again.events_added, again.events_already_here) == (0, written.events)
        assert not again.changed and again.warnings == []
    finally:
        other.close()


def tracked(svc: Service) -> list[tuple[object, ...]]:
    """The tracking table as a school sees it, less the classes (a new pupil comes without one)."""
    rows = [(r.pupil.upn, r.curriculum_id, r.standing, r.steps) for r in svc.tracking()]
    return sorted(rows, key=lambda row: (row[0], row[1]))
