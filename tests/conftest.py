"""Shared fixtures: real database files, a fixed clock, a small school and the demo school."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from passport_tui.curriculum import load_curriculum
from passport_tui.models import Pupil, Sen
from passport_tui.service import Service
from passport_tui.store import Store

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # autumn 2026/27

# user text that must show literally and do nothing (DESIGN §9)
HOSTILE_NAMES = [
    ("[bold]Ann", "Hostile"),
    ("[@click=app.quit]x[/]", "Clicker"),
    ("O'Brien [Y6]", "Bracket"),
    ("[a[0]]", "Index"),
    ("Esc\x1b[31mRed", "Escape"),
    ("[/b]", "Closer"),
    ("مريم", "عبد الله"),
    ("Zoë 🦊", "Emoji"),
]


@pytest.fixture(autouse=True)
def own_config_folder(tmp_path_factory, monkeypatch):
    """The app keeps a person's theme in their config folder: in tests, a folder of the test's."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setattr("passport_tui.tui.preferences.config_dir", lambda: folder)
    return folder


def fixed_clock() -> datetime:
    return NOW


def small_school(path: Path, hostile: bool = False) -> Service:
    """Class 1H (Year 1, 4 pupils) and class 3K (Year 3, 2 pupils) on the small maths curriculum."""
    svc = Service(Store.open(path), user="ms.hughes", clock=fixed_clock)
    with svc.store.transaction():
        svc.store.put_curriculum(load_curriculum(DATA / "maths.toml"))
        pupils = [
            Pupil(
                upn="A1",
                first_name="Ann",
                last_name="Adams",
                year_group=1,
                academic_year=2026,
                class_name="1H",
                gender="F",
                pupil_premium=True,
            ),
            Pupil(
                upn="A2",
                first_name="Ben",
                last_name="Brown",
                year_group=1,
                academic_year=2026,
                class_name="1H",
                gender="M",
            ),
            Pupil(
                upn="A3",
                first_name="Cara",
                last_name="Cole",
                year_group=1,
                academic_year=2026,
                class_name="1H",
                gender="F",
                sen=Sen.SUPPORT,
            ),
            Pupil(
                upn="A4",
                first_name="Dev",
                last_name="Dutta",
                year_group=1,
                academic_year=2026,
                class_name="1H",
                gender="M",
                eal=True,
            ),
            Pupil(
                upn="B1",
                first_name="Eve",
                last_name="Evans",
                year_group=3,
                academic_year=2026,
                class_name="3K",
            ),
            Pupil(
                upn="B2",
                first_name="Finn",
                last_name="Ford",
                year_group=3,
                academic_year=2026,
                class_name="3K",
            ),
        ]
        if hostile:
            pupils += [
                Pupil(
                    upn=f"H{i}",
                    first_name=first,
                    last_name=last,
                    year_group=1,
                    academic_year=2026,
                    class_name="1H",
                )
                for i, (first, last) in enumerate(HOSTILE_NAMES)
            ]
        svc.store.upsert_pupils(pupils)
    return svc


@pytest.fixture
def school(tmp_path: Path) -> Service:
    svc = small_school(tmp_path / "school.db")
    yield svc
    svc.close()


@pytest.fixture
def hostile_school(tmp_path: Path) -> Service:
    svc = small_school(tmp_path / "school.db", hostile=True)
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """The demo school, built once on the fixed date; tests get their own copy."""
    from passport_tui.service.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Service(Store.open(path), user="demo", clock=fixed_clock) as svc:
        build_demo(svc)
        svc.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Service:
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    svc = Service(Store.open(path), user="ms.hughes", clock=fixed_clock)
    yield svc
    svc.close()
