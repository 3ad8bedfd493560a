"""Notices on paper, in the layout of GB/T 9704-2012 (党政机关公文格式), 文件 style.

Page and grid: A4; text area 156 × 225 mm at 28 mm from the left and 37 mm from the top; 22 lines
of 28 characters: body glyphs are 16 pt (三号) on a line pitch of 225 mm / 22 = 28.99 pt and a
character pitch of 156 mm / 28 = 15.79 pt (a character spacing of −0.21 pt, as word processors set
it for this grid).  Lines of a paragraph are justified to both edges; the last line is not.

Vertical positions are those of the characters' em boxes as the font declares them (baseline +
descent … baseline + descent + size): what PDF readers report as a character's top and bottom and
what a word processor aligns; the lines of one paragraph share the body face's baseline.  Body lines sit on the page grid: line k's em box starts at
37 mm + k × pitch.  "N empty lines below X" means N × pitch between X's em box and the next one.

Choices, written down:
- The issuing-office mark is `office_mark` (the office's name + "文件": the 文件 style), red, in
  the TITLE font, 18 mm (51 pt) em size: within the 22 mm that the standard allows, its ideographs
  about 15–16 mm tall on paper.  The top of its ink (the highest outline point of its glyphs, read
  from the font) is 35 mm below the top of the text area, i.e. 72 mm from the top of the page: what
  a ruler measures, whatever font the PC has (declared ascents differ from the real glyphs).  It
  is condensed horizontally to fit 150 mm (the text area less 3 mm each side): "天水市麦积区民政局
  文件" runs at 76 %; a very long name shrinks rather than condense below 50 %.
- Red is pure RGB red (1, 0, 0), for the mark and the 1 pt rule.  Everything else is black.
- The body face is the FANGSONG role (仿宋 on Windows; Fandol FangSong elsewhere, see fonts.py);
  the mark and the title use the TITLE role (方正小标宋 when installed; Fandol Song Bold elsewhere).
- The document number is 16 pt FangSong, centred, two empty lines below the mark; the rule 4 mm
  below the number.  A draft leaves the number's line empty and prints "草稿" diagonally on
  every page; a notice whose number was cancelled prints "作废".
- The title is 22 pt in the TITLE font on a 35 pt pitch, centred, two empty lines below the rule;
  long titles wrap into balanced lines (a trapezoid) at most 20 characters wide.
- The addressee starts on the first grid line at least one empty line below the title.
- Headings: 一、 HEI, （一） KAI (up to the first "。" when the paragraph goes on), 1. and （1）
  FANGSONG; headings stand on the page with the line after them.
- Unsealed signature (7.3.5.2): the office one empty line below the text (or attachment note),
  two characters from the right; the date below it, starting two characters further right,
  or right-aligned two characters in when it is the longer.  The signature keeps the text's last
  line with it, so that no page holds only a signature.
- Closing block (版记) at the foot of the last page, which is an even page (the back cover when
  printed two-sided), so a notice with a closing block has an even number of pages: it goes
  below the text when the text ends on an even page with room for it (and an empty line above
  it); when the text ends on an odd page it goes on the next page, alone; when the text ends on an
  even page without room, a blank page and then the closing block's page follow.  Rules as wide
  as the text area, the outer ones 0.35 mm, the inner one 0.25 mm, the last on the bottom edge of
  the text area; 14 pt FangSong, one character in from each side.
- Page numbers "— N —" in 14 pt Song, their em box 7 mm below the text area, odd pages on the
  right and even pages on the left, one character in.  Only pages with text carry one: a blank
  page and a page holding only the closing block do not (GB/T 9704 7.5: "版记页前有空白页的，
  空白页和版记页均不编排页码"); a page with both text and the closing block keeps its number,
  as every page of text does.

Every string is checked against its font's character map before it is drawn
(`PrintFont.check`): a character the font lacks is an error naming it, never a blank."""
from __future__ import annotations

import functools
import io
import math
import os
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from civaffairs.notices.data import Level, NoticeStatus, body_blocks
from civaffairs.printing.dates import chinese_date
from civaffairs.printing.fonts import FontRole, MissingGlyph, PrintFont, font

