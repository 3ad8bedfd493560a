"""Group 7's paper (Qt-free, ReportLab): the volunteer service certificate (志愿服务记录证明).

One A4 page in the usual form of such a certificate: the title, the number, the statement
(name, ID type and number, volunteer number, period, hours), the content of the service, the
service record by activity with its total, "特此证明", then the person in charge, the handler and
the contact on the left and the issuing organisation and the issue date on the right under the
seal area (a dashed circle of 42 mm, the size of an official seal), and a line saying how the
hours were counted.  A draft (not numbered yet) says so where the number goes and carries a grey
"draft" across the page.  Fonts are those of `civaffairs.printing.fonts`; every string is checked
against its font before anything is drawn (`PrintFont.check`)."""
from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from civaffairs.core.i18n import _
from civaffairs.groups.volunteers.figures import ServiceLine, hours_text
from civaffairs.groups.volunteers.service import CertificateDocument
from civaffairs.printing.dates import chinese_date
from civaffairs.printing.fonts import FontRole, PrintFont, font
from civaffairs.printing.pages import numbered_canvas

MARGIN_X = 22 * mm
MARGIN_TOP = 25 * mm
MARGIN_BOTTOM = 20 * mm
WIDTH = A4[0] - 2 * MARGIN_X
BODY = 15.0  # close to 三号 (16 pt), so that a long content still leaves the page to one sheet
TABLE = 10.0  # a little under 五号, so that a row holds an activity on one line
SEAL = 42 * mm  # an official seal's diameter
GREY = colors.Color(0.45, 0.45, 0.45)
SHADE = colors.Color(0.9, 0.9, 0.9)


class _Paper:
    """Styles in the shipped (or Windows) fonts, and paragraphs whose text is checked first."""

    def __init__(self) -> None:
        self.song, self.hei = font(FontRole.SONG), font(FontRole.HEI)
        self.fang, self.title_font = font(FontRole.FANGSONG), font(FontRole.TITLE)
        leading = BODY * 1.85
        self.styles: dict[str, tuple[PrintFont, ParagraphStyle]] = {
            "title": (self.title_font, ParagraphStyle("title", fontName=self.title_font.name, fontSize=22, leading=30,
                                                      alignment=TA_CENTER)),
            "number": (self.fang, ParagraphStyle("number", fontName=self.fang.name, fontSize=14, leading=20,
                                                 alignment=TA_RIGHT)),
            "body": (self.fang, ParagraphStyle("body", fontName=self.fang.name, fontSize=BODY, leading=leading,
                                               firstLineIndent=2 * BODY, wordWrap="CJK")),
            "heading": (self.hei, ParagraphStyle("heading", fontName=self.hei.name, fontSize=12, leading=18,
                                                 spaceBefore=6, spaceAfter=4)),
            "cell": (self.song, ParagraphStyle("cell", fontName=self.song.name, fontSize=TABLE, leading=TABLE * 1.25,
                                               wordWrap="CJK")),
            "cell_c": (self.song, ParagraphStyle("cell_c", fontName=self.song.name, fontSize=TABLE,
                                                 leading=TABLE * 1.25, alignment=TA_CENTER, wordWrap="CJK")),
            "cell_r": (self.song, ParagraphStyle("cell_r", fontName=self.song.name, fontSize=TABLE,
                                                 leading=TABLE * 1.25, alignment=TA_RIGHT)),
            "head": (self.hei, ParagraphStyle("head", fontName=self.hei.name, fontSize=TABLE, leading=TABLE * 1.25,
                                              alignment=TA_CENTER, wordWrap="CJK")),
            "total": (self.hei, ParagraphStyle("total", fontName=self.hei.name, fontSize=TABLE, leading=TABLE * 1.25,
                                               alignment=TA_CENTER)),
            "total_r": (self.hei, ParagraphStyle("total_r", fontName=self.hei.name, fontSize=TABLE,
                                                 leading=TABLE * 1.25, alignment=TA_RIGHT)),
            # spaceBefore: a note under the table keeps clear of the table's bottom rule
            "note": (self.song, ParagraphStyle("note", fontName=self.song.name, fontSize=9, leading=13,
                                               spaceBefore=4, textColor=GREY, wordWrap="CJK")),
        }

    def p(self, text: str, style: str) -> Paragraph:
        f, st = self.styles[style]
        return Paragraph("<br/>".join(escape(f.check(line)) for line in text.split("\n")), st)


