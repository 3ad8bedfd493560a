"""Notice templates: every placeholder is found, and the templates write them one way."""
from __future__ import annotations

import re
from datetime import date

import pytest

from civaffairs.notices import templates
from civaffairs.notices.templates import PLACEHOLDER, placeholders

CANONICAL = re.compile(r"（请填写：[^（）]+）")


@pytest.mark.parametrize(("text", "found"), [
    ("联系电话：（请填写：联系电话）", ["（请填写：联系电话）"]),
    ("联系电话：（请填写）", ["（请填写）"]),
    ("联系电话：(请填写)。", ["(请填写)"]),
    ("关于××××的通知", ["××××"]),
    ("XXX同志：", ["XXX"]), ("ＸＸＸ镇", ["ＸＸＸ"]), ("xxx街道", ["xxx"]),
    ("日期：____年__月__日", ["____"]), ("签名：＿＿＿＿", ["＿＿＿＿"]),
    ("{office}办公室", ["{office}"]),
    ("（请填写：事由）和（请填写：时间），再写（请填写：事由）", ["（请填写：事由）", "（请填写：时间）"]),
])
def test_placeholders_are_found(text: str, found: list[str]) -> None:
    assert placeholders(text) == found


@pytest.mark.parametrize("text", [
    "联系人：困难群众救助组（社会救助股），联系电话：0938-2731234",
    "1.因疫情防控措施导致务工收入中断；2×3间隔离室；《慈善法》第X条",
    "抄送：区疫情联防联控联治工作领导小组办公室，区财政局",
    "请各单位填写附件1后报送（请于10月26日前报送）",
])
def test_ordinary_text_has_none(text: str) -> None:
    assert placeholders(text) == []


def test_the_templates_write_placeholders_in_one_form() -> None:
    seen = 0
    for t in templates.templates():
        for field, marks in t.placeholders().items():
            for mark in marks:
                assert CANONICAL.fullmatch(mark), (t.key, field, mark)
                seen += 1
    assert seen  # the templates do ask for something
    assert CANONICAL.fullmatch(PLACEHOLDER.format(what="联系电话"))


def test_placeholders_survive_into_the_draft() -> None:
    # a draft keeps them, so that issuing can refuse while one remains
    draft = templates.template("assistance").filled(office="天水市麦积区民政局", today=date(2021, 10, 25))
    assert placeholders(draft["body"]) == ["（请填写：联系电话）"]
    assert placeholders(draft["printing_office"]) == []  # {office} was filled in
    assert templates.template("blank").placeholders() == {"title": ["（请填写：事由）"]}
