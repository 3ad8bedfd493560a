"""`civaffairs print inspection NUMBER --out FILE.pdf`: an inspection report as a PDF, without the
window (the same paper as the window prints)."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from civaffairs.core.i18n import _


def run_print_inspection(args: argparse.Namespace) -> int:
    """args.number, args.out, args.data_dir, args.database_url; 0 when written, 1 with a message."""
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.core.errors import CivaffairsError
    from civaffairs.core.paths import resolve_data_dir
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups import load_all

    load_all()
    from civaffairs.supervision import service
    from civaffairs.supervision.reports import render_inspection_report

    out = Path(args.out)
    db = open_database(resolve_data_dir(args.data_dir), args.database_url)
    try:
        with db.read() as s:
            visit_id = service.find_by_number(s, args.number)
            report = service.inspection_report(s, COMMAND_LINE_ACTOR, visit_id)
        data = render_inspection_report(report)
        out.write_bytes(data)
    except CivaffairsError as e:
        print(e.message, file=sys.stderr)
        return 1
    except OSError as e:
        print(_("Cannot write the file {file}: {error}").format(file=out, error=e.strerror or e), file=sys.stderr)
        return 1
    finally:
        db.dispose()
    pages = len(re.findall(rb"/Type /Page\b(?!s)", data))
    print(_("Written: {file} ({number}, {pages} pages)").format(file=out, number=report.number, pages=pages))
    return 0
