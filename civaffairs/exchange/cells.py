"""A field's value as a workbook cell and back, one converter per column made once (a cell of
100,000 rows must not go through generic code).  Dates are written as Excel serial numbers with a
date format (what xlsxwriter would make of a date, without its per-cell dispatch); a text that a
spreadsheet would run as a formula is written with a leading apostrophe, removed on import."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from civaffairs.core.clock import to_local
from civaffairs.core.i18n import _
from civaffairs.records.spec import FieldSpec, Kind

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()  # Excel's day 0 (with its 1900 leap-year bug folded in)
_EPOCH = datetime(1899, 12, 30)

FORMATS: dict[Kind, str] = {
    Kind.INTEGER: "0",
    Kind.TEMPERATURE: "0.0",
    Kind.MONEY: "#,##0.00",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
    Kind.TIME: "hh:mm",
}
STRING, NUMBER = 0, 1  # how a column's cells are written


def safe_text(text: str) -> str:
    """Text that no spreadsheet program runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unsafe_text(text: str) -> str:
    """The text `safe_text` protected, as it was."""
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_STARTS and len(text) > 1 else text


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def choice_separator() -> str:
    return "、"


@dataclass(frozen=True)
class ExportColumn:
    field: FieldSpec
    how: int  # STRING or NUMBER
    number_format: str | None
    convert: Callable[[Any], Any]  # a (non-empty, unmasked) value -> the cell's value


def export_column(f: FieldSpec) -> ExportColumn:
    kind = f.kind
    fmt = FORMATS.get(kind)
    if kind is Kind.INTEGER:
        return ExportColumn(f, NUMBER, fmt, int)
    if kind in (Kind.TEMPERATURE, Kind.MONEY):
        return ExportColumn(f, NUMBER, fmt, float)  # Excel has no decimals; 2 places survive a double
    if kind is Kind.DATE:
        return ExportColumn(f, NUMBER, fmt, lambda d: d.toordinal() - _EPOCH_ORDINAL)
    if kind is Kind.DATETIME:
        def moment(v: datetime) -> float:
            local = to_local(v)
            return (local.toordinal() - _EPOCH_ORDINAL) + (local.hour * 60 + local.minute) / 1440
        return ExportColumn(f, NUMBER, fmt, moment)
    if kind is Kind.TIME:
        return ExportColumn(f, NUMBER, fmt, lambda t: (t.hour * 60 + t.minute) / 1440)
    if kind is Kind.BOOLEAN:
        yes, no = yes_no(True), yes_no(False)
        return ExportColumn(f, STRING, None, lambda v: yes if v else no)
    if kind is Kind.CHOICE:
        titles = {c.code: c.title for c in f.choices}
        return ExportColumn(f, STRING, None, lambda v: safe_text(titles.get(v, str(v))))
    if kind is Kind.MULTI_CHOICE:
        titles = {c.code: c.title for c in f.choices}
        sep = choice_separator()
        return ExportColumn(f, STRING, None, lambda v: sep.join(titles.get(c, str(c)) for c in v))
    return ExportColumn(f, STRING, None, lambda v: safe_text(str(v)))  # text, ID numbers, phones, references


# ------------------------------------------------------------------ reading


# Excel's serial numbers run from 1 (1900-01-01) to 2958465 (9999-12-31); anything else is not a
# date, and the cell goes to the service as it is, whose coercion says so at the field.
_MAX_SERIAL = 2958465


def serial_date(number: float) -> date:
    if not 1 <= number <= _MAX_SERIAL:
        raise ValueError(number)
    return date.fromordinal(_EPOCH_ORDINAL + int(number))


def serial_datetime(number: float) -> datetime:
    if not 1 <= number <= _MAX_SERIAL:
        raise ValueError(number)
    return _EPOCH + timedelta(minutes=round(float(number) * 1440))


def serial_time(number: float) -> time:
    minutes = round((float(number) % 1) * 1440) % 1440
    return time(minutes // 60, minutes % 60)


def _number_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # a phone number or an ID's digits typed into a number cell
    if isinstance(v, bool):
        return yes_no(v)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour, v.minute) != (0, 0) else v.date().isoformat()
    if isinstance(v, (date, time)):
        return v.isoformat(timespec="minutes") if isinstance(v, time) else v.isoformat()
    if isinstance(v, timedelta):
        minutes = int(v.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(v)


_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_MULTI_SPLIT = re.compile(r"[、,，;；/／\n]+")


def reader(f: FieldSpec) -> Callable[[Any], Any]:
    """A cell as read (calamine's str, int, float, bool, date, datetime, time; CSV's str) -> the
    raw input the service's own coercion takes, which then says what is wrong with it."""
    kind = f.kind
    if kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.RESIDENT_ID, Kind.PHONE, Kind.CREDIT_CODE, Kind.REFERENCE):
        return lambda v: unsafe_text(v) if isinstance(v, str) else _number_text(v)
    if kind is Kind.INTEGER:
        return lambda v: int(v) if isinstance(v, float) and v.is_integer() else v
    if kind in (Kind.TEMPERATURE, Kind.MONEY):
        return lambda v: Decimal(repr(v)) if isinstance(v, float) else v
    if kind is Kind.DATE:
        def day(v: Any) -> Any:
            try:
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    return serial_date(v)
                if isinstance(v, str) and _SERIAL.match(v.strip()):
                    return serial_date(float(v))
            except (ValueError, OverflowError):
                pass
            return v
        return day
    if kind is Kind.DATETIME:
        def moment(v: Any) -> Any:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                try:
                    return serial_datetime(v)
                except (ValueError, OverflowError):
                    return v
            if isinstance(v, date) and not isinstance(v, datetime):
                return datetime.combine(v, time.min)
            return v
        return moment
    if kind is Kind.TIME:
        def clock(v: Any) -> Any:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return serial_time(v)
            if isinstance(v, datetime):
                return v.time()
            if isinstance(v, timedelta):
                return serial_time(v.total_seconds() / 86400)
            if isinstance(v, str) and re.fullmatch(r"\d{1,2}[:：]\d{2}[:：]\d{2}", v.strip()):
                return v.strip()[:-3]
            return v
        return clock
    if kind is Kind.BOOLEAN:
        return lambda v: bool(v) if isinstance(v, (int, float)) and v in (0, 1) else v
    if kind is Kind.CHOICE:
        codes = {c.code: c.code for c in f.choices}
        codes.update({c.title: c.code for c in f.choices})
        codes.update({c.label: c.code for c in f.choices})
        return lambda v: codes.get(str(v).strip(), str(v).strip())
    if kind is Kind.MULTI_CHOICE:
        codes = {c.code: c.code for c in f.choices}
        codes.update({c.title: c.code for c in f.choices})
        codes.update({c.label: c.code for c in f.choices})
        return lambda v: [codes.get(p.strip(), p.strip()) for p in _MULTI_SPLIT.split(_number_text(v)) if p.strip()]
    return lambda v: v  # pragma: no cover - every kind is handled above


def shown(v: Any) -> str:
    """A cell's value as a problem report quotes it."""
    if v is None:
        return ""
    text = _number_text(v)
    return text if len(text) <= 60 else text[:57] + "…"
