"""Blank forms from a register spec, to fill in by hand where no PC is at hand (a duty point, an
institution's gate) and to type in later: the columns are the register form's fields in the
form's order, so that the sheet reads in the order of fast keyboard entry.

Layout (A4, portrait unless the columns need landscape):
* the office's name and the title, centred; then a header line of the fields that are the same
  for the whole sheet (`header_fields`: "机构：__________　日期：____年__月__日") or their
  `fixed` values;
* a ruled table of the remaining form fields, a numbered row for each entry, rows as tall as
  handwriting needs (8 mm); columns sized from `FieldSpec.width` (handwriting is wider than print,
  so the widths are only proportions: the table always spans the page); a choice's or a yes/no
  field's options as tick boxes under its title ("□绿 □黄 □红", "□是 □否");
* at the foot of every page the signature line (填表人 / 审核人) and, on sheets of several pages,
  the page number.
The same fonts as the other paper (Song for text, the title face for the title), every string
checked with `PrintFont.check`.  Qt-free."""
from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as turned
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate, Paragraph, Spacer, Table
from reportlab.platypus import TableStyle

from civaffairs.core.i18n import _
from civaffairs.printing.dates import chinese_datetime
from civaffairs.printing.fonts import FontRole, PrintFont, font
from civaffairs.printing.pages import numbered_canvas
from civaffairs.printing.table_report import CHAR_EM, _balanced, _widest_word
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec

BODY_SIZE = 10.5  # 五号
HINT_SIZE = 9.0  # the tick boxes under a column's title
OFFICE_SIZE = 12.0
TITLE_SIZE = 18.0
HEADER_LINE_SIZE = 12.0
NOTE_SIZE = 9.0
ROW_HEIGHT = 8 * mm  # room for a handwritten line
PAD_X, PAD_Y = 3.0, 2.5
RULE = 0.5
HEADER_SHADE = colors.Color(0.9, 0.9, 0.9)
MARGIN_X = 15 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 22 * mm  # the signature line and the page number sit below the table
SIGNATURE_Y = 13 * mm  # baseline of the signature line, from the bottom edge
FOOTER_Y = 7 * mm
SLACK = 2.0
BOX = "□"  # U+25A1, a tick box every shipped face has
BLANK_CHARS = 12  # underscores of a header blank


