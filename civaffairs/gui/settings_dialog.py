"""Settings: the office's name (shared by every PC, in the database; administrators only), and
this PC's language and data folder (in `Preferences`; they apply when the program starts again)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox, QDialog, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QSpinBox, QVBoxLayout, QWidget,
)
from sqlalchemy.orm import Session

from civaffairs.accounts import service as accounts
from civaffairs.core.i18n import LANGUAGES, _
from civaffairs.core.paths import default_data_dir
from civaffairs.gui.context import AppContext
from civaffairs.gui.widgets import ok_cancel_buttons
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.gui.form_layout import field_with_error, grow_to_fit
from civaffairs.gui.settings import MAX_IDLE_LOCK_MINUTES


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("settingsDialog")
        self.setWindowTitle(_("Settings"))
        general = QLabel()
        general.setObjectName("error_general")
        self._errors = FieldErrors(general)

        # -- the office (database)
        self.office_name = QLineEdit(ctx.office_name)
        self.office_name.setObjectName("officeName")
        self.office_name.setMaxLength(100)
        self.office_name.setMinimumWidth(360)
        admin = ctx.actor.is_administrator
        self.office_name.setEnabled(admin)
        office_note = "" if admin else _("Only an administrator may change the office's name.")
        office = QGroupBox(_("Office (all computers)"))
        office_form = QFormLayout(office)
        office_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        office_form.addRow(_("Office name:"),
                           field_with_error(self.office_name, self._errors, "office_name", note=office_note))

        # -- this computer (preferences)
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(ctx.prefs.language), 0))

        self.data_dir = QLineEdit(ctx.prefs.data_dir)
        self.data_dir.setObjectName("dataDir")
        self.data_dir.setPlaceholderText(str(default_data_dir()))
        self.data_dir.setClearButtonEnabled(True)
        self.browse_button = QPushButton(_("Browse…"))
        self.browse_button.setObjectName("browseDataDir")
        self.browse_button.clicked.connect(self.browse)
        folder_row = QWidget()
        folder_layout = QHBoxLayout(folder_row)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        folder_layout.addWidget(self.data_dir, 1)
        folder_layout.addWidget(self.browse_button)
        folder_note = "\n".join([
            _("Leave empty for the default folder. Applies when the program is started again."),
            _("The CIVAFFAIRS_HOME environment variable or the --data-dir option, if given, take precedence."),
            _("In use now: {folder}").format(folder=ctx.data_dir),
        ])
        this_pc = QGroupBox(_("This computer"))
        pc_form = QFormLayout(this_pc)
        pc_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        pc_form.setVerticalSpacing(10)
        pc_form.addRow(_("Language:"), field_with_error(
            self.language, self._errors, "language", note=_("Applies when the program is started again.")))
        folder_field = field_with_error(self.data_dir, self._errors, "data_dir", note=folder_note, shown=folder_row)
        pc_form.addRow(_("Data folder:"), folder_field)
        self.idle_lock = QSpinBox()
        self.idle_lock.setObjectName("idleLockMinutes")
        self.idle_lock.setRange(0, MAX_IDLE_LOCK_MINUTES)
        self.idle_lock.setSuffix(_(" minutes"))
        self.idle_lock.setSpecialValueText(_("Never"))
        self.idle_lock.setValue(ctx.prefs.idle_lock_minutes)
        pc_form.addRow(_("Lock when idle:"), field_with_error(
            self.idle_lock, self._errors, "idle_lock_minutes",
            note=_("Without keyboard or mouse input for this long, the window locks and asks for the password again. "
                   "0 never locks.")))

        buttons = ok_cancel_buttons(self)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(office)
        layout.addWidget(this_pc)
        layout.addWidget(general)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(max(self.sizeHint().width(), 620), self.sizeHint().height())
        grow_to_fit(self)

    def browse(self) -> None:
        start = self.data_dir.text().strip() or str(self.ctx.data_dir)
        folder = QFileDialog.getExistingDirectory(self, _("Choose the data folder"), start)
        if folder:
            self.data_dir.setText(str(Path(folder)))

    def accept(self) -> None:
        self._errors.clear()
        folder = self.data_dir.text().strip()
        if folder:
            path = Path(folder).expanduser()
            if not path.is_absolute():
                self._errors.show_field_errors({"data_dir": _("Please choose a complete folder path.")})
                grow_to_fit(self)
                return
            if path.exists() and not path.is_dir():
                self._errors.show_field_errors({"data_dir": _("This is a file, not a folder.")})
                grow_to_fit(self)
                return

        name = self.office_name.text().strip()
        if self.ctx.actor.is_administrator and name != self.ctx.office_name:
            actor = self.ctx.actor

            def save(s: Session) -> bool:
                accounts.set_office_name(s, actor, name)
                return True

            if not self.ctx.ops.write(save, changed=[accounts.SETTINGS_REGISTER], parent=self, form=self._errors):
                grow_to_fit(self)
                return
            self.ctx.office_name = name

        self.ctx.prefs.language = str(self.language.currentData())
        self.ctx.prefs.data_dir = folder
        self.ctx.prefs.idle_lock_minutes = self.idle_lock.value()
        self.ctx.prefs.sync()
        super().accept()
