"""Who may do what (DESIGN §8): staff, roles and the classes a teacher may reach.

Every use case of the service package asks here first. Reads are scoped: a teacher's pupil and
class lookups see only their own classes, and "not yours" reads exactly like "does not exist", so
nothing about another class leaks through a refusal. Writes are checked: a viewer changes nothing;
curricula, rosters, staff, settings and the database file are an admin's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from .. import files
from ..engine import TermDates
from ..errors import NotAllowed, NotFound, PassportError
from ..models import Pupil, by_another_school
from ..names import MAX_STAFF_NAME, identifier_problem, name_problem
from ..store import Store
from .session import Session, utc_now

ROLES = ("admin", "teacher", "viewer")


class Access(Session):
    """A session whose every use case checks the acting member of staff first."""

    def __init__(
        self,
        store: Store,
        user: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        *,
        named: bool = False,
        confined: bool = False,
    ):
        super().__init__(store, user, clock, named=named, confined=confined)
        self.check_access()

    def check_access(self) -> None:
        """Once staff exist, only a known member of staff may use the database. A login never
        holds a comma: that is how another school's staff are named ("Ms X, Oak Primary")."""
        if by_another_school(self.user):
            raise NotAllowed(f"{self.user!r} is not a login (a login has no comma).")
        if self.store.staff() and self.store.staff_member(self.user) is None:
            raise NotAllowed(
                f"{self.user!r} is not a member of staff in this database; an admin can add you "
                "with 'passport staff add'."
            )

    def _me(self) -> tuple[str, str, str, list[str]] | None:
        """The user's staff entry, read afresh (an admin may change it while the app is open);
        None while no staff are configured. Someone removed from the staff is refused."""
        me = self.store.staff_member(self.user)
        if me is None and self.store.staff():
            raise NotAllowed(f"{self.user!r} is no longer a member of staff in this database.")
        return me

    @property
    def role(self) -> str:
        """admin, teacher or viewer; everyone is admin until staff are configured (a tutor, a family)."""
        me = self._me()
        return me[2] if me else "admin"

    def my_classes(self) -> set[str] | None:
        """The classes a teacher teaches; None when the user may see every class."""
        me = self._me()
        if me is None or me[2] != "teacher":
            return None
        return set(me[3])

    def require_admin(self, what: str) -> None:
        if self.role != "admin":
            raise NotAllowed(f"Only an admin can {what}.")

    def require_change(self) -> None:
        if self.role == "viewer":
            raise NotAllowed(f"{self.user} can view but not change anything.")

    # --- scoped lookups --------------------------------------------------------------------

    def pupil(self, key: str | int) -> Pupil:
        """A pupil by UPN or id, if the user may see them; the same refusal either way."""
        p = self.store.pupil(key)
        mine = self.my_classes()
        if mine is None:
            if p is None:
                raise NotFound(f"No pupil with UPN or id {str(key)!r}.")
            return p
        if p is None or p.class_name not in mine:
            raise NotFound(f"No pupil with UPN or id {str(key)!r} in {self.user}'s classes.")
        return p

    def require_class(self, class_name: str | None) -> None:
        """Refuse a class the user does not teach (and one that does not exist, alike)."""
        self._check_class(class_name, self.my_classes())

    def _check_class(self, class_name: str | None, mine: set[str] | None) -> None:
        if mine is not None and class_name is not None and class_name not in mine:
            raise NotFound(f"No class {class_name!r} among {self.user}'s classes.")

    def pupils(self, class_name: str | None = None) -> list[Pupil]:
        """Pupils (of one class): a teacher sees only the pupils of their own classes."""
        mine = self.my_classes()
        self._check_class(class_name, mine)
        pupils = self.store.pupils(class_name)
        return pupils if mine is None else [p for p in pupils if p.class_name in mine]

    def classes(self) -> list[tuple[str, int]]:
        mine = self.my_classes()
        classes = self.store.classes()
        return classes if mine is None else [(c, n) for c, n in classes if c in mine]

    # --- staff -----------------------------------------------------------------------------

    def staff(self) -> list[tuple[str, str, str, list[str]]]:
        """Every member of staff: (username, name, role, classes)."""
        return self.store.staff()

    def staff_name(self, username: str) -> str:
        """A member of staff's name as set by an admin (the login where none is set)."""
        me = self.store.staff_member(username)
        return me[1] if me and me[1] else username

    def add_staff(self, username: str, name: str, role: str, classes: list[str] | None = None) -> None:
        """Add or change a member of staff (admins only, once staff exist). The first member added
        must be an admin, so the database never locks everyone out."""
        if role not in ROLES:
            raise PassportError(f"A role is admin, teacher or viewer, not {role!r}.")
        if by_another_school(username) or not username.strip():
            raise PassportError(f"A staff username is their login, with no comma: not {username!r}.")
        if not self.store.staff():
            if role != "admin":
                raise PassportError(
                    "Add an admin first: once staff exist, only known staff can use the database."
                )
        else:
            self.require_admin("manage staff")
        # a login and a class name may name folders, and all three reach terminals
        checks = (
            identifier_problem(username, "login"),
            name_problem(name, "name", MAX_STAFF_NAME),
            *(identifier_problem(c, "class") for c in classes or []),
        )
        problem = next((p for p in checks if p is not None), None)
        if problem is not None:
            raise PassportError(f"{problem[0].upper()}{problem[1:]}.")
        self.store.put_staff(username, name, role, classes)

    def remove_staff(self, username: str) -> None:
        self.require_admin("manage staff")
        admins = [m for m in self.store.staff() if m[2] == "admin" and m[0] != username]
        if not admins:
            raise PassportError("That would leave no admin; add another admin first.")
        if not self.store.remove_staff(username):
            raise NotFound(f"No member of staff {username!r}.")

    # --- files the user writes (issue 11) ------------------------------------------------------

    def output_rules(self, *, force: bool = False, backup: bool = False) -> files.Rules:
        """Where this user may write files: never the database or its companions; when the OS
        account is shared (``--as``) a non-admin, and anyone through ``passport-ssh``, writes plain
        file names into their own folder ``reports/USER/`` beside the database."""
        db = self.store.path
        mine = self.confined or (self.named and self.role != "admin")
        if mine and db is None:
            raise files.OutputRefused("An in-memory database has no folder to write files in.")
        return files.Rules(
            database=db,
            base=db.parent if db is not None else None,
            folder=("reports", self.user) if mine else (),
            force=force,
            backup=backup,
        )

    def check_output(self, path: str | Path, *, force: bool = False) -> Path:
        """Refuse now a file :meth:`write_file` would refuse (before the work of making it)."""
        return files.check(path, self.output_rules(force=force))

    def write_file(self, path: str | Path, data: str | bytes, *, force: bool = False) -> Path:
        """Write ``data`` to a new file at ``path`` (``force``: replace one that is there) under
        :meth:`output_rules`; returns where it went."""
        return files.write_new(path, data, self.output_rules(force=force))

    def save_report(self, label: str, text: str, suffix: str = ".html") -> Path:
        """Write a report the app made to ``reports/USER/LABEL-DATE.html`` beside the database
        (``label`` comes from data, a UPN or a class, and is made safe for a file name), replacing
        one written earlier today."""
        db = self.store.path
        if db is None:
            raise files.OutputRefused("An in-memory database has no folder to write reports in.")
        rules = files.Rules(database=db, base=db.parent, folder=("reports", self.user), force=True)
        name = f"{files.safe_name(label)}-{self.today().isoformat()}{suffix}"
        return files.write_new(name, text, rules)

    # --- settings --------------------------------------------------------------------------

    def set_term_dates(self, spring: tuple[int, int], summer: tuple[int, int]) -> TermDates:
        """The school's own window dates: when spring and summer start (autumn starts 1 September)."""
        self.require_admin("change the term dates")
        try:
            terms = TermDates(spring=spring, summer=summer)
        except ValueError as error:
            raise PassportError(f"Those term dates don't work: {error}.") from None
        self.store.set_setting("term_dates", {"spring": list(spring), "summer": list(summer)})
        return terms

    def setting(self, key: str) -> object:
        """A school setting (e.g. ``school_name``)."""
        return self.store.get_setting(key)
