"""The command-line jobs of the exchange: `export`, `template`, `import`, `imports` (see
civaffairs/cli.py), as the command-line actor, through `commands.run_job`."""
from __future__ import annotations

import argparse
import sys
import uuid
from datetime import date
from pathlib import Path

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _

PROBLEMS_SHOWN = 200  # a preview of 100,000 bad rows is not read to its end on a terminal


def _spec(key: str | None):  # type: ignore[no-untyped-def]
    from civaffairs.groups import load_all
    from civaffairs.records.spec import get_register

    load_all()
    try:
        return get_register(key or "")
    except KeyError:
        print(_("No register “{key}”; `civaffairs export --list` names them.").format(key=key), file=sys.stderr)
        return None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def run(args: argparse.Namespace) -> int:
    if args.command == "export":
        return run_export(args)
    if args.command == "template":
        return run_template(args)
    if args.command == "import":
        return run_import(args)
    return run_imports(args)


def run_export(args: argparse.Namespace) -> int:
    from civaffairs.commands import Failed, run_job
    from civaffairs.exchange.export import export_register
    from civaffairs.records.service import ListQuery

    if args.list:
        from civaffairs.groups import load_all
        from civaffairs.records.spec import all_registers

        load_all()
        for spec in all_registers():
            print(f"{spec.key}\t{spec.name}")
        return 0
    if not args.register or not args.out:
        print(_("Name a register and the file to write: civaffairs export REGISTER --out FILE.xlsx"), file=sys.stderr)
        return 2
    spec = _spec(args.register)
    if spec is None:
        return 2
    filtered = bool(args.search or args.date_from or args.date_to)
    if args.all and filtered:
        print(_("--all exports every record: leave out --search, --from and --to, or --all."), file=sys.stderr)
        return 2
    try:
        query = ListQuery(search=args.search, date_from=_day(args.date_from), date_to=_day(args.date_to))
    except ValueError:
        print(_("Please enter a date like 2021-10-25."), file=sys.stderr)
        return 2
    out = Path(args.out)

    def job(db):  # type: ignore[no-untyped-def]
        with db.write() as s:  # an export of personal data is audited
            return export_register(s, COMMAND_LINE_ACTOR, spec, out, query if filtered else None)

    try:
        result = run_job(args, job, out=out)
    except Failed:
        return 1
    print(_("Written: {file} ({rows} rows of “{register}”)").format(file=out, rows=result.rows, register=spec.name))
    return 0


def run_template(args: argparse.Namespace) -> int:
    from civaffairs.exchange.template import write_template

    spec = _spec(args.register)
    if spec is None:
        return 2
    out = Path(args.out)
    try:
        write_template(spec, out)
    except OSError as e:
        print(_("Cannot write the file {file}: {error}").format(file=out, error=e.strerror or e), file=sys.stderr)
        return 1
    print(_("Written: {file} (template of “{register}”)").format(file=out, register=spec.name))
    return 0


def print_preview(preview, out=None) -> None:  # type: ignore[no-untyped-def]
    """The preview in the interface language (Chinese), one line a problem; on `out`, or on
    standard output as it is now (not as it was when this module was imported)."""
    out = out or sys.stdout
    from civaffairs.records.spec import get_register

    spec = get_register(preview.register)
    print(_("Register: {register}; file: {file}").format(register=spec.name, file=preview.file_name), file=out)
    print(_("Columns: {columns}").format(columns="、".join(f"{h}→{spec.field(n).title}" if h != spec.field(n).title else h
                                                          for h, n in preview.columns.items()) or "—"), file=out)
    if preview.unknown_columns:
        print(_("Unknown columns (not imported): {columns}").format(columns="、".join(preview.unknown_columns)), file=out)
    if preview.ignored_columns:
        print(_("Columns the program fills in itself (not imported): {columns}").format(
            columns="、".join(preview.ignored_columns)), file=out)
    for p in preview.file_problems:
        print("  " + str(p), file=out)
    shown = 0
    for r in preview.rows:
        for p in r.problems:
            if shown < PROBLEMS_SHOWN:
                print("  " + _("Refused:") + " " + str(p), file=out)
            shown += 1
        for p in r.warnings:
            if shown < PROBLEMS_SHOWN:
                print("  " + _("Warning:") + " " + str(p), file=out)
            shown += 1
    if shown > PROBLEMS_SHOWN:
        print("  " + _("… and {n} more.").format(n=shown - PROBLEMS_SHOWN), file=out)
    print(_("{rows} rows: {ok} can be imported, {bad} refused, {matched} match existing records.").format(
        rows=len(preview.rows), ok=preview.ok, bad=preview.bad, matched=preview.matched), file=out)


def run_import(args: argparse.Namespace) -> int:
    from civaffairs.commands import Failed, run_job
    from civaffairs.exchange import importer

    spec = _spec(args.register)
    if spec is None:
        return 2
    path = Path(args.file)

    def job(db):  # type: ignore[no-untyped-def]
        table = importer.read_table(path)
        if args.dry_run:
            with db.read() as s:
                return importer.preview(s, COMMAND_LINE_ACTOR, spec, table, file_name=path.name), None
        with db.write() as s:
            preview = importer.preview(s, COMMAND_LINE_ACTOR, spec, table, file_name=path.name)
            if not preview.can_apply:
                return preview, None
            return preview, importer.apply(s, COMMAND_LINE_ACTOR, spec, preview, on_match=args.on_match)

    try:
        preview, result = run_job(args, job)
    except Failed:
        return 1
    print_preview(preview)
    if not preview.can_apply:
        print(_("Nothing was imported: correct the rows refused and import again."), file=sys.stderr)
        return 1
    if result is None:
        print(_("Checked only (--dry-run): nothing was written."))
        return 0
    print(_("Imported: {created} new, {updated} updated, {skipped} skipped. Batch {batch}.").format(
        created=result.created, updated=result.updated, skipped=result.skipped, batch=result.batch_id))
    return 0


def run_imports(args: argparse.Namespace) -> int:
    from civaffairs.commands import Failed, run_job
    from civaffairs.core.clock import to_local
    from civaffairs.exchange import batches

    from civaffairs.groups import load_all

    load_all()
    if args.undo:
        try:
            batch_id = uuid.UUID(args.undo)
        except ValueError:
            print(_("“{batch}” is not an import batch number.").format(batch=args.undo), file=sys.stderr)
            return 2

        def undo(db):  # type: ignore[no-untyped-def]
            with db.write() as s:
                return batches.undo_batch(s, COMMAND_LINE_ACTOR, batch_id)

        try:
            n = run_job(args, undo)
        except Failed:
            return 1
        print(_("Import undone: {n} records put back.").format(n=n))
        return 0

    def listing(db):  # type: ignore[no-untyped-def]
        with db.read() as s:
            return batches.list_batches(s, COMMAND_LINE_ACTOR, args.register)

    try:
        found = run_job(args, listing)
    except Failed:
        return 1
    for b in found:
        when = to_local(b.at)
        undone = _(" (undone)") if b.undone_at else ""
        print(f"{b.id}\t{long_date(when.date())} {when:%H:%M}\t{b.register_name}\t{b.file_name}\t"
              + _("{created} new, {updated} updated, {skipped} skipped").format(
                  created=b.created, updated=b.updated, skipped=b.skipped) + undone)
    return 0
