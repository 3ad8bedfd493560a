"""Administrator dialogs: user accounts, the audit log and the settings dialog."""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton, QTableView

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit import service as audit
from civaffairs.core.clock import today_local
from civaffairs.core.errors import AuthenticationFailed, PermissionDenied
from civaffairs.core.i18n import LANGUAGES
from civaffairs.db.database import Database
from civaffairs.demo import resident_id
from civaffairs.groups.bureau_office.fields import STAFF
from civaffairs.gui.admin import AuditLogDialog, PasswordResetDialog, UserEditDialog, UsersDialog
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences
from civaffairs.gui.settings_dialog import SettingsDialog
from civaffairs.records import service as records

OFFICE = "城关区民政局"
ADMIN_PASSWORD = "admin-pass-1"


@pytest.fixture
def admin_actor(sqlite_db: Database) -> Actor:
    with sqlite_db.write() as s:
        return accounts.initialise_office(s, OFFICE, "admin", "管理员", ADMIN_PASSWORD)


def make_ctx(db: Database, actor: Actor, data_dir: Path) -> AppContext:
    ops = Operations(db, actor)
    return AppContext(db=db, ops=ops, actor=actor, data_dir=data_dir, prefs=Preferences(), office_name=OFFICE)


@pytest.fixture
def ctx(sqlite_db: Database, admin_actor: Actor, data_dir: Path) -> Iterator[AppContext]:
    context = make_ctx(sqlite_db, admin_actor, data_dir)
    yield context
    context.ops.wait_all()


def users(db: Database, actor: Actor) -> dict[str, accounts.UserInfo]:
    with db.read() as s:
        return {u.username: u for u in accounts.list_users(s, actor)}


def child(parent, kind, name):  # type: ignore[no-untyped-def]
    widget = parent.findChild(kind, name)
    assert widget is not None, name
    return widget


def click_ok(dialog) -> None:  # type: ignore[no-untyped-def]
    child(dialog, QPushButton, "okButton").click()


def error_visible(dialog, field: str) -> bool:  # type: ignore[no-untyped-def]
    return child(dialog, QLabel, f"error_{field}").isVisible()


# ------------------------------------------------------------------ users


