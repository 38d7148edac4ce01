"""Erasure and retention (UK GDPR): erase everything about a pupil, and list the pupils who have
left, to erase those past the school's retention period.

How a pupil is known to have left: an admin records the date with ``pupils edit --left DATE``
(``edit_pupil(left=…)``). Nothing else sets it: a roster that no longer lists a pupil may be a
partial one (one class, one year group), so it is not taken as the pupil leaving. A leaver keeps
every record, and stays in their class until an admin moves them, until erased.

Erasure is an admin's alone, checked before the pupil is looked up (so a refusal tells nobody
whether the pupil exists). It deletes every row about the pupil in one transaction and leaves an
audit line in the erasure log without personal data; so the reason, which is kept, may not hold
the pupil's name or UPN. The history of other pupils is untouched; a moderation sample loses the
pupil's rows. See ``store.erasure`` for how the rows leave the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from ..errors import PassportError
from ..models import Pupil
from ..store import Erased, ErasureLine
from .access import Access

MAX_REASON = 200


@dataclass(frozen=True, slots=True)
class ErasedPupil:
    """A pupil erased: who it was (for the admin's screen only; the store kept none of it) and
    what the erasure did."""

    upn: str
    name: str
    erased: Erased


@dataclass(frozen=True, slots=True)
class Leaver:
    """A pupil recorded as having left, with the date."""

    pupil: Pupil
    left_on: date


def parse_day(label: str, value: date | str) -> date:
    """A date as typed: YYYY-MM-DD or DD/MM/YYYY; a problem is one line starting with ``label``."""
    if isinstance(value, date):
        return value
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        pass
    raise PassportError(f"{label}: {value!r} is not a date (YYYY-MM-DD or DD/MM/YYYY).")


class Erasure(Access):
    def check_erasure(self, key: str | int, reason: str | None = None) -> Pupil:
        """The pupil ``erase_pupil`` would erase, after every check it makes (admins only, a
        known pupil, a reason without personal data; with no reason, the checks before the reason
        is asked for); writes nothing. For asking "are you sure?" only when the answer can matter."""
        self.require_admin("erase a pupil")
        pupil = self.pupil(key)
        if reason is not None:
            _check_reason(reason, [pupil])
        return pupil

    def erase_pupil(self, key: str | int, reason: str) -> ErasedPupil:
        """Delete every row about the pupil, in one transaction (admins only); the erasure log
        keeps when, who, why and how many rows."""
        pupil = self.check_erasure(key, reason)
        assert pupil.id is not None
        done = self.store.erase_pupil(pupil.id, self.user, self.now().isoformat(), " ".join(reason.split()))
        return ErasedPupil(pupil.upn, pupil.name, done)

    def leavers(self, left_before: date | str | None = None) -> list[Leaver]:
        """Pupils recorded as having left (before ``left_before``, if given), by name (admins
        only: erasure and retention are the school's data protection work)."""
        self.require_admin("list the leavers")
        before = parse_day("--left-before", left_before) if left_before else None
        return [Leaver(p, on) for p, on in self.store.leavers(before)]

    def check_leavers_erasure(self, left_before: date | str, reason: str | None = None) -> list[Leaver]:
        """The leavers ``erase_leavers`` would erase, after its checks; writes nothing."""
        self.require_admin("erase leavers")
        if not left_before:
            raise PassportError("--left-before: give the date the retention period reaches back to.")
        before = parse_day("--left-before", left_before)
        if before > self.today():
            raise PassportError(f"--left-before: {before.isoformat()} is in the future.")
        found = self.leavers(before)
        _check_reason(reason or _retention_reason(before), [leaver.pupil for leaver in found])
        return found

    def erase_leavers(self, left_before: date | str, reason: str | None = None) -> list[ErasedPupil]:
        """Erase every pupil who left before ``left_before`` (admins only), each in its own
        transaction with its own line in the erasure log; the WAL is emptied once at the end."""
        found = self.check_leavers_erasure(left_before, reason)
        why = " ".join((reason or _retention_reason(parse_day("--left-before", left_before))).split())
        at = self.now().isoformat()
        erased = []
        for leaver in found:
            pupil = leaver.pupil
            assert pupil.id is not None
            done = self.store.erase_pupil(pupil.id, self.user, at, why, checkpoint=False)
            erased.append(ErasedPupil(pupil.upn, pupil.name, done))
        if erased:
            checkpointed = self.store.checkpoint()
            erased = [
                ErasedPupil(e.upn, e.name, Erased(e.erased.erasure, e.erased.tables, checkpointed))
                for e in erased
            ]
        return erased

    def erasure_log(self) -> list[ErasureLine]:
        """The erasure log (admins only): when, who, why and how many rows, no personal data."""
        self.require_admin("read the erasure log")
        return self.store.erasure_log()


def _retention_reason(before: date) -> str:
    return f"retention period: left before {before.isoformat()}"


def _check_reason(reason: str, pupils: list[Pupil]) -> None:
    """A reason is kept after the erasure, so it holds no personal data: not empty, no control
    characters, at most ``MAX_REASON`` characters, and not the name or UPN of a pupil erased."""
    text = " ".join(reason.split())
    if not text:
        raise PassportError("Reason: give a reason (it is kept in the erasure log).")
    if any(unicodedata.category(c) == "Cc" for c in reason.replace("\n", " ").replace("\t", " ")):
        raise PassportError("Reason: the reason holds a control character.")
    if len(text) > MAX_REASON:
        raise PassportError(f"Reason: the reason is {len(text)} characters long; at most {MAX_REASON}.")
    words = set(re.findall(r"\w+", text.casefold()))
    for p in pupils:
        personal = {p.upn.casefold()} | {
            w for w in re.findall(r"\w+", f"{p.first_name} {p.last_name}".casefold()) if len(w) > 1
        }
        if words & personal:
            raise PassportError(
                "Reason: the reason is kept after the erasure, so it may not hold the pupil's name or UPN."
            )
