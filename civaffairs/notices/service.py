"""Notices: drafting from a template, editing, issuing under a document number, cancelling a
number, corrections; reading lists and the number register.

Permissions (the GUI mirrors `can_draft` / `can_issue`, it never decides):
- a working group's notice (groups 1–7) is drafted, edited and issued by the group's members and
  by administrators;
- a bureau-wide notice (group 0, the leading group) is drafted and issued by administrators and
  leaders;
- leaders sign off: they may issue (and cancel the number of) any group's notice;
- everyone, viewers included, reads every notice and the number register.

Document numbers come from a register per (prefix, year).  Issuing takes max + 1 inside the
issuing transaction: on PostgreSQL after `SELECT … FOR UPDATE` of the (prefix, year) row of
`document_number_sequence`; on SQLite the write transaction already holds the database's write
lock (`Database.write()` begins with BEGIN IMMEDIATE).  The unique constraint on (prefix, year,
serial) is the last guard.  A number is never deleted: cancelling keeps it, with its reason.

Every write is audited (registers "notices.notice" and "notices.number") in the caller's
transaction."""
from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.errors import EditConflict, FieldChange, NotFound, PermissionDenied, ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.notices import templates as T
from civaffairs.notices.data import (
    GROUP_NUMBERS, NoticeData, NoticeStatus, NumberEntry, format_document_number,
    parse_document_number,
)
from civaffairs.notices.models import Notice
from civaffairs.numbering import service as numbering
from civaffairs.numbering.data import NumberKind, register_kind
from civaffairs.sync.capture import replayable, synced_table

REGISTER = "notices.notice"
NUMBER_REGISTER = numbering.REGISTER
DOCUMENT = register_kind(NumberKind("document", N_("Document number"), format=format_document_number))
synced_table(REGISTER, Notice)  # a working copy's notices come down with the pull

MAX_TITLE = 200
MAX_SHORT = 100
MAX_LONG = 500
MAX_BODY = 200_000
MAX_ATTACHMENTS = 20

# The fields a draft's editor may change, with their labels (edit conflicts and the audit log).
FIELD_LABELS = {
    "title": N_("Title"),
    "addressee": N_("Addressee"),
    "body": N_("Text"),
    "attachments": N_("Attachments"),
    "signatory": N_("Signing office"),
    "copy_to": N_("Copy to"),
    "printing_office": N_("Printing office"),
    "document_date": N_("Date"),
}
# Issuing and cancelling change these too.
OTHER_LABELS = {
    "status": N_("Status"),
    "document_number": N_("Document number"),
    "issue_date": N_("Issue date"),
    "reason": N_("Reason"),
    "corrects": N_("Corrects"),
    "group": N_("Group"),
}


# ------------------------------------------------------------------ permissions


def can_draft(actor: Actor, group: int) -> bool:
    """May `actor` draft and edit notices of `group`?"""
    if group == 0:
        return actor.role in (Role.ADMINISTRATOR, Role.LEADER)
    return actor.can_write(group)


def can_issue(actor: Actor, group: int) -> bool:
    """May `actor` issue notices of `group` (and cancel their numbers)?  Leaders sign off for all."""
    if actor.role in (Role.ADMINISTRATOR, Role.LEADER):
        return True
    return group != 0 and actor.can_write(group)


def _require_draft(actor: Actor, group: int) -> None:
    if not can_draft(actor, group):
        raise PermissionDenied(_("Your account may not write notices of this group."))


def _require_issue(actor: Actor, group: int) -> None:
    if not can_issue(actor, group):
        raise PermissionDenied(_("Your account may not issue notices of this group."))


def _check_group(group: Any) -> int:
    if isinstance(group, bool) or not isinstance(group, int) or group not in GROUP_NUMBERS:
        raise ValidationError.at("group", _("Choose the leading group or one of the working groups 1 to 7."))
    return group


# ------------------------------------------------------------------ values


def _text(value: Any, field: str, limit: int, errors: dict[str, str], *, one_line: bool = True) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = _("Please enter text.")
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = " ".join(text.split()) if one_line else "\n".join(line.rstrip() for line in text.split("\n"))
    text = text.strip()
    if len(text) > limit:
        errors[field] = _("At most {n} characters.").format(n=limit)
    return text


_ATTACHMENT_NUMBER = re.compile(r"^\s*\d+\s*[.．、]\s*")


