"""Group 5's figures, computed from the records whenever they are asked for (nothing is stored as a
total): the list columns, the overview, the statistics report, the not-acknowledged list and the
tests call these functions.

Words used here:
- an organisation's *status on a day* is the status of the period in force that day, "activities
  as usual" when none is;
- an organisation *had* a status during a period when a period of that status covers at least one
  of its days;
- a notice sent to an organisation is *acknowledged on a day* when its receipt was acknowledged on
  or before that day; until then it is *waiting*, and *overdue* once the notice's "acknowledge by"
  day has passed;
- only live organisations and live notices count: a notice sent to an organisation that has since
  been deleted (or a deleted notice) is no longer anyone's business."""
from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups import group as working_group
from civaffairs.groups.social_organisations.fields import (
    ACKNOWLEDGED, ENTERED_STATUSES, GROUP, HISTORY, KINDS, LIMITED, MEASURES, NORMAL, NOT_SENT, ONLINE, OVERDUE,
    RESUMED, STATUSES, SUSPENDED, WAITING,
)
from civaffairs.groups.social_organisations.models import (
    MeasureReport, NoticeDelivery, OrganisationNotice, SocialOrganisation,
)
from civaffairs.reports.figures import Figure, FigureTable, Opens, Period, ReportSection, Unit

NAMES_IN_A_NOTE = 8  # the report names this many organisations that have not acknowledged, then "等"


def _title(choices, code: str | None) -> str:  # type: ignore[no-untyped-def]
    return next((c.title for c in choices if c.code == code), code or "")


def kind_title(code: str | None) -> str:
    return _title(KINDS, code)


def status_title(code: str | None) -> str:
    return _title(STATUSES, code)


def _live(model: type) -> object:
    return model.deleted_at.is_(None)


# ------------------------------------------------------------------ organisations and status


@dataclass(frozen=True)
class OrganisationLine:
    id: uuid.UUID
    name: str
    kind: str
    status: str  # in force on the day asked

    @property
    def kind_title(self) -> str:
        return kind_title(self.kind)

    @property
    def status_title(self) -> str:
        return status_title(self.status)


def organisations(session: Session) -> list[tuple[uuid.UUID, str, str]]:
    """Every live organisation: (id, name, kind), by name."""
    stmt = select(SocialOrganisation.id, SocialOrganisation.name, SocialOrganisation.kind).where(
        _live(SocialOrganisation)).order_by(SocialOrganisation.name, SocialOrganisation.id)
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def status_on(session: Session, organisation_ids: Sequence[uuid.UUID], day: date) -> dict[uuid.UUID, str]:
    """Each organisation's status on `day` ("activities as usual" when no period is in force)."""
    found = HISTORY.status_on(session, organisation_ids, day)
    return {i: found.get(i, NORMAL) for i in organisation_ids}


def statuses_on(session: Session, day: date) -> list[OrganisationLine]:
    rows = organisations(session)
    found = status_on(session, [r[0] for r in rows], day)
    return [OrganisationLine(i, name, kind, found[i]) for i, name, kind in rows]


def count_by_status(session: Session, day: date) -> dict[str, int]:
    """How many live organisations are in each status on `day` (every status, zeros included)."""
    counts = Counter(line.status for line in statuses_on(session, day))
    return {c.code: counts.get(c.code, 0) for c in STATUSES}


def with_status_during(session: Session, status: str, period: Period) -> set[uuid.UUID]:
    """The live organisations that had `status` on at least one day of `period`."""
    ids = HISTORY.parents_with_during(session, status, period.start, period.end)
    return {i for i, _name, _kind in organisations(session) if i in ids}


# ------------------------------------------------------------------ measures


@dataclass(frozen=True)
class MeasureCounts:
    reports: int  # measure reports in the period
    organisations: int  # organisations that reported at least once
    by_measure: dict[str, int]  # measure code -> organisations that reported it in the period


def measures_in(session: Session, period: Period) -> MeasureCounts:
    rows = session.execute(
        select(MeasureReport.organisation_id, MeasureReport.measures)
        .join(SocialOrganisation, SocialOrganisation.id == MeasureReport.organisation_id)
        .where(_live(MeasureReport), _live(SocialOrganisation), MeasureReport.day >= period.start,
               MeasureReport.day <= period.end)).all()
    per_measure: dict[str, set[uuid.UUID]] = defaultdict(set)
    for organisation_id, codes in rows:
        for code in codes or ():
            per_measure[code].add(organisation_id)
    return MeasureCounts(len(rows), len({r[0] for r in rows}),
                         {m.code: len(per_measure.get(m.code, ())) for m in MEASURES})


