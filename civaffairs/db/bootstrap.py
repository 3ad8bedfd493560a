"""Open the program's database: create the data folder, check the file, connect, migrate (after a backup)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from civaffairs.core.paths import resolve_database_url
from civaffairs.db.database import Database
from civaffairs.db.migrate import upgrade


def open_database(data_dir: Path, database_url: str | None = None) -> Database:
    """Raises `DatabaseDamaged` for a SQLite file that is empty, damaged or another program's."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url = resolve_database_url(data_dir, database_url)
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        from civaffairs.backup.damage import check_database_file

        check_database_file(Path(u.database), data_dir)
    db = Database(url)
    upgrade(db.engine, backup_dir=data_dir / "backups")
    if db.is_sqlite:
        from sqlalchemy import text

        with db.engine.connect() as c:  # a working copy of an office server (`civaffairs.sync`)?
            db.working_copy = bool(c.execute(text("SELECT value FROM sync_state WHERE key = 'server'")).scalar())
    return db
