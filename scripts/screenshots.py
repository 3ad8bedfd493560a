"""Offscreen screenshots of the main window and the forms, in Chinese (or --lang en).

    python scripts/screenshots.py [--out docs/screenshots] [--lang zh_CN]

Builds a throwaway database with demo data, logs in as the administrator and grabs the screens."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--lang", default="zh_CN")
    args = parser.parse_args()
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
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        shots.append(path)

    grab(FirstRunDialog(db), "first-start")
    demo.create_accounts(db)
    demo.fill(db, staff=36, days=14)
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
