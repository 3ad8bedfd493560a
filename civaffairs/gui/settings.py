"""Per-PC preferences: one typed facade over QSettings (an INI file in the user's profile).

Office-wide values (the office name, …) live in the database instead, shared by every PC."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from civaffairs.core.i18n import DEFAULT_LANGUAGE, LANGUAGES

DEFAULT_IDLE_LOCK_MINUTES = 10
MAX_IDLE_LOCK_MINUTES = 240


class Preferences:
    def __init__(self) -> None:
        self._s = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "civaffairs", "civaffairs")

    def _str(self, key: str, default: str = "") -> str:
        value = self._s.value(key, default)
        return str(value) if value is not None else default

    @property
    def language(self) -> str:
        lang = self._str("ui/language", DEFAULT_LANGUAGE)
        return lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    @language.setter
    def language(self, value: str) -> None:
        self._s.setValue("ui/language", value)

    @property
    def data_dir(self) -> str:
        """The data folder chosen in the settings dialog ("" for the default)."""
        return self._str("data/folder")

    @data_dir.setter
    def data_dir(self, value: str) -> None:
        self._s.setValue("data/folder", value)

    @property
    def last_username(self) -> str:
        return self._str("login/last_username")

    @last_username.setter
    def last_username(self, value: str) -> None:
        self._s.setValue("login/last_username", value)

    @property
    def office_name_seen(self) -> str:
        """The office's name as this PC last read it from the database: the log-in shows it while
        the database is still being opened."""
        return self._str("login/office_name")

    @office_name_seen.setter
    def office_name_seen(self, value: str) -> None:
        self._s.setValue("login/office_name", value)

    @property
    def idle_lock_minutes(self) -> int:
        """Minutes without keyboard or mouse input before the window locks; 0 never locks."""
        value = self._str("security/idle_lock_minutes", str(DEFAULT_IDLE_LOCK_MINUTES))
        return min(int(value), MAX_IDLE_LOCK_MINUTES) if value.isdigit() else DEFAULT_IDLE_LOCK_MINUTES

    @idle_lock_minutes.setter
    def idle_lock_minutes(self, value: int) -> None:
        self._s.setValue("security/idle_lock_minutes", str(max(0, min(int(value), MAX_IDLE_LOCK_MINUTES))))

    def window_state(self, name: str) -> QByteArray | None:
        value = self._s.value(f"windows/{name}")
        return value if isinstance(value, QByteArray) else None

    def set_window_state(self, name: str, state: QByteArray) -> None:
        self._s.setValue(f"windows/{name}", state)

    def column_widths(self, register: str) -> dict[str, int]:
        raw = self._str(f"columns/{register}")
        widths: dict[str, int] = {}
        for part in raw.split(",") if raw else []:
            name, _, width = part.partition(":")
            if width.isdigit():
                widths[name] = int(width)
        return widths

    def set_column_widths(self, register: str, widths: dict[str, int]) -> None:
        self._s.setValue(f"columns/{register}", ",".join(f"{k}:{v}" for k, v in widths.items()))

    def sync(self) -> None:
        self._s.sync()
