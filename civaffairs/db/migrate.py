"""Bring a database to the program's schema at start, after copying a SQLite file aside.

Alembic is configured here in code and its scripts ship inside the package."""
from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from civaffairs.db.migrations import HEAD

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The database's revision, read directly (no Alembic import on the start-up path)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def backup_sqlite(db_file: Path, backup_dir: Path, reason: str) -> Path:
    """A consistent copy through SQLite's backup API (safe with WAL and other readers)."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"{db_file.stem}-{reason}-{stamp}.sqlite"
    src = sqlite3.connect(str(db_file))
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade(engine: Engine, backup_dir: Path | None = None) -> Path | None:
    """Migrate to head.  Returns the backup taken first, if any (SQLite with existing tables)."""
    current = current_revision(engine)
    if current == HEAD:
        return None
    from alembic import command

    head = head_revision()
    backup = None
    if engine.dialect.name == "sqlite" and engine.url.database and backup_dir is not None:
        db_file = Path(engine.url.database)
        with engine.connect() as conn:
            has_tables = bool(inspect(conn).get_table_names())
        if db_file.exists() and has_tables:
            backup = backup_sqlite(db_file, backup_dir, f"before-{head}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup
