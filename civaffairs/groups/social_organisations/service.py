"""What group 5 does beyond its registers: sending a notice to many organisations at once, taking
over one of the program's issued notices, recording acknowledgements, and the list of the
organisations that have not acknowledged (masked for who may not see phones).

Every write goes through the records service (permission, validation, audit) in the caller's
transaction; what is refused is refused before anything is written."""
from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.errors import NotFound, PermissionDenied, ValidationError
from civaffairs.core.i18n import _
from civaffairs.groups.social_organisations import figures
from civaffairs.groups.social_organisations.fields import CHANNELS, DELIVERIES, GROUP, KINDS, NOTICES, ORGANISATIONS
from civaffairs.groups.social_organisations.models import NoticeDelivery, OrganisationNotice, SocialOrganisation
from civaffairs.notices import service as notices
from civaffairs.notices.data import NoticeData, NoticeStatus
from civaffairs.records import service as records
from civaffairs.records import values as V


def _require_write(actor: Actor) -> None:
    if not actor.can_write(GROUP):
        raise PermissionDenied(_("Your account may not change the registers of the social organisations group."))


def _notice(session: Session, notice_id: uuid.UUID) -> OrganisationNotice:
    notice = session.get(OrganisationNotice, notice_id)
    if notice is None or notice.deleted_at is not None:
        raise NotFound(_("This notice no longer exists."))
    return notice


# ------------------------------------------------------------------ sending


@dataclass(frozen=True)
class Recipients:
    new: list[uuid.UUID]  # organisations that would be sent the notice
    already: int  # chosen organisations that were sent it before


def recipients(session: Session, notice_id: uuid.UUID, *, kinds: Collection[str] = (),
               town_id: uuid.UUID | None = None, organisation_ids: Collection[uuid.UUID] | None = None) -> Recipients:
    """The live organisations of the chosen kinds (all kinds when none is given), in the town when
    one is given, or exactly `organisation_ids`; those already sent the notice are counted apart."""
    stmt = select(SocialOrganisation.id).where(SocialOrganisation.deleted_at.is_(None)).order_by(
        SocialOrganisation.name, SocialOrganisation.id)
    if organisation_ids is not None:
        stmt = stmt.where(SocialOrganisation.id.in_(list(organisation_ids)))
    if kinds:
        stmt = stmt.where(SocialOrganisation.kind.in_(list(kinds)))
    if town_id is not None:
        stmt = stmt.where(SocialOrganisation.town_id == town_id)
    chosen = list(session.scalars(stmt))
    sent = set(session.scalars(select(NoticeDelivery.organisation_id).where(
        NoticeDelivery.org_notice_id == notice_id, NoticeDelivery.deleted_at.is_(None))))
    return Recipients([i for i in chosen if i not in sent], sum(1 for i in chosen if i in sent))


def send_notice(session: Session, actor: Actor, notice_id: uuid.UUID, sent_date: date, *,
                kinds: Collection[str] = (), town_id: uuid.UUID | None = None,
                organisation_ids: Collection[uuid.UUID] | None = None, channel: str = "") -> int:
    """Record that the notice was sent on `sent_date` to every chosen organisation that has not
    had it yet (see `recipients`); returns how many.  One record per organisation, each validated
    and audited; a bad date or channel is refused at its field before anything is written."""
    _require_write(actor)
    _notice(session, notice_id)
    unknown = [k for k in kinds if k not in {c.code for c in KINDS}]
    if unknown:
        raise ValidationError.at("kinds", _("Unknown choice: {c}.").format(c=unknown[0]))
    if channel and channel not in {c.code for c in CHANNELS}:
        raise ValidationError.at("channel", _("Unknown choice: {c}.").format(c=channel))
    found = recipients(session, notice_id, kinds=kinds, town_id=town_id, organisation_ids=organisation_ids)
    if not found.new:
        if found.already:
            raise ValidationError.at("", _("Every organisation chosen has already been sent this notice."))
        raise ValidationError.at("kinds", _("No organisation is of the kinds and in the place chosen."))
    for organisation_id in found.new:
        records.create(session, actor, DELIVERIES, {
            "organisation_id": organisation_id, "org_notice_id": notice_id, "sent_date": sent_date,
            "channel": channel, "acknowledged_date": None, "acknowledged_by": ""})
    return len(found.new)


