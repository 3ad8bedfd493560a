"""`civaffairs backup [--to DIR]`, `civaffairs backups [--verify]` and `civaffairs restore FILE [--yes]`,
as the command-line actor.  Listing and restoring work on a damaged database too: they are what
the damaged-database message sends the administrator to."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from civaffairs.core.i18n import _


def add_parsers(sub, common: argparse.ArgumentParser) -> None:  # type: ignore[no-untyped-def]
    backup = sub.add_parser("backup", parents=[common], help=_("back up the database now, and verify the copy"))
    backup.add_argument("--to", metavar="DIR", help=_("the folder to write the backup to, e.g. a USB drive "
                                                      "(default: backups in the data folder)"))
    listing = sub.add_parser("backups", parents=[common], help=_("list the backups with their verification results"))
    listing.add_argument("--verify", action="store_true", help=_("check every backup file again"))
    listing.add_argument("--in", dest="folder", metavar="DIR", help=_("list the backups in this folder instead"))
    restore = sub.add_parser("restore", parents=[common], help=_("replace the database by a backup"))
    restore.add_argument("file", metavar="FILE", help=_("the backup file to restore"))
    restore.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))


def run(args: argparse.Namespace) -> int:
    from civaffairs.groups import load_all

    load_all()  # the registers, to count a backup's records by register
    if args.command == "backup":
        return run_backup(args)
    if args.command == "backups":
        return run_list(args)
    return run_restore(args)


def _line(info) -> str:  # type: ignore[no-untyped-def]
    from civaffairs.backup.service import size_text

    return "  ".join([f"{info.created:%Y-%m-%d %H:%M}", info.kind_label, size_text(info.size),
                      _("{rows} records").format(rows=info.rows) if info.counts else "-",
                      info.result_text, str(info.path)])


def run_backup(args: argparse.Namespace) -> int:
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.backup import service
    from civaffairs.commands import Failed, run_job
    from civaffairs.core.paths import resolve_data_dir

    dest = Path(args.to) if args.to else service.backups_dir(resolve_data_dir(args.data_dir))
    size_text = service.size_text
    try:
        info = run_job(args, lambda db: service.backup_now(db, dest, COMMAND_LINE_ACTOR))
    except Failed:
        return 1
    if not info.verified:
        print(_("The backup {file} failed its check: {problems}.").format(
            file=info.path, problems="；".join(info.problems)), file=sys.stderr)
        return 1
    print(_("Backup written and verified: {file} ({size}, {rows} records).").format(
        file=info.path, size=size_text(info.size), rows=info.rows))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from civaffairs.backup import service
    from civaffairs.core.errors import CivaffairsError
    from civaffairs.core.paths import resolve_data_dir

    data_dir = resolve_data_dir(args.data_dir)
    infos = service.list_backups(Path(args.folder)) if args.folder else service.known_backups(data_dir)
    if args.verify:
        try:
            infos = [service.verify_backup(i.path) for i in infos]
        except CivaffairsError as e:
            print(e.message, file=sys.stderr)
            return 1
    if not infos:
        print(_("No backups in {folder}.").format(folder=args.folder or service.backups_dir(data_dir)))
        return 0
    for info in infos:
        print(_line(info))
    return 0 if all(i.verified is not False for i in infos) else 1


def run_restore(args: argparse.Namespace) -> int:
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.backup import service
    from civaffairs.core.errors import CivaffairsError, DatabaseDamaged
    from civaffairs.core.paths import resolve_data_dir, resolve_database_url
    from civaffairs.db.bootstrap import open_database

    data_dir = resolve_data_dir(args.data_dir)
    if not resolve_database_url(data_dir, args.database_url).startswith("sqlite"):
        print(_("A PostgreSQL database is restored on the server with pg_restore (see the README)."), file=sys.stderr)
        return 1
    source = Path(args.file)
    try:
        info = service.verify_backup(source)
        if not info.verified:
            raise service.BackupFailed(_("The backup {file} did not pass its check and was not restored: "
                                         "{problems}.").format(file=source.name, problems="；".join(info.problems)))
        print(service.confirmation_text(info))
        if not args.yes:
            if not sys.stdin.isatty():
                print(_("Not restored: confirm with --yes when not on a terminal."), file=sys.stderr)
                return 1
            answer = input(_("Restore this backup? Type y to confirm: ")).strip().lower()
            if answer not in ("y", "yes", "是"):
                print(_("Not restored."))
                return 1
        try:
            db = open_database(data_dir, args.database_url)
        except DatabaseDamaged:
            db = None  # the damaged file is kept aside as it is
        try:
            result = service.restore(data_dir, source, COMMAND_LINE_ACTOR, db)
        finally:
            if db is not None:
                db.dispose()
    except CivaffairsError as e:
        print(e.message, file=sys.stderr)
        return 1
    print(_("Restored the backup of {date}.").format(date=f"{result.backup.created:%Y-%m-%d %H:%M}"))
    if result.kept is not None:
        print(_("The database as it was before is kept in {file}.").format(file=result.kept))
    return 0
