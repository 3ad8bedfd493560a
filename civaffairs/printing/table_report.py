"""Register printouts: a register's current list (its filters and sort as on screen) as a table on
A4, with the office's name and the register's title, the filter in words, the column headers on
every page, "page N of M", and who printed it when.

Layout:
* Columns are as wide as the screen's (`width_chars` × 0.55 em, at least the widest word of the
  title), plus padding.  Portrait when they fit at the body size (五号, 10.5 pt), else landscape;
  when they do not fit landscape either, the font shrinks (to 7.5 pt at the least) and then the
  columns narrow and their cells wrap.  Columns that leave room are widened to the text width.
* A column with no text in any row (notes never filled in) is only as wide as its title on one
  line, and gives the rest of its width to the others (unless every column is empty).
* The table is paginated here rather than by ReportLab: each page is its own `Table` of the header
  row and that page's rows (ReportLab's own splitting re-measures every remaining row on every
  page, which is quadratic: 10,000 rows took 6.7 s, now they take about 2 s).
* A cell whose text fits its column on one line is a plain string (fast); only a cell that does
  not fit becomes a `Paragraph` that wraps (`wordWrap='CJK'`).
* Every string printed is checked against the font's character map first (`PrintFont.check`):
  a character the font lacks raises `MissingGlyph` naming it, before anything is drawn."""
from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate, Paragraph, Spacer, Table
from reportlab.platypus import TableStyle

from civaffairs.core.i18n import _
from civaffairs.printing.dates import chinese_date, chinese_datetime
from civaffairs.printing.fonts import FontRole, PrintFont, font
from civaffairs.printing.pages import numbered_canvas
from civaffairs.records import values as V
from civaffairs.records.display import align_right, cell_text
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from civaffairs.accounts.roles import Actor
    from civaffairs.records.service import ListQuery

Progress = Callable[[int, int], None]

# Sizes in points.  五号 = 10.5 pt is the usual size of a printed register.
BODY_SIZE = 10.5
MIN_SIZE = 7.5
TITLE_SIZE = 18.0  # 小二
OFFICE_SIZE = 12.0  # 小四
NOTE_SIZE = 9.0  # 小五: the filter line, running header and footer
LEADING = 1.25  # × font size
CHAR_EM = 0.55  # `width_chars` counts characters of about half an em (a digit), as on screen
PAD_X, PAD_Y = 3.0, 2.5  # cell padding
RULE = 0.5  # grid line width
HEADER_SHADE = colors.Color(0.88, 0.88, 0.88)

MARGIN_X = 15 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 18 * mm
FOOTER_Y = 10 * mm  # baseline of the footer, from the bottom edge
HEADER_Y = 9 * mm  # baseline of the running header, from the top edge
SLACK = 2.0  # points kept free on every page against rounding in ReportLab's own measuring
PROGRESS_EVERY = 200  # rows


@dataclass(frozen=True)
class ReportColumn:
    title: str
    width_chars: int
    align_right: bool = False


@dataclass(frozen=True)
class _Layout:
    pagesize: tuple[float, float]
    size: float  # body font size
    widths: list[float]  # column widths in points, the row-number column first when shown

    @property
    def landscape(self) -> bool:
        return self.pagesize[0] > self.pagesize[1]


# ------------------------------------------------------------------ the report


def render_table_report(*, office_name: str, title: str, filter_text: str, columns: Sequence[ReportColumn],
                        rows: Iterable[Sequence[str]], printed_by: str, printed_at: datetime,
                        out: BinaryIO | None = None, progress: Progress | None = None,
                        total: int | None = None, row_numbers: bool = True) -> bytes:
    """The PDF of a table report; also written to `out` when given.

    `rows` are the cells as text, in order (read once; a generator is fine).  `progress(done,
    total)` is called as the work goes on, counting steps: three per row (read and checked, made
    into cells, drawn) and one for writing the file.  Its `total` is 0 while the number of rows is
    not known (pass `total`, the number of rows expected, to avoid that).  The callback may raise to
    cancel: the exception propagates and nothing is written to `out`.
    `row_numbers` adds a first column numbering the rows (序号)."""
    f = font(FontRole.SONG)
    if not columns:
        raise ValueError("a table report needs at least one column")
    for text in (office_name, title, filter_text, printed_by, *(c.title for c in columns)):
        f.check(text)
    when = printed_at.astimezone() if printed_at.tzinfo else printed_at
    printed = f.check(_("Printed on {date} by {name}").format(date=chinese_datetime(when), name=printed_by))
    report = _Report(f, columns, row_numbers, progress)
    cells = report.read(rows, total)
    pdf = report.build(cells, office_name=office_name, title=title, filter_text=filter_text, printed=printed,
                       author=printed_by)
    if out is not None:
        out.write(pdf)
    return pdf


