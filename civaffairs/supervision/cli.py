"""`civaffairs print inspection NUMBER --out FILE.pdf`: an inspection report as a PDF, without the
window (the same paper as the window prints)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from civaffairs.core.i18n import _


def run_print_inspection(args: argparse.Namespace) -> int:
    """args.number, args.out, args.data_dir, args.database_url; 0 when written, 1 with a message."""
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.commands import Failed, pdf_pages, run_job
    from civaffairs.db.database import Database
    from civaffairs.groups import load_all

    load_all()
    from civaffairs.audit import service as audit
    from civaffairs.supervision import service
    from civaffairs.supervision.fields import VISITS
    from civaffairs.supervision.reports import render_inspection_report

    out = Path(args.out)

    def job(db: Database) -> tuple[Any, bytes]:
        with db.read() as s:
            visit_id = service.find_by_number(s, args.number)
            report = service.inspection_report(s, COMMAND_LINE_ACTOR, visit_id)
        data = render_inspection_report(report)
        out.write_bytes(data)
        audit.record_access(db, COMMAND_LINE_ACTOR, "print", VISITS.key, visit_id, label=report.number,
                            changes={"output": [None, out.name], "pages": [None, str(pdf_pages(data))]})
        return report, data

    try:
        report, data = run_job(args, job, out=out)
    except Failed:
        return 1
    pages = pdf_pages(data)
    print(_("Written: {file} ({number}, {pages} pages)").format(file=out, number=report.number, pages=pages))
    return 0
