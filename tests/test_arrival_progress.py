"""A pupil who arrives mid-year is baselined on entry: the baseline is where they started, never
progress (engine.entry). Everywhere progress shows — the service's tracking and groups, ``passport
tracking`` and ``groups``, the tracking CSV, the app's tracking screen, the parent report and the
school report — a pupil baselined in January at 12 points who then secured 2 shows +2 this year,
not +5 (12 − 9 + 2: the baseline counted as progress from an empty start).

The school (a real SQLite file; today is 10 March 2027, spring): class 2A, Year 2, five girls and
five boys on maths and the engagement model. Everyone but the two arrivals finished Year 1 last
summer and has secured nothing this year. Zoë joined in January: baselined (by default on the last
day of autumn) through Year 1 and through the engagement model's exploration, then secured two
Year 2 milestones and two realisation steps. Ava joined on 1 February: baselined that day through
Year 1 (and judged not yet on an engagement model indicator), then secured one Year 2 milestone."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from passport_tui import engine
from passport_tui.cli.context import PassportGroup
from passport_tui.cli.export import export
from passport_tui.cli.tracking import groups, tracking
from passport_tui.curriculum import load_curriculum
from passport_tui.models import Pupil
from passport_tui.reports import school_report
from passport_tui.reports.parent import pupil_report
from passport_tui.resources import sample_curricula_dir
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import DATA, fixed_clock

TODAY = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)  # spring 2026/27
GIRLS = ["Zoë", "Ava", "Gail", "Hana", "Iris"]
BOYS = ["Ben", "Carl", "Dan", "Eli", "Finn"]
YEAR_1 = ["1N-1", "1N-2", "1N-3"]


def noon(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, tzinfo=UTC)


@pytest.fixture
def arrivals(tmp_path: Path) -> Service:
    svc = Service(Store.open(tmp_path / "school.db"), user="ms.hughes", clock=lambda: TODAY)
    with svc.store.transaction():
        svc.store.put_curriculum(load_curriculum(DATA / "maths.toml"))
        svc.store.put_curriculum(load_curriculum(sample_curricula_dir() / "engagement-model.toml"))
        svc.store.upsert_pupils(
            [
                Pupil(
                    upn=f"P{i}",
                    first_name=first,
                    last_name="Test",
                    year_group=2,
                    academic_year=2026,
                    class_name="2A",
                    gender="F" if first in GIRLS else "M",
                )
                for i, first in enumerate(GIRLS + BOYS)
            ]
        )
    for i, _first in enumerate(GIRLS + BOYS):
        svc.set_pathway(f"P{i}", ["maths", "engagement-model"])
        if i >= 2:  # everyone but the two arrivals: Year 1 and one indicator, last year
            for mid in YEAR_1:
                svc.judge(f"P{i}", mid, "achieved", at=noon(2026, 6, 1))
            svc.judge(f"P{i}", "EXP-1", "achieved", at=noon(2026, 6, 1))
    # Zoë: baselined in January (dated, by default, the last day of autumn)
    assert svc.baseline_moment() == noon(2026, 12, 31)
    svc.baseline("P0", "maths", "Y1", reason="joined in January")
    svc.baseline("P0", "engagement-model", "EXP", reason="joined in January")
    svc.judge("P0", "2N-1", "achieved", at=noon(2027, 1, 20))
    svc.judge("P0", "2N-2", "achieved", at=noon(2027, 2, 10))
    svc.judge("P0", "REA-1", "achieved", at=noon(2027, 1, 25))
    svc.judge("P0", "REA-2", "achieved", at=noon(2027, 2, 15))
    # Ava: baselined on the day she joined, in this window
    svc.baseline("P1", "maths", "Y1", reason="joined on 1 February", at=noon(2027, 2, 1))
    # and judged in the engagement model that day: assessed there, with nothing secured yet
    svc.judge("P1", "EXP-1", "not-yet", at=noon(2027, 2, 1))
    svc.judge("P1", "2N-1", "achieved", at=noon(2027, 2, 20))
    yield svc
    svc.close()


def rows_by_name(svc: Service, **kw) -> dict[tuple[str, str], object]:
    return {(r.pupil.first_name, r.curriculum_id): r for r in svc.tracking(class_name="2A", **kw)}


def test_the_tracking_rows_count_only_what_was_secured_after_the_baseline(arrivals: Service) -> None:
    rows = rows_by_name(arrivals)
    zoe = rows["Zoë", "maths"].standing
    assert zoe.points == 14  # the baseline's 12 and two thirds of Year 2
    assert (zoe.points_start_of_year, zoe.progress_this_year, zoe.progress_last_window) == (12, 2, 2)
    assert engine.Flag.STALLED not in zoe.flags  # not here in autumn
    ava = rows["Ava", "maths"].standing
    assert (ava.points, ava.progress_this_year, ava.progress_last_window) == (13, 1, 1)  # not +4 and +4
    steps = rows["Zoë", "engagement-model"].steps
    assert (steps.secured, steps.this_year, steps.this_window) == (11, 2, 2)  # 9 from the baseline
    gail = rows["Gail", "maths"].standing  # no baseline: as before
    assert (gail.points, gail.progress_this_year) == (12, 0) and engine.Flag.STALLED in gail.flags
    # the engine alone, without the baseline, counted it as progress: the wrong figures this fixes
    record = arrivals.record(rows["Zoë", "maths"].pupil.id, "maths")
    blind = engine.standing(arrivals.curriculum("maths"), record, 2, TODAY.date())
    assert blind.progress_this_year == 5


def test_a_past_windows_figures_leave_out_a_baseline_recorded_after_it(arrivals: Service) -> None:
    rows = rows_by_name(arrivals, window="2026-autumn")  # recomputed from the log
    zoe = rows["Zoë", "maths"].standing
    assert (zoe.points, zoe.progress_this_year, zoe.progress_last_window) == (12, 0, 0)
    ava = rows["Ava", "maths"].standing  # not here yet: no judgement then, so not assessed then
    assert not ava.assessed and (ava.points, ava.progress_this_year, ava.flags) == (None, None, [])
    assert rows["Zoë", "engagement-model"].steps.this_year == 0


def test_the_group_analysis_means_leave_the_baseline_out(arrivals: Service) -> None:
    a = arrivals.group_analysis(class_name="2A", curriculum_id="maths")
    girls = next(r for r in a.groups if r.group == "girls")
    # Zoë +2, Ava +1, three girls +0: 0.6 a girl (counting the baselines it was (5 + 4) / 5 = 1.8)
    assert (girls.members.count, girls.members.mean_progress_year) == (5, 0.6)
    assert (girls.rest.count, girls.rest.mean_progress_year) == (5, 0.0)
    assert girls.members.mean_progress_window == 0.6
    steps = arrivals.group_analysis(class_name="2A", curriculum_id="engagement-model")
    girls = next(r for r in steps.groups if r.group == "girls")
    assert (girls.members.mean_steps_year, girls.members.mean_steps_window) == (0.4, 0.4)  # Zoë's 2 / 5


def root_with(svc: Service, *commands: click.Command) -> click.Group:
    """The commands under a root whose open service keeps the test's clock."""

    @click.group(cls=PassportGroup)
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = {"db": str(svc.store.path), "as": None, "service": svc, "class": None}

    for command in commands:
        root.add_command(command)
    return root


