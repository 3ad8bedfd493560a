"""Notices on paper, read back from the PDF with pdfplumber and pypdf: the text in reading order,
embedded fonts, A4, the text area and every element where GB/T 9704-2012 (DOCUMENTS.md) puts it,
red mark and rule, page numbers, the closing block on the last page only.

Positions are measured from the characters' boxes as pdfplumber reports them: `top`/`bottom` are
the em box (baseline + the font's declared descent … + size), `x0`/`x1` the advance box.  The
mark is the exception: it is placed by its ink (the top of its glyph outlines), because fonts
declare ascents unlike their ideographs; its em-box top therefore lies a font-dependent distance
below 72 mm, which the test computes from the same font and also checks on a rendered image."""
from __future__ import annotations

import io
import shutil
import subprocess
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from civaffairs.notices import templates
from civaffairs.notices.data import NoticeStatus
from civaffairs.printing import notice_pdf as P
from civaffairs.printing.fonts import FontRole, MissingGlyph, font

MM = 72 / 25.4
OFFICE = "天水市麦积区民政局"
MARK = OFFICE + "文件"
NUMBER = "麦民发〔2021〕12号"
DAY = date(2021, 10, 25)
TOL = 1 * MM  # the issue's tolerance: 1 mm


def _notice(key: str = "assistance", *, status: NoticeStatus = NoticeStatus.ISSUED, **changes: Any) -> dict[str, Any]:
    values = templates.template(key).filled(office=OFFICE, today=DAY)
    values.update(status=status, document_number=NUMBER if status is not NoticeStatus.DRAFT else None,
                  issue_date=DAY if status is not NoticeStatus.DRAFT else None)
    values.update(changes)
    return values


def _long_body(sections: int = 6) -> str:
    lines = ["为进一步做好疫情防控期间民政各项工作，现就有关事项通知如下。"]
    numerals = "一二三四五六七八九十"
    for i in range(sections):
        lines.append(f"{numerals[i]}、第{numerals[i]}部分工作要求")
        for j in range(3):
            lines.append(f"（{numerals[j]}）第{j + 1}项措施。" + "各镇、街道要严格落实属地责任，加强值守点管理，做好入户走访和统计上报工作，"
                         "确保2021年10月以来新纳入保障的97户218人及时足额领取救助金。" * 2)
            lines.append(f"{j + 1}.具体要求：落实先行救助、后补手续。")
            lines.append(f"（{j + 1}）细化措施：每日17时前报送。")
    return "\n".join(lines)


def _pdf(notice: dict[str, Any]) -> pdfplumber.PDF:
    return pdfplumber.open(io.BytesIO(P.render_notice(notice, office_mark=MARK)))


def _lines(page: Any, size: float = 16.0) -> list[list[dict[str, Any]]]:
    """Characters of one size grouped into lines by their baseline (faces with different descents
    share a line), top to bottom, each left to right."""
    rows: dict[float, list[dict[str, Any]]] = defaultdict(list)
    for c in page.chars:
        if abs(c["size"] - size) < 0.05:
            rows[round(c["matrix"][5], 1)].append(c)
    return [sorted(rows[k], key=lambda c: c["x0"]) for k in sorted(rows, reverse=True)]


def _text(line: list[dict[str, Any]]) -> str:
    return "".join(c["text"] for c in line)


def _colour(value: Any) -> tuple[float, ...]:
    return tuple(round(float(v), 3) for v in (value or ()))


@pytest.fixture(scope="module")
def issued() -> bytes:
    return P.render_notice(_notice(), office_mark=MARK)


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return P.render_notice(_notice(body=_long_body(), title="关于进一步加强全区疫情防控期间民政服务对象基本生活保障和关爱服务工作的通知"),
                           office_mark=MARK)


# ------------------------------------------------------------------ text and fonts