MM = 72 / 25.4
PAGE_W, PAGE_H = A4
TOP = 37 * MM
LEFT = 28 * MM
AREA_W = 156 * MM
AREA_H = 225 * MM
BOTTOM = TOP + AREA_H  # from the top of the page
LINES = 22
CHARS = 28
BODY_SIZE = 16.0  # 三号
PITCH = AREA_H / LINES
BODY_CS = (AREA_W - CHARS * BODY_SIZE) / (CHARS - 1)  # 28 full-width characters fill the line exactly
CHAR = BODY_SIZE + BODY_CS  # the advance of one full-width body character

RED = (1, 0, 0)
BLACK = (0, 0, 0)
WATERMARK_GREY = (0.82, 0.82, 0.82)

MARK_TOP = TOP + 35 * MM
MARK_HEIGHT = 18 * MM
MARK_MAX_WIDTH = AREA_W - 6 * MM
MARK_MIN_SCALE = 0.5
RULE_GAP = 4 * MM
RED_RULE_WIDTH = 1.0
TITLE_SIZE = 22.0  # 二号
TITLE_PITCH = 35.0
TITLE_MAX_WIDTH = 20 * TITLE_SIZE
SMALL_SIZE = 14.0  # 四号: closing block and page numbers
CLOSING_ROW = PITCH
CLOSING_WRAP_PITCH = 20.0
THICK_RULE = 0.35 * MM
THIN_RULE = 0.25 * MM
PAGE_NUMBER_GAP = 7 * MM

# Line-breaking rules (禁则): these never start a line / never end one.
NO_START = set("，。、；：？！）》」』】〕〉”’…—·％,.;:?!)]}>%")
NO_END = set("（《「『【〔〈“‘([{<")


def _word_char(ch: str) -> bool:
    """Characters of numbers and Latin words, which are not broken apart (456.09, 4,560,900)."""
    return ch.isascii() and (ch.isalnum() or ch in ".,%-/:")


# ------------------------------------------------------------------ what is printed


@dataclass(frozen=True)
class _Doc:
    title: str
    addressee: str
    body: str
    attachments: tuple[str, ...]
    signatory: str
    copy_to: str
    printing_office: str
    number: str | None  # None on drafts
    day: date | None
    status: NoticeStatus


def _doc(notice: Any) -> _Doc:
    get: Callable[[str], Any] = (notice.get if isinstance(notice, Mapping)
                                 else lambda name: getattr(notice, name, None))
    status = NoticeStatus(get("status") or NoticeStatus.DRAFT)
    day = get("issue_date") or get("document_date")
    return _Doc(
        title=get("title") or "", addressee=get("addressee") or "", body=get("body") or "",
        attachments=tuple(get("attachments") or ()), signatory=get("signatory") or "",
        copy_to=(get("copy_to") or "").strip().rstrip("。"), printing_office=get("printing_office") or "",
        number=None if status is NoticeStatus.DRAFT else get("document_number"), day=day, status=status,
    )


def _role(level: Level) -> FontRole:
    return {Level.HEADING_1: FontRole.HEI, Level.HEADING_2: FontRole.KAI}.get(level, FontRole.FANGSONG)


def unprintable_fields(notice: Any, *, office_mark: str | None = None,
                       document_number: str | None = None) -> dict[str, str]:
    """{field: message} for every field holding a character its printing font lacks (the number's
    problems are reported at "prefix").  The service calls this before issuing, since an issued
    text can no longer be changed."""
    d = _doc(notice)
    body_font, title_font = font(FontRole.FANGSONG), font(FontRole.TITLE)
    checks: list[tuple[str, str, PrintFont]] = [
        ("title", d.title, title_font), ("addressee", d.addressee, body_font),
        ("signatory", d.signatory, body_font), ("copy_to", d.copy_to, body_font),
        ("printing_office", d.printing_office, body_font),
        ("signatory", office_mark if office_mark is not None else d.signatory + "文件", title_font),
    ]
    checks += [("attachments", a, body_font) for a in d.attachments]
    if document_number:
        checks.append(("prefix", document_number, body_font))
    for block in body_blocks(d.body):
        checks += [("body", block.head, font(_role(block.level))), ("body", block.tail, body_font)]
    problems: dict[str, str] = {}
    for name, text, f in checks:
        try:
            f.check(text)
        except MissingGlyph as e:
            problems.setdefault(name, e.message)
    return problems