# ------------------------------------------------------------------ notices and acknowledgements


def _state(acknowledged: date | None, reply_by: date | None, day: date) -> str:
    if acknowledged is not None and acknowledged <= day:
        return ACKNOWLEDGED
    if reply_by is not None and reply_by < day:
        return OVERDUE
    return WAITING


def delivery_states(session: Session, delivery_ids: Sequence[uuid.UUID], day: date) -> dict[uuid.UUID, str]:
    """Each notice sent: acknowledged, waiting or overdue on `day`."""
    if not delivery_ids:
        return {}
    rows = session.execute(
        select(NoticeDelivery.id, NoticeDelivery.acknowledged_date, OrganisationNotice.reply_by)
        .join(OrganisationNotice, OrganisationNotice.id == NoticeDelivery.org_notice_id)
        .where(NoticeDelivery.id.in_(list(delivery_ids))))
    return {i: _state(acknowledged, reply_by, day) for i, acknowledged, reply_by in rows}


def _live_deliveries() -> list[object]:
    """Joins' conditions: a live delivery of a live notice to a live organisation."""
    return [_live(NoticeDelivery), _live(OrganisationNotice), _live(SocialOrganisation)]


def _deliveries_select():  # type: ignore[no-untyped-def]
    return (select(NoticeDelivery.org_notice_id, NoticeDelivery.organisation_id, NoticeDelivery.sent_date,
                   NoticeDelivery.acknowledged_date, OrganisationNotice.reply_by)
            .join(OrganisationNotice, OrganisationNotice.id == NoticeDelivery.org_notice_id)
            .join(SocialOrganisation, SocialOrganisation.id == NoticeDelivery.organisation_id)
            .where(*_live_deliveries()))


@dataclass(frozen=True)
class NoticeProgress:
    sent: int  # organisations it was sent to (by the day asked)
    acknowledged: int
    overdue: int  # not acknowledged after the "acknowledge by" day

    @property
    def waiting(self) -> int:
        """Sent and not acknowledged (overdue ones included)."""
        return self.sent - self.acknowledged

    @property
    def text(self) -> str:
        return f"{self.acknowledged} / {self.sent}"

    @property
    def state(self) -> str:
        if not self.sent:
            return NOT_SENT
        if self.overdue:
            return OVERDUE
        return WAITING if self.waiting else ACKNOWLEDGED


def notice_progress(session: Session, notice_ids: Sequence[uuid.UUID], day: date | None = None
                    ) -> dict[uuid.UUID, NoticeProgress]:
    """For each notice, how many organisations it was sent to and how many acknowledged, on `day`
    (default today)."""
    if not notice_ids:
        return {}
    from civaffairs.core.clock import today_local

    day = day or today_local()
    stmt = _deliveries_select().where(NoticeDelivery.org_notice_id.in_(list(notice_ids)),
                                      NoticeDelivery.sent_date <= day)
    counts: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    for notice_id, _org, _sent, acknowledged, reply_by in session.execute(stmt):
        counts[notice_id][_state(acknowledged, reply_by, day)] += 1
    return {i: NoticeProgress(sum(counts[i].values()), counts[i][ACKNOWLEDGED], counts[i][OVERDUE])
            for i in notice_ids}


def not_acknowledged_counts(session: Session, organisation_ids: Sequence[uuid.UUID], day: date | None = None
                            ) -> dict[uuid.UUID, int]:
    """How many notices sent to each organisation it has not acknowledged on `day` (default today)."""
    if not organisation_ids:
        return {}
    from civaffairs.core.clock import today_local

    day = day or today_local()
    stmt = (select(NoticeDelivery.organisation_id, func.count())
            .join(OrganisationNotice, OrganisationNotice.id == NoticeDelivery.org_notice_id)
            .where(_live(NoticeDelivery), _live(OrganisationNotice),
                   NoticeDelivery.organisation_id.in_(list(organisation_ids)), NoticeDelivery.sent_date <= day,
                   or_(NoticeDelivery.acknowledged_date.is_(None), NoticeDelivery.acknowledged_date > day))
            .group_by(NoticeDelivery.organisation_id))
    found = {organisation_id: n for organisation_id, n in session.execute(stmt)}
    return {i: found.get(i, 0) for i in organisation_ids}