class _Report:
    def __init__(self, f: PrintFont, columns: Sequence[ReportColumn], row_numbers: bool,
                 progress: Progress | None) -> None:
        self.font, self.columns, self.row_numbers = f, list(columns), row_numbers
        self.progress = progress or (lambda done, total: None)
        self.total_steps = 1
        self.empty = [False] * len(self.columns)  # columns with no text in any row, known once read

    # -- reading

    def read(self, rows: Iterable[Sequence[str]], total: int | None) -> list[Sequence[str]]:
        """Every row, every cell checked against the font (each distinct text once)."""
        checked: set[str] = set()
        check = self.font.check
        ncols = len(self.columns)
        expected = 3 * total + 1 if total is not None else 0
        cells: list[Sequence[str]] = []
        for row in rows:
            if len(row) != ncols:
                raise ValueError(f"row {len(cells) + 1} has {len(row)} cells for {ncols} columns")
            for text in row:
                if text not in checked:
                    if not isinstance(text, str):
                        raise TypeError(f"cell text must be str, not {type(text).__name__}: {text!r}")
                    check(text)
                    checked.add(text)
            cells.append(row)
            if len(cells) % PROGRESS_EVERY == 0:
                self.progress(len(cells), max(expected, len(cells) + 1) if expected else 0)
        self.total_steps = 3 * len(cells) + 1
        filled = {j for j in range(ncols) if any(text and not text.isspace() for text in (row[j] for row in cells))}
        if filled:  # when every column is empty there is nobody to give the room to
            self.empty = [j not in filled for j in range(ncols)]
        self.progress(len(cells), self.total_steps)
        return cells

    # -- layout

    def _titles(self) -> list[str]:
        titles = [c.title for c in self.columns]
        return [self.font.check(_("No."))] + titles if self.row_numbers else titles

    def _natural(self, size: float, n_rows: int) -> list[float]:
        name = self.font.name
        widths = []
        if self.row_numbers:
            digits = stringWidth(str(max(n_rows, 1)), name, size)
            widths.append(max(digits, stringWidth(_("No."), name, size)) + 2 * PAD_X)
        for c, empty in zip(self.columns, self.empty):
            natural = max(c.width_chars * CHAR_EM * size, _widest_word(c.title, name, size))
            if empty:
                natural = min(natural, max(stringWidth(c.title, name, size), 2 * size))
            widths.append(natural + 2 * PAD_X)
        return widths

    def _fixed(self) -> list[bool]:
        """Columns that keep their natural width: the row numbers and the empty columns."""
        return ([True] if self.row_numbers else []) + list(self.empty)

    def layout(self, n_rows: int) -> _Layout:
        portrait_width = A4[0] - 2 * MARGIN_X
        landscape_width = A4[1] - 2 * MARGIN_X
        natural = self._natural(BODY_SIZE, n_rows)
        fixed = self._fixed()
        if sum(natural) <= portrait_width:
            return _Layout(A4, BODY_SIZE, _fill(natural, portrait_width, fixed))
        if sum(natural) <= landscape_width:
            return _Layout(landscape(A4), BODY_SIZE, _fill(natural, landscape_width, fixed))
        # Widths are linear in the size (a·size + padding): the largest size that fits, or the least.
        padding = 2 * PAD_X * len(natural)
        size = max(MIN_SIZE, BODY_SIZE * (landscape_width - padding) / (sum(natural) - padding))
        size = round(size * 4 - 0.5) / 4  # quarter points, rounded down
        while size > MIN_SIZE and sum(self._natural(size, n_rows)) > landscape_width:
            size -= 0.25
        size = max(size, MIN_SIZE)
        widths = self._natural(size, n_rows)
        if sum(widths) > landscape_width:  # even the least size is too wide: narrower columns that wrap
            keep = sum(w for w, f in zip(widths, fixed) if f)
            scale = (landscape_width - keep) / (sum(widths) - keep)
            widths = [w if f else w * scale for w, f in zip(widths, fixed)]
        return _Layout(landscape(A4), size, _fill(widths, landscape_width, fixed))

    # -- building

    def build(self, cells: list[Sequence[str]], *, office_name: str, title: str, filter_text: str, printed: str,
              author: str) -> bytes:
        lay = self.layout(len(cells))
        name, size = self.font.name, lay.size
        leading = size * LEADING
        page_w, page_h = lay.pagesize
        frame_w, frame_h = page_w - 2 * MARGIN_X, page_h - MARGIN_TOP - MARGIN_BOTTOM

        styles = {
            align: ParagraphStyle(f"cell-{align}", fontName=name, fontSize=size, leading=leading,
                                  alignment=align, wordWrap="CJK")
            for align in (TA_LEFT, TA_RIGHT, TA_CENTER)
        }
        header_style = ParagraphStyle("header", parent=styles[TA_CENTER])
        widths = lay.widths
        inner = [w - 2 * PAD_X for w in widths]
        rights = ([True] if self.row_numbers else []) + [c.align_right for c in self.columns]

        # Header cells broken here, between words: ReportLab's CJK wrapping would split "°C".
        header = [Paragraph("<br/>".join(escape(line) for line in _balanced(t, name, size, w)), header_style)
                  for t, w in zip(self._titles(), inner)]
        header_h = max(p.wrap(w, 10**6)[1] for p, w in zip(header, inner)) + 2 * PAD_Y
        line_h = leading + 2 * PAD_Y

        # The title block, on the first page only.
        top: list[Flowable] = [
            Paragraph(escape(office_name), ParagraphStyle("office", fontName=name, fontSize=OFFICE_SIZE,
                                                          leading=OFFICE_SIZE * 1.4, alignment=TA_CENTER,
                                                          wordWrap="CJK")),
            _BoldTitle(title, name, TITLE_SIZE),
            Spacer(0, 3 * mm),
            _filter_line(self.font, filter_text, len(cells), frame_w),
            Spacer(0, 2 * mm),
        ]
        top_h = sum(fl.wrap(frame_w, frame_h)[1] + fl.getSpaceBefore() + fl.getSpaceAfter() for fl in top)

        # The rows as cells: plain text where it fits on one line, wrapping paragraphs elsewhere.
        width_of: dict[tuple[str, int], bool] = {}
        body: list[list[Any]] = []
        heights: list[float] = []
        first = 1 if self.row_numbers else 0
        for i, row in enumerate(cells):
            out: list[Any] = [str(i + 1)] if self.row_numbers else []
            h = line_h
            for j, text in enumerate(row, start=first):
                key = (text, j)
                fits = width_of.get(key)
                if fits is None:
                    # line breaks, tabs and other spacing go to a paragraph, which treats them as spaces
                    fits = text.isprintable() and stringWidth(text, name, size) <= inner[j]
                    width_of[key] = fits
                if fits:
                    out.append(text)
                else:
                    p = Paragraph(escape(text).replace("\n", "<br/>"), styles[TA_RIGHT if rights[j] else TA_LEFT])
                    h = max(h, p.wrap(inner[j], 10**6)[1] + 2 * PAD_Y)
                    out.append(p)
            body.append(out)
            heights.append(h)
            if (i + 1) % PROGRESS_EVERY == 0:
                self.progress(len(cells) + i + 1, self.total_steps)

        style = self._table_style(lay, rights)
        story: list[Flowable] = list(top)
        if not body:
            empty = Table([header, [Paragraph(escape(self.font.check(_("No records."))), styles[TA_CENTER])]
                           + [""] * (len(widths) - 1)],
                          colWidths=widths, rowHeights=[header_h, line_h], repeatRows=1,
                          style=TableStyle(list(style.getCommands()) + [("SPAN", (0, 1), (-1, 1))]))
            story.append(empty)
        pages = _paginate(body, heights, header_h, first=frame_h - top_h - SLACK, later=frame_h - SLACK,
                          inner=inner, line_h=line_h) if body else []
        done = 2 * len(cells)
        for k, (page_rows, page_heights, rows_done) in enumerate(pages):
            table = Table([header] + page_rows, colWidths=widths, rowHeights=[header_h] + page_heights,
                          repeatRows=1, style=style)
            table._civ_steps = done + rows_done  # type: ignore[attr-defined]  # for progress
            if k:
                story.append(PageBreak())
            story.append(table)

        def decorate(canvas: Canvas, page: int, pages: int) -> None:
            canvas.setFont(name, NOTE_SIZE)
            canvas.setFillColor(colors.black)
            if page > 1:
                canvas.drawString(MARGIN_X, page_h - HEADER_Y, f"{office_name}  {title}")
            canvas.drawString(MARGIN_X, FOOTER_Y, printed)
            canvas.drawRightString(page_w - MARGIN_X, FOOTER_Y,
                                   self.font.check(_("Page {n} of {total}").format(n=page, total=pages)))

        report = self

        class Doc(BaseDocTemplate):
            def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - ReportLab's name
                steps = getattr(flowable, "_civ_steps", None)
                if steps is not None:
                    report.progress(steps, report.total_steps)

        buf = io.BytesIO()
        doc = Doc(buf, pagesize=lay.pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                  bottomMargin=MARGIN_BOTTOM, title=f"{office_name} {title}", author=author, creator="civaffairs",
                  subject=filter_text, initialFontName=name, initialFontSize=size)
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, frame_w, frame_h, leftPadding=0, rightPadding=0, topPadding=0,
                      bottomPadding=0, id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=lay.pagesize)])
        doc.build(story, canvasmaker=numbered_canvas(decorate))
        self.progress(self.total_steps, self.total_steps)
        return buf.getvalue()

    def _table_style(self, lay: _Layout, rights: list[bool]) -> TableStyle:
        name, size = self.font.name, lay.size
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), name, size, size * LEADING),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD_X), ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), PAD_Y), ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
            ("GRID", (0, 0), (-1, -1), RULE, colors.black),
            ("BOX", (0, 0), (-1, -1), RULE * 2, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ]
        for j, right in enumerate(rights):
            if right:
                commands.append(("ALIGN", (j, 1), (j, -1), "RIGHT"))
        return TableStyle(commands)


