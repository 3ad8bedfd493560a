"""Register printouts read back from the PDF: A4 in the right orientation, every font embedded,
the filter and the page count on the paper, the header row on every page, masking as on screen,
Chinese text in reading order, and a missing glyph refused by name."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate

from civaffairs.accounts.roles import Actor, Role
from civaffairs.core import i18n
from civaffairs.core.i18n import _
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.printing.fonts import FontRole, MissingGlyph, font
from civaffairs.printing.pages import numbered_canvas
from civaffairs.printing.table_report import (
    ReportColumn, describe_query, register_columns, render_register, render_table_report,
)
from civaffairs.records import service as records
from civaffairs.records.display import cell_text
from civaffairs.records.service import ListQuery
from tests.helpers import bulk_check_ins, bulk_staff, visitor_values

ROOT = Path(__file__).resolve().parents[1]
OFFICE = "麦积区民政局"
PRINTED_AT = datetime(2021, 10, 26, 9, 5, tzinfo=timezone.utc)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞"]
OCTOBER = [date(2021, 10, d) for d in range(1, 32)]
FILTER = ListQuery(date_from=date(2021, 10, 1), date_to=date(2021, 10, 25), colours=("green", "yellow"))


def pdf_text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def flat(text: str) -> str:
    """Text without the spaces and line breaks that wrapping and extraction put in."""
    return re.sub(r"\s+", "", text)


def footer(n: int, total: int) -> str:
    return _("Page {n} of {total}").format(n=n, total=total)


# ------------------------------------------------------------------ a month of check-ins


@dataclass
class Month:
    db: Database
    names: list[str]


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Month]:
    """40 staff × 31 days of check-ins (1,240); 1,000 of them fall on 1–25 October.  Shared by the
    module's tests, which only read it."""
    db = open_database(tmp_path_factory.mktemp("month"))
    names = [f"{SURNAMES[i % 20]}{GIVEN[(i * 7) % 20]}" + ("" if i < 20 else "二") for i in range(40)]
    with db.write() as s:
        ids = bulk_staff(s, names)
        bulk_check_ins(s, ids, OCTOBER)
    yield Month(db, names)
    db.dispose()


def render(db: Database, actor: Actor, spec: Any, query: ListQuery, **kw: Any) -> bytes:
    with db.read() as s:
        return render_register(s, actor, spec, query, office_name=OFFICE, printed_by=actor.display_name,
                               printed_at=PRINTED_AT, **kw)


@pytest.fixture(scope="module")
def month_report(month: Month) -> tuple[bytes, list[str], int]:
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR)
    i18n.set_language("zh_CN")
    pdf = render(month.db, admin, bo.CHECK_INS, FILTER)
    with month.db.read() as s:
        count = records.count(s, admin, bo.CHECK_INS, FILTER)
    return pdf, pdf_text(pdf), count


def test_the_filter_and_the_page_count_are_on_the_paper(month_report: tuple[bytes, list[str], int]) -> None:
    pdf, pages, count = month_report
    assert count == 998  # 1,000 days of check-ins in the range, two of them red
    total = len(PdfReader(io.BytesIO(pdf)).pages)
    assert total > 20
    first = flat(pages[0])
    assert flat(describe_query(bo.CHECK_INS, FILTER)) in first
    filter_line = next(line for line in pages[0].splitlines() if "2021年10月1日" in line)  # dates on paper
    assert "2021年10月25日" in filter_line and "2021-10" not in filter_line
    colour = bo.CHECK_INS.field("health_code")
    for code in ("green", "yellow"):
        assert colour.choice_title(code) in pages[0]
    assert flat(_("{n} records").format(n=f"{count:,}")) in first
    local = PRINTED_AT.astimezone()
    printed = _("Printed on {date} by {name}").format(
        date=f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}", name="管理员")
    for n, text in enumerate(pages, start=1):
        assert flat(footer(n, total)) in flat(text), n
        last = text.splitlines()[-1]  # the footer line; the numbers themselves, whatever the language
        assert re.search(rf"(?<!\d){n}\D+{total}(?!\d)\D*$", last), last
        assert flat(printed) in flat(last)