def acknowledge(session: Session, actor: Actor, deliveries: Sequence[tuple[uuid.UUID, int]], day: date,
                by: str = "") -> int:
    """Record the receipt of each (delivery id, version it was read at) as acknowledged on `day`
    (by `by`, when given).  A notice already acknowledged keeps its date; returns how many were
    recorded now."""
    _require_write(actor)
    done = 0
    for delivery_id, version in deliveries:
        current = records.get(session, actor, DELIVERIES, delivery_id)
        if current.deleted_at is not None:
            raise NotFound(_("This record no longer exists."))
        if current.values["acknowledged_date"] is not None:  # acknowledged meanwhile: its date stands
            continue
        values: dict[str, object] = {"acknowledged_date": day}
        if by:
            values["acknowledged_by"] = by
        records.update(session, actor, DELIVERIES, delivery_id, version, values)
        done += 1
    return done


# ------------------------------------------------------------------ the program's notices


def notices_to_take_over(session: Session, actor: Actor) -> list[NoticeData]:
    """The program's issued notices (of any group) not yet in the register of notices to
    organisations, newest first."""
    taken = set(session.scalars(select(OrganisationNotice.notice_id).where(
        OrganisationNotice.notice_id.is_not(None), OrganisationNotice.deleted_at.is_(None))))
    return [n for n in notices.list_notices(session, actor, status=NoticeStatus.ISSUED) if n.id not in taken]


def take_over_notice(session: Session, actor: Actor, notice_id: uuid.UUID, *,
                     reply_by: date | None = None) -> records.Row:
    """A notice to organisations made from one of the program's issued notices: its title, number,
    signing office and issue date, linked to it so that they stay as issued."""
    _require_write(actor)
    notice = notices.get(session, actor, notice_id)
    if notice.status is not NoticeStatus.ISSUED:
        raise ValidationError.at("", _("Only an issued notice can be sent to organisations; this one is “{status}”.")
                                 .format(status=notice.status.label))
    taken = session.scalar(select(OrganisationNotice).where(OrganisationNotice.notice_id == notice_id,
                                                            OrganisationNotice.deleted_at.is_(None)))
    if taken is not None:
        raise ValidationError.at("", _("The notice {number} is already in the list of notices to organisations.")
                                 .format(number=notice.document_number))
    row = records.create(session, actor, NOTICES, {
        "title": notice.title, "document_number": notice.document_number or "", "issued_by": notice.signatory,
        "notice_date": notice.issue_date, "reply_by": reply_by, "note": ""})
    obj = session.get(OrganisationNotice, row.id)
    assert obj is not None
    now = now_utc()
    obj.notice_id = notice_id
    obj.updated_at, obj.updated_by = now, actor.username
    session.flush()
    audit.record(session, actor, "update", NOTICES.key, obj.id, record_version=obj.version, label=obj.title,
                 changes={"notice_id": [None, notice.document_number]}, at=now)
    return records.get(session, actor, NOTICES, row.id)


# ------------------------------------------------------------------ the not-acknowledged list


def not_acknowledged(session: Session, actor: Actor, *, notice_id: uuid.UUID | None = None,
                     day: date | None = None) -> list[figures.PendingLine]:
    """The organisations that have not acknowledged a notice on `day` (default today), with the
    contact phone masked unless the actor may see the group's personal data.  Everyone may read it."""
    lines = figures.not_acknowledged(session, day or today_local(), notice_id)
    if actor.can_read_sensitive(GROUP):
        return lines
    phone = ORGANISATIONS.field("contact_phone")
    return [replace(line, contact_phone=V.mask(phone, line.contact_phone)) for line in lines]