@dataclass(frozen=True)
class PendingLine:
    """A notice an organisation has not acknowledged: one line of the not-acknowledged list."""

    delivery_id: uuid.UUID
    delivery_version: int
    organisation_id: uuid.UUID
    organisation: str
    kind: str
    notice_id: uuid.UUID
    notice: str  # its title
    document_number: str
    sent_date: date
    reply_by: date | None
    days_waiting: int  # since it was sent, on the day asked
    overdue: bool
    contact_person: str
    contact_phone: str  # as stored: the service masks it for who may not see it

    @property
    def kind_title(self) -> str:
        return kind_title(self.kind)


def not_acknowledged(session: Session, day: date, notice_id: uuid.UUID | None = None) -> list[PendingLine]:
    """The notices sent on or before `day` and not acknowledged on it (of one notice, or of all),
    by notice (oldest first), then organisation."""
    stmt = (select(NoticeDelivery.id, NoticeDelivery.version, SocialOrganisation.id, SocialOrganisation.name,
                   SocialOrganisation.kind, OrganisationNotice.id, OrganisationNotice.title,
                   OrganisationNotice.document_number, NoticeDelivery.sent_date, OrganisationNotice.reply_by,
                   SocialOrganisation.contact_person, SocialOrganisation.contact_phone)
            .join(OrganisationNotice, OrganisationNotice.id == NoticeDelivery.org_notice_id)
            .join(SocialOrganisation, SocialOrganisation.id == NoticeDelivery.organisation_id)
            .where(*_live_deliveries(), NoticeDelivery.sent_date <= day,
                   or_(NoticeDelivery.acknowledged_date.is_(None), NoticeDelivery.acknowledged_date > day))
            .order_by(OrganisationNotice.notice_date, OrganisationNotice.id, SocialOrganisation.name,
                      SocialOrganisation.id))
    if notice_id is not None:
        stmt = stmt.where(NoticeDelivery.org_notice_id == notice_id)
    return [PendingLine(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] or "", r[8], r[9], (day - r[8]).days,
                        r[9] is not None and r[9] < day, r[10] or "", r[11] or "")
            for r in session.execute(stmt)]


@dataclass(frozen=True)
class NoticeLine:
    id: uuid.UUID
    title: str
    document_number: str
    notice_date: date
    reply_by: date | None


def notices(session: Session) -> list[NoticeLine]:
    """Every live notice to organisations, newest first (for choosing one)."""
    stmt = (select(OrganisationNotice.id, OrganisationNotice.title, OrganisationNotice.document_number,
                   OrganisationNotice.notice_date, OrganisationNotice.reply_by)
            .where(_live(OrganisationNotice))
            .order_by(OrganisationNotice.notice_date.desc(), OrganisationNotice.id.desc()))
    return [NoticeLine(r[0], r[1], r[2] or "", r[3], r[4]) for r in session.execute(stmt)]


@dataclass(frozen=True)
class AcknowledgementLine:
    notice: NoticeLine
    sent: int  # sent during the period
    acknowledged: int  # of those, acknowledged by the end of the period

    @property
    def not_acknowledged(self) -> int:
        return self.sent - self.acknowledged


def acknowledgements(session: Session, period: Period) -> list[AcknowledgementLine]:
    """Per notice, the organisations it was sent to during `period` and how many of them had
    acknowledged it by the period's last day; by the notice's date."""
    stmt = _deliveries_select().where(NoticeDelivery.sent_date >= period.start, NoticeDelivery.sent_date <= period.end)
    sent: Counter[uuid.UUID] = Counter()
    acknowledged: Counter[uuid.UUID] = Counter()
    for notice_id, _org, _sent, ack, _reply_by in session.execute(stmt):
        sent[notice_id] += 1
        if ack is not None and ack <= period.end:
            acknowledged[notice_id] += 1
    by_id = {n.id: n for n in notices(session)}
    lines = [AcknowledgementLine(by_id[i], sent[i], acknowledged[i]) for i in sent if i in by_id]
    return sorted(lines, key=lambda line: (line.notice.notice_date, line.notice.title))


# ------------------------------------------------------------------ the statistics report


def _names(lines: Sequence[PendingLine]) -> str:
    names = list(dict.fromkeys(line.organisation for line in lines))
    text = "、".join(names[:NAMES_IN_A_NOTE])
    return text + ("等" if len(names) > NAMES_IN_A_NOTE else "")