def test_header_row_on_every_page_and_every_row_printed(month_report: tuple[bytes, list[str], int]) -> None:
    pdf, _pages, count = month_report
    titles = [_("No.")] + [c.title for c in register_columns(bo.CHECK_INS)]
    numbers = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            table = page.extract_table()
            assert table, page.page_number
            assert [flat(c or "") for c in table[0]] == [flat(t) for t in titles], page.page_number
            numbers += [int(r[0]) for r in table[1:]]
    assert numbers == list(range(1, count + 1))


def test_rows_in_screen_order_and_reading_order(month: Month, admin: Actor,
                                                month_report: tuple[bytes, list[str], int]) -> None:
    """Lines come out left to right, top to bottom, in the order of the list on screen."""
    _pdf, pages, _count = month_report
    with month.db.read() as s:
        screen = records.fetch(s, admin, bo.CHECK_INS, FILTER, 0, 60)
    fields = bo.CHECK_INS.list_fields
    expected = [" ".join(t for t in (cell_text(f, r) for f in fields[:3]) if t) for r in screen]
    printed = [m.group(1) for text in pages[:2] for m in re.finditer(r"^\d+ (.+?\d\d\.\d(?: \d\d\.\d)?)",
                                                                         text, re.M)]
    assert printed[:len(expected)] == expected[:len(printed)]
    assert len(printed) >= 50
    office, title = pages[0].splitlines()[:2]
    assert office.strip() == OFFICE and flat(title) == flat(bo.CHECK_INS.name)


def test_sensitive_columns_are_masked_for_a_viewer(month: Month, viewer: Actor, admin: Actor) -> None:
    query = ListQuery(date_from=date(2021, 10, 1), date_to=date(2021, 10, 1))  # a viewer may not filter by colour
    seen = pdf_text(render(month.db, viewer, bo.CHECK_INS, query))
    rows = [line for line in "\n".join(seen).splitlines() if re.match(r"^\d+ \S+ 2021-10-01", line)]
    assert len(rows) == 40
    assert all("***" in line and not re.search(r"3\d\.\d", line) for line in rows)
    full = pdf_text(render(month.db, admin, bo.CHECK_INS, query))
    rows = [line for line in "\n".join(full).splitlines() if re.match(r"^\d+ \S+ 2021-10-01", line)]
    assert len(rows) == 40
    assert all("***" not in line and re.search(r"3\d\.\d", line) for line in rows)


def test_staff_phone_and_id_masked_for_a_viewer(month: Month, viewer: Actor, admin: Actor) -> None:
    with month.db.read() as s:
        staff = records.fetch(s, admin, bo.STAFF, ListQuery(), 0, 5)
    phone, number = staff[0].values["phone"], staff[0].values["id_number"]
    seen = "\n".join(pdf_text(render(month.db, viewer, bo.STAFF, ListQuery())))
    assert phone not in seen and number not in seen
    assert f"{phone[:3]}****{phone[-4:]}" in seen
    full = "\n".join(pdf_text(render(month.db, admin, bo.STAFF, ListQuery())))
    assert phone in full and number in full


