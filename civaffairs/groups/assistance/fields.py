"""Group 4's registers, in the order of its tab: households (with members, categories, contacts
and inclusion applications in the detail pane), then temporary assistance grants, reserve fund
allocations and rescues.  Each part keeps its specs in its own module; importing them registers
them, in this order."""
from __future__ import annotations

# grants.py refers to the households, so they are registered first whatever the order here.
from civaffairs.groups.assistance.grants import GRANTS, RESCUES, RESERVE_ALLOCATIONS  # noqa: F401
from civaffairs.groups.assistance.households import (  # noqa: F401
    CONTACTS, GROUP, HOUSEHOLD_CATEGORIES, HOUSEHOLDS, INCLUSIONS, MEMBERS, PERSON_CATEGORIES,
)
