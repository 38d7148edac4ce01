"""The use cases: the only API the command line and the terminal app call.

One module per family of use cases, each a mixin over the session and access checks:

- ``session``: one person using one database, with a clock; the day, the window, year groups;
- ``access``: staff and roles, scoped lookups of pupils and classes, settings;
- ``curricula``: importing, exporting and looking up curricula and milestones;
- ``records``: the judgement log folded into each pupil's state, and standings;
- ``judging``: achieved, not yet, revisit and retractions;
- ``passports``: one pupil's passport, the class grid;
- ``pathways``: the curricula each pupil follows;
- ``outcomes``: personal outcomes from a pupil's EHCP or provision plan (``personal``: a
  curriculum as one pupil meets it, with their outcomes);
- ``tracking``: tracking points, who needs support, group analysis;
- ``plans``: tests beside teacher points, targets, gap ages, focus items, teacher comments;
- ``moderation``: samples, confirm, query and resolve;
- ``pupils``: adding a pupil (with the passport's own id when there is no UPN) and editing one;
- ``starting``: the shipped curricula, and a family's first run (curricula, a child, a baseline);
- ``imports`` and ``transfer``: rosters, OneRoster, test scores, the portable passport file;
- ``maintenance``: backup, restore, doctor; ``demo``: the demo school;
- ``erasure``: erasing a pupil (UK GDPR), leavers and the school's retention period.

Every use case checks the acting member of staff first: reads are scoped to a teacher's classes
(and "not yours" reads exactly like "does not exist"), writes are checked by role.
"""

from __future__ import annotations

from .access import Access
from .erasure import ErasedPupil, Erasure, Leaver
from .imports import Imports
from .judging import BASELINE_NOTE, VERDICT_WORDS, Judging, Outcome
from .maintenance import Maintenance
from .moderation import Moderation, ModerationItem
from .outcomes import Outcomes, OutcomeView
from .passports import CurriculumPassport, GridLine, Passports, PupilPassport
from .pathways import Pathway, Pathways
from .plans import DISAGREEMENT, Plans, TargetView, TestResult
from .pupils import PupilSaved
from .records import as_event, each_record, fold_rows
from .session import current_user, database_fault, utc_now
from .starting import Starting
from .tracking import GroupAnalysis, Steps, Tracking, TrackingRow
from .transfer import Transfer


class Service(
    Starting,
    Judging,
    Passports,
    Pathways,
    Outcomes,
    Tracking,
    Plans,
    Moderation,
    Imports,
    Transfer,
    Maintenance,
    Erasure,
):
    """The Milestones Passport of one database, used by one person (``user``)."""


__all__ = [
    "BASELINE_NOTE",
    "DISAGREEMENT",
    "VERDICT_WORDS",
    "Access",
    "CurriculumPassport",
    "ErasedPupil",
    "GridLine",
    "GroupAnalysis",
    "Leaver",
    "ModerationItem",
    "Outcome",
    "OutcomeView",
    "Pathway",
    "PupilPassport",
    "PupilSaved",
    "Service",
    "Steps",
    "TargetView",
    "TestResult",
    "TrackingRow",
    "as_event",
    "current_user",
    "database_fault",
    "each_record",
    "fold_rows",
    "utc_now",
]
