"""Turning what a user typed (or an import cell held) into a field's value, and a value into
text.  Every refusal is a `ValueError` carrying the translated message for the field: bad input
is reported, never silently fixed."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from collections.abc import Mapping, Sequence
from typing import Any

from civaffairs.core.clock import now_utc, to_local, today_local
from civaffairs.core.i18n import _
from civaffairs.core.idnumbers import (
    mask_bank_account, mask_phone, mask_resident_id, mask_text, parse_resident_id, validate_credit_code,
)
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, Sensitivity

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
TEXT_KINDS = (Kind.TEXT, Kind.LONG_TEXT, Kind.RESIDENT_ID, Kind.PHONE, Kind.CREDIT_CODE)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def empty_value(spec: FieldSpec) -> Any:
    if spec.kind in TEXT_KINDS:
        return ""
    if spec.kind is Kind.MULTI_CHOICE:
        return []
    if spec.kind is Kind.BOOLEAN:
        return False
    return None


def _decimal(raw: Any, places: int) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValueError(_("Please enter a number.")) from None
    if not value.is_finite():
        raise ValueError(_("Please enter a number."))
    quantum = Decimal(1).scaleb(-places)
    try:
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a Decimal holds (1e27): no amount or temperature
        raise ValueError(_("This number is far too large.")) from None
    if value != rounded:
        raise ValueError(_("At most {n} decimal places, please.").format(n=places))
    return rounded


def _parse_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return to_local(raw).date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip().replace("/", "-").replace(".", "-")
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", str(raw).strip())
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        y, mo, d = (int(p) for p in text.split("-"))
        return date(y, mo, d)
    except (ValueError, TypeError):
        raise ValueError(_("Please enter a date like 2021-10-25.")) from None


def _parse_time(raw: Any) -> time:
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    # 08:30, 8:30, 8：30, and as typed in fast entry without the colon: 0830, 830
    m = re.fullmatch(r"(\d{1,2})[:：](\d{2})", str(raw).strip()) or re.fullmatch(r"(\d{1,2})(\d{2})", str(raw).strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise ValueError(_("Please enter a time like 08:30."))
    return time(int(m[1]), int(m[2]))


def _parse_datetime(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        moment = raw if raw.tzinfo else raw.astimezone()  # naive means this PC's local time
        return moment.astimezone(timezone.utc).replace(second=0, microsecond=0)
    text = str(raw).strip()
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(_("Please enter a date and time like 2021-10-25 08:30."))
    day, clock = _parse_date(parts[0]), _parse_time(parts[1])
    return datetime.combine(day, clock).astimezone().astimezone(timezone.utc)


_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _check_text(raw: str) -> None:
    """Text no database keeps: a NUL (PostgreSQL refuses it) or half of a character (a lone
    surrogate, from a damaged file or a bad paste: it cannot be written as UTF-8)."""
    if _UNSTORABLE.search(raw):
        raise ValueError(_("This text holds a character that cannot be stored (a NUL or a damaged character); please type it again."))


def searchable(text: str) -> str:
    """What may be searched for: a NUL or half a character becomes a space (no record holds one,
    and neither database takes it in a query)."""
    return _UNSTORABLE.sub(" ", text)


def coerce(spec: FieldSpec, raw: Any, *, today: date | None = None) -> Any:
    """The field's value for `raw`, or ValueError with the message to show at the field."""
    if is_empty(raw):
        if spec.required:
            raise ValueError(_("“{label}” is required.").format(label=spec.title))
        return empty_value(spec)
    today = today or today_local()
    kind = spec.kind
    if isinstance(raw, str):
        _check_text(raw)
    if kind in (Kind.TEXT, Kind.LONG_TEXT):
        value: Any = str(raw).strip()
        if spec.max_length and len(value) > spec.max_length:
            raise ValueError(_("At most {n} characters, please.").format(n=spec.max_length))
        return value
    if kind is Kind.RESIDENT_ID:
        return parse_resident_id(str(raw), today=today).number
    if kind is Kind.CREDIT_CODE:
        return validate_credit_code(str(raw))
    if kind is Kind.PHONE:
        value = re.sub(r"[\s()（）]", "", str(raw))
        if not (_MOBILE.match(value) or _LANDLINE.match(value)):
            raise ValueError(_("Please enter an 11-digit mobile number or a landline like 0931-8123456."))
        return value
    if kind is Kind.INTEGER:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError(_("Please enter a whole number.")) from None
    elif kind is Kind.TEMPERATURE:
        value = _decimal(raw, 1)
    elif kind is Kind.MONEY:
        value = _decimal(raw, 2)
    elif kind is Kind.DATE:
        value = _parse_date(raw)
        if spec.not_in_future and value > today:
            raise ValueError(_("The date {d} is in the future.").format(d=value.isoformat()))
    elif kind is Kind.DATETIME:
        value = _parse_datetime(raw)
        if spec.not_in_future and value > now_utc():
            raise ValueError(_("The time {t} is in the future.").format(t=to_local(value).strftime("%Y-%m-%d %H:%M")))
        return value
    elif kind is Kind.TIME:
        return _parse_time(raw)
    elif kind is Kind.CHOICE:
        code = str(raw)
        if code not in {c.code for c in spec.choices}:
            by_title = {c.title: c.code for c in spec.choices}
            if code.strip() not in by_title:
                raise ValueError(_("Please choose one of: {options}.").format(options="、".join(by_title)))
            code = by_title[code.strip()]
        return code
    elif kind is Kind.MULTI_CHOICE:
        if not isinstance(raw, (list, tuple, set, frozenset)):  # a workbook's text is split before
            raise ValueError(_("Please choose from the list."))
        codes = [str(c) for c in raw]
        allowed = [c.code for c in spec.choices]
        bad = [c for c in codes if c not in allowed]
        if bad:
            raise ValueError(_("Unknown choice: {c}.").format(c=bad[0]))
        if spec.required and not codes:
            raise ValueError(_("“{label}” is required.").format(label=spec.title))
        return [c for c in allowed if c in codes]  # a stable order
    elif kind is Kind.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("是", "yes", "true", "1", "y", "√"):
            return True
        if text in ("否", "no", "false", "0", "n", "×"):
            return False
        raise ValueError(_("Please answer yes or no."))
    elif kind is Kind.REFERENCE:
        try:
            return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
        except ValueError:
            raise ValueError(_("Please choose from the list.")) from None
    else:  # pragma: no cover - every kind is handled above
        raise AssertionError(kind)
    if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
        raise ValueError(_("“{label}” must be between {lo} and {hi}.").format(label=spec.title, lo=spec.minimum, hi=spec.maximum))
    return value


