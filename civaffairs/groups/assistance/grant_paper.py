"""Group 4's paper for temporary assistance (Qt-free, ReportLab):

* the approval form of a grant (临时救助审批表, DOCUMENTS.md): applicant, household and its
  members, the reason and kind of hardship, earlier assistance, the home investigation, the
  village or community's opinion, the town's review, the public notice, the district's approval
  and the payment, each with its signature and date boxes; every amount in figures and in
  capitals (人民币…).  A step not yet taken prints blank lines to fill in by hand.  Personal data
  is read through the register service, so it is masked exactly as on screen for a role that may
  not see it.  A4 portrait, on one page when the household is not unusually large.
* the 公示 list of grants for a period, to post in villages and communities and to publish: names
  partly masked (张*明) and ID numbers masked ALWAYS, whatever the role of who prints it.

Every string is checked against its font before anything is drawn (`PrintFont.check`)."""
from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.i18n import N_, _
from civaffairs.core.idnumbers import mask_name, mask_resident_id, parse_resident_id
from civaffairs.groups.assistance.grant_service import yuan
from civaffairs.groups.assistance.grants import GRANTS, HARDSHIPS, NOTICE_DAYS, PAID, REFUSED
from civaffairs.groups.assistance.models import Household, HouseholdMember, TemporaryAssistanceGrant
from civaffairs.places.models import Community, Town
from civaffairs.printing.amounts import with_prefix
from civaffairs.printing.dates import chinese_date, chinese_datetime
from civaffairs.printing.fonts import FontRole, PrintFont, font
from civaffairs.printing.pages import numbered_canvas
from civaffairs.records import service as records
from civaffairs.records.display import cell_text
from civaffairs.records.spec import get_register

Progress = Callable[[int, int], None]

MARGIN_X = 18 * mm
MARGIN_TOP = 14 * mm
MARGIN_BOTTOM = 14 * mm
WIDTH = A4[0] - 2 * MARGIN_X  # 174 mm
BODY = 10.0
SMALL = 8.5
TITLE = 20.0
PAD = 3.0
SHADE = colors.Color(0.93, 0.93, 0.93)
BLANK_DATE = "　　　　年　　月　　日"
BLANK_LINE = "＿＿＿＿＿＿＿＿"


class _Styles:
    def __init__(self) -> None:
        self.song, self.hei, self.title_font = font(FontRole.SONG), font(FontRole.HEI), font(FontRole.TITLE)
        leading = BODY * 1.4
        self.by_name: dict[str, tuple[PrintFont, ParagraphStyle]] = {
            "title": (self.title_font, ParagraphStyle("title", fontName=self.title_font.name, fontSize=TITLE,
                                                      leading=TITLE * 1.3, alignment=TA_CENTER)),
            "office": (self.song, ParagraphStyle("office", fontName=self.song.name, fontSize=12, leading=17,
                                                 alignment=TA_CENTER)),
            "line": (self.song, ParagraphStyle("line", fontName=self.song.name, fontSize=BODY, leading=leading)),
            "line_r": (self.song, ParagraphStyle("line_r", fontName=self.song.name, fontSize=BODY, leading=leading,
                                                 alignment=TA_RIGHT)),
            "cell": (self.song, ParagraphStyle("cell", fontName=self.song.name, fontSize=BODY, leading=leading,
                                               wordWrap="CJK")),
            "cell_c": (self.song, ParagraphStyle("cell_c", fontName=self.song.name, fontSize=BODY, leading=leading,
                                                 alignment=TA_CENTER, wordWrap="CJK")),
            "cell_r": (self.song, ParagraphStyle("cell_r", fontName=self.song.name, fontSize=BODY, leading=leading,
                                                 alignment=TA_RIGHT, wordWrap="CJK")),
            "label": (self.hei, ParagraphStyle("label", fontName=self.hei.name, fontSize=BODY, leading=leading,
                                               alignment=TA_CENTER, wordWrap="CJK")),
            "sign": (self.song, ParagraphStyle("sign", fontName=self.song.name, fontSize=BODY, leading=leading,
                                               alignment=TA_RIGHT)),
            "body": (self.song, ParagraphStyle("body", fontName=self.song.name, fontSize=12, leading=20,
                                               firstLineIndent=24, wordWrap="CJK")),
            "note": (self.song, ParagraphStyle("note", fontName=self.song.name, fontSize=SMALL, leading=SMALL * 1.4,
                                               textColor=colors.Color(0.3, 0.3, 0.3), wordWrap="CJK")),
        }

    def p(self, text: str, style: str = "cell") -> Paragraph:
        f, st = self.by_name[style]
        return Paragraph("<br/>".join(escape(f.check(line)) for line in text.split("\n")), st)