def test_fonts_are_embedded_and_the_page_is_a4(month_report: tuple[bytes, list[str], int], tmp_path: Path) -> None:
    pdf, _pages, _count = month_report
    reader = PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)
        for ref in page["/Resources"]["/Font"].values():
            f = ref.get_object()
            names.add(f["/BaseFont"])
            descriptor = f["/DescendantFonts"][0].get_object()["/FontDescriptor"] if f["/Subtype"] == "/Type0" \
                else f["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object(), f["/BaseFont"]
    assert names
    if shutil.which("pdffonts"):
        path = tmp_path / "report.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        lines = out.splitlines()[2:]
        assert lines and all(line.split()[-5] == "yes" for line in lines), out


def test_many_columns_go_landscape(sqlite_db: Database, admin: Actor) -> None:
    with sqlite_db.write() as s:
        for _i in range(3):
            records.create(s, admin, bo.VISITORS, visitor_values())
    pdf = render(sqlite_db, admin, bo.VISITORS, ListQuery())
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((A4[1], A4[0]), abs=0.5)
    staff = render(sqlite_db, admin, bo.STAFF, ListQuery())
    box = PdfReader(io.BytesIO(staff)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)


def _within_paper(pdf: bytes) -> None:
    """No character outside the printable area (15 mm margins) or over another cell's rule."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            assert page.chars
            assert min(c["x0"] for c in page.chars) >= 15 * 72 / 25.4 - 1
            assert max(c["x1"] for c in page.chars) <= page.width - 15 * 72 / 25.4 + 1
            assert min(c["top"] for c in page.chars) >= 5
            assert max(c["bottom"] for c in page.chars) <= page.height - 5


def test_too_wide_for_landscape_shrinks_then_wraps() -> None:
    columns = [ReportColumn(f"列{i}", 12) for i in range(24)]
    rows = [[f"第{r}行第{i}列的内容比较长需要换行" for i in range(24)] for r in range(30)]
    pdf = render_table_report(office_name=OFFICE, title="宽表", filter_text="—", columns=columns, rows=rows,
                              printed_by="张三", printed_at=PRINTED_AT)
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    _within_paper(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:  # cells wrap: read them as a table
        cells = [[flat(c or "") for c in row] for page in doc.pages for row in (page.extract_table() or [])[1:]]
        assert cells == [[str(r + 1)] + [f"第{r}行第{i}列的内容比较长需要换行" for i in range(24)] for r in range(30)]
        sizes = {round(c["size"], 2) for c in doc.pages[0].chars if c["text"] == "行"}
    assert sizes == {7.5}


def _column_edges(pdf: bytes) -> list[float]:
    """The x of the table's vertical rules on page 1, left to right."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        table = page.find_tables()[0]
        return sorted({round(e["x0"], 1) for e in page.edges
                       if e["orientation"] == "v" and e["top"] >= table.bbox[1] - 1})


def test_an_empty_column_gives_its_width_to_the_others() -> None:
    columns = [ReportColumn("姓名", 8), ReportColumn("日期", 10), ReportColumn("体温", 6, align_right=True),
               ReportColumn("备注", 16)]
    filled = [["张伟", "2021-10-01", "36.5", "居家观察"], ["李娜", "2021-10-02", "37.3", ""]]
    empty = [row[:3] + [""] for row in filled]
    report = dict(office_name=OFFICE, title="登记", filter_text="—", columns=columns, printed_by="张三",
                  printed_at=PRINTED_AT)
    with_notes = _column_edges(render_table_report(rows=filled, **report))
    without = _column_edges(render_table_report(rows=empty, **report))
    assert len(with_notes) == len(without) == 6  # the row numbers and four columns
    assert with_notes[0] == without[0] and with_notes[-1] == without[-1]  # the table still spans the text width
    widths = [b - a for a, b in zip(with_notes, with_notes[1:])]
    shrunk = [b - a for a, b in zip(without, without[1:])]
    title_w = pdfmetrics.stringWidth("备注", font(FontRole.SONG).name, 10.5)
    assert widths[4] > 80 and abs(shrunk[4] - (title_w + 2 * 3.0)) <= 0.5  # as wide as its title and padding
    assert shrunk[0] == pytest.approx(widths[0], abs=0.2)  # the row numbers keep theirs
    assert all(b > a + 10 for a, b in zip(widths[1:4], shrunk[1:4]))  # the others get the room
    # all empty: nobody to give the room to, the columns keep their widths
    nothing = [["", "", "", ""]]
    assert _column_edges(render_table_report(rows=nothing, **report)) == with_notes


def test_long_cells_wrap_and_nothing_is_cut_off() -> None:
    note = "已居家隔离观察，社区网格员每日上门测温两次并登记。" * 3
    huge = "长" * 2500 + "完"  # taller than a page: continued on the next
    rows = [["张伟", "2021-10-01", "36.5", note], ["李娜", "2021-10-02", "37.3", huge], ["王芳", "2021-10-03", "36.6", ""]]
    columns = [ReportColumn("姓名", 8), ReportColumn("日期", 10), ReportColumn("体温", 6, align_right=True),
               ReportColumn("备注", 16)]
    pdf = render_table_report(office_name=OFFICE, title="登记", filter_text="—", columns=columns, rows=rows,
                              printed_by="张三", printed_at=PRINTED_AT)
    _within_paper(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) >= 3
        rows_read = [[flat(c or "") for c in row] for page in doc.pages for row in page.extract_table()[1:]]
    assert "".join(r[4] for r in rows_read) == note + huge  # in order, nothing lost
    assert [r[:4] for r in rows_read if r[0]] == [["1", "张伟", "2021-10-01", "36.5"], ["2", "李娜", "2021-10-02", "37.3"],
                                                  ["3", "王芳", "2021-10-03", "36.6"]]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:  # the temperature is flush right in its column
        page = doc.pages[0]
        table = page.find_tables()[0]
        rule_x = sorted({round(x) for x in (e["x0"] for e in page.edges if e["orientation"] == "v")})
        digits = [c for c in page.chars if c["text"] == "5" and c["top"] > table.bbox[1]]
        right_edge = max(c["x1"] for c in digits)
        assert any(0 < x - right_edge < 6 for x in rule_x)


@pytest.mark.parametrize("char", ["😀", "𠀀", "\U0002a6d6"])
def test_a_missing_glyph_is_named(char: str) -> None:
    assert not font(FontRole.SONG).covers(char)
    rows = [["张伟", "正常"], ["李娜", f"备注{char}"]]
    with pytest.raises(MissingGlyph) as err:
        render_table_report(office_name=OFFICE, title="登记", filter_text="—",
                            columns=[ReportColumn("姓名", 8), ReportColumn("备注", 10)], rows=rows,
                            printed_by="张三", printed_at=PRINTED_AT)
    assert char in str(err.value) and f"U+{ord(char):04X}" in str(err.value)
    with pytest.raises(MissingGlyph):
        render_table_report(office_name=OFFICE, title=f"登记{char}", filter_text="—",
                            columns=[ReportColumn("姓名", 8)], rows=[], printed_by="张三", printed_at=PRINTED_AT)


def test_a_missing_glyph_in_the_database_is_named(sqlite_db: Database, admin: Actor) -> None:
    with sqlite_db.write() as s:
        bulk_staff(s, ["张伟", "王𠀀"])
    with pytest.raises(MissingGlyph) as err:
        render(sqlite_db, admin, bo.STAFF, ListQuery())
    assert "𠀀" in str(err.value)


# ------------------------------------------------------------------ progress and cancelling


def test_progress_reaches_the_end_and_can_cancel(month: Month, admin: Actor) -> None:
    calls: list[tuple[int, int]] = []
    render(month.db, admin, bo.CHECK_INS, FILTER, progress=lambda d, t: calls.append((d, t)))
    assert len(calls) > 10
    assert calls[-1][0] == calls[-1][1] > 0
    assert all(d <= t for d, t in calls if t)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        if done > 300:
            raise Cancelled

    out = io.BytesIO()
    with pytest.raises(Cancelled):
        with month.db.read() as s:
            render_register(s, admin, bo.CHECK_INS, FILTER, office_name=OFFICE, printed_by="x",
                            printed_at=PRINTED_AT, progress=cancel, out=out)
    assert out.getvalue() == b""


def test_out_receives_the_pdf() -> None:
    out = io.BytesIO()
    pdf = render_table_report(office_name=OFFICE, title="登记", filter_text="—", columns=[ReportColumn("姓名", 8)],
                              rows=iter([["张伟"]]), printed_by="张三", printed_at=PRINTED_AT, out=out)
    assert out.getvalue() == pdf and pdf.startswith(b"%PDF")
    assert "张伟" in pdf_text(pdf)[0]


# ------------------------------------------------------------------ the filter in words


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("zh_CN")


def test_describe_query_in_words(english: None) -> None:
    spec = bo.CHECK_INS
    q = ListQuery(search=" 张 ", date_from=date(2021, 10, 1), date_to=date(2021, 10, 31), colours=("red", "yellow"),
                  sort="day", descending=True)
    assert describe_query(spec, q) == \
        "search “张”; Date 2021年10月1日 to 2021年10月31日; Health code: Yellow, Red; sorted by Date, descending"
    assert describe_query(spec, ListQuery()) == "all records; sorted by Date, descending"  # the register's own order
    assert describe_query(bo.STAFF, ListQuery(sort="department")) == "all records; sorted by Department, ascending"
    assert describe_query(spec, ListQuery(date_from=date(2021, 10, 1))) == \
        "Date from 2021年10月1日; sorted by Date, descending"
    assert describe_query(spec, ListQuery(date_to=date(2021, 10, 1), deleted=True)) == \
        "recycle bin; Date up to 2021年10月1日; sorted by Date, descending"
    assert describe_query(bo.DISINFECTION, ListQuery(colours=("red",))) == "all records; sorted by Date, descending"


def test_describe_query_sort_hidden_from_the_actor(english: None, viewer: Actor, admin: Actor) -> None:
    q = ListQuery(sort="health_code")
    assert describe_query(bo.CHECK_INS, q, actor=admin) == "all records; sorted by Health code, ascending"
    assert describe_query(bo.CHECK_INS, q, actor=viewer) == "all records; sorted by Date, descending"


def test_describe_query_names_a_referenced_record(sqlite_db: Database, admin: Actor) -> None:
    with sqlite_db.write() as s:
        staff_id = bulk_staff(s, ["欧阳建国", "李娜"])[0]
        bulk_check_ins(s, [staff_id], OCTOBER[:3])
    pdf = render(sqlite_db, admin, bo.CHECK_INS, ListQuery(equals=(("staff_id", staff_id),)))
    text = pdf_text(pdf)[0]
    assert flat(f"{bo.CHECK_INS.field('staff_id').title}") in flat(text)
    assert text.count("欧阳建国") == 4 and "李娜" not in text  # the filter, then three rows


# ------------------------------------------------------------------ pages


def test_numbered_canvas_knows_the_page_count() -> None:
    seen: list[tuple[int, int]] = []
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4)
    style = getSampleStyleSheet()["Normal"]
    story = [Paragraph("text " * 200, style) for _i in range(12)]
    doc.build(story, canvasmaker=numbered_canvas(lambda c, n, total: seen.append((n, total))))
    total = len(PdfReader(buf).pages)
    assert total > 1
    assert seen == [(n, total) for n in range(1, total + 1)]


def test_printing_modules_do_not_load_qt() -> None:
    code = textwrap.dedent("""
        import sys
        import civaffairs.printing.table_report, civaffairs.printing.amounts, civaffairs.printing.pages
        import civaffairs.records.display
        loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'civaffairs.gui')))
        print(loaded)
        sys.exit(1 if loaded else 0)
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_printed_at_in_local_time() -> None:
    moment = datetime(2021, 10, 25, 23, 30, tzinfo=timezone.utc)
    pdf = render_table_report(office_name=OFFICE, title="登记", filter_text="—", columns=[ReportColumn("姓名", 8)],
                              rows=[], printed_by="张三", printed_at=moment)
    local = moment.astimezone()
    local = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    assert flat(_("Printed on {date} by {name}").format(date=local, name="张三")) in flat(pdf_text(pdf)[0])
    naive = datetime(2021, 10, 25, 8, 0)
    pdf = render_table_report(office_name=OFFICE, title="登记", filter_text="—", columns=[ReportColumn("姓名", 8)],
                              rows=[], printed_by="张三", printed_at=naive)
    assert "2021年10月25日08:00" in flat(pdf_text(pdf)[0])
