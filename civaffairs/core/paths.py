"""Where the data lives: `--data-dir`, else `CIVAFFAIRS_HOME`, else the user's data folder
(`%LOCALAPPDATA%\\civaffairs` on Windows, `~/.local/share/civaffairs` on Linux)."""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATABASE_FILE = "civaffairs.sqlite"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("civaffairs", appauthor=False, roaming=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None, saved: str | None = None) -> Path:
    """`saved` is the folder chosen in the settings dialog of this PC."""
    chosen = explicit or os.environ.get("CIVAFFAIRS_HOME") or saved
    return Path(chosen).expanduser() if chosen else default_data_dir()


def sqlite_url(data_dir: Path) -> str:
    # SQLAlchemy decodes %XX in a URL's database part: a "%" of the folder's name stays a "%".
    return f"sqlite:///{(data_dir / DATABASE_FILE).as_posix().replace('%', '%25')}"


def resolve_database_url(data_dir: Path, explicit: str | None = None) -> str:
    return explicit or os.environ.get("CIVAFFAIRS_DATABASE_URL") or sqlite_url(data_dir)


def describe_url(url: str) -> str:
    """The database as an administrator reads it (the tooltip, the log), without any password."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"SQLite {u.database}"
    return f"PostgreSQL {u.username or ''}@{u.host or 'localhost'}:{u.port or 5432}/{u.database}"


def database_in_words(url: str) -> str:
    """The database as a clerk reads it in the status bar: 本机数据库, or 服务器 NAME."""
    from sqlalchemy.engine import make_url

    from civaffairs.core.i18n import _

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return _("this PC's database")
    return _("server {name}").format(name=u.host or "localhost")
