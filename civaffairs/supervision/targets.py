"""What a supervision team inspects: a registry of target kinds, registered by code.

A kind names the register its targets live in (looked up lazily by key, so that this module
imports no group), the visit's reference field that holds a target of this kind, and the
checklist a visit to such a target is filled with.  A later group (social organisations,
donation handling) adds a kind by registering it here and giving the visit one more nullable
reference column: the meaning of the existing columns does not change."""
from __future__ import annotations

from dataclasses import dataclass

from civaffairs.core.i18n import N_, _


@dataclass(frozen=True)
class ChecklistItem:
    code: str  # stable, stored with the checklist line: "compound.registration"
    label: str  # N_-marked; the translated text is stored on the line when the checklist is filled


@dataclass(frozen=True)
class TargetKind:
    key: str  # stored in the visit's target_kind: "compound", "institution"
    label: str  # N_-marked, e.g. "Residential compound"
    register_key: str  # the register of the targets: "community.compounds"
    field: str  # the visit's reference column for this kind: "compound_id"
    checklist: tuple[ChecklistItem, ...]

    @property
    def title(self) -> str:
        return _(self.label)


_KINDS: dict[str, TargetKind] = {}


def register_target_kind(kind: TargetKind) -> TargetKind:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"target kind {kind.key} defined twice")
    _KINDS[kind.key] = kind
    return kind


def target_kind(key: str) -> TargetKind:
    return _KINDS[key]


def target_kinds() -> list[TargetKind]:
    return list(_KINDS.values())


def kind_of_field(field: str) -> TargetKind | None:
    return next((k for k in _KINDS.values() if k.field == field), None)


COMPOUND = register_target_kind(TargetKind(
    "compound", N_("Residential compound"), "community.compounds", "compound_id", (
        ChecklistItem("compound.registration", N_("People coming and going are registered at the entrance")),
        ChecklistItem("compound.one_entrance", N_("Only one entrance is open, the others are closed")),
        ChecklistItem("compound.duty_24h", N_("The duty point is staffed 24 hours a day")),
        ChecklistItem("compound.three_checks", N_("Health code, itinerary card and access pass are checked")),
        ChecklistItem("compound.disinfection", N_("The duty point is disinfected")),
        ChecklistItem("compound.temperature", N_("Temperatures are taken at the entrance")),
    )))

INSTITUTION = register_target_kind(TargetKind(
    "institution", N_("Service institution"), "service_institutions.institutions", "institution_id", (
        ChecklistItem("institution.temperature", N_("Temperatures are taken every day")),
        ChecklistItem("institution.masks", N_("Staff and residents wear masks")),
        ChecklistItem("institution.ventilation", N_("Rooms are ventilated")),
        ChecklistItem("institution.disinfection", N_("Rooms and objects are disinfected")),
        ChecklistItem("institution.no_gatherings", N_("No gathering activities take place")),
        ChecklistItem("institution.closed_management", N_("Closed management is in place")),
        ChecklistItem("institution.no_visitors", N_("Visitors are refused")),
        ChecklistItem("institution.supplies", N_("Living and prevention supplies are reserved")),
    )))