def test_the_tracking_and_groups_commands(arrivals: Service) -> None:
    root = root_with(arrivals, tracking, groups)
    result = CliRunner().invoke(root, ["tracking", "--class", "2A", "--json"])
    assert result.exit_code == 0, result.output
    lines = {(d["name"], d["curriculum"]): d for d in json.loads(result.stdout)}
    zoe = lines["Zoë Test", "maths"]
    assert (zoe["points"], zoe["progress_this_year"], zoe["progress_last_window"]) == (14, 2, 2)
    assert lines["Ava Test", "maths"]["progress_this_year"] == 1
    assert lines["Zoë Test", "engagement-model"]["steps_this_year"] == 2
    shown = CliRunner().invoke(root, ["tracking", "--class", "2A", "--curriculum", "maths"]).stdout
    line = next(line for line in shown.splitlines() if "Zoë Test" in line)
    assert re.search(r"\b14\s+14\s+15\s+\+?2\s+\+?2\b", line), line  # points, expected, target, +yr, +win
    result = CliRunner().invoke(root, ["groups", "--class", "2A", "--curriculum", "maths", "--json"])
    assert result.exit_code == 0, result.output
    (analysis,) = json.loads(result.stdout)
    girls = next(g for g in analysis["groups"] if g["group"] == "girls")
    assert girls["group_figures"]["progress_this_year"] == 0.6