class _SignatureAndSeal(Flowable):
    """The foot of the certificate: who is responsible on the left; the issuing organisation and
    the date on the right, under the dashed circle where the seal goes."""

    def __init__(self, pp: _Paper, doc: CertificateDocument) -> None:
        super().__init__()
        fang = pp.fang
        self.font = fang
        self.left = [fang.check(t) for t in (
            _("Person in charge: {name}").format(name=doc.person_in_charge),
            _("Handler: {name}").format(name=doc.handler),
            _("Contact phone: {phone}").format(phone=doc.contact))]
        self.organisation = fang.check(doc.organisation)
        self.day = fang.check(chinese_date(doc.issue_date))
        self.seal_label = pp.song.check(_("(seal)"))
        self.song = pp.song
        self.height = SEAL + 4 * mm  # the seal may reach a little below: nothing follows it

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.height

    def draw(self) -> None:
        c = self.canv
        size = BODY
        # left: three lines from the top of the block down
        c.setFont(self.font.name, size)
        y = self.height - 12 * mm
        for line in self.left:
            c.drawString(0, y, line)
            y -= size * 1.9
        # right: organisation and date, their right edge two characters from the margin
        right = self.width - 2 * size
        centre_x = right - max(c.stringWidth(self.organisation, self.font.name, size),
                               c.stringWidth(self.day, self.font.name, size)) / 2
        org_y = self.height / 2 + 2
        c.drawRightString(right, org_y, self.organisation)
        c.drawRightString(right, org_y - size * 1.9, self.day)
        # the seal area: a dashed circle over both, as a seal is put over the name and the date
        c.saveState()
        c.setStrokeColor(GREY)
        c.setDash(3, 3)
        c.setLineWidth(0.6)
        c.circle(centre_x, org_y - size * 0.6, SEAL / 2, stroke=1, fill=0)
        c.setFillColor(GREY)
        c.setFont(self.song.name, 9)
        c.drawCentredString(centre_x, org_y - size * 0.6 + SEAL / 2 - 6 * mm, self.seal_label)
        c.restoreState()


def _decorations(pp: _Paper, doc: CertificateDocument):  # type: ignore[no-untyped-def]
    title = pp.song.check(_("Volunteer service certificate"))
    draft = pp.hei.check(_("Draft")) if not doc.issued else ""

    def draw(canvas: Canvas, page: int, pages: int) -> None:
        if pages > 1:
            canvas.setFont(pp.song.name, 9)
            canvas.drawCentredString(A4[0] / 2, 10 * mm, pp.song.check(_("{title} – page {page} of {pages}").format(
                title=f"{title} {doc.number}".strip(), page=page, pages=pages)))
        if draft:  # a draft can never pass for the certificate
            canvas.setFillColor(colors.Color(0.6, 0.6, 0.6))
            canvas.setFillAlpha(0.25)  # over the text, which stays readable
            canvas.setFont(pp.hei.name, 110)
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, -40, draft)
    return draw


def _days(first: date, last: date, with_year: bool) -> str:
    """10月29日 or 10月29日—11月5日; with the years when the period spans two."""
    def day(d: date) -> str:
        return chinese_date(d) if with_year else f"{d.month}月{d.day}日"
    return day(first) if first == last else f"{day(first)}—{day(last)}"


