"""The supervision teams' papers (Qt-free, ReportLab): the inspection report of a visit (督查报告,
numbered) and a team's summary for a period (督查工作小结).  Fonts are those of
`civaffairs.printing.fonts`; every string is checked against its font before anything is drawn
(`PrintFont.check`), so a character the font lacks is an error naming it, never a blank.  Dates
are written as on paper: 2021年10月25日."""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from civaffairs.core.i18n import _
from civaffairs.printing.dates import chinese_date
from civaffairs.printing.fonts import FontRole, PrintFont, font
from civaffairs.printing.pages import numbered_canvas
from civaffairs.supervision import figures
from civaffairs.supervision.service import InspectionReport, TeamSummary
from civaffairs.supervision.targets import target_kind

MARGIN_X = 22 * mm
MARGIN_Y = 18 * mm
BODY = 12.0  # 小四
TABLE = 10.5  # 五号
RED = colors.Color(0.75, 0.1, 0.1)
SHADE = colors.Color(0.9, 0.9, 0.9)
WIDTH = A4[0] - 2 * MARGIN_X


class _Paper:
    """Styles in the shipped (or Windows) fonts, and paragraphs whose text is checked first."""

    def __init__(self) -> None:
        self.song, self.hei = font(FontRole.SONG), font(FontRole.HEI)
        self.fang, self.title_font = font(FontRole.FANGSONG), font(FontRole.TITLE)
        self.styles = {
            "office": (self.song, ParagraphStyle("office", fontName=self.song.name, fontSize=14, leading=20,
                                                 alignment=TA_CENTER, textColor=RED)),
            "title": (self.title_font, ParagraphStyle("title", fontName=self.title_font.name, fontSize=22, leading=28,
                                                      alignment=TA_CENTER, spaceBefore=2, spaceAfter=2)),
            "number": (self.fang, ParagraphStyle("number", fontName=self.fang.name, fontSize=14, leading=20,
                                                 alignment=TA_CENTER, spaceAfter=10)),
            "heading": (self.hei, ParagraphStyle("heading", fontName=self.hei.name, fontSize=14, leading=20,
                                                 spaceBefore=8, spaceAfter=4)),
            "body": (self.fang, ParagraphStyle("body", fontName=self.fang.name, fontSize=BODY + 2, leading=22,
                                               firstLineIndent=2 * (BODY + 2), wordWrap="CJK")),
            "cell": (self.song, ParagraphStyle("cell", fontName=self.song.name, fontSize=TABLE, leading=TABLE * 1.35,
                                               wordWrap="CJK")),
            "cell_c": (self.song, ParagraphStyle("cell_c", fontName=self.song.name, fontSize=TABLE,
                                                 leading=TABLE * 1.35, alignment=TA_CENTER, wordWrap="CJK")),
            "cell_r": (self.song, ParagraphStyle("cell_r", fontName=self.song.name, fontSize=TABLE,
                                                 leading=TABLE * 1.35, alignment=TA_RIGHT)),
            "head": (self.hei, ParagraphStyle("head", fontName=self.hei.name, fontSize=TABLE, leading=TABLE * 1.35,
                                              alignment=TA_CENTER, wordWrap="CJK")),
            "label": (self.hei, ParagraphStyle("label", fontName=self.hei.name, fontSize=BODY, leading=BODY * 1.5,
                                               alignment=TA_LEFT)),
            "value": (self.fang, ParagraphStyle("value", fontName=self.fang.name, fontSize=BODY + 1,
                                                leading=(BODY + 1) * 1.5, wordWrap="CJK")),
            "sign": (self.fang, ParagraphStyle("sign", fontName=self.fang.name, fontSize=BODY + 2, leading=20)),
            "right": (self.fang, ParagraphStyle("right", fontName=self.fang.name, fontSize=BODY + 2, leading=20,
                                                alignment=TA_RIGHT)),
        }

    def p(self, text: str, style: str, colour: colors.Color | None = None) -> Paragraph:
        f, st = self.styles[style]
        lines = [escape(f.check(line)) for line in text.split("\n")]
        markup = "<br/>".join(lines)
        if colour is not None:
            markup = f'<font color="#{colour.hexval()[2:]}">{markup}</font>'
        return Paragraph(markup, st)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Paragraph]], widths: Sequence[float],
              *, label_column: bool = False) -> Table:
        data = ([[self.p(h, "head") for h in header]] if header else []) + [list(r) for r in rows]
        t = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
        style = [("FONT", (0, 0), (-1, -1), self.song.name, TABLE),  # empty cells too: never Helvetica
                 ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
        if label_column:
            style.append(("BACKGROUND", (0, 0), (0, -1), SHADE))
        t.setStyle(TableStyle(style))
        return t


def _footer(f: PrintFont, title: str):  # type: ignore[no-untyped-def]
    text = f.check(title)

    def draw(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(f.name, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f.check(_("{title} – page {page} of {pages}").format(
            title=text, page=page, pages=pages)))
    return draw


def _build(story: list, title: str, author: str, paper: _Paper) -> bytes:  # type: ignore[type-arg]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_Y,
                            bottomMargin=MARGIN_Y, title=title, author=author, creator="civaffairs",
                            initialFontName=paper.song.name)  # not Helvetica: never embedded
    doc.build(story, canvasmaker=numbered_canvas(_footer(paper.song, title)))
    return buffer.getvalue()


def _signatures(pp: _Paper, labels: Sequence[str]) -> Table:
    """Signature lines side by side, with room to sign under each."""
    width = WIDTH / len(labels)
    t = Table([[pp.p(label, "sign") for label in labels], ["" for _label in labels]],
              colWidths=[width] * len(labels), rowHeights=[None, 20])
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), pp.song.name, TABLE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _date(day: date | None) -> str:
    return chinese_date(day) if day else ""