def _attachments(value: Any, errors: dict[str, str]) -> list[str]:
    """Names, one a line or a list; numbers ("1.") and final punctuation are the layout's job."""
    if value is None:
        return []
    items = value.split("\n") if isinstance(value, str) else list(value)
    names = []
    for item in items:
        if not isinstance(item, str):
            errors["attachments"] = _("Please enter text.")
            return []
        name = _ATTACHMENT_NUMBER.sub("", " ".join(item.split())).rstrip("。；;，,、 ")
        if name.startswith(("附件：", "附件:")):
            name = name[3:].strip()
        if not name:
            continue
        if len(name) > MAX_TITLE:
            errors["attachments"] = _("An attachment's name has at most {n} characters.").format(n=MAX_TITLE)
        names.append(name)
    if len(names) > MAX_ATTACHMENTS:
        errors["attachments"] = _("At most {n} attachments.").format(n=MAX_ATTACHMENTS)
    return names


def _date(value: Any, field: str, errors: dict[str, str]) -> date | None:
    if value is None or value == "":
        errors[field] = _("Please enter the date.")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("Please enter a date such as 2021-10-25.")
        return None


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise the editable fields given; one ValidationError naming every bad one."""
    unknown = set(values) - set(FIELD_LABELS)
    if unknown:
        raise ValidationError({"": _("Unknown fields: {f}").format(f=", ".join(sorted(unknown)))})
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name == "title":
            clean[name] = _text(value, name, MAX_TITLE, errors)
            if not clean[name] and name not in errors:
                errors[name] = _("Please enter the title.")
        elif name == "addressee":
            text = _text(value, name, MAX_LONG, errors).rstrip("：:")
            clean[name] = text + "：" if text else ""  # the addressee line ends with a full-width colon
        elif name == "body":
            clean[name] = _text(value, name, MAX_BODY, errors, one_line=False)
        elif name == "attachments":
            clean[name] = _attachments(value, errors)
        elif name in ("signatory", "printing_office"):
            clean[name] = _text(value, name, MAX_SHORT, errors)
        elif name == "copy_to":
            text = _text(value, name, MAX_LONG, errors)
            for lead in ("抄送：", "抄送:"):
                text = text.removeprefix(lead)
            clean[name] = text.strip().rstrip("。.，,")
        elif name == "document_date":
            clean[name] = _date(value, name, errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _canonical(name: str, value: Any) -> str | None:
    """The audit log's text of a value: dates in ISO form, attachments one a line."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "\n".join(map(str, value))
    return str(value)


def _label(n: Notice) -> str:
    return f"{n.document_number} {n.title}" if n.document_number else n.title


# ------------------------------------------------------------------ reading


def _data(n: Notice, corrects_number: str | None = None) -> NoticeData:
    return NoticeData(
        id=n.id, version=n.version, group=n.group, status=NoticeStatus(n.status), template_key=n.template_key,
        title=n.title, addressee=n.addressee, body=n.body, attachments=tuple(n.attachments or ()),
        signatory=n.signatory, copy_to=n.copy_to, printing_office=n.printing_office,
        document_date=n.document_date, prefix=n.prefix, year=n.year, serial=n.serial,
        document_number=n.document_number, issue_date=n.issue_date, issued_by=n.issued_by, issued_at=n.issued_at,
        corrects_id=n.corrects_id, corrects_number=corrects_number,
        created_by=n.created_by, created_at=n.created_at, updated_by=n.updated_by, updated_at=n.updated_at,
    )


def _corrected_numbers(session: Session, notices: list[Notice]) -> dict[uuid.UUID, str | None]:
    ids = {n.corrects_id for n in notices if n.corrects_id}
    if not ids:
        return {}
    return {row[0]: row[1] for row in session.execute(select(Notice.id, Notice.document_number).where(Notice.id.in_(ids)))}


def get(session: Session, actor: Actor, notice_id: uuid.UUID) -> NoticeData:
    """One notice (every role may read notices)."""
    n = session.get(Notice, notice_id, populate_existing=True)
    if n is None or n.deleted_at is not None:
        raise NotFound(_("This notice no longer exists."))
    return _data(n, _corrected_numbers(session, [n]).get(n.corrects_id) if n.corrects_id else None)


