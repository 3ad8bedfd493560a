"""Keep the gettext catalogues in step with the code.

    python scripts/translations.py update    # extract texts, merge them into the .po files
    python scripts/translations.py compile   # .po → .mo (the program reads the .mo files)

Texts are marked in the code with `_()` and `N_()` (civaffairs.core.i18n); translate the new
entries of resources/translations/zh_CN/LC_MESSAGES/civaffairs.po, then compile.  A test fails
while any text lacks a Chinese translation or a .mo file is stale."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "resources" / "translations"
POT = TRANSLATIONS / "civaffairs.pot"
LANGUAGES = ["zh_CN"]


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def update() -> None:
    pybabel("extract", "-F", "babel.cfg", "-k", "_", "-k", "N_", "--no-location", "--sort-output",
            "--project", "civaffairs", "-o", str(POT), "civaffairs")
    for lang in LANGUAGES:
        po = TRANSLATIONS / lang / "LC_MESSAGES" / "civaffairs.po"
        if po.exists():
            pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-D", "civaffairs", "-l", lang,
                    "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-D", "civaffairs", "-l", lang)


def compile_catalogues() -> None:
    pybabel("compile", "-d", str(TRANSLATIONS), "-D", "civaffairs", "--statistics")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    {"update": update, "compile": compile_catalogues}[command]()
