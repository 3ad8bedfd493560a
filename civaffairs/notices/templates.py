"""The notice templates shipped in `resources/templates/notices/*.toml` (UTF-8, one file each).

A template holds a display name, the working group it suits, and the default title, addressee,
body (in the markup of `civaffairs.notices.data.body_blocks`), attachments, copy-to and printing
office.  `{office}`, `{date}`, `{year}` in any text are filled in when a draft is made."""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import date
from typing import Any

from civaffairs.core.resources import resource_path
from civaffairs.notices.data import chinese_date

BLANK = "blank"


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