# ------------------------------------------------------------------ glyphs and lines


@dataclass(frozen=True)
class _Glyph:
    char: str
    font: PrintFont
    width: float


def _glyphs(runs: list[tuple[str, PrintFont]], size: float) -> list[_Glyph]:
    out = []
    for text, f in runs:
        f.check(text)
        out += [_Glyph(ch, f, pdfmetrics.stringWidth(ch, f.name, size)) for ch in text]
    return out


def _width(glyphs: list[_Glyph], cs: float) -> float:
    return sum(g.width for g in glyphs) + cs * max(len(glyphs) - 1, 0)


def _break(glyphs: list[_Glyph], avail: Callable[[int], float], cs: float) -> list[list[_Glyph]]:
    """Greedy line breaking with the 禁则 rules; `avail(i)` is the width of line i."""
    lines: list[list[_Glyph]] = []
    i, n = 0, len(glyphs)
    while i < n:
        limit = avail(len(lines)) + 1e-6
        j, w = i, 0.0
        while j < n:
            add = glyphs[j].width + (cs if j > i else 0.0)
            if w + add > limit:
                break
            w += add
            j += 1
        j = max(j, i + 1)  # a glyph wider than the line still goes somewhere
        if j >= n:
            lines.append(glyphs[i:])
            break
        b = j
        while b > i + 1 and (glyphs[b].char in NO_START or glyphs[b - 1].char in NO_END
                             or (_word_char(glyphs[b - 1].char) and _word_char(glyphs[b].char))):
            b -= 1
        if b == i + 1 and j > i + 1:  # nowhere to break by the rules: break where it is full
            b = j
        lines.append(glyphs[i:b])
        i = b
    return lines


def _justify(glyphs: list[_Glyph], avail: float, cs: float) -> float:
    """The character spacing that makes `glyphs` fill `avail`, unless that would spread it thin."""
    if len(glyphs) < 2:
        return cs
    spread = (avail - sum(g.width for g in glyphs)) / (len(glyphs) - 1)
    return spread if spread - cs <= 8.0 else cs


@dataclass
class _Segment:
    x: float  # from the left edge of the text area
    glyphs: list[_Glyph]
    cs: float
    size: float = BODY_SIZE
    color: tuple[float, float, float] = BLACK


@dataclass
class _Line:
    """One line of the body's flow: one grid line."""

    segments: list[_Segment] = field(default_factory=list)
    keep_with_next: bool = False

    @property
    def blank(self) -> bool:
        return not self.segments


def _flow(glyphs: list[_Glyph], *, first_x: float, x: float, right: float = AREA_W, justify: bool = True,
          keep: bool = False) -> list[_Line]:
    """A paragraph broken into grid lines: the first starts at `first_x`, the others at `x`."""
    def avail(k: int) -> float:
        return right - (first_x if k == 0 else x)

    broken = _break(glyphs, avail, BODY_CS)
    lines = []
    for k, part in enumerate(broken):
        last = k == len(broken) - 1
        cs = BODY_CS if last or not justify else _justify(part, avail(k), BODY_CS)
        lines.append(_Line([_Segment(first_x if k == 0 else x, part, cs)], keep_with_next=keep))
    return lines


# ------------------------------------------------------------------ drawing


def _baseline(top: float, f: PrintFont, size: float) -> float:
    """The baseline (from the page top) that puts the em box's top at `top`."""
    descent = pdfmetrics.getFont(f.name).face.descent / 1000.0
    return top + size * (1.0 + descent)


