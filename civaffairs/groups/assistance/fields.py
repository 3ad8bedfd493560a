"""Group 4's registers (households and members, categories, contacts, inclusion, temporary
assistance grants, reserve funds, rescue)."""
from __future__ import annotations

from civaffairs.groups.assistance import models as _models  # noqa: F401
