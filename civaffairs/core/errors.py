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