# ------------------------------------------------------------------ the inspection report


def render_inspection_report(report: InspectionReport) -> bytes:
    """The 督查报告 of one visit: title, number, team and inspectors, date, target, the checklist
    as a table, findings, required corrections with deadlines and responsible persons, signatures."""
    pp = _Paper()
    title = _("Inspection report")
    story: list = []  # type: ignore[type-arg]
    if report.office_name:
        story.append(pp.p(report.office_name, "office"))
    story.append(pp.p(title, "title"))
    story.append(pp.p(report.number or _("(draft: not numbered yet)"), "number"))

    team = report.team + (_("(leader: {name}, {post})").format(name=report.leader, post=report.leader_post)
                          if report.leader_post else _("(leader: {name})").format(name=report.leader))
    target = f"{report.target_kind}：{report.target}" + (f"（{report.target_address}）" if report.target_address else "")
    info = [(_("Supervision team"), team), (_("Inspectors"), report.inspectors),
            (_("Date of inspection"), _date(report.day)), (_("Target"), target)]
    story.append(pp.table((), [[pp.p(k, "label"), pp.p(v, "value")] for k, v in info], (32 * mm, WIDTH - 32 * mm),
                          label_column=True))

    story.append(pp.p(_("1. Checklist"), "heading"))
    rows = [[pp.p(str(i), "cell_c"), pp.p(c.item, "cell"),
             pp.p(c.result or "—", "cell_c", RED if c.failed else None), pp.p(c.note, "cell")]
            for i, c in enumerate(report.checklist, start=1)]
    if rows:
        story.append(pp.table((_("No."), _("Checklist item"), _("Check result"), _("Note")), rows,
                              (12 * mm, 78 * mm, 20 * mm, WIDTH - 110 * mm)))
    else:
        story.append(pp.p(_("No checklist."), "body"))

    story.append(pp.p(_("2. Findings"), "heading"))
    for para in (report.findings.strip() or _("None.")).split("\n"):
        if para.strip():
            story.append(pp.p(para.strip(), "body"))

    story.append(pp.p(_("3. Required corrections"), "heading"))
    if report.corrections:
        story.append(pp.table(
            (_("No."), _("What must be corrected"), _("Correction deadline"), _("Responsible person")),
            [[pp.p(str(i), "cell_c"), pp.p(c.requirement, "cell"), pp.p(_date(c.deadline), "cell_c"),
              pp.p(c.responsible, "cell_c")] for i, c in enumerate(report.corrections, start=1)],
            (12 * mm, WIDTH - 82 * mm, 36 * mm, 34 * mm)))
        story.append(Spacer(1, 4))
        story.append(pp.p(_("The inspected unit corrects each point by its deadline and reports to the supervision "
                            "team, which checks again."), "body"))
    else:
        story.append(pp.p(_("No correction is required."), "body"))

    story.append(Spacer(1, 8))
    story.append(KeepTogether([
        _signatures(pp, (_("Team leader (signature):"), _("Person in charge of the inspected unit (signature):"))),
        pp.p(report.team, "right"),
        pp.p(_date(report.report_date or report.day), "right"),
    ]))
    return _build(story, f"{title} {report.number}".strip(), report.team, pp)


