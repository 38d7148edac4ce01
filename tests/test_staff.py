"""Staff and roles: once staff exist only they may use the database; teachers judge and see only
their own classes; viewers change nothing; admins manage curricula, rosters, staff and settings."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.errors import NotAllowed, NotFound, PassportError
from passport_tui.service import Service
from passport_tui.store import Store
from passport_tui.tui.app import make_app
from passport_tui.tui.screens.grid import GridScreen
from tests.conftest import DATA, fixed_clock


@pytest.fixture
def staffed(school):
    school.add_staff("head", "Mrs Head", "admin")
    school.user = "head"
    school.add_staff("ms.hughes", "Ms Hughes", "teacher", ["1H"])
    school.add_staff("mr.okafor", "Mr Okafor", "teacher", ["1H", "3K"])
    school.add_staff("gov", "A Governor", "viewer")
    return school


def as_(school, user: str) -> Service:
    return Service(Store.open(school.store.path), user=user, clock=fixed_clock)


def test_a_fresh_database_needs_no_staff_and_the_first_must_be_an_admin(school):
    assert school.role == "admin"
    with pytest.raises(PassportError, match="Add an admin first"):
        school.add_staff("ms.hughes", "Ms Hughes", "teacher", ["1H"])


def test_an_unknown_user_is_refused(staffed):
    with pytest.raises(NotAllowed, match="not a member of staff"):
        as_(staffed, "intruder")
    result = CliRunner().invoke(cli, ["--db", str(staffed.store.path), "--as", "intruder", "pupils", "list"])
    assert result.exit_code == 1 and "not a member of staff" in result.stderr


def test_teachers_judge_and_see_only_their_own_classes(staffed):
    teacher = as_(staffed, "ms.hughes")
    assert {p.class_name for p in teacher.pupils()} == {"1H"}
    assert teacher.classes() == [("1H", 4)]
    teacher.judge("A1", "1N-1", "achieved")
    with pytest.raises(NotFound) as other_class:
        teacher.judge("B1", "1N-1", "achieved")
    with pytest.raises(NotFound) as nobody:
        teacher.judge("ZZ9", "1N-1", "achieved")
    # "not yours" reads exactly like "does not exist": a refusal tells nothing about other classes
    assert str(other_class.value).replace("B1", "X") == str(nobody.value).replace("ZZ9", "X")
    with pytest.raises(NotFound) as other:
        teacher.pupils("3K")
    with pytest.raises(NotFound) as missing:
        teacher.pupils("9Z")
    assert str(other.value).replace("3K", "X") == str(missing.value).replace("9Z", "X")
    db = str(staffed.store.path)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "--as", "ms.hughes", "judge", "B1", "1N-1", "achieved"])
    assert result.exit_code == 1 and "classes" in result.stderr
    result = runner.invoke(cli, ["--db", db, "--as", "ms.hughes", "show", "B2"])
    assert result.exit_code == 1
    result = runner.invoke(
        cli, ["--db", db, "--as", "ms.hughes", "transfer", "export", "--class", "3K", "-o", "3K.json"]
    )
    assert result.exit_code == 1 and "3K" in result.stderr
    result = runner.invoke(cli, ["--db", db, "--as", "mr.okafor", "judge", "B1", "1N-1", "achieved"])
    assert result.exit_code == 0, result.stderr


def test_viewers_change_nothing_and_only_admins_manage(staffed):
    viewer = as_(staffed, "gov")
    assert len(viewer.pupils()) == 6  # viewers may look at every class
    with pytest.raises(NotAllowed, match="view but not change"):
        viewer.judge("A1", "1N-1", "achieved")
    with pytest.raises(NotAllowed):
        viewer.record_test("A1", "maths", 50)
    teacher = as_(staffed, "ms.hughes")
    with pytest.raises(NotAllowed, match="Only an admin"):
        teacher.import_curriculum(DATA / "maths.toml")
    with pytest.raises(NotAllowed, match="Only an admin"):
        teacher.set_term_dates((1, 5), (4, 20))
    with pytest.raises(NotAllowed, match="Only an admin"):
        teacher.add_staff("x", "X", "viewer")
    with pytest.raises(PassportError, match="no admin"):
        staffed.remove_staff("head")


def test_only_the_recorder_or_an_admin_retracts(staffed):
    as_(staffed, "ms.hughes").judge("A1", "1N-1", "achieved")
    with pytest.raises(NotAllowed, match="Only the teacher who recorded"):
        as_(staffed, "mr.okafor").retract("A1", "1N-1", "wrong pupil")
    staffed.retract("A1", "1N-1", "wrong pupil")  # the admin may


def test_staff_cli(staffed):
    db = str(staffed.store.path)
    result = CliRunner().invoke(cli, ["--db", db, "--as", "head", "staff", "list", "--json"])
    assert result.exit_code == 0
    assert {r["username"]: r["role"] for r in __import__("json").loads(result.output)}["gov"] == "viewer"
    result = CliRunner().invoke(
        cli, ["--db", db, "--as", "ms.hughes", "staff", "add", "x", "--name", "X", "--role", "admin"]
    )
    assert result.exit_code == 1 and "Only an admin" in result.stderr


async def test_a_teacher_opens_the_app_on_their_own_class(staffed):
    app = make_app(as_(staffed, "ms.hughes"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # the grid is read in a worker
        await pilot.pause()
        assert isinstance(app.screen, GridScreen)
        assert app.screen.view.class_name == "1H"
        assert {line.pupil.class_name for line in app.screen.lines} == {"1H"}


async def test_a_teacher_cannot_open_another_class_in_the_app(staffed):
    app = make_app(as_(staffed, "ms.hughes"), class_name="3K")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # the grid is read in a worker
        await pilot.pause()
        assert isinstance(app.screen, GridScreen)
        assert app.screen.view.class_name == "1H"
        assert {line.pupil.class_name for line in app.screen.lines} == {"1H"}


def test_teachers_cannot_import_rosters_or_passports_or_export_other_classes(staffed, tmp_path):
    db = str(staffed.store.path)
    runner = CliRunner()
    out = tmp_path / "x.json"
    assert (
        runner.invoke(
            cli, ["--db", db, "--as", "head", "transfer", "export", "--class", "3K", "-o", str(out)]
        ).exit_code
        == 0
    )
    result = runner.invoke(cli, ["--db", db, "--as", "ms.hughes", "transfer", "import", str(out)])
    assert result.exit_code == 1 and "Only an admin" in result.stderr
    for args in (["report", "--class", "3K"], ["export", "tracking", "--class", "3K", "-o", "-"]):
        result = runner.invoke(cli, ["--db", db, "--as", "ms.hughes", *args])
        assert result.exit_code == 1, (args, result.output)
