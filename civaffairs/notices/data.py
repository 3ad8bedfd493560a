"""Notices as plain data: what the service returns, the GUI shows and the printing engine reads.

No SQLAlchemy and no Qt here, so that printing and the screens can import it cheaply."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum, StrEnum

from civaffairs.core.i18n import N_, _
# The number register is the numbering service's; these names stay importable from here.
from civaffairs.numbering.data import (  # noqa: F401
    CLOSE, NUMBER_STATUS_LABELS, OPEN, PREFIX_PATTERN, NumberStatus, bracketed,
)

LEADING_GROUP = 0  # the epidemic leading group: notices of the whole bureau
GROUP_NUMBERS = range(0, 8)  # 0 and the seven working groups


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    CANCELLED = "cancelled"  # issued, then its number was cancelled: void, kept for the record

    @property
    def label(self) -> str:
        return _(NOTICE_STATUS_LABELS[self])


NOTICE_STATUS_LABELS = {
    NoticeStatus.DRAFT: N_("Draft"),
    NoticeStatus.ISSUED: N_("Issued"),
    NoticeStatus.CANCELLED: N_("Cancelled"),
}


@dataclass(frozen=True)
class NoticeData:
    """One notice.  `document_date` is the date printed under the signature: the planned date while
    a draft, the issue date once issued."""

    id: uuid.UUID
    version: int
    group: int  # 0 = the leading group (bureau-wide), 1–7 = a working group
    status: NoticeStatus
    template_key: str
    title: str
    addressee: str  # 主送机关, ends with "："
    body: str  # the markup of `body_blocks`
    attachments: tuple[str, ...]  # names, without numbers or final punctuation
    signatory: str  # the office that signs (发文机关署名)
    copy_to: str  # 抄送机关, separated by "，", without the final "。"
    printing_office: str  # 印发机关
    document_date: date | None
    prefix: str | None = None
    year: int | None = None
    serial: int | None = None
    document_number: str | None = None  # "麦民发〔2021〕12号" once issued
    issue_date: date | None = None
    issued_by: str | None = None
    issued_at: datetime | None = None
    corrects_id: uuid.UUID | None = None  # the notice this one corrects
    corrects_number: str | None = None
    created_by: str = ""
    created_at: datetime | None = None
    updated_by: str = ""
    updated_at: datetime | None = None

    @property
    def is_draft(self) -> bool:
        return self.status is NoticeStatus.DRAFT


@dataclass(frozen=True)
class NumberEntry:
    """One line of the document-number register: a number given out, and what became of it."""

    prefix: str
    year: int
    serial: int
    document_number: str
    status: NumberStatus
    notice_id: uuid.UUID | None
    notice_title: str
    given_by: str
    given_at: datetime
    cancelled_by: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""


# ------------------------------------------------------------------ document numbers

_NUMBER = re.compile(r"^\s*(?P<prefix>[^\s〔\[［(（【〈<]+?)\s*[〔\[［(（【〈<]\s*(?P<year>\d{4})\s*[〕\]］)）】〉>]"
                     r"\s*0*(?P<serial>\d+)\s*号?\s*$")


def format_document_number(prefix: str, year: int, serial: int) -> str:
    """`麦民发〔2021〕12号`: the full year in 〔〕, the serial without zero padding."""
    return bracketed(prefix, year, serial)


def parse_document_number(text: str) -> tuple[str, int, int] | None:
    """(prefix, year, serial) of a number as people type it: 〔〕, [], （）, 【】 and leading zeros
    are all understood.  None when it is not a document number."""
    m = _NUMBER.match(text or "")
    if not m:
        return None
    return m["prefix"], int(m["year"]), int(m["serial"])


def chinese_date(day: date) -> str:  # the same as civaffairs.printing.dates.chinese_date
    """`2021年10月25日`: the full year, no zero padding (GB/T 9704)."""
    return f"{day.year}年{day.month}月{day.day}日"


# ------------------------------------------------------------------ body markup


class Level(IntEnum):
    PARAGRAPH = 0
    HEADING_1 = 1  # 一、     黑体
    HEADING_2 = 2  # （一）   楷体
    HEADING_3 = 3  # 1.      仿宋
    HEADING_4 = 4  # （1）    仿宋


_CN_NUMERAL = "一二三四五六七八九十百零〇"
_LEVELS = (
    (Level.HEADING_1, re.compile(rf"^[{_CN_NUMERAL}]+、")),
    (Level.HEADING_2, re.compile(rf"^[（(][{_CN_NUMERAL}]+[）)]")),
    (Level.HEADING_3, re.compile(r"^\d+[.．](?!\d)")),
    (Level.HEADING_4, re.compile(r"^[（(]\d+[）)]")),
)


@dataclass(frozen=True)
class Block:
    """One paragraph of the body.  For headings of levels 1 and 2, `head` is the part set in the
    heading face: the whole line, or up to its first "。" when body text follows on the same line
    (“（一）加强组织领导。各镇、街道要……”); `tail` is the rest, in the body face."""

    level: Level
    head: str
    tail: str = ""

    @property
    def text(self) -> str:
        return self.head + self.tail


def body_blocks(body: str) -> list[Block]:
    """The body markup: one paragraph a line; a line starting `一、` is a level-1 heading, `（一）`
    level 2, `1.` level 3, `（1）` level 4; empty lines are ignored (official documents have no
    blank lines between paragraphs) and leading spaces dropped (the layout indents)."""
    blocks = []
    for raw in (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.replace("\t", " ").strip(" \u3000")
        if not line:
            continue
        level = next((lv for lv, pattern in _LEVELS if pattern.match(line)), Level.PARAGRAPH)
        if level in (Level.HEADING_1, Level.HEADING_2):
            stop = line.find("。")
            if 0 <= stop < len(line) - 1:
                blocks.append(Block(level, line[: stop + 1], line[stop + 1:]))
                continue
            blocks.append(Block(level, line))
        else:
            blocks.append(Block(level, "", line) if level is Level.PARAGRAPH else Block(level, line))
    return blocks
