"""What group 7 does beyond its registers: issuing a service certificate (志愿服务记录证明) under a
number of its own kind (e.g. 麦民志证〔2021〕3号), cancelling that number, and what the paper says.

Same rules as the generic register service: permission (`actor.can_write(GROUP)`), typed
`ValidationError`s, the caller's one transaction, an audit entry per change.  Reading a
certificate is open to every role, with the volunteer's ID number masked for those who may not
see group 7's personal data."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc, to_local, today_local
from civaffairs.core.errors import NotFound, PermissionDenied, ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.core.idnumbers import mask_resident_id
from civaffairs.groups.volunteers import figures
from civaffairs.groups.volunteers.fields import CERTIFICATES, GROUP
from civaffairs.groups.volunteers.models import ServiceCertificate, Shift, Volunteer
from civaffairs.numbering import service as numbering
from civaffairs.numbering.data import NumberKind, register_kind
from civaffairs.reports.figures import Period, period_errors
from civaffairs.sync.capture import replayable

CERTIFICATE = register_kind(NumberKind("volunteer_cert", N_("Volunteer service certificate number"),
                                       default_prefix="麦民志证"))
OUTBREAK_START = date(2021, 10, 1)


def can_write(actor: Actor) -> bool:
    return actor.can_write(GROUP)


def _require_write(actor: Actor) -> None:
    if not can_write(actor):
        raise PermissionDenied(_("Your account may not change the register “{register}”.").format(
            register=CERTIFICATES.name))


def _certificate(session: Session, certificate_id: uuid.UUID, *, for_update: bool = False) -> ServiceCertificate:
    found = session.get(ServiceCertificate, certificate_id, with_for_update=for_update, populate_existing=for_update)
    if found is None or found.deleted_at is not None:
        raise NotFound(_("This service certificate no longer exists."))
    return found


def _volunteer(session: Session, volunteer_id: uuid.UUID) -> Volunteer:
    found = session.get(Volunteer, volunteer_id)
    if found is None or found.deleted_at is not None:
        raise NotFound(_("This volunteer no longer exists."))
    return found


def _label(session: Session, cert: ServiceCertificate) -> str:
    return f"{_volunteer(session, cert.volunteer_id).name} {cert.issue_date.isoformat()}"


# ------------------------------------------------------------------ a new certificate's form


def new_certificate_values(session: Session, actor: Actor, volunteer_id: uuid.UUID,
                           today: date | None = None) -> dict[str, object]:
    """What the form of a new certificate starts with: the volunteer; the period from the first
    day served since the outbreak to the last (or to today); the issuing organisation, the person
    in charge and the contact of the office's last certificate (the office's name for the first
    one); the clerk as the handler; issued today."""
    today = today or today_local()
    _volunteer(session, volunteer_id)
    live = (Shift.volunteer_id == volunteer_id, Shift.deleted_at.is_(None))
    first = session.scalar(select(func.min(Shift.sign_in)).where(*live))
    last = max((m for m in (session.scalar(select(func.max(Shift.sign_in)).where(*live)),
                            session.scalar(select(func.max(Shift.sign_out)).where(*live))) if m is not None),
               default=None)
    start = min(OUTBREAK_START, today)
    if first is not None:
        start = min(max(start, to_local(first).date()), today)
    end = today if last is None else min(today, to_local(last).date())
    end = max(end, start)
    previous = session.execute(select(ServiceCertificate.organisation, ServiceCertificate.person_in_charge,
                                      ServiceCertificate.contact)
                               .where(ServiceCertificate.deleted_at.is_(None))
                               .order_by(ServiceCertificate.created_at.desc()).limit(1)).first()
    organisation, person, contact = previous if previous else ("", "", "")
    return {"volunteer_id": volunteer_id, "period_start": start, "period_end": end,
            "organisation": organisation or accounts.office_name(session), "handler": actor.display_name,
            "person_in_charge": person, "contact": contact, "issue_date": today}


# ------------------------------------------------------------------ issuing and cancelling


@replayable("volunteers.issue_certificate", register=CERTIFICATES.key, record_arg="certificate_id")
def issue_certificate(session: Session, actor: Actor, certificate_id: uuid.UUID, prefix: str | None = None) -> str:
    """Issue a drafted certificate: its hours are computed from the shifts of its period and
    written with it, its content written from them if empty, and it takes the next number of
    (prefix, year of its issue date).  Refused when it is issued already, or when the volunteer
    has no hours in the period.  Returns the number."""
    _require_write(actor)
    cert = _certificate(session, certificate_id, for_update=True)
    if cert.number:
        raise ValidationError.at("", _("This certificate has already been issued as {number}.").format(
            number=cert.number))
    volunteer = _volunteer(session, cert.volunteer_id)
    errors = period_errors(cert.period_start, cert.period_end, start_field="period_start", end_field="period_end")
    if errors:  # a period whose hours cannot be computed: said at its days
        raise ValidationError(errors)
    period = Period(cert.period_start, cert.period_end)
    minutes = figures.volunteer_minutes(session, cert.volunteer_id, period)
    if minutes <= 0:
        raise ValidationError.at("period_end", _("{name} has no service hours signed out from {start} to {end}: "
                                                 "there is nothing to certify.").format(
            name=volunteer.name, start=cert.period_start.isoformat(), end=cert.period_end.isoformat()))
    label = _label(session, cert)
    entry = numbering.allocate(session, actor, CERTIFICATE, prefix or CERTIFICATE.default_prefix,
                               cert.issue_date.year, owner_register=CERTIFICATES.key, owner_id=cert.id,
                               owner_label=label)
    changes: dict[str, list[object]] = {"number": [None, entry.number], "minutes": [None, str(minutes)]}
    if not cert.content.strip():
        content = figures.service_content(figures.service_lines(session, cert.volunteer_id, period))
        changes["content"] = [cert.content or None, content]
        cert.content = content
    now = now_utc()
    cert.number, cert.minutes = entry.number, minutes
    cert.updated_at, cert.updated_by = now, actor.username
    session.flush()
    audit.record(session, actor, "issue", CERTIFICATES.key, cert.id, record_version=cert.version, label=label,
                 changes=changes, at=now)
    return entry.number


@replayable("volunteers.cancel_certificate_number", register=CERTIFICATES.key, record_arg="certificate_id")
def cancel_certificate_number(session: Session, actor: Actor, certificate_id: uuid.UUID, reason: str) -> str:
    """Cancel an issued certificate's number (it stays in the number register with the reason
    and is never given again); the certificate is a draft again, to correct and issue anew.
    Returns the number."""
    _require_write(actor)
    text = numbering.clean_reason(reason)
    cert = _certificate(session, certificate_id, for_update=True)
    entry = numbering.owner_number(session, CERTIFICATES.key, cert.id)
    if not cert.number or entry is None:
        raise ValidationError.at("", _("This certificate has not been issued."))
    numbering.cancel(session, actor, entry, text)
    number, minutes = cert.number, cert.minutes
    now = now_utc()
    cert.number, cert.minutes = "", None
    cert.updated_at, cert.updated_by = now, actor.username
    session.flush()
    audit.record(session, actor, "cancel", CERTIFICATES.key, cert.id, record_version=cert.version,
                 label=_label(session, cert), at=now,
                 changes={"number": [number, None], "minutes": [str(minutes), None], "reason": [None, text]})
    return number


# ------------------------------------------------------------------ what the paper says


@dataclass(frozen=True)
class CertificateDocument:
    """What a volunteer service certificate says.  `id_number` is masked unless the reader may
    see group 7's personal data."""

    certificate_id: uuid.UUID
    number: str  # "" for a draft (printed as such)
    name: str
    id_type: str
    id_number: str
    id_masked: bool
    volunteer_number: str
    organisation_of_volunteer: str
    period: Period
    minutes: int  # as certified; for a draft, as the records give now
    content: str
    lines: tuple[figures.ServiceLine, ...]
    organisation: str
    person_in_charge: str
    handler: str
    contact: str
    issue_date: date

    @property
    def hours_text(self) -> str:
        return figures.hours_text(self.minutes)

    @property
    def issued(self) -> bool:
        return bool(self.number)


