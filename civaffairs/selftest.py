"""`civaffairs --self-test`: proves that an installed copy (the Windows bundle, above all) has
everything it needs: the database driver and the migrations, every register's service, the fonts
of every printed form, the Excel reader and writer, and the window.

It works in a fresh temporary data folder (never the user's database or settings), offscreen,
prints one line per step with ✓ or ✗, and answers 0 only when every step passed.  It stops at the
first failure, since each step builds on the one before; the details of that failure go to
`selftest.log` in the data folder, which is then kept."""
from __future__ import annotations

import importlib
import logging
import os
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civaffairs.core.i18n import N_, _

if TYPE_CHECKING:
    from civaffairs.accounts.roles import Actor
    from civaffairs.db.database import Database

OFFICE = "自检民政局"
# The demo's records are dated in the autumn of 2021; the forms of a period print that period.
FIRST_DAY, LAST_DAY = date(2021, 9, 1), date(2021, 11, 5)

log = logging.getLogger(__name__)


class StepFailed(Exception):
    """A step's own finding (a register left empty, a PDF with no page), said in words."""


@dataclass
class Run:
    folder: Path
    db: Database | None = None
    actor: Actor | None = None
    printed_at: datetime = field(default_factory=lambda: datetime.now().astimezone())

    @property
    def out(self) -> Path:
        path = self.folder / "out"
        path.mkdir(exist_ok=True)
        return path


# ------------------------------------------------------------------ the steps


def open_new_database(run: Run) -> str:
    from civaffairs.db.bootstrap import open_database
    from civaffairs.db.migrate import current_revision
    from civaffairs.db.migrations import HEAD

    run.db = open_database(run.folder / "data")
    revision = current_revision(run.db.engine)
    if revision != HEAD:
        raise StepFailed(_("The database is at revision {found}, not {head}.").format(found=revision, head=HEAD))
    return revision


def set_up_office(run: Run) -> str:
    from civaffairs.accounts import service as accounts
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR

    assert run.db is not None
    password = secrets.token_urlsafe(12)
    with run.db.write() as s:
        accounts.initialise_office(s, OFFICE, "admin", _("Administrator"), password, by=COMMAND_LINE_ACTOR)
    run.actor = accounts.login(run.db, "admin", password)  # the log-in path too
    return run.actor.display_name


def create_records(run: Run) -> str:
    """A record in every register, through the services, by the demo's builders: they know each
    register's rules and which records must exist first (a household before its members)."""
    from sqlalchemy import func, select

    from civaffairs import demo
    from civaffairs.records.spec import all_registers

    assert run.db is not None and run.actor is not None
    # Two days, not one: before the office opens today has no visitors yet, yesterday always has.
    demo.fill(run.db, staff=2, days=2, actor=run.actor)
    for name in demo.DEMO_MODULES:  # as demo.fill_groups, but few of the many households
        fill = importlib.import_module(name).fill
        fill(run.db, actor=run.actor, **({"sample": 25} if "sample" in fill.__code__.co_varnames else {}))
    demo.fill_notices(run.db, actor=run.actor)
    registers = all_registers()
    with run.db.read() as s:
        empty = [spec.name for spec in registers if not s.scalar(select(func.count()).select_from(spec.model))]
    if empty:
        raise StepFailed(_("No record could be made in: {registers}.").format(registers="、".join(empty)))
    return _("{n} registers").format(n=len(registers))


def _first(model: Any, *where: Any) -> uuid.UUID:
    """The id of a live record of `model` (for a form that prints one record)."""
    from sqlalchemy import select

    run = _current
    assert run.db is not None
    with run.db.read() as s:
        found = s.scalar(select(model.id).where(model.deleted_at.is_(None), *where).order_by(model.id).limit(1))
    if found is None:
        raise StepFailed(_("There is no record to print this form from."))
    return found


def _notice(run: Run) -> bytes:
    from sqlalchemy import select

    from civaffairs.notices import service as notices
    from civaffairs.notices.models import Notice
    from civaffairs.printing.notice_pdf import render_notice

    assert run.db is not None
    with run.db.read() as s:
        number = s.scalar(select(Notice.document_number).where(Notice.document_number.is_not(None))
                          .order_by(Notice.document_number).limit(1))
        notice = notices.find_by_number(s, number or "")
        mark = notices.office_mark(s, notice)
    return render_notice(notice, office_mark=mark)


