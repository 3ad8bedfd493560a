"""Group 4's registers, in the order of its tab: households (with members, categories, contacts
and inclusion applications in the detail pane), then temporary assistance grants, reserve fund
allocations and rescues.  Each part keeps its specs in its own module."""
from __future__ import annotations

import importlib

from civaffairs.groups.assistance import models as _models  # noqa: F401

GROUP = 4

# DEVELOPMENT ONLY (the lead replaces this with plain imports when the parts land).
for _part in ("households", "grants"):
    try:
        importlib.import_module(f"civaffairs.groups.assistance.{_part}")
    except ModuleNotFoundError as _e:
        if _e.name != f"civaffairs.groups.assistance.{_part}":
            raise