def _grid(rows: list[list[object]], widths_mm: list[float], *, spans: list[tuple] = (),  # type: ignore[assignment]
          shaded: list[tuple] = (), heights: list[float | None] | None = None) -> Table:  # type: ignore[assignment]
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font(FontRole.SONG).name),  # empty cells too: no Helvetica
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("SPAN", a, b) for a, b in spans]
    style += [("BACKGROUND", a, b, SHADE) for a, b in shaded]
    return Table(rows, colWidths=[w * mm for w in widths_mm], rowHeights=heights, style=TableStyle(style))


def _money(fen: int | None) -> str:
    """¥1,800.00（人民币壹仟捌佰元整）, or blanks to fill in by hand."""
    if fen is None:
        return _("¥{blank} (in capitals: {blank})").format(blank=BLANK_LINE)
    return _("¥{amount} ({capitals})").format(amount=yuan(fen), capitals=with_prefix(fen))


def _day(day: date | None) -> str:
    return chinese_date(day) if day is not None else BLANK_DATE


def _signed(role: str, name: str, day: date | None, *, seal: bool = False) -> str:
    """The line under an opinion: who (printed, when the step is recorded), the signature, the date."""
    parts = []
    if seal:
        parts.append(_("(seal)"))
    parts.append(_("{role} (signature): {line}").format(role=role, line=BLANK_LINE))
    if name:
        parts.append(_("({name})").format(name=name))
    parts.append(_day(day))
    return "　".join(parts)


# ------------------------------------------------------------------ the approval form


@dataclass(frozen=True)
class ApprovalForm:
    """What the approval form prints, masked for the actor as the screen is."""

    number: str
    applied_on: date
    applicant: str
    sex: str
    id_number: str
    residence: str  # town and village or community
    address: str
    phone: str
    household_size: int
    persons: int
    hardship: str
    members: list[tuple[str, str, str, str, str, str]]  # name, relation, ID, health, work, income
    reason: str
    proposed_amount: int
    earlier_assistance: str
    investigated_on: date | None
    investigator: str
    findings: str
    village_opinion: str
    reviewed_on: date | None
    reviewer: str
    reviewed_amount: int | None
    notice_from: date | None
    notice_to: date | None
    approved_on: date | None
    approver: str
    approved_amount: int | None
    paid_on: date | None
    paid_amount: int | None
    payment_method: str
    from_reserve_fund: bool
    town: str
    bank: str
    assist_first: bool
    documents_owed: str
    paperwork_deadline: date | None
    paperwork_completed_on: date | None
    state: str
    refused_reason: str
    notes: str


def _fen(row: records.Row, name: str) -> int | None:
    value = row.values.get(name)
    return None if value is None or name in row.masked else int(value * 100)