# ------------------------------------------------------------------ a team's summary


def _state(summary: TeamSummary, closed_on: date | None, deadline: date) -> tuple[str, bool]:
    state = figures.correction_state(closed_on, deadline, summary.period.end)
    if state == figures.CLOSED:
        return _("Closed {day}").format(day=_date(closed_on)), False
    if state == figures.OVERDUE:
        return _("Correction overdue"), True
    return _("Not yet corrected"), False


def render_team_summary(summary: TeamSummary) -> bytes:
    """A team's summary for a period: its visits, the checklist items failed, the corrections and
    their state at the period's end."""
    pp = _Paper()
    f = summary.figures
    title = _("{team}: summary of inspections").format(team=summary.team)
    story: list = []  # type: ignore[type-arg]
    if summary.office_name:
        story.append(pp.p(summary.office_name, "office"))
    story.append(pp.p(title, "title"))
    story.append(pp.p(_("{start} to {end}").format(start=_date(summary.period.start), end=_date(summary.period.end)),
                      "number"))
    leader = f"{summary.leader}（{summary.leader_post}）" if summary.leader_post else summary.leader
    story.append(pp.table((), [[pp.p(_("Team leader"), "label"), pp.p(leader, "value")],
                               [pp.p(_("Team members"), "label"), pp.p("、".join(summary.members), "value")]],
                          (32 * mm, WIDTH - 32 * mm), label_column=True))
    by_kind = "，".join(_("{kind} {n}").format(kind=target_kind(k).title, n=n) for k, n in f.visits_by_kind.items())
    story.append(pp.p(_("1. Overview"), "heading"))
    story.append(pp.p(_("In the period the team made {visits} inspection visits ({by_kind}); {failed} checklist items "
                        "were found failing; {opened} corrections were required and {closed} closed; at the end of "
                        "the period {open} corrections were open, {overdue} of them overdue.").format(
        visits=f.visits, by_kind=by_kind or _("no visits"), failed=f.failed_items, opened=f.corrections_opened,
        closed=f.corrections_closed, open=f.corrections_open, overdue=f.corrections_overdue), "body"))

    story.append(pp.p(_("2. Inspection visits"), "heading"))
    if summary.visits:
        story.append(pp.table(
            (_("No."), _("Date"), _("Target"), _("Failed items"), _("Corrections required"), _("Report number")),
            [[pp.p(str(i), "cell_c"), pp.p(_date(v.day), "cell_c"),
              pp.p(f"{target_kind(v.target_kind).title}：{v.target}", "cell"), pp.p(str(v.failed_items), "cell_c"),
              pp.p(str(v.corrections), "cell_c"), pp.p(v.report_number or _("not issued"), "cell_c")]
             for i, v in enumerate(summary.visits, start=1)],
            (12 * mm, 34 * mm, WIDTH - 126 * mm, 20 * mm, 20 * mm, 40 * mm)))
    else:
        story.append(pp.p(_("No inspection visits in this period."), "body"))

    tail: list = []  # type: ignore[type-arg]  # the last section stays on the page of the signature
    story, whole = tail, story
    story.append(pp.p(_("3. Corrections and their state"), "heading"))
    if summary.corrections:
        rows = []
        for i, (v, c) in enumerate(summary.corrections, start=1):
            state, late = _state(summary, c.closed_on, c.deadline)
            rows.append([pp.p(str(i), "cell_c"), pp.p(v.target, "cell"), pp.p(c.requirement, "cell"),
                         pp.p(_date(c.deadline), "cell_c"), pp.p(c.responsible, "cell_c"),
                         pp.p(state, "cell_c", RED if late else None)])
        story.append(pp.table((_("No."), _("Target"), _("What must be corrected"), _("Correction deadline"),
                               _("Responsible person"), _("Correction state")), rows,
                              (12 * mm, 28 * mm, WIDTH - 126 * mm, 32 * mm, 22 * mm, 32 * mm)))
    else:
        story.append(pp.p(_("No corrections were required."), "body"))
    story.append(Spacer(1, 12))
    signature = [_signatures(pp, (_("Team leader (signature):"),)), pp.p(summary.team, "right"),
                 pp.p(_date(summary.period.end), "right")]
    if len(summary.corrections) <= 12:  # a short table goes over with the signature rather than leave it alone
        whole.append(KeepTogether(tail + signature))
    else:
        whole.extend(tail)
        whole.append(KeepTogether(signature))
    return _build(whole, title, summary.team, pp)