def _draw_glyphs(c: Canvas, x: float, baseline: float, glyphs: list[_Glyph], size: float, cs: float,
                 color: tuple[float, float, float] = BLACK, hscale: float = 100.0) -> None:
    """`x` from the page's left edge, `baseline` from its top."""
    if not glyphs:
        return
    t = c.beginText()
    t.setTextOrigin(x, PAGE_H - baseline)
    t.setFillColorRGB(*color)
    # Character spacing and horizontal scale belong to the graphics state and outlive the text
    # object: set both every time, or the mark's condensing would squeeze the text after it.
    t.setCharSpace(cs)
    t.setHorizScale(hscale)
    scale = hscale / 100.0
    for f, group in groupby(glyphs, key=lambda g: g.font):
        run = list(group)
        text = f.check("".join(g.char for g in run))
        t.setFont(f.name, size)
        # ReportLab writes one string per 256-glyph subset of the font.  Each string starts at its
        # own computed position: readers disagree about the character spacing after a string's
        # last glyph (pdfminer, hence pdfplumber, leaves it out), and then agree on every position.
        k = 0
        for _subset, chunk in pdfmetrics.getFont(f.name).splitString(text, c._doc):
            piece = run[k:k + len(chunk)]
            t.setTextOrigin(x, PAGE_H - baseline)
            t.textOut("".join(g.char for g in piece))
            x += (sum(g.width for g in piece) + cs * len(piece)) * scale
            k += len(chunk)
    c.drawText(t)


def _draw_text(c: Canvas, text: str, role: FontRole, size: float, x: float, top: float, *, cs: float = 0.0,
               color: tuple[float, float, float] = BLACK, hscale: float = 100.0) -> float:
    """Draw one string with its em box's top-left at (`x`, `top`) from the page's top-left; its width."""
    f = font(role)
    glyphs = _glyphs([(text, f)], size)
    _draw_glyphs(c, x, _baseline(top, f, size), glyphs, size, cs, color, hscale)
    return _width(glyphs, cs) * hscale / 100.0


def _text_width(text: str, role: FontRole, size: float, cs: float = 0.0) -> float:
    f = font(role)
    return _width(_glyphs([(text, f)], size), cs)


def _draw_line(c: Canvas, line: _Line, top: float) -> None:
    body = font(FontRole.FANGSONG)
    for seg in line.segments:
        _draw_glyphs(c, LEFT + seg.x, _baseline(top, body, seg.size), seg.glyphs, seg.size, seg.cs, seg.color)


def _rule(c: Canvas, y: float, width: float, color: tuple[float, float, float] = BLACK) -> None:
    """A rule across the text area, centred on `y` (from the page top)."""
    c.saveState()
    c.setStrokeColorRGB(*color)
    c.setLineWidth(width)
    c.setLineCap(0)
    c.line(LEFT, PAGE_H - y, LEFT + AREA_W, PAGE_H - y)
    c.restoreState()


def _watermark(c: Canvas, text: str) -> None:
    f = font(FontRole.TITLE)
    f.check(text)
    size = 120.0
    c.saveState()
    c.setFillColorRGB(*WATERMARK_GREY)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(45)
    c.setFont(f.name, size)
    c.drawCentredString(0, -size * 0.35, text)
    c.restoreState()


# ------------------------------------------------------------------ the head of page 1


@functools.lru_cache(maxsize=64)
def ink_top(font_name: str, text: str) -> float:
    """How far the glyphs of `text` reach above the baseline, in em: the highest `yMax` of their
    TrueType outlines.  Fonts declare ascents that differ from their ideographs' real height (WenQuanYi
    Micro Hei declares 0.765 em; its ideographs reach 0.82 em), so the mark is placed by its ink."""
    face = pdfmetrics.getFont(font_name).face
    try:
        glyf, _length = face.get_table_pos("glyf")
        data = face._ttf_data
        tops = []
        for ch in set(text):
            gid = face.charToGlyph.get(ord(ch))
            if gid is None or face.glyphPos[gid] == face.glyphPos[gid + 1]:
                continue  # no outline (a space)
            # glyph header: numberOfContours, xMin, yMin, xMax, yMax (int16 each)
            tops.append(struct.unpack_from(">h", data, glyf + face.glyphPos[gid] + 8)[0])
        if tops:
            return max(tops) / face.unitsPerEm
    except (KeyError, IndexError, AttributeError, struct.error):  # pragma: no cover - an odd font file
        pass
    return face.ascent / 1000.0


