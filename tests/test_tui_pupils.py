"""Adding a pupil from the class grid (``N``) and erasing one from their passport (``E``), through
Textual's Pilot, pressing real keys against a real database file. Both dialogs write through the
service in a worker; what the service refuses is shown in the dialog, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from passport_tui.service import Service
from passport_tui.store import Store
from passport_tui.tui.app import make_app
from passport_tui.tui.screens.grid import GridScreen
from passport_tui.tui.screens.passport import PassportScreen
from passport_tui.tui.screens.pupil_dialogs import AddPupilScreen, ErasePupilScreen
from passport_tui.tui.widgets.grid import ClassGrid
from tests.conftest import fixed_clock
from tests.test_tui import SIZE, press, settle, type_text

SCHOOL_UPNS = ["A1", "A2", "A3", "A4", "B1", "B2"]


async def written(pilot) -> None:
    """Settle, then wait for a dialog's write to come back: its worker may be done before the
    message it posted is handled, and the dialog's answer moves on to the screen underneath."""
    await settle(pilot)
    for _ in range(50):
        if not getattr(pilot.app.screen, "busy", False):
            await pilot.pause()
            await settle(pilot)
            return
        await pilot.pause()
    raise AssertionError("the dialog's write did not come back")


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def problem(app) -> str:
    return str(app.screen.query_one("#dialog-problem").render())


def upns(svc: Service) -> list[str]:
    return sorted(p.upn for p in svc.pupils())


def staffed(school: Service, user: str) -> Service:
    """Staff for the small school: ``head`` (admin), ``ms.hughes`` (teacher of 1H), ``gov``
    (viewer); a service for ``user`` on the same file."""
    school.add_staff("head", "Mrs Head", "admin")
    school.user = "head"
    school.add_staff("ms.hughes", "Ms Hughes", "teacher", ["1H"])
    school.add_staff("gov", "A Governor", "viewer")
    return Service(Store.open(school.store.path), user=user, clock=fixed_clock)


async def open_passport(pilot, upn: str) -> PassportScreen:
    await settle(pilot)
    rows = [line.pupil.upn for line in pilot.app.screen.shown]
    await pilot.press(*["down"] * rows.index(upn), "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PassportScreen) and screen.passport is not None
    assert screen.passport.pupil.upn == upn
    return screen


# --- adding a pupil ------------------------------------------------------------------------------


async def test_a_child_without_a_upn_is_added_and_shown_in_the_grid_at_once(school: Service):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await written(pilot)
        grid = app.screen
        assert isinstance(grid, GridScreen) and len(grid.shown) == 4
        await press(pilot, "N")
        assert isinstance(app.screen, AddPupilScreen)
        assert app.screen.query_one("#pupil-class").value == "1H"  # the class being viewed
        await type_text(pilot, "Zoë Brontë")
        await press(pilot, "enter")
        await type_text(pilot, "1")
        await pilot.press("enter", "enter", "enter", "enter")  # class 1H, no UPN, no date of birth
        await written(pilot)
        assert app.screen is grid
        added = school.pupil("P0001")
        assert (added.first_name, added.last_name, added.class_name) == ("Zoë", "Brontë", "1H")
        assert school.year_group(added) == 1
        assert "Added Zoë Brontë (Year 1, class 1H) with the id P0001" in notices(app)[-1]
        assert "not a DfE UPN" in notices(app)[-1]
        # in the grid straight away, the cursor on her row
        assert [line.pupil.upn for line in grid.shown].count("P0001") == 1
        row = grid.query_one(ClassGrid).cursor_row
        assert row is not None and row.pupil_id == added.id


async def test_keys_typed_straight_after_enter_land_in_the_next_field(school: Service):
    """A quick typist over SSH, or a paste: every key is in the app's queue before the first is
    handled. Enter moves to the next field as it is read, so the '1' is the year group, not the
    end of the name ('Zoë Brontë1', as when the move waited for Enter's message)."""
    from textual import events

    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await written(pilot)
        await press(pilot, "N")
        for ch in [*"Zoë Brontë", "enter", "1", "enter", "enter", "enter"]:
            key = "space" if ch == " " else ch
            app.post_message(events.Key(key, None if ch == "enter" else ch))
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddPupilScreen)
        assert dialog.value("pupil-name") == "Zoë Brontë"
        assert dialog.value("pupil-year") == "1"
        assert app.focused is dialog.query_one("#pupil-dob")