Page = tuple[list[list[Any]], list[float], int]  # rows, their heights, rows finished so far


def _paginate(body: list[list[Any]], heights: list[float], header_h: float, *, first: float, later: float,
              inner: list[float], line_h: float) -> list[Page]:
    """The rows shared out over pages: as many as fit under the header on each (`first` and
    `later` are the heights available on the first page and on the others).  A row taller than a
    whole page is cut between two of its lines: its wrapping cells continue in a row of their own
    on the next page, so that no text is lost and no row runs off the paper."""
    pages: list[Page] = []
    rows: list[list[Any]] = []
    row_heights: list[float] = []
    room = first - header_h
    piece: tuple[list[Any], float] | None = None  # the rest of a row cut at the end of a page
    i = 0
    while i < len(body):
        cells, h = piece if piece is not None else (body[i], heights[i])
        if h <= room:
            rows.append(cells)
            row_heights.append(h)
            room -= h
            piece = None
            i += 1
            continue
        if h > later - header_h:  # too tall for any page: cut it here, if enough room is left
            split = _split_row(cells, room, inner) if room >= 2 * line_h else None
            if split is not None:
                (head, head_h), piece = split
                rows.append(head)
                row_heights.append(head_h)
            elif not rows and room >= later - header_h:
                raise ValueError("a table row cannot be divided between pages")
        pages.append((rows, row_heights, i))
        rows, row_heights, room = [], [], later - header_h
    pages.append((rows, row_heights, len(body)))
    return pages