def test_chinese_text_extracts_in_reading_order(issued: bytes) -> None:
    with pdfplumber.open(io.BytesIO(issued)) as pdf:
        text = "".join("".join(p.extract_text().split()) for p in pdf.pages)
    expected = [MARK, NUMBER, "关于做好疫情期间困难群众救助工作的通知", "各镇人民政府、街道办事处，局属各单位：",
                "为深入贯彻落实全区疫情联防联控联治领导小组会议精神", "一、提高思想认识，压实工作责任",
                "二、全面摸排走访", "（一）开展全覆盖摸排。", "（二）建立工作台账。", "三、落实“先行救助、后补手续”",
                "1.因疫情防控措施导致务工收入中断", "2.因家庭成员被集中隔离", "四、加强特殊群体关爱",
                "五、强化工作保障", "附件：1.受疫情影响困难群众救助情况统计表", "2.临时救助审批表", OFFICE,
                "2021年10月25日", "抄送：区疫情联防联控联治工作领导小组办公室，区财政局。", OFFICE + "办公室",
                "2021年10月25日印发"]
    at = 0
    for part in expected:  # each after the one before
        found = text.find(part, at)
        assert found >= 0, (part, text[at:at + 80])
        at = found + len(part)


def test_every_font_is_embedded(issued: bytes, long_pdf: bytes) -> None:
    for data in (issued, long_pdf):
        reader = PdfReader(io.BytesIO(data))
        seen = 0
        for page in reader.pages:
            for ref in page["/Resources"]["/Font"].values():
                f = ref.get_object()
                descriptor = (f["/DescendantFonts"][0].get_object() if f["/Subtype"] == "/Type0" else f)["/FontDescriptor"]
                assert "/FontFile2" in descriptor.get_object(), f["/BaseFont"]
                seen += 1
        assert seen


def test_pdffonts_says_every_font_is_embedded(issued: bytes, tmp_path: Path) -> None:
    if not shutil.which("pdffonts"):
        pytest.skip("poppler's pdffonts is not installed")
    path = tmp_path / "notice.pdf"
    path.write_bytes(issued)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines), lines


def test_every_template_prints(tmp_path: Path) -> None:
    for t in templates.templates():
        for status in NoticeStatus:
            notice = _notice(t.key, status=status)
            assert P.unprintable_fields(notice) == {}
            out = tmp_path / f"{t.key}-{status}.pdf"
            data = P.render_notice(notice, office_mark=MARK, out=out)
            assert out.read_bytes() == data and data.startswith(b"%PDF")


def test_a_character_the_font_lacks_is_an_error_naming_it() -> None:
    notice = _notice(body="一、要求\n请扫码😷进入", copy_to="区卫健局\U00020000")
    with pytest.raises(MissingGlyph, match="U\\+1F637"):
        P.render_notice(notice, office_mark=MARK)
    problems = P.unprintable_fields(notice)
    assert set(problems) == {"body", "copy_to"} and "U+20000" in problems["copy_to"]
    with pytest.raises(MissingGlyph):
        P.render_notice(_notice(), office_mark="天水市麦积区民政局文件😷")


# ------------------------------------------------------------------ the page and the text area


def test_a4_and_the_text_area(issued: bytes, long_pdf: bytes) -> None:
    for data in (issued, long_pdf):
        for page in PdfReader(io.BytesIO(data)).pages:
            assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (595.3, 841.9)
    with pdfplumber.open(io.BytesIO(long_pdf)) as pdf:
        assert len(pdf.pages) >= 3
        first = _lines(pdf.pages[0])
        addressee = next(line for line in first if _text(line).startswith("各镇人民政府"))
        assert abs(addressee[0]["x0"] - 28 * MM) <= TOL  # flush left: the left edge of the text area
        for page in pdf.pages:
            body = [line for line in _lines(page) if line[0]["x0"] < 50 * MM]
            for line in body:
                assert line[-1]["x1"] <= (28 + 156) * MM + 0.05  # never beyond the right edge
                assert line[0]["x0"] >= 28 * MM - 0.05
                assert line[-1]["bottom"] <= (37 + 225) * MM + 0.05
        page2 = _lines(pdf.pages[1])
        assert abs(page2[0][0]["top"] - 37 * MM) <= TOL  # the first line at the top of the text area
        full = [line for line in page2 if len(line) == 28]  # a full line of 28 characters…
        assert full and all(abs(line[-1]["x1"] - (28 + 156) * MM) <= 0.1 for line in full)  # …fills 156 mm
        justified = [line for line in page2 if abs(line[-1]["x1"] - (28 + 156) * MM) <= 0.1]
        assert len(justified) >= 8  # paragraphs are justified to both edges
        baselines = [line[0]["matrix"][5] for line in page2]
        pitches = {round(a - b, 2) for a, b in zip(baselines, baselines[1:])}
        assert pitches == {round(225 * MM / 22, 2)}  # 22 lines of 28.99 pt
        assert len(page2) == 22
        indented = next(line for line in page2 if _text(line).startswith("（"))
        assert abs(indented[0]["x0"] - (28 * MM + 2 * P.CHAR)) <= 0.1  # two characters in


