"""The errors the library raises. The CLI turns each into one line on stderr and exit 1;
the TUI shows them in place. Messages are plain sentences a teacher can act on."""

from __future__ import annotations

from dataclasses import dataclass

from .shown import plain

# every character str.splitlines() breaks a line at: shown as an escape inside a located message,
# so one problem stays one line whatever the file held
_LINE_BREAKS = {c: f"\\u{c:04x}" for c in (0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)}


def one_line(text: str) -> str:
    """``text`` with its line breaks made visible as escapes, so it prints as one line, and any
    other control character made visible and bidi controls dropped, as user text is shown
    everywhere (:func:`passport_tui.shown.plain`)."""
    return plain(text.translate(_LINE_BREAKS))


class PassportError(Exception):
    """Base of every error the library raises on purpose."""

    def lines(self) -> list[str]:
        return [str(self)]


# --- files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One located problem in a file: ``FILE:LINE: message`` (LINE may be a row number)."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return one_line(f"{where}: {self.message}")


class FileProblems(PassportError):
    """A file was refused; ``problems`` lists every problem found, each with its location."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class CurriculumError(FileProblems):
    pass


class RosterError(FileProblems):
    pass


# --- judgements ------------------------------------------------------------------------


class JudgementRefused(PassportError):
    """A judgement the rules refuse; nothing was written."""


class AchievedForever(JudgementRefused):
    def __init__(self, milestone: str, when: str | None = None):
        self.milestone = milestone
        since = f" on {when}" if when else ""
        super().__init__(
            f"{milestone} was achieved{since} and stays achieved: a later 'not yet' is refused. "
            "If it was recorded in error, retract it with a reason; if you doubt retention, mark it revisit."
        )


class PrerequisitesUnmet(JudgementRefused):
    def __init__(self, milestone: str, unmet: list[str]):
        self.milestone = milestone
        self.unmet = list(unmet)
        super().__init__(
            f"{milestone} needs {', '.join(unmet)} first (not yet achieved); "
            "override with a reason to record it anyway."
        )


class NeverAchieved(JudgementRefused):
    def __init__(self, milestone: str, action: str = "retract"):
        self.milestone = milestone
        super().__init__(f"{milestone} is not achieved, so there is nothing to {action}.")


class OutcomeRetired(JudgementRefused):
    """A judgement of a personal outcome that was retired (only a retraction is still taken)."""


class ReasonRequired(JudgementRefused):
    def __init__(self, what: str):
        super().__init__(f"{what} needs a reason.")


class FutureDate(JudgementRefused):
    def __init__(self, when: str):
        super().__init__(f"{when} is in the future; a judgement can be back-dated, never forward-dated.")


class MilestoneRetired(JudgementRefused):
    def __init__(self, milestone: str):
        self.milestone = milestone
        super().__init__(
            f"{milestone} is retired (no longer taught): it keeps its history but takes no new "
            "judgements; only an achievement recorded in error can still be retracted."
        )


class CurriculumChangeRefused(PassportError):
    """A curriculum import that would drop or change the meaning of milestones with judgements;
    nothing was written. ``lines()`` gives the explanation, one line per milestone."""

    def __init__(self, message_lines: list[str]):
        self.message_lines = [one_line(line) for line in message_lines]
        super().__init__("\n".join(self.message_lines))

    def lines(self) -> list[str]:
        return list(self.message_lines)


class NotAllowed(PassportError):
    """The current user may not do this."""


# --- the database file -----------------------------------------------------------------


class DatabaseFault(PassportError):
    """The database file could not be used as asked; one line naming the file and what to do.
    Whatever was being saved was not (the transaction was rolled back)."""


class DatabaseBusy(DatabaseFault):
    """Another program held the write lock for longer than we waited."""

    def __init__(self) -> None:
        super().__init__("the database is busy (another program is writing to it); try again")


class DatabaseReadOnly(DatabaseFault):
    """The file, or the folder it is in, may not be written by this account."""


class DatabaseDamaged(DatabaseFault):
    """SQLite found the file corrupt."""


class NotADatabase(DatabaseFault):
    """The file is not an SQLite database at all."""


class DiskFull(DatabaseFault):
    """The disk (or the database's size limit) is full."""


# --- look-ups --------------------------------------------------------------------------


class NotFound(PassportError):
    pass


class Ambiguous(PassportError):
    pass
