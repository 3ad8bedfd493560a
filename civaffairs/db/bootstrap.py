"""Open the program's database: create the data folder, connect, migrate (after a backup)."""
from __future__ import annotations

from pathlib import Path

from civaffairs.core.paths import resolve_database_url
from civaffairs.db.database import Database
from civaffairs.db.migrate import upgrade


def open_database(data_dir: Path, database_url: str | None = None) -> Database:
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(resolve_database_url(data_dir, database_url))
    upgrade(db.engine, backup_dir=data_dir / "backups")
    return db
