"""DESIGN §2.10: group analysis — each group against the rest, with hand-computed figures."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from passport_tui.engine import GroupFigures, PupilFigures, group_analysis, groups_of, milestone_lag
from passport_tui.engine.groups import GROUP_ORDER, one_decimal
from passport_tui.models import Pupil, Sen


def pupil(n: int, **attributes) -> Pupil:
    return Pupil(
        id=n,
        upn=f"U{n}",
        first_name="Pupil",
        last_name=str(n),
        year_group=3,
        academic_year=2026,
        **attributes,
    )


def fig(
    p: Pupil,
    points: int | None,
    expected: int | None = 14,
    start: int | None = None,
    last: int | None = None,
    gaps: bool = False,
    achieved: set[str] | None = None,
) -> PupilFigures:
    return PupilFigures(p, points, expected, start, last, gaps, frozenset(achieved or ()))


def row(rows, group: str):
    (found,) = [r for r in rows if r.group == group]
    return found


NOTHING = GroupFigures(0, 0, None, None, None, None, None)


# --- who is in which group --------------------------------------------------------------------


def test_groups_of_a_pupil_in_the_fixed_order():
    p = pupil(
        1,
        pupil_premium=True,
        fsm=True,
        eal=True,
        sen=Sen.EHCP,
        gender="F",
        tags=["nurture", "choir", "nurture"],
    )
    assert groups_of(p) == [
        "pupil premium",
        "FSM",
        "EAL",
        "SEN (any)",
        "EHCP",
        "girls",
        "tag:choir",
        "tag:nurture",
    ]
    assert groups_of(pupil(2, sen=Sen.SUPPORT, gender="M")) == ["SEN (any)", "SEN support", "boys"]
    assert groups_of(pupil(3, gender="male")) == ["boys"]
    assert groups_of(pupil(4, gender="Girl")) == ["girls"]
    assert groups_of(pupil(5, gender="X")) == []
    assert groups_of(pupil(6)) == []


def test_one_decimal_rounds_half_away_from_zero_exactly():
    assert one_decimal(49, 4) == 12.3  # 12.25 (round() would give 12.2)
    assert one_decimal(-1, 4) == -0.3  # -0.25
    assert one_decimal(200, 3) == 66.7
    assert one_decimal(100, 3) == 33.3
    assert one_decimal(0, 7) == 0.0


# --- the worked example -----------------------------------------------------------------------

# id  PP  gender  points  expected  start  last  gaps
#  1  PP  F       14      14        12     13    -
#  2  PP  M       12      14        12     12    gap
#  3  -   F       15      14        12     14    -
#  4  -   M       13      14        11     12    gap
#  5  -   F       16      14        13     15    -
CLASS = [
    fig(pupil(1, pupil_premium=True, gender="F"), 14, 14, 12, 13),
    fig(pupil(2, pupil_premium=True, gender="M"), 12, 14, 12, 12, gaps=True),
    fig(pupil(3, gender="F"), 15, 14, 12, 14),
    fig(pupil(4, gender="M"), 13, 14, 11, 12, gaps=True),
    fig(pupil(5, gender="F"), 16, 14, 13, 15),
]


def test_group_analysis_worked_example():
    rows = group_analysis(CLASS)
    assert [r.group for r in rows] == ["pupil premium", "girls", "boys"]

    pp = row(rows, "pupil premium")
    # pupils 1, 2: points (14 + 12) / 2 = 13; progress this year (2 + 0) / 2 = 1; since the last
    # window (1 + 0) / 2 = 0.5; at expected 1 of 2; with gaps 1 of 2
    assert pp.members == GroupFigures(2, 2, 13.0, 1.0, 0.5, 50.0, 50.0)
    # pupils 3, 4, 5: points 44 / 3 = 14.67; this year (3 + 2 + 3) / 3 = 2.67; last window 3 / 3 = 1;
    # at expected 2 of 3 (13 < 14); with gaps 1 of 3
    assert pp.rest == GroupFigures(3, 3, 14.7, 2.7, 1.0, 66.7, 33.3)
    # 13 - 44/3 = -5/3 = -1.67; 50 - 200/3 = -50/3 = -16.67 (exact, then rounded)
    assert pp.points_gap == -1.7
    assert pp.at_expected_gap == -16.7
    assert pp.year_ago is None and pp.rest_year_ago is None

    girls = row(rows, "girls")
    # pupils 1, 3, 5: points 45 / 3 = 15; this year (2 + 3 + 3) / 3 = 2.67; last window 1; all at
    # expected; none with gaps.  The rest (boys 2, 4): 25 / 2 = 12.5; (0 + 2) / 2 = 1; (0 + 1) / 2
    assert girls.members == GroupFigures(3, 3, 15.0, 2.7, 1.0, 100.0, 0.0)
    assert girls.rest == GroupFigures(2, 2, 12.5, 1.0, 0.5, 0.0, 100.0)
    assert (girls.points_gap, girls.at_expected_gap) == (2.5, 100.0)

    boys = row(rows, "boys")
    assert boys.members == girls.rest and boys.rest == girls.members
    assert (boys.points_gap, boys.at_expected_gap) == (-2.5, -100.0)


def test_gap_comes_from_the_exact_means_not_the_rounded_ones():
    # group: 12, 12, 12, 13 -> 49/4 = 12.25 shown 12.3; rest: 14, 14, 15 -> 43/3 = 14.33 shown 14.3;
    # gap 49/4 - 43/3 = (147 - 172)/12 = -25/12 = -2.083 -> -2.1 (12.3 - 14.3 would be -2.0)
    figures = [fig(pupil(i, eal=True), p) for i, p in enumerate([12, 12, 12, 13])]
    figures += [fig(pupil(10 + i), p) for i, p in enumerate([14, 14, 15])]
    (eal,) = group_analysis(figures)
    assert (eal.members.mean_points, eal.rest.mean_points, eal.points_gap) == (12.3, 14.3, -2.1)


def test_missing_figures_leave_a_pupil_out_of_that_figure_only():
    figures = [
        fig(pupil(1, fsm=True), None, 14, 12, 13, gaps=True),  # no points: counted, nothing else
        fig(pupil(2, fsm=True), 15, None, None, 14),  # no expectation, no start of year
        fig(pupil(3, fsm=True), 13, 14, 12, None, gaps=True),  # no last window
    ]
    (fsm,) = group_analysis(figures)
    # points (15 + 13) / 2 = 14; this year: pupil 3 only, 1; last window: pupil 2 only, 1;
    # at expected: pupil 3 only (13 < 14) -> 0%; gaps among pupils with points: 1 of 2
    assert fsm.members == GroupFigures(3, 2, 14.0, 1.0, 1.0, 0.0, 50.0)
    assert fsm.rest == NOTHING


# --- edge cases -------------------------------------------------------------------------------


def test_no_pupils_no_rows():
    assert group_analysis([]) == []
    assert group_analysis([], year_ago=[]) == []


def test_a_group_with_no_member_has_no_row():
    rows = group_analysis([fig(pupil(1), 14), fig(pupil(2, gender="F"), 15)])
    assert [r.group for r in rows] == ["girls"]


def test_group_equal_to_everyone_has_an_empty_rest_and_no_gap():
    figures = [fig(pupil(1, pupil_premium=True), 14), fig(pupil(2, pupil_premium=True), 15)]
    (pp,) = group_analysis(figures)
    # (14 + 15) / 2 = 14.5; 14 >= 14 and 15 >= 14: both at expected; no start or last window given
    assert pp.members == GroupFigures(2, 2, 14.5, None, None, 100.0, 0.0)
    assert pp.rest == NOTHING
    assert pp.points_gap is None and pp.at_expected_gap is None


def test_all_points_none_gives_counts_and_no_figures():
    figures = [fig(pupil(1, eal=True), None, gaps=True), fig(pupil(2), None), fig(pupil(3), None)]
    (eal,) = group_analysis(figures)
    assert eal.members == GroupFigures(1, 0, None, None, None, None, None)
    assert eal.rest == GroupFigures(2, 0, None, None, None, None, None)
    assert eal.points_gap is None and eal.at_expected_gap is None


def test_rows_in_the_fixed_order_then_tags_by_name():
    everything = pupil(
        1,
        pupil_premium=True,
        fsm=True,
        eal=True,
        sen=Sen.SUPPORT,
        gender="M",
        tags=["zebra class", "able"],
    )
    figures = [fig(everything, 14), fig(pupil(2, sen=Sen.EHCP, gender="F", tags=["able"]), 12)]
    assert [r.group for r in group_analysis(figures)] == [
        "pupil premium",
        "FSM",
        "EAL",
        "SEN (any)",
        "SEN support",
        "EHCP",
        "girls",
        "boys",
        "tag:able",
        "tag:zebra class",
    ]
    assert row(group_analysis(figures), "SEN (any)").rest == NOTHING


# --- a year earlier ---------------------------------------------------------------------------


def test_same_window_a_year_earlier():
    new = pupil(6, tags=["new"])
    now = [*CLASS, fig(new, 14)]
    # a year earlier: pupils 1-4 (pupil 5 and 6 had not joined), expected 11
    year_ago = [
        fig(CLASS[0].pupil, 11, 11),
        fig(CLASS[1].pupil, 10, 11),
        fig(CLASS[2].pupil, 12, 11),
        fig(CLASS[3].pupil, 10, 11),
    ]
    rows = group_analysis(now, year_ago=year_ago)
    pp = row(rows, "pupil premium")
    # then: pupil premium 1, 2: (11 + 10) / 2 = 10.5, 1 of 2 at expected; the rest 3, 4: 11, 1 of 2
    assert (pp.year_ago.mean_points, pp.year_ago.pct_at_expected) == (10.5, 50.0)
    assert (pp.rest_year_ago.mean_points, pp.rest_year_ago.pct_at_expected) == (11.0, 50.0)
    # now the rest has pupil 6 too: (15 + 13 + 16 + 14) / 4 = 14.5
    assert pp.rest.mean_points == 14.5
    tagged = row(rows, "tag:new")
    assert tagged.year_ago == NOTHING  # no member a year earlier
    # everyone a year earlier: 43 / 4 = 10.75 -> 10.8; 2 of 4 at expected
    assert (tagged.rest_year_ago.count, tagged.rest_year_ago.mean_points) == (4, 10.8)
    assert tagged.rest_year_ago.pct_at_expected == 50.0


# --- per milestone: where a group lags ---------------------------------------------------------


def lag_class() -> list[PupilFigures]:
    # milestone:        3NPV-1  3NPV-2  3NPV-3  3NPV-4
    # pupil premium (5):  4/5     2/5     1/5     3/5
    # the rest (4):       4/4     3/4     1/4     1/4
    pp = [{1, 2, 3, 4}, {1, 2, 4}, {1, 4}, {1}, set()]
    rest = [{1, 2, 3, 4}, {1, 2}, {1, 2}, {1}]

    def named(ms: set[int]) -> set[str]:
        return {f"3NPV-{k}" for k in ms}

    out = [fig(pupil(i, pupil_premium=True), 14, achieved=named(a)) for i, a in enumerate(pp)]
    out += [fig(pupil(10 + i), None, achieved=named(a)) for i, a in enumerate(rest)]  # points or not
    return out


MILESTONES = ["3NPV-1", "3NPV-2", "3NPV-3", "3NPV-4"]


def test_milestone_lag_largest_first():
    lags = milestone_lag(lag_class(), MILESTONES, "pupil premium")
    # lags: 3NPV-2 75 - 40 = 35; 3NPV-1 100 - 80 = 20; 3NPV-3 25 - 20 = 5; 3NPV-4 25 - 60 = -35
    assert [(m.milestone, m.group_pct, m.rest_pct, m.lag) for m in lags] == [
        ("3NPV-2", 40.0, 75.0, 35.0),
        ("3NPV-1", 80.0, 100.0, 20.0),
        ("3NPV-3", 20.0, 25.0, 5.0),
        ("3NPV-4", 60.0, 25.0, -35.0),
    ]
    first = lags[0]
    assert (first.group_achieved, first.group_count, first.rest_achieved, first.rest_count) == (2, 5, 3, 4)
    assert first.describe() == "pupil premium: 3NPV-2 achieved by 40%, others 75%"


def test_milestone_lag_needs_enough_pupils_on_both_sides():
    figures = lag_class()
    assert milestone_lag(figures, MILESTONES, "pupil premium", min_pupils=5) == []  # rest has 4
    assert len(milestone_lag(figures, MILESTONES, "pupil premium", min_pupils=4)) == 4
    assert milestone_lag(figures, MILESTONES, "EAL") == []  # nobody in the group
    everyone = [fig(pupil(i, eal=True), 14) for i in range(5)]
    assert milestone_lag(everyone, MILESTONES, "EAL") == []  # nobody in the rest


def test_milestone_lag_ties_keep_the_given_order_and_whole_percents_round_half_up():
    # group of 3 (tag "nurture") and rest of 8; nobody has A or B: both lag 0, in the given order
    figures = [fig(pupil(i, tags=["nurture"]), 14, achieved={"C"} if i == 0 else set()) for i in range(3)]
    figures += [fig(pupil(10 + i), 14, achieved={"C"} if i < 3 else set()) for i in range(8)]
    lags = milestone_lag(figures, ["B", "A", "C"], "tag:nurture")
    # C: group 1/3 = 33.3%, rest 3/8 = 37.5%; lag 37.5 - 33.33 = 4.17 -> 4.2
    assert [(m.milestone, m.lag) for m in lags] == [("C", 4.2), ("B", 0.0), ("A", 0.0)]
    assert lags[0].describe() == "tag:nurture: C achieved by 33%, others 38%"  # 37.5 -> 38


# --- properties -------------------------------------------------------------------------------

_opt_points = st.one_of(st.none(), st.integers(0, 40))
_pupil_row = st.tuples(
    st.booleans(),  # pupil premium
    st.booleans(),  # FSM
    st.booleans(),  # EAL
    st.sampled_from(list(Sen)),
    st.sampled_from([None, "M", "F", "X"]),
    st.frozensets(st.sampled_from(["a", "b", "c"])),  # tags
    _opt_points,  # points
    _opt_points,  # expected
    _opt_points,  # at the start of the year
    _opt_points,  # at the end of the last window
    st.booleans(),  # has gaps
    st.frozensets(st.sampled_from(MILESTONES)),
)


def _figures(rows: list[tuple]) -> list[PupilFigures]:
    out = []
    for i, (pp, fsm, eal, sen, gender, tags, *numbers, has_gaps, achieved) in enumerate(rows):
        p = pupil(i, pupil_premium=pp, fsm=fsm, eal=eal, sen=sen, gender=gender, tags=sorted(tags))
        out.append(PupilFigures(p, *numbers, has_gaps, achieved))
    return out


school = st.lists(_pupil_row, max_size=25).map(_figures)


def _pct_ok(x: float | None) -> bool:
    return x is None or 0 <= x <= 100


@settings(max_examples=200, deadline=None)
@given(school)
def test_every_group_against_the_rest_adds_up_to_everyone(figures):
    rows = group_analysis(figures)
    present = {g for f in figures for g in groups_of(f.pupil)}
    assert {r.group for r in rows} == present
    ranks = [GROUP_ORDER.index(r.group) if r.group in GROUP_ORDER else len(GROUP_ORDER) for r in rows]
    assert ranks == sorted(ranks)
    for r in rows:
        members = [f for f in figures if r.group in groups_of(f.pupil)]
        assert r.members.count == len(members) > 0
        assert r.members.count + r.rest.count == len(figures)
        assert r.members.measured + r.rest.measured == sum(f.points is not None for f in figures)
        for side in (r.members, r.rest):
            assert _pct_ok(side.pct_at_expected) and _pct_ok(side.pct_with_gaps)
        measured = [f.points for f in members if f.points is not None]
        if measured:
            exact = Decimal(sum(measured)) / Decimal(len(measured))
            assert r.members.mean_points == float(exact.quantize(Decimal("0.1"), ROUND_HALF_UP))
        else:
            assert r.members.mean_points is None
    for g in present:
        for lag in milestone_lag(figures, MILESTONES, g, min_pupils=1):
            assert lag.group_count + lag.rest_count == len(figures)
            assert _pct_ok(lag.group_pct) and _pct_ok(lag.rest_pct)
            assert -100 <= lag.lag <= 100


# --- a framework without points: steps secured, and who made progress ---------------------------


def steps(p: Pupil, window: int, year: int, achieved: set[str] | None = None) -> PupilFigures:
    return PupilFigures(
        p, None, achieved=frozenset(achieved or ()), steps_this_window=window, steps_this_year=year
    )


def test_steps_figures_per_group_and_who_made_progress():
    """Special schools compare groups by the steps secured and the share who made progress."""
    pp = [pupil(n, pupil_premium=True, gender="F") for n in (1, 2, 3)]
    others = [pupil(n, gender="M") for n in (4, 5, 6, 7, 8, 9)]
    figures = [
        steps(pp[0], 2, 5),
        steps(pp[1], 0, 1),
        steps(pp[2], 1, 3),
        *(
            steps(p, w, y)
            for p, (w, y) in zip(others, [(3, 4), (0, 0), (1, 2), (2, 2), (0, 3), (1, 1)], strict=True)
        ),
    ]
    (group, girls, boys) = group_analysis(figures)
    assert group.group == "pupil premium"
    # 3 pupils: (2 + 0 + 1) / 3 = 1 step each this window, (5 + 1 + 3) / 3 = 3 this year; 2 of 3
    assert (group.members.count, group.members.stepped, group.members.made_progress) == (3, 3, 2)
    assert (group.members.mean_steps_window, group.members.mean_steps_year) == (1.0, 3.0)
    assert group.members.pct_made_progress == 66.7
    assert group.members.small  # under five pupils: shown as n=3, not 66.7%
    # the rest, 6 pupils: 7 / 6 = 1.2 this window, 12 / 6 = 2 this year; 4 of 6 made progress
    assert (group.rest.mean_steps_window, group.rest.mean_steps_year) == (1.2, 2.0)
    assert (group.rest.made_progress, group.rest.pct_made_progress) == (4, 66.7)
    assert not group.rest.small
    # no points: no points figures, and no gaps between means of points
    assert group.members.mean_points is None and group.points_gap is None
    assert boys.members == group.rest and girls.members == group.members


def test_points_figures_have_no_steps_and_steps_figures_no_points():
    rows = group_analysis([fig(pupil(1, eal=True), 12), steps(pupil(2, eal=True), 1, 1)])
    (eal,) = rows
    assert eal.members.count == 2 and eal.members.measured == 1 and eal.members.stepped == 1
    assert eal.members.mean_points == 12.0 and eal.members.mean_steps_window == 1.0
