"""`civaffairs print notice <number> --out FILE.pdf`: the same PDF as the window prints, for batch
printing by IT staff; `civaffairs demo` issues the autumn-2021 notices it prints."""
from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pdfplumber
import pytest

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
from civaffairs.cli import main
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.demo import DEMO_NOTICES
from civaffairs.notices import service as notices
from civaffairs.notices.data import NoticeStatus
from civaffairs.printing.notice_pdf import render_notice

ROOT = Path(__file__).resolve().parents[1]
ISSUED = [f"麦民发〔2021〕{n}号" for n in range(1, 5)]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo made once for the module (every group's records take a while); each test works
    on its own copy."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["demo", "--data-dir", str(data_dir), "--staff", "2", "--days", "1"])
    assert code == 0, out.getvalue()
    return data_dir, out.getvalue()


@pytest.fixture
def demo_dir(demo_template: tuple[Path, str], tmp_path: Path) -> Path:
    template, out = demo_template
    assert "、".join(ISSUED) in out and "草稿1份" in out
    data_dir = tmp_path / "data"
    shutil.copytree(template, data_dir)
    return data_dir


def test_demo_issues_notices_and_leaves_a_draft(demo_dir: Path) -> None:
    db = open_database(demo_dir)
    try:
        with db.read() as s:
            listed = notices.list_notices(s, COMMAND_LINE_ACTOR)
            register = notices.number_register(s, COMMAND_LINE_ACTOR, "麦民发", 2021)
    finally:
        db.dispose()
    assert len(listed) == len(DEMO_NOTICES) == 5
    assert sorted(n.document_number for n in listed if n.status is NoticeStatus.ISSUED) == sorted(ISSUED)
    assert [n.title for n in listed if n.status is NoticeStatus.DRAFT] == ["关于做好局机关疫情防控值班值守工作的通知"]
    assert [e.document_number for e in register] == ISSUED
    assert {n.group for n in listed} == {0, 1, 2, 4, 6}
    assert {e.given_by for e in register} == {COMMAND_LINE_ACTOR.username}


def test_print_an_issued_notice(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "通知.pdf"
    code, stdout, err = _run(["print", "notice", "麦民发〔2021〕1号", "--data-dir", str(demo_dir), "--out", str(out)],
                             capsys)
    assert code == 0, err
    assert "已写入" in stdout and "麦民发〔2021〕1号" in stdout
    data = out.read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        first = "".join(pdf.pages[0].extract_text().split())
        count = len(pdf.pages)
    assert first.startswith("天水市麦积区民政局文件麦民发〔2021〕1号关于做好疫情期间困难群众救助工作的通知")
    assert f"共{count}页" in stdout
    db = open_database(demo_dir)  # the very same PDF as printing from the program
    try:
        with db.read() as s:
            notice = notices.find_by_number(s, "麦民发〔2021〕1号")
            mark = notices.office_mark(s, notice)
    finally:
        db.dispose()
    assert _without_dates(render_notice(notice, office_mark=mark)) == _without_dates(data)


def _without_dates(pdf: bytes) -> bytes:
    """ReportLab stamps the creation time and a random document id: leave them out of comparisons."""
    import re

    pdf = re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", b"", pdf)
    return re.sub(rb"/ID\s*\n?\[<[0-9a-f]+><[0-9a-f]+>\]", b"", pdf)


def test_the_number_may_be_typed_with_ordinary_brackets(demo_dir: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "b.pdf"
    code, _out, err = _run(["print", "notice", "麦民发[2021]2号", "--data-dir", str(demo_dir), "--out", str(out)], capsys)
    assert code == 0, err
    with pdfplumber.open(out) as pdf:
        assert "麦民发〔2021〕2号" in pdf.pages[0].extract_text().replace(" ", "")


def test_an_unknown_number_is_a_clear_error(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "none.pdf"
    code, _out, err = _run(["print", "notice", "麦民发〔2021〕99号", "--data-dir", str(demo_dir), "--out", str(out)],
                           capsys)
    assert code == 1
    assert err.strip() == "未找到发文字号为麦民发〔2021〕99号的通知。"
    assert not out.exists()
    code, _out, err = _run(["print", "notice", "第九十九号", "--data-dir", str(demo_dir), "--out", str(out)], capsys)
    assert code == 1 and "不是有效的发文字号" in err and not out.exists()


def test_a_file_that_cannot_be_written_is_a_clear_error(demo_dir: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "no such folder" / "a.pdf"
    code, _out, err = _run(["print", "notice", "麦民发〔2021〕1号", "--data-dir", str(demo_dir), "--out", str(out)],
                           capsys)
    assert code == 1 and "无法写入文件" in err and str(out) in err


def test_a_cancelled_number_prints_marked_void(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = open_database(demo_dir)
    try:
        with db.write() as s:
            notices.cancel_number(s, COMMAND_LINE_ACTOR, "麦民发", 2021, 3, "方案内容调整，重新印发")
    finally:
        db.dispose()
    out = tmp_path / "void.pdf"
    code, _out, err = _run(["print", "notice", "麦民发〔2021〕3号", "--data-dir", str(demo_dir), "--out", str(out)],
                           capsys)
    assert code == 0 and "作废" in err
    with pdfplumber.open(out) as pdf:
        assert "".join(c["text"] for c in pdf.pages[0].chars if c["size"] > 100) == "作废"


def test_print_on_each_backend(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = ["--data-dir", str(tmp_path / "elsewhere"), "--database-url", db.url]
    code, out, err = _run(["demo", *url, "--staff", "1", "--days", "1"], capsys)
    assert code == 0, out + err
    target = tmp_path / "x.pdf"
    code, out, err = _run(["print", "notice", "麦民发〔2021〕4号", *url, "--out", str(target)], capsys)
    assert code == 0, err
    with pdfplumber.open(target) as pdf:
        assert "疫情防控捐赠倡议书" in "".join(pdf.pages[0].extract_text().split())


def test_printing_loads_no_qt(demo_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from civaffairs.cli import main
        code = main(["print", "notice", "麦民发〔2021〕1号", "--data-dir", {str(demo_dir)!r},
                     "--out", {str(tmp_path / "q.pdf")!r}])
        loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'civaffairs.gui')))
        print(code, loaded)
        sys.exit(1 if code or loaded else 0)
    """)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
