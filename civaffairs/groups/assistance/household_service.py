"""Households beyond what the generic register service does (Qt-free): moving a person from one
household to another, the households not contacted since a date (per town, for the town's
cadres), a household's whole file, and finding a household by its head.

Same rules as the generic service: writes check `actor.can_write(GROUP)`, refuse with typed
`ValidationError`s, run in the caller's one transaction and leave an audit entry; what is read is
masked as in the lists for a role that may not see personal data."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from civaffairs.accounts.roles import Actor
from civaffairs.core.clock import today_local
from civaffairs.core.errors import NotFound, PermissionDenied, ValidationError
from civaffairs.core.i18n import _
from civaffairs.groups.assistance.households import (
    CONTACTS, GROUP, HEAD, HOUSEHOLD_CATEGORIES, HOUSEHOLDS, INCLUSIONS, MEMBERS, PERSON_CATEGORIES, holder_of,
    household_label,
)
from civaffairs.groups.assistance.models import Contact, Household, HouseholdMember, TemporaryAssistanceGrant
from civaffairs.places.models import Community, Town
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.spec import FieldSpec, get_register

NOT_CONTACTED_DAYS = 14  # "some households not contacted for two weeks"


def _require_write(actor: Actor) -> None:
    if not actor.can_write(GROUP):
        raise PermissionDenied(_("Your account may not change the households of the assistance group."))


def _shown(actor: Actor, f: FieldSpec, value: Any) -> tuple[str, bool]:
    """A value as text, masked when the actor may not see it; and whether it was masked."""
    text = V.display_text(f, value)
    if f.sensitive is not None and not actor.can_read_sensitive(GROUP) and text:
        return V.mask(f, text), True
    return text, False


# ------------------------------------------------------------------ moving a person


@dataclass(frozen=True)
class Holder:
    """The member who already has an ID number, in another household: whom a form offers to move."""

    member_id: uuid.UUID
    version: int
    name: str
    household_id: uuid.UUID
    household: str  # "the household of 王建国 (马跑泉镇)"


def holder_in_other_household(session: Session, actor: Actor, id_number: str,
                              household_id: uuid.UUID | None) -> Holder | None:
    """The live member with `id_number` in a live household other than `household_id`, if any.
    Only for those who may move people (the number itself is what they typed)."""
    if not actor.can_write(GROUP):
        return None
    try:
        number = V.coerce(MEMBERS.field("id_number"), id_number)
    except ValueError:
        return None
    found = holder_of(session, number, None)
    if found is None or found[0].household_id == household_id:
        return None
    member = found[0]
    return Holder(member.id, member.version, member.name, member.household_id,
                  household_label(session, member.household_id))


def move_member(session: Session, actor: Actor, member_id: uuid.UUID, to_household_id: uuid.UUID,
                expected_version: int, *, relation: str | None = None) -> records.Row:
    """Move a person into another household, in one transaction, with one audit entry naming both
    households (the member's household changes from one head to the other).  `relation`: the
    person's relation to the new head (None keeps the present one).

    Refused: a person already in that household; the head of a household that has other members
    (another member becomes its head first); anything the members' rules refuse (a second head, a
    head who is not the household's).  The head who is the only member may move (an old woman
    moving in with her son): the household is left without members and keeps its history
    (contacts, grants, categories, which the clerk ends)."""
    _require_write(actor)
    member = session.get(HouseholdMember, member_id)
    if member is None or member.deleted_at is not None:
        raise NotFound(_("This person is no longer in the register."))
    target = session.get(Household, to_household_id)
    if target is None or target.deleted_at is not None:
        raise ValidationError.at("household_id", _("The chosen household no longer exists; please choose again."))
    if member.household_id == to_household_id:
        raise ValidationError.at("household_id", _("{name} is already a member of this household.").format(
            name=member.name))
    if member.relation == HEAD:
        others = session.scalar(select(func.count()).select_from(HouseholdMember).where(
            HouseholdMember.household_id == member.household_id, HouseholdMember.id != member.id,
            HouseholdMember.deleted_at.is_(None))) or 0
        if others:
            raise ValidationError.at("relation", _(
                "{name} is the head of {household}, which has {n} other members: make one of them its head "
                "first, then move {name}.").format(name=member.name, n=others,
                                                   household=household_label(session, member.household_id)))
    values: dict[str, Any] = {"household_id": to_household_id}
    if relation is not None:
        values["relation"] = relation
    # A move adds no person to the register, so it adds no possible duplicate: what the members'
    # warnings find for the moved record (a phone shared with the family left behind) is accepted
    # here, and the audit entry keeps it.
    current = {f.name: V.from_db(f, getattr(member, f.name)) for f in MEMBERS.fields}
    accept = [message for rule in MEMBERS.warnings
              for message in rule(session, {**current, **values, "relation": relation or member.relation},
                                  member_id).values()]
    return records.update(session, actor, MEMBERS, member_id, expected_version, values, accept=accept)


# ------------------------------------------------------------------ finding a household


@dataclass(frozen=True)
class HouseholdChoice:
    id: uuid.UUID
    head_name: str
    head_id_number: str  # masked for a role that may not see it
    town: str
    community: str
    members: int

    @property
    def label(self) -> str:
        place = "".join(p for p in (self.town, self.community) if p)
        return "  ".join(p for p in (self.head_name, place, self.head_id_number,
                                     _("{n} members").format(n=self.members)) if p)


def find_households(session: Session, actor: Actor, search: str, *, limit: int = 50) -> list[HouseholdChoice]:
    """Households whose head's name (or, for those who may see it, ID number, address or phone)
    matches `search`, as the households list searches them."""
    rows = records.fetch(session, actor, HOUSEHOLDS, records.ListQuery(search=search.strip()), 0, limit)
    return [HouseholdChoice(r.id, r.values["head_name"], r.values["head_id_number"] or "",
                            r.values["town_id"] or "", r.values["community_id"] or "", r.values["members"] or 0)
            for r in rows]


# ------------------------------------------------------------------ not contacted since a date


@dataclass(frozen=True)
class NotContactedLine:
    household_id: uuid.UUID
    town_id: uuid.UUID
    town: str
    community: str
    head_name: str
    head_id_number: str  # masked for a role that may not see it
    phone: str  # masked likewise
    address: str  # masked likewise
    members: int
    last_contact: date | None  # None: never contacted
    last_channel: str  # the title of the last contact's channel, or ""
    masked: frozenset[str] = field(default_factory=frozenset)

    def days_since(self, day: date) -> int | None:
        return (day - self.last_contact).days if self.last_contact else None


def not_contacted_since(session: Session, actor: Actor, day: date, town_id: uuid.UUID | None = None) -> list[NotContactedLine]:
    """The live households (of one town, or all) with no contact on or after `day`, by town,
    village or community and head; each with its last contact before then.  Personal data is
    masked for a role that may not see it, as in the lists."""
    h, c = Household, Contact
    recent = select(c.id).where(c.household_id == h.id, c.deleted_at.is_(None), c.contacted_on >= day).exists()
    community = aliased(Community)
    stmt = (select(h.id, h.town_id, Town.name, community.name, h.head_name, h.head_id_number, h.phone, h.address)
            .join(Town, Town.id == h.town_id).outerjoin(community, community.id == h.community_id)
            .where(h.deleted_at.is_(None), ~recent)
            .order_by(Town.name, community.name.nulls_first(), h.head_name, h.id))
    if town_id is not None:
        stmt = stmt.where(h.town_id == town_id)
    rows = session.execute(stmt).all()
    ids = [r[0] for r in rows]
    last: dict[uuid.UUID, tuple[date, str]] = {}
    counts: dict[uuid.UUID, int] = {}
    channel_field = CONTACTS.field("channel")
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        newest = (select(c.household_id, func.max(c.contacted_on).label("day"))
                  .where(c.household_id.in_(chunk), c.deleted_at.is_(None)).group_by(c.household_id).subquery())
        for household, contacted_on, channel in session.execute(
                select(c.household_id, c.contacted_on, c.channel)
                .join(newest, (newest.c.household_id == c.household_id) & (newest.c.day == c.contacted_on))
                .where(c.deleted_at.is_(None)).order_by(c.id)):
            last[household] = (contacted_on, channel_field.choice_title(channel))
        counts.update(dict(session.execute(
            select(HouseholdMember.household_id, func.count()).where(
                HouseholdMember.household_id.in_(chunk), HouseholdMember.deleted_at.is_(None))
            .group_by(HouseholdMember.household_id)).all()))
    lines = []
    for household, town, town_name, community_name, head, number, phone, address in rows:
        masked = set()
        shown = {}
        for name, value in (("head_id_number", number), ("phone", phone), ("address", address)):
            shown[name], hidden = _shown(actor, HOUSEHOLDS.field(name), value)
            if hidden:
                masked.add(name)
        contacted, channel = last.get(household, (None, ""))
        lines.append(NotContactedLine(household, town, town_name, community_name or "", head,
                                      shown["head_id_number"], shown["phone"], shown["address"],
                                      counts.get(household, 0), contacted, channel, frozenset(masked)))
    return lines


def two_weeks_ago(day: date | None = None) -> date:
    """The first day of the two weeks ending `day` (today): "not contacted for two weeks" means
    not contacted since then."""
    return (day or today_local()) - timedelta(days=NOT_CONTACTED_DAYS - 1)


@dataclass(frozen=True)
class RegisterSummary:
    households: int
    members: int
    not_contacted: int  # no contact in the two weeks ending the day asked about


def summary(session: Session, day: date) -> RegisterSummary:
    """Counts for the overview (no personal data)."""
    households = session.scalar(select(func.count()).select_from(Household).where(Household.deleted_at.is_(None))) or 0
    members = session.scalar(select(func.count()).select_from(HouseholdMember).join(
        Household, Household.id == HouseholdMember.household_id).where(
        HouseholdMember.deleted_at.is_(None), Household.deleted_at.is_(None))) or 0
    since = two_weeks_ago(day)
    recent = select(Contact.id).where(Contact.household_id == Household.id, Contact.deleted_at.is_(None),
                                      Contact.contacted_on >= since).exists()
    silent = session.scalar(select(func.count()).select_from(Household).where(
        Household.deleted_at.is_(None), ~recent)) or 0
    return RegisterSummary(households, members, silent)


# ------------------------------------------------------------------ a household's file


@dataclass(frozen=True)
class GrantLine:
    number: str
    applied_on: date
    hardship: str  # title
    state: str  # title
    assist_first: bool
    persons: int
    proposed: Decimal  # yuan
    approved: Decimal | None
    paid: Decimal | None
    paid_on: date | None
    paperwork_owed: bool  # assist first, paperwork not completed


@dataclass(frozen=True)
class HouseholdFile:
    household: records.Row
    members: list[records.Row]
    household_categories: list[records.Row]
    person_categories: list[records.Row]
    contacts: list[records.Row]
    inclusions: list[records.Row]
    grants: list[GrantLine]


def _children(session: Session, actor: Actor, spec: Any, parent: str, parent_id: uuid.UUID,
              sort: str | None = None, descending: bool = False) -> list[records.Row]:
    q = records.ListQuery(equals=((parent, parent_id),), sort=sort, descending=descending)
    rows: list[records.Row] = []
    while True:
        page = records.fetch(session, actor, spec, q, len(rows), 1000)
        rows.extend(page)
        if len(page) < 1000:
            return rows


def _choice_title(register_key: str, field_name: str, code: str | None) -> str:
    """A grant's choice as its register names it (engineer G's specs), else the code itself."""
    try:
        spec = get_register(register_key)
    except KeyError:
        return code or ""
    return spec.field(field_name).choice_title(code) if spec.has_field(field_name) else code or ""


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen).scaleb(-2)


def grants_of(session: Session, household_id: uuid.UUID) -> list[GrantLine]:
    """The household's temporary assistance grants, oldest first (no personal data in them)."""
    g = TemporaryAssistanceGrant
    lines = []
    for grant in session.scalars(select(g).where(g.household_id == household_id, g.deleted_at.is_(None))
                                 .order_by(g.applied_on, g.id)):
        lines.append(GrantLine(
            grant.number, grant.applied_on, _choice_title("assistance.grants", "hardship", grant.hardship),
            _choice_title("assistance.grants", "state", grant.state), grant.assist_first, grant.persons,
            _yuan(grant.proposed_amount) or Decimal(0), _yuan(grant.approved_amount), _yuan(grant.paid_amount),
            grant.paid_on, grant.assist_first and grant.paid_on is not None and grant.paperwork_completed_on is None))
    return lines


