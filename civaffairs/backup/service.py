"""Back up, verify, list, prune and restore the database.

A SQLite backup is taken with SQLite's online backup API inside one read transaction of the source,
in which the rows of every table are counted too: the counts describe exactly the state that was
copied, however much others write meanwhile.  The copy is then checked (`PRAGMA integrity_check`,
the same counts) and described by a JSON sidecar next to it (`<file>.json`).  PostgreSQL is backed
up with `pg_dump -Fc` on the snapshot in which the rows were counted."""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from civaffairs.accounts.roles import Actor
from civaffairs.backup.files import (  # noqa: F401 - the service's vocabulary, for its callers
    DAILY, DUMP_SUFFIX, KINDS, BackupFailed, BackupInfo, BackupResult, Report, _check_dump, _fsync_dir, _make_folder,
    _quoted, _sha256, _target, _write_sidecar, backup_file, backups_dir, daily_dir, describe, known_backups,
    latest_verified, list_backups, register_counts, sidecar_path, size_text, verify_backup,
)
from civaffairs.core.errors import PermissionDenied
from civaffairs.core.i18n import _
from civaffairs.core.paths import DATABASE_FILE

log = logging.getLogger(__name__)

AUDIT_REGISTER = "database"


@dataclass(frozen=True)
class RestoreResult:
    backup: BackupInfo
    kept: Path | None  # the copy of the database as it was before the restore


def _may_back_up(actor: Actor, kind: str) -> None:
    # The daily backup is the program's own, taken whoever is logged in, and only into the data folder.
    if kind != DAILY and not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may back up or restore the database."))


def backup_now(db, dest_dir: Path, actor: Actor, kind: str = "manual", *,  # type: ignore[no-untyped-def]
               progress: Report | None = None, now: datetime | None = None) -> BackupResult:
    """Back up the database into `dest_dir`, verify the copy, describe it in a sidecar, audit it.
    A daily backup also prunes the older daily ones (manual backups are never pruned)."""
    _may_back_up(actor, kind)
    now = (now or datetime.now()).astimezone()
    dest_dir = Path(dest_dir)
    if db.is_sqlite:
        info = backup_file(Path(db.engine.url.database), dest_dir, kind, actor.username, now=now, progress=progress)
    else:
        _make_folder(dest_dir)
        target = _target(dest_dir, kind, now, DUMP_SUFFIX)
        counts = _pg_dump(db, target)
        problems = _check_dump(target, counts)
        info = BackupInfo(target, now, kind, target.stat().st_size, not problems, tuple(problems), counts,
                          actor.username)
        _write_sidecar(info, _sha256(target))
    from civaffairs.audit import service as audit

    with db.write() as session:
        audit.record(session, actor, "backup", AUDIT_REGISTER, label=info.path.name,
                     changes={"file": [None, str(info.path)], "rows": [None, info.rows],
                              "verified": [None, bool(info.verified)]})
    if kind == DAILY and info.verified:
        prune_daily(dest_dir)
    return info


def prune_daily(folder: Path, now: datetime | None = None) -> list[Path]:
    """Delete the daily backups that retention no longer keeps; returns what was deleted."""
    from civaffairs.backup.retention import to_keep

    daily = [b for b in list_backups(folder) if b.kind == DAILY]
    keep = to_keep(b.created for b in daily)
    removed = []
    for b in daily:
        if b.created not in keep:
            b.path.unlink(missing_ok=True)
            sidecar_path(b.path).unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def daily_backup_due(data_dir: Path, now: datetime | None = None) -> bool:
    now = (now or datetime.now()).astimezone()
    last = next((b for b in list_backups(daily_dir(data_dir)) if b.kind == DAILY and b.verified), None)
    return last is None or now - last.created >= timedelta(days=1)


def daily_backup(db, data_dir: Path, actor: Actor, *, progress: Report | None = None) -> BackupResult | None:  # type: ignore[no-untyped-def]
    """The automatic daily backup of a SQLite database, when the last one is a day old."""
    if not db.is_sqlite or not daily_backup_due(data_dir):
        return None
    return backup_now(db, daily_dir(data_dir), actor, DAILY, progress=progress)


# ------------------------------------------------------------------ PostgreSQL


