"""Exchange files, for a PC that cannot reach the server at all (a town office): the PC writes
its waiting changes to a file (a USB stick); on a PC connected to the server (or on the server)
the file is applied and answered with a file of what the server has for that PC; the PC reads
the answer.  Each file is checked before anything is applied: its digest (a damaged copy) and
its seal, made with the office's own key that every PC received when it joined (a file from
elsewhere, or edited).  Applying either file twice changes nothing: the server applies a change
once by its id, and the answer only writes the server's rows again."""
from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from civaffairs.accounts.models import OfficeSetting
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import ValidationError
from civaffairs.core.i18n import _
from civaffairs.db.database import Database
from civaffairs.sync import exchange
from civaffairs.sync.models import OutboxEntry, SyncConflict
from civaffairs.sync.replay import Change

FORMAT = "civaffairs-exchange"
VERSION = 1
KEY_SETTING = "exchange_key"
SUFFIX = ".civsync"
CHANGES, ANSWER = "changes", "answer"


@dataclass(frozen=True)
class FileResult:
    kind: str
    changes: int  # changes applied on the server (a changes file) or answered (an answer file)
    received: int  # records written on the PC (an answer file)
    answer: Path | None  # the answer file written (a changes file)
    outcomes: dict[str, int]


def ensure_office_key(session: Session) -> bytes:
    """The office's key for sealing exchange files, made once on the server."""
    row = session.get(OfficeSetting, KEY_SETTING)
    if row is None:
        row = OfficeSetting(key=KEY_SETTING, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def _office_key(session: Session) -> bytes:
    row = session.get(OfficeSetting, KEY_SETTING)
    if row is None:
        raise ValidationError.at("", _("This database has no exchange key: join the office server first."))
    return bytes.fromhex(row.value)


# ------------------------------------------------------------------ the envelope


def _seal(path: Path, key: bytes, body: dict[str, Any]) -> None:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_json_value)
    envelope = {"format": FORMAT, "version": VERSION, "body": text,
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "seal": hmac.new(key, text.encode(), hashlib.sha256).hexdigest()}
    data = gzip.compress(json.dumps(envelope, ensure_ascii=False).encode(), mtime=0)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)  # never half a file under the real name


def _open(path: Path, key: bytes) -> dict[str, Any]:
    """The body of an exchange file, after its digest and seal were checked."""
    bad = ValidationError.at("", _("The file {file} is not an exchange file of civaffairs, or it is damaged.")
                             .format(file=path.name))
    try:
        envelope = json.loads(gzip.decompress(path.read_bytes()[:200 * 1024 * 1024]))
        text = envelope["body"]
        if envelope.get("format") != FORMAT or not isinstance(text, str):
            raise bad
    except (OSError, EOFError, ValueError, KeyError, TypeError, gzip.BadGzipFile):
        raise bad from None
    if envelope.get("version") != VERSION:
        raise ValidationError.at("", _("The file {file} was written by another version of the program.")
                                 .format(file=path.name))
    if hashlib.sha256(text.encode()).hexdigest() != envelope.get("sha256"):
        raise bad
    if not hmac.compare_digest(hmac.new(key, text.encode(), hashlib.sha256).hexdigest(), str(envelope.get("seal"))):
        raise ValidationError.at("", _("The file {file} was not written by a PC of this office, or it was changed "
                                       "afterwards; nothing of it is applied.").format(file=path.name))
    body: dict[str, Any] = json.loads(text)
    return body


def _json_value(v: Any) -> Any:
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, (uuid.UUID, Decimal)):
        return str(v)
    raise TypeError(type(v))


def _python_type(column_type: Any) -> type:
    for t in (column_type, getattr(column_type, "impl_instance", None)):  # a TypeDecorator: what it stores
        try:
            if t is not None and t.python_type is not object:
                return t.python_type  # type: ignore[no-any-return]
        except NotImplementedError:
            continue
    return object


