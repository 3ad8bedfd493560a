"""Group 4's household paper (Qt-free, ReportLab): a household's file (困难群众家庭档案: the
household, its members, categories, contacts, applications for inclusion and temporary assistance
grants) and the list of households not contacted since a date, one town per page, for the town's
cadres to take round, fill in by hand and sign.

The data come from `household_service`, masked exactly as on screen for a role that may not see
personal data.  Every string is checked against its font first (`PrintFont.check`): a character
the font lacks is an error naming it, never a blank on paper."""
from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether, PageBreak, PageTemplate, Paragraph, Spacer,
    Table, TableStyle,
)
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.i18n import _
from civaffairs.groups.assistance import household_service as service
from civaffairs.groups.assistance.households import (
    CONTACTS, HOUSEHOLD_CATEGORIES, HOUSEHOLDS, INCLUSIONS, MEMBERS, PERSON_CATEGORIES,
)
from civaffairs.printing.dates import chinese_date, chinese_datetime
from civaffairs.printing.fonts import FontRole, PrintFont, font
from civaffairs.printing.pages import numbered_canvas
from civaffairs.records import service as records
from civaffairs.records.display import cell_text
from civaffairs.records.spec import FieldSpec, RegisterSpec

Progress = Callable[[int, int], None]

MARGIN_X = 15 * mm
MARGIN_TOP = 14 * mm
MARGIN_BOTTOM = 16 * mm
FOOTER_Y = 9 * mm
OFFICE_SIZE = 12.0
TITLE_SIZE = 18.0
HEADING_SIZE = 12.0
CELL_SIZE = 9.5
NOTE_SIZE = 9.0
PAD = 3.0
SHADE = colors.Color(0.9, 0.9, 0.9)
GREY = colors.Color(0.35, 0.35, 0.35)


class _Paper:
    """Paragraph styles in the print fonts; every text checked against its font first."""

    def __init__(self) -> None:
        self.song, self.hei, self.title_font = font(FontRole.SONG), font(FontRole.HEI), font(FontRole.TITLE)
        cell = ParagraphStyle("cell", fontName=self.song.name, fontSize=CELL_SIZE, leading=CELL_SIZE * 1.3,
                              wordWrap="CJK")
        self.styles: dict[str, tuple[PrintFont, ParagraphStyle]] = {
            "office": (self.song, ParagraphStyle("office", parent=cell, fontSize=OFFICE_SIZE,
                                                 leading=OFFICE_SIZE * 1.4, alignment=TA_CENTER)),
            "title": (self.title_font, ParagraphStyle("title", fontName=self.title_font.name, fontSize=TITLE_SIZE,
                                                      leading=TITLE_SIZE * 1.4, alignment=TA_CENTER,
                                                      wordWrap="CJK")),
            "sub": (self.song, ParagraphStyle("sub", parent=cell, fontSize=11, leading=16, alignment=TA_CENTER)),
            "heading": (self.hei, ParagraphStyle("heading", fontName=self.hei.name, fontSize=HEADING_SIZE,
                                                 leading=HEADING_SIZE * 1.5, spaceBefore=8, spaceAfter=3,
                                                 keepWithNext=1)),
            "cell": (self.song, cell),
            "cell_c": (self.song, ParagraphStyle("cell_c", parent=cell, alignment=TA_CENTER)),
            "cell_r": (self.song, ParagraphStyle("cell_r", parent=cell, alignment=TA_RIGHT)),
            "head": (self.hei, ParagraphStyle("head", fontName=self.hei.name, fontSize=CELL_SIZE,
                                              leading=CELL_SIZE * 1.3, alignment=TA_CENTER, wordWrap="CJK")),
            "label": (self.hei, ParagraphStyle("label", fontName=self.hei.name, fontSize=CELL_SIZE,
                                               leading=CELL_SIZE * 1.3, alignment=TA_CENTER, wordWrap="CJK")),
            "note": (self.song, ParagraphStyle("note", parent=cell, fontSize=NOTE_SIZE, leading=NOTE_SIZE * 1.4,
                                               textColor=GREY, alignment=TA_LEFT)),
            "sign": (self.song, ParagraphStyle("sign", parent=cell, fontSize=11, leading=18)),
        }

    def p(self, text: str, style: str = "cell") -> Paragraph:
        f, st = self.styles[style]
        return Paragraph("<br/>".join(escape(f.check(line)) for line in text.split("\n")), st)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], *,
              right: Sequence[int] = (), centre: Sequence[int] = (), min_height: float | None = None) -> Table:
        """A ruled table with a shaded header repeated on every page; "None" when there are no rows."""
        data: list[list[object]] = [[self.p(h, "head") for h in header]]
        for row in rows:
            data.append([self.p(text, "cell_r" if j in right else "cell_c" if j in centre else "cell")
                         for j, text in enumerate(row)])
        # Empty cells too are set in the print font: else ReportLab names Helvetica, a font not embedded.
        style = [("FONT", (0, 0), (-1, -1), self.song.name, CELL_SIZE),
                 ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                 ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
                 ("TOPPADDING", (0, 0), (-1, -1), PAD), ("BOTTOMPADDING", (0, 0), (-1, -1), PAD)]
        if not rows:
            data.append([self.p(_("None"), "cell_c")] + [""] * (len(header) - 1))
            style.append(("SPAN", (0, 1), (-1, 1)))
        heights = None
        if min_height is not None:  # room to write in by hand, and more where the text needs it
            heights = [None]
            for row in data[1:]:
                need = max((cell.wrap(w - 2 * PAD, 1000 * mm)[1] + 2 * PAD
                            for cell, w in zip(row, widths) if isinstance(cell, Paragraph)), default=0.0)
                heights.append(max(min_height, need))
        return Table(data, colWidths=list(widths), rowHeights=heights, repeatRows=1, style=TableStyle(style))


