"""Backup files: the copy through SQLite's online backup API, its check, its JSON sidecar, the
list of backups in a folder.  What the start-up check and the migrations need, without the
services (no audit, no working groups): `civaffairs.db` imports this module."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from civaffairs.core.errors import CivaffairsError
from civaffairs.core.i18n import N_, _

log = logging.getLogger(__name__)

Report = Callable[[int, int, str], None]  # done, total, text (as `gui.operations.Progress.report`)

SQLITE_SUFFIX = ".sqlite3"
DUMP_SUFFIX = ".dump"
SIDECAR_SUFFIX = ".json"
# Backups taken before a schema upgrade by older versions of the program: no sidecar, still listed.
OLD_SUFFIXES = (".sqlite",)
DAILY = "daily"
KINDS = {
    "manual": N_("Manual"),
    DAILY: N_("Daily (automatic)"),
    "before-restore": N_("Before a restore"),
    "before-migration": N_("Before an upgrade"),
}
PAGES_PER_STEP = 1024  # a step of the online backup, between two progress reports


class BackupFailed(CivaffairsError):
    """A backup could not be written, or a backup cannot be restored."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime  # local, aware
    kind: str
    size: int
    verified: bool | None  # None: never checked (a backup without its sidecar)
    problems: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    by: str = ""

    @property
    def rows(self) -> int:
        """The records of every register (not the audit trail, not the program's own tables)."""
        return sum(n for _name, n in register_counts(self.counts))

    @property
    def kind_label(self) -> str:
        return _(KINDS[self.kind]) if self.kind in KINDS else self.kind

    @property
    def result_text(self) -> str:
        if self.verified is None:
            return _("Not checked")
        return _("Verified") if self.verified else _("Damaged: {problem}").format(problem=self.problems[0] if self.problems else "")


BackupResult = BackupInfo


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def backups_dir(data_dir: Path) -> Path:
    return data_dir / "backups"


def daily_dir(data_dir: Path) -> Path:
    return backups_dir(data_dir) / DAILY


# ------------------------------------------------------------------ SQLite files


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_rows(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: conn.execute(f"SELECT count(*) FROM {_quoted(t)}").fetchone()[0] for t in tables}


def open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_sqlite_copy(path: Path, expected: dict[str, int] | None) -> tuple[list[str], dict[str, int]]:
    """Problems found in a copy (none: it is sound and holds the expected rows), and its counts."""
    problems: list[str] = []
    counts: dict[str, int] = {}
    try:
        conn = open_read_only(path)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                log.info("integrity check of %s: %s", path, result[:5])
                problems.append(_("the integrity check found damage"))
            else:
                counts = count_rows(conn)
        finally:
            conn.close()
    except sqlite3.Error as e:
        log.info("cannot read %s: %s", path, e)
        problems.append(_("the file is not a readable database"))
    if counts and expected is not None:
        for table in sorted(set(expected) | set(counts)):
            if expected.get(table) != counts.get(table):
                problems.append(_("table {table} holds {found} rows, {expected} expected").format(
                    table=table, found=counts.get(table, 0), expected=expected.get(table, 0)))
    return problems, counts


def _fsync(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder to sync it; os.replace there is already durable enough
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_sqlite(db_file: Path, target: Path, progress: Report | None = None) -> dict[str, int]:
    """Copy a live SQLite database through the online backup API; returns the rows per table of
    the state copied.  The counts and the copy are taken in one read transaction of the source, so
    writes by others during the backup are in neither."""
    src = sqlite3.connect(str(db_file), isolation_level=None, timeout=10)
    dst = sqlite3.connect(str(target))
    try:
        src.execute("BEGIN")
        counts = count_rows(src)  # the first read fixes the snapshot the backup then copies

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total, "")

        src.backup(dst, pages=PAGES_PER_STEP, progress=step)
        src.execute("COMMIT")
        # A copy in rollback-journal mode opens read-only anywhere (a USB stick, a read-only share).
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    _fsync(target)
    return counts


# ------------------------------------------------------------------ sidecars


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_sidecar(info: BackupInfo, sha256: str) -> None:
    data = {
        "format": 1, "created": info.created.isoformat(timespec="seconds"), "kind": info.kind,
        "size": info.size, "sha256": sha256, "verified": info.verified, "problems": list(info.problems),
        "checked": datetime.now().astimezone().isoformat(timespec="seconds"), "by": info.by, "counts": info.counts,
    }
    side = sidecar_path(info.path)
    tmp = side.with_name(side.name + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, side)


def _read_sidecar(path: Path) -> dict | None:  # type: ignore[type-arg]
    try:
        data = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _kind_from_name(path: Path) -> str:
    return "before-migration" if "-before-" in path.name else "manual"


def describe(path: Path) -> BackupInfo:
    """A backup as its sidecar describes it (without checking the file again)."""
    data = _read_sidecar(path)
    size = path.stat().st_size
    if data is None:
        created = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
        return BackupInfo(path, created, _kind_from_name(path), size, None)
    try:
        created = datetime.fromisoformat(data["created"])
    except (KeyError, TypeError, ValueError):
        created = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    verified = data.get("verified")
    problems = tuple(str(p) for p in data.get("problems") or ())
    if verified and data.get("size") != size:
        verified, problems = False, (_("the file's size changed after it was written"),)
    return BackupInfo(path, created, str(data.get("kind", "manual")), size,
                      bool(verified) if verified is not None else None, problems,
                      {str(k): int(v) for k, v in (data.get("counts") or {}).items()}, str(data.get("by", "")))