def _pg_args(db) -> tuple[list[str], dict[str, str], str | None]:  # type: ignore[no-untyped-def]
    url = db.engine.url
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432)]
    if url.username:
        args += ["-U", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where other users could read it
    schema = None
    options = str(url.query.get("options", ""))
    if "search_path=" in options:
        schema = options.split("search_path=", 1)[1].split()[0].split(",")[0]
    return args, env, schema


def _pg_dump(db, target: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect, text

    exe = shutil.which("pg_dump")
    if exe is None:
        raise BackupFailed(_("pg_dump was not found on this PC. Install the PostgreSQL client tools so that "
                             "pg_dump is on the PATH, or ask the server's administrator to back up the database."))
    args, env, schema = _pg_args(db)
    partial = target.with_name(target.name + ".part")
    engine = db.engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn:
        # pg_dump dumps the very snapshot in which the rows were counted.
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
        tables = [t for t in inspect(conn).get_table_names()]
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {_quoted(t)}")).scalar() or 0 for t in tables}
        cmd = [exe, "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(partial), *args]
        if schema:
            cmd += ["-n", schema]
        cmd.append(str(db.engine.url.database))
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        conn.rollback()
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        log.info("pg_dump failed: %s", done.stderr)
        raise BackupFailed(_("pg_dump could not back up the database; the log holds its answer."))
    os.replace(partial, target)
    return counts


# ------------------------------------------------------------------ restoring


def confirmation_text(info: BackupInfo) -> str:
    """What the clerk confirms before a restore: the backup's date and what it holds."""
    from civaffairs.groups import load_all

    load_all()  # the registers, to name the rows
    lines = [_("Restore the backup of {date}?").format(date=f"{info.created:%Y-%m-%d %H:%M}"),
             _("It holds {rows} records:").format(rows=info.rows)]
    lines += [f"  {name}：{n}" for name, n in register_counts(info.counts)[:12]]
    lines += ["", _("The database as it is now is first kept as a backup. Everything entered after "
                    "{date} is then no longer in the program.").format(date=f"{info.created:%Y-%m-%d %H:%M}")]
    return "\n".join(lines)


def _replace_file(source: Path, db_file: Path) -> None:
    """Put `source` in the place of the database file: a copy beside it, synced, then one rename."""
    tmp = db_file.with_name(f".{db_file.name}.restoring")
    with source.open("rb") as r, tmp.open("wb") as w:
        shutil.copyfileobj(r, w, 1 << 20)
        w.flush()
        os.fsync(w.fileno())
    # The old database's write-ahead log must not be replayed onto the restored file.
    for suffix in ("-wal", "-shm", "-journal"):
        db_file.with_name(db_file.name + suffix).unlink(missing_ok=True)
    os.replace(tmp, db_file)
    _fsync_dir(db_file.parent)


def restore(data_dir: Path, backup_path: Path, actor: Actor, db=None) -> RestoreResult:  # type: ignore[no-untyped-def]
    """Replace the data folder's SQLite database by a verified backup.  `db` is the open database
    (its engine is disposed): it is first kept as a verified backup.  Without it (the database is
    damaged and did not open) the damaged file is kept aside as it is.  The restored database is
    upgraded to this program's schema and the restore audited in it; reopen it to go on."""
    from civaffairs.audit import service as audit
    from civaffairs.core.paths import sqlite_url
    from civaffairs.db.database import Database
    from civaffairs.db.migrate import upgrade

    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may back up or restore the database."))
    if db is not None and not db.is_sqlite:
        raise BackupFailed(_("A PostgreSQL database is restored on the server with pg_restore (see the README)."))
    backup_path = Path(backup_path)
    if backup_path.suffix == DUMP_SUFFIX:
        raise BackupFailed(_("A PostgreSQL database is restored on the server with pg_restore (see the README)."))
    info = verify_backup(backup_path)
    if not info.verified:
        raise BackupFailed(_("The backup {file} did not pass its check and was not restored: {problems}.").format(
            file=backup_path.name, problems="；".join(info.problems)))
    if "alembic_version" not in info.counts:
        raise BackupFailed(_("The file {file} is not a backup of this program's database.").format(file=backup_path.name))
    db_file = data_dir / DATABASE_FILE
    kept: Path | None = None
    if db is not None:
        before = backup_now(db, backups_dir(data_dir), actor, "before-restore")
        if not before.verified:
            raise BackupFailed(_("The current database could not be kept as a verified backup, so nothing "
                                 "was restored: {problems}.").format(problems="；".join(before.problems)))
        kept = before.path
        db.dispose()
    elif db_file.exists() and db_file.stat().st_size:
        folder = backups_dir(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / f"civaffairs-damaged-{datetime.now():%Y-%m-%d-%H%M%S}.sqlite-damaged"
        shutil.copy2(db_file, kept)  # not a backup (it is damaged), but nothing is thrown away
    try:
        _replace_file(backup_path, db_file)
    except OSError as e:
        log.info("restore into %s failed: %s", db_file, e)
        raise BackupFailed(_("The database file {file} could not be replaced: is the program still open on "
                             "another window or PC?").format(file=db_file)) from e
    restored = Database(sqlite_url(data_dir))
    try:
        upgrade(restored.engine, backup_dir=None)  # the backup itself is the copy from before the upgrade
        with restored.write() as session:
            audit.record(session, actor, "backup_restore", AUDIT_REGISTER, label=backup_path.name,
                         changes={"file": [None, str(backup_path)],
                                  "kept": [None, str(kept) if kept else ""],
                                  "rows": [None, info.rows]})
    finally:
        restored.dispose()
    return RestoreResult(info, kept)