def _widths(total: float, parts: Sequence[float]) -> list[float]:
    """Column widths in proportion to `parts`, filling `total`."""
    scale = total / sum(parts)
    return [p * scale for p in parts]


class _Section(Flowable):
    """Marks where a section (a town's list, the household's file) begins: pages after its first
    carry its name at the top, so that a loose page still says what it belongs to.  The canvas
    keeps each page's attributes until the page count is known (`printing.pages`)."""

    def __init__(self, running: str) -> None:
        super().__init__()
        self.running = running

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._civ_running = self.running  # type: ignore[attr-defined]
        self.canv._civ_section_page = self.canv.getPageNumber()  # type: ignore[attr-defined]


def _build(story: list[Flowable], *, pagesize: tuple[float, float], title: str, author: str,
           printed: str, song: PrintFont) -> bytes:
    page_w, page_h = pagesize

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(song.name, NOTE_SIZE)
        running = getattr(canvas, "_civ_running", None)
        if running and getattr(canvas, "_civ_section_page", page) != page:
            canvas.drawString(MARGIN_X, page_h - MARGIN_TOP + 3 * mm,
                              song.check(_("{title} (continued)").format(title=running)))
        canvas.drawString(MARGIN_X, FOOTER_Y, printed)
        canvas.drawRightString(page_w - MARGIN_X, FOOTER_Y,
                               song.check(_("Page {n} of {total}").format(n=page, total=pages)))

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                          bottomMargin=MARGIN_BOTTOM, title=title, author=author, creator="civaffairs",
                          initialFontName=song.name)
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, page_w - 2 * MARGIN_X, page_h - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=pagesize)])
    doc.build(story, canvasmaker=numbered_canvas(decorate))
    return buf.getvalue()


def _printed(song: PrintFont, printed_by: str, printed_at: datetime) -> str:
    when = printed_at.astimezone() if printed_at.tzinfo else printed_at
    return song.check(_("Printed on {date} by {name}").format(date=chinese_datetime(when), name=printed_by))