@pytest.mark.slow  # a second add, through every field: about 2.5 s
async def test_reception_is_reception_and_a_upn_is_kept(school: Service):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await written(pilot)
        await press(pilot, "N")
        await type_text(pilot, "Rae Reed")
        await pilot.press("tab", "R", "tab", "tab", *"a123456789012", "enter", "enter")
        await written(pilot)
        assert isinstance(app.screen, GridScreen)
        assert notices(app)[-1] == "Added Rae Reed (Reception, class 1H) with UPN A123456789012."
        assert school.year_group(school.pupil("A123456789012")) == 0


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_a_bad_year_is_refused_in_the_dialog_and_nothing_is_written(school: Service):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await written(pilot)
        await press(pilot, "N")
        await type_text(pilot, "Zoë Brontë")
        await pilot.press("enter", "1", "4", "enter", "enter", "enter", "enter")
        await written(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddPupilScreen)  # still open, with what was typed
        assert problem(app) == 'Year: "14" is not a year group (R or 0 to 13, e.g. Y3 or Year 3).'
        assert "\n" not in problem(app).strip()
        assert dialog.focused is dialog.query_one("#pupil-year")
        assert dialog.query_one("#pupil-name").value == "Zoë Brontë"
        assert upns(school) == SCHOOL_UPNS
        await press(pilot, "escape")
        assert isinstance(app.screen, GridScreen)
    assert upns(school) == SCHOOL_UPNS


