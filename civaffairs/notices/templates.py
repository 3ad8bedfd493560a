"""The notice templates shipped in `resources/templates/notices/*.toml` (UTF-8, one file each).

A template holds a display name, the working group it suits, and the default title, addressee,
body (in the markup of `civaffairs.notices.data.body_blocks`), attachments, copy-to and printing
office.  `{office}`, `{date}`, `{year}` in any text are filled in when a draft is made.

What the writer must fill in is written `（请填写：联系电话）` (full-width brackets, naming what to
fill); `placeholders()` finds these and the older forms (`（请填写）`, `XXX`, `××`, `____`) so that
a notice still carrying one is not issued."""
from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from typing import Any

from civaffairs.core.resources import resource_path
from civaffairs.printing.dates import chinese_date

BLANK = "blank"

PLACEHOLDER = "（请填写：{what}）"  # the one form the templates use
_PLACEHOLDER = re.compile(
    r"[（(]\s*请(?:填写|补充|输入)[^（()）]*[）)]"  # （请填写：联系电话）, （请填写）, (请补充)
    r"|[XＸ]{3,}|[xｘ]{3,}"  # XXX
    r"|[×✕]{2,}"  # ××××
    r"|[_＿]{3,}"  # ____
    r"|\{[A-Za-z_]+\}"  # a template variable that was never filled in
)


def placeholders(text: str) -> list[str]:
    """The placeholders left in `text`, in order of appearance, each distinct one once:
    `（请填写：联系电话）` and the older `（请填写）`, `XXX`, `××××`, `____`, `{name}`."""
    return list(dict.fromkeys(m.group(0) for m in _PLACEHOLDER.finditer(text)))


@dataclass(frozen=True)
class NoticeTemplate:
    key: str  # the file name without ".toml"
    order: int
    name: str  # shown in the "new notice" menu
    group: int  # the group it is written for (0 = bureau-wide)
    title: str
    addressee: str
    body: str
    attachments: tuple[str, ...]
    copy_to: str
    printing_office: str

    def placeholders(self) -> dict[str, list[str]]:
        """{field: its placeholders} for the fields that have any."""
        texts = {"title": self.title, "addressee": self.addressee, "body": self.body,
                 "attachments": "\n".join(self.attachments), "copy_to": self.copy_to,
                 "printing_office": self.printing_office}
        found = {name: placeholders(re.sub(r"\{(office|date|year)\}", "", text)) for name, text in texts.items()}
        return {name: marks for name, marks in found.items() if marks}

    def filled(self, *, office: str, today: date) -> dict[str, Any]:
        """The draft's fields, placeholders replaced."""
        def fill(text: str) -> str:
            return (text.replace("{office}", office).replace("{date}", chinese_date(today))
                    .replace("{year}", str(today.year)))

        return {
            "title": fill(self.title), "addressee": fill(self.addressee), "body": fill(self.body).strip("\n"),
            "attachments": [fill(a) for a in self.attachments], "signatory": office,
            "copy_to": fill(self.copy_to), "printing_office": fill(self.printing_office), "document_date": today,
        }


@functools.cache
def _load_all() -> dict[str, NoticeTemplate]:
    found = []
    for path in sorted(resource_path("templates", "notices").glob("*.toml")):
        with path.open("rb") as f:
            raw = tomllib.load(f)
        found.append(NoticeTemplate(
            key=path.stem, order=int(raw.get("order", 99)), name=str(raw["name"]), group=int(raw.get("group", 0)),
            title=str(raw["title"]), addressee=str(raw.get("addressee", "")), body=str(raw.get("body", "")),
            attachments=tuple(str(a) for a in raw.get("attachments", ())), copy_to=str(raw.get("copy_to", "")),
            printing_office=str(raw.get("printing_office", "")),
        ))
    return {t.key: t for t in sorted(found, key=lambda t: (t.order, t.key))}


def templates() -> list[NoticeTemplate]:
    """Every template, in menu order."""
    return list(_load_all().values())


def template(key: str) -> NoticeTemplate:
    """The template `key`; KeyError if there is none."""
    return _load_all()[key]
