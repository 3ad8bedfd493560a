"""Find a person everywhere (查人): every record of any register that mentions the person.

Generic over the registers: every register with a `Kind.RESIDENT_ID` or a `Kind.PHONE` field is
searched, each such field with the person's name field beside it (see `_name_field_for`), so a
new register is covered without a change here.  Lookups are exact matches on the stored
(normalised) values, one indexed query per register; never a LIKE over a million entry
registrations.

Who may search: administrators, leaders (the leading group) and the members of any working
group; a viewer is refused.  What a searcher may not see in a register (another group's ID
numbers and phones) is masked in the results as in that register's list.  Every search is
audited; the query is written in full only for a searcher who may see every group's sensitive
data (administrators, leaders), masked otherwise."""
from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit import service as audit
from civaffairs.core.clock import to_local
from civaffairs.core.errors import PermissionDenied, ValidationError
from civaffairs.core.i18n import _
from civaffairs.core.idnumbers import mask_phone, mask_resident_id, parse_resident_id
from civaffairs.records import values as V
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, all_registers, get_register

QUERY_FIELD = "query"  # the one input field: errors are reported at it
AUDIT_REGISTER = "people"
MAX_PER_REGISTER = 200  # records listed per register; more are counted, not listed

# A field that holds a person's name: "name", "head_name", "name_1", "person", "people",
# "contact", "contact_person", "person_in_charge"…
_NAME_FIELD = re.compile(r"(^|_)(name|person|people|contact)(_|$|\d)")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_ID_LIKE = re.compile(r"^\d{14,17}[\dXx]$")


# ------------------------------------------------------------------ who may search


def may_search(actor: Actor) -> bool:
    return actor.role in (Role.ADMINISTRATOR, Role.LEADER, Role.MEMBER)


def _sees_everything(actor: Actor) -> bool:
    return actor.role in (Role.ADMINISTRATOR, Role.LEADER)


# ------------------------------------------------------------------ the query


@dataclass(frozen=True)
class PersonQuery:
    """What was typed, understood: an ID number, or a name and/or a phone."""

    id_number: str | None = None  # 18 characters, normalised
    phones: tuple[str, ...] = ()  # the phone as stored, in the forms it may be stored in
    name: str | None = None

    @property
    def phone(self) -> str | None:
        return self.phones[0] if self.phones else None

    def masked_text(self) -> str:
        """The query as the audit log keeps it for a searcher who may not see sensitive data."""
        parts = [mask_resident_id(self.id_number)] if self.id_number else []
        parts += [p for p in (self.name, mask_phone(self.phone) if self.phone else None) if p]
        return " ".join(parts)

    def full_text(self) -> str:
        return " ".join(p for p in (self.id_number, self.name, self.phone) if p)


def _upgrade_old_id(number: str) -> str:
    """A 15-digit first-generation ID number (before 1999) in its 18-character form: the year
    gains "19" (every holder was born in the 1900s) and the check digit is computed."""
    from stdnum.cn import ric

    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


def _phone_forms(phone: str) -> tuple[str, ...]:
    """A landline may be stored with or without the dash after its area code."""
    if not phone.startswith("0"):
        return (phone,)
    digits = phone.replace("-", "")
    forms = [phone, digits] + [f"{digits[:n]}-{digits[n:]}" for n in (3, 4)]
    return tuple(dict.fromkeys(f for f in forms if _LANDLINE.match(f)))


def parse_query(text: str) -> PersonQuery:
    """Understand the one field: an ID number (18 characters, or an old 15-digit one), a phone,
    a name, or a name and a phone.  A `ValidationError` at `QUERY_FIELD` says what is wrong."""
    text = V.searchable(text)[:200]  # a name, a phone and an ID number fit many times over
    tokens = [t for t in re.split(r"[\s,，;；、]+", text.replace("（", "(").replace("）", ")")) if t]
    tokens = [re.sub(r"[()]", "", t) for t in tokens]
    joined = "".join(tokens).replace("-", "")
    if len(tokens) > 1 and len(joined) >= 14 and _ID_LIKE.match(joined):
        tokens = [joined]  # an ID number typed in groups: 620503 19850615 123X
    if not tokens:
        raise ValidationError.at(QUERY_FIELD, _("Type an ID number, a phone number or a name."))
    id_number: str | None = None
    phone: str | None = None
    names: list[str] = []
    for token in tokens:
        bare = token.replace("-", "")
        if len(bare) >= 14 and _ID_LIKE.match(bare) or (len(bare) >= 13 and bare.isdigit()):
            if id_number is not None:
                raise ValidationError.at(QUERY_FIELD, _("Search for one ID number at a time."))
            number = bare.upper()
            if len(number) == 15 and number.isdigit():
                number = _upgrade_old_id(number)
            try:
                id_number = parse_resident_id(number).number
            except ValueError as e:
                raise ValidationError.at(QUERY_FIELD, str(e)) from None
        elif bare.isdigit():
            if not (_MOBILE.match(token) or _LANDLINE.match(token)):
                raise ValidationError.at(QUERY_FIELD, _(
                    "“{value}” is neither an ID number nor a phone number: a mobile number has 11 digits, "
                    "a landline looks like 0938-8123456.").format(value=token))
            if phone is not None:
                raise ValidationError.at(QUERY_FIELD, _("Search for one phone number at a time."))
            phone = token
        else:
            names.append(token)
    if id_number is not None and (phone is not None or names):
        raise ValidationError.at(QUERY_FIELD, _("An ID number finds the person by itself: type it alone."))
    name = "".join(names) or None  # 张 三 is 张三
    return PersonQuery(id_number=id_number, phones=_phone_forms(phone) if phone else (), name=name)