def _mark_size(mark: str) -> tuple[float, float]:
    """(em size, horizontal scale in %) of the issuing-office mark."""
    f = font(FontRole.TITLE)
    size = MARK_HEIGHT
    natural = pdfmetrics.stringWidth(f.check(mark), f.name, size)
    scale = min(1.0, MARK_MAX_WIDTH / natural) if natural else 1.0
    if scale < MARK_MIN_SCALE:
        size *= scale / MARK_MIN_SCALE
        scale = MARK_MIN_SCALE
    return size, scale * 100.0


def _title_lines(title: str) -> list[list[_Glyph]]:
    """The title in balanced lines: as many as needed, of nearly equal length, the upper ones not
    shorter (a trapezoid, as GB/T 9704 asks)."""
    glyphs = _glyphs([(title, font(FontRole.TITLE))], TITLE_SIZE)
    total = _width(glyphs, 0.0)
    count = max(1, math.ceil(total / TITLE_MAX_WIDTH - 1e-9))
    while True:
        target = min(TITLE_MAX_WIDTH, total / count + TITLE_SIZE * 0.99)
        lines = _break(glyphs, lambda _k: target, 0.0)
        if len(lines) <= count or target >= TITLE_MAX_WIDTH:
            return lines
        count += 1


def _draw_head(c: Canvas, d: _Doc, mark: str) -> float:
    """The mark, number, red rule and title; returns the bottom of the title's em box."""
    size, hscale = _mark_size(mark)
    width = _text_width(mark, FontRole.TITLE, size) * hscale / 100.0
    # The mark's ink, not its em box, starts 35 mm below the top of the text area: that is what a
    # ruler on the paper measures, whichever font the PC has.
    title_font = font(FontRole.TITLE)
    baseline = MARK_TOP + ink_top(title_font.name, mark) * size
    glyphs = _glyphs([(mark, title_font)], size)
    _draw_glyphs(c, LEFT + (AREA_W - width) / 2, baseline, glyphs, size, 0.0, RED, hscale)
    mark_bottom = baseline - size * pdfmetrics.getFont(title_font.name).face.descent / 1000.0
    number_top = mark_bottom + 2 * PITCH
    if d.number:
        w = _text_width(d.number, FontRole.FANGSONG, BODY_SIZE)
        _draw_text(c, d.number, FontRole.FANGSONG, BODY_SIZE, LEFT + (AREA_W - w) / 2, number_top)
    rule_y = number_top + BODY_SIZE + RULE_GAP
    _rule(c, rule_y, RED_RULE_WIDTH, RED)
    title_top = rule_y + 2 * PITCH
    lines = _title_lines(d.title)
    for k, glyphs in enumerate(lines):
        top = title_top + k * TITLE_PITCH
        w = _width(glyphs, 0.0)
        _draw_glyphs(c, LEFT + (AREA_W - w) / 2, _baseline(top, title_font, TITLE_SIZE), glyphs, TITLE_SIZE, 0.0)
    return title_top + (len(lines) - 1) * TITLE_PITCH + TITLE_SIZE


# ------------------------------------------------------------------ the body's flow


def _body_lines(d: _Doc) -> list[_Line]:
    body_font = font(FontRole.FANGSONG)
    lines: list[_Line] = []
    if d.addressee:
        lines += _flow(_glyphs([(d.addressee, body_font)], BODY_SIZE), first_x=0.0, x=0.0, justify=False)
    for block in body_blocks(d.body):
        runs = [(block.head, font(_role(block.level))), (block.tail, body_font)]
        standalone = block.level in (Level.HEADING_1, Level.HEADING_2) and not block.tail
        lines += _flow(_glyphs([r for r in runs if r[0]], BODY_SIZE), first_x=2 * CHAR, x=0.0, keep=standalone)
    text_lines = len(lines)
    if d.attachments:
        lines.append(_Line(keep_with_next=True))
        label = _glyphs([("附件：", body_font)], BODY_SIZE)
        name_x = 2 * CHAR + _width(label, BODY_CS) + BODY_CS
        for k, name in enumerate(d.attachments):
            numbered = name if len(d.attachments) == 1 else f"{k + 1}. {name}"
            glyphs = _glyphs([(numbered, body_font)], BODY_SIZE)
            hang = name_x
            if len(d.attachments) > 1:  # wrapped lines align with the name, after "1. "
                hang += _width(_glyphs([(f"{k + 1}. ", body_font)], BODY_SIZE), BODY_CS) + BODY_CS
            part = _flow(glyphs, first_x=name_x, x=hang, justify=False, keep=True)
            if k == 0:
                part[0].segments.insert(0, _Segment(2 * CHAR, label, BODY_CS))
            lines += part
    if text_lines:
        lines[text_lines - 1].keep_with_next = True  # the signature never stands alone on a page
    lines += _signature(d)
    return lines


