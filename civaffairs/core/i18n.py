"""One translation system for Qt-free and Qt code alike.

Messages are written in English in the code and looked up in gettext catalogues compiled with
Babel (`resources/translations/<lang>/LC_MESSAGES/civaffairs.mo`).  Simplified Chinese is the
default; English is the source language, so it needs no catalogue.  Qt's own dialogs are
translated by `civaffairs.gui.app`, which loads Qt's catalogue for the same language.

Texts defined at import time (labels in field specs) are marked with `N_` and translated where
they are shown, so that the language can be chosen after the modules are imported.
"""
from __future__ import annotations

import gettext as _gettext

from civaffairs.core.resources import resource_path

DOMAIN = "civaffairs"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def set_language(language: str | None) -> str:
    """Switch every later `_()` call to `language`; unknown codes fall back to Chinese."""
    global _translation, _language
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    if language == "en":
        _translation = _gettext.NullTranslations()
    else:
        # fallback: a missing catalogue shows English rather than crashing; a test guards it.
        _translation = _gettext.translation(
            DOMAIN, localedir=str(resource_path("translations")), languages=[language], fallback=True
        )
    _language = language
    return language


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a text for extraction; it is translated later, where it is shown."""
    return message


set_language(DEFAULT_LANGUAGE)