def certificate_document(session: Session, actor: Actor, certificate_id: uuid.UUID) -> CertificateDocument:
    cert = _certificate(session, certificate_id)
    volunteer = session.get(Volunteer, cert.volunteer_id)
    if volunteer is None:
        raise NotFound(_("This volunteer no longer exists."))
    period = Period(cert.period_start, max(cert.period_start, cert.period_end))
    lines = tuple(figures.service_lines(session, cert.volunteer_id, period))
    minutes = cert.minutes if cert.minutes is not None else figures.volunteer_minutes(session, cert.volunteer_id, period)
    sees = actor.can_read_sensitive(GROUP)
    return CertificateDocument(
        certificate_id=cert.id, number=cert.number, name=volunteer.name, id_type=_("Resident identity card"),
        id_number=volunteer.id_number if sees else mask_resident_id(volunteer.id_number), id_masked=not sees,
        volunteer_number=volunteer.volunteer_number, organisation_of_volunteer=volunteer.organisation,
        period=period, minutes=minutes, content=cert.content.strip() or figures.service_content(lines), lines=lines,
        organisation=cert.organisation, person_in_charge=cert.person_in_charge, handler=cert.handler,
        contact=cert.contact, issue_date=cert.issue_date)


__all__ = ["CERTIFICATE", "new_certificate_values", "issue_certificate", "cancel_certificate_number",
           "certificate_document", "CertificateDocument"]