def approval_form(session: Session, actor: Actor, grant_id: uuid.UUID) -> ApprovalForm:
    """The approval form's content, through the register service (masked for the actor)."""
    g = records.get(session, actor, GRANTS, grant_id)
    households, members_spec = get_register("assistance.households"), get_register("assistance.members")
    household_id = g.values["household_id__id"]
    h = records.get(session, actor, households, household_id)
    sex = ""
    head_number = session.scalar(select(Household.head_id_number).where(Household.id == household_id)) or ""
    try:
        sex = _("Male") if parse_resident_id(head_number).male else _("Female")
    except ValueError:
        pass
    town = h.values.get("town_id") or ""
    community = h.values.get("community_id") or ""
    members = []
    q = records.ListQuery(equals=(("household_id", household_id),), sort="id_number")
    rows = records.fetch(session, actor, members_spec, q, 0, 100)
    relation_order = {c.code: i for i, c in enumerate(members_spec.field("relation").choices)}
    relation_codes = dict(session.execute(select(HouseholdMember.id, HouseholdMember.relation).where(
        HouseholdMember.household_id == household_id)).all())
    rows.sort(key=lambda r: (relation_order.get(relation_codes.get(r.id, ""), 99), str(r.id)))
    for r in rows:
        def text(name: str, r: records.Row = r) -> str:
            return cell_text(members_spec.field(name), r) if members_spec.has_field(name) else ""
        members.append((text("name"), text("relation"), text("id_number"), text("health"), text("work"),
                        text("monthly_income")))

    def t(name: str) -> str:
        return cell_text(GRANTS.field(name), g)

    bank = ""
    if h.values.get("bank_account"):
        bank = " ".join(x for x in (str(h.values.get("bank_name") or ""),
                                    cell_text(households.field("bank_account"), h)) if x)
    v = g.values
    return ApprovalForm(
        number=v["number"] or "", applied_on=v["applied_on"], applicant=h.values["head_name"], sex=sex,
        id_number=cell_text(households.field("head_id_number"), h),
        residence=" ".join(x for x in (town, community) if x),
        address=cell_text(households.field("address"), h) if households.has_field("address") else "",
        phone=cell_text(households.field("phone"), h) if households.has_field("phone") else "",
        household_size=len(rows), persons=v["persons"], hardship=t("hardship"), members=members,
        reason=t("reason"), proposed_amount=_fen(g, "proposed_amount") or 0, earlier_assistance=t("earlier_assistance"),
        investigated_on=v["investigated_on"], investigator=v["investigator"] or "", findings=t("findings"),
        village_opinion=t("village_opinion"), reviewed_on=v["reviewed_on"], reviewer=v["reviewer"] or "",
        reviewed_amount=_fen(g, "reviewed_amount"), notice_from=v["notice_from"], notice_to=v["notice_to"],
        approved_on=v["approved_on"], approver=v["approver"] or "", approved_amount=_fen(g, "approved_amount"),
        paid_on=v["paid_on"], paid_amount=_fen(g, "paid_amount"), payment_method=t("payment_method"),
        from_reserve_fund=bool(v["from_reserve_fund"]), town=v.get("town_id") or "", bank=bank,
        assist_first=bool(v["assist_first"]), documents_owed=t("documents_owed"),
        paperwork_deadline=v["paperwork_deadline"], paperwork_completed_on=v["paperwork_completed_on"],
        state=t("state"), refused_reason=t("refused_reason"), notes=t("notes"),
    )


