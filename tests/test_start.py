"""The first run of the app on an empty database (issue 12): pick curricula from the shipped ones,
add a child, set a baseline, land on the child's passport and mark a milestone — real keys from an
empty file, no CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from passport_tui.service import Service
from passport_tui.store import Store
from passport_tui.tui.app import make_app
from passport_tui.tui.screens.grid import GridScreen
from passport_tui.tui.screens.passport import PassportScreen
from passport_tui.tui.screens.start import StartScreen
from tests.conftest import fixed_clock
from tests.test_tui import SIZE, press, settle, type_text


@pytest.fixture
def empty(tmp_path: Path):
    svc = Service(Store.open(tmp_path / "family.db"), user="mum", clock=fixed_clock)
    yield svc
    svc.close()


@pytest.mark.slow  # imports two shipped curricula and records a baseline: about 3 s
async def test_from_an_empty_file_to_a_marked_milestone(empty: Service):
    app = make_app(empty, ascii_only=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StartScreen)
        ticked = screen.query_one("#curricula-list").ticked
        assert ticked == {"key-maths", "key-english"}  # the key milestones, ticked to begin with
        # untick English (second in the list), on with mathematics only
        await press(pilot, "down", "space", "enter")
        assert screen.step == "child" and screen.chosen == ["key-maths"]
        await type_text(pilot, "Zoë Brontë")
        await press(pilot, "enter")
        await type_text(pilot, "3")
        await press(pilot, "enter", "enter")  # no date of birth
        assert screen.step == "baseline"
        # Nothing yet, Reception, Year 1, Year 2 (the year before theirs): secure through Year 2
        await press(pilot, "down", "down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PassportScreen)
        (zoe,) = empty.pupils()
        assert (zoe.upn, zoe.name, empty.year_group(zoe)) == ("P0001", "Zoë Brontë", 3)
        assert [c.id for c in empty.curricula()] == ["key-maths"]
        baseline = {j.milestone_id for j in empty.history(zoe.upn)}
        assert baseline and all(m.startswith(("R-", "1", "2")) for m in baseline)
        assert "P0001" in str(app.screen.query_one("#passport-title").render())
        await press(pilot, "a")  # the first next step: a Year 3 milestone
        marked = [j for j in empty.history(zoe.upn) if j.milestone_id not in baseline]
        assert [(j.milestone_id[:1], j.verdict.value) for j in marked] == [("3", "achieved")]
        await press(pilot, "escape")
        assert isinstance(app.screen, GridScreen)


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_each_step_goes_back_and_bad_details_are_explained_in_place(empty: Service):
    app = make_app(empty, ascii_only=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await press(pilot, "space", "down", "space", "enter")  # untick both: nothing chosen
        assert screen.step == "curricula"
        assert "Tick at least one curriculum" in str(screen.query_one("#start-problem").render())
        await press(pilot, "space", "enter")
        assert screen.step == "child"
        await type_text(pilot, "Ann")
        await press(pilot, "enter")
        await type_text(pilot, "Year 20")
        await press(pilot, "enter", "enter")
        assert screen.step == "child"
        assert "is not a year group" in str(screen.query_one("#start-problem").render())
        assert app.focused is not None and app.focused.id == "child-year"
        await press(pilot, "escape")
        assert screen.step == "curricula"
        await press(pilot, "escape")  # leaving the first step: the empty grid, nothing written
        assert isinstance(app.screen, GridScreen)
        assert empty.pupils() == [] and empty.curricula() == []


async def test_a_database_with_pupils_opens_on_the_grid(school):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, GridScreen)


async def test_a_teacher_on_an_empty_school_gets_the_grid_not_the_first_run(empty: Service):
    head = Service(empty.store, user="head", clock=fixed_clock)
    assert head.needs_start()
    head.add_staff("head", "Head", "admin")
    head.add_staff("mum", "Ms Teacher", "teacher", ["1H"])
    assert head.needs_start() and not empty.needs_start()


@pytest.mark.slow  # over 2.5 s on the 2-core machine
async def test_a_name_that_looks_like_markup_is_shown_as_typed(empty: Service):
    app = make_app(empty, ascii_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        await type_text(pilot, "[@click=app.quit]x[/] O'Brien [Y6]")
        await press(pilot, "enter")
        await type_text(pilot, "R")
        await press(pilot, "enter", "enter")
        screen = app.screen
        assert isinstance(screen, StartScreen) and screen.step == "baseline" and app.is_running
        assert "Has [@click=app.quit]x[/] O'Brien [Y6] secured" in str(
            screen.query_one("#baseline-help").render()
        )
        assert " > " in str(screen.query_one("#start-steps").render())  # ASCII glyphs
