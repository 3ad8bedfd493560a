"""Every text the program shows has a Chinese translation, and the compiled catalogue is current."""
from __future__ import annotations

import gettext
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from civaffairs.core import i18n
from civaffairs.core.resources import resource_path

ROOT = Path(__file__).resolve().parents[1]
PO = resource_path("translations", "zh_CN", "LC_MESSAGES", "civaffairs.po")
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _texts_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT / "civaffairs"), method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue():  # type: ignore[no-untyped-def]
    with PO.open("rb") as f:
        return read_po(f, locale="zh_CN")


def test_every_text_in_the_code_has_a_chinese_translation() -> None:
    catalogue = _catalogue()
    missing = sorted(t for t in _texts_in_code()
                     if not (m := catalogue.get(t)) or not m.string or m.fuzzy)
    assert missing == [], f"untranslated (run scripts/translations.py update, translate, compile): {missing}"


def test_translations_keep_their_placeholders() -> None:
    for message in _catalogue():
        if message.id and message.string:
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), message.id


def test_compiled_catalogue_matches_the_po_file() -> None:
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [m.id for m in _catalogue() if m.id and m.string and compiled.gettext(m.id) != m.string]
    assert stale == [], "run: python scripts/translations.py compile"


def test_chinese_is_the_default_and_english_on_request() -> None:
    assert i18n.set_language(None) == "zh_CN"
    assert i18n._("Name") == "姓名"
    i18n.set_language("en")
    assert i18n._("Name") == "Name"
    i18n.set_language("zh_CN")
