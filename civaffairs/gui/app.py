"""Starting the window: fonts, translations, the database, first start, log-in, main window."""
from __future__ import annotations

import argparse
import logging
import sys
import threading

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTranslator, Signal
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


class DatabaseOpening(QObject):
    """Opens (and migrates, and checks) the database in a thread of its own, so that the log-in
    can be on screen before the database layer is even imported: SQLAlchemy, Alembic, the
    groups' models and a migration check take several times as long as the window itself."""

    sig_done = Signal(object, object)  # (the Database or None, the error or None)

    def __init__(self, data_dir, database_url: str | None) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.result: tuple[object, BaseException | None] | None = None
        self._thread = threading.Thread(target=self._open, args=(data_dir, database_url), daemon=True,
                                        name="open-database")

    def start(self) -> None:
        self._thread.start()

    def wait(self) -> tuple[object, BaseException | None]:
        self._thread.join()
        assert self.result is not None
        return self.result

    def _open(self, data_dir, database_url: str | None) -> None:  # type: ignore[no-untyped-def]
        try:
            from civaffairs.db.bootstrap import open_database

            self.result = (open_database(data_dir, database_url), None)
        except Exception as e:  # noqa: BLE001 - shown on the GUI thread (_opened)
            self.result = (None, e)
        from civaffairs.gui.signals import emit

        emit(self.sig_done, *self.result)


def _opened(db, error: BaseException | None, data_dir, args: argparse.Namespace, prefs,  # type: ignore[no-untyped-def]
            login=None):
    """The database is open (or not): the first window on it, or the user told why not.
    Returns the `Startup`, or None."""
    from civaffairs.core.errors import CivaffairsError, DatabaseDamaged
    from civaffairs.gui.startup import Startup

    try:
        if isinstance(error, DatabaseDamaged):
            from civaffairs.db.bootstrap import open_database
            from civaffairs.gui.backup_dialog import offer_restore

            if login is not None:
                login.hide()
            if not offer_restore(error, data_dir):
                return None
            db = open_database(data_dir, args.database_url)  # the restored database
        elif error is not None:
            raise error
    except DatabaseDamaged as again:  # the restored file would not open either
        QMessageBox.critical(None, _("The database cannot be opened"), again.message)
        return None
    except Exception as e:  # noqa: BLE001 - a clear message instead of a traceback
        log.error("cannot open the database", exc_info=e)
        QMessageBox.critical(None, _("Cannot open the database"),
                             _("The database could not be opened:\n{error}\n\nData folder: {folder}").format(
                                 error=e.message if isinstance(e, CivaffairsError) else e, folder=data_dir))
        return None
    startup = Startup(db, data_dir, prefs, login_dialog=login if login is not None and login.isVisible() else None)
    startup.start()
    return startup


class Launch:
    """The program between its first window and the event loop's end: the `Startup` arrives
    once the database is open (`start(..., wait=False)`)."""

    def __init__(self) -> None:
        self.startup = None
        self.opening: DatabaseOpening | None = None


def start(args: argparse.Namespace, *, wait: bool = True):  # type: ignore[no-untyped-def]
    """Everything up to the event loop: fonts, language, data folder, database, and the first
    window (first start or log-in).

    `wait=True`: returns the `Startup` once the database is open, or None when it cannot be
    opened (the user has been told).  `wait=False` (the program): on a PC that has logged in
    before, the log-in is shown at once and the database opens meanwhile; returns a `Launch`
    whose `startup` is set when it is open (the event loop quits with 1 if it cannot be)."""
    from civaffairs.gui.settings import Preferences

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    prefs = Preferences()
    setup_application(app, args.lang or prefs.language)
    data_dir = resolve_data_dir(args.data_dir, prefs.data_dir)
    setup_logging(data_dir)
    install_exception_hook()
    opening = DatabaseOpening(data_dir, args.database_url)
    if wait or not prefs.last_username:  # a first start on this PC: its first window needs the database
        opening.start()
        startup = _opened(*opening.wait(), data_dir, args, prefs)
        if wait:
            return startup
        launch = Launch()
        launch.startup = startup
        return launch if startup is not None else None
    from civaffairs.gui.login import LoginDialog

    login = LoginDialog(None, prefs.office_name_seen, prefs)
    login.show()
    launch = Launch()
    launch.opening = opening

    def done(db, error: BaseException | None) -> None:  # type: ignore[no-untyped-def]
        launch.startup = _opened(db, error, data_dir, args, prefs, login)
        if launch.startup is None:
            login.close()
            app.exit(1)

    opening.sig_done.connect(done, Qt.ConnectionType.QueuedConnection)
    opening.start()
    return launch


def run(args: argparse.Namespace) -> int:
    launch = start(args, wait=False)
    if launch is None:
        return 1
    code = QApplication.instance().exec()  # type: ignore[union-attr]
    if launch.startup is not None:
        launch.startup.db.dispose()
    return code