def _signature(d: _Doc) -> list[_Line]:
    """Unsealed: office two characters from the right; the date below, two characters further in."""
    body_font = font(FontRole.FANGSONG)
    name = _glyphs([(d.signatory, body_font)], BODY_SIZE) if d.signatory else []
    day = _glyphs([(chinese_date(d.day), body_font)], BODY_SIZE) if d.day else []
    right = AREA_W - 2 * CHAR
    name_x = right - _width(name, BODY_CS)
    date_x = name_x + 2 * CHAR
    if date_x + _width(day, BODY_CS) > right:
        date_x = right - _width(day, BODY_CS)
        name_x = min(name_x, date_x - 2 * CHAR)
    out = [_Line(keep_with_next=True)]
    if name:
        out.append(_Line([_Segment(name_x, name, BODY_CS)], keep_with_next=bool(day)))
    if day:
        out.append(_Line([_Segment(date_x, day, BODY_CS)]))
    return out


def _paginate(lines: list[_Line], first_row: int) -> tuple[list[list[tuple[int, _Line]]], int]:
    """Lines onto grid rows, page by page, honouring `keep_with_next`; blank lines never open a page.
    Returns the pages and the first free row of the last one."""
    pages: list[list[tuple[int, _Line]]] = [[]]
    start, row = first_row, first_row
    i = 0
    while i < len(lines):
        line = lines[i]
        if row >= LINES:
            pages.append([])
            start = row = 0
            continue
        if line.blank and row == start:
            i += 1
            continue
        if i == 0 or not lines[i - 1].keep_with_next:
            j = i
            while j < len(lines) - 1 and lines[j].keep_with_next:
                j += 1
            chain = j - i + 1
            if row + chain > LINES and row > start and chain <= LINES:
                pages.append([])
                start = row = 0
                continue
        if not line.blank:
            pages[-1].append((row, line))
        row += 1
        i += 1
    return pages, row


# ------------------------------------------------------------------ closing block and page numbers


def _closing_rows(d: _Doc) -> tuple[list[list[_Glyph]], float]:
    """The copy-to lines and the whole block's height."""
    if not d.copy_to and not d.printing_office:
        return [], 0.0
    copy_lines: list[list[_Glyph]] = []
    if d.copy_to:
        f = font(FontRole.FANGSONG)
        label = _glyphs([("抄送：", f)], SMALL_SIZE)
        names = _glyphs([(d.copy_to + "。", f)], SMALL_SIZE)
        room = AREA_W - 2 * SMALL_SIZE - _width(label, 0.0)
        copy_lines = _break(names, lambda _k: room, 0.0)
    height = CLOSING_ROW
    if copy_lines:
        height += CLOSING_ROW + (len(copy_lines) - 1) * CLOSING_WRAP_PITCH
    return copy_lines, height


