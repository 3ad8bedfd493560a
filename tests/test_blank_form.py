"""Blank forms from a register spec: the register form's columns in its order, tick boxes for
choices and yes/no, header blanks, enough rows to fill the page, the signature line."""
from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from civaffairs.core.i18n import _
from civaffairs.groups.bureau_office.fields import CHECK_INS, VISITORS
from civaffairs.printing.blank_form import ROW_HEIGHT, render_blank_form
from civaffairs.printing.fonts import MissingGlyph

ROOT = Path(__file__).resolve().parents[1]
OFFICE = "天水市麦积区民政局"
MM = 72 / 25.4


def flat(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def header_row(page: object) -> list[str]:
    return [flat(cell) for cell in page.extract_table()[0]]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def sheet() -> bytes:
    return render_blank_form(CHECK_INS, office_name=OFFICE, header_fields=("day",),
                             printed_at=datetime(2021, 10, 25, 0, 30, tzinfo=timezone.utc))


def test_the_check_in_sheet_has_the_form_columns_in_order(sheet: bytes) -> None:
    with pdfplumber.open(io.BytesIO(sheet)) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        header = header_row(page)
        text = page.extract_text()
    columns = [f for f in CHECK_INS.form_fields if f.name != "day"]
    assert [f.name for f in columns] == ["staff_id", "morning_temperature", "afternoon_temperature", "health_code",
                                         "travelled_outside", "notes"]
    assert len(header) == len(columns) + 1 and header[0] == _("No.")
    for cell, f in zip(header[1:], columns):
        assert cell.startswith(flat(f.title)), (cell, f.title)
    assert header[4] == flat(CHECK_INS.field("health_code").title) + "□绿□黄□红"  # the colours to tick
    assert header[5] == flat(CHECK_INS.field("travelled_outside").title) + f"□{_('Yes')}□{_('No')}"
    assert header[1] == flat(CHECK_INS.field("staff_id").title)  # no hint where there is nothing to tick
    lines = text.splitlines()
    assert lines[0] == OFFICE and flat(lines[1]) == flat(CHECK_INS.name)
    assert flat(lines[2]) == flat(_("{field}: {values}").format(field=_("Date"), values="______年____月____日"))
    assert flat(_("Filled in by: {blank}    Checked by: {blank}").format(blank="_" * 12)) in flat(text)
    assert "2021年10月25日" in text  # printed on, as dates are written on paper


def test_the_rows_fill_the_page(sheet: bytes) -> None:
    with pdfplumber.open(io.BytesIO(sheet)) as pdf:
        page = pdf.pages[0]
        table = page.extract_table()
        numbers = [row[0] for row in table[1:]]
        bottom = page.find_tables()[0].bbox[3]
        signature = min(c["top"] for c in page.chars if c["text"] == "填")
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)] and len(numbers) >= 20
    assert all(cell in ("", None) for row in table[1:] for cell in row[1:])  # blank, to fill in
    assert bottom <= signature < bottom + ROW_HEIGHT + 10 * MM  # no room left for another row above the signature


def test_fixed_values_replace_the_blanks_and_leave_the_table() -> None:
    pdf = render_blank_form(CHECK_INS, office_name=OFFICE, title="入口登记表",
                            fixed={"day": "2021年10月25日", "值守点": "道北社区东门"}, exclude=("notes",))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        text, header = page.extract_text(), header_row(page)
    assert "入口登记表" in text and "____" not in flat(text).split("填表人")[0]
    assert flat(_("{field}: {values}").format(field=_("Date"), values="2021年10月25日")) in flat(text)
    assert "值守点：道北社区东门" in flat(text)
    assert flat(_("Date")) not in header and flat(_("Notes")) not in header
    assert header[1] == flat(CHECK_INS.field("staff_id").title)


def test_header_fields_of_other_kinds_get_their_blank_or_boxes() -> None:
    pdf = render_blank_form(CHECK_INS, office_name=OFFICE, header_fields=("staff_id", "day", "health_code"))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        line = flat(page.extract_text().splitlines()[2])
        header = header_row(page)
    assert line == flat(f"{_('Staff member')}：____________　　{_('Date')}：______年____月____日　　"
                        f"{_('Health code')}：□绿 □黄 □红")
    assert flat(_("Health code")) not in "".join(header)


def test_many_rows_go_on_over_pages_with_the_header_on_each() -> None:
    pdf = render_blank_form(CHECK_INS, office_name=OFFICE, header_fields=("day",), rows=50)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 2
        numbers = []
        for n, page in enumerate(doc.pages, start=1):
            table = page.extract_table()
            assert header_row(page)[0] == _("No.")
            numbers += [row[0] for row in table[1:]]
            assert flat(_("Page {n} of {total}").format(n=n, total=2)) in flat(page.extract_text())
            assert "填表人" in page.extract_text()  # every sheet is signed
    assert numbers == [str(n) for n in range(1, 51)]


def test_wide_registers_go_landscape_unless_told() -> None:
    wide = render_blank_form(VISITORS, office_name=OFFICE)
    box = PdfReader(io.BytesIO(wide)).pages[0].mediabox
    assert float(box.width) > float(box.height)
    narrow = render_blank_form(VISITORS, office_name=OFFICE, landscape=False)
    box = PdfReader(io.BytesIO(narrow)).pages[0].mediabox
    assert float(box.width) < float(box.height)
    with pdfplumber.open(io.BytesIO(narrow)) as doc:  # every column still there, in order
        header = header_row(doc.pages[0])
    assert [h[:2] for h in header[1:]] == [flat(f.title)[:2] for f in VISITORS.form_fields]


def test_fonts_are_embedded(sheet: bytes) -> None:
    for page in PdfReader(io.BytesIO(sheet)).pages:
        for ref in page["/Resources"]["/Font"].values():
            f = ref.get_object()
            descriptor = (f["/DescendantFonts"][0].get_object() if f["/Subtype"] == "/Type0" else f)["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object(), f["/BaseFont"]


def test_a_missing_character_is_named() -> None:
    with pytest.raises(MissingGlyph, match="1F637"):
        render_blank_form(CHECK_INS, office_name=OFFICE, fixed={"值守点": "东门😷"})


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(KeyError):
        render_blank_form(CHECK_INS, office_name=OFFICE, header_fields=("nothing",))


def test_blank_form_does_not_load_qt() -> None:
    code = textwrap.dedent("""
        import sys
        import civaffairs.printing.blank_form, civaffairs.printing.dates
        loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'civaffairs.gui')))
        print(loaded)
        sys.exit(1 if loaded else 0)
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