def list_notices(session: Session, actor: Actor, group: int | None = None, *,
                 status: NoticeStatus | None = None) -> list[NoticeData]:
    """The notices of `group`, or of every group (the overview) when `group` is None; newest
    first.  Discarded drafts are left out."""
    stmt = select(Notice).where(Notice.deleted_at.is_(None))
    if group is not None:
        stmt = stmt.where(Notice.group == _check_group(group))
    if status is not None:
        stmt = stmt.where(Notice.status == NoticeStatus(status).value)
    stmt = stmt.order_by(Notice.document_date.desc().nulls_first(), Notice.serial.desc().nulls_first(), Notice.id.desc())
    notices = list(session.scalars(stmt))
    numbers = _corrected_numbers(session, notices)
    return [_data(n, numbers.get(n.corrects_id) if n.corrects_id else None) for n in notices]


def find_by_number(session: Session, number: str) -> NoticeData:
    """The notice issued under `number` (typed as people do: 〔〕, [] or （） are all understood);
    NotFound if no notice has it."""
    parsed = parse_document_number(number)
    if parsed is None:
        raise ValidationError.at("number", _("“{number}” is not a document number such as 麦民发〔2021〕12号.").format(
            number=number.strip()))
    prefix, year, serial = parsed
    n = session.scalar(select(Notice).where(Notice.prefix == prefix, Notice.year == year, Notice.serial == serial))
    if n is None:
        raise NotFound(_("No notice was issued under the number {number}.").format(
            number=format_document_number(prefix, year, serial)))
    return _data(n, _corrected_numbers(session, [n]).get(n.corrects_id) if n.corrects_id else None)


def number_register(session: Session, actor: Actor, prefix: str, year: int) -> list[NumberEntry]:
    """Every number given out under `prefix` in `year`, by serial, cancelled ones included."""
    return [NumberEntry(
        prefix=e.prefix, year=e.year, serial=e.serial, document_number=e.number, status=e.status,
        notice_id=e.owner_id, notice_title=e.owner_label, given_by=e.given_by, given_at=e.given_at,
        cancelled_by=e.cancelled_by, cancelled_at=e.cancelled_at, cancel_reason=e.cancel_reason,
    ) for e in numbering.entries(session, DOCUMENT.key, prefix, year)]


def prefixes(session: Session) -> list[str]:
    """The prefixes used so far, for the issue dialog's choices."""
    return numbering.prefixes(session, DOCUMENT)


def next_number(session: Session, prefix: str, year: int) -> str:
    """The number issuing would give now (a preview: it reserves nothing)."""
    return numbering.peek(session, DOCUMENT, prefix.strip(), year)


def office_mark(session: Session, notice: NoticeData) -> str:
    """The issuing-office mark printed at the head: the signing office's name + "文件" (the
    文件 style of GB/T 9704), falling back to the office name of the settings."""
    office = notice.signatory or accounts.office_name(session)
    return f"{office}文件"


# ------------------------------------------------------------------ writing drafts


def _load(session: Session, notice_id: uuid.UUID) -> Notice:
    # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock.
    n = session.get(Notice, notice_id, with_for_update=True, populate_existing=True)
    if n is None or n.deleted_at is not None:
        raise NotFound(_("This notice no longer exists."))
    return n


def _conflict(session: Session, n: Notice, expected_version: int) -> EditConflict:
    labels = FIELD_LABELS | OTHER_LABELS
    changes = [
        FieldChange(name, _(labels[name]), old or "", new or "", entry.actor, entry.at)
        for entry in audit.changes_since(session, n.id, expected_version)
        for name, (old, new) in entry.changes.items() if name in labels
    ]
    return EditConflict(changes, deleted=n.deleted_at is not None)


def _frozen(n: Notice) -> PermissionDenied:
    return PermissionDenied(_("The notice {number} has been issued: its text can no longer be changed. "
                              "Make a correction instead.").format(number=n.document_number or ""))


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:  # saved by another PC between our read and our write
        raise EditConflict([], deleted=False) from None


@replayable("notices.create_draft", register=REGISTER, returns_id="notice_id")
def create_draft(session: Session, actor: Actor, group: int, template_key: str, *,
                 today: date | None = None, notice_id: uuid.UUID | None = None) -> uuid.UUID:
    """A new draft of `group` from a template, filled with the office's name and today's date.
    `notice_id`: the id a working copy gave it (the server making the same draft)."""
    _check_group(group)
    _require_draft(actor, group)
    try:
        tpl = T.template(template_key)
    except KeyError:
        raise ValidationError.at("template_key", _("There is no notice template “{key}”.").format(key=template_key)) from None
    day = today or today_local()
    values = _clean(tpl.filled(office=accounts.office_name(session), today=day))
    return _add_draft(session, actor, group, template_key, values, notice_id=notice_id)