def _day(value: date | None) -> str:
    """A date in a table cell: 2021-10-25, as printed lists write it (narrow columns); a masked
    value as masked."""
    return value.isoformat() if isinstance(value, date) else str(value or "")


def _cell(spec: RegisterSpec, name: str, row: records.Row) -> str:
    return cell_text(spec.field(name), row)


def _computed(spec: RegisterSpec, name: str) -> FieldSpec:
    return next(c.field for c in spec.computed if c.field.name == name)


# ------------------------------------------------------------------ the household's file


def render_household_file(session: Session, actor: Actor, household_id: uuid.UUID, *, office_name: str,
                          printed_by: str, printed_at: datetime, progress: Progress | None = None) -> bytes:
    """A4 portrait: the household's particulars, then its members, categories (the household's
    and each person's), contacts, applications for inclusion and grants, each a table."""
    file = service.household_file(session, actor, household_id)
    if progress:
        progress(1, 3)
    pp = _Paper()
    width = A4[0] - 2 * MARGIN_X
    hh = file.household
    head = hh.values["head_name"]
    title = _("Household file")
    place = "".join(x for x in (hh.values["town_id"], hh.values["community_id"]) if x)
    story: list[Flowable] = [
        _Section(_("Household file of {head}").format(head=head)),
        pp.p(office_name, "office"),
        pp.p(title, "title"),
        pp.p(_("Head of household: {head}    {place}").format(head=head, place=place), "sub"),
        Spacer(0, 3 * mm),
    ]

    # 1. the household
    def v(name: str) -> str:
        return _cell(HOUSEHOLDS, name, hh)

    label_w, value_w = 30 * mm, width / 2 - 30 * mm
    rows = [
        [HOUSEHOLDS.field("head_name").title, v("head_name"), HOUSEHOLDS.field("head_id_number").title,
         v("head_id_number")],
        [HOUSEHOLDS.field("town_id").title, v("town_id"), HOUSEHOLDS.field("community_id").title, v("community_id")],
        [HOUSEHOLDS.field("address").title, v("address"), "", ""],
        [HOUSEHOLDS.field("phone").title, v("phone"), HOUSEHOLDS.field("registered_on").title,
         _day(hh.values["registered_on"])],
        [HOUSEHOLDS.field("bank_name").title, v("bank_name"), HOUSEHOLDS.field("bank_account").title,
         v("bank_account")],
        [_("Categories today"), cell_text(_computed(HOUSEHOLDS, "categories"), hh) or _("None"), _("Household size"),
         str(len(file.members))],
        [HOUSEHOLDS.field("notes").title, v("notes"), "", ""],
    ]
    particulars = Table([[pp.p(a, "label"), pp.p(b), pp.p(c, "label") if c else "", pp.p(d) if c else ""]
                         for a, b, c, d in rows], colWidths=[label_w, value_w, label_w, value_w])
    particulars.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), pp.song.name, CELL_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BACKGROUND", (0, 0), (0, -1), SHADE),
        *(("BACKGROUND", (2, r), (2, r), SHADE) for r, row in enumerate(rows) if row[2]),
        *(("SPAN", (1, r), (3, r)) for r, row in enumerate(rows) if not row[2]),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    story += [pp.p(_("1. The household"), "heading"), particulars]

    # 2. members
    member_fields = ("name", "relation", "id_number", "sex", "birth_date", "health", "work", "monthly_income",
                     "phone")
    member_rows = []
    for m in file.members:
        cells = [_cell(MEMBERS, n, m) for n in member_fields]
        if m.values.get("address"):  # where it differs from the household's
            cells[0] += "\n" + _("(lives at {address})").format(address=_cell(MEMBERS, "address", m))
        member_rows.append(cells)
    story += [pp.p(_("2. Members"), "heading"),
              pp.table([MEMBERS.field(n).title for n in member_fields], member_rows,
                       _widths(width, [18, 14, 36, 10, 21, 16, 18, 18, 29]), right=(7,), centre=(1, 3, 4))]

    # 3. categories: the household's, then each person's
    category_rows = []
    for c in file.household_categories:
        category_rows.append([_("The household"), _cell(HOUSEHOLD_CATEGORIES, "status", c),
                              _day(c.values["start_date"]), _day(c.values["end_date"]) or _("in force"),
                              _cell(HOUSEHOLD_CATEGORIES, "monthly_benefit", c),
                              _cell(HOUSEHOLD_CATEGORIES, "note", c)])
    for c in file.person_categories:
        details = [x for x in (
            _cell(PERSON_CATEGORIES, "care_mode", c),
            (_("Certificate {number}").format(number=c.values["certificate_number"])
             if c.values.get("certificate_number") else ""),
            _cell(PERSON_CATEGORIES, "disability_grade", c),
            _cell(PERSON_CATEGORIES, "note", c)) if x]
        category_rows.append([c.values["member_id"] or "", _cell(PERSON_CATEGORIES, "status", c),
                              _day(c.values["start_date"]), _day(c.values["end_date"]) or _("in force"),
                              _cell(PERSON_CATEGORIES, "monthly_benefit", c), "；".join(details)])
    story += [pp.p(_("3. Categories"), "heading"),
              pp.table([_("Who"), _("Category"), _("Since"), _("Until"), _("Monthly benefit (yuan)"), _("Details")],
                       category_rows, _widths(width, [20, 28, 22, 22, 22, 66]), right=(4,), centre=(2, 3))]

    # 4. contacts
    contact_rows = []
    for c in file.contacts:
        words = []
        for name in ("situation", "needs", "follow_up"):
            text = _cell(CONTACTS, name, c)
            if text:
                words.append(f"{CONTACTS.field(name).title}：{text}")
        contact_rows.append([_day(c.values["contacted_on"]), _cell(CONTACTS, "channel", c),
                             _cell(CONTACTS, "contacted_by", c), _cell(CONTACTS, "findings", c), "\n".join(words)])
    story += [pp.p(_("4. Contacts"), "heading"),
              pp.table([CONTACTS.field(n).title for n in ("contacted_on", "channel", "contacted_by", "findings")]
                       + [_("Situation, needs and follow-up")], contact_rows,
                       _widths(width, [22, 18, 24, 30, 86]), centre=(0, 1))]

    # 5. inclusion
    inclusion_rows = [[_cell(INCLUSIONS, "programme", i), _day(i.values["applied_on"]), _cell(INCLUSIONS, "persons", i),
                       _cell(INCLUSIONS, "decision", i), _day(i.values["decided_on"]), _day(i.values["effective_from"]),
                       _cell(INCLUSIONS, "monthly_benefit", i)] for i in file.inclusions]
    story += [pp.p(_("5. Applications for inclusion"), "heading"),
              pp.table([INCLUSIONS.field(n).title for n in ("programme", "applied_on", "persons", "decision",
                                                            "decided_on", "effective_from", "monthly_benefit")],
                       inclusion_rows, _widths(width, [34, 22, 14, 18, 22, 22, 26]), right=(2, 6), centre=(1, 3, 4, 5))]

    # 6. temporary assistance
    grant_rows = []
    for g in file.grants:
        amount = g.paid if g.paid is not None else g.approved if g.approved is not None else g.proposed
        notes = []
        if g.assist_first:
            notes.append(_("Assist first, paperwork later") + ("；" + _("paperwork owed") if g.paperwork_owed else ""))
        grant_rows.append([g.number or _("(no number yet)"), _day(g.applied_on), g.hardship, g.state, str(g.persons),
                           f"{amount:,.2f}", _day(g.paid_on), "；".join(notes)])
    story += [pp.p(_("6. Temporary assistance"), "heading"),
              pp.table([_("Number"), _("Applied on"), _("Hardship"), _("State"), _("Persons"), _("Amount (yuan)"),
                        _("Paid on"), _("Notes")], grant_rows, _widths(width, [40, 22, 22, 16, 12, 20, 22, 26]),
                       right=(4, 5), centre=(1, 3, 6))]
    if progress:
        progress(2, 3)
    pdf = _build(story, pagesize=A4, title=f"{office_name} {title} {head}", author=printed_by,
                 printed=_printed(pp.song, printed_by, printed_at), song=pp.song)
    if progress:
        progress(3, 3)
    return pdf


