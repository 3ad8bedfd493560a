"""Administrator screens: user accounts and the audit log."""
from __future__ import annotations

from civaffairs.gui.admin.audit import AuditLogDialog
from civaffairs.gui.admin.users import PasswordResetDialog, UserEditDialog, UsersDialog

__all__ = ["AuditLogDialog", "PasswordResetDialog", "UserEditDialog", "UsersDialog"]
