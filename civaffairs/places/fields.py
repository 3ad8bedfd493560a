"""The place tree's registers.  Group 3 (community prevention) keeps them; every group reads them."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.core.i18n import N_, _
from civaffairs.places.models import Community, Town
from civaffairs.records.spec import Choice, FieldSpec, Kind, RegisterSpec, register

KEEPER_GROUP = 3  # 社区群防群治组 keeps the place tree

TOWN_KINDS = (Choice("town", N_("Town (镇)")), Choice("subdistrict", N_("Sub-district (街道)")))
COMMUNITY_KINDS = (Choice("community", N_("Urban community (社区)")), Choice("village", N_("Village (村)")))


def _town_name_unique(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    name = values.get("name")
    if not name:
        return {}
    stmt = select(Town.id).where(Town.name == name, Town.deleted_at.is_(None))
    if record_id:
        stmt = stmt.where(Town.id != record_id)
    if session.scalar(stmt) is not None:
        return {"name": _("“{name}” is already in the list.").format(name=name)}
    return {}


TOWNS = register(RegisterSpec(
    key="places.towns", group=KEEPER_GROUP, title=N_("Towns and sub-districts"), record_noun=N_("town or sub-district"),
    model=Town, display_fields=("name",), default_sort="name",
    fields=(
        FieldSpec("name", N_("Place name"), required=True, max_length=50, searchable=True, width=12),
        FieldSpec("kind", N_("Kind"), Kind.CHOICE, choices=TOWN_KINDS, required=True, width=6),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, width=20),
    ),
    rules=(_town_name_unique,),
))


def _community_name_unique(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    name, town_id = values.get("name"), values.get("town_id")
    if not name or town_id is None:
        return {}
    stmt = select(Community.id).where(Community.name == name, Community.town_id == town_id,
                                      Community.deleted_at.is_(None))
    if record_id:
        stmt = stmt.where(Community.id != record_id)
    if session.scalar(stmt) is not None:
        return {"name": _("“{name}” is already in this town.").format(name=name)}
    return {}


COMMUNITIES = register(RegisterSpec(
    key="places.communities", group=KEEPER_GROUP, title=N_("Villages and communities"),
    record_noun=N_("village or community"), model=Community, display_fields=("name",), default_sort="name",
    parent_field="town_id",
    fields=(
        FieldSpec("town_id", N_("Town or sub-district"), Kind.REFERENCE, reference=TOWNS.key, required=True,
                  searchable=True, width=10),
        FieldSpec("name", N_("Place name"), required=True, max_length=50, searchable=True, width=12),
        FieldSpec("kind", N_("Kind"), Kind.CHOICE, choices=COMMUNITY_KINDS, required=True, width=6),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, width=20),
    ),
    rules=(_community_name_unique,),
))

REGISTERS = (TOWNS, COMMUNITIES)