async def test_a_upn_taken_in_a_class_the_teacher_cannot_see_is_refused_at_the_upn(school: Service):
    """The UPN is another class's pupil's: the dialog says it is taken (and nothing of whose),
    and the cursor goes to the UPN, the field to put right."""
    teacher = staffed(school, "ms.hughes")
    app = make_app(teacher, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await written(pilot)
        await press(pilot, "N")
        await type_text(pilot, "Zed Zane")
        await pilot.press("enter", "1", "enter", "enter", "b", "1", "enter", "enter")
        await written(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddPupilScreen)
        assert problem(app).startswith(
            "UPN B1 is already on the school's roll, for a pupil not in your classes"
        )
        assert "Evans" not in problem(app) and "3K" not in problem(app)
        assert dialog.focused is dialog.query_one("#pupil-upn")
    teacher.close()
    assert upns(school) == SCHOOL_UPNS


async def test_a_busy_database_keeps_the_dialog_open_and_enter_tries_again(school: Service, monkeypatch):
    from tests.test_tui_faults import write_lock

    monkeypatch.setattr("passport_tui.tui.screens.pupil_dialogs.WRITE_WAIT_S", 0.2)
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "N")
        await type_text(pilot, "Al Ash")
        with write_lock(school.store.path):
            await pilot.press("enter", "1", "enter", "enter", "enter", "enter")
            await written(pilot)
            assert isinstance(app.screen, AddPupilScreen)
            assert problem(app).endswith("the database is busy (another program is writing to it); try again")
            assert upns(school) == SCHOOL_UPNS
        await pilot.press("enter")  # the lock has gone: the same pupil, once
        await written(pilot)
        assert isinstance(app.screen, GridScreen)
    assert upns(school) == ["A1", "A2", "A3", "A4", "B1", "B2", "P0001"]


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_on_a_busy_database_the_dialog_says_so_as_soon_as_the_grid_would(school: Service):
    """The dialog's write waits for another program's lock about a second, as a mark on the grid
    does, then says so; it did not wait the command line's ten seconds, in which Esc did
    nothing."""
    import time

    from tests.test_tui_faults import write_lock

    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "N")
        await type_text(pilot, "Al Ash")
        with write_lock(school.store.path):
            await pilot.press("enter", "1", "enter", "enter", "enter")
            started = time.monotonic()
            await pilot.press("enter")
            while app.screen.busy and time.monotonic() - started < 8:
                await pilot.pause(0.05)
            assert time.monotonic() - started < 3
            assert problem(app).endswith("the database is busy (another program is writing to it); try again")
            await press(pilot, "escape")
            assert isinstance(app.screen, GridScreen)
    assert upns(school) == SCHOOL_UPNS


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_a_teacher_adding_into_another_class_is_refused(school: Service):
    teacher = staffed(school, "ms.hughes")
    app = make_app(teacher, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await written(pilot)
        await press(pilot, "N")
        assert app.screen.query_one("#pupil-class").value == "1H"  # hers
        await type_text(pilot, "Noor Hassan")
        await pilot.press("tab", "3", "tab", "ctrl+u", "3", "K")  # the class cleared, 3K typed
        await pilot.press("enter", "enter", "enter")
        await written(pilot)
        assert isinstance(app.screen, AddPupilScreen)
        assert problem(app) == "No class '3K' among ms.hughes's classes."
        assert app.screen.focused is app.screen.query_one("#pupil-class")
        assert upns(school) == SCHOOL_UPNS
        await pilot.press("ctrl+u", "1", "H", "enter", "enter", "enter")  # her own class: added
        await written(pilot)
        assert isinstance(app.screen, GridScreen)
        assert "P0001" in [line.pupil.upn for line in app.screen.shown]
    teacher.close()
    assert school.pupil("P0001").class_name == "1H"


async def test_a_viewer_is_refused_before_the_dialog_opens(school: Service):
    viewer = staffed(school, "gov")
    app = make_app(viewer, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await written(pilot)
        await press(pilot, "N")
        assert isinstance(app.screen, GridScreen)
        assert notices(app)[-1] == "gov can view but not change anything."
    viewer.close()


# --- erasing a pupil -----------------------------------------------------------------------------


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_an_admin_erases_a_pupil_from_the_passport(school: Service):
    school.judge("A1", "1N-1", "achieved", note="counts to 20 with Ann")
    school.add_teacher_comment("A1", "Adams works hard")
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await open_passport(pilot, "A1")
        await press(pilot, "E")
        dialog = app.screen
        assert isinstance(dialog, ErasePupilScreen)
        body = str(dialog.query_one("#dialog-body").render())
        assert "Ann Adams" in body and "1 judgement," in body and "cannot be undone" in body
        await type_text(pilot, "request")
        await pilot.press("enter", *"ann  ADAMS", "enter")  # case and spaces aside
        await written(pilot)
        assert isinstance(app.screen, GridScreen)
        assert "A1" not in [line.pupil.upn for line in app.screen.shown]
        assert len(app.screen.shown) == 3
        assert notices(app)[-1].startswith("Erased Ann Adams (A1): ")
        assert notices(app)[-1].endswith("(audit line kept, no personal data).")
    assert upns(school) == ["A2", "A3", "A4", "B1", "B2"]
    assert [line.reason for line in school.erasure_log()] == ["request"]
    assert not any("Adams" in p.name for p in school.pupils())
    data = b"".join(
        p.read_bytes() for p in (school.database_path, Path(f"{school.database_path}-wal")) if p.exists()
    )
    assert b"Adams" not in data


async def test_a_teacher_cannot_erase(school: Service):
    teacher = staffed(school, "ms.hughes")
    app = make_app(teacher, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await open_passport(pilot, "A1")
        await press(pilot, "E")
        assert isinstance(app.screen, PassportScreen)  # no dialog: the service said no
        assert notices(app)[-1] == "Only an admin can erase a pupil."
    teacher.close()
    assert upns(school) == SCHOOL_UPNS


async def test_a_wrong_confirmation_erases_nothing(school: Service):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await open_passport(pilot, "A1")
        await press(pilot, "E")
        await type_text(pilot, "left")
        await pilot.press("enter", *"Ann", "enter")
        await written(pilot)
        assert isinstance(app.screen, ErasePupilScreen)
        assert problem(app) == "Nothing erased: type the pupil's name or UPN (A1) to confirm."
        await pilot.press("enter")  # again: still nothing
        await written(pilot)
        assert isinstance(app.screen, ErasePupilScreen)
        assert upns(school) == SCHOOL_UPNS
        await press(pilot, "escape")
        assert isinstance(app.screen, PassportScreen)
    assert upns(school) == SCHOOL_UPNS
    assert school.erasure_log() == []


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_a_reason_naming_the_pupil_is_refused_in_the_dialog(school: Service):
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await open_passport(pilot, "A1")
        await press(pilot, "E")
        await pilot.press(*"Ann left", "enter", "A", "1", "enter")  # the right UPN
        await written(pilot)
        assert isinstance(app.screen, ErasePupilScreen)
        assert problem(app) == (
            "Reason: the reason is kept after the erasure, so it may not hold the pupil's name or UPN."
        )
        assert app.screen.focused is app.screen.query_one("#erase-reason")
    assert upns(school) == SCHOOL_UPNS
    assert school.erasure_log() == []


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_a_hostile_name_is_shown_literally_and_erased_by_its_upn(hostile_school: Service):
    app = make_app(hostile_school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await written(pilot)
        hostile = hostile_school.pupil("H0")  # "[bold]Ann Hostile"
        await open_passport(pilot, "H0")
        await press(pilot, "E")
        title = str(app.screen.query_one("#dialog-title").render())
        assert title == "Erase [bold]Ann Hostile?"
        await type_text(pilot, "left")
        await pilot.press("enter", "h", "0", "enter")
        await written(pilot)
        assert isinstance(app.screen, GridScreen)
        assert notices(app)[-1].startswith("Erased [bold]Ann Hostile (H0): ")
    assert all(p.id != hostile.id for p in hostile_school.pupils())


# --- a pupil erased while the app shows them -------------------------------------------------------


async def test_u_after_a_bulk_mark_undoes_it_for_the_pupils_not_erased_since(school: Service):
    """A bulk mark, then one of its pupils erased (from their passport, here): u takes the mark
    back for the others, instead of refusing the whole batch over a pupil who is gone."""
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "space", "space", "a")  # Ann and Ben, 1N-1
        assert [j.verdict.value for j in school.history("A2")] == ["achieved"]
        ann = school.pupil("A1")
        school.erase_pupil("A1", "request")  # another session, or E on the passport
        await press(pilot, "u")
        assert notices(app)[-1] == "Undone: 1 retracted (1N-1); 1 pupil erased or moved since."
        assert [(j.verdict.value, j.reason) for j in school.history("A2")] == [
            ("achieved", None),
            ("retracted", "undone"),
        ]
        assert not any(f"'{ann.id}'" in n for n in notices(app))


async def test_a_passport_whose_pupil_is_erased_elsewhere_goes_back_to_the_grid(school: Service):
    """Another session erases the pupil whose passport is open: the passport says so once and
    goes back to the grid, rather than showing the pupil still and refusing every key."""
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await open_passport(pilot, "A1")
        with Service(Store.open(school.store.path), user="head", clock=fixed_clock) as other:
            other.erase_pupil("A1", "request")
        app.poll_changes()
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, GridScreen)
        assert "A1" not in [line.pupil.upn for line in app.screen.shown]
        assert notices(app)[-1] == (
            "Ann Adams is no longer on the roll you see (erased, or moved to another class)."
        )
        assert not any(n.startswith("No pupil") for n in notices(app))


# --- a small terminal -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(60, 20), (50, 16)])
async def test_at_a_small_size_the_add_dialog_scrolls_to_the_field_being_typed_in(school: Service, size):
    """A terminal made smaller with the dialog open (or opened small): the dialog scrolls, so
    the field the cursor is in, and the problem line after a refusal, can be seen."""
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await written(pilot)
        await press(pilot, "N")
        dialog = app.screen
        assert isinstance(dialog, AddPupilScreen)
        await pilot.resize_terminal(*size)
        await settle(pilot)
        box = dialog.query_one("#dialog").content_region
        for field_id in ("pupil-year", "pupil-class", "pupil-upn", "pupil-dob"):
            await pilot.press("tab")
            await settle(pilot)
            field = dialog.query_one(f"#{field_id}")
            assert dialog.focused is field
            assert box.contains_region(field.region), (field_id, box, field.region)
        await pilot.press("enter")  # on the last field: adds, and the name is missing
        await written(pilot)
        line = dialog.query_one("#dialog-problem")
        assert str(line.render()).startswith("Name: the name is missing")
        assert dialog.focused is dialog.query_one("#pupil-name")
        assert box.contains_region(dialog.query_one("#pupil-name").region)


def test_the_name_typed_to_confirm_is_the_name_however_its_accents_are_encoded():
    """A name read from a roster written on a Mac holds "e" and a combining diaeresis; what a
    keyboard types is "ë": the same name, so the erasure is confirmed."""
    from passport_tui.models import Pupil
    from passport_tui.tui.screens.pupil_dialogs import confirms

    stored = Pupil(
        upn="P0001", first_name="Zoe\u0308", last_name="Bronte\u0308", year_group=3, academic_year=2026
    )
    assert confirms("Zo\u00eb  BRONT\u00cb", stored)
    assert confirms("p0001", stored)
    assert not confirms("Zoe Bronte", stored)
    assert not confirms("", stored)


async def test_a_mark_on_a_pupil_erased_elsewhere_says_who_and_marks_the_others(school: Service):
    """Another session erases a pupil the grid still shows: a mark on them says so by name
    (not "No pupil with UPN or id '1'"), and a bulk mark still marks the others."""
    app = make_app(school, class_name="1H")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        school.erase_pupil("A1", "request")  # the grid has not read it yet
        await press(pilot, "a")  # Ann, 1N-1
        assert notices(app)[-1] == (
            "Ann Adams: no longer on the roll you see (erased, or moved to another class); nothing marked."
        )
        assert not any(n.startswith("No pupil") for n in notices(app))
        await settle(pilot)
        assert "A1" not in [line.pupil.upn for line in app.screen.shown]
        school.erase_pupil("A2", "request")
        await press(pilot, "space", "space", "a")  # Ben (gone) and Cara
        assert [j.verdict.value for j in school.history("A3")] == ["achieved"]
        assert any(n.startswith("Ben Brown: no longer on the roll") for n in notices(app))
