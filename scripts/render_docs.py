"""Render sample paper to page images under docs/paper/: an issued notice (GB/T 9704), a
register printout and a blank check-in sheet, from a throwaway database filled by the demo.

    python scripts/render_docs.py [--out docs/paper]

Needs `pdftoppm` (Debian: poppler-utils).  Look at every page after a change to the printing."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/paper")
    parser.add_argument("--dpi", default="60")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from civaffairs import demo
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.bureau_office.fields import CHECK_INS
    from civaffairs.notices import service as notices
    from civaffairs.notices.data import NoticeStatus
    from civaffairs.printing.blank_form import render_blank_form
    from civaffairs.printing.notice_pdf import render_notice
    from civaffairs.printing.table_report import render_register
    from civaffairs.records.service import ListQuery

    work = Path(tempfile.mkdtemp(prefix="civaffairs-paper-"))
    db = open_database(work)
    demo.create_accounts(db)
    demo.fill(db, staff=40, days=10)
    demo.fill_notices(db)
    pdfs: dict[str, bytes] = {}
    with db.read() as s:
        issued = [n for n in notices.list_notices(s, COMMAND_LINE_ACTOR) if n.status is NoticeStatus.ISSUED]
        notice = max(issued, key=lambda n: len(n.body))
        pdfs["notice"] = render_notice(notice, office_mark=notices.office_mark(s, notice))
        query = ListQuery(colours=("green", "yellow", "red"), sort="day", descending=True)
        pdfs["register-check-ins"] = render_register(
            s, COMMAND_LINE_ACTOR, CHECK_INS, query, office_name=demo.DEMO_OFFICE, printed_by="办公室 王主任",
            printed_at=datetime.now(timezone.utc))
    pdfs["blank-check-ins"] = render_blank_form(CHECK_INS, office_name=demo.DEMO_OFFICE,
                                                header_fields=CHECK_INS.carried_fields,
                                                printed_at=datetime.now(timezone.utc))
    db.dispose()
    for name, pdf in pdfs.items():
        path = out / f"{name}.pdf"
        path.write_bytes(pdf)
        for old in out.glob(f"{name}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", args.dpi, str(path), str(out / name)], check=True)
        print(path, len(list(out.glob(f"{name}-*.png"))), "pages")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