def _is_backup_file(path: Path) -> bool:
    return path.is_file() and (path.suffix in (SQLITE_SUFFIX, DUMP_SUFFIX) or path.suffix in OLD_SUFFIXES)


def list_backups(*folders: Path) -> list[BackupInfo]:
    """The backups in these folders, newest first."""
    found: list[BackupInfo] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if _is_backup_file(path):
                try:
                    found.append(describe(path))
                except OSError:  # vanished meanwhile (pruned by another instance)
                    continue
    return sorted(found, key=lambda i: i.created, reverse=True)


def known_backups(data_dir: Path) -> list[BackupInfo]:
    """Every backup the program made in the data folder: manual, daily, before a restore or an upgrade."""
    return list_backups(backups_dir(data_dir), daily_dir(data_dir))


def latest_verified(data_dir: Path) -> BackupInfo | None:
    return next((b for b in known_backups(data_dir) if b.verified and b.path.suffix != DUMP_SUFFIX), None)


def verify_backup(path: Path) -> BackupInfo:
    """Check a backup file again (integrity, rows per table against its sidecar, checksum) and
    record the result in its sidecar."""
    path = Path(path)
    if not path.is_file():
        raise BackupFailed(_("There is no backup file {file}.").format(file=path))
    data = _read_sidecar(path) or {}
    before = describe(path)
    sha = _sha256(path)
    problems: list[str] = []
    if data.get("sha256") and data["sha256"] != sha:
        problems.append(_("the file changed after it was written"))
    if path.suffix == DUMP_SUFFIX:
        counts = before.counts
        problems += _check_dump(path, counts)
    else:
        found, counts = check_sqlite_copy(path, before.counts or None)
        problems += found
    info = BackupInfo(path, before.created, before.kind, path.stat().st_size, not problems, tuple(problems),
                      counts, before.by)
    try:
        _write_sidecar(info, sha if not data.get("sha256") else data["sha256"])
    except OSError:
        log.info("cannot update the sidecar of %s", path)  # a read-only medium: the answer stands
    return info


def _target(dest_dir: Path, kind: str, now: datetime, suffix: str) -> Path:
    middle = "" if kind in ("manual", DAILY) else f"{kind}-"
    base = f"civaffairs-{middle}{now:%Y-%m-%d-%H%M}"
    target = dest_dir / f"{base}{suffix}"
    n = 2
    while target.exists() or sidecar_path(target).exists():
        target = dest_dir / f"{base}-{n}{suffix}"
        n += 1
    return target


def _make_folder(dest_dir: Path) -> None:
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BackupFailed(_("The folder {folder} cannot be written to: is the drive connected?").format(
            folder=dest_dir)) from e


def backup_file(db_file: Path, dest_dir: Path, kind: str, by: str, *, now: datetime | None = None,
                progress: Report | None = None, name: str | None = None) -> BackupInfo:
    """Copy, verify and describe a SQLite database file (no audit: the caller's business)."""
    now = (now or datetime.now()).astimezone()
    dest_dir = Path(dest_dir)
    _make_folder(dest_dir)
    target = dest_dir / name if name else _target(dest_dir, kind, now, SQLITE_SUFFIX)
    partial = target.with_name(target.name + ".part")
    try:
        counts = copy_sqlite(Path(db_file), partial, progress)
        os.replace(partial, target)
        _fsync_dir(dest_dir)
    except BaseException as e:
        partial.unlink(missing_ok=True)
        if isinstance(e, (OSError, sqlite3.Error)):
            log.info("backup to %s failed: %s", dest_dir, e)
            raise BackupFailed(_("The backup could not be written to {folder}. Check that the drive is "
                                 "connected and has room.").format(folder=dest_dir)) from e
        raise
    problems, _counts = check_sqlite_copy(target, counts)
    info = BackupInfo(target, now, kind, target.stat().st_size, not problems, tuple(problems), counts, by)
    _write_sidecar(info, _sha256(target))
    return info


def _check_dump(path: Path, counts: dict[str, int]) -> list[str]:
    exe = shutil.which("pg_restore")
    if exe is None:
        return [_("pg_restore was not found on this PC, so the dump could not be checked")]
    done = subprocess.run([exe, "--list", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        return [_("the file is not a readable pg_dump archive")]
    listed = {line.split()[-2] for line in done.stdout.splitlines() if " TABLE DATA " in line}
    missing = sorted(t for t in counts if t not in listed)
    return [_("the dump lacks the data of {tables}").format(tables="、".join(missing))] if missing else []


def register_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Rows per register in words, largest first (tables of no register are left out).  The
    registers are those loaded (`civaffairs.groups.load_all`, which the screens and commands call)."""
    from civaffairs.records.spec import all_registers

    names = {spec.model.__tablename__: spec.name for spec in all_registers()}
    named = [(names[t], n) for t, n in counts.items() if t in names and n]
    return sorted(named, key=lambda x: -x[1])
