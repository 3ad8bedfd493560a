"""`civaffairs sync [--status | --join URL | --export FILE | --import FILE]` and
`civaffairs conflicts`: the exchange with the office server without the window."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from civaffairs.core.i18n import _


def add_parsers(sub, common: argparse.ArgumentParser) -> None:  # type: ignore[no-untyped-def]
    sync = sub.add_parser("sync", parents=[common], help=_("exchange changes with the office server once"))
    what = sync.add_mutually_exclusive_group()
    what.add_argument("--status", action="store_true", help=_("show the exchange's state and the waiting changes"))
    what.add_argument("--join", metavar="URL", help=_("make this PC's (empty) database a working copy of the office "
                                                      "server at URL, e.g. postgresql+psycopg://user:password@server/civaffairs"))
    what.add_argument("--publish", metavar="URL", help=_("move this single PC's database onto a new, empty office "
                                                         "server at URL; this PC then works on a copy of it"))
    what.add_argument("--export", metavar="FILE", help=_("write this PC's waiting changes to an exchange file (a USB drive)"))
    what.add_argument("--import", dest="import_file", metavar="FILE",
                      help=_("apply an exchange file: a PC's changes (on a PC connected to the server, or the server) "
                             "or the server's answer (on the PC that wrote the changes)"))
    sync.add_argument("--answer", metavar="FILE", help=_("where to write the answer to a PC's changes file"))
    sub.add_parser("conflicts", parents=[common], help=_("list the open conflicts between PCs"))


def _server(local):  # type: ignore[no-untyped-def]
    from civaffairs.core.errors import ValidationError
    from civaffairs.db.database import Database
    from civaffairs.sync import exchange

    with local.read() as s:
        url = exchange.server_url(s)
    if not url:
        raise ValidationError.at("", _("This PC does not work with an office server (single-PC mode)."))
    return Database(url)


def run(args: argparse.Namespace) -> int:
    from civaffairs.commands import Failed, run_job
    from civaffairs.groups import load_all

    load_all()
    job = {"conflicts": _conflicts}.get(args.command) or (
        _status if args.status else _join if args.join else _publish if args.publish else _export if args.export
        else _import if args.import_file else _exchange)
    try:
        return run_job(args, lambda db: job(db, args))
    except Failed:
        return 1


def _exchange(local, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from civaffairs.core.errors import DatabaseUnreachable
    from civaffairs.sync import exchange

    server = _server(local)
    try:
        result = exchange.exchange(local, server)
    except DatabaseUnreachable as e:
        waiting = exchange.status(local).waiting
        print(e.message + " " + _("{n} changes wait on this PC and are kept.").format(n=waiting), file=sys.stderr)
        return 2
    finally:
        server.dispose()
    print(result.summary())
    return 0


def _status(local, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from civaffairs.core.clock import to_local
    from civaffairs.records.spec import get_register
    from civaffairs.sync import exchange

    state = exchange.status(local)
    if not state.server:
        print(_("Single-PC mode: this PC does not work with an office server."))
        return 0
    print(_("Office server: {server}").format(server=state.server))
    print(_("Last exchange: {at}").format(at=f"{to_local(state.last_exchange):%Y-%m-%d %H:%M}"
                                          if state.last_exchange else _("never")))
    if state.last_error:
        print(_("Last error: {error}").format(error=state.last_error))
    print(_("Waiting changes: {n}").format(n=state.waiting))
    for e in exchange.waiting_changes(local, limit=50):
        try:
            register = get_register(e.register).name
        except KeyError:
            register = e.register
        print(f"  {to_local(e.made_at):%Y-%m-%d %H:%M}  {e.actor}  {e.command}  {register}  {e.record_label}")
    print(_("Open conflicts: {n}").format(n=state.open_conflicts))
    return 0


def _join(local, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from civaffairs.db.database import Database
    from civaffairs.sync import exchange

    server = Database(args.join)
    shown = [-1]

    def progress(done: int, total: int) -> None:  # a line every tenth, on the error stream
        tenth = done * 10 // max(total, 1)
        if tenth != shown[0]:
            shown[0] = tenth
            print(_("Copying: {done} of {total} rows").format(done=f"{done:,}", total=f"{total:,}"), file=sys.stderr)

    try:
        copied = exchange.join(local, server, args.join, progress=progress)
    finally:
        server.dispose()
    print(_("This PC now works on a copy of the office server ({rows} rows copied).").format(rows=copied))
    return 0


def _publish(local, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from civaffairs.db.database import Database
    from civaffairs.db.migrate import upgrade
    from civaffairs.sync import exchange

    server = Database(args.publish)
    try:
        upgrade(server.engine)  # a new server: the program's tables made there first
        copied = exchange.publish(local, server, args.publish)
    finally:
        server.dispose()
    print(_("This database is now on the office server ({rows} rows copied); this PC works on a copy of it. "
            "Other PCs join with: civaffairs sync --join URL").format(rows=copied))
    return 0


def _export(local, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from civaffairs.sync import files

    n = files.write_changes(local, Path(args.export))
    print(_("{n} waiting changes written to {file}. Apply it on a PC connected to the office server, "
            "then read the answer file here.").format(n=n, file=args.export))
    return 0


def _import(local, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    """A PC's changes on the server (this database, or this PC's server); an answer on its PC."""
    import gzip
    import json

    from civaffairs.sync import files
    from civaffairs.sync.replay import OUTCOME_LABELS

    path = Path(args.import_file)
    try:
        kind = json.loads(json.loads(gzip.decompress(path.read_bytes()))["body"]).get("kind")
    except Exception:  # noqa: BLE001 - files._open says what is wrong, in Chinese
        kind = None
    if kind == files.ANSWER:
        result = files.read_answer(local, path)
        print(_("Answer read: {n} changes answered, {received} records received.").format(
            n=result.changes, received=result.received))
        return 0
    server = _server(local) if local.working_copy else local
    try:
        result = files.answer_changes(server, path, Path(args.answer) if args.answer else None)
    finally:
        if server is not local:
            server.dispose()
    print(_("{n} changes applied ({outcomes}); the answer for the PC is in {file}.").format(
        n=result.changes, outcomes="，".join(f"{_(OUTCOME_LABELS.get(k, k))} {v}" for k, v in sorted(result.outcomes.items()))
        or "-",
        file=result.answer))
    return 0


def _conflicts(local, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.core.clock import to_local
    from civaffairs.sync import conflicts

    with local.read() as s:
        rows = conflicts.open_conflicts(s, COMMAND_LINE_ACTOR)
    if not rows:
        print(_("No open conflicts."))
        return 0
    for c in rows:
        print("  ".join(filter(None, [
            f"{to_local(c.mine_at):%Y-%m-%d %H:%M}", c.kind_label, c.register_name, c.record_label, c.field_title,
            _("this PC: {value} ({user})").format(value=c.mine if c.mine is not None else "-", user=c.mine_by),
            _("server: {value} ({user})").format(value=c.theirs if c.theirs is not None else "-", user=c.theirs_by or "-"),
            c.reason])))
    return 0
