"""The real window, driven as a clerk would: first start, log-in, the eight tabs, a staff member
with a wrong ID check digit, the fix, the table, the audit log."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from civaffairs.audit import service as audit
from civaffairs.db.bootstrap import open_database
from civaffairs.groups import GROUPS
from civaffairs.groups.bureau_office.fields import STAFF
from civaffairs.gui.settings import Preferences
from civaffairs.gui.startup import Startup

GOOD_ID = "11010519491231002X"
BAD_ID = "110105194912310021"  # the check character should be X
PASSWORD = "s3cret-pass"


def type_text(qtbot: QtBot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type as a user would; Chinese arrives whole, as an input method commits it (QTest cannot
    synthesise key events for CJK characters)."""
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.setFocus()
        edit.insert(text)


def _first_start(qtbot: QtBot, data_dir: Path) -> Startup:
    db = open_database(data_dir)
    startup = Startup(db, data_dir, Preferences())
    startup.start()
    dialog = startup.first_run_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.office_name, "天水市麦积区民政局")
    qtbot.keyClicks(dialog.username, "admin")
    type_text(qtbot, dialog.display_name, "王主任")
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.password_confirm, PASSWORD)
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert startup.login_dialog is not None and startup.login_dialog.isVisible()
    qtbot.addWidget(startup.login_dialog)
    return startup


def _log_in(qtbot: QtBot, startup: Startup, password: str) -> None:
    login = startup.login_dialog
    assert login is not None
    login.username.setText("admin")
    login.password.clear()
    qtbot.keyClicks(login.password, password)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)


def test_first_start_login_tabs_staff_with_bad_id_and_audit(qtbot: QtBot, data_dir: Path) -> None:
    startup = _first_start(qtbot, data_dir)
    assert startup.login_dialog.findChild(type(startup.login_dialog.message), "officeName").text() == "天水市麦积区民政局"
    with qtbot.waitSignal(startup.sig_main_window_shown, timeout=5000):
        _log_in(qtbot, startup, PASSWORD)
    window = startup.main_window
    qtbot.addWidget(window)

    # The overview, the seven groups in the order of the brief, the supervision teams; each opens.
    tabs = window.tabs
    assert tabs.count() == 9
    assert tabs.tabText(0) == "总览"
    assert [tabs.tabText(i) for i in range(1, 8)] == [g.short_name for g in GROUPS]
    assert tabs.tabText(8) == "督查"
    assert GROUPS[0].name == "局机关疫情防控组"
    for i in range(9):
        tabs.setCurrentIndex(i)
        assert tabs.currentWidget().isVisible()

    # The status bar: user, role, database.
    assert "王主任" in window.user_label.text()
    assert "管理员" in window.role_label.text()
    assert window.database_label.text() == "数据库：本机数据库"  # in words, not a file path
    assert "civaffairs.sqlite" in window.database_label.toolTip()

    # Add a staff member with a wrong ID check digit: the message appears at the ID field.
    tabs.setCurrentIndex(1)
    bureau = window.group_tabs[0]
    view = bureau.register_views[STAFF.key]
    bureau.pages.setCurrentWidget(view)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    forms = [w for w in view.children() if w.objectName() == f"form_{STAFF.key}"]
    assert len(forms) == 1
    form = forms[0]
    type_text(qtbot, form.editor("name"), "李秀英")
    type_text(qtbot, form.editor("department"), "办公室")
    qtbot.keyClicks(form.editor("phone"), "13893812345")
    qtbot.keyClicks(form.editor("id_number"), BAD_ID)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert "校验" in form.error_text("id_number")
    assert form.error_text("name") == ""
    assert view.model.total_count() == 0

    # Correct it: saved, the row appears in the table.
    form.editor("id_number").clear()
    qtbot.keyClicks(form.editor("id_number"), GOOD_ID)
    with qtbot.waitSignal(view.sig_record_saved, timeout=5000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert view.model.total_count() == 1
    names = [view.model.index(r, 0).data() for r in range(view.model.rowCount())]
    assert names == ["李秀英"]
    # Masked for nobody here: the administrator reads the full ID number.
    id_column = [c.key for c in view.model.columns].index("id_number")
    assert view.model.index(0, id_column).data() == GOOD_ID

    # The audit log holds the entry, with the new values.
    admin = window.ctx.actor
    with window.ctx.db.read() as s:
        entries = audit.fetch(s, admin, audit.AuditQuery(register=STAFF.key))
    assert [e.action for e in entries] == ["create"]
    assert entries[0].actor == "admin"
    assert entries[0].changes["id_number"] == [None, GOOD_ID]
    assert entries[0].changes["name"] == [None, "李秀英"]

    window.open_audit_log()
    dialog = window.audit_dialog
    qtbot.addWidget(dialog)
    model = dialog.table.model()
    texts = {model.index(r, c).data() for r in range(model.rowCount()) for c in range(model.columnCount())}
    assert any("李秀英" in (t or "") for t in texts)
    window.close()
    window.ctx.db.dispose()


def test_five_wrong_passwords_lock_the_account(qtbot: QtBot, data_dir: Path) -> None:
    startup = _first_start(qtbot, data_dir)
    login = startup.login_dialog
    for _ in range(5):
        _log_in(qtbot, startup, "wrong-password")
    assert "锁定" in login.message.text()
    with qtbot.assertNotEmitted(login.sig_logged_in):
        _log_in(qtbot, startup, PASSWORD)
    assert "锁定" in login.message.text()
    assert startup.main_window is None
    startup.db.dispose()
