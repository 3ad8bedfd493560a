"""Group 6's paper (Qt-free, ReportLab with the shipped or Windows fonts; every string checked
against its font before anything is drawn):

- the donation acknowledgement (捐赠接收凭证): one A4 sheet with the donor's copy above and the
  organisation's counterfoil below, to be cut apart.  It deliberately looks like a letter of
  confirmation, not like the fiscal donation receipt (公益事业捐赠票据) the finance office issues on
  its own controlled forms: no 监制 mark, no receipt code or check code, no 票据 in its title, and a
  note on every copy saying that it is not that receipt and naming the receipt's number once there
  is one;
- the public disclosure (公示) of a period: money and materials received, where the materials went,
  what the money paid for and what is left, donors named as they wished."""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak, Flowable, Frame, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle,
)

from civaffairs.core.i18n import _
from civaffairs.groups.donations.service import Acknowledgement, Disclosure
from civaffairs.printing.amounts import with_prefix
from civaffairs.printing.dates import chinese_date
from civaffairs.printing.fonts import FontRole, PrintFont, font
from civaffairs.printing.pages import numbered_canvas

MARGIN_X = 22 * mm
MARGIN_Y = 18 * mm
WIDTH = A4[0] - 2 * MARGIN_X
SHADE = colors.Color(0.92, 0.92, 0.92)
HEADING_ROOM = 40 * mm  # below this much room a section starts on the next page
GREY = colors.Color(0.35, 0.35, 0.35)


def money(fen: int | None) -> str:
    return "—" if fen is None else f"{Decimal(fen).scaleb(-2):,.2f}"


class _Styles:
    """Paragraph styles in the print fonts, and paragraphs whose text is checked first."""

    def __init__(self, body: float = 12.0, cell: float = 10.0) -> None:
        self.song, self.hei = font(FontRole.SONG), font(FontRole.HEI)
        self.fang, self.title_font = font(FontRole.FANGSONG), font(FontRole.TITLE)
        s, h, f, t = self.song.name, self.hei.name, self.fang.name, self.title_font.name
        self.styles: dict[str, tuple[PrintFont, ParagraphStyle]] = {
            "office": (self.song, ParagraphStyle("office", fontName=s, fontSize=13, leading=18, alignment=TA_CENTER)),
            "title": (self.title_font, ParagraphStyle("title", fontName=t, fontSize=20, leading=26,
                                                      alignment=TA_CENTER, wordWrap="CJK")),
            "subtitle": (self.fang, ParagraphStyle("subtitle", fontName=f, fontSize=13, leading=18,
                                                   alignment=TA_CENTER)),
            "number": (self.song, ParagraphStyle("number", fontName=s, fontSize=11, leading=15, alignment=TA_RIGHT)),
            "heading": (self.hei, ParagraphStyle("heading", fontName=h, fontSize=13, leading=18, spaceBefore=8,
                                                 spaceAfter=4)),
            "body": (self.fang, ParagraphStyle("body", fontName=f, fontSize=body + 2, leading=(body + 2) * 1.6,
                                               firstLineIndent=2 * (body + 2), wordWrap="CJK")),
            "text": (self.fang, ParagraphStyle("text", fontName=f, fontSize=body, leading=body * 1.5,
                                               wordWrap="CJK")),
            "label": (self.hei, ParagraphStyle("label", fontName=h, fontSize=cell, leading=cell * 1.35,
                                               alignment=TA_CENTER, wordWrap="CJK")),
            "value": (self.song, ParagraphStyle("value", fontName=s, fontSize=cell + 0.5, leading=(cell + 0.5) * 1.4,
                                                wordWrap="CJK")),
            "cell": (self.song, ParagraphStyle("cell", fontName=s, fontSize=cell, leading=cell * 1.3,
                                               wordWrap="CJK")),
            "cell_c": (self.song, ParagraphStyle("cell_c", fontName=s, fontSize=cell, leading=cell * 1.3,
                                                 alignment=TA_CENTER, wordWrap="CJK")),
            "cell_r": (self.song, ParagraphStyle("cell_r", fontName=s, fontSize=cell, leading=cell * 1.3,
                                                 alignment=TA_RIGHT)),
            "head": (self.hei, ParagraphStyle("head", fontName=h, fontSize=cell, leading=cell * 1.3,
                                              alignment=TA_CENTER, wordWrap="CJK")),
            "total": (self.hei, ParagraphStyle("total", fontName=h, fontSize=cell, leading=cell * 1.3,
                                               alignment=TA_CENTER)),
            "total_r": (self.hei, ParagraphStyle("total_r", fontName=h, fontSize=cell, leading=cell * 1.3,
                                                 alignment=TA_RIGHT)),
            "sign": (self.fang, ParagraphStyle("sign", fontName=f, fontSize=body, leading=body * 1.5)),
            "sign_r": (self.fang, ParagraphStyle("sign_r", fontName=f, fontSize=body, leading=body * 1.5,
                                                 alignment=TA_RIGHT)),
            "right": (self.fang, ParagraphStyle("right", fontName=f, fontSize=body + 2, leading=(body + 2) * 1.6,
                                                alignment=TA_RIGHT)),
            "note": (self.song, ParagraphStyle("note", fontName=s, fontSize=8.5, leading=11.5, textColor=GREY,
                                               wordWrap="CJK")),
            "cut": (self.song, ParagraphStyle("cut", fontName=s, fontSize=8, leading=10, alignment=TA_CENTER,
                                              textColor=GREY)),
        }

    def p(self, text: str, style: str) -> Paragraph:
        f, st = self.styles[style]
        return Paragraph("<br/>".join(escape(f.check(line)) for line in text.split("\n")), st)