# ------------------------------------------------------------------ what is searched


@dataclass(frozen=True)
class SearchedRegister:
    """A register and the fields 查人 looks in: its ID-number fields and phone fields, each with
    the name field of the person it belongs to."""

    spec: RegisterSpec
    id_fields: tuple[tuple[FieldSpec, FieldSpec | None], ...]  # (ID number, name)
    phone_fields: tuple[tuple[FieldSpec, FieldSpec | None], ...]  # (phone, name)

    @property
    def name_fields(self) -> tuple[FieldSpec, ...]:
        seen: dict[str, FieldSpec] = {}
        for _f, name in self.id_fields + self.phone_fields:
            if name is not None:
                seen.setdefault(name.name, name)
        return tuple(seen.values())


def _name_field_for(spec: RegisterSpec, f: FieldSpec) -> FieldSpec | None:
    """The name of the person an ID number or phone belongs to: the nearest text field before it
    whose name says it holds a person's name (name_1 before phone_1, contact_person before
    contact_phone), else the first such field of the register."""
    names = [(i, g) for i, g in enumerate(spec.fields) if g.kind is Kind.TEXT and _NAME_FIELD.search(g.name)]
    position = spec.fields.index(f)
    before = [g for i, g in names if i < position]
    if before:
        return before[-1]
    return names[0][1] if names else None


def searched_registers() -> list[SearchedRegister]:
    """Every register that holds an ID number or a phone, in registration order."""
    from civaffairs.groups import load_all

    load_all()  # every group's registers, not only those imported so far
    found = []
    for spec in all_registers():
        ids = tuple((f, _name_field_for(spec, f)) for f in spec.fields if f.kind is Kind.RESIDENT_ID)
        phones = tuple((f, _name_field_for(spec, f)) for f in spec.fields if f.kind is Kind.PHONE)
        if ids or phones:
            found.append(SearchedRegister(spec, ids, phones))
    return found


def _conditions(reg: SearchedRegister, q: PersonQuery) -> list[Any]:
    """Equality conditions on stored columns, one per way the record may mention the person."""
    columns = reg.spec.model.__table__.c
    col = lambda f: columns[f.name]  # noqa: E731
    found: list[Any] = []
    if q.id_number:
        found += [col(f) == q.id_number for f, _name in reg.id_fields]
    elif q.phones:
        # The name narrows a phone shared by a household or a duty point: any of the record's
        # person names (a donor's phone may be under the donor's name or the contact's).
        names = or_(*(col(n) == q.name for n in reg.name_fields)) if q.name and reg.name_fields else None
        if q.name and names is None:
            return []
        for f, _name in reg.phone_fields:
            match = col(f).in_(q.phones) if len(q.phones) > 1 else col(f) == q.phones[0]
            found.append(match & names if names is not None else match)
    elif q.name:
        found += [col(f) == q.name for f in reg.name_fields]
    return found


def _matched(reg: SearchedRegister, q: PersonQuery, values: dict[str, Any]) -> list[FieldSpec]:
    """The fields of one record that matched the query."""
    if q.id_number:
        return [f for f, _n in reg.id_fields if values.get(f.name) == q.id_number]
    if q.phones:
        names = [n for n in reg.name_fields if q.name and values.get(n.name) == q.name]
        phones = [f for f, _n in reg.phone_fields if values.get(f.name) in q.phones]
        return phones + names if phones and (names or not q.name) else []
    return [f for f in reg.name_fields if values.get(f.name) == q.name]


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class Hit:
    register_key: str
    record_id: uuid.UUID
    label: str  # how the register names the record ("王建国 2021-10-25 08:30")
    day: date | None  # the date that matters: the entry's day, the visit's day, the admission
    day_text: str
    matched: tuple[tuple[str, str], ...]  # (field title, value as the searcher may see it)
    masked: bool  # some of it is masked for this searcher


