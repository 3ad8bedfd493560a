"""The place tree's registers.  Group 3 (community prevention) keeps them; every group reads them."""
from __future__ import annotations

from civaffairs.core.i18n import N_
from civaffairs.places.models import Community, Town
from civaffairs.records.rules import unique_name
from civaffairs.records.spec import Choice, FieldSpec, Kind, RegisterSpec, register

KEEPER_GROUP = 3  # 社区群防群治组 keeps the place tree

TOWN_KINDS = (Choice("town", N_("Town (镇)")), Choice("subdistrict", N_("Sub-district (街道)")))
COMMUNITY_KINDS = (Choice("community", N_("Urban community (社区)")), Choice("village", N_("Village (村)")))


TOWNS = register(RegisterSpec(
    key="places.towns", group=KEEPER_GROUP, title=N_("Towns and sub-districts"), record_noun=N_("town or sub-district"),
    model=Town, display_fields=("name",), default_sort="name",
    fields=(
        FieldSpec("name", N_("Place name"), required=True, max_length=50, searchable=True, width=12),
        FieldSpec("kind", N_("Kind"), Kind.CHOICE, choices=TOWN_KINDS, required=True, width=6),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, width=20),
    ),
    rules=(unique_name(Town, N_("“{name}” is already in the list.")),),
))


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
    rules=(unique_name(Community, N_("“{name}” is already in this town."), parent="town_id"),),
))

REGISTERS = (TOWNS, COMMUNITIES)