def render_approval_form(session: Session, actor: Actor, grant_id: uuid.UUID, *, office_name: str,
                         printed_by: str, printed_at: datetime) -> bytes:
    """临时救助审批表 of one grant, A4 portrait."""
    f = approval_form(session, actor, grant_id)
    s = _Styles()
    p = s.p
    story: list[object] = [
        p(office_name, "office"),
        p(_("Temporary assistance approval form"), "title"),
        Spacer(0, 2 * mm),
        Table([[p(_("Number: {number}").format(number=f.number or BLANK_LINE), "line"),
                p(_("Applied on: {day}").format(day=_day(f.applied_on)), "line_r")]],
              colWidths=[WIDTH / 2, WIDTH / 2],
              style=TableStyle([("FONTNAME", (0, 0), (-1, -1), s.song.name), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])),
    ]
    # -- the applicant and the household
    label = lambda text: p(text, "label")  # noqa: E731
    story.append(_grid([
        [label(_("Applicant")), p(f.applicant), label(_("Sex")), p(f.sex, "cell_c"), label(_("ID number")),
         p(f.id_number)],
        [label(_("Registered residence")), p(f.residence), "", "", label(_("Phone")), p(f.phone)],
        [label(_("Current address")), p(f.address), "", "", "", ""],
        [label(_("Household size")), p(_("{n} persons").format(n=f.household_size), "cell_c"),
         label(_("Persons helped")), p(_("{n} persons").format(n=f.persons), "cell_c"), label(_("Hardship")),
         p(f.hardship)],
     ], [30, 34, 20, 20, 24, 46], spans=[((1, 1), (3, 1)), ((1, 2), (5, 2))],
        shaded=[((0, 0), (0, -1)), ((2, 0), (2, 0)), ((4, 0), (4, 1)), ((2, 3), (2, 3)), ((4, 3), (4, 3))]))
    # -- the members
    header = [label(_("Household members")), label(_("Name")), label(_("Relation")), label(_("ID number")),
              label(_("Health")), label(_("Work")), label(_("Monthly income (yuan)"))]
    rows: list[list[object]] = [header]
    for name, relation, number, health, work, income in f.members:
        rows.append(["", p(name, "cell_c"), p(relation, "cell_c"), p(number, "cell_c"), p(health, "cell_c"),
                     p(work, "cell_c"), p(income, "cell_r")])
    if not f.members:
        rows.append(["", p(_("No members are entered for this household."), "cell_c"), "", "", "", "", ""])
    spans = [((0, 0), (0, len(rows) - 1))]
    if not f.members:
        spans.append(((1, 1), (6, 1)))
    story.append(_grid(rows, [30, 18, 22, 40, 20, 24, 20], spans=spans, shaded=[((0, 0), (-1, 0)), ((0, 0), (0, -1))]))

    # -- the steps, each with its signature and date
    def step(title: str, lines: list[str], sign: str, room: bool = False) -> list[object]:
        """`room`: space above the signature for a handwritten opinion and the seal."""
        body: list[object] = [p(line) for line in lines if line.strip()]
        if not body:  # not recorded yet: room to write by hand
            body.append(Spacer(0, 12 * mm if room else 6 * mm))
        elif room:
            body.append(Spacer(0, 3 * mm))
        return [label(title), body + ([p(sign, "sign")] if sign else [])]

    applied = [f.reason, _("Amount applied for: {amount}").format(amount=_money(f.proposed_amount))]
    investigated = [f.findings]
    if f.reviewed_on is not None:
        review_text = _("Reviewed: we propose temporary assistance of {amount}.").format(amount=_money(f.reviewed_amount))
    else:
        review_text = "\n" + _("Amount proposed: {amount}").format(amount=_money(None))
    if f.notice_from is not None and f.notice_to is not None:
        notice = _("Posted in the village or community from {start} to {end} ({n} days).").format(
            start=chinese_date(f.notice_from), end=chinese_date(f.notice_to),
            n=(f.notice_to - f.notice_from).days + 1)
    else:
        notice = _("From {blank} to {blank} (at least {n} days).").format(blank=BLANK_DATE, n=NOTICE_DAYS)
    if f.approved_on is not None:
        approval_text = _("Approved: temporary assistance of {amount}.").format(amount=_money(f.approved_amount))
    else:
        approval_text = "\n" + _("Amount approved: {amount}").format(amount=_money(None))
    if f.paid_on is not None:
        paid = _("Paid on {day} by {method}: {amount}.").format(day=chinese_date(f.paid_on), method=f.payment_method,
                                                               amount=_money(f.paid_amount))
        if f.from_reserve_fund:
            paid += _(" Paid from the reserve fund of {town}.").format(town=f.town)
    else:
        paid = "\n" + _("Amount paid: {amount}　Date: {day}").format(amount=_money(None), day=BLANK_DATE)
    if f.bank:
        paid += "\n" + _("Bank account: {account}").format(account=f.bank)
    if f.assist_first:
        first = _("Assist first, paperwork later: paid before approval. Documents owed: {documents}; due by {day}.").format(
            documents=f.documents_owed or _("none listed"), day=_day(f.paperwork_deadline))
        if f.paperwork_completed_on is not None:
            first += _(" Paperwork completed on {day}.").format(day=chinese_date(f.paperwork_completed_on))
    elif f.paid_on is not None:
        first = _("No")  # paid after approval
    else:
        first = ""
    remarks = "\n".join(x for x in (
        _("Refused: {reason}").format(reason=f.refused_reason) if f.refused_reason else "", f.notes) if x)
    rows = [
        step(_("Reason for the application"), applied,
             _signed(_("Applicant"), "", f.applied_on if f.applied_on else None)),
        step(_("Assistance received before"), [f.earlier_assistance or _("None received")], ""),
        step(_("Home investigation"), investigated, _signed(_("Investigator"), f.investigator, f.investigated_on),
             room=True),
        step(_("Opinion of the village or community committee"), [f.village_opinion],
             _signed(_("Person in charge"), "", f.investigated_on if f.village_opinion else None, seal=True), room=True),
        step(_("Review by the town or sub-district"), [review_text],
             _signed(_("Reviewer"), f.reviewer, f.reviewed_on, seal=True), room=True),
        step(_("Public notice"), [notice], ""),
        step(_("Approval by the district civil affairs bureau"), [approval_text],
             _signed(_("Approver"), f.approver, f.approved_on, seal=True), room=True),
        step(_("Payment"), [paid], _signed(_("Paid out by"), "", f.paid_on)),
        step(_("Assist first"), [first], ""),
        step(_("Remarks"), [remarks], ""),
    ]
    story.append(_grid(rows, [30, 144], shaded=[((0, 0), (0, -1))]))
    title = _("Temporary assistance approval form")
    return _build(story, s, office_name=office_name, title=f"{title} {f.number}", printed_by=printed_by,
                  printed_at=printed_at, footer_printed=True)


