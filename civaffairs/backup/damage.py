"""The check at start that a SQLite database file is sound, before anything writes to it (a
database without the program's tables is taken as one from before the program kept its schema
version, and migrated: see tests/test_migrations.py).  Measured on a 100,000-row database (37 MB): `PRAGMA quick_check` takes about 0.1 s
and notices 64 KiB of garbage written into the middle of the file; the header and schema alone do
not, and the full `integrity_check` takes 0.6 s.  So the start runs `quick_check`."""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from civaffairs.core.errors import DatabaseDamaged

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"


def _problem(db_file: Path) -> str | None:
    """Why the file cannot be the program's database, in the log's words; None when it is sound."""
    with db_file.open("rb") as f:
        header = f.read(100)
    if not header:
        return "empty file"  # SQLite would take it for a new database and the records would seem gone
    if not header.startswith(SQLITE_HEADER):
        return "not a SQLite database"
    try:
        conn = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                return "quick_check: " + "; ".join(result[:5])
        finally:
            conn.close()
    except sqlite3.Error as e:
        return f"cannot be read: {e}"
    return None


def check_database_file(db_file: Path, data_dir: Path) -> None:
    """Raise `DatabaseDamaged` (naming the latest verified backup) unless the file is absent or sound."""
    if not db_file.exists():
        return
    problem = _problem(db_file)
    if problem is None:
        return
    log.info("the database %s is not opened: %s", db_file, problem)  # the log file; the user gets the message
    from civaffairs.backup.files import latest_verified

    backup = latest_verified(data_dir)
    raise DatabaseDamaged(db_file, backup, f"{backup.created:%Y-%m-%d %H:%M}" if backup else "")