# ------------------------------------------------------------------ households not contacted


def render_not_contacted(session: Session, actor: Actor, day: date, town_id: uuid.UUID | None, *, office_name: str,
                         printed_by: str, printed_at: datetime, progress: Progress | None = None) -> bytes:
    """A4 landscape, one town per page (or pages): the households with no contact on or after
    `day`, with their last contact, and empty columns for the cadre to write the new contact in;
    under the list the lines to sign and date."""
    lines = service.not_contacted_since(session, actor, day, town_id)
    if progress:
        progress(1, 3)
    if town_id is not None:
        towns = [(town_id, service.town_name(session, town_id))]
    else:
        towns = sorted({(line.town_id, line.town) for line in lines}, key=lambda t: (t[1], str(t[0])))
    pp = _Paper()
    pagesize = landscape(A4)
    width = pagesize[0] - 2 * MARGIN_X
    title = _("Households not contacted since {day}").format(day=chinese_date(day))
    header = [_("No."), _("Village or community"), _("Head of household"), _("Head's ID number"), _("Phone"),
              _("Address"), _("Household size"), _("Last contact"), _("Contacted on"), _("How"), _("Situation and needs")]
    widths = _widths(width, [6, 12, 9, 19, 13, 30, 6, 15, 11, 9, 26])
    story: list[Flowable] = []
    if not towns:
        story += [pp.p(office_name, "office"), pp.p(title, "title"), Spacer(0, 4 * mm),
                  pp.p(_("Every household has been contacted since {day}.").format(day=chinese_date(day)), "sub")]
    for k, (town, name) in enumerate(towns):
        mine = [line for line in lines if line.town_id == town]
        if k:
            story.append(PageBreak())
        heading = _("{town}: households not contacted since {day}").format(town=name, day=chinese_date(day))
        story += [
            _Section(heading),
            pp.p(office_name, "office"),
            pp.p(heading, "title"),
            pp.p(_("{n} households. Please reach each of them by phone, WeChat or a home visit, write down what you "
                   "find, sign, and hand the list back to be entered.").format(n=len(mine)), "sub"),
            Spacer(0, 3 * mm),
        ]
        rows = []
        for i, line in enumerate(mine, start=1):
            last = (f"{chinese_date(line.last_contact)}\n{line.last_channel}" if line.last_contact
                    else _("Never contacted"))
            rows.append([str(i), line.community, line.head_name, line.head_id_number, line.phone, line.address,
                         str(line.members), last, "", "", ""])
        story.append(pp.table(header, rows, widths, right=(0, 6), centre=(7,), min_height=11 * mm))
        blank = "_" * 16  # room to sign on
        sign = Table([[pp.p(_("Contacted by (signature):") + blank, "sign"),
                       pp.p(_("Town leader (signature):") + blank, "sign"),
                       pp.p(_("Date: ______ year ____ month ____ day"), "sign")]],
                     colWidths=[width * 0.36, width * 0.36, width * 0.28], rowHeights=[14 * mm])
        sign.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), pp.song.name, CELL_SIZE),
                                  ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story += [CondPageBreak(24 * mm), KeepTogether([Spacer(0, 4 * mm), sign])]
    if progress:
        progress(2, 3)
    pdf = _build(story, pagesize=pagesize, title=f"{office_name} {title}", author=printed_by,
                 printed=_printed(pp.song, printed_by, printed_at), song=pp.song)
    if progress:
        progress(3, 3)
    return pdf