def _build(story: list[object], s: _Styles, *, office_name: str, title: str, printed_by: str, printed_at: datetime,
           footer_printed: bool, pagesize: tuple[float, float] = A4) -> bytes:
    when = printed_at.astimezone() if printed_at.tzinfo else printed_at
    printed = s.song.check(_("Printed on {date} by {name}").format(date=chinese_datetime(when), name=printed_by))

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(s.song.name, SMALL)
        if footer_printed:
            canvas.drawString(MARGIN_X, 8 * mm, printed)
        if pages > 1 or not footer_printed:
            canvas.drawRightString(pagesize[0] - MARGIN_X, 8 * mm,
                                   s.song.check(_("Page {n} of {total}").format(n=page, total=pages)))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                            bottomMargin=MARGIN_BOTTOM, title=f"{office_name} {title}", author=printed_by,
                            creator="civaffairs", initialFontName=s.song.name)
    doc.build(story, canvasmaker=numbered_canvas(decorate))  # type: ignore[arg-type]
    return buf.getvalue()


# ------------------------------------------------------------------ the 公示 list

PAID_LIST, NOTICE_LIST = "paid", "notice"
LIST_KINDS = {
    PAID_LIST: N_("Temporary assistance paid"),
    NOTICE_LIST: N_("Temporary assistance proposed (before approval)"),
}


@dataclass(frozen=True)
class PublicityLine:
    number: str
    name: str  # masked: 张*明
    id_number: str  # masked: 620503********1234
    town: str
    community: str
    persons: int
    hardship: str
    amount: int  # fen: paid, or proposed by the town
    day: date  # paid on, or the notice's first day


def publicity_lines(session: Session, start: date, end: date, kind: str = PAID_LIST) -> list[PublicityLine]:
    """The grants of a 公示 list for the period: those paid in it (`PAID_LIST`), or those whose
    public notice before approval falls in it (`NOTICE_LIST`).  Names and ID numbers are masked
    here, whoever asks: the list is for posting in public."""
    G = TemporaryAssistanceGrant
    stmt = (select(G, Household.head_name, Household.head_id_number, Town.name, Community.name)
            .join(Household, Household.id == G.household_id).join(Town, Town.id == G.town_id)
            .outerjoin(Community, Community.id == Household.community_id)
            .where(G.deleted_at.is_(None)))
    if kind == PAID_LIST:
        stmt = stmt.where(G.state == PAID, G.paid_on >= start, G.paid_on <= end).order_by(Town.name, G.paid_on, G.id)
    elif kind == NOTICE_LIST:
        stmt = stmt.where(G.notice_from.is_not(None), G.notice_from <= end, G.notice_to >= start, G.state != REFUSED)
        stmt = stmt.order_by(Town.name, G.notice_from, G.id)
    else:
        raise ValueError(kind)
    hardships = {c.code: c.title for c in HARDSHIPS}
    out = []
    for g, head, number, town, community in session.execute(stmt):
        amount = g.paid_amount if kind == PAID_LIST else (g.reviewed_amount or g.proposed_amount)
        day = g.paid_on if kind == PAID_LIST else g.notice_from
        out.append(PublicityLine(g.number, mask_name(head), mask_resident_id(number), town, community or "",
                                 g.persons, hardships.get(g.hardship, g.hardship), amount or 0, day))
    return out


