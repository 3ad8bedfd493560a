"""Fonts for paper: Windows faces when the PC has them, shipped stand-ins elsewhere, old template
names mapped to roles, and a missing character named instead of printed blank."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

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
