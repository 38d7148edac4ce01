"""The pupil passport's plan keys through Textual's Pilot, pressing real keys against a real
database file: personal outcomes (a tab of their own, marked with the same keys as any milestone,
added with ``o``) and the baseline on entry (``b``: pick the stage, give a reason, confirm; recorded
in a worker)."""

from __future__ import annotations

import threading

import pytest

from passport_tui.service import Service
from passport_tui.tui.app import make_app
from passport_tui.tui.screens.passport import PassportScreen
from passport_tui.tui.screens.plan_dialogs import BaselineScreen, OutcomeScreen
from tests.test_tui import SIZE, settle, type_text, verdicts

TITLE = "Counts 5"


async def open_passport(pilot, upn: str) -> PassportScreen:
    """From the class grid, the passport of the pupil ``upn`` (moving down to their row)."""
    await settle(pilot)
    rows = [line.pupil.upn for line in pilot.app.screen.shown]
    await pilot.press(*["down"] * rows.index(upn), "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PassportScreen) and screen.passport is not None
    assert screen.passport.pupil.upn == upn
    return screen


def outcome_lines(screen: PassportScreen) -> list[str]:
    lst = screen.query_one("#outcomes-list")
    return [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_add_an_outcome_from_the_passport_and_mark_it_with_the_usual_keys(school: Service):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_passport(pilot, "A1")
        await pilot.press("6")
        await settle(pilot)
        assert "None yet: press o to add one." in outcome_lines(screen)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeScreen)
        await pilot.press("enter")  # the area (Number, the only one) is chosen: on to the outcome
        await type_text(pilot, TITLE)
        await pilot.press("tab")
        await type_text(pilot, "EHCP")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        (view,) = school.outcomes("A1")
        assert (view.outcome.id, view.outcome.area, view.outcome.title, view.outcome.source) == (
            "PO-1",
            "n",
            TITLE,
            "EHCP",
        )
        lines = outcome_lines(screen)
        assert lines[1] == "Area: Number"
        assert lines[2].startswith("→ PO-1  Counts 5  (not assessed)") and "from EHCP" in lines[2]
        await pilot.press("a")  # the highlighted outcome, as on any tab
        await settle(pilot)
        assert verdicts(school, "A1") == [("PO-1", "achieved")]
        assert "● PO-1" in outcome_lines(screen)[2] and "(achieved 2026-11-23)" in outcome_lines(screen)[2]


@pytest.mark.slow  # two passports and a refusal: about 3 s
async def test_an_outcome_stays_achieved_is_listed_as_achieved_and_only_its_pupil_sees_it(school: Service):
    school.add_outcome("A1", "maths", area="n", title=TITLE)
    school.judge("A1", "PO-1", "achieved")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_passport(pilot, "A1")
        await pilot.press("6")
        await settle(pilot)
        notices = len(app._notifications)
        await pilot.press("n")  # achieved forever: refused, explained, nothing written
        await settle(pilot)
        assert len(app._notifications) == notices + 1
        assert "stays achieved" in list(app._notifications)[-1].message
        assert verdicts(school, "A1") == [("PO-1", "achieved")]
        # it is listed with the achieved milestones, in a stage of its own
        await pilot.press("3")
        await settle(pilot)
        ach = screen.query_one("#achieved-list")
        texts = [str(ach.get_option_at_index(i).prompt) for i in range(ach.option_count)]
        assert texts[0] == "Personal outcomes: 1 of 1" and "PO-1" in texts[1]
        # another pupil's passport does not show it
        await pilot.press("escape")
        await settle(pilot)
        other = await open_passport(pilot, "A2")
        assert "PO-1" not in other.current.standing.next
        await pilot.press("6")
        await settle(pilot)
        assert "None yet: press o to add one." in outcome_lines(other)


async def test_adding_an_outcome_needs_a_title_and_escape_adds_nothing(school: Service):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await open_passport(pilot, "A1")
        await pilot.press("o", "tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeScreen)  # still asking
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PassportScreen)
        assert school.outcomes("A1") == []


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_baseline_from_the_passport_asks_shows_the_count_confirms_and_records_in_a_worker(
    school: Service, monkeypatch
):
    threads: list[str] = []
    original = Service.baseline

    def watched(self, *args, **kwargs):
        threads.append(threading.current_thread().name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Service, "baseline", watched)
    app = make_app(school, class_name="3K")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_passport(pilot, "B2")  # Year 3, nothing recorded yet
        await pilot.press("b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, BaselineScreen)
        # the last stage below Year 3 is offered first: Year 2, all six milestones
        assert dialog.chosen == ("Y2", "Year 2", 6)
        summary = str(dialog.query_one("#baseline-summary").render())
        assert "Through Year 2: 6 milestones will be recorded as achieved." in summary
        await pilot.press("up")
        assert "Through Year 1: 3 milestones" in str(dialog.query_one("#baseline-summary").render())
        await pilot.press("down", "tab")
        await type_text(pilot, "new")
        await pilot.press("enter")  # first Enter: asks to confirm
        await settle(pilot)
        assert app.screen is dialog and dialog.confirming
        assert "Record 6 milestones as achieved for Finn Ford, through Year 2?" in str(
            dialog.query_one("#baseline-summary").render()
        )
        assert verdicts(school, "B2") == []
        await pilot.press("escape")  # back to the choice, nothing written
        assert app.screen is dialog and not dialog.confirming
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert app.screen is screen
    recorded = school.history("B2")
    assert [j.milestone_id for j in recorded] == ["1N-1", "1N-2", "1N-3", "2N-1", "2N-2", "2N-3"]
    assert {j.note for j in recorded} == {"Baseline on entry: new"}
    assert threads and threading.main_thread().name not in threads
    assert any("Baseline recorded in maths through Y2: 6 milestones" in n.message for n in app._notifications)


async def test_baseline_escape_records_nothing_and_the_help_names_the_keys(school: Service):
    app = make_app(school, class_name="3K")
    async with app.run_test(size=SIZE) as pilot:
        await open_passport(pilot, "B2")
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BaselineScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PassportScreen)
        assert school.history("B2") == []
        await pilot.press("question_mark")
        await settle(pilot)
        text = str(app.screen.query_one("#help-keys").render())
        assert "add a personal outcome" in text and "baseline on entry" in text


async def test_a_viewer_gets_a_notice_for_a_baseline_and_nothing_is_written(school: Service):
    school.add_staff("head", "Mrs Head", "admin")
    with Service(type(school.store).open(school.store.path), user="head") as head:
        head.add_staff("gov", "A Governor", "viewer")
    viewer = Service(type(school.store).open(school.store.path), user="gov", clock=school.clock)
    app = make_app(viewer, class_name="3K")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_passport(pilot, "B2")
            await pilot.press("b")
            await settle(pilot)
            await pilot.press("enter", "enter")
            await settle(pilot)
            assert isinstance(app.screen, PassportScreen)
            assert any("can view but not change" in n.message for n in app._notifications)
    finally:
        viewer.close()
    with Service(type(school.store).open(school.store.path), user="head") as head:
        assert head.history("B2") == []


async def test_an_outcomes_hostile_words_are_shown_literally(hostile_school: Service):
    from tests.conftest import HOSTILE_NAMES

    title = "[bold]Counts[/] [@click=app.quit]x[/] \x1b[31m"
    hostile_school.add_outcome("A1", "maths", area="n", title=title, source=HOSTILE_NAMES[2][0])
    app = make_app(hostile_school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_passport(pilot, "A1")
        await pilot.press("6")
        await settle(pilot)
        line = outcome_lines(screen)[2]
        assert "[bold]Counts[/] [@click=app.quit]x[/] ␛[31m" in line
        assert "from O'Brien [Y6]" in line
        assert app.is_running