# ------------------------------------------------------------------ the acknowledgement


ACK_HALF = A4[1] / 2
ACK_MARGIN_X = 18 * mm
ACK_WIDTH = A4[0] - 2 * ACK_MARGIN_X
LABEL_W = 36 * mm


def _ack_rows(ack: Acknowledgement, st: _Styles) -> list[list[object]]:
    """Label-value rows, four cells wide: a long value spans the last three."""
    wide: list[tuple[str, str]] = []
    pairs: list[tuple[str, str, str, str]] = []
    wide.append((_("Donor"), ack.donor))
    if ack.donor_credit_code:
        pairs.append((_("Unified social credit code"), ack.donor_credit_code, _("Date received"),
                      chinese_date(ack.day)))
    else:
        pairs.append((_("Date received"), chinese_date(ack.day), "", ""))
    rows: list[list[object]] = []

    def add_wide(label: str, value: str) -> None:
        rows.append([st.p(label, "label"), st.p(value, "value"), "", ""])

    def add_pair(l1: str, v1: str, l2: str, v2: str) -> None:
        if not l2:
            add_wide(l1, v1)
        else:
            rows.append([st.p(l1, "label"), st.p(v1, "value"), st.p(l2, "label"), st.p(v2, "value")])

    for label, value in wide:
        add_wide(label, value)
    for pair in pairs:
        add_pair(*pair)
    if ack.is_money:
        assert ack.amount is not None
        add_pair(_("Amount in figures"), f"¥{money(ack.amount)}", _("Channel"), ack.channel)
        add_wide(_("Amount in capitals"), with_prefix(ack.amount))
        add_pair(_("Designated purpose"), ack.purpose, _("Bank reference"), ack.bank_reference or "—")
    else:
        for item in ack.items:
            add_wide(_("Material"), item.description + (f"（{item.specification}）" if item.specification else ""))
            add_pair(_("Quantity"), item.quantity, _("Expiry date"),
                     chinese_date(item.expiry_date) if item.expiry_date else "—")
        add_pair(_("Estimated value in figures"), f"¥{money(ack.amount)}" if ack.amount is not None else "—",
                 _("Estimated value in capitals"), with_prefix(ack.amount) if ack.amount is not None else "—")
    add_wide(_("Receiving organisation"), ack.organisation + (
        _(" (unified social credit code {code})").format(code=ack.organisation_credit_code)
        if ack.organisation_credit_code else ""))
    add_wide(_("Fiscal donation receipt"), _("Issued by the finance office, number {number}.").format(
        number=ack.fiscal_receipt_number) if ack.fiscal_receipt_number else _(
        "Not issued yet: the fiscal donation receipt (公益事业捐赠票据) is issued separately by the finance office."))
    return rows


