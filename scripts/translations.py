"""Keep the gettext catalogues in step with the code.

    python scripts/translations.py update    # extract texts, merge them into the .po files
    python scripts/translations.py compile   # .po → .mo (the program reads the .mo files)
    python scripts/translations.py fill FILE.tsv [FILE.tsv ...]
                                             # update, then take translations from TSV files
                                             # (English<TAB>Chinese, one text a line; "\\n" for a
                                             # line break), then compile

Texts are marked in the code with `_()` and `N_()` (civaffairs.core.i18n); translate the new
entries of resources/translations/zh_CN/LC_MESSAGES/civaffairs.po (or list them in a TSV file and
`fill`), then compile.  A test fails while any text lacks a Chinese translation or a .mo file is
stale.  Every command holds a lock on the catalogue, so that several people (or scripts) working
in one checkout never overwrite each other's entries."""
from __future__ import annotations

import fcntl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "resources" / "translations"
POT = TRANSLATIONS / "civaffairs.pot"
LANGUAGES = ["zh_CN"]
LOCK = TRANSLATIONS / ".lock"


@contextmanager
def locked() -> Iterator[None]:
    with LOCK.open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def _po(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "civaffairs.po"


def update() -> None:
    pybabel("extract", "-F", "babel.cfg", "-k", "_", "-k", "N_", "--no-location", "--sort-output",
            "--project", "civaffairs", "-o", str(POT), "civaffairs")
    for lang in LANGUAGES:
        po = _po(lang)
        if po.exists():
            pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-D", "civaffairs", "-l", lang,
                    "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-D", "civaffairs", "-l", lang)


def compile_catalogues() -> None:
    pybabel("compile", "-d", str(TRANSLATIONS), "-D", "civaffairs", "--statistics")


def read_tsv(paths: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" not in line:
                raise SystemExit(f"{path}:{n}: no tab between the English and the Chinese text")
            english, chinese = line.split("\t", 1)
            pairs[english.replace("\\n", "\n")] = chinese.replace("\\n", "\n")
    return pairs


def fill(paths: list[str], lang: str = "zh_CN") -> None:
    from babel.messages.pofile import read_po, write_po

    pairs = read_tsv(paths)
    update()
    po = _po(lang)
    with po.open("rb") as f:
        catalogue = read_po(f, locale=lang)
    filled = 0
    for message in catalogue:
        if message.id and isinstance(message.id, str) and message.id in pairs:
            if message.string != pairs[message.id]:
                message.string = pairs[message.id]
                filled += 1
            message.flags.discard("fuzzy")
    with po.open("wb") as f:
        write_po(f, catalogue, width=0, sort_output=True, omit_header=False)
    missing = sorted(m.id for m in catalogue if m.id and not m.string)
    compile_catalogues()
    print(f"filled {filled} translations; {len(missing)} texts still untranslated")
    for text in missing:
        print("  untranslated:", repr(text))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    with locked():
        if command == "fill":
            fill(sys.argv[2:])
        else:
            {"update": update, "compile": compile_catalogues}[command]()