def _split_row(cells: list[Any], room: float, inner: list[float]) -> tuple[tuple[list[Any], float], tuple[list[Any], float]] | None:
    """`cells` cut to the height `room`: the part that fits (exactly `room` high) and the rest
    with its height; None when no wrapping cell can be cut there."""
    space = room - 2 * PAD_Y
    head: list[Any] = []
    tail: list[Any] = []
    for j, cell in enumerate(cells):
        if isinstance(cell, Paragraph) and cell.wrap(inner[j], 10**6)[1] > space:
            parts = cell.split(inner[j], space)
            if len(parts) != 2:
                return None
            head.append(parts[0])
            tail.append(parts[1])
        else:
            head.append(cell)
            tail.append("")
    tail_h = max((c.wrap(inner[j], 10**6)[1] for j, c in enumerate(tail) if isinstance(c, Paragraph)), default=0.0)
    return (head, room), (tail, tail_h + 2 * PAD_Y)

def _fill(widths: list[float], available: float, fixed: Sequence[bool]) -> list[float]:
    """Widen the columns that are not `fixed` in proportion, so that the table spans the text width."""
    total = sum(widths)
    keep = sum(w for w, f in zip(widths, fixed) if f)
    if total >= available or keep >= total:
        return widths
    scale = (available - keep) / (total - keep)
    return [w if f else w * scale for w, f in zip(widths, fixed)]