def test_the_head_of_the_first_page(issued: bytes, tmp_path: Path) -> None:
    with pdfplumber.open(io.BytesIO(issued)) as pdf:
        page = pdf.pages[0]
        mark = [c for c in page.chars if c["size"] > 30]
        assert "".join(c["text"] for c in mark) == MARK
        # Where the em box must be when the ink's top is at 72 mm: the font says how far its
        # outlines reach above the baseline (ink) and how high its em box does (1 + descent).
        f = font(FontRole.TITLE)
        size = mark[0]["size"]
        descent = pdfmetrics.getFont(f.name).face.descent / 1000
        box_below_ink = (P.ink_top(f.name, MARK) - (1 + descent)) * size
        assert abs(min(c["top"] for c in mark) - box_below_ink - (37 + 35) * MM) <= 0.2 * MM
        assert abs(box_below_ink) < 3 * MM  # the difference is only the glyphs' ascent
        assert size <= 22 * MM  # GB/T 9704: no higher than 22 mm
        left, right = min(c["x0"] for c in mark), max(c["x1"] for c in mark)
        assert left >= 28 * MM and right <= 184 * MM and abs((left + right) / 2 - 106 * MM) <= 0.5 * MM
        number = next(line for line in _lines(page) if _text(line) == NUMBER)
        assert abs((number[0]["x0"] + number[-1]["x1"]) / 2 - 106 * MM) <= 0.5 * MM  # centred
        mark_bottom = max(c["bottom"] for c in mark)
        assert abs(number[0]["top"] - mark_bottom - 2 * P.PITCH) <= 0.5  # two empty lines below the mark
        [rule] = [line for line in page.lines if line["top"] < 150 * MM]
        assert abs(rule["top"] - number[0]["bottom"] - 4 * MM) <= 0.5  # 4 mm below the number
        assert abs(rule["x0"] - 28 * MM) <= 0.1 and abs(rule["x1"] - 184 * MM) <= 0.1  # the text area's width
        assert abs(rule["linewidth"] - 1.0) <= 0.05
        title = [c for c in page.chars if abs(c["size"] - 22) < 0.05]
        assert "".join(c["text"] for c in title) == "关于做好疫情期间困难群众救助工作的通知"
        assert abs((min(c["x0"] for c in title) + max(c["x1"] for c in title)) / 2 - 106 * MM) <= 0.5 * MM
        assert abs(min(c["top"] for c in title) - rule["top"] - 2 * P.PITCH) <= 0.5  # two empty lines below
        addressee = next(line for line in _lines(page) if _text(line).startswith("各镇"))
        gap = addressee[0]["top"] - max(c["bottom"] for c in title)
        assert P.PITCH - 0.5 <= gap < 2 * P.PITCH  # at least one empty line; on the grid
        assert abs((addressee[0]["top"] - 37 * MM) / P.PITCH - round((addressee[0]["top"] - 37 * MM) / P.PITCH)) < 0.01
    if shutil.which("pdftoppm"):  # the ink itself, on a 300 dpi image of the page
        pytest.importorskip("PIL")
        from PIL import Image

        path = tmp_path / "n.pdf"
        path.write_bytes(issued)
        subprocess.run(["pdftoppm", "-png", "-r", "300", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True)
        image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
        width, height = image.size
        pixels = image.load()
        first_red = next(y for y in range(height) if any(
            pixels[x, y][0] > 200 and pixels[x, y][1] < 80 and pixels[x, y][2] < 80 for x in range(0, width, 2)))
        assert abs(first_red * 25.4 / 300 - 72) <= 0.3


def test_the_mark_and_the_rule_are_red_and_everything_else_black(issued: bytes) -> None:
    with pdfplumber.open(io.BytesIO(issued)) as pdf:
        page = pdf.pages[0]
        for c in page.chars:
            expected = (1.0, 0.0, 0.0) if c["size"] > 30 else (0.0, 0.0, 0.0)
            assert _colour(c["non_stroking_color"]) == expected, c["text"]
        [rule] = [line for line in page.lines if line["top"] < 150 * MM]
        assert _colour(rule["stroking_color"]) == (1.0, 0.0, 0.0)
        for later in pdf.pages[1:]:
            assert all(_colour(c["non_stroking_color"]) == (0.0, 0.0, 0.0) for c in later.chars)


def test_headings_in_their_faces(issued: bytes) -> None:
    with pdfplumber.open(io.BytesIO(issued)) as pdf:
        chars = [c for p in pdf.pages for c in p.chars if abs(c["size"] - 16) < 0.05 and c["text"] != " "]
    joined = "".join(c["text"] for c in chars)

    def faces(text: str) -> set[str]:
        start = joined.find(text)
        assert start >= 0, text
        return {c["fontname"].split("+", 1)[1] for c in chars[start:start + len(text)]}

    def face(role: FontRole) -> str:
        name = pdfmetrics.getFont(font(role).name).face.name
        return name.decode() if isinstance(name, bytes) else str(name)

    def only(found: set[str], role: FontRole) -> bool:
        return all(f.startswith(face(role)) for f in found)

    assert only(faces("一、提高思想认识，压实工作责任"), FontRole.HEI)
    assert only(faces("（一）开展全覆盖摸排。"), FontRole.KAI)
    assert only(faces("各镇、街道要组织村"), FontRole.FANGSONG)  # the rest of a level-2 paragraph
    assert only(faces("1.因疫情防控措施导致务工收入中断"), FontRole.FANGSONG)
    assert face(FontRole.HEI) != face(FontRole.KAI) != face(FontRole.FANGSONG)


# ------------------------------------------------------------------ the end of the notice


def test_attachments_signature_and_date(issued: bytes) -> None:
    with pdfplumber.open(io.BytesIO(issued)) as pdf:
        page = next(p for p in reversed(pdf.pages) if any(_text(line).startswith("附件：") for line in _lines(p)))
        lines = _lines(page)
    index = next(i for i, line in enumerate(lines) if _text(line).startswith("附件："))
    first, second = lines[index], lines[index + 1]
    assert abs(first[0]["x0"] - (28 * MM + 2 * P.CHAR)) <= 0.1  # two characters in
    assert _text(second).replace(" ", "") == "2.临时救助审批表"
    one = next(c for c in first if c["text"] == "1")
    assert abs(second[0]["x0"] - one["x0"]) <= 0.1  # numbers aligned under each other
    name = next(line for line in lines[index:] if _text(line) == OFFICE)
    day = next(line for line in lines[index:] if _text(line) == "2021年10月25日")
    assert abs(name[-1]["x1"] - (184 * MM - 2 * P.CHAR)) <= 0.3  # two characters from the right
    assert abs(day[0]["x0"] - (name[0]["x0"] + 2 * P.CHAR)) <= 0.3  # the date two characters further in
    assert abs(day[0]["top"] - name[0]["top"] - P.PITCH) <= 0.1  # on the next line
    assert abs(name[0]["top"] - lines[index + 1][0]["top"] - 2 * P.PITCH) <= 0.1  # one empty line between


def test_page_numbers_and_the_closing_block_on_the_last_page_only(long_pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(long_pdf)) as pdf:
        pages = pdf.pages
        assert len(pages) >= 3
        for n, page in enumerate(pages, start=1):
            numbers = [line for line in _lines(page, 14.0) if line[0]["top"] > 262 * MM]
            assert len(numbers) == 1 and _text(numbers[0]).replace(" ", "") == f"—{n}—"
            line = numbers[0]
            assert abs(line[0]["top"] - (262 + 7) * MM) <= TOL  # 7 mm below the text area
            if n % 2:
                assert abs(line[-1]["x1"] - (184 * MM - 14)) <= 0.3  # odd: right, one character in
            else:
                assert abs(line[0]["x0"] - (28 * MM + 14)) <= 0.3  # even: left, one character in
            text = "".join(page.extract_text().split())
            rules = [r for r in page.lines if r["top"] > 150 * MM]
            if n < len(pages):
                assert "抄送" not in text and "印发" not in text and rules == []
        last = pages[-1]
        rules = sorted(last.lines, key=lambda r: r["top"])
        assert [round(r["linewidth"] / MM, 2) for r in rules] == [0.35, 0.25, 0.35]
        assert all(abs(r["x0"] - 28 * MM) <= 0.1 and abs(r["x1"] - 184 * MM) <= 0.1 for r in rules)
        assert abs(rules[-1]["top"] - 262 * MM) <= 0.5  # the last rule on the bottom edge of the text area
        small = _lines(last, 14.0)
        copy = next(line for line in small if _text(line).startswith("抄送："))
        printed = next(line for line in small if _text(line).endswith("印发"))
        assert rules[0]["top"] < copy[0]["top"] < rules[1]["top"] < printed[0]["top"] < rules[2]["top"]
        assert abs(copy[0]["x0"] - (28 * MM + 14)) <= 0.3 and abs(printed[0]["x0"] - (28 * MM + 14)) <= 0.3
        assert abs(printed[-1]["x1"] - (184 * MM - 14)) <= 0.3
        assert _text(printed) == OFFICE + "办公室" + "2021年10月25日印发"


def test_long_titles_wrap_into_balanced_centred_lines(long_pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(long_pdf)) as pdf:
        title = _lines(pdf.pages[0], 22.0)
    assert len(title) == 2
    widths = [line[-1]["x1"] - line[0]["x0"] for line in title]
    assert widths[0] >= widths[1] and widths[0] - widths[1] <= 2 * 22  # balanced, the upper not shorter
    for line in title:
        assert abs((line[0]["x0"] + line[-1]["x1"]) / 2 - 106 * MM) <= 0.5 * MM
    assert _text(title[0]) + _text(title[1]) == "关于进一步加强全区疫情防控期间民政服务对象基本生活保障和关爱服务工作的通知"


def test_no_line_starts_with_closing_punctuation(long_pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(long_pdf)) as pdf:
        for page in pdf.pages:
            for line in _lines(page):
                assert _text(line)[0] not in "，。、；：？！）》”", _text(line)
                assert _text(line)[-1] not in "（《“", _text(line)


# ------------------------------------------------------------------ drafts and cancelled numbers


def test_a_draft_has_no_number_and_says_draft_on_every_page() -> None:
    draft = P.render_notice(_notice(status=NoticeStatus.DRAFT), office_mark=MARK)
    issued = P.render_notice(_notice(), office_mark=MARK)
    with pdfplumber.open(io.BytesIO(draft)) as d, pdfplumber.open(io.BytesIO(issued)) as i:
        assert len(d.pages) == len(i.pages)  # the same layout: what is approved is what is issued
        assert all("〔" not in page.extract_text() for page in d.pages)
        for page in d.pages:
            mark = [c for c in page.chars if c["size"] > 100]
            assert "".join(c["text"] for c in mark) == "草稿"
            assert all(_colour(c["non_stroking_color"]) == (0.82, 0.82, 0.82) for c in mark)
        assert "2021年10月25日" in d.pages[-1].extract_text() or "2021年10月25日" in d.pages[-2].extract_text()
    cancelled = P.render_notice(_notice(status=NoticeStatus.CANCELLED), office_mark=MARK)
    with pdfplumber.open(io.BytesIO(cancelled)) as c:
        assert NUMBER in c.pages[0].extract_text().replace(" ", "")
        assert "".join(ch["text"] for ch in c.pages[0].chars if ch["size"] > 100) == "作废"


def test_a_short_notice_has_its_closing_block_on_the_back_of_the_sheet() -> None:
    # One page of text: the closing block goes on page 2 (the back cover), alone and unnumbered.
    notice = _notice("blank", title="关于调整值班安排的通知", body="一、值班时间\n国庆期间实行24小时值班。",
                     copy_to="")
    with _pdf(notice) as pdf:
        assert len(pdf.pages) == 2
        front, back = pdf.pages
        assert "值班" in front.extract_text() and [r for r in front.lines if r["top"] > 150 * MM] == []
        assert "—1—" in "".join(front.extract_text().split())
        assert [round(r["linewidth"] / MM, 2) for r in sorted(back.lines, key=lambda r: r["top"])] == [0.35, 0.35]
        back_text = "".join(back.extract_text().split())
        assert back_text == OFFICE + "办公室" + "2021年10月25日印发"  # no page number, no 抄送


# ------------------------------------------------------------------ the closing block on the last even page


def _pages(data: bytes) -> list[dict[str, Any]]:
    """What each page holds: body text (16 pt characters), its page-number line, the closing block."""
    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            small = _lines(page, 14.0)
            numbers = [_text(line).replace(" ", "") for line in small if line[0]["top"] > 262 * MM]
            closing = [line for line in small if _text(line).endswith("印发")]
            rules = sorted((r for r in page.lines if r["top"] > 150 * MM), key=lambda r: r["top"])  # not the red one
            out.append({"text": bool(_lines(page)), "numbers": numbers, "closing": closing, "rules": rules})
    return out


def _closing_at_the_foot(page: dict[str, Any]) -> None:
    assert len(page["closing"]) == 1
    rules = page["rules"]
    assert abs(rules[-1]["top"] - 262 * MM) <= 0.5  # the last rule on the bottom edge of the text area
    assert rules[-2]["top"] < page["closing"][0][0]["top"] < rules[-1]["top"]


@pytest.mark.parametrize(("sections", "extra", "text_pages", "total"), [
    (1, "", 3, 4),  # the text ends on an odd page: the closing block on the next page, alone
    (2, "", 4, 4),  # the text ends on an even page with room: the closing block below it
    (6, "补充说明。" * 10, 8, 10),  # the text fills an even page: a blank page, then the closing block
])
def test_the_closing_block_ends_the_last_even_page(sections: int, extra: str, text_pages: int, total: int) -> None:
    pages = _pages(P.render_notice(_notice(body=_long_body(sections) + "\n" + extra), office_mark=MARK))
    assert [p["text"] for p in pages] == [True] * text_pages + [False] * (total - text_pages)
    assert len(pages) == total and total % 2 == 0
    _closing_at_the_foot(pages[-1])
    assert all(not p["closing"] and not p["rules"] for p in pages[:-1])  # nowhere else
    for n, page in enumerate(pages, start=1):
        # pages of text are numbered; a blank page and the closing block's own page are not
        assert page["numbers"] == ([f"—{n}—"] if n <= text_pages else []), n
    for n in range(text_pages + 1, total):
        assert pages[n - 1]["rules"] == [] and pages[n - 1]["closing"] == []  # the inserted page is blank


def test_the_demo_notice_ends_on_an_even_page() -> None:
    pages = _pages(P.render_notice(_notice(), office_mark=MARK))
    assert len(pages) % 2 == 0 and pages[-1]["closing"] and not pages[-1]["text"]
    assert pages[-1]["numbers"] == []


def test_without_a_closing_block_no_page_is_added() -> None:
    notice = _notice("blank", title="关于调整值班安排的通知", body="一、值班时间\n国庆期间实行24小时值班。",
                     copy_to="", printing_office="", issue_date=None, document_date=None)
    with _pdf(notice) as pdf:
        assert len(pdf.pages) == 1