def test_the_tracking_csv(arrivals: Service, tmp_path: Path) -> None:
    out = tmp_path / "tracking.csv"
    result = CliRunner().invoke(root_with(arrivals, export), ["export", "tracking", "-o", str(out)])
    assert result.exit_code == 0, (result.output, result.stderr)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    by = {(r["Forename"], r["Curriculum"]): r for r in rows}
    zoe = by["Zoë", "maths"]
    assert (zoe["Points"], zoe["Progress this year"], zoe["Progress this window"]) == ("14", "2", "2")
    assert by["Ava", "maths"]["Progress this year"] == "1"
    assert by["Zoë", "engagement-model"]["Steps secured this year"] == "2"


async def test_the_apps_tracking_screen(arrivals: Service) -> None:
    from passport_tui.tui.app import make_app
    from passport_tui.tui.screens.tracking import TrackingScreen

    app = make_app(arrivals, class_name="2A")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.push_screen(TrackingScreen(arrivals, app.glyphs, "2A", "maths"))
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        screen = app.screen
        headers = [c.header for c in screen.columns]
        table = screen.query_one("#tracking-table")
        cells = {
            str(table.get_row_at(i)[0]): [str(v) for v in table.get_row_at(i)] for i in range(table.row_count)
        }
        zoe, ava = cells["Test, Zoë"], cells["Test, Ava"]
        assert (zoe[headers.index("+Yr")], zoe[headers.index("+Win")]) == ("+2", "+2")
        assert ava[headers.index("+Yr")] == "+1"


def test_the_parent_report_lists_only_what_was_secured_here(arrivals: Service) -> None:
    report = pupil_report(arrivals, "P0", since=date(2027, 1, 1))
    maths = next(s for s in report.subjects if "Maths" in s.title)
    assert maths.secured == ["Count in steps of 2, 3 and 5", "Place value in 2-digit numbers"]
    assert maths.secured_words.startswith("Zoë secured 2 ")
    assert maths.baseline is not None and "3 steps as already secured" in maths.baseline
    model = next(s for s in report.subjects if "engagement" in s.title.lower())
    assert model.steps is not None and model.steps.startswith("Zoë secured 2 new steps this term (11 in all)")


def test_the_school_report(arrivals: Service) -> None:
    html = school_report(arrivals)

    def row(section: str, group: str) -> list[str]:
        """The numeric cells of ``group``'s row in the table whose caption holds ``section``."""
        part = html[html.index(section) :]
        part = part[: part.index("</table>")]
        found = re.search(rf'<th scope="row">{group}</th>(.*?)</tr>', part, re.S)
        assert found, (section, group)
        return re.findall(r'<td class="num">([^<]*)</td>', found.group(1))

    maths = row("Group analysis: Maths", "girls")
    assert "0.6 / 0.0" in maths, maths  # progress this year, girls / others
    model = row("Group analysis: The engagement model", "girls")
    assert "0.4 / 0.0" in model, model  # steps per pupil this year
    # 2A: 10 pupils, 2 steps this term, 0.2 a pupil this term and this year (not 1.1: 11 / 10)
    assert row("The engagement model</caption>", "2A") == ["10", "2", "0.2", "0.2", "1 of 10 (10%)"]


def test_the_demos_new_arrival_baselined_on_31_august_is_measured_as_before(demo: Service) -> None:
    """The demo's new arrival in 2H was baselined on 31 August, before the year began: the
    baseline is already where the year starts, so their figures are what they were."""
    (pupil,) = {
        p.upn: p for p in demo.pupils() if any(engine.is_baseline(j.note) for j in demo.history(p.upn))
    }.values()
    entry_days = {j.at.date() for j in demo.history(pupil.upn) if engine.is_baseline(j.note)}
    assert entry_days == {date(2026, 8, 31)}
    rows = [r for r in demo.tracking(class_name="2H") if r.pupil.upn == pupil.upn]
    assert rows
    for r in rows:
        record = demo.record(pupil.id, r.curriculum_id)
        blind = engine.standing(
            demo.curriculum(r.curriculum_id), record, r.standing.year_group, fixed_clock().date()
        )
        s = r.standing
        assert (s.points_start_of_year, s.progress_this_year, s.progress_last_window) == (
            blind.points_start_of_year,
            blind.progress_this_year,
            blind.progress_last_window,
        )
        assert (engine.Flag.STALLED in s.flags) == (engine.Flag.STALLED in blind.flags)


