"""Fonts for paper: the Windows faces an office expects when the PC has them, the fonts shipped in
`resources/fonts/` everywhere else, always embedded (as subsets) in the PDF.

Official documents name their faces the old way (仿宋_GB2312, 方正小标宋简体, …): `role_for()`
maps such names to a role, and `font()` gives the registered ReportLab font for a role.
Every string is checked against the font's character map before it is printed: a character the
font lacks is an error that names it, never a blank on paper."""
from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from civaffairs.core.errors import CivaffairsError
from civaffairs.core.i18n import N_, _
from civaffairs.core.resources import resource_path


class FontRole(StrEnum):
    SONG = "song"  # 宋体: register printouts, page numbers
    HEI = "hei"  # 黑体: first-level headings
    KAI = "kai"  # 楷体: second-level headings
    FANGSONG = "fangsong"  # 仿宋: the body of official documents
    TITLE = "title"  # 小标宋: the issuing-office mark and the title


ROLE_LABELS = {
    FontRole.SONG: N_("Song"), FontRole.HEI: N_("Hei"), FontRole.KAI: N_("Kai"),
    FontRole.FANGSONG: N_("FangSong"), FontRole.TITLE: N_("Xiaobiaosong"),
}

# Windows files, best first.  STxxx are the faces Office installs; FZXBSJW is 方正小标宋简体.
WINDOWS_FILES: dict[FontRole, list[tuple[str, int]]] = {
    FontRole.SONG: [("simsun.ttc", 0), ("STSONG.TTF", 0)],
    FontRole.HEI: [("simhei.ttf", 0), ("STXIHEI.TTF", 0)],
    FontRole.KAI: [("simkai.ttf", 0), ("STKAITI.TTF", 0)],
    FontRole.FANGSONG: [("simfang.ttf", 0), ("STFANGSO.TTF", 0)],
    FontRole.TITLE: [("FZXBSJW.TTF", 0), ("方正小标宋简体.TTF", 0), ("simsun.ttc", 0)],
}

# Shipped stand-ins (see resources/fonts/README.md).  Fandol FangSong is a real 仿宋 for the body;
# the heavy Fandol Song Bold stands in for 小标宋 in the mark and the title.  Both are converted
# from CFF to TrueType outlines by scripts/convert_fonts.py, since ReportLab embeds only glyf fonts.
SHIPPED_FILES: dict[FontRole, tuple[str, int]] = {
    FontRole.SONG: ("uming.ttc", 0),
    FontRole.HEI: ("wqy-microhei.ttc", 0),
    FontRole.KAI: ("ukai.ttc", 0),
    FontRole.FANGSONG: ("FandolFang-Regular.ttf", 0),
    FontRole.TITLE: ("FandolSong-Bold.ttf", 0),
}

# Names found in templates and Word documents → role.
ALIASES: dict[str, FontRole] = {
    "宋体": FontRole.SONG, "simsun": FontRole.SONG, "song": FontRole.SONG, "新宋体": FontRole.SONG,
    "黑体": FontRole.HEI, "simhei": FontRole.HEI, "hei": FontRole.HEI,
    "楷体": FontRole.KAI, "楷体_gb2312": FontRole.KAI, "kaiti": FontRole.KAI, "kai": FontRole.KAI,
    "仿宋": FontRole.FANGSONG, "仿宋_gb2312": FontRole.FANGSONG, "fangsong": FontRole.FANGSONG,
    "fangsong_gb2312": FontRole.FANGSONG,
    "小标宋": FontRole.TITLE, "方正小标宋简体": FontRole.TITLE, "方正小标宋_gbk": FontRole.TITLE,
    "华文中宋": FontRole.TITLE, "title": FontRole.TITLE,
}


class MissingGlyph(CivaffairsError):
    """A character the chosen font cannot print."""

    def __init__(self, char: str, font: "PrintFont", context: str = "") -> None:
        self.char, self.font = char, font
        if context:
            msg = _("The character “{char}” (U+{code:04X}) in “{text}” is not in the font {font}, "
                    "so it cannot be printed.")
        else:
            msg = _("The character “{char}” (U+{code:04X}) is not in the font {font}, so it cannot be printed.")
        super().__init__(msg.format(char=char, code=ord(char), font=font.label, text=context[:40]))


@dataclass(frozen=True)
class PrintFont:
    role: FontRole
    name: str  # the name registered with ReportLab
    path: Path
    subfont: int
    system: bool  # a Windows font rather than a shipped stand-in
    label: str  # for messages: "仿宋 (simfang.ttf)"

    def covers(self, char: str) -> bool:
        return char.isspace() or ord(char) in _cmaps[self.name]

    def check(self, text: str) -> str:
        """`text`, or MissingGlyph naming the first character this font lacks."""
        for char in text:
            if not self.covers(char):
                raise MissingGlyph(char, self, text)
        return text


def role_for(name: str) -> FontRole:
    """The role of a face named in a template ("仿宋_GB2312" → FANGSONG)."""
    key = name.strip().lower()
    if key in ALIASES:
        return ALIASES[key]
    raise KeyError(name)


def windows_fonts_dirs() -> list[Path]:
    """Where Windows keeps fonts: its own folder, then the user's.  A font installed without
    administrator rights (as 方正小标宋简体 often is on an office PC) goes to the user's folder,
    %LOCALAPPDATA%\\Microsoft\\Windows\\Fonts.  `CIVAFFAIRS_SYSTEM_FONTS` overrides (for tests)."""
    override = os.environ.get("CIVAFFAIRS_SYSTEM_FONTS")
    if override:
        return [Path(override)]
    if sys.platform != "win32":
        return []
    windows = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
    folders = [Path(windows) / "Fonts"]
    if local := os.environ.get("LOCALAPPDATA"):
        folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return folders


_lock = threading.Lock()
_fonts: dict[FontRole, PrintFont] = {}
_cmaps: dict[str, frozenset[int]] = {}


def _choose(role: FontRole) -> tuple[Path, int, bool]:
    folders = windows_fonts_dirs()
    for filename, index in WINDOWS_FILES[role]:  # the best face wherever it is installed
        for folder in folders:
            path = folder / filename
            if path.exists():
                return path, index, True
    filename, index = SHIPPED_FILES[role]
    return resource_path("fonts", filename), index, False


def font(role: FontRole) -> PrintFont:
    """The font for `role`, registered with ReportLab once per process (that costs ~60 ms)."""
    with _lock:
        if role in _fonts:
            return _fonts[role]
        path, index, system = _choose(role)
        name = f"civ-{path.stem}-{index}"
        if name not in _cmaps:
            tt = TTFont(name, str(path), subfontIndex=index)
            pdfmetrics.registerFont(tt)
            _cmaps[name] = frozenset(tt.face.charToGlyph)
        label = (_("{role} ({file})") if system else _("{role} stand-in ({file})")).format(
            role=_(ROLE_LABELS[role]), file=path.name)
        _fonts[role] = PrintFont(role, name, path, index, system, label)
        return _fonts[role]


def reset() -> None:
    """Forget the choices (tests that change CIVAFFAIRS_SYSTEM_FONTS call this)."""
    with _lock:
        _fonts.clear()
