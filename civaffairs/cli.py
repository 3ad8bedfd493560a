"""Command line: no sub-command starts the window; sub-commands run jobs without it."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from civaffairs.core import i18n
from civaffairs.core.i18n import _


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help=_("data folder (default: the user's data folder, or CIVAFFAIRS_HOME)"))
    common.add_argument("--database-url", help=_("database URL, e.g. postgresql+psycopg://user:password@server/civaffairs (or CIVAFFAIRS_DATABASE_URL)"))
    common.add_argument("--lang", choices=sorted(i18n.LANGUAGES), help=_("interface language"))
    parser = argparse.ArgumentParser(prog="civaffairs", parents=[common],
                                     description=_("Epidemic prevention registers of the civil affairs bureau"))
    parser.add_argument("--self-test", action="store_true",
                        help=_("check this installation in a temporary folder, offscreen, and exit"))
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", parents=[common], help=_("fill the database with realistic demo data"))
    demo.add_argument("--staff", type=int, default=48)
    demo.add_argument("--days", type=int, default=30)
    printing = sub.add_parser("print", parents=[common], help=_("write a document as a PDF file, without the window"))
    documents = printing.add_subparsers(dest="document", required=True)
    notice = documents.add_parser("notice", parents=[common], help=_("an issued notice, by its document number"))
    notice.add_argument("number", help=_("the document number, e.g. 麦民发〔2021〕12号"))
    notice.add_argument("--out", required=True, metavar="FILE.pdf", help=_("the PDF file to write"))
    inspection = documents.add_parser("inspection", parents=[common], help=_("an inspection report, by its number"))
    inspection.add_argument("number", help=_("the report number, e.g. 麦民督〔2021〕5号"))
    inspection.add_argument("--out", required=True, metavar="FILE.pdf", help=_("the PDF file to write"))
    report = sub.add_parser("report", parents=[common], help=_("the statistics report of a period, as a workbook or a PDF"))
    report.add_argument("--from", dest="date_from", required=True, metavar="DATE", help=_("first day, e.g. 2021-10-01"))
    report.add_argument("--to", dest="date_to", required=True, metavar="DATE", help=_("last day, e.g. 2021-11-05"))
    report.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("the file to write: .xlsx or .pdf"))
    export = sub.add_parser("export", parents=[common], help=_("write a register to an Excel workbook"))
    export.add_argument("register", nargs="?", help=_("the register's key (see export --list)"))
    export.add_argument("--list", action="store_true", help=_("list the registers: key, then name"))
    export.add_argument("--out", metavar="FILE.xlsx", help=_("the workbook to write"))
    export.add_argument("--all", action="store_true", help=_("every live record, whatever the filters"))
    export.add_argument("--search", default="", help=_("only records matching these words, as the list's search"))
    export.add_argument("--from", dest="date_from", metavar="DATE", help=_("first day, e.g. 2021-10-01"))
    export.add_argument("--to", dest="date_to", metavar="DATE", help=_("last day, e.g. 2021-11-05"))
    template = sub.add_parser("template", parents=[common], help=_("write an empty workbook to fill in for a register"))
    template.add_argument("register", help=_("the register's key (see export --list)"))
    template.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("the workbook to write"))
    imp = sub.add_parser("import", parents=[common], help=_("import a workbook into a register"))
    imp.add_argument("register", help=_("the register's key (see export --list)"))
    imp.add_argument("file", metavar="FILE.xlsx", help=_("the workbook (.xlsx, .xls, .ods) or .csv file to read"))
    imp.add_argument("--dry-run", action="store_true", help=_("check and show the preview, write nothing"))
    imp.add_argument("--on-match", choices=["skip", "update"], default="skip",
                     help=_("rows that match an existing record: skip them or update the record"))
    audit = sub.add_parser("audit", parents=[common], help=_("the audit log"))
    audit_jobs = audit.add_subparsers(dest="audit_command", required=True)
    audit_jobs.add_parser("verify", parents=[common], help=_("check that no audit entry has been changed, deleted or inserted"))
    from civaffairs.backup.cli import add_parsers as add_backup_parsers

    add_backup_parsers(sub, common)
    from civaffairs.sync.cli import add_parsers as add_sync_parsers

    add_sync_parsers(sub, common)
    batches = sub.add_parser("imports", parents=[common], help=_("list the import batches, or undo one"))
    batches.add_argument("register", nargs="?", help=_("only the imports into this register"))
    batches.add_argument("--undo", metavar="BATCH", help=_("undo this import batch (its number as listed)"))
    return parser


def _language(argv: Sequence[str]) -> None:
    # The language must be known before argparse builds its (translated) help.
    import os

    lang = os.environ.get("CIVAFFAIRS_LANG")
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    if lang:
        i18n.set_language(lang)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _language(argv)
    args = _parser().parse_args(argv)
    if args.self_test:
        from civaffairs import selftest

        return selftest.main()
    if args.command == "demo":
        return run_demo(args)
    if args.command == "print":
        if args.document == "inspection":
            from civaffairs.supervision.cli import run_print_inspection

            return run_print_inspection(args)
        return run_print(args)
    if args.command == "report":
        from civaffairs.reports.cli import run_report

        return run_report(args)
    if args.command == "audit":
        return run_audit_verify(args)
    if args.command in ("backup", "backups", "restore"):
        from civaffairs.backup import cli as backup_cli

        return backup_cli.run(args)
    if args.command in ("sync", "conflicts"):
        from civaffairs.sync import cli as sync_cli

        return sync_cli.run(args)
    if args.command in ("export", "template", "import", "imports"):
        from civaffairs.exchange import cli as exchange_cli

        return exchange_cli.run(args)
    from civaffairs.gui.app import run

    return run(args)


def run_demo(args: argparse.Namespace) -> int:
    from civaffairs import demo
    from civaffairs.core.errors import CivaffairsError
    from civaffairs.core.paths import resolve_data_dir
    from civaffairs.db.bootstrap import open_database

    data_dir = resolve_data_dir(args.data_dir)
    try:
        db = open_database(data_dir, args.database_url)
    except CivaffairsError as e:  # a damaged database file
        print(e.message, file=sys.stderr)
        return 1
    try:
        made = demo.create_accounts(db)
        counts = demo.fill(db, staff=args.staff, days=args.days)
        groups = demo.fill_groups(db)
        issued, drafts = demo.fill_notices(db)
    except CivaffairsError as e:
        print(e.message, file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(_("Database: {url}").format(url=db.url))
    if made:
        print(_("Demo accounts (the passwords are shown only this once):"))
        for a in made:
            print(f"  {a.username:<14} {a.role.label:<8} {a.password}")
    print(_("Added: {staff} staff, {check_ins} check-ins, {visitors} visitors, {disinfection} disinfection entries.").format(**counts))
    for package, added in groups.items():
        print(_("Added ({package}): {counts}").format(
            package=package, counts=", ".join(f"{k} {v}" for k, v in added.items())))
    print(_("Notices: {issued} issued ({numbers}), {drafts} draft.").format(
        issued=len(issued), numbers="、".join(issued), drafts=drafts))
    return 0


def run_audit_verify(args: argparse.Namespace) -> int:
    """`civaffairs audit verify`: the audit log's hash chain checked; exit status 1 when a link
    is broken (the message names it), 0 when intact."""
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.audit.chain import ChainReport, verify_chain
    from civaffairs.commands import Failed, run_job
    from civaffairs.db.database import Database
    from civaffairs.groups import load_all

    load_all()  # the message names a record's register

    def job(db: Database) -> ChainReport:
        with db.snapshot() as s:  # one state throughout, however long the walk
            return verify_chain(s, COMMAND_LINE_ACTOR)

    try:
        report = run_job(args, job)
    except Failed:
        return 1
    print(report.message(), file=sys.stdout if report.intact else sys.stderr)
    return 0 if report.intact else 1


def run_print(args: argparse.Namespace) -> int:
    """`civaffairs print notice <number> --out FILE.pdf`: the same PDF as the window prints."""
    from pathlib import Path

    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.audit import service as audit
    from civaffairs.commands import Failed, pdf_pages, run_job
    from civaffairs.db.database import Database
    from civaffairs.notices import service as notices
    from civaffairs.notices.data import NoticeData
    from civaffairs.printing.notice_pdf import render_notice

    out = Path(args.out)

    def job(db: Database) -> tuple[NoticeData, bytes]:
        with db.read() as s:
            notice = notices.find_by_number(s, args.number)
            mark = notices.office_mark(s, notice)
        data = render_notice(notice, office_mark=mark)
        out.write_bytes(data)
        audit.record_access(db, COMMAND_LINE_ACTOR, "print", notices.REGISTER, notice.id,
                            label=notice.document_number or args.number,
                            changes={"output": [None, out.name], "pages": [None, str(pdf_pages(data))]})
        return notice, data

    try:
        notice, data = run_job(args, job, out=out)
    except Failed:
        return 1
    pages = pdf_pages(data)
    print(_("Written: {file} ({number}, {pages} pages)").format(file=out, number=notice.document_number, pages=pages))
    if notice.status != "issued":
        print(_("This notice's number has been cancelled: it is printed marked 作废 (void)."), file=sys.stderr)
    return 0