def _draw_closing(c: Canvas, d: _Doc, copy_lines: list[list[_Glyph]], height: float) -> None:
    top = BOTTOM - height
    _rule(c, top, THICK_RULE)
    f = font(FontRole.FANGSONG)
    y = top
    if copy_lines:
        block = CLOSING_ROW + (len(copy_lines) - 1) * CLOSING_WRAP_PITCH
        first = y + (CLOSING_ROW - SMALL_SIZE) / 2
        label_w = _draw_text(c, "抄送：", FontRole.FANGSONG, SMALL_SIZE, LEFT + SMALL_SIZE, first)
        for k, glyphs in enumerate(copy_lines):
            line_top = first + k * CLOSING_WRAP_PITCH
            _draw_glyphs(c, LEFT + SMALL_SIZE + label_w, _baseline(line_top, f, SMALL_SIZE), glyphs, SMALL_SIZE, 0.0)
        y += block
        _rule(c, y, THIN_RULE)
    row_top = y + (CLOSING_ROW - SMALL_SIZE) / 2
    if d.printing_office:
        _draw_text(c, d.printing_office, FontRole.FANGSONG, SMALL_SIZE, LEFT + SMALL_SIZE, row_top)
    if d.day:
        printed = chinese_date(d.day) + "印发"
        w = _text_width(printed, FontRole.FANGSONG, SMALL_SIZE)
        _draw_text(c, printed, FontRole.FANGSONG, SMALL_SIZE, LEFT + AREA_W - SMALL_SIZE - w, row_top)
    _rule(c, BOTTOM, THICK_RULE)


def _draw_page_number(c: Canvas, number: int) -> None:
    text = f"— {number} —"
    top = BOTTOM + PAGE_NUMBER_GAP
    if number % 2:
        x = LEFT + AREA_W - SMALL_SIZE - _text_width(text, FontRole.SONG, SMALL_SIZE)
    else:
        x = LEFT + SMALL_SIZE
    _draw_text(c, text, FontRole.SONG, SMALL_SIZE, x, top)


# ------------------------------------------------------------------ the document


def render_notice(notice: Any, *, office_mark: str, out: str | os.PathLike[str] | BinaryIO | None = None) -> bytes:
    """The notice as PDF bytes (also written to `out`, a path or a binary file, when given).

    `notice` is a `civaffairs.notices.data.NoticeData` or a mapping with the same keys; drafts
    print without a number and with a "草稿" watermark.  `office_mark` is the issuing-office mark,
    e.g. "天水市麦积区民政局文件" (`civaffairs.notices.service.office_mark`).
    Raises MissingGlyph when a character cannot be printed."""
    d = _doc(notice)
    buffer = io.BytesIO()
    # The initial font is one that is embedded anyway (the default, Helvetica, would not be).
    c = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font(FontRole.FANGSONG).name,
               initialFontSize=BODY_SIZE)
    c.setTitle(d.title)
    c.setAuthor(d.signatory)
    c.setSubject(d.number or "草稿")
    c.setCreator("civaffairs")
    watermark = {NoticeStatus.DRAFT: "草稿", NoticeStatus.CANCELLED: "作废"}.get(d.status)

    body = _body_lines(d)
    copy_lines, closing_height = _closing_rows(d)

    def begin_page() -> None:
        if watermark:
            _watermark(c, watermark)

    # Lay out first (the head fixes where the body starts), then draw page by page.
    begin_page()
    title_bottom = _draw_head(c, d, office_mark)
    first_row = max(0, math.ceil((title_bottom + PITCH - TOP) / PITCH - 1e-6))
    pages, free_row = _paginate(body, first_row)
    numbered = len(pages)  # the pages of text; only these carry a page number
    if closing_height:
        fits = TOP + (free_row + 1) * PITCH <= BOTTOM - closing_height  # with an empty line above it
        if not (fits and len(pages) % 2 == 0):
            if len(pages) % 2 == 0:
                pages.append([])  # a blank odd page, so that the closing block falls on an even one
            pages.append([])  # the closing block's own page, the back of the last sheet
    for number, page in enumerate(pages, start=1):
        if number > 1:
            c.showPage()
            begin_page()
        for row, line in page:
            _draw_line(c, line, TOP + row * PITCH)
        if number == len(pages) and closing_height:
            _draw_closing(c, d, copy_lines, closing_height)
        if number <= numbered:
            _draw_page_number(c, number)
    c.save()
    data = buffer.getvalue()
    if out is not None:
        if isinstance(out, (str, os.PathLike)):
            with open(out, "wb") as f:
                f.write(data)
        else:
            out.write(data)
    return data