def _ack_copy(ack: Acknowledgement, st: _Styles, copy: str) -> list[Flowable]:
    rows = _ack_rows(ack, st)
    value_w = (ACK_WIDTH - 2 * LABEL_W) / 2
    table = Table(rows, colWidths=[LABEL_W, value_w, LABEL_W, value_w])
    style: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), st.song.name, 10),  # the spanned empty cells too: never Helvetica
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
    ]
    for i, row in enumerate(rows):
        if row[2] == "":
            style.append(("SPAN", (1, i), (3, i)))
        else:
            style.append(("BACKGROUND", (2, i), (2, i), SHADE))
    table.setStyle(TableStyle(style))
    signatures = Table([[st.p(_("Handled by: {name}").format(name=ack.handler), "sign"),
                         st.p(_("Receiving organisation (seal): {name}").format(name=ack.organisation), "sign"),
                         st.p(chinese_date(ack.issued_on), "sign_r")]],
                       colWidths=[ACK_WIDTH * 0.25, ACK_WIDTH * 0.52, ACK_WIDTH * 0.23])
    signatures.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), st.song.name, 10), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [
        st.p(ack.organisation, "office"),
        st.p(_("Donation acknowledgement"), "title"),
        Table([[st.p(copy, "cell"), st.p(_("No. {number}").format(number=ack.number), "number")]],
              colWidths=[ACK_WIDTH / 2, ACK_WIDTH / 2],
              style=TableStyle([("FONT", (0, 0), (-1, -1), st.song.name, 10), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0)])),
        Spacer(1, 2 * mm),
        table,
        Spacer(1, 2.5 * mm),
        st.p(_("The donation above has been received in full. Thank you for supporting the epidemic prevention "
               "work."), "text"),
        Spacer(1, 3 * mm),
        signatures,
        Spacer(1, 2 * mm),
        st.p(_("This acknowledgement only confirms that the organisation received the donation. It is not the "
               "fiscal donation receipt (公益事业捐赠票据) and cannot be used for accounting or tax deduction."),
             "note"),
    ]