def render_blank_form(spec: RegisterSpec, *, office_name: str, title: str | None = None,
                      header_fields: Sequence[str] = (), fixed: Mapping[str, str] | None = None,
                      rows: int | None = None, exclude: Sequence[str] = (), landscape: bool | None = None,
                      printed_at: datetime | None = None) -> bytes:
    """The PDF of a blank form for `spec`.

    `header_fields`: fields the same for the whole sheet, printed once above the table as blanks
    (or with their `fixed` value); usually `spec.carried_fields`, the fields fast entry keeps from
    one record to the next (the parent record, the day), so the sheet is typed in as it reads.  `fixed`: values printed instead of blanks, by field name; a key
    that is no field of `spec` is printed as its own label ({"值守点": "道北社区东门"}); a field
    given here leaves the table.  `exclude`: form fields left off.  `rows`: the number of entry
    rows (default: as many as fill the first page).  `landscape`: None chooses by the columns'
    widths.  `printed_at`: when given, printed small at the foot."""
    fixed = dict(fixed or {})
    song, title_font = font(FontRole.SONG), font(FontRole.TITLE)
    names = {f.name for f in spec.fields}
    for name in (*header_fields, *exclude):
        if name not in names:
            raise KeyError(name)
    in_header = list(header_fields) + [k for k in fixed if k in names and k not in header_fields]
    columns = [f for f in spec.form_fields if f.name not in in_header and f.name not in exclude]
    if not columns:
        raise ValueError("a blank form needs at least one column")
    if rows is not None and rows < 1:
        raise ValueError("a blank form needs at least one row")

    heading = title if title is not None else spec.name
    header_items = [_header_item(spec.field(name), fixed.get(name)) for name in in_header]
    header_items += [_("{field}: {values}").format(field=k, values=v) for k, v in fixed.items() if k not in names]
    header_text = "\u3000\u3000".join(header_items)
    signature = _("Filled in by: {blank}    Checked by: {blank}").format(blank="_" * BLANK_CHARS)
    for text in (office_name, header_text, signature):
        song.check(text)
    title_font.check(heading)

    titles = [song.check(_("No."))] + [song.check(f.title) for f in columns]
    hints = [""] + [song.check(_hint(f)) for f in columns]
    natural = [_number_width(song, rows)] + [_natural_width(f, song) for f in columns]
    portrait_w, landscape_w = A4[0] - 2 * MARGIN_X, A4[1] - 2 * MARGIN_X
    if landscape is None:
        landscape = sum(natural) > portrait_w
    pagesize = turned(A4) if landscape else A4
    frame_w = pagesize[0] - 2 * MARGIN_X
    frame_h = pagesize[1] - MARGIN_TOP - MARGIN_BOTTOM
    widths = _spread(natural, frame_w, [True] + [bool(h) for h in hints[1:]])

    header_style = ParagraphStyle("form-head", fontName=song.name, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.25,
                                  alignment=TA_CENTER, wordWrap="CJK")
    header_cells = []
    for text, hint, w in zip(titles, hints, widths):
        lines = [escape(line) for line in _balanced(text, song.name, BODY_SIZE, w - 2 * PAD_X)]
        if hint:
            lines += [f'<font size="{HINT_SIZE:g}">{escape(line)}</font>'
                      for line in _wrap_options(hint.split(" "), song.name, w - 2 * PAD_X)]
        header_cells.append(Paragraph("<br/>".join(lines), header_style))
    header_h = max(p.wrap(w - 2 * PAD_X, 10**6)[1] for p, w in zip(header_cells, widths)) + 2 * PAD_Y

    top: list[Flowable] = [
        Paragraph(escape(office_name), ParagraphStyle("office", fontName=song.name, fontSize=OFFICE_SIZE,
                                                      leading=OFFICE_SIZE * 1.4, alignment=TA_CENTER,
                                                      wordWrap="CJK")),
        Paragraph(escape(heading), ParagraphStyle("title", fontName=title_font.name, fontSize=TITLE_SIZE,
                                                  leading=TITLE_SIZE * 1.4, alignment=TA_CENTER, wordWrap="CJK")),
        Spacer(0, 3 * mm),
    ]
    if header_text:
        top += [Paragraph(escape(header_text), ParagraphStyle("header-line", fontName=song.name,
                                                              fontSize=HEADER_LINE_SIZE,
                                                              leading=HEADER_LINE_SIZE * 1.5, alignment=TA_LEFT,
                                                              wordWrap="CJK")),
                Spacer(0, 2 * mm)]
    top_h = sum(fl.wrap(frame_w, frame_h)[1] + fl.getSpaceBefore() + fl.getSpaceAfter() for fl in top)
    first_rows = max(1, math.floor((frame_h - top_h - header_h - SLACK) / ROW_HEIGHT))
    later_rows = max(1, math.floor((frame_h - header_h - SLACK) / ROW_HEIGHT))
    total_rows = rows if rows is not None else first_rows

    style = TableStyle([
        ("FONT", (0, 0), (-1, -1), song.name, BODY_SIZE, BODY_SIZE * 1.25),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X), ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y), ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
        ("GRID", (0, 0), (-1, -1), RULE, colors.black),
        ("BOX", (0, 0), (-1, -1), RULE * 2, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
    ])
    story: list[Flowable] = list(top)
    done = 0
    while done < total_rows:
        count = min(first_rows if done == 0 else later_rows, total_rows - done)
        body = [[str(done + k + 1)] + [""] * len(columns) for k in range(count)]
        if done:
            story.append(PageBreak())
        story.append(Table([header_cells] + body, colWidths=widths, rowHeights=[header_h] + [ROW_HEIGHT] * count,
                           style=style))
        done += count

    printed = song.check(_("Printed on {date}").format(date=chinese_datetime(
        printed_at.astimezone() if printed_at.tzinfo else printed_at))) if printed_at else ""

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        page_w = canvas._pagesize[0]
        canvas.setFillColor(colors.black)
        canvas.setFont(song.name, HEADER_LINE_SIZE)
        canvas.drawString(MARGIN_X, SIGNATURE_Y, signature)
        canvas.setFont(song.name, NOTE_SIZE)
        if printed:
            canvas.drawString(MARGIN_X, FOOTER_Y, printed)
        if pages > 1:
            canvas.drawRightString(page_w - MARGIN_X, FOOTER_Y,
                                   song.check(_("Page {n} of {total}").format(n=page, total=pages)))

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                          bottomMargin=MARGIN_BOTTOM, title=f"{office_name} {heading}", creator="civaffairs",
                          initialFontName=song.name, initialFontSize=BODY_SIZE)
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, frame_w, frame_h, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=pagesize)])
    doc.build(story, canvasmaker=numbered_canvas(decorate))
    return buf.getvalue()