def _add_draft(session: Session, actor: Actor, group: int, template_key: str, values: Mapping[str, Any],
               corrects: Notice | None = None, notice_id: uuid.UUID | None = None) -> uuid.UUID:
    now = now_utc()
    n = Notice(**({"id": notice_id} if notice_id is not None else {}),
               group=group, status=NoticeStatus.DRAFT.value, template_key=template_key,
               corrects_id=corrects.id if corrects else None, **values,
               created_at=now, created_by=actor.username, updated_at=now, updated_by=actor.username)
    session.add(n)
    session.flush()
    changes: dict[str, list[Any]] = {"group": [None, str(group)], "status": [None, NoticeStatus.DRAFT.value]}
    changes |= {k: [None, _canonical(k, v)] for k, v in values.items() if v not in (None, "", [])}
    if corrects is not None:
        changes["corrects"] = [None, corrects.document_number]
    audit.record(session, actor, "create", REGISTER, n.id, record_version=n.version, label=_label(n),
                 changes=changes, at=now)
    return n.id


@replayable("notices.update_draft", register=REGISTER, record_arg="notice_id", version_arg="expected_version",
            model=Notice, merge_arg="fields", field_titles=FIELD_LABELS)
def update_draft(session: Session, actor: Actor, notice_id: uuid.UUID, expected_version: int,
                 **fields: Any) -> NoticeData:
    """Save an edit of a draft made to version `expected_version`.  Refused once issued (the text
    is frozen) and when somebody saved it since (EditConflict saying what they changed)."""
    n = _load(session, notice_id)
    _require_draft(actor, n.group)
    if n.version != expected_version:
        raise _conflict(session, n, expected_version)
    if n.status != NoticeStatus.DRAFT:
        raise _frozen(n)
    clean = _clean(fields)
    changes = {}
    for name, value in clean.items():
        old = getattr(n, name)
        if name == "attachments":
            old = list(old or [])
        if old != value:
            changes[name] = [_canonical(name, old), _canonical(name, value)]
            setattr(n, name, value)
    if not changes:
        return get(session, actor, notice_id)
    now = now_utc()
    n.updated_at, n.updated_by = now, actor.username
    _flush(session)
    audit.record(session, actor, "update", REGISTER, n.id, record_version=n.version, label=_label(n),
                 changes=changes, at=now)
    return get(session, actor, notice_id)


@replayable("notices.discard_draft", register=REGISTER, record_arg="notice_id", version_arg="expected_version",
            model=Notice)
def discard_draft(session: Session, actor: Actor, notice_id: uuid.UUID, expected_version: int) -> None:
    """Throw a draft away (into the recycle bin).  Issued notices are never deleted."""
    n = _load(session, notice_id)
    _require_draft(actor, n.group)
    if n.version != expected_version:
        raise _conflict(session, n, expected_version)
    if n.status != NoticeStatus.DRAFT:
        raise _frozen(n)
    now = now_utc()
    n.deleted_at, n.deleted_by = now, actor.username
    n.updated_at, n.updated_by = now, actor.username
    _flush(session)
    audit.record(session, actor, "delete", REGISTER, n.id, record_version=n.version, label=_label(n), at=now)


@replayable("notices.make_correction", register=REGISTER, returns_id="correction_id")
def make_correction(session: Session, actor: Actor, notice_id: uuid.UUID, *,
                    correction_id: uuid.UUID | None = None) -> uuid.UUID:
    """A correction of an issued (or cancelled) notice: a new draft with the same text that points
    to it; the old notice stays as it was."""
    old = _load(session, notice_id)
    _require_draft(actor, old.group)
    if old.status == NoticeStatus.DRAFT:
        raise ValidationError.at("", _("A draft is corrected by editing it."))
    values = {name: getattr(old, name) for name in FIELD_LABELS}
    values["attachments"] = list(old.attachments or [])
    values["document_date"] = today_local()
    return _add_draft(session, actor, old.group, old.template_key, values, corrects=old, notice_id=correction_id)


# ------------------------------------------------------------------ numbers


def _check_prefix(prefix: Any) -> str:
    return numbering.check_prefix(prefix)