def _inspection_report(run: Run) -> bytes:
    from civaffairs.supervision import service
    from civaffairs.supervision.models import InspectionVisit
    from civaffairs.supervision.reports import render_inspection_report

    visit_id = _first(InspectionVisit, InspectionVisit.report_number != "")
    with _read(run) as s:
        return render_inspection_report(service.inspection_report(s, run.actor, visit_id))


def _team_summary(run: Run) -> bytes:
    from civaffairs.reports.figures import Period
    from civaffairs.supervision import service
    from civaffairs.supervision.models import SupervisionTeam
    from civaffairs.supervision.reports import render_team_summary

    team_id = _first(SupervisionTeam)
    with _read(run) as s:
        return render_team_summary(service.team_summary(s, run.actor, team_id, Period(FIRST_DAY, LAST_DAY)))


def _statistics(run: Run) -> bytes:
    from civaffairs.printing.statistics_pdf import render_statistics
    from civaffairs.reports import statistics
    from civaffairs.reports.figures import Period

    with _read(run) as s:
        return render_statistics(statistics.build(s, run.actor, Period(FIRST_DAY, LAST_DAY), office_name=OFFICE))


def _register_list(run: Run) -> bytes:
    from civaffairs.groups.bureau_office.fields import STAFF
    from civaffairs.printing.table_report import render_register
    from civaffairs.records.service import ListQuery

    with _read(run) as s:
        return render_register(s, run.actor, STAFF, ListQuery(), **_printed(run))


def _blank_form(run: Run) -> bytes:
    from civaffairs.groups.service_institutions.fields import DAILY_CHECKS
    from civaffairs.printing.blank_form import render_blank_form

    return render_blank_form(DAILY_CHECKS, office_name=OFFICE, header_fields=("institution_id",),
                             fixed={"institution_id": OFFICE}, exclude=("notes",), printed_at=run.printed_at)


def _duty_roster(run: Run) -> bytes:
    from civaffairs.groups.community.models import Compound
    from civaffairs.groups.community.reports import render_duty_roster

    compound_id = _first(Compound)
    with _read(run) as s:
        return render_duty_roster(s, run.actor, compound_id, date(2021, 11, 1), **_printed(run))


def _entry_sheet(run: Run) -> bytes:
    from civaffairs.groups.community.models import DutyPoint
    from civaffairs.groups.community.reports import render_entry_sheet

    point_id = _first(DutyPoint)
    with _read(run) as s:
        return render_entry_sheet(s, run.actor, point_id, office_name=OFFICE, printed_at=run.printed_at)


def _acknowledgement(run: Run) -> bytes:
    from civaffairs.groups.donations import service
    from civaffairs.groups.donations.fields import MONEY
    from civaffairs.groups.donations.models import MoneyDonation
    from civaffairs.groups.donations.reports import render_acknowledgement

    donation_id = _first(MoneyDonation, MoneyDonation.ack_number != "")
    with _read(run) as s:
        return render_acknowledgement(service.acknowledgement(s, run.actor, MONEY.key, donation_id))


def _disclosure(run: Run) -> bytes:
    from civaffairs.groups.donations import service
    from civaffairs.groups.donations.reports import render_disclosure
    from civaffairs.reports.figures import Period

    with _read(run) as s:
        return render_disclosure(service.disclosure(s, run.actor, Period(FIRST_DAY, LAST_DAY)), printed_on=LAST_DAY)


def _certificate(run: Run) -> bytes:
    from civaffairs.groups.volunteers import service
    from civaffairs.groups.volunteers.models import ServiceCertificate
    from civaffairs.groups.volunteers.reports import render_certificate

    certificate_id = _first(ServiceCertificate)
    with _read(run) as s:
        return render_certificate(service.certificate_document(s, run.actor, certificate_id))


def _household_file(run: Run) -> bytes:
    from civaffairs.groups.assistance.household_paper import render_household_file
    from civaffairs.groups.assistance.models import Household

    household_id = _first(Household)
    with _read(run) as s:
        return render_household_file(s, run.actor, household_id, **_printed(run))


