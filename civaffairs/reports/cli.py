"""`civaffairs report --from DATE --to DATE --out FILE.xlsx|.pdf`: the statistics report without
the window (the same report as the overview's 统计上报 dialog)."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from civaffairs.core.i18n import _


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def run_report(args: argparse.Namespace) -> int:
    from civaffairs.accounts import service as accounts
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.core.errors import CivaffairsError
    from civaffairs.core.paths import resolve_data_dir
    from civaffairs.db.bootstrap import open_database
    from civaffairs.reports.figures import Period
    from civaffairs.reports.service import make_report

    start, end = _day(args.date_from), _day(args.date_to)
    if start is None or end is None:
        print(_("Please give the dates like 2021-10-01."), file=sys.stderr)
        return 2
    if end < start:
        print(_("The period ends before it starts."), file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".pdf"):
        print(_("The report is written as .xlsx or .pdf, not {suffix}.").format(suffix=out.suffix or "…"), file=sys.stderr)
        return 2
    db = open_database(resolve_data_dir(args.data_dir), args.database_url)
    try:
        with db.read() as s:
            office = accounts.office_name(s)
        report = make_report(db, COMMAND_LINE_ACTOR, Period(start, end), office_name=office, out=out)
    except CivaffairsError as e:
        print(e.message, file=sys.stderr)
        return 1
    except OSError as e:
        print(_("Cannot write the file {file}: {error}").format(file=out, error=e.strerror or e), file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(_("Written: {file} ({period}, {n} sections)").format(file=out, period=report.period.text,
                                                              n=len(report.sections)))
    return 0