# --- the store: a baseline found from its partial index ------------------------------------------


def test_the_store_finds_each_pupils_baseline_from_its_own_index(school: Service, tmp_path: Path) -> None:
    school.judge("A1", "1N-1", "achieved", note="Baseline? no: secured in class")
    done = school.baseline("A1", "maths", "Y1", reason="joined in November")
    school.baseline("B1", "maths", "Y1")
    a1, b1 = school.pupil("A1").id, school.pupil("B1").id
    moment = school.baseline_moment()
    assert {j.milestone_id for j in done} == {"1N-2", "1N-3"}  # 1N-1 was secured already
    assert school.store.baseline_entries("maths") == {
        a1: {"1N-2": moment, "1N-3": moment},
        b1: {"1N-1": moment, "1N-2": moment, "1N-3": moment},
    }
    assert school.store.baseline_entries("maths", [b1]) == {
        b1: {"1N-1": moment, "1N-2": moment, "1N-3": moment}
    }
    assert school.store.baseline_entries("other") == {}
    assert school.store.baseline_entries("maths", [b1], since=moment) == school.store.baseline_entries(
        "maths", [b1]
    )
    assert school.store.baseline_entries("maths", since=moment + timedelta(seconds=1)) == {}
    plan = school.store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT 1 FROM judgements WHERE curriculum_id = 'maths' AND "
        "verdict = 'achieved' AND substr(note, 1, 17) = 'Baseline on entry'"
    ).fetchall()
    assert any("judgements_baseline" in row[-1] for row in plan), plan
    # a new version of the curriculum moves 1N-2 to 1N-2a: the baseline reads as the new id
    from tests.test_curriculum_changes import version

    moved = version(
        "2",
        drop=("1N-2",),
        add=(school.curriculum("maths").milestone_by_id["1N-2"].model_copy(update={"id": "1N-2a"}),),
        change={"1N-3": {"requires": ["1N-2a"]}},
        moved={"1N-2": "1N-2a"},
    )
    with school.store.transaction():
        school.store.put_curriculum(moved)
    assert school.store.baseline_entries("maths", [a1]) == {a1: {"1N-2a": moment, "1N-3": moment}}


def test_a_file_of_schema_10_gets_the_baseline_index(tmp_path: Path) -> None:
    import sqlite3

    from passport_tui.store import SCHEMA_VERSION

    path = tmp_path / "old.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX judgements_baseline")
        conn.execute("PRAGMA user_version = 10")
    with Store.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        (sql,) = store.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'judgements_baseline'"
        ).fetchone()
        assert "WHERE verdict = 'achieved' AND substr(note, 1, 17) = 'Baseline on entry'" in sql
        assert store.baseline_entries("maths") == {}


def test_a_note_typed_by_hand_is_never_taken_for_a_baseline(tmp_path: Path) -> None:
    from passport_tui.errors import PassportError
    from tests.conftest import small_school

    svc = small_school(tmp_path / "s.db")
    try:
        rows = svc.store.conn.execute("SELECT count(*) FROM judgements").fetchone()
        with pytest.raises(PassportError, match="those words mark a baseline"):
            svc.judge("A1", "1N-1", "achieved", note="Baseline on entry: she knew it")
        a1 = svc.pupil("A1").id
        with pytest.raises(PassportError, match="those words mark a baseline"):
            svc.judge_many([a1], "maths", "1N-1", "achieved", note="Baseline on entry")
        assert svc.store.conn.execute("SELECT count(*) FROM judgements").fetchone() == rows
        svc.judge("A1", "1N-1", "achieved", note="baseline on entry, she said")  # other words are fine
    finally:
        svc.close()
