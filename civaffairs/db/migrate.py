"""Bring a database to the program's schema at start, after copying a SQLite file aside.

Alembic is configured here in code and its scripts ship inside the package."""
from __future__ import annotations

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
    """A verified copy through SQLite's backup API (safe with WAL and other readers), listed with
    the other backups (`civaffairs.backup`)."""
    from civaffairs.backup.files import backup_file

    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    return backup_file(db_file, backup_dir, "before-migration", "", name=f"civaffairs-{reason}-{stamp}.sqlite3").path


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