def test_admin_adds_a_group_member(qtbot, ctx: AppContext, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    dialog = UsersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    table = child(dialog, QTableView, "usersTable")
    assert table.model().rowCount() == 1
    assert not child(dialog, QPushButton, "editButton").isEnabled()

    child(dialog, QPushButton, "addButton").click()
    edit = dialog.findChild(UserEditDialog)
    assert edit is not None and edit.isVisible()
    child(edit, QLineEdit, "username").setText("wang")
    child(edit, QLineEdit, "displayName").setText("王芳")
    role = child(edit, QComboBox, "role")
    role.setCurrentIndex(role.findData(Role.MEMBER.value))
    assert edit.groups_visible()
    child(edit, QCheckBox, "group_2").setChecked(True)
    child(edit, QLineEdit, "password").setText("short")
    child(edit, QLineEdit, "confirmPassword").setText("short")
    click_ok(edit)

    assert edit.isVisible()
    assert error_visible(edit, "password")
    assert not error_visible(edit, "username")
    assert "wang" not in users(sqlite_db, ctx.actor)

    child(edit, QLineEdit, "password").setText("long enough 1")
    child(edit, QLineEdit, "confirmPassword").setText("long enough 2")
    click_ok(edit)
    assert error_visible(edit, "confirm_password")
    assert not error_visible(edit, "password")
    assert "wang" not in users(sqlite_db, ctx.actor)

    child(edit, QLineEdit, "confirmPassword").setText("long enough 1")
    click_ok(edit)
    qtbot.waitUntil(lambda: dialog.findChild(UserEditDialog) is None)

    created = users(sqlite_db, ctx.actor)["wang"]
    assert created.role is Role.MEMBER
    assert created.groups == (2,)
    assert created.display_name == "王芳"
    assert table.model().rowCount() == 2
    assert dialog.selected_user() is not None and dialog.selected_user().username == "wang"
    assert accounts.login(sqlite_db, "wang", "long enough 1").groups == frozenset({2})


def test_duplicate_user_name_and_missing_group_are_shown_at_their_fields(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = UsersDialog(ctx)
    qtbot.addWidget(dialog)
    edit = dialog.add_user()
    child(edit, QLineEdit, "username").setText("admin")
    child(edit, QLineEdit, "displayName").setText("某人")
    child(edit, QLineEdit, "password").setText("password-123")
    child(edit, QLineEdit, "confirmPassword").setText("password-123")
    click_ok(edit)
    assert edit.isVisible()
    assert error_visible(edit, "username")
    assert error_visible(edit, "groups")  # a member without a working group
    assert not error_visible(edit, "display_name")


def test_groups_are_shown_only_for_members(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    edit = UserEditDialog(ctx)
    qtbot.addWidget(edit)
    edit.show()
    role = child(edit, QComboBox, "role")
    for r in Role:
        role.setCurrentIndex(role.findData(r.value))
        assert edit.groups_visible() == (r is Role.MEMBER)
        assert child(edit, QCheckBox, "group_1").isVisible() == (r is Role.MEMBER)


def test_edit_a_user(qtbot, ctx: AppContext, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    with sqlite_db.write() as s:
        accounts.create_user(s, ctx.actor, "li", "李强", "password-123", Role.MEMBER, [1, 3])
    dialog = UsersDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.select_user("li")
    edit = dialog.edit_user()
    assert edit is not None
    assert not child(edit, QLineEdit, "username").isEnabled()
    assert child(edit, QCheckBox, "group_3").isChecked()
    assert edit.findChild(QLineEdit, "password") is None
    role = child(edit, QComboBox, "role")
    role.setCurrentIndex(role.findData(Role.LEADER.value))
    child(edit, QCheckBox, "active").setChecked(False)
    click_ok(edit)
    qtbot.waitUntil(lambda: dialog.findChild(UserEditDialog) is None)
    li = users(sqlite_db, ctx.actor)["li"]
    assert li.role is Role.LEADER and li.groups == () and not li.active


def test_reset_password_unlocks_an_account(qtbot, ctx: AppContext, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    with sqlite_db.write() as s:
        accounts.create_user(s, ctx.actor, "zhao", "赵敏", "password-123", Role.VIEWER, [])
    for _attempt in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            accounts.login(sqlite_db, "zhao", "wrong password")
    with pytest.raises(AuthenticationFailed):
        accounts.login(sqlite_db, "zhao", "password-123")  # locked

    dialog = UsersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.select_user("zhao")
    assert dialog.selected_user().locked
    reset_button = child(dialog, QPushButton, "resetPasswordButton")
    assert reset_button.isEnabled()
    reset_button.click()
    reset = dialog.findChild(PasswordResetDialog)
    assert reset is not None
    assert reset.findChild(QLabel, "lockedNote") is not None

    child(reset, QLineEdit, "password").setText("1234")
    child(reset, QLineEdit, "confirmPassword").setText("1234")
    click_ok(reset)
    assert error_visible(reset, "password")

    child(reset, QLineEdit, "password").setText("new-password-9")
    child(reset, QLineEdit, "confirmPassword").setText("new-password-9")
    click_ok(reset)
    qtbot.waitUntil(lambda: dialog.findChild(PasswordResetDialog) is None)

    assert not users(sqlite_db, ctx.actor)["zhao"].locked
    assert not dialog.selected_user().locked  # the list was read again
    assert accounts.login(sqlite_db, "zhao", "new-password-9").username == "zhao"


# ------------------------------------------------------------------ audit log


def _staff(name: str, rng: random.Random) -> dict[str, object]:
    return {"name": name, "department": "办公室", "post": "科员", "phone": "13912345678",
            "id_number": resident_id(rng, date(1980, 1, 1), True), "working_groups": ["1"]}


@pytest.fixture
def audit_data(sqlite_db: Database, admin_actor: Actor) -> dict[str, int]:
    """Three staff records by the administrator, two by a group-1 member, and one entry of 2021."""
    rng = random.Random(1)
    with sqlite_db.write() as s:
        accounts.create_user(s, admin_actor, "clerk", "办公室干事", "password-123", Role.MEMBER, [1])
    clerk = Actor("clerk", "办公室干事", Role.MEMBER, frozenset({1}))
    for i, name in enumerate(["张伟", "王芳", "李娜", "刘洋", "陈静"]):
        with sqlite_db.write() as s:
            records.create(s, admin_actor if i < 3 else clerk, STAFF, _staff(name, rng))
    with sqlite_db.write() as s:
        audit.record(s, "clerk", "update", STAFF.key, None, label="张伟",
                     changes={"department": ["办公室", "财务科"]},
                     at=datetime(2021, 10, 25, 2, 0, tzinfo=timezone.utc))
    with sqlite_db.read() as s:
        total = audit.count(s, admin_actor, audit.AuditQuery())
    return {"total": total}


def _choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_audit_log_lists_and_filters(qtbot, ctx: AppContext, audit_data: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    dialog = AuditLogDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    model = child(dialog, QTableView, "auditTable").model()
    total = audit_data["total"]
    assert total == 1 + 1 + 5 + 1  # office set up, clerk created, five staff, the old entry
    assert model.rowCount() == total
    assert child(dialog, QLabel, "countLabel").text()

    # every cell of every row has text; the staff entries name their fields by title
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            model.data(model.index(row, column))
    changes_column = [c.key for c in model.columns].index("changes")
    register_column = [c.key for c in model.columns].index("register")
    staff_rows = [r for r in range(total) if model.row(r).register == STAFF.key and model.row(r).action == "create"]
    assert len(staff_rows) == 5
    text = model.data(model.index(staff_rows[0], changes_column))
    assert STAFF.field("name").title in text and "working_groups" not in text
    assert model.data(model.index(staff_rows[0], register_column)) == STAFF.name
    tip = model.data(model.index(staff_rows[0], changes_column), Qt.ItemDataRole.ToolTipRole)
    assert len(tip.splitlines()) == 6

    user_filter = child(dialog, QComboBox, "userFilter")
    register_filter = child(dialog, QComboBox, "registerFilter")
    assert user_filter.findData("clerk") >= 0 and user_filter.findData("admin") >= 0

    _choose(user_filter, "clerk")
    assert model.rowCount() == 3  # two staff records and the old entry
    _choose(user_filter, None)
    assert model.rowCount() == total

    _choose(register_filter, STAFF.key)
    assert model.rowCount() == 6
    _choose(register_filter, accounts.REGISTER)
    assert model.rowCount() == 2
    _choose(register_filter, accounts.SETTINGS_REGISTER)
    assert model.rowCount() == 0
    _choose(register_filter, None)

    # dates: only 2021, then only from today on
    date_to = child(dialog, type(dialog.date_to), "dateTo")
    assert not date_to.isEnabled()
    child(dialog, QCheckBox, "dateToEnabled").setChecked(True)
    assert date_to.isEnabled()
    date_to.setDate(QDate(2021, 12, 31))
    assert model.rowCount() == 1
    child(dialog, QCheckBox, "dateToEnabled").setChecked(False)
    assert model.rowCount() == total
    child(dialog, QCheckBox, "dateFromEnabled").setChecked(True)
    today = today_local()
    dialog.date_from.setDate(QDate(today.year, today.month, today.day).addDays(-1))
    assert model.rowCount() == total - 1
    dialog.date_from.setDate(dialog.date_from.date().addDays(3))
    assert model.rowCount() == 0

    # combined: user and register
    child(dialog, QCheckBox, "dateFromEnabled").setChecked(False)
    _choose(user_filter, "admin")
    _choose(register_filter, STAFF.key)
    assert model.rowCount() == 3


def test_audit_details_and_refresh(qtbot, ctx: AppContext, audit_data: dict[str, int], sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    dialog = AuditLogDialog(ctx)
    qtbot.addWidget(dialog)
    model = dialog.model
    details = dialog.show_details(model.index(0, 0))
    assert details is not None and details.text.isReadOnly() and details.text.toPlainText()
    details.close()

    with sqlite_db.write() as s:
        accounts.set_office_name(s, ctx.actor, "新名称")
    assert model.rowCount() == audit_data["total"]
    child(dialog, QPushButton, "refreshButton").click()
    assert model.rowCount() == audit_data["total"] + 1
    newest = model.row(0)
    assert newest.register == accounts.SETTINGS_REGISTER
    assert model.data(model.index(0, [c.key for c in model.columns].index("changes")))


# ------------------------------------------------------------------ settings


def test_settings_are_saved(qtbot, ctx: AppContext, sqlite_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    name = child(dialog, QLineEdit, "officeName")
    assert name.isEnabled() and name.text() == OFFICE
    folder = child(dialog, QLineEdit, "dataDir")
    assert folder.text() == "" and folder.placeholderText()
    language = child(dialog, QComboBox, "language")
    assert [language.itemData(i) for i in range(language.count())] == list(LANGUAGES)

    name.setText("  七里河区民政局 ")
    _choose(language, "en")
    chosen = tmp_path / "elsewhere"
    folder.setText(str(chosen))
    click_ok(dialog)
    assert not dialog.isVisible()

    with sqlite_db.read() as s:
        assert accounts.office_name(s) == "七里河区民政局"
    assert ctx.office_name == "七里河区民政局"
    prefs = Preferences()
    assert prefs.language == "en"
    assert prefs.data_dir == str(chosen)


def test_settings_empty_office_name_and_relative_folder_are_refused(qtbot, ctx: AppContext, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    child(dialog, QLineEdit, "dataDir").setText("relative/folder")
    click_ok(dialog)
    assert dialog.isVisible() and error_visible(dialog, "data_dir")
    child(dialog, QLineEdit, "dataDir").setText("")
    child(dialog, QLineEdit, "officeName").setText("   ")
    click_ok(dialog)
    assert dialog.isVisible() and error_visible(dialog, "office_name")
    assert not error_visible(dialog, "data_dir")
    with sqlite_db.read() as s:
        assert accounts.office_name(s) == OFFICE


def test_settings_cancel_discards(qtbot, ctx: AppContext, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    child(dialog, QLineEdit, "officeName").setText("别的名字")
    _choose(child(dialog, QComboBox, "language"), "en")
    child(dialog, QPushButton, "cancelButton").click()
    with sqlite_db.read() as s:
        assert accounts.office_name(s) == OFFICE
    assert Preferences().language == "zh_CN"
    assert ctx.office_name == OFFICE


def test_settings_browse_fills_the_folder(qtbot, ctx: AppContext, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from civaffairs.gui import settings_dialog

    monkeypatch.setattr(settings_dialog.QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args, **kwargs: str(tmp_path)))
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    child(dialog, QPushButton, "browseDataDir").click()
    assert child(dialog, QLineEdit, "dataDir").text() == str(tmp_path)


def test_non_administrator_cannot_change_the_office_name(qtbot, sqlite_db: Database, admin_actor: Actor,  # type: ignore[no-untyped-def]
                                                         data_dir: Path) -> None:
    with sqlite_db.write() as s:
        accounts.create_user(s, admin_actor, "clerk", "办公室干事", "password-123", Role.MEMBER, [1])
    clerk = accounts.login(sqlite_db, "clerk", "password-123")
    ctx = make_ctx(sqlite_db, clerk, data_dir)
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    name = child(dialog, QLineEdit, "officeName")
    assert not name.isEnabled()
    name.setText("改名")  # even if the field were edited somehow, only preferences are saved
    _choose(child(dialog, QComboBox, "language"), "en")
    click_ok(dialog)
    assert not dialog.isVisible()
    assert Preferences().language == "en"
    with sqlite_db.read() as s:
        assert accounts.office_name(s) == OFFICE

    with pytest.raises(PermissionDenied), sqlite_db.write() as s:
        accounts.set_office_name(s, clerk, "改名")
    with sqlite_db.read() as s:
        assert accounts.office_name(s) == OFFICE