def _activity(line: ServiceLine) -> str:
    """The activity, with its place when the name does not say it already."""
    place = line.place.strip()
    if not place or place.split("（")[0] in line.activity:
        return line.activity
    return f"{line.activity}（{place}）"


def render_certificate(doc: CertificateDocument) -> bytes:
    """The PDF of one volunteer service certificate."""
    pp = _Paper()
    title = _("Volunteer service certificate")
    story: list = []  # type: ignore[type-arg]
    story.append(pp.p(title, "title"))
    story.append(Spacer(1, 4 * mm))
    number = doc.number or _("(draft: not numbered yet)")
    story.append(pp.p(_("No. {number}").format(number=number), "number"))
    story.append(Spacer(1, 5 * mm))

    who = [_("ID type: {kind}").format(kind=doc.id_type), _("ID number: {number}").format(number=doc.id_number)]
    if doc.volunteer_number:
        who.append(_("volunteer number: {number}").format(number=doc.volunteer_number))
    story.append(pp.p(_("This is to certify that {name} ({who}) took part in volunteer service from {start} to {end}, "
                        "with a total of {hours} hours of volunteer service.").format(
        name=doc.name, who="；".join(who), start=chinese_date(doc.period.start), end=chinese_date(doc.period.end),
        hours=doc.hours_text), "body"))
    if doc.content:
        story.append(pp.p(_("Service content: {content}").format(content=doc.content), "body"))

    if doc.lines:
        story.append(Spacer(1, 2 * mm))
        story.append(pp.p(_("Service record"), "heading"))
        rows = [[pp.p(h, "head") for h in (_("No."), _("Days served"), _("Activity"), _("Kind of service"),
                                           _("Shifts"), _("Hours"))]]
        with_year = doc.period.start.year != doc.period.end.year  # else the statement above gives the year
        for i, line in enumerate(doc.lines, start=1):
            rows.append([pp.p(str(i), "cell_c"), pp.p(_days(line.first_day, line.last_day, with_year), "cell_c"),
                         pp.p(_activity(line), "cell"), pp.p(line.kind_title, "cell_c"),
                         pp.p(str(line.shifts), "cell_r"), pp.p(hours_text(line.minutes), "cell_r")])
        rows.append([pp.p(_("Total"), "total"), "", "", "", pp.p(str(sum(x.shifts for x in doc.lines)), "total_r"),
                     pp.p(doc.hours_text, "total_r")])
        widths = [10 * mm, 33 * mm, WIDTH - 105 * mm, 27 * mm, 12 * mm, 23 * mm]
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), pp.song.name, TABLE),  # the spanned empty cells too: never Helvetica
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("SPAN", (0, -1), (3, -1)),
            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
        story.append(table)
        if doc.minutes != sum(x.minutes for x in doc.lines):
            # issued hours differ from the records now: the paper says what was certified
            story.append(pp.p(_("The hours certified are those of the day of issue; the record above is as the "
                                "shifts stand now."), "note"))

    # How the hours are counted belongs to the record; the closing line, the signatures and the seal
    # stay together, and tight enough that a certificate of a dozen lines keeps to one page.
    story.append(pp.p(_("Service hours are counted from the sign-in and sign-out of each shift; a shift running past "
                        "the first or the last midnight of the period counts only its part within the period."), "note"))
    story.append(Spacer(1, 1.5 * mm))  # with the note's space before it, as much as the page can give
    story.append(KeepTogether([
        pp.p(_("This certificate is hereby issued."), "body"),
        Spacer(1, 3 * mm),
        _SignatureAndSeal(pp, doc),
    ]))

    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                                 topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
                                 title=f"{title} {doc.number}".strip(), author=doc.organisation, creator="civaffairs",
                                 initialFontName=pp.fang.name, initialFontSize=BODY)  # not Helvetica: never embedded
    template.build(story, canvasmaker=numbered_canvas(_decorations(pp, doc)))
    return buffer.getvalue()