_OPENING = "（《「『“‘(［【〔"
_CLOSING = "）》」』”’)］】〕、，。：；！？,.;:!?"
# A piece of text not to be broken: a Latin word or number (°C included), or one character of any
# other script (CJK text may break between any two characters), with the punctuation that may not
# end or start a line attached to it; or a run of spaces.
_WORD = re.compile(rf"[{re.escape(_OPENING)}]*(?:[0-9A-Za-z°℃'’.%+/\-]+|\S)[{re.escape(_CLOSING)}]*|\s+")


def _widest_word(text: str, font_name: str, size: float) -> float:
    """The width of the widest piece of `text` that should not be broken."""
    return max((stringWidth(w, font_name, size) for w in _WORD.findall(text)), default=0.0)


def _wrap_words(text: str, font_name: str, size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width`, broken only between the pieces `_WORD` finds (a
    piece wider than `width` has a line of its own)."""
    lines: list[str] = []
    line = ""
    for word in _WORD.findall(text):
        if line.strip() and not word.isspace() and stringWidth(line + word, font_name, size) > width:
            lines.append(line.rstrip())
            line = ""
        line = line + word if line or not word.isspace() else line
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _balanced(text: str, font_name: str, size: float, width: float) -> list[str]:
    """`_wrap_words` with lines of even length ("近14天 / 内离开 / 过本区" rather than
    "近14天内 / 离开过本 / 区"): the narrowest width that needs no more lines."""
    lines = _wrap_words(text, font_name, size, width)
    while len(lines) > 1 and width > size:
        narrower = _wrap_words(text, font_name, size, width - size / 4)
        if len(narrower) > len(lines):
            break
        lines, width = narrower, width - size / 4
    return lines


def _filter_line(f: PrintFont, filter_text: str, n_rows: int, width: float) -> Flowable:
    """"Filter: …" on the left and the number of records on the right."""
    style = ParagraphStyle("filter", fontName=f.name, fontSize=NOTE_SIZE + 1, leading=(NOTE_SIZE + 1) * 1.35,
                           wordWrap="CJK")
    label = f.check(_("Filter: {filter}").format(filter=filter_text))
    count = f.check(_("{n} records").format(n=f"{n_rows:,}"))
    count_w = stringWidth(count, f.name, NOTE_SIZE + 1) + 2
    return Table([[Paragraph(escape(label), style),
                   Paragraph(escape(count), ParagraphStyle("count", parent=style, alignment=TA_RIGHT))]],
                 colWidths=[width - count_w, count_w],
                 style=TableStyle([("FONT", (0, 0), (-1, -1), f.name, NOTE_SIZE + 1),
                                   ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))


class _BoldTitle(Flowable):
    """A centred title in a heavier Song: the glyphs filled and stroked (the usual stand-in for a
    bold weight the face does not have), broken between characters when too wide."""

    def __init__(self, text: str, font_name: str, size: float) -> None:
        super().__init__()
        self.text, self.font_name, self.size = text, font_name, size
        self.lines: list[str] = [text]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.lines = _wrap_words(self.text, self.font_name, self.size, available_width)
        self.height = len(self.lines) * self.size * 1.4
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFillColor(colors.black)
        c.setStrokeColor(colors.black)
        c.setLineWidth(self.size * 0.035)
        y = self.height - self.size * 1.1
        for line in self.lines:
            text = c.beginText()
            text.setTextRenderMode(2)  # fill, then stroke
            text.setFont(self.font_name, self.size)
            x = (self.width - stringWidth(line, self.font_name, self.size)) / 2
            text.setTextOrigin(x, y)
            text.textOut(line)
            c.drawText(text)
            y -= self.size * 1.4
        c.restoreState()


# ------------------------------------------------------------------ registers


def describe_query(spec: RegisterSpec, query: ListQuery, *, actor: Actor | None = None,
                   value_text: Callable[[FieldSpec, Any], str] | None = None) -> str:
    """The list's filters and order in words, for the paper: "search “张”; Date 2021年10月1日 to
    2021年10月31日; Health code: Yellow, Red; sorted by Date, descending".  "All records" when nothing
    is filtered (the order is still named).  `actor`: the sort by a column this actor may not see
    is described as the register's own order, as the service applies it.  `value_text` gives the
    words for an `equals` filter's value (e.g. a staff member's name for a reference)."""
    parts: list[str] = []
    if query.deleted:
        parts.append(_("recycle bin"))
    if query.search.strip():
        parts.append(_("search “{text}”").format(text=" ".join(query.search.split())))
    if spec.date_field and (query.date_from or query.date_to):
        label = spec.field(spec.date_field).title
        start = chinese_date(query.date_from) if query.date_from else ""
        end = chinese_date(query.date_to) if query.date_to else ""
        if start and end:
            parts.append(_("{field} {start} to {end}").format(field=label, start=start, end=end))
        elif start:
            parts.append(_("{field} from {start}").format(field=label, start=start))
        else:
            parts.append(_("{field} up to {end}").format(field=label, end=end))
    if query.colours and spec.colour_field:
        f = spec.field(spec.colour_field)
        chosen = [c.title for c in f.choices if c.code in query.colours]
        parts.append(_("{field}: {values}").format(field=f.title, values=_(", ").join(chosen)))
    for name, value in query.equals:
        f = spec.field(name)
        text = value_text(f, value) if value_text else _value_words(f, value)
        parts.append(_("{field}: {values}").format(field=f.title, values=text))
    filtered = bool(parts) and parts != [_("recycle bin")]
    if not filtered:
        parts.append(_("all records"))
    sort, descending = query.sort, query.descending
    if not sort or not spec.has_field(sort) or (actor is not None and not _can_see(actor, spec, spec.field(sort))):
        sort, descending = spec.default_sort, spec.default_descending
    if sort:
        title = spec.field(sort).title
        parts.append((_("sorted by {field}, descending") if descending else _("sorted by {field}, ascending"))
                     .format(field=title))
    return _("; ").join(parts)


def _value_words(f: FieldSpec, value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if f.kind is Kind.DATE and isinstance(value, date):
        return chinese_date(value)
    return V.display_text(f, value)


def _can_see(actor: Actor, spec: RegisterSpec, f: FieldSpec) -> bool:
    return f.sensitive is None or actor.can_read_sensitive(spec.group)


def register_columns(spec: RegisterSpec) -> list[ReportColumn]:
    """The printout's columns: the list's, with the screen's widths and alignment."""
    return [ReportColumn(f.title, f.width, align_right(f)) for f in spec.list_fields]


FETCH_PAGE = 500


def register_rows(session: Session, actor: Actor, spec: RegisterSpec, query: ListQuery) -> Iterator[list[str]]:
    """The list's rows as the screen shows them (masked for `actor`, in the screen's order), read
    page by page through the register service."""
    from civaffairs.records import service as records

    fields = spec.list_fields
    offset = 0
    while True:
        page = records.fetch(session, actor, spec, query, offset, FETCH_PAGE)
        for row in page:
            yield [cell_text(f, row) for f in fields]
        if len(page) < FETCH_PAGE:
            return
        offset += FETCH_PAGE


def render_register(session: Session, actor: Actor, spec: RegisterSpec, query: ListQuery, *, office_name: str,
                    printed_by: str, printed_at: datetime, progress: Progress | None = None,
                    out: BinaryIO | None = None) -> bytes:
    """A register's list under `query`, as `actor` sees it on screen, as a table report."""
    from civaffairs.records import service as records
    from civaffairs.records.spec import get_register

    def value_text(f: FieldSpec, value: Any) -> str:
        if f.kind is Kind.REFERENCE and f.reference and value is not None:
            target = get_register(f.reference)
            obj = session.get(target.model, value)
            return str(getattr(obj, target.display_fields[0])) if obj is not None else ""
        return _value_words(f, value)

    total = records.count(session, actor, spec, query)
    return render_table_report(
        office_name=office_name, title=spec.name,
        filter_text=describe_query(spec, query, actor=actor, value_text=value_text),
        columns=register_columns(spec), rows=register_rows(session, actor, spec, query),
        printed_by=printed_by, printed_at=printed_at, out=out, progress=progress, total=total,
    )