def render_acknowledgement(ack: Acknowledgement) -> bytes:
    """One A4 sheet: the donor's copy above, the organisation's counterfoil below, a cut line between."""
    st = _Styles(body=11.0, cell=10.0)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, initialFontName=st.song.name)
    title = f"{_('Donation acknowledgement')} {ack.number}"
    c.setTitle(title)
    c.setAuthor(ack.organisation)
    c.setCreator("civaffairs")
    for n, copy in enumerate((_("Copy for the donor"), _("Counterfoil kept by the organisation"))):
        bottom = ACK_HALF * (1 - n)
        frame = Frame(ACK_MARGIN_X, bottom + 8 * mm, ACK_WIDTH, ACK_HALF - 20 * mm, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        story = _ack_copy(ack, st, copy)
        frame.addFromList(story, c)
        if story:  # it must fit its half: a second page would tear the two copies apart
            raise ValueError("the acknowledgement does not fit half a page")
    c.saveState()
    c.setDash(4, 3)
    c.setStrokeColor(GREY)
    c.setLineWidth(0.6)
    c.line(10 * mm, ACK_HALF, A4[0] - 10 * mm, ACK_HALF)
    c.restoreState()
    cut = st.song.check(_("cut along this line"))
    c.setFont(st.song.name, 7.5)
    c.setFillColor(GREY)
    width = c.stringWidth(cut, st.song.name, 7.5)
    c.setFillColor(colors.white)
    c.rect((A4[0] - width) / 2 - 2, ACK_HALF - 3.5, width + 4, 8, stroke=0, fill=1)
    c.setFillColor(GREY)
    c.drawCentredString(A4[0] / 2, ACK_HALF - 2.5, cut)
    c.showPage()
    c.save()
    return buffer.getvalue()


# ------------------------------------------------------------------ the public disclosure


def _table(st: _Styles, header: Sequence[str], rows: Sequence[Sequence[Flowable | str]],
           widths: Sequence[float], total: Sequence[Flowable | str] | None = None) -> Table:
    data: list[list[object]] = [[st.p(h, "head") for h in header], *[list(r) for r in rows]]
    if total is not None:
        data.append(list(total))
    t = Table(data, colWidths=list(widths), repeatRows=1)
    style = [("FONT", (0, 0), (-1, -1), st.song.name, 10),  # empty cells too: never Helvetica
             ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
             ("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    if total is not None:
        style.append(("BACKGROUND", (0, -1), (-1, -1), SHADE))
    t.setStyle(TableStyle(style))
    return t


def _none(st: _Styles, text: str) -> Paragraph:
    return st.p(text, "text")


def render_disclosure(d: Disclosure, *, printed_on: date | None = None) -> bytes:
    """The 公示 of a period on A4, its pages numbered."""
    st = _Styles(body=12.0, cell=9.0)
    made = printed_on or d.period.end
    who = d.organisation or d.office_name
    title = _("Public disclosure of donations received and their use")
    period = _("{start} to {end}").format(start=chinese_date(d.period.start), end=chinese_date(d.period.end))
    story: list[Flowable] = []
    if who:
        story.append(st.p(who, "office"))
    story.append(st.p(title, "title"))
    story.append(st.p(f"（{period}）", "subtitle"))
    story.append(Spacer(1, 4 * mm))
    lots = len(d.materials)
    story.append(st.p(_("In the spirit of openness, and so that the public can see and supervise how donations are "
                        "handled, what was received from {start} to {end} and where it went is published as follows.")
                      .format(start=chinese_date(d.period.start), end=chinese_date(d.period.end)), "body"))
    # One short statement a line: each fits the width, so none wraps with a comma at a line's start.
    for sentence in (_("Money donations received: {n}, totalling {total} yuan.").format(
                         n=d.money_count, total=money(d.money_total)),
                     _("Donations of materials received: {lots}, estimated at {value} yuan.").format(
                         lots=lots, value=money(d.materials_value)),
                     _("Donated money paid out: {used} yuan; left at the end of the period: {left} yuan.").format(
                         used=money(d.used_total), left=money(d.left_total))):
        story.append(st.p(sentence, "body"))

    # 1. money received
    story.append(CondPageBreak(HEADING_ROOM))  # a heading is never left alone at the foot of a page
    story.append(st.p(_("1. Money donations received"), "heading"))
    if d.money:
        rows = [[st.p(str(i), "cell_c"), st.p(chinese_date(m.day), "cell_c"), st.p(m.donor, "cell"),
                 st.p(m.channel, "cell_c"), st.p(m.purpose, "cell"), st.p(money(m.amount), "cell_r")]
                for i, m in enumerate(d.money, start=1)]
        total = [st.p(_("Total"), "total"), "", st.p(_("{n} donations").format(n=d.money_count), "total"), "", "",
                 st.p(money(d.money_total), "total_r")]
        t = _table(st, (_("No."), _("Date"), _("Donor"), _("Channel"), _("Designated purpose"), _("Amount (yuan)")),
                   rows, (11 * mm, 27 * mm, 50 * mm, 20 * mm, 30 * mm, 28 * mm), total)
        t.setStyle(TableStyle([("SPAN", (0, -1), (1, -1)), ("SPAN", (2, -1), (4, -1))]))
        story.append(t)
    else:
        story.append(_none(st, _("No money donation was received in this period.")))

    # 2. materials received
    story.append(CondPageBreak(HEADING_ROOM))
    story.append(st.p(_("2. Donations of materials received"), "heading"))
    if d.materials:
        rows = [[st.p(str(i), "cell_c"), st.p(chinese_date(m.day), "cell_c"), st.p(m.donor, "cell"),
                 st.p(m.description + (f"（{m.specification}）" if m.specification else ""), "cell"),
                 st.p(m.quantity, "cell_r"), st.p(money(m.estimated_value), "cell_r")]
                for i, m in enumerate(d.materials, start=1)]
        total = [st.p(_("Total"), "total"), "", "", "", "", st.p(money(d.materials_value), "total_r")]
        t = _table(st, (_("No."), _("Date"), _("Donor"), _("Material"), _("Quantity"), _("Estimated value (yuan)")),
                   rows, (11 * mm, 27 * mm, 42 * mm, 46 * mm, 20 * mm, 20 * mm), total)
        t.setStyle(TableStyle([("SPAN", (0, -1), (4, -1))]))
        story.append(t)
    else:
        story.append(_none(st, _("No donation of materials was received in this period.")))

    # 3. where the materials went
    story.append(CondPageBreak(HEADING_ROOM))
    story.append(st.p(_("3. Materials handed over and allocated"), "heading"))
    if d.items:
        story.append(st.p(_("All donated materials are handed over to the coordination and support team of the "
                            "leading group, which allocates them."), "text"))
        story.append(Spacer(1, 2 * mm))
        rows = [[st.p(i.item_title, "cell"), st.p(i.unit_title, "cell_c"), st.p(f"{i.received:,}", "cell_r"),
                 st.p(f"{i.handed_over:,}", "cell_r"), st.p(f"{i.allocated:,}", "cell_r"),
                 st.p(f"{i.in_store:,}", "cell_r"), st.p(f"{i.with_team:,}", "cell_r")] for i in d.items]
        story.append(KeepTogether([_table(st, (_("Kind of material"), _("Unit"), _("Received"), _("Handed over"),
                                               _("Allocated"), _("In the store at the end"),
                                               _("With the coordination team at the end")),
                                          rows, (30 * mm, 14 * mm, 22 * mm, 24 * mm, 22 * mm, 26 * mm, 28 * mm))]))
    if d.allocations:
        story.append(Spacer(1, 3 * mm))
        rows = [[st.p(str(i), "cell_c"), st.p(chinese_date(a.day), "cell_c"), st.p(a.material, "cell"),
                 st.p(a.quantity, "cell_r"), st.p(a.recipient, "cell"), st.p(a.donor, "cell")]
                for i, a in enumerate(d.allocations, start=1)]
        story.append(_table(st, (_("No."), _("Date"), _("Material"), _("Quantity"), _("Allocated to"), _("Donor")),
                            rows, (9 * mm, 25 * mm, 32 * mm, 17 * mm, 42 * mm, 41 * mm)))
    if not d.items and not d.allocations:
        story.append(_none(st, _("No materials were handed over or allocated in this period.")))

    # 4. use of the money
    story.append(CondPageBreak(HEADING_ROOM))
    story.append(st.p(_("4. Use of donated money"), "heading"))
    if d.payments:
        rows = [[st.p(str(i), "cell_c"), st.p(chinese_date(p.day), "cell_c"), st.p(p.purpose, "cell"),
                 st.p(p.recipient, "cell"), st.p(p.use, "cell"),
                 st.p(p.approved_by + (f"\n{p.approval_number}" if p.approval_number else ""), "cell"),
                 st.p(money(p.amount), "cell_r")] for i, p in enumerate(d.payments, start=1)]
        total = [st.p(_("Total"), "total"), "", "", "", "", "", st.p(money(d.used_total), "total_r")]
        t = _table(st, (_("No."), _("Date"), _("Paid from the money for"), _("Paid to"), _("What it paid for"),
                        _("Approved by"), _("Amount (yuan)")),
                   rows, (9 * mm, 25 * mm, 22 * mm, 27 * mm, 32 * mm, 29 * mm, 22 * mm), total)
        t.setStyle(TableStyle([("SPAN", (0, -1), (5, -1))]))
        story.append(t)
    else:
        story.append(_none(st, _("No donated money was paid out in this period.")))

    # 5. money per purpose
    story.append(CondPageBreak(HEADING_ROOM))
    story.append(st.p(_("5. Money received, paid out and left, by designated purpose"), "heading"))
    tail: list[Flowable] = []
    rows = [[st.p(p.purpose, "cell"), st.p(money(p.opening), "cell_r"), st.p(money(p.received), "cell_r"),
             st.p(money(p.used), "cell_r"), st.p(money(p.left), "cell_r")] for p in d.purposes]
    total = [st.p(_("Total"), "total"), st.p(money(sum(p.opening for p in d.purposes)), "total_r"),
             st.p(money(sum(p.received for p in d.purposes)), "total_r"),
             st.p(money(sum(p.used for p in d.purposes)), "total_r"), st.p(money(d.left_total), "total_r")]
    story.append(KeepTogether([_table(st, (_("Designated purpose"), _("Left before the period (yuan)"),
                                           _("Received in the period (yuan)"), _("Paid out in the period (yuan)"),
                                           _("Left at the end (yuan)")),
                                      rows, (46 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm), total)]))
    tail.append(Spacer(1, 4 * mm))
    contact = _("If you have a question about anything published here, please tell {who}{phone} within seven "
                "days.").format(who=who or _("the receiving organisation"),
                                phone=_(" (telephone {phone})").format(phone=d.phone) if d.phone else "")
    tail.append(st.p(contact, "body"))
    tail.append(Spacer(1, 8 * mm))
    if who:
        tail.append(st.p(who, "right"))
    tail.append(st.p(chinese_date(made), "right"))
    story.append(KeepTogether(tail))

    footer_font = st.song
    footer = footer_font.check(title)

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(footer_font.name, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, footer_font.check(
            _("{title} – page {page} of {pages}").format(title=footer, page=page, pages=pages)))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_Y,
                            bottomMargin=MARGIN_Y, title=f"{who} {title}".strip(), author=who, creator="civaffairs",
                            initialFontName=st.song.name)
    doc.build(story, canvasmaker=numbered_canvas(decorate))
    return buffer.getvalue()