def report_section(session: Session, actor: Actor, period: Period) -> ReportSection:
    """Group 5's part of the statistics report (统计上报) for `period`."""
    end = period.end
    everything = organisations(session)
    by_kind = Counter(kind for _i, _n, kind in everything)
    during = {s.code: with_status_during(session, s.code, period) for s in ENTERED_STATUSES}
    on_last_day = statuses_on(session, end)
    last = Counter(line.status for line in on_last_day)
    measures = measures_in(session, period)
    acks = acknowledgements(session, period)
    sent = sum(a.sent for a in acks)
    acknowledged = sum(a.acknowledged for a in acks)
    pending = [line for line in not_acknowledged(session, end) if line.sent_date >= period.start]

    figures = [
        Figure("organisations", _("Social organisations registered"), len(everything), Unit.INSTITUTIONS),
        *(Figure(f"organisations_{k.code}", _("of which: {kind}").format(kind=k.title), by_kind.get(k.code, 0),
                 Unit.INSTITUTIONS) for k in KINDS),
        Figure("activities_suspended", _("Organisations with activities suspended"), len(during[SUSPENDED]),
               Unit.INSTITUTIONS, summary=True, note=_("At some time during the period.")),
        Figure("online_only", _("Organisations with online activities only"), len(during[ONLINE]),
               Unit.INSTITUTIONS, note=_("At some time during the period.")),
        Figure("limited", _("Organisations with limited activities"), len(during[LIMITED]), Unit.INSTITUTIONS,
               note=_("At some time during the period.")),
        Figure("suspended_on_last_day", _("Activities suspended on the last day"), last.get(SUSPENDED, 0),
               Unit.INSTITUTIONS),
        Figure("resumed_on_last_day", _("Activities resumed on the last day"), last.get(RESUMED, 0),
               Unit.INSTITUTIONS),
        Figure("measure_reports", _("Reports of prevention measures"), measures.reports, Unit.TIMES),
        Figure("organisations_reporting", _("Organisations that reported their measures"), measures.organisations,
               Unit.INSTITUTIONS, summary=True),
        Figure("notices", _("Notices sent to organisations"), len(acks), Unit.COUNT),
        Figure("notices_sent", _("Notices sent, counted per organisation"), sent, Unit.TIMES),
        Figure("notices_acknowledged", _("Notices acknowledged by the last day"), acknowledged, Unit.TIMES, summary=True),
        Figure("notices_not_acknowledged", _("Notices not acknowledged by the last day"), sent - acknowledged, Unit.TIMES,
               summary=True, alert=sent > acknowledged, opens=Opens("social_organisations.deliveries")),
        Figure("acknowledgement_rate", _("Acknowledgement rate"),
               (Decimal(acknowledged) / Decimal(sent)).quantize(Decimal("0.0001")) if sent else _("None sent"),
               Unit.PERCENT if sent else Unit.TEXT),
    ]

    kind_rows = []
    for k in KINDS:
        lines = [line for line in on_last_day if line.kind == k.code]
        if lines:
            counts = Counter(line.status for line in lines)
            kind_rows.append((k.title, len(lines), *(counts.get(s.code, 0) for s in STATUSES)))
    measure_rows = tuple((m.title, measures.by_measure[m.code]) for m in MEASURES if measures.by_measure[m.code])
    ack_rows = tuple((a.notice.title, a.notice.document_number or "—", a.notice.notice_date, a.sent, a.acknowledged,
                      a.not_acknowledged) for a in acks)
    tables = [
        FigureTable(_("Organisations by kind and status on {day}").format(day=long_date(end)),
                    (_("Kind"), _("Organisations"), *(s.title for s in STATUSES)), tuple(kind_rows)),
        FigureTable(_("Acknowledgement of the notices sent during the period"),
                    (_("Notice"), _("Document number"), _("Date of the notice"), _("Sent"), _("Acknowledged"),
                     _("Not acknowledged")), ack_rows,
                    frozenset(n for n, a in enumerate(acks) if a.not_acknowledged)),
        FigureTable(_("Prevention measures reported"), (_("Measure"), _("Organisations")), measure_rows),
    ]
    notes = []
    if pending:
        notes.append(_("Not yet acknowledged on {day}: {names}.").format(day=long_date(end), names=_names(pending)))
    return ReportSection(f"group-{GROUP}", working_group(GROUP).name, tuple(figures), tuple(tables), tuple(notes))
