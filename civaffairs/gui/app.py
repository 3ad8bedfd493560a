"""Starting the window: fonts, translations, the database, first start, log-in, main window."""
from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from civaffairs import __version__
from civaffairs.core import i18n
from civaffairs.core.i18n import _
from civaffairs.core.paths import resolve_data_dir
from civaffairs.core.resources import resource_path

log = logging.getLogger(__name__)

# Chinese UI faces in order of preference; the shipped WenQuanYi Micro Hei is always there.
UI_FONT_FAMILIES = ["Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei"]
SHIPPED_FONTS = ["wqy-microhei.ttc"]

_translators: list[QTranslator] = []


def register_fonts() -> list[str]:
    """Register the fonts in resources/fonts so Chinese renders on a PC without Chinese fonts."""
    families: list[str] = []
    for name in SHIPPED_FONTS:
        path = resource_path("fonts", name)
        font_id = QFontDatabase.addApplicationFont(str(path)) if path.exists() else -1
        if font_id < 0:
            log.warning("could not load font %s", path)
            continue
        families += QFontDatabase.applicationFontFamilies(font_id)
    return families


def install_translations(app: QApplication, language: str) -> None:
    """Our gettext catalogue for our texts, Qt's own catalogue for its dialogs and buttons."""
    i18n.set_language(language)
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for catalogue in ("qtbase", "qt"):
        t = QTranslator(app)
        if t.load(f"{catalogue}_{language}", qt_dir) or t.load(QLocale(), catalogue, "_", qt_dir):
            app.installTranslator(t)
            _translators.append(t)


def setup_application(app: QApplication, language: str) -> None:
    app.setOrganizationName("civaffairs")
    app.setApplicationName("civaffairs")
    app.setApplicationVersion(__version__)
    from civaffairs.gui import collector

    collector.install(app)  # garbage is collected on the GUI thread only
    register_fonts()
    from civaffairs.gui.style import CivaffairsStyle

    if not isinstance(app.style(), CivaffairsStyle):
        app.setStyle(CivaffairsStyle(app.style().name()))
    font = QFont(app.font())
    font.setFamilies(UI_FONT_FAMILIES)
    font.setPointSize(max(font.pointSize(), 10))
    app.setFont(font)
    icon = resource_path("icons", "civaffairs.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    install_translations(app, language)


def setup_logging(data_dir) -> None:  # type: ignore[no-untyped-def]
    """A log in the data folder, for the administrator when something went wrong."""
    from logging.handlers import RotatingFileHandler

    data_dir.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(data_dir / "civaffairs.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "civaffairs_log", False)]:
        root.removeHandler(old)  # one log file, even when started twice in a process
        old.close()
    handler.civaffairs_log = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def install_exception_hook() -> None:
    """An error nobody caught (in a slot, say) is shown and logged; the window stays open."""
    from civaffairs.gui.errors import present_error

    def hook(kind, error, trace):  # type: ignore[no-untyped-def]
        log.error("uncaught error", exc_info=(kind, error, trace))
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            sys.__excepthook__(kind, error, trace)
            return
        present_error(QApplication.activeWindow(), error)

    sys.excepthook = hook


def start(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Everything up to the event loop: fonts, language, data folder, database, and the first
    window (first start or log-in).  Returns the `Startup`, or None when the database cannot be
    opened (the user has been told)."""
    from civaffairs.core.errors import DatabaseDamaged
    from civaffairs.db.bootstrap import open_database
    from civaffairs.gui.settings import Preferences
    from civaffairs.gui.startup import Startup

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    prefs = Preferences()
    setup_application(app, args.lang or prefs.language)
    data_dir = resolve_data_dir(args.data_dir, prefs.data_dir)
    setup_logging(data_dir)
    install_exception_hook()
    try:
        try:
            db = open_database(data_dir, args.database_url)
        except DatabaseDamaged as damaged:
            from civaffairs.gui.backup_dialog import offer_restore

            if not offer_restore(damaged, data_dir):
                return None
            db = open_database(data_dir, args.database_url)  # the restored database
    except DatabaseDamaged as again:  # the restored file would not open either
        QMessageBox.critical(None, _("The database cannot be opened"), again.message)
        return None
    except Exception as e:  # noqa: BLE001 - a clear message instead of a traceback
        log.exception("cannot open the database")
        QMessageBox.critical(None, _("Cannot open the database"),
                             _("The database could not be opened:\n{error}\n\nData folder: {folder}").format(
                                 error=e, folder=data_dir))
        return None
    startup = Startup(db, data_dir, prefs)
    startup.start()
    return startup


def run(args: argparse.Namespace) -> int:
    startup = start(args)
    if startup is None:
        return 1
    code = QApplication.instance().exec()  # type: ignore[union-attr]
    startup.db.dispose()
    return code
