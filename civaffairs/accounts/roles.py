"""Roles and what each may do.  The services ask these functions; the GUI only mirrors them to
hide buttons, it never decides."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from civaffairs.core.i18n import N_, _


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    LEADER = "leader"
    MEMBER = "member"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return _(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMINISTRATOR: N_("Administrator"),
    Role.LEADER: N_("Leader"),
    Role.MEMBER: N_("Group member"),
    Role.VIEWER: N_("Viewer"),
}


LEADING_GROUP = 0  # the epidemic leading group and its supervision teams


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, or the command line."""

    username: str
    display_name: str
    role: Role
    groups: frozenset[int] = field(default_factory=frozenset)
    account_stamp: str | None = field(default=None, compare=False, repr=False)
    """A digest of the account as it was at log-in (`accounts.service.account_stamp`): every
    write re-reads the account and compares.  None for the command line, which has no account."""

    def can_write(self, group: int) -> bool:
        """Group 0 is the leading group's own work (the supervision teams): its leaders write it."""
        if group == LEADING_GROUP:
            return self.role in (Role.ADMINISTRATOR, Role.LEADER)
        return self.role is Role.ADMINISTRATOR or (self.role is Role.MEMBER and group in self.groups)

    def can_read_sensitive(self, group: int) -> bool:
        # Leaders read everything; a member reads the personal data of their own groups only.
        return self.role in (Role.ADMINISTRATOR, Role.LEADER) or (
            self.role is Role.MEMBER and group in self.groups
        )

    def can_export(self, group: int) -> bool:
        return self.role in (Role.ADMINISTRATOR, Role.LEADER) or (
            self.role is Role.MEMBER and group in self.groups
        )

    @property
    def is_administrator(self) -> bool:
        return self.role is Role.ADMINISTRATOR


COMMAND_LINE_ACTOR = Actor("cli", N_("Command line"), Role.ADMINISTRATOR, frozenset(range(1, 8)))


def person_name(username: str, names: dict[str, str] | None = None) -> str:
    """How a user is named on screen and on paper: the command line is never shown as a person."""
    if username == COMMAND_LINE_ACTOR.username:
        return _(COMMAND_LINE_ACTOR.display_name)
    name = (names or {}).get(username)
    return f"{name} ({username})" if name and name != username else username
