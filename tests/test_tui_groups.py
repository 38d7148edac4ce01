"""The tracking screen's group analysis as drawn: each figure under its own measure and side
(the group, the rest), every measure readable at 120 columns, and at 80 a whole measure at a
time with the group's name kept at the left — never a column cut at an edge."""

from __future__ import annotations

import pytest

from passport_tui.engine import GroupFigures
from passport_tui.service import Service
from passport_tui.tui.app import make_app
from passport_tui.tui.screens.tracking import GroupsTable, TrackingScreen
from tests.test_tui import press, settle


def table_as_drawn(table: GroupsTable) -> dict[str, dict[tuple[str, str], str]]:
    """Each row of the table as drawn: group name → {(measure, side): the text under it}. A
    measure's name is on the first header line over its first column; the side on the second."""
    lines = [table.render_line(y).text for y in range(table.size.height)]
    assert all(len(line) <= table.size.width for line in lines)
    spans, x = [], 0
    for column in table.ordered_columns:
        width = column.get_render_width(table)
        spans.append((x, x + width))
        x += width
    heads, measure = [], ""
    for a, b in spans[1:]:
        measure = lines[0][a:b].strip() or measure
        heads.append((measure, lines[1][a:b].strip()))
    a, b = spans[0]
    return {
        line[a:b].strip(): {head: line[c:d].strip() for head, (c, d) in zip(heads, spans[1:], strict=True)}
        for line in lines[2:]
        if line[a:b].strip()
    }


def one(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def share(f: GroupFigures, value: float | None) -> str:
    """A percentage, or for fewer than five pupils their count."""
    return f"n={f.count}" if f.count < 5 else one(value)


def expected(svc: Service) -> dict[str, dict[tuple[str, str], str]]:
    """What the table must say, from the service's figures for class 4O in English."""
    analysis = svc.group_analysis(class_name="4O", window=svc.window().key, curriculum_id="key-english")
    rows = {}
    for g in analysis.groups:
        figures = {}
        for side, f in (("group", g.members), ("rest", g.rest)):
            figures[("Pupils", side)] = str(f.count)
            figures[("Points", side)] = one(f.mean_points)
            figures[("% exp", side)] = share(f, f.pct_at_expected)
            figures[("Progress", side)] = one(f.mean_progress_year, signed=True)
            figures[("% gaps", side)] = share(f, f.pct_with_gaps)
        assert g.year_ago is not None
        figures[("Year ago", "points")] = one(g.year_ago.mean_points)
        figures[("Year ago", "% exp")] = share(g.year_ago, g.year_ago.pct_at_expected)
        rows[g.group] = figures
    return rows


async def open_groups(pilot) -> GroupsTable:
    app = pilot.app
    await settle(pilot)
    app.push_screen(TrackingScreen(app.service, app.glyphs, "4O", "key-english"))
    await settle(pilot)
    await press(pilot, "tab", "right", "tab")  # the Groups tab, then into its table
    table = app.screen.query_one(GroupsTable)
    assert app.focused is table
    return table


async def test_at_120_columns_every_figure_sits_under_its_measure_and_side(demo):
    want = expected(demo)
    assert {"EAL", "SEN support"} <= set(want)  # groups of 4 and of 3 pupils: counts
    assert want["SEN support"][("% exp", "group")].startswith("n=")
    app = make_app(demo, ascii_only=False, class_name="4O")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_groups(pilot)
        assert table_as_drawn(table) == want  # every measure at once
        assert "more" not in table.render_line(1).text


@pytest.mark.slow  # over 1.6 s: the README's test command stays under 3 minutes
async def test_at_80_columns_whole_measures_scroll_in_with_the_group_kept(demo):
    want = expected(demo)
    app = make_app(demo, ascii_only=False, class_name="4O")
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_groups(pilot)
        seen: dict[str, dict] = {group: {} for group in want}
        pages = []
        while True:
            drawn = table_as_drawn(table)
            assert set(drawn) == set(want)  # the group's name stays
            for group, figures in drawn.items():
                assert figures.items() <= want[group].items()  # each under its own header
                # whole measures only: a measure shown is shown with all its columns
                measures = {measure for measure, _ in figures}
                assert {k for k in want[group] if k[0] in measures} == set(figures)
                seen[group].update(figures)
            pages.append(table.render_line(1).text.split("  ")[0].strip())
            if "▸" not in pages[-1]:
                break
            await press(pilot, "right")
            assert len(pages) < 10
        assert seen == want  # every figure reached
        assert pages[0] == "more ▸" and pages[-1] == "◂ more" and len(pages) > 1
        await press(pilot, *["left"] * len(pages))
        assert table.render_line(1).text.split("  ")[0].strip() == "more ▸"


async def test_a_long_tag_is_cut_in_its_column_and_the_figures_stay_in_place(demo):
    pupil = demo.pupils("4O")[0]
    with demo.store.transaction():
        demo.store.upsert_pupils([pupil.model_copy(update={"tags": ["a-very-long-intervention-group-name"]})])
    app = make_app(demo, ascii_only=False, class_name="4O")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_groups(pilot)
        drawn = table_as_drawn(table)
        cut = next(name for name in drawn if name.startswith("tag:a-very"))
        assert cut.endswith("…") and len(cut) <= 22
        assert drawn[cut][("Pupils", "group")] == "1"
        assert drawn["girls"] == expected(demo)["girls"]
