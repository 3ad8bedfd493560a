"""`civaffairs --self-test`, which CI runs in the built bundle: from the source tree it passes every
step; a failing step is named in one Chinese line, with no traceback, and the exit is non-zero."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from civaffairs import selftest
from civaffairs.core.errors import ValidationError

ROOT = Path(__file__).resolve().parents[1]


def _titles() -> list[str]:
    return [selftest._title(i) for i in range(len(selftest.STEPS))]


def test_the_self_test_passes_every_step_from_the_source_tree() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CIVAFFAIRS_LANG": "zh_CN"}
    done = subprocess.run([sys.executable, "-m", "civaffairs", "--self-test"], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for title in _titles():
        assert any(line.startswith(f"✓ {title}") for line in lines), (title, done.stdout)
    assert "打印：临时救助审批表" in done.stdout and "自检通过" in lines[-1]
    folder = re.search(r"临时文件夹：(\S+)", done.stdout)
    assert folder and not Path(folder.group(1)).exists()  # nothing left behind


@pytest.mark.parametrize("error", [ValidationError.at("", "单位名称不能为空。"), RuntimeError("driver said no")],
                         ids=["typed error", "unexpected error"])
def test_a_failing_step_is_named_and_the_exit_is_not_zero(monkeypatch: pytest.MonkeyPatch,
                                                          error: Exception) -> None:
    def fails(run: selftest.Run) -> str:
        raise error

    steps = list(selftest.STEPS)
    steps[1] = (steps[1][0], fails)
    monkeypatch.setattr(selftest, "STEPS", steps)
    out = io.StringIO()
    assert selftest.main(out) == 1
    text = out.getvalue()
    assert "✓ 新建数据库并升级到当前结构" in text
    failed = [line for line in text.splitlines() if line.startswith("✗")]
    assert failed == [f"✗ 设置单位和管理员并登录：{'单位名称不能为空。' if isinstance(error, ValidationError) else '意外错误（RuntimeError）：driver said no'}"]
    assert f"其后 {len(selftest.STEPS) - 2} 个步骤未执行。" in text
    assert "Traceback" not in text and "自检通过" not in text
    log = Path(re.search(r"详细信息见：(.+)$", text.strip()).group(1))  # type: ignore[union-attr]
    assert "Traceback" in log.read_text(encoding="utf-8")  # the details are kept for the administrator
    shutil.rmtree(log.parent)


def test_where_the_output_cannot_hold_a_tick_a_gbk_one_is_used() -> None:
    gbk = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    assert selftest._marks(gbk) == ("√", "×")
    assert selftest._marks(io.StringIO()) == ("✓", "✗")


def test_output_redirected_in_a_code_page_without_chinese_is_written_in_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    """On an English Windows the redirected output is cp1252, which holds no Chinese at all."""
    steps = [(selftest.STEPS[0][0], lambda run: "")]
    monkeypatch.setattr(selftest, "STEPS", steps)
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="cp1252")
    assert selftest.main(out) == 0
    out.flush()
    assert "✓ 新建数据库并升级到当前结构" in raw.getvalue().decode("utf-8")


def test_records_are_made_in_every_register_before_the_office_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 06:30 nobody has visited today yet: the visitor register must still get a record (the
    bundle's self-test once failed in a CI run made early in the morning)."""
    from datetime import datetime, time, timezone

    from civaffairs.core import clock

    early = datetime.combine(datetime.now().date(), time(6, 30)).astimezone().astimezone(timezone.utc)
    monkeypatch.setattr(clock, "now_utc", lambda: early)
    monkeypatch.setattr(selftest, "STEPS", list(selftest.STEPS)[:3])
    out = io.StringIO()
    assert selftest.main(out) == 0, out.getvalue()
    assert "✓ 在每个台账中新增记录" in out.getvalue()