def _not_contacted(run: Run) -> bytes:
    from civaffairs.groups.assistance.household_paper import render_not_contacted

    with _read(run) as s:
        return render_not_contacted(s, run.actor, LAST_DAY, None, **_printed(run))


def _approval_form(run: Run) -> bytes:
    from civaffairs.groups.assistance.grant_paper import render_approval_form
    from civaffairs.groups.assistance.models import TemporaryAssistanceGrant

    grant_id = _first(TemporaryAssistanceGrant)
    with _read(run) as s:
        return render_approval_form(s, run.actor, grant_id, **_printed(run))


def _publicity_list(run: Run) -> bytes:
    from civaffairs.groups.assistance.grant_paper import render_publicity_list

    with _read(run) as s:
        return render_publicity_list(s, FIRST_DAY, LAST_DAY, office_name=OFFICE, issued_on=LAST_DAY)


def _not_acknowledged(run: Run) -> bytes:
    from civaffairs.groups.social_organisations.reports import render_not_acknowledged

    with _read(run) as s:
        return render_not_acknowledged(s, run.actor, day=LAST_DAY, **_printed(run))


def _read(run: Run):  # type: ignore[no-untyped-def]
    assert run.db is not None and run.actor is not None
    return run.db.read()


def _printed(run: Run) -> dict[str, Any]:
    assert run.actor is not None
    return {"office_name": OFFICE, "printed_by": run.actor.display_name, "printed_at": run.printed_at}


# Every printed form of the program, as a clerk knows it.
FORMS: list[tuple[str, Callable[[Run], bytes]]] = [
    (N_("notice"), _notice),
    (N_("inspection report"), _inspection_report),
    (N_("inspection team's summary"), _team_summary),
    (N_("statistics report"), _statistics),
    (N_("register list printout"), _register_list),
    (N_("blank form"), _blank_form),
    (N_("duty roster"), _duty_roster),
    (N_("entry registration sheet"), _entry_sheet),
    (N_("donation acknowledgement"), _acknowledgement),
    (N_("donations public disclosure"), _disclosure),
    (N_("volunteer service certificate"), _certificate),
    (N_("household file"), _household_file),
    (N_("not-contacted list"), _not_contacted),
    (N_("temporary assistance approval form"), _approval_form),
    (N_("assistance publicity list"), _publicity_list),
    (N_("notices not acknowledged"), _not_acknowledged),
]


def _form_step(render: Callable[[Run], bytes]) -> Callable[[Run], str]:
    def step(run: Run) -> str:
        from civaffairs.commands import pdf_pages

        data = render(run)
        pages = pdf_pages(data)
        if not data.startswith(b"%PDF") or pages < 1:
            raise StepFailed(_("The PDF has no page."))
        return _("{n} pages").format(n=pages)

    return step


def export_and_import(run: Run) -> str:
    """A register out to a workbook, and back into the same register of a second, empty database."""
    from civaffairs.db.bootstrap import open_database
    from civaffairs.exchange import importer
    from civaffairs.exchange.export import export_register
    from civaffairs.groups.bureau_office.fields import DISINFECTION
    from civaffairs.records import service as records

    assert run.db is not None and run.actor is not None
    workbook = run.out / "export.xlsx"
    with run.db.write() as s:
        exported = export_register(s, run.actor, DISINFECTION, workbook).rows
    empty = open_database(run.folder / "import")
    try:
        table = importer.read_table(workbook)
        with empty.write() as s:
            preview = importer.preview(s, run.actor, DISINFECTION, table, file_name=workbook.name)
            if not preview.can_apply:
                raise StepFailed(_("The workbook could not be imported: {n} rows refused.").format(n=preview.bad))
            importer.apply(s, run.actor, DISINFECTION, preview)
        with empty.read() as s:
            imported = records.count(s, run.actor, DISINFECTION)
    finally:
        empty.dispose()
    if imported != exported or not exported:
        raise StepFailed(_("{exported} rows exported, {imported} imported.").format(exported=exported, imported=imported))
    return _("{n} rows").format(n=exported)


