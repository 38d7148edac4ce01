"""``passport test``: termly test scores, and the points they give beside the teacher-assessed
points (DESIGN §2.7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from .context import PassportGroup, service
from .output import Column, echo, emit_json, json_option, named, num, signed, table

if TYPE_CHECKING:
    from ..termly import TestResult


@dataclass(slots=True)
class TestLine:
    """A pupil's test in a window, beside the teacher-assessed and expected points."""

    __test__ = False

    upn: str
    name: str
    class_: str | None = field(metadata=named("class"))
    curriculum: str
    window: str
    score: float
    test_point: int | None
    greater_depth: bool
    teacher_points: int | None
    expected: int | None
    disagreement: int | None
    disagrees: bool

    @classmethod
    def of(cls, r: TestResult) -> TestLine:
        return cls(
            r.pupil.upn,
            r.pupil.name,
            r.pupil.class_name,
            r.curriculum_id,
            r.window.key,
            r.score,
            r.test_point,
            r.greater_depth,
            r.teacher_points,
            r.expected,
            r.disagreement,
            r.disagrees,
        )


def test_words(r: TestResult) -> str:
    """E.g. ``85% in Autumn 2026/27: test point 10 (greater depth)``."""
    point = (
        "no test point (no expected points for this pupil)"
        if r.test_point is None
        else f"test point {r.test_point}" + (" (greater depth)" if r.greater_depth else "")
    )
    return f"{r.score:g}% in {r.window.name}: {point}"


def _score(value: str) -> float:
    try:
        return float(value.strip().rstrip("%"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a percentage like 72 or 72%") from None


@click.group("test", cls=PassportGroup)
def tests_group() -> None:
    """Termly test scores, and the points they give beside the teacher-assessed points."""


@tests_group.command("record", context_settings={"ignore_unknown_options": True})  # a score of -1 is a value
@click.argument("pupil")
@click.argument("curriculum_id", metavar="CURRICULUM")
@click.argument("score")
@click.option("--window", help="The window the test is for, like 2026-autumn (default: the current one).")
@click.option("--note", help="A note kept with the score (e.g. which paper).")
@click.pass_context
def tests_record(ctx, pupil, curriculum_id, score, window, note) -> None:
    """Record PUPIL's termly test SCORE (a percent) in CURRICULUM. Prints the point the score
    gives (80%+ expected and greater depth, 60-80% expected, 50-60% one below, 35-50% two below,
    under 35% three below) beside the teacher-assessed points. A later score for the same window
    replaces it; the history is kept."""
    r = service(ctx).record_test(pupil, curriculum_id, _score(score), window=window, note=note)
    echo(f"Recorded {r.pupil.name} ({r.pupil.upn}), {r.curriculum_id}: {test_words(r)}")
    echo(
        f"  teacher-assessed points {num(r.teacher_points)}, expected {num(r.expected)}"
        + (f"; teacher − test = {signed(r.disagreement)}" if r.disagreement is not None else "")
        + ("  (!) they disagree: worth a look" if r.disagrees else "")
    )


@tests_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--curriculum", "curriculum_id", help="Curriculum of every row (else a Curriculum column).")
@click.option("--window", help="Window of rows without a Window column, like 2026-autumn (default: now).")
@click.pass_context
def tests_import(ctx, file, curriculum_id, window) -> None:
    """Import test scores from a CSV with columns UPN and Score (and Curriculum, Window unless
    given). One transaction: every bad row is reported as FILE:ROW: message and nothing is
    written."""
    n = service(ctx).import_tests(file, curriculum_id=curriculum_id, window=window)
    echo(f"Imported {file}: {n} test scores")


TEST_COLUMNS = (
    Column(" ", 1),
    Column("pupil", 26, clip=True),
    Column("subject", 12, clip=True),
    Column("score", 5, ">"),
    Column("test", 4, ">"),
    Column("gd", 2, ">"),
    Column("teach", 5, ">"),
    Column("exp", 3, ">"),
    Column("diff", 4, ">"),
)


@tests_group.command("list")
@click.option("--class", "class_name", help="Only this class.")
@click.option("--curriculum", "curriculum_id", help="Only this curriculum.")
@click.option("--window", help="A window like 2026-autumn (default: the current one).")
@click.option("--disagreements", is_flag=True, help="Only where teacher and test differ by 2 points or more.")
@json_option
@click.pass_context
def tests_list(ctx, class_name, curriculum_id, window, disagreements, as_json) -> None:
    """Each pupil's test score in a window: the test point (and greater depth) beside the
    teacher-assessed points and the expected points, with the disagreement (teacher − test).
    Disagreements of 2 points or more come first, marked with !."""
    rows = service(ctx).test_results(curriculum_id=curriculum_id, window=window, class_name=class_name)
    lines = [TestLine.of(r) for r in rows if r.disagrees or not disagreements]
    if as_json:
        emit_json(lines)
        return
    if not lines:
        echo("No test scores for that choice." if not disagreements else "No disagreements.")
        return
    table(
        TEST_COLUMNS,
        (
            (
                "!" if d.disagrees else " ",
                d.name,
                d.curriculum,
                num(d.score) + "%",
                num(d.test_point),
                "GD" if d.greater_depth else "",
                num(d.teacher_points),
                num(d.expected),
                "-" if d.disagreement is None else signed(d.disagreement),
            )
            for d in lines
        ),
    )
