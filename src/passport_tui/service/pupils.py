"""Pupils one at a time: add a child (a family, a tutor, a new arrival) and edit a pupil's details.

A pupil without a UPN (a family or a tutor has none) gets the passport's own id, ``P0001``,
``P0002``, … — five characters, so it can never be mistaken for (or collide with) a DfE UPN of
thirteen; the real UPN can be given later with ``edit_pupil``, which keeps every judgement (they
hang on the pupil's internal id, not on the UPN).

Every value is checked as the roster import checks its cell (``interop.roster.pupil_value``): a
UPN or class is printable, holds no path separator and is at most 40 characters; a year group is
R (Reception, year 0) to 13; a date of birth is YYYY-MM-DD or DD/MM/YYYY and fits the year group
within a year (further off is refused as a typo). A name holds no control characters.

Who may: an admin adds and edits anyone; a teacher adds pupils to their own classes only (a
class must be given) and edits their own classes' pupils, moving them only between their own
classes; changing a pupil's UPN is an admin's (the UPN is how rosters and passport files find
the pupil). A viewer changes nothing. With no staff configured, everyone is an admin.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import engine
from ..errors import NotAllowed, PassportError
from ..models import Pupil, canonical_upn
from .access import Access

MAX_NAME = 100  # characters in a pupil's whole name
_BIDI_CONTROLS = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_KEEP = object()  # an edit that leaves a detail as it is


@dataclass(slots=True)
class PupilSaved:
    """A pupil added or edited: the record as stored, whether the UPN is the passport's own id,
    what changed (for an edit) and what the checks warned about."""

    pupil: Pupil
    year_group: int  # this academic year's
    passport_id: bool = False
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def split_name(name: str) -> tuple[str, str]:
    """(first name, surname) of a name as typed: "Surname, First names" splits at the comma;
    otherwise the last word is the surname ("Zoë Brontë" → Zoë, Brontë); a single word is a first
    name with no surname."""
    text = " ".join(name.split())
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    first, _, last = text.rpartition(" ")
    return (first, last) if first else (last, "")


def check_name(name: str) -> tuple[str, str]:
    """A pupil's name, checked: not empty, no control characters, at most ``MAX_NAME`` characters."""
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Zl", "Zp") or ord(c) in _BIDI_CONTROLS]
    if bad:
        shown = ", ".join(sorted({f"U+{ord(c):04X}" for c in bad}))
        raise PassportError(f"Name: the name holds a control character ({shown}).")
    text = " ".join(name.split())
    if not text or text == ",":
        raise PassportError("Name: the name is missing.")
    if len(text) > MAX_NAME:
        raise PassportError(f"Name: the name is {len(text)} characters long; at most {MAX_NAME}.")
    first, last = split_name(text)
    if not first:
        raise PassportError(
            "Name: the first name is missing (write it as 'First Surname' or 'Surname, First')."
        )
    return first, last