def household_file(session: Session, actor: Actor, household_id: uuid.UUID) -> HouseholdFile:
    """Everything about one household for its file: the household, its members with their
    categories, the household's categories, contacts, applications for inclusion and grants;
    masked for the actor as in the lists."""
    household = records.get(session, actor, HOUSEHOLDS, household_id)
    if household.deleted_at is not None:
        raise NotFound(_("This household has been deleted."))
    members = _children(session, actor, MEMBERS, "household_id", household_id)
    relation_order = {c.code: i for i, c in enumerate(MEMBERS.field("relation").choices)}
    members.sort(key=lambda r: (relation_order.get(r.values["relation"], 99), str(r.id)))
    person_categories: list[records.Row] = []
    for member in members:
        person_categories += _children(session, actor, PERSON_CATEGORIES, "member_id", member.id, "start_date")
    return HouseholdFile(
        household, members,
        _children(session, actor, HOUSEHOLD_CATEGORIES, "household_id", household_id, "start_date"),
        person_categories,
        _children(session, actor, CONTACTS, "household_id", household_id, "contacted_on"),
        _children(session, actor, INCLUSIONS, "household_id", household_id, "applied_on"),
        grants_of(session, household_id))


def towns(session: Session) -> list[tuple[uuid.UUID, str]]:
    """The towns and sub-districts, by name (for a filter)."""
    return [(i, n) for i, n in session.execute(select(Town.id, Town.name).where(Town.deleted_at.is_(None))
                                               .order_by(Town.name, Town.id))]


def town_name(session: Session, town_id: uuid.UUID) -> str:
    return session.scalar(select(Town.name).where(Town.id == town_id)) or ""