@dataclass(frozen=True)
class RegisterHits:
    register_key: str
    register_name: str
    group: int
    total: int  # records found; `hits` lists at most MAX_PER_REGISTER of them, newest first
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class SearchResult:
    query: PersonQuery
    registers: tuple[RegisterHits, ...]  # only registers with a match, in registration order

    @property
    def total(self) -> int:
        return sum(r.total for r in self.registers)


def _shown(actor: Actor, spec: RegisterSpec, f: FieldSpec, value: Any) -> tuple[str, bool]:
    text = V.display_text(f, value)
    if f.sensitive is not None and not actor.can_read_sensitive(spec.group):
        return V.mask(f, text), True
    return text, False


def _label(session: Session, actor: Actor, spec: RegisterSpec, values: dict[str, Any]) -> str:
    parts = []
    for name in spec.display_fields:
        f = spec.field(name)
        value = values.get(name)
        if f.kind is Kind.REFERENCE and value is not None:
            target = get_register(f.reference or "")
            obj = session.get(target.model, value)
            parts.append(str(getattr(obj, target.display_fields[0])) if obj is not None else "")
        else:
            parts.append(_shown(actor, spec, f, V.from_db(f, value))[0])
    return " ".join(p for p in parts if p)


def _day(spec: RegisterSpec, values: dict[str, Any]) -> tuple[date | None, str]:
    if not spec.date_field:
        return None, ""
    f = spec.field(spec.date_field)
    value = V.from_db(f, values.get(spec.date_field))
    if value is None:
        return None, ""
    if isinstance(value, datetime):
        return to_local(value).date(), V.display_text(f, value)
    return (value if isinstance(value, date) else None), V.display_text(f, value)


def _search_register(session: Session, actor: Actor, reg: SearchedRegister, q: PersonQuery) -> RegisterHits | None:
    conditions = _conditions(reg, q)
    if not conditions:
        return None
    # Core statements on the tables, not ORM ones: the ORM's per-statement work was most of the
    # search's time (one statement per register), and no object is wanted here.
    spec, table = reg.spec, reg.spec.model.__table__
    where = [or_(*conditions), table.c.deleted_at.is_(None)]
    wanted = list(dict.fromkeys(
        [f.name for f, _n in reg.id_fields + reg.phone_fields] + [f.name for f in reg.name_fields]
        + list(spec.display_fields) + ([spec.date_field] if spec.date_field else [])))
    columns = [table.c[n] for n in wanted]
    order = ([table.c[spec.date_field].desc()] if spec.date_field else []) + [table.c.id.desc()]
    connection = session.connection()
    rows = connection.execute(select(table.c.id, *columns).where(*where).order_by(*order)
                              .limit(MAX_PER_REGISTER + 1)).all()
    if not rows:
        return None
    total = len(rows)
    if total > MAX_PER_REGISTER:
        total = connection.execute(select(func.count()).select_from(table).where(*where)).scalar() or 0
        rows = rows[:MAX_PER_REGISTER]
    hits = []
    for r in rows:
        values = dict(zip(wanted, r[1:]))
        matched, masked = [], False
        for f in _matched(reg, q, values):
            text, hidden = _shown(actor, spec, f, values.get(f.name))
            matched.append((f.title, text))
            masked |= hidden
        day, day_text = _day(spec, values)
        hits.append(Hit(spec.key, r[0], _label(session, actor, spec, values), day, day_text, tuple(matched), masked))
    return RegisterHits(spec.key, spec.name, spec.group, total, tuple(hits))


def find(session: Session, actor: Actor, text: str, *,
         registers: Sequence[SearchedRegister] | None = None) -> SearchResult:
    """Every live record that mentions the person `text` names, grouped by register; audited.
    Call inside `db.write()` (the audit entry is written with the search)."""
    if not may_search(actor):
        raise PermissionDenied(_("Your account may not search for a person across the registers."))
    q = parse_query(text)
    found = []
    for reg in registers if registers is not None else searched_registers():
        hits = _search_register(session, actor, reg, q)
        if hits is not None:
            found.append(hits)
    result = SearchResult(q, tuple(found))
    audit.record(session, actor, "search", AUDIT_REGISTER, label=_("Find a person"), changes={
        "query": q.full_text() if _sees_everything(actor) else q.masked_text(),
        "found": result.total,
        "registers": ",".join(r.register_key for r in found),
    })
    return result
