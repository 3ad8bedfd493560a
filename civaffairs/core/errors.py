"""The one error hierarchy of civaffairs.

Services raise these; the GUI maps each kind to its presentation in one place
(`civaffairs.gui.errors`).  Messages are already translated when raised.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from civaffairs.core.i18n import _


class CivaffairsError(Exception):
    """Base of every error a user may see."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(CivaffairsError):
    """Bad input.  `field_errors` maps a field name ("" for the whole record) to its message;
    `row`: which of many rows it was (0-based), where a call wrote many (`create_many`)."""

    row: int | None = None

    def __init__(self, field_errors: dict[str, str]):
        self.field_errors = dict(field_errors)
        super().__init__("；".join(self.field_errors.values()))

    @classmethod
    def at(cls, field: str, message: str) -> "ValidationError":
        return cls({field: message})


class NeedsConfirmation(ValidationError):
    """The input is valid but may be a mistake (a possible duplicate person): the record is saved
    only when the clerk has seen these messages and accepts them.  `field_errors` holds them, so a
    caller that cannot ask shows them as a refusal."""


class NotFound(CivaffairsError):
    pass


class PermissionDenied(CivaffairsError):
    pass


class HasChildren(CivaffairsError):
    """A record cannot be deleted while records belong to it; `children` names how many of which
    kind: [("入住人员", 12), ("核酸检测", 3)]."""

    def __init__(self, label: str, children: list[tuple[str, int]]):
        self.children = children
        listed = "、".join(_("{register} ({n})").format(register=name, n=n) for name, n in children)
        super().__init__(_("“{label}” cannot be deleted: records still belong to it: {children}. "
                           "Delete or move them first.").format(label=label, children=listed))


class AuthenticationFailed(CivaffairsError):
    pass


class DatabaseDamaged(CivaffairsError):
    """The database file is damaged, empty or not this program's: it is not opened.  `backup` is
    the latest verified backup (a `civaffairs.backup.service.BackupInfo`), if there is one."""

    def __init__(self, file: object, backup: object | None = None, backup_date: str = ""):
        self.file, self.backup = file, backup
        msg = _("The database file {file} is damaged or is not a database of this program, and was not "
                "opened. Nothing in it has been changed.").format(file=file)
        if backup is not None:
            msg += "\n" + _("The latest verified backup is {backup} ({date}); it can be restored.").format(
                backup=backup.path, date=backup_date)  # type: ignore[attr-defined]
        else:
            msg += "\n" + _("No verified backup was found. Ask the administrator for help.")
        super().__init__(msg)


class SessionEnded(CivaffairsError):
    """The logged-in account was changed (role, groups, password) or deactivated by an
    administrator since the log-in: nothing more is written until the user logs in again."""

    def __init__(self, deactivated: bool = False):
        self.deactivated = deactivated
        super().__init__(_("Your account has been deactivated by the administrator. Nothing was saved.")
                         if deactivated else
                         _("Your account has been changed by the administrator. Please log in again."))


class DatabaseUnreachable(CivaffairsError):
    """The database server cannot be reached (server down, network lost).  The transaction was
    rolled back by the server; the user's input stays on screen for another try."""

    def __init__(self) -> None:
        super().__init__(_("Cannot connect to the database server. Please check the network or ask the "
                           "administrator. Your input is not lost: save again once the connection is back."))


class DatabaseBusy(CivaffairsError):
    """Another program or PC held the SQLite file's write lock longer than the busy timeout (a
    large import is one transaction).  Nothing was written; the input stays for another try."""

    def __init__(self) -> None:
        super().__init__(_("The database is busy with another window or PC (for example a large import). "
                           "Nothing was saved and your input is not lost: please save again in a moment."))


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str
    by: str
    at: datetime | None


class EditConflict(CivaffairsError):
    """Somebody else saved the record after it was opened; `changes` says what they changed."""

    def __init__(self, changes: list[FieldChange], deleted: bool = False):
        self.changes = changes
        self.deleted = deleted
        if deleted:
            msg = _("Another user deleted this record while you were editing it.")
        else:
            lines = [
                _("{label}: “{old}” → “{new}” (by {user})").format(
                    label=c.label, old=c.old, new=c.new, user=c.by
                )
                for c in changes
            ]
            msg = _("Another user saved this record while you were editing it. Your changes were not saved.")
            if lines:
                msg += "\n" + _("They changed:") + "\n" + "\n".join(lines)
        super().__init__(msg)