def render_publicity_list(session: Session, start: date, end: date, *, kind: str = PAID_LIST, office_name: str,
                          issued_on: date, contact: str = "", progress: Progress | None = None) -> bytes:
    """The 公示 list of a period, A4 portrait, for posting: title, a paragraph saying what it is,
    the table (masked names and ID numbers), the totals, how to object, the office and the date."""
    lines = publicity_lines(session, start, end, kind)
    if progress:
        progress(1, 3)
    s = _Styles()
    p = s.p
    period = _("{start} to {end}").format(start=chinese_date(start), end=chinese_date(end))
    title = _("Public notice of temporary assistance")
    what = _(LIST_KINDS[kind])
    households = len({(l.name, l.id_number, l.town) for l in lines})
    total = sum(l.amount for l in lines)
    if kind == PAID_LIST:
        intro = _("The temporary assistance paid from {period} is made public below: {n} grants to {households} "
                  "households, {amount} in all. Names and ID numbers are partly hidden to protect the people "
                  "helped.").format(period=period, n=len(lines), households=households, amount=_money(total))
    else:
        intro = _("The temporary assistance proposed by the towns and sub-districts and under public notice from "
                  "{period} is listed below: {n} grants, {amount} in all. Names and ID numbers are partly hidden to "
                  "protect the people helped.").format(period=period, n=len(lines), amount=_money(total))
    head = [p(t, "label") for t in (_("No."), _("Number"), _("Name"), _("ID number"), _("Town or sub-district"),
                                     _("Village or community"), _("Persons"), _("Hardship"),
                                     _("Amount (yuan)"), _("Paid on") if kind == PAID_LIST else _("Notice from"))]
    rows: list[list[object]] = [head]
    for i, l in enumerate(lines, start=1):
        rows.append([p(str(i), "cell_c"), p(l.number, "cell_c"), p(l.name, "cell_c"), p(l.id_number, "cell_c"),
                     p(l.town, "cell_c"), p(l.community, "cell_c"), p(str(l.persons), "cell_c"), p(l.hardship, "cell_c"),
                     p(yuan(l.amount), "cell_r"), p(l.day.isoformat(), "cell_c")])
    if not lines:
        rows.append([p(_("No grants in this period."), "cell_c")] + [""] * 9)
    rows.append([p(_("Total"), "label"), "", "", "", "", "", p(str(sum(l.persons for l in lines)), "cell_c"), "",
                 p(yuan(total), "cell_r"), ""])
    if progress:
        progress(2, 3)
    widths = [10, 40, 16, 44, 28, 32, 12, 28, 28, 29]  # 267 mm: A4 landscape less the margins
    style = [("FONTNAME", (0, 0), (-1, -1), s.song.name),
             ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("SPAN", (0, len(rows) - 1), (5, len(rows) - 1)),
             ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    if not lines:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1, style=TableStyle(style))
    objection = _("Anyone who objects may tell the civil affairs office of their town or sub-district or the "
                  "district civil affairs bureau within {n} days of posting.").format(n=NOTICE_DAYS)
    if contact:
        objection += _(" Telephone: {contact}.").format(contact=contact)
    story: list[object] = [
        p(title, "title"), Spacer(0, 1 * mm), p(f"（{what}　{period}）", "office"), Spacer(0, 4 * mm),
        p(intro, "body"), Spacer(0, 3 * mm), table, Spacer(0, 4 * mm), p(objection, "body"), Spacer(0, 8 * mm),
        p(office_name, "line_r"), p(chinese_date(issued_on), "line_r"),
    ]
    result = _build(story, s, office_name=office_name, title=f"{title} {period}", printed_by=office_name,
                    printed_at=datetime.now().astimezone(), footer_printed=False, pagesize=landscape(A4))
    if progress:
        progress(3, 3)
    return result