def _row_from_json(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in table.columns:
        v = data.get(c.name)
        if v is not None:
            kind = _python_type(c.type)
            if kind is uuid.UUID:
                v = uuid.UUID(v)
            elif kind is datetime:
                v = datetime.fromisoformat(v)
            elif kind is date:
                v = date.fromisoformat(v)
            elif kind is time:
                v = time.fromisoformat(v)
        out[c.name] = v
    return out


# ------------------------------------------------------------------ the PC's side


def write_changes(local: Database, path: Path) -> int:
    """The PC's waiting changes (they stay waiting until the answer comes back), its id and
    its position, to `path`.  Returns how many changes."""
    with local.read() as s:
        state = exchange.read_state(s)
        if not state.get("server"):
            raise ValidationError.at("", _("This PC does not work with an office server."))
        key = _office_key(s)
        changes = [Change(e.id, e.made_at, e.actor, e.command, e.register, e.record_id, e.record_label,
                          e.payload).as_json()
                   for e in s.scalars(select(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
                                      .order_by(OutboxEntry.position))]
    _seal(Path(path), key, {"kind": CHANGES, "pc": state.get("pc", ""), "made_at": now_utc().isoformat(),
                            "position": int(state.get("pulled", "0") or 0), "stale": state.get("stale", ""),
                            "changes": changes})
    return len(changes)


def read_answer(local: Database, path: Path) -> FileResult:
    """The server's answer to this PC's changes: what became of each, and the server's records."""
    with local.read() as s:
        state = exchange.read_state(s)
        key = _office_key(s)
    body = _open(Path(path), key)
    if body.get("kind") != ANSWER:
        raise ValidationError.at("", _("The file {file} holds a PC's changes; apply it on a PC connected to the office server.")
                                 .format(file=Path(path).name))
    if body.get("pc") != state.get("pc"):
        raise ValidationError.at("", _("The file {file} answers another PC.").format(file=Path(path).name))
    specs = exchange._specs()
    rows = [(key_, [_row_from_json(specs[key_].model.__table__, r) for r in found], {uuid.UUID(i) for i in missing})
            for key_, found, missing in body["rows"] if key_ in specs]
    conflicts = [_row_from_json(SyncConflict.__table__, r) for r in body["conflicts"]]
    delivery = exchange.Delivery(rows, conflicts, body.get("position"), True)
    outcomes: dict[str, str] = body.get("outcomes", {})
    with local.write(check_account=False) as s:
        now = now_utc()
        for change_id, outcome in outcomes.items():
            s.execute(update(OutboxEntry).where(OutboxEntry.id == uuid.UUID(change_id), OutboxEntry.sent_at.is_(None))
                      .values(sent_at=now, outcome=outcome))
        if delivery.position is not None and delivery.position < int(state.get("pulled", "0") or 0):
            delivery.position = None  # an old answer read again: the rows only, the position stays
        received = exchange.store(s, delivery)
        exchange._set_state(s, last_exchange=now.isoformat(), last_error="")
    return FileResult(ANSWER, len(outcomes), received, None, _count(outcomes.values()))


def _count(outcomes: Any) -> dict[str, int]:
    counted: dict[str, int] = {}
    for o in outcomes:
        counted[o] = counted.get(o, 0) + 1
    return counted


# ------------------------------------------------------------------ the server's side


def answer_changes(server: Database, path: Path, answer: Path | None = None) -> FileResult:
    """Apply a PC's changes file on `server` (each change once) and write the answer file for
    that PC (by default beside it: NAME.answer.civsync)."""
    path = Path(path)
    with server.read() as s:
        key = _office_key(s)
    body = _open(path, key)
    if body.get("kind") != CHANGES:
        raise ValidationError.at("", _("The file {file} is an answer for a PC; read it on that PC.").format(file=path.name))
    changes = [Change.from_json(c) for c in body.get("changes", [])]
    pc = str(body.get("pc", ""))
    outcomes = exchange.apply_changes(server, changes, pc) if changes else []
    wanted: dict[str, set[uuid.UUID]] = exchange.stale_wanted({"stale": str(body.get("stale", ""))})
    for c in changes:
        wanted.setdefault(c.register, set()).add(c.record_id)
    with server.snapshot() as s:
        delivery = exchange.collect(s, int(body.get("position", 0)), wanted, limit=10 ** 9)
    answer = answer or path.with_name(path.name.removesuffix(SUFFIX) + ".answer" + SUFFIX)
    _seal(answer, key, {"kind": ANSWER, "pc": pc, "made_at": now_utc().isoformat(),
                        "outcomes": {str(c.id): o for c, o in zip(changes, outcomes)},
                        "position": delivery.position if delivery.position is not None else int(body.get("position", 0)),
                        "rows": [[k, found, [str(i) for i in missing]] for k, found, missing in delivery.rows],
                        "conflicts": delivery.conflicts})
    return FileResult(CHANGES, len(changes), 0, answer, _count(outcomes))