def _same_name(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Whether two (first name, surname) are the same name: case aside, and however an accent is
    encoded ("ë", or "e" and a combining diaeresis, as a roster written on a Mac has it)."""

    def key(name: tuple[str, str]) -> tuple[str, ...]:
        return tuple(unicodedata.normalize("NFC", part).casefold() for part in name)

    return key(a) == key(b)


def _value(label: str, column: str, value: Any) -> Any:
    """A detail read and checked as the roster's column ``column`` is; a problem is one line
    starting with ``label``."""
    from ..interop.roster import pupil_value

    try:
        return pupil_value(column, str(value))
    except ValueError as error:
        raise PassportError(f"{label}: {error}.") from None


class Pupils(Access):
    def add_pupil(
        self,
        name: str,
        year: int | str,
        *,
        class_name: str | None = None,
        upn: str | None = None,
        dob: date | str | None = None,
    ) -> PupilSaved:
        """Add one pupil. Without a UPN the pupil gets the passport's own id (``P0001``…)."""
        class_name = self._class_spelled(class_name)
        self.check_adding(class_name)
        if not class_name and self.my_classes() is not None:
            raise NotAllowed("A teacher adds pupils to one of their own classes: give the class.")
        first, last, year_group, birth, warnings = self._details(name, year, dob)
        klass = _value("Class", "class_name", class_name) if class_name else None
        given_upn = canonical_upn(_value("UPN", "upn", upn)) if upn else None
        # the same name again is most often the same child added twice: said, never refused (two
        # children may share a name); only among the pupils this user may see
        same = [p for p in self.pupils() if _same_name((p.first_name, p.last_name), (first, last))]
        warnings += [
            f"{p.name} ({p.upn}, {engine.year_label(p.year_group)}{f', class {p.class_name}' if p.class_name else ''}) "
            "has the same name; if this is the same child, an admin can erase one (E on its passport in the "
            "app, or 'passport pupils erase')"
            for p in same
        ]
        with self.store.transaction():
            if given_upn is not None:
                self._require_free_upn(given_upn)
            pupil = Pupil(
                upn=given_upn or self.store.next_passport_id(),
                first_name=first,
                last_name=last,
                year_group=year_group,
                academic_year=self.academic_year(),
                class_name=klass,
                dob=birth,
            )
            pupil = self.store.add_pupil(pupil)
        return PupilSaved(pupil, year_group, passport_id=given_upn is None, warnings=warnings)

    def check_adding(self, class_name: str | None = None) -> None:
        """Refuse as ``add_pupil`` does before it reads the details: a viewer adds no one; a
        teacher adds only to their own classes (without ``class_name``: whether the user may add
        pupils at all). Writes nothing: for refusing before a form is filled in."""
        self.require_change()
        if class_name:
            self.require_class(class_name)

    def check_pupil(self, name: str, year: int | str, dob: date | str | None = None) -> tuple[int, list[str]]:
        """Check a new pupil's name, year group and date of birth as ``add_pupil`` will (a
        ``PassportError`` names the first problem); returns the year group and the warnings.
        Writes nothing."""
        details = self._details(name, year, dob)
        return details[2], details[4]

    def _details(
        self, name: str, year: int | str, dob: date | str | None
    ) -> tuple[str, str, int, date | None, list[str]]:
        first, last = check_name(name)
        year_group = _value("Year", "year_group", year)
        birth = _value("Date of birth", "dob", dob) if isinstance(dob, str) and dob else dob or None
        return first, last, year_group, birth, self._check_birth(birth, year_group)

    def edit_pupil(
        self,
        key: str | int,
        *,
        name: str | None = None,
        year: int | str | None = None,
        class_name: Any = _KEEP,
        dob: Any = _KEEP,
        upn: str | None = None,
        left: Any = _KEEP,
    ) -> PupilSaved:
        """Change a pupil's details (what is not given stays as it is; an empty class or date of
        birth clears it). A new UPN must be free; the pupil keeps every judgement. ``left``: the
        date the pupil left (an admin's; empty: back on roll), see ``service.erasure``."""
        pupil = self.pupil(key)
        self.require_change()
        changes: dict[str, Any] = {}
        left_on: Any = _KEEP
        if left is not _KEEP:
            from .erasure import parse_day

            self.require_admin("record that a pupil has left")
            left_on = parse_day("Left", left) if left else None
            if left_on == self.store.left_on(pupil.id or 0):
                left_on = _KEEP
        if name is not None:
            changes["first_name"], changes["last_name"] = check_name(name)
        if year is not None:
            changes["year_group"] = _value("Year", "year_group", year)
            changes["academic_year"] = self.academic_year()
        if class_name is not _KEEP:
            class_name = self._class_spelled(class_name)
            klass = _value("Class", "class_name", class_name) if class_name else None
            if self.my_classes() is not None:
                if klass is None:
                    raise NotAllowed("A teacher keeps their pupils in one of their own classes.")
                self.require_class(klass)
            changes["class_name"] = klass
        if upn is not None:
            self.require_admin("change a pupil's UPN")
            changes["upn"] = canonical_upn(_value("UPN", "upn", upn))
        if dob is not _KEEP:
            changes["dob"] = (
                _value("Date of birth", "dob", dob) if isinstance(dob, str) and dob else dob or None
            )
        edited = pupil.model_copy(update=changes)
        warnings = []
        if "dob" in changes or "year_group" in changes:
            warnings = self._check_birth(edited.dob, self.year_group(edited))
        changed = [what for what, detail in _DETAILS.items() if detail(self, edited) != detail(self, pupil)]
        with self.store.transaction():
            if "upn" in changes and changes["upn"] != pupil.upn:
                self._require_free_upn(changes["upn"], pupil.id)
            if changed:
                self.store.update_pupil(edited)
            if left_on is not _KEEP:
                self.store.set_left(pupil.id or 0, left_on)
                changed.append("leaving date")
        return PupilSaved(edited, self.year_group(edited), changed=changed, warnings=warnings)

    # --- checks ----------------------------------------------------------------------------

    def _class_spelled(self, class_name: Any) -> Any:
        """A class as the school spells it: "2h" is class 2H when there is no class "2h" (among
        the classes the user sees, and a teacher's own), so a slip of the shift key neither makes
        a new class nor is refused as a class that is not hers."""
        if not isinstance(class_name, str) or not class_name.strip():
            return class_name
        text = class_name.strip()
        known = {name for name, _ in self.classes()} | (self.my_classes() or set())
        if text in known:
            return text
        same = [name for name in known if name.casefold() == text.casefold()]
        return same[0] if len(same) == 1 else class_name

    def _require_free_upn(self, upn: str, pupil_id: int | None = None) -> None:
        other = self.store.pupil(upn)
        if other is not None and other.id != pupil_id and canonical_upn(other.upn) == upn:
            mine = self.my_classes()
            if mine is not None and other.class_name not in mine:
                # a UPN is the school's: that it is taken is said (it must be refused), and
                # nothing more of a pupil the teacher does not teach
                raise PassportError(
                    f"UPN {upn} is already on the school's roll, for a pupil not in your classes; "
                    "each pupil has their own (an admin can move a pupil into your class)."
                )
            raise PassportError(
                f"UPN {upn} is already another pupil's; each pupil has their own "
                "(see 'passport pupils list')."
            )

    def _check_birth(self, birth: date | None, year_group: int) -> list[str]:
        """A date of birth in the future, or two or more years off the year group, is refused (a
        typo in one or the other); one year off is a warning (a child taught out of year group)."""
        from ..interop.roster import MAX_YEARS_OUT_OF_COHORT

        if birth is not None and birth > self.today():
            # said as it is, not as a child of "Nursery" (how far off the year group it is)
            raise PassportError(f"Date of birth: {birth.isoformat()} is in the future; check the date.")
        year = self.academic_year()
        mismatch = engine.birth_mismatch(birth, year_group, year)
        if birth is None or mismatch is None:
            return []
        if abs(engine.year_group_by_birth(birth, year) - year_group) >= MAX_YEARS_OUT_OF_COHORT:
            raise PassportError(f"Date of birth: {mismatch}; check the date and the year.")
        return [f"date of birth: {mismatch} (taught out of year group?)"]


# what ``edit_pupil`` reports as changed, and how each reads (the year as this year's year group)
_DETAILS: dict[str, Any] = {
    "name": lambda svc, p: (p.first_name, p.last_name),
    "year": lambda svc, p: svc.year_group(p),
    "class": lambda svc, p: p.class_name,
    "date of birth": lambda svc, p: p.dob,
    "UPN": lambda svc, p: p.upn,
}
