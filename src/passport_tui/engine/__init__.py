"""The rules of the Milestones Passport (DESIGN §2), as pure functions.

No sqlite, no textual, no clock, no I/O: callers pass in the curriculum, the pupil's events and
the date. A test imports this package in a fresh interpreter and checks exactly that.
"""

from .gap_age import gap_ages, gap_opened
from .groups import (
    GroupFigures,
    GroupRow,
    MilestoneLag,
    PupilFigures,
    group_analysis,
    groups_of,
    milestone_lag,
)
from .moderation import (
    AchievedJudgement,
    ModerationState,
    ModerationStatus,
    ModerationStep,
    moderation_sample,
    moderation_state,
)
from .points import (
    Flag,
    ScorePoint,
    TargetStatus,
    default_target,
    end_of_year_points,
    expected_points,
    flags,
    points,
    scheme_end_points,
    score_point,
    stage_end_points,
    target_status,
)
from .progress import Cell, cells, gaps, is_open, next_steps, stages_below
from .projection import ProjectedRecord, Projection, project_rows, projection_of, record_of
from .record import Event, FirstAchieved, MilestoneRecord, PupilRecord, Status, fold, lean_fold
from .rules import Decision, decide, unmet_prerequisites
from .standing import Standing, points_at, standing
from .window import (
    DEFAULT_TERMS,
    TermDates,
    Window,
    academic_year_of,
    parse_window,
    previous_window,
    window,
    window_of,
    windows_of_year,
)

__all__ = [
    "DEFAULT_TERMS",
    "Cell",
    "Decision",
    "Event",
    "FirstAchieved",
    "Flag",
    "MilestoneRecord",
    "ProjectedRecord",
    "Projection",
    "PupilRecord",
    "ScorePoint",
    "Standing",
    "Status",
    "TargetStatus",
    "TermDates",
    "Window",
    "academic_year_of",
    "cells",
    "decide",
    "default_target",
    "end_of_year_points",
    "expected_points",
    "flags",
    "fold",
    "gaps",
    "is_open",
    "lean_fold",
    "next_steps",
    "parse_window",
    "points",
    "points_at",
    "previous_window",
    "project_rows",
    "projection_of",
    "record_of",
    "scheme_end_points",
    "score_point",
    "stage_end_points",
    "stages_below",
    "standing",
    "target_status",
    "unmet_prerequisites",
    "window",
    "window_of",
    "windows_of_year",
    "AchievedJudgement",
    "GroupFigures",
    "GroupRow",
    "MilestoneLag",
    "ModerationState",
    "ModerationStatus",
    "ModerationStep",
    "PupilFigures",
    "gap_ages",
    "gap_opened",
    "group_analysis",
    "groups_of",
    "milestone_lag",
    "moderation_sample",
    "moderation_state",
]