# -------------------------------------------------------------- JSON form


def form_json(spec: RegisterSpec, values: Mapping[str, Any], names: Sequence[str] | None = None) -> dict[str, Any]:
    """A record's form values (or those `names`) as JSON: an import batch's "before", a change
    waiting in a working copy's outbox."""
    out: dict[str, Any] = {}
    for f in spec.form_fields if names is None else [spec.field(n) for n in names]:
        v = values.get(f.name)
        if isinstance(v, (datetime, date, time)):
            v = v.isoformat()
        elif isinstance(v, (Decimal, uuid.UUID)):
            v = str(v)
        out[f.name] = v
    return out


def form_from_json(spec: RegisterSpec, data: Mapping[str, Any], *, form_only: bool = True) -> dict[str, Any]:
    """`form_json` read back; fields the register no longer has (or, with `form_only`, that are
    not the form's) are left out."""
    out: dict[str, Any] = {}
    for name, v in data.items():
        if not spec.has_field(name) or (form_only and not spec.field(name).in_form):
            continue
        kind = spec.field(name).kind
        if v is not None:
            if kind is Kind.DATE:
                v = date.fromisoformat(v)
            elif kind is Kind.DATETIME:
                v = datetime.fromisoformat(v)
            elif kind is Kind.TIME:
                v = time.fromisoformat(v)
            elif kind in (Kind.MONEY, Kind.TEMPERATURE):
                v = Decimal(v)
            elif kind is Kind.REFERENCE:
                v = uuid.UUID(v)
        out[name] = v
    return out


# -------------------------------------------------------------- database form


def to_db(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind is Kind.TEMPERATURE:
        return int(value * 10)
    if spec.kind is Kind.MONEY:
        return int(value * 100)
    return value


def from_db(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind is Kind.TEMPERATURE:
        return Decimal(value).scaleb(-1)
    if spec.kind is Kind.MONEY:
        return Decimal(value).scaleb(-2)
    if spec.kind is Kind.DATETIME and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


# -------------------------------------------------------------- text


def canonical_text(spec: FieldSpec, value: Any) -> str | None:
    """Language-neutral text for the audit trail."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="minutes")
    if isinstance(value, (date, time)):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def display_text(spec: FieldSpec, value: Any) -> str:
    """What a person reads on screen and on paper."""
    if value is None or value == "":
        return ""
    kind = spec.kind
    if kind is Kind.DATETIME:
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    if kind is Kind.DATE:
        return value.isoformat()
    if kind is Kind.TIME:
        return value.strftime("%H:%M")
    if kind is Kind.BOOLEAN:
        return _("Yes") if value else _("No")
    if kind is Kind.CHOICE:
        return spec.choice_title(value)
    if kind is Kind.MULTI_CHOICE:
        return "、".join(spec.choice_title(v) for v in value)
    if kind is Kind.MONEY:
        return f"{value:,.2f}"
    return str(value)


def display_canonical(spec: FieldSpec, text: str | None) -> str:
    """An audit trail value (canonical text) for a person to read."""
    if text is None or text == "":
        return ""
    kind = spec.kind
    try:
        if kind is Kind.DATETIME:
            return display_text(spec, datetime.fromisoformat(text))
        if kind is Kind.BOOLEAN:
            return display_text(spec, text == "true")
        if kind is Kind.CHOICE:
            return spec.choice_title(text)
        if kind is Kind.MULTI_CHOICE:
            return display_text(spec, text.split(","))
    except ValueError:
        pass
    return text


def mask(spec: FieldSpec, text: str) -> str:
    if not text:
        return text
    if spec.kind in (Kind.DATE, Kind.DATETIME):  # a birth date read from an ID number: no part of it shows
        return "***"
    if spec.sensitive is Sensitivity.ID_NUMBER:
        return mask_resident_id(text)
    if spec.sensitive is Sensitivity.PHONE:
        return mask_phone(text)
    if spec.sensitive is Sensitivity.ADDRESS:
        return mask_text(text)
    if spec.sensitive is Sensitivity.BANK_ACCOUNT:
        return mask_bank_account(text)
    return "***"
