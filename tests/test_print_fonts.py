"""Fonts for paper: Windows faces when the PC has them, shipped stand-ins elsewhere, old template
names mapped to roles, and a missing character named instead of printed blank."""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pdfplumber
import pytest

from civaffairs.core.resources import resource_path
from civaffairs.printing import fonts
from civaffairs.printing.fonts import FontRole, MissingGlyph, font, role_for


@pytest.fixture(autouse=True)
def _fresh_choice(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("CIVAFFAIRS_SYSTEM_FONTS", raising=False)
    fonts.reset()
    yield
    fonts.reset()


@pytest.mark.parametrize(("name", "role"), [
    ("仿宋_GB2312", FontRole.FANGSONG), ("仿宋", FontRole.FANGSONG), ("FangSong_GB2312", FontRole.FANGSONG),
    ("楷体_GB2312", FontRole.KAI), ("黑体", FontRole.HEI), ("宋体", FontRole.SONG), ("SimSun", FontRole.SONG),
    ("方正小标宋简体", FontRole.TITLE), ("小标宋", FontRole.TITLE),
])
def test_template_font_names_map_to_roles(name: str, role: FontRole) -> None:
    assert role_for(name) is role


def test_an_unknown_face_is_not_guessed() -> None:
    with pytest.raises(KeyError):
        role_for("Comic Sans")


def test_without_windows_fonts_the_shipped_stand_ins_are_used() -> None:
    for role in FontRole:
        chosen = font(role)
        assert not chosen.system
        assert chosen.path.parent == resource_path("fonts")


def test_windows_fonts_are_preferred_when_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in file under the Windows name: what matters is which file is chosen.
    shutil.copy(resource_path("fonts", "ukai.ttc"), tmp_path / "simfang.ttf")
    monkeypatch.setenv("CIVAFFAIRS_SYSTEM_FONTS", str(tmp_path))
    fonts.reset()
    fangsong = font(FontRole.FANGSONG)
    assert fangsong.system and fangsong.path == tmp_path / "simfang.ttf"
    assert "simfang.ttf" in fangsong.label
    assert not font(FontRole.HEI).system  # simhei.ttf is absent: the shipped face stands in
    assert fangsong.check("麦民发〔2021〕12号") == "麦民发〔2021〕12号"


def test_a_missing_character_is_named() -> None:
    song = font(FontRole.SONG)
    rare = next(c for c in "\U0002A6A5\U0001F637\u9fef" if not song.covers(c))
    with pytest.raises(MissingGlyph) as caught:
        song.check(f"请注意{rare}字")
    assert rare in caught.value.message and f"{ord(rare):04X}" in caught.value.message


def test_the_stand_ins_are_fandol_fangsong_and_song_bold() -> None:
    assert font(FontRole.FANGSONG).path.name == "FandolFang-Regular.ttf"
    assert font(FontRole.TITLE).path.name == "FandolSong-Bold.ttf"
    for filename in ("LICENSE-fandol.txt", "LICENSE-fandol-GPL-3.txt", "README-fandol.txt"):
        assert resource_path("fonts", filename).stat().st_size > 0
    assert "font exception" in resource_path("fonts", "LICENSE-fandol.txt").read_text(encoding="utf-8").lower()


def test_the_stand_ins_cover_every_template_character() -> None:
    text = "〔〕" + "".join(p.read_text(encoding="utf-8")
                           for p in resource_path("templates", "notices").glob("*.toml"))
    text = "".join(line for line in text.splitlines() if not line.startswith("#"))  # comments are not printed
    for role in (FontRole.FANGSONG, FontRole.TITLE, FontRole.HEI, FontRole.KAI):
        missing = sorted({c for c in text if not font(role).covers(c)})
        assert missing == [], (role, missing)


def test_a_notice_embeds_fandol_and_sets_its_body_in_fangsong(tmp_path: Path) -> None:
    if not shutil.which("pdffonts"):
        pytest.skip("poppler's pdffonts is not installed")
    from civaffairs.notices import templates
    from civaffairs.notices.data import NoticeStatus
    from civaffairs.printing.notice_pdf import render_notice

    notice = templates.template("assistance").filled(office="天水市麦积区民政局", today=date(2021, 10, 25))
    notice.update(status=NoticeStatus.ISSUED, document_number="麦民发〔2021〕12号", issue_date=date(2021, 10, 25))
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_notice(notice, office_mark="天水市麦积区民政局文件"))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    embedded = {line.split()[0].split("+")[-1]: line.split()[-5] for line in listing.splitlines()[2:]}
    assert embedded.get("FandolFang-Regular") == "yes" and embedded.get("FandolSong-Bold") == "yes", listing
    assert set(embedded.values()) == {"yes"}, listing
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[0].chars
    first = next(c for c in chars if c["text"] == "为" and abs(c["size"] - 16) < 0.05)  # "为深入贯彻…"
    body = [c for c in chars if abs(c["size"] - 16) < 0.05 and abs(c["top"] - first["top"]) < 0.5]
    title = [c for c in chars if abs(c["size"] - 22) < 0.05]
    assert body and {c["fontname"].split("+")[-1] for c in body} == {"FandolFang-Regular"}
    assert title and {c["fontname"].split("+")[-1] for c in title} == {"FandolSong-Bold"}
