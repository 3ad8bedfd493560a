"""A register as an .xlsx workbook: the list's rows (as filtered and sorted, or all), Chinese
headers, real cell types, frozen header, auto-filter, widths from the spec, personal data masked
unless the role reads it.  Written by xlsxwriter in constant-memory mode, read page by page.

An export of a register with personal data is audited, so it needs a write session
(`db.write()`); an export of a register without any may run in `db.read()`."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.db.database import Database
from civaffairs.exchange import keys
from civaffairs.exchange.cells import NUMBER, export_column
from civaffairs.records import service as records
from civaffairs.records.service import ListQuery
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, get_register

# Rows converted and written at a time (`records.stream`): a flat few MiB.
PAGE = 5000
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class ExportResult:
    rows: int
    masked: tuple[str, ...]  # field names written masked


def export_fields(spec: RegisterSpec) -> tuple[FieldSpec, ...]:
    """The columns of an export: every field of the form, and the list's other stored columns (a
    grant's number and state: shown, ignored when the file is imported)."""
    return tuple(f for f in spec.fields if f.in_form or f.in_list)


def sheet_name(spec: RegisterSpec) -> str:
    return _SHEET_FORBIDDEN.sub("", spec.name)[:31] or "Sheet1"


def column_width(f: FieldSpec) -> int:
    return max(f.width, 2 * len(f.title) + 2, 6) + 1


def masked_fields(actor: Actor, spec: RegisterSpec, fields: tuple[FieldSpec, ...]) -> tuple[str, ...]:
    return () if actor.can_read_sensitive(spec.group) else tuple(f.name for f in fields if f.sensitive)


def export_register(session: Session, actor: Actor, spec: RegisterSpec, path: Path, query: ListQuery | None = None,
                    *, progress: Callable[[int, int], None] | None = None,
                    audit_in: Database | None = None) -> ExportResult:
    """Write the register's rows to `path` (.xlsx).  `query` None: every live record in the
    register's own order; else the rows of that query.  `progress(done, total)` may raise to
    cancel: the partial file is removed.  An export of personal data is audited in `session`,
    or, when that is a read (which is never committed), in a write of its own in `audit_in`."""
    import xlsxwriter

    if audit_in is not None:  # the window's session: a changed account hands nothing out (SessionEnded)
        audit.check_before_output(audit_in, session)
    path = Path(path)
    q = query if query is not None else ListQuery()
    fields = export_fields(spec)
    columns = [export_column(f) for f in fields]
    masked = masked_fields(actor, spec, fields)
    total = records.count(session, actor, spec, q)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    done = 0
    try:
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                      "valign": "vcenter"})
        formats = {c.number_format: workbook.add_format({"num_format": c.number_format})
                   for c in columns if c.number_format}
        sheet = workbook.add_worksheet(sheet_name(spec))
        for i, c in enumerate(columns):
            sheet.set_column(i, i, column_width(c.field), formats.get(c.number_format))
            sheet.write_string(0, i, c.field.title, header)
        sheet.freeze_panes(1, 0)
        # (position, field name, how, format, convert, reference's register or None, masked)
        plan = [(i, c.field.name, c.how, formats.get(c.number_format), c.convert,
                 get_register(c.field.reference or "") if c.field.kind is Kind.REFERENCE else None,
                 c.field.name in masked) for i, c in enumerate(columns)]
        write_string, write_number = sheet.write_string, sheet.write_number
        if progress:
            progress(0, total)
        reference_texts: dict[str, dict[Any, str]] = {}
        for page in records.stream(session, actor, spec, q, PAGE):
            values = [r.values for r in page]
            for _i, name, _h, _f, _c, target, _m in plan:
                if target is not None:  # the page's references named by their natural key, one query
                    known = reference_texts.setdefault(name, {})
                    if len(known) > 50_000:  # memory stays flat over a huge register
                        known.clear()
                    missing = {v.get(name + "__id") for v in values} - known.keys() - {None}
                    if missing:
                        known.update(keys.texts(session, target, missing, actor))
            for v in values:
                done += 1
                for i, name, how, fmt, convert, target, hidden in plan:
                    value = v.get(name)
                    if value is None or value == "" or value == []:
                        continue
                    if target is not None:
                        if hidden:
                            write_string(done, i, str(value))
                        else:
                            write_string(done, i, reference_texts[name].get(v.get(name + "__id"), str(value)))
                    elif hidden and isinstance(value, str):
                        write_string(done, i, value)  # masked text, whatever the kind
                    elif how == NUMBER:
                        write_number(done, i, convert(value), fmt)
                    else:
                        write_string(done, i, convert(value))
            if progress:
                progress(done, total)
        sheet.autofilter(0, 0, max(done, 1), len(columns) - 1)
        workbook.close()
    except BaseException:
        try:
            workbook.close()
        except Exception:  # noqa: BLE001 - the file goes anyway
            pass
        path.unlink(missing_ok=True)
        raise
    if any(f.sensitive for f in fields):
        audit.record_access(audit_in or session, actor, "export", spec.key, label=spec.name, changes={
            "rows": [None, str(done)],
            "masked": [None, ",".join(masked) if masked else "none"],
            "file": [None, path.name],
        })
    return ExportResult(done, masked)
