"""Which column of a workbook is which field: the field's title in Chinese and in English, its
name, and the variants offices write for the same thing (身份证号 / 身份证号码 / 公民身份号码)."""
from __future__ import annotations

import gettext
import re
from functools import lru_cache

from civaffairs.core.i18n import DOMAIN
from civaffairs.core.resources import resource_path
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec

# Headers offices use for a kind of field; a variant is used only where it names one field of
# the register (a register with two phone numbers takes neither plain "电话").
KIND_VARIANTS: dict[Kind, tuple[str, ...]] = {
    Kind.RESIDENT_ID: ("身份证号", "身份证号码", "公民身份号码", "居民身份证号码", "身份证", "证件号码",
                       "idnumber", "idcard"),
    Kind.PHONE: ("手机", "手机号", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "phone", "mobile"),
    Kind.CREDIT_CODE: ("统一社会信用代码", "社会信用代码", "信用代码", "creditcode"),
}
NAME_VARIANTS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名称"),
    "day": ("日期",),
    "notes": ("备注", "说明"),
    "note": ("备注", "说明"),
    "address": ("地址", "住址", "家庭住址"),
    "amount": ("金额", "金额（元）", "金额(元)"),
    "quantity": ("数量",),
    "department": ("部门", "所在部门", "科室"),
    "post": ("职务", "职位", "岗位"),
}

_REQUIRED_MARKS = re.compile(r"^[*＊]+|[*＊]+$|[（(]必填[)）]$")


def normalise(header: object) -> str:
    """A header as compared: no spaces or line breaks, no required mark (*), half-width brackets,
    lower case."""
    text = re.sub(r"\s+", "", str(header if header is not None else ""))
    text = text.replace("（", "(").replace("）", ")").replace("：", ":").rstrip(":")
    return _REQUIRED_MARKS.sub("", text).lower()


@lru_cache(maxsize=1)
def _chinese() -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=str(resource_path("translations")), languages=["zh_CN"],
                               fallback=True)


def names_of(f: FieldSpec) -> list[str]:
    """The field's own names: its title in the current language, in Chinese, in English, its name."""
    return [f.title, _chinese().gettext(f.label), f.label, f.name, f.name.replace("_", "")]


def header_map(spec: RegisterSpec, fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    """normalised header -> field name, for `fields` of `spec`.  A field's own names win over
    variants; a variant that would name two fields names none."""
    found: dict[str, str] = {}
    for f in fields:
        for n in names_of(f):
            found.setdefault(normalise(n), f.name)
    variants: dict[str, set[str]] = {}
    for f in fields:
        for v in KIND_VARIANTS.get(f.kind, ()) + NAME_VARIANTS.get(f.name, ()):
            variants.setdefault(normalise(v), set()).add(f.name)
    for v, names in variants.items():
        if len(names) == 1 and v not in found:
            found[v] = next(iter(names))
    return found
