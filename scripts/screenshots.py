"""Offscreen screenshots of the main window and the forms, in Chinese (or --lang en).

    python scripts/screenshots.py [--out docs/screenshots] [--lang zh_CN] [--today 2021-11-05]
                                  [--only assistance --only supervision]

Builds a throwaway database with demo data, logs in as the administrator and grabs the screens.
The program's clock (civaffairs.core.clock) is set to the demo's day, 5 November 2021, 10:00,
before anything is made, so the demo's records, the date filters, the overdue lists and the
overview all show that day (`--today now` keeps the machine's clock).  `--only PREFIX` saves only the
screens whose names start with PREFIX (the others are still opened, not saved)."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QDate, QDateTime, QSettings, QTime
from PySide6.QtWidgets import QApplication

DEMO_DAY = date(2021, 11, 5)  # the demo's "today": the brief's figures are as of this day


class DemoClock:
    """The program's clock (civaffairs.core.clock.now_utc) moved to a chosen moment, running on
    from there.  Installed before any other module of the program is imported (they bind `now_utc`
    when imported); `move_to` moves it later.  The Qt date widgets that start on
    QDate.currentDate() follow the same clock in this process."""

    def __init__(self) -> None:
        from civaffairs.core import clock

        self.real = clock.now_utc
        self.offset = timedelta(0)
        clock.now_utc = lambda: self.real() + self.offset

        def qt_now() -> QDateTime:
            moment = clock.now_utc().astimezone()
            return QDateTime(QDate(moment.year, moment.month, moment.day),
                             QTime(moment.hour, moment.minute, moment.second))

        QDate.currentDate = staticmethod(lambda: qt_now().date())  # type: ignore[method-assign]
        QDateTime.currentDateTime = staticmethod(qt_now)  # type: ignore[method-assign]

    def move_to(self, day: date, at: time_of_day) -> None:
        self.offset = datetime.combine(day, at).astimezone() - self.real()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--lang", default="zh_CN")
    parser.add_argument("--today", default=DEMO_DAY.isoformat(),
                        help="the program's day (YYYY-MM-DD), or 'now' for the machine's clock")
    parser.add_argument("--only", action="append", default=[], metavar="PREFIX",
                        help="save only the screens whose names start with PREFIX (may be repeated)")
    args = parser.parse_args()
    clock = None
    if args.today != "now":
        clock = DemoClock()
        clock.move_to(date.fromisoformat(args.today), time_of_day(10, 0))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="civaffairs-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))

    app = QApplication([])
    from civaffairs import demo
    from civaffairs.accounts.roles import Actor, Role
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.bureau_office.fields import CHECK_INS, STAFF
    from civaffairs.gui.app import setup_application
    from civaffairs.gui.context import AppContext
    from civaffairs.gui.main_window import MainWindow
    from civaffairs.gui.operations import Operations
    from civaffairs.gui.settings import Preferences
    from civaffairs.gui.first_run import FirstRunDialog
    from civaffairs.gui.login import LoginDialog

    setup_application(app, args.lang)
    db = open_database(work / "data")
    shots: list[Path] = []

    def grab(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        widget.show()
        app.processEvents()
        if args.only and not name.startswith(tuple(args.only)):
            return
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        shots.append(path)

    grab(FirstRunDialog(db), "first-start")
    demo.create_accounts(db)
    demo.fill(db, staff=36, days=14)
    if clock is not None:
        # The volunteers' night shifts of 5 November sign out at 06:00 the next morning: the other
        # groups' demos are written from then, as `civaffairs demo` run after the demo's day would.
        today = date.fromisoformat(args.today)
        clock.move_to(max(today, DEMO_DAY + timedelta(days=1)), time_of_day(8, 0))
        demo.fill_groups(db)
        clock.move_to(today, time_of_day(10, 0))
    else:
        demo.fill_groups(db)
    demo.fill_notices(db)
    grab(LoginDialog(db, demo.DEMO_OFFICE, Preferences()), "login")

    actor = Actor("admin", "系统管理员", Role.ADMINISTRATOR)
    ctx = AppContext(db, Operations(db, actor), actor, work / "data", Preferences(), demo.DEMO_OFFICE)
    window = MainWindow(ctx)
    window.resize(1280, 800)
    grab(window, "main-overview")
    window.tabs.setCurrentIndex(1)
    bureau = window.group_tabs[0]
    grab(window, "bureau-today")
    for i, key in enumerate([STAFF.key, CHECK_INS.key, "bureau_office.visitors", "bureau_office.disinfection"], start=1):
        bureau.pages.setCurrentIndex(i)
        grab(window, f"bureau-{key.split('.')[1]}")
    view = bureau.register_views[CHECK_INS.key]
    view.select_row(0)
    form = view.edit_selected()
    assert form is not None
    form.resize(560, 640)
    grab(form, "check-in-form")
    form.close()
    staff_form = bureau.register_views[STAFF.key].add_record()
    assert staff_form is not None
    staff_form.editors["name"].set_value("张三")
    staff_form.editors["id_number"].set_value("620503198001011235")
    staff_form.save()
    grab(staff_form, "staff-form-error")
    staff_form.close()

    # Notices: the group's list, a draft in the editor, the issue dialog, the print preview.
    from civaffairs.gui.printing.preview import PdfPreviewDialog
    from civaffairs.notices import service as notices
    from civaffairs.printing.notice_pdf import render_notice

    window.tabs.setCurrentIndex(0)
    grab(window, "main-overview")
    window.tabs.setCurrentIndex(4)  # assistance
    assistance = window.group_tabs[3]
    assistance.pages.setCurrentWidget(assistance.notices)
    grab(window, "assistance-notices")
    editor = assistance.notices.new_from_template("assistance")
    assert editor is not None
    grab(editor, "notice-editor")
    issue = editor.save_and_issue()
    assert issue is not None
    grab(issue, "notice-issue")
    issue.reject()
    editor.close()
    with db.read() as s:
        notice = next(n for n in notices.list_notices(s, actor) if n.document_number)
        pdf = render_notice(notice, office_mark=notices.office_mark(s, notice))
    preview = PdfPreviewDialog(pdf, notice.title)
    preview.resize(900, 900)
    preview.show()
    import time
    deadline = time.monotonic() + 3  # QPdfView renders its pages in the background
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.05)
    grab(preview, "notice-preview")
    preview.close()

    # Groups 2 to 7 and the supervision teams: every page, the first record selected (its detail
    # pane shows), and each register's form; fast entry; the statistics dialog.
    from PySide6.QtWidgets import QTabWidget

    from civaffairs.gui.register_view import RegisterView

    for index, prefix in ((2, "institutions"), (3, "community"), (4, "assistance"), (5, "organisations"),
                          (6, "donations"), (7, "volunteers"), (8, "supervision")):
        window.tabs.setCurrentIndex(index)
        tab = window.tabs.currentWidget()
        pages = tab.findChild(QTabWidget, "pages")
        if pages is None:
            continue
        for i in range(pages.count()):
            pages.setCurrentIndex(i)
            page = pages.currentWidget()
            name = page.spec.key.split(".")[-1] if isinstance(page, RegisterView) else f"page{i + 1}"
            if isinstance(page, RegisterView) and page.model.total_count():
                page.select_row(0)
            grab(window, f"{prefix}-{name}")
            if isinstance(page, RegisterView) and page.can_write:
                form = page.add_record()
                if form is not None:
                    grab(form, f"{prefix}-{name}-form")
                    form.close()
    window.tabs.setCurrentIndex(3)
    community = window.tabs.currentWidget()
    entry_view = next((v for v in community.findChildren(RegisterView) if v.spec.key.endswith("entries")), None)
    if entry_view is not None:
        fast = entry_view.start_fast_entry()
        if fast is not None:
            grab(fast, "community-fast-entry")
            fast.close()
    window.tabs.setCurrentIndex(0)
    window.overview.open_statistics()
    grab(window.overview.statistics_dialog, "statistics-dialog")
    window.overview.statistics_dialog.close()
    for path in shots:
        print(path)
    # An orderly end: windows closed and deleted by Qt before Python tears the wrappers down.
    app.closeAllWindows()
    for widget in app.topLevelWidgets():
        widget.deleteLater()
    app.processEvents()
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