def _unprintable(n: Notice, number: str) -> dict[str, str]:
    """Fields holding a character the printing fonts lack: issuing would freeze text that cannot print."""
    from civaffairs.printing.notice_pdf import unprintable_fields  # ReportLab loads only when needed

    return unprintable_fields(_data(n), document_number=number)


@replayable("notices.issue", register=REGISTER, record_arg="notice_id", version_arg="expected_version", model=Notice)
def issue(session: Session, actor: Actor, notice_id: uuid.UUID, prefix: str, issue_date: date | None = None, *,
          expected_version: int | None = None) -> str:
    """Issue a draft: give it the next number of (prefix, year of the issue date), fix the number
    and the date, and freeze the text.  Returns the number, e.g. "麦民发〔2021〕12号"."""
    n = _load(session, notice_id)
    _require_issue(actor, n.group)
    if expected_version is not None and n.version != expected_version:
        raise _conflict(session, n, expected_version)
    if n.status != NoticeStatus.DRAFT:
        raise ValidationError.at("", _("This notice has already been issued as {number}.").format(number=n.document_number))
    prefix = _check_prefix(prefix)
    day = issue_date or today_local()
    errors: dict[str, str] = {}
    if day > today_local():
        errors["issue_date"] = _("A notice cannot be issued with a date in the future.")
    if not n.title.strip():
        errors["title"] = _("Please enter the title.")
    if not n.body.strip():
        errors["body"] = _("A notice needs a text before it is issued.")
    if not n.signatory.strip():
        errors["signatory"] = _("Please enter the signing office.")
    if not n.printing_office.strip():
        errors["printing_office"] = _("Please enter the printing office.")
    # An issued notice never carries a placeholder of its template (“（请填写：联系电话）”).
    for name, text in (("title", n.title), ("addressee", n.addressee), ("body", n.body),
                       ("attachments", "\n".join(n.attachments or [])), ("copy_to", n.copy_to),
                       ("printing_office", n.printing_office), ("signatory", n.signatory)):
        left = T.placeholders(text)
        if left and name not in errors:
            errors[name] = _("Please fill in {placeholders} before issuing.").format(placeholders="、".join(left))
    if errors:
        raise ValidationError(errors)
    problems = _unprintable(n, format_document_number(prefix, day.year, 1))
    if problems:
        raise ValidationError(problems)
    entry = numbering.allocate(session, actor, DOCUMENT, prefix, day.year, owner_register=REGISTER,
                               owner_id=n.id, owner_label=n.title)
    now = now_utc()
    old_date = n.document_date
    n.status = NoticeStatus.ISSUED.value
    n.prefix, n.year, n.serial, n.document_number = prefix, day.year, entry.serial, entry.number
    n.issue_date = n.document_date = day
    n.issued_at, n.issued_by = now, actor.username
    n.updated_at, n.updated_by = now, actor.username
    _flush(session)
    changes: dict[str, list[Any]] = {"status": [NoticeStatus.DRAFT.value, NoticeStatus.ISSUED.value],
                                     "document_number": [None, entry.number], "issue_date": [None, day.isoformat()]}
    if old_date != day:
        changes["document_date"] = [_canonical("document_date", old_date), day.isoformat()]
    audit.record(session, actor, "issue", REGISTER, n.id, record_version=n.version, label=_label(n),
                 changes=changes, at=now)
    return entry.number


@replayable("notices.cancel_number", register=REGISTER)
def cancel_number(session: Session, actor: Actor, prefix: str, year: int, serial: int, reason: str) -> None:
    """Cancel a number given out: it stays in the register with the reason and is never given
    again; its notice becomes void (status "cancelled"), its text kept."""
    reason_text = numbering.clean_reason(reason)
    entry = numbering.find(session, DOCUMENT, prefix, year, serial, for_update=True)
    notice = session.get(Notice, entry.owner_id, with_for_update=True, populate_existing=True) if entry.owner_id else None
    _require_issue(actor, notice.group if notice else 0)
    numbering.cancel(session, actor, entry, reason_text)
    if notice is not None and notice.status == NoticeStatus.ISSUED:
        now = now_utc()
        notice.status = NoticeStatus.CANCELLED.value
        notice.updated_at, notice.updated_by = now, actor.username
        _flush(session)
        audit.record(session, actor, "cancel", REGISTER, notice.id, record_version=notice.version,
                     label=_label(notice), at=now,
                     changes={"status": [NoticeStatus.ISSUED.value, NoticeStatus.CANCELLED.value],
                              "reason": [None, reason_text]})
    session.flush()