def _choice_words(f: FieldSpec) -> list[str]:
    """The options' titles, less a suffix they all share ("绿码 黄码 红码" → "绿 黄 红": the column's
    title already says what they are)."""
    words = [c.title for c in f.choices]
    while len(words) > 1 and all(len(w) > 1 and w[-1] == words[0][-1] for w in words) and not words[0][-1].isascii():
        words = [w[:-1] for w in words]
    return words


def _hint(f: FieldSpec) -> str:
    """Tick boxes for the options of a choice or a yes/no field; nothing for the others."""
    if f.kind in (Kind.CHOICE, Kind.MULTI_CHOICE) and f.choices:
        return " ".join(BOX + w for w in _choice_words(f))
    if f.kind is Kind.BOOLEAN:
        return f"{BOX}{_('Yes')} {BOX}{_('No')}"
    return ""


def _header_item(f: FieldSpec, value: str | None) -> str:
    """"日期：____年__月__日", "机构：__________", "健康码：□绿 □黄 □红", or the fixed value."""
    if value is None:
        if f.kind is Kind.DATE:
            value = _("______ (year) ____ (month) ____ (day)")
        elif _hint(f):
            value = _hint(f)
        else:
            value = "_" * BLANK_CHARS
    return _("{field}: {values}").format(field=f.title, values=value)


def _wrap_options(options: list[str], font_name: str, width: float) -> list[str]:
    """Tick-box options in lines no wider than `width`, never breaking a box from its word."""
    lines: list[str] = []
    for option in options:
        if lines and stringWidth(f"{lines[-1]} {option}", font_name, HINT_SIZE) <= width:
            lines[-1] += f" {option}"
        else:
            lines.append(option)
    return lines


def _natural_width(f: FieldSpec, song: PrintFont) -> float:
    """A column's width before spreading: the screen's character count, at least the widest word of
    its title and its widest tick-box option."""
    hint = _hint(f)
    options = hint.split(" ") if hint else []
    return max(f.width * CHAR_EM * BODY_SIZE, _widest_word(f.title, song.name, BODY_SIZE),
               max((stringWidth(o, song.name, HINT_SIZE) for o in options), default=0.0),
               # a few short options on one line ("□绿 □黄 □红"), long lists wrap
               min(stringWidth(hint, song.name, HINT_SIZE) + 1.0, 10 * HINT_SIZE)) + 2 * PAD_X  # 1 pt against rounding


def _number_width(song: PrintFont, rows: int | None) -> float:
    digits = len(str(rows or 99))
    return max(stringWidth("8" * digits, song.name, BODY_SIZE), stringWidth(_("No."), song.name, BODY_SIZE)) + 2 * PAD_X


def _spread(widths: list[float], available: float, boxed: list[bool]) -> list[float]:
    """The columns (not the row numbers) scaled in proportion to span `available` exactly.  When
    they must narrow, the tick-box columns keep their width (their options would wrap) as long as
    the others can give it."""
    keep = widths[0]
    scale = (available - keep) / (sum(widths) - keep)
    if scale >= 1:
        return [keep] + [w * scale for w in widths[1:]]
    fixed = sum(w for w, b in zip(widths, boxed) if b)
    free = sum(widths) - fixed
    if free and available - fixed >= 0.5 * free:
        scale = (available - fixed) / free
        return [w if b else w * scale for w, b in zip(widths, boxed)]
    return [keep] + [w * scale for w in widths[1:]]