def open_main_window(run: Run) -> str:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    assert run.db is not None and run.actor is not None
    # Whatever the window remembers (its size, column widths) goes to the temporary folder.
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(run.folder / "settings"))
    from civaffairs.core.i18n import current_language
    from civaffairs.gui.app import setup_application
    from civaffairs.gui.context import AppContext
    from civaffairs.gui.main_window import MainWindow
    from civaffairs.gui.operations import Operations
    from civaffairs.gui.settings import Preferences

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    setup_application(app, current_language())
    ctx = AppContext(run.db, Operations(run.db, run.actor), run.actor, run.folder / "data", Preferences(), OFFICE)
    window = MainWindow(ctx)
    try:
        window.show()
        app.processEvents()
        title = window.windowTitle()
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
    return title


STEPS: list[tuple[str, Callable[[Run], str]]] = [
    (N_("Open a new database and bring it to the current schema"), open_new_database),
    (N_("Set up the office and its administrator, and log in"), set_up_office),
    (N_("Create a record in every register"), create_records),
    *[(N_("Print: {form}"), _form_step(render)) for _form, render in FORMS],
    (N_("Export a register to a workbook and import it into an empty register"), export_and_import),
    (N_("Open the main window"), open_main_window),
]
# The form each "Print: …" step prints, by its place in STEPS.
_FORM_NAMES = {3 + i: name for i, (name, _render) in enumerate(FORMS)}
_current: Run


def _title(index: int) -> str:
    label = _(STEPS[index][0])
    return label.format(form=_(_FORM_NAMES[index])) if index in _FORM_NAMES else label


def _can_write(stream: Any, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _marks(stream: Any) -> tuple[str, str]:
    """✓ and ✗, or √ and × where the output cannot hold them (a GBK console on Windows)."""
    return ("✓", "✗") if _can_write(stream, "✓✗") else ("√", "×")


def _reason(error: BaseException) -> str:
    from civaffairs.core.errors import CivaffairsError

    if isinstance(error, CivaffairsError):
        return error.message
    if isinstance(error, StepFailed):
        return str(error)
    return _("unexpected error ({kind}): {error}").format(kind=type(error).__name__, error=error)


def main(out: Any = None) -> int:
    """Run every step; 0 when all passed, 1 otherwise."""
    global _current
    out = out or sys.stdout
    if out is not None and not _can_write(out, "✓自检") and hasattr(out, "reconfigure"):
        # Redirected to a file on Windows the output is in the ANSI code page (cp1252 cannot hold
        # Chinese at all): write UTF-8 instead.
        out.reconfigure(encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the window opens, but on no screen
    ok_mark, failed_mark = _marks(out)

    def say(line: str) -> None:
        if out is not None:  # a windowed Windows program started without a console has no stdout
            print(line, file=out, flush=True)

    folder = Path(tempfile.mkdtemp(prefix="civaffairs-selftest-"))
    run = _current = Run(folder)
    handler = logging.FileHandler(folder / "selftest.log", encoding="utf-8")
    logging.getLogger().addHandler(handler)
    say(_("civaffairs self-test in {folder}").format(folder=folder))
    started = time.perf_counter()
    failed = False
    try:
        for index in range(len(STEPS)):
            title, step = _title(index), STEPS[index][1]
            began = time.perf_counter()
            try:
                detail = step(run)
            except Exception as e:  # noqa: BLE001 - said in one line, the traceback goes to the log
                log.error("self-test step failed: %s", title, exc_info=True)
                say(f"{failed_mark} " + _("{step}: {reason}").format(step=title, reason=_reason(e)))
                not_run = len(STEPS) - index - 1
                if not_run:
                    say(_("{n} later steps were not run.").format(n=not_run))
                failed = True
                break
            seconds = time.perf_counter() - began
            line = _("{step} ({detail})").format(step=title, detail=detail) if detail else title
            say(f"{ok_mark} {line}" + _(" {seconds:.1f} s").format(seconds=seconds))
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
        if run.db is not None:
            run.db.dispose()
    if failed:
        say(_("Self-test failed. Details: {log}").format(log=folder / "selftest.log"))
        return 1
    shutil.rmtree(folder, ignore_errors=True)
    say(_("Self-test passed: {n} steps in {seconds:.0f} s.").format(n=len(STEPS), seconds=time.perf_counter() - started))
    return 0
