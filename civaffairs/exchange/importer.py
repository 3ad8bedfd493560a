"""Reading a workbook (or rows pasted from one) into a register: read, match the headers, preview
every row with the same validation and rules as the form, then apply the rows in the caller's one
transaction as an import batch.  Bad input is never a traceback: a file that is not a workbook,
a locked or oversized one, a missing sheet end in a `ValidationError` with a Chinese message;
a bad cell in a `Problem` naming its sheet, row, column and value."""
from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import today_local
from civaffairs.core.errors import NeedsConfirmation, PermissionDenied, ValidationError
from civaffairs.core.i18n import _
from civaffairs.exchange import keys
from civaffairs.exchange.cells import reader, shown
from civaffairs.exchange.export import export_fields
from civaffairs.exchange.headers import header_map, normalise
from civaffairs.records import service as records
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, get_register

Progress = Callable[[int, int], None]

INSTRUCTIONS_SHEET = "填写说明"
EXAMPLE_SHEET = "示例"
MAX_UNCOMPRESSED = 400 * 1024 * 1024  # a workbook of 100,000 rows unpacks to well under this
MAX_RATIO = 200  # a zip member that unpacks to more than this many times its size is a bomb
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # the sheet's row number, 1-based as Excel shows it
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = _("row {row}").format(row=self.row) if self.row else ""
        parts = [p for p in (self.sheet, where, self.column) if p]
        quoted = f"“{self.value}”" if self.value else ""
        return f"{' '.join(parts)}：{quoted}{self.message}"


@dataclass
class Table:
    sheet: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (sheet row number, cells)


@dataclass
class PreviewRow:
    row: int
    values: dict[str, Any]  # field -> value, for the service
    problems: list[Problem]
    warnings: list[Problem]
    match_id: uuid.UUID | None
    match_label: str
    checked: records.Checked | None = None  # a new row's check, for the write


@dataclass
class Preview:
    register: str
    file_name: str
    columns: dict[str, str]  # header -> field name
    unknown_columns: list[str]
    missing_required: list[str]  # titles of required fields that have no column
    file_problems: list[Problem]
    rows: list[PreviewRow]
    ignored_columns: list[str] = field(default_factory=list)  # known, but not entered (a grant's state)

    @property
    def ok(self) -> int:
        return sum(1 for r in self.rows if not r.problems)

    @property
    def bad(self) -> int:
        return sum(1 for r in self.rows if r.problems)

    @property
    def matched(self) -> int:
        return sum(1 for r in self.rows if r.match_id is not None and not r.problems)

    @property
    def can_apply(self) -> bool:
        return not self.bad and not self.file_problems and bool(self.rows)


@dataclass(frozen=True)
class ImportResult:
    batch_id: uuid.UUID
    created: int
    updated: int
    skipped: int


# ------------------------------------------------------------------ reading


def _refuse(message: str) -> ValidationError:
    return ValidationError({"": message})


def _check_zip(path: Path) -> None:
    """A zip's members, before anything unpacks them: no bombs."""
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(_("The file {file} is damaged or is not a workbook.").format(file=path.name)) from None
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED or any(
            m.file_size > 10 * 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members):
        raise _refuse(_("The file {file} unpacks to far more data than a workbook holds; it is not read.")
                      .format(file=path.name))


def _sniff(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(8192)


def read_table(path: Path, *, sheet: str | None = None, progress: Progress | None = None) -> Table:
    """The first sheet of a workbook (.xlsx/.xlsm/.xls/.ods, by python-calamine) or a .csv file
    (UTF-8 or GB18030): its first non-empty row is the headers; empty rows are left out.
    `sheet`: that sheet instead of the first (the template's example, or a chosen one)."""
    path = Path(path)
    try:
        head = _sniff(path)
    except OSError as e:
        raise _refuse(_("Cannot read the file {file}: {error}").format(file=path.name, error=e.strerror or e)) from None
    if not head:
        raise _refuse(_("The file {file} is empty.").format(file=path.name))
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(path)
    if head.startswith(b"\xd0\xcf\x11\xe0") and "EncryptedPackage".encode("utf-16-le") in _sniff_all(path):
        raise _refuse(_("The workbook {file} is protected by a password. Open it in Excel or WPS, remove the password, save it and import again.").format(file=path.name))
    if head.startswith(b"PK"):
        _check_zip(path)
    elif not head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(_("The file {file} is not a workbook (.xlsx, .xls, .ods or .csv).").format(file=path.name))
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = [n for n in workbook.sheet_names]
        if sheet is None:
            usable = [n for n in names if n not in (INSTRUCTIONS_SHEET, EXAMPLE_SHEET)]
            if not usable:
                raise _refuse(_("The workbook {file} has no sheet of records.").format(file=path.name))
            sheet = usable[0]
        elif sheet not in names:
            raise _refuse(_("The workbook {file} has no sheet “{sheet}”.").format(file=path.name, sheet=sheet))
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except ValidationError:
        raise
    except PasswordError:
        raise _refuse(_("The workbook {file} is protected by a password. Open it in Excel or WPS, remove the password, save it and import again.").format(file=path.name)) from None
    except Exception:  # noqa: BLE001 - calamine's errors (zip, XML, format) all mean one thing to a clerk
        raise _refuse(_("The file {file} is damaged or is not a workbook.").format(file=path.name)) from None
    return _table(sheet, rows, progress)


def _sniff_all(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(1024 * 1024)


def _read_csv(path: Path) -> Table:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise _refuse(_("The file {file} is neither UTF-8 nor GB18030 text.").format(file=path.name))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return _table(path.stem, list(csv.reader(io.StringIO(text), dialect)), None)


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _has_value(cells: list[Any]) -> bool:
    """Whether a row holds anything (`_empty` cell by cell, without a call for each: a sheet of
    100,000 rows is mostly full rows, decided by their first cell)."""
    for v in cells:
        if v is None:
            continue
        if v.__class__ is str and (not v or v.isspace()):
            continue
        return True
    return False


def _table(sheet: str, rows: list[list[Any]], progress: Progress | None) -> Table:
    if len(rows) > MAX_ROWS:
        raise _refuse(_("The sheet “{sheet}” has more than {n} rows; please split it.").format(sheet=sheet, n=MAX_ROWS))
    header_at = next((i for i, r in enumerate(rows) if any(not _empty(v) for v in r)), None)
    if header_at is None:
        return Table(sheet, [], [])
    raw = rows[header_at]
    width = max((i + 1 for i, v in enumerate(raw) if not _empty(v)), default=0)
    headers = [shown(v).strip() if not _empty(v) else "" for v in raw[:width]]
    body: list[tuple[int, list[Any]]] = []
    total = len(rows)
    for i in range(header_at + 1, total):
        cells = rows[i][:width]
        if _has_value(cells):
            if len(cells) < width:
                cells = list(cells) + [None] * (width - len(cells))
            body.append((i + 1, cells))
        if progress and i % 5000 == 0:
            progress(i, total)
    return Table(sheet, headers, body)


def table_from_text(text: str, *, sheet: str = "剪贴板", spec: RegisterSpec | None = None) -> Table:
    """Rows copied from Excel or WPS (tab-separated).  The first row is the headers if they name
    columns of `spec` (or any register's, without `spec`); else the rows are in the order of the
    register's export columns."""
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    rows = list(csv.reader(lines, delimiter="\t", quotechar='"'))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return Table(sheet, [], [])
    first = [normalise(c) for c in rows[0]]
    if spec is not None:
        known = header_map(spec, export_fields(spec))
        is_header = sum(1 for c in first if c in known) * 2 >= len([c for c in first if c])
    else:
        is_header = False
    if is_header:
        return _table(sheet, [[c if c.strip() else None for c in r] for r in rows], None)
    width = max(len(r) for r in rows)
    titles = [f.title for f in (export_fields(spec) if spec is not None else ())][:width]
    titles += [f"#{i + 1}" for i in range(len(titles), width)]
    body = [(i + 1, [c if c.strip() else None for c in r] + [None] * (width - len(r))) for i, r in enumerate(rows)]
    return Table(sheet, titles, body)


# ------------------------------------------------------------------ preview


def _field_problem(table: Table, row: int, f: FieldSpec | None, value: Any, message: str) -> Problem:
    return Problem(table.sheet, row, f.title if f is not None else "", shown(value), message)


def preview(session: Session, actor: Actor, spec: RegisterSpec, table: Table, *, file_name: str = "",
            progress: Progress | None = None) -> Preview:
    """Every row of `table` checked as the form would check it, and matched to existing records
    by the register's natural key.  Writes nothing."""
    if not actor.can_write(spec.group):
        raise PermissionDenied(_("Your account may not change the register “{register}”.").format(register=spec.name))
    form = spec.form_fields
    known_form = header_map(spec, form)
    known_other = header_map(spec, tuple(f for f in spec.fields if not f.in_form))
    columns: dict[str, str] = {}
    positions: list[tuple[int, FieldSpec]] = []
    unknown: list[str] = []
    ignored: list[str] = []
    file_problems: list[Problem] = []
    taken: dict[str, str] = {}
    for i, header in enumerate(table.headers):
        n = normalise(header)
        if not n:
            if any(not _empty(cells[i]) for _r, cells in table.rows[:1000] if i < len(cells)):
                unknown.append(_("(column {n} without a header)").format(n=_column_letter(i)))
            continue
        name = known_form.get(n)
        if name is None:
            (ignored if n in known_other else unknown).append(header)
            continue
        if name in taken:
            file_problems.append(Problem(table.sheet, 0, header, "", _("this column and “{other}” are the same field; keep one.").format(other=taken[name])))
            continue
        taken[name] = header
        columns[header] = name
        positions.append((i, spec.field(name)))
    missing = [f.title for f in form if f.required and f.name not in taken]
    if not table.rows:
        file_problems.append(Problem(table.sheet, 0, "", "", _("The sheet has no rows to import.")))
    if not positions and table.headers:
        file_problems.append(Problem(table.sheet, 0, "", "", _("No column of the sheet names a field of “{register}”.").format(register=spec.name)))
    readers = [(i, f, reader(f), _ReferenceFinder(session, f) if f.kind is Kind.REFERENCE else None)
               for i, f in positions]
    keyed = all(n in taken for n in spec.key_fields)
    existing = keys.existing_keys(session, spec) if keyed else {}
    match_texts: dict[uuid.UUID, str] = {}
    seen: dict[tuple[Any, ...], int] = {}
    out: list[PreviewRow] = []
    total = len(table.rows)
    key_titles = "、".join(spec.field(n).title for n in spec.key_fields)
    references = records.References(session)
    today = today_local()
    for done, (row_number, cells) in enumerate(table.rows, 1):
        problems: dict[str, Problem] = {}
        given: dict[str, Any] = {}
        for i, f, read, finder in readers:
            cell = cells[i] if i < len(cells) else None
            if _empty(cell):
                given[f.name] = None
                continue
            try:
                value = read(cell)
            except (ValueError, OverflowError, ArithmeticError):
                value = cell  # not what the column holds: the service's coercion says so at the field
            if finder is not None:
                found, message = finder.find(str(value))
                if message:
                    problems[f.name] = _field_problem(table, row_number, f, cell, message)
                    given[f.name] = None
                    continue
                value = found
            given[f.name] = value
        # Checked as a new record first, as almost every row of an import is, and its natural key
        # taken from the checked values; a row that matches a record is checked again as the
        # edit of that record it would be (the register's rules would find it a duplicate of
        # itself).  A new row's check is kept for the write (`records.create_many`).
        checked: records.Checked | None = None
        failed: ValidationError | None = None
        try:
            checked = records.check_new(session, spec, given, references=references, today=today)
        except ValidationError as e:
            failed = e
        row_key = None
        if keyed:
            row_key = keys.key_of(spec, checked.values) if checked is not None else _row_key(spec, given, today)
        match_id = existing.get(row_key) if row_key is not None else None
        if row_key is not None:
            first = seen.get(row_key)
            if first is not None:
                problems.setdefault("", Problem(table.sheet, row_number, key_titles, "",
                    _("the same {key} as row {row} of this sheet.").format(key=key_titles, row=first)))
            else:
                seen[row_key] = row_number
        clean: dict[str, Any] = {}
        warned: dict[str, str] = {}
        if match_id is not None:
            checked = None
            try:
                current = records._current(spec, session.get(spec.model, match_id))
                clean = records._validate(session, spec, given, current, match_id, references=references, today=today)
                if spec.warnings:
                    warned = records._found_warnings(session, spec, clean, match_id)
            except ValidationError as e:
                _add_errors(problems, e, table, row_number, spec, cells, positions)
        elif failed is not None:
            _add_errors(problems, failed, table, row_number, spec, cells, positions)
        elif checked is not None:
            clean = dict(checked.values)
            warned = dict(checked.warnings)
        warnings: list[Problem] = []
        if not problems:
            for name, message in warned.items():
                f = spec.field(name) if spec.has_field(name) else None
                warnings.append(_field_problem(table, row_number, f, _cell_of(cells, positions, name), message))
        else:
            checked = None
        label = ""
        if match_id is not None:
            if match_id not in match_texts:
                match_texts.update(keys.texts(session, spec, [match_id], actor))
            label = match_texts.get(match_id, "")
        values = {f.name: (clean.get(f.name) if not problems else given.get(f.name)) for _i, f in positions}
        out.append(PreviewRow(row_number, values, list(problems.values()), warnings, match_id, label, checked))
        if progress and done % 500 == 0:
            progress(done, total)
    if progress:
        progress(total, total)
    if missing:
        file_problems.append(Problem(table.sheet, 0, "、".join(missing), "",
                                     _("required columns are missing: {columns}.").format(columns="、".join(missing))))
    return Preview(spec.key, file_name, columns, unknown, missing, file_problems, out, ignored)


def _row_key(spec: RegisterSpec, given: dict[str, Any], today: Any = None) -> tuple[Any, ...] | None:
    """The row's natural key, its parts coerced as the form would; None if a part is bad or empty."""
    from civaffairs.records import values as V

    try:
        return keys.key_of(spec, {n: V.coerce(spec.field(n), given.get(n), today=today) for n in spec.key_fields})
    except ValueError:
        return None


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _cell_of(cells: list[Any], positions: list[tuple[int, FieldSpec]], name: str) -> Any:
    for i, f in positions:
        if f.name == name:
            return cells[i] if i < len(cells) else None
    return None


def _add_errors(problems: dict[str, Problem], e: ValidationError, table: Table, row: int, spec: RegisterSpec,
                cells: list[Any], positions: list[tuple[int, FieldSpec]]) -> None:
    for name, message in e.field_errors.items():
        f = spec.field(name) if name and spec.has_field(name) else None
        problems.setdefault(name, _field_problem(table, row, f, _cell_of(cells, positions, name), message))


class _ReferenceFinder:
    """A reference cell -> the record it names, by natural key or display name."""

    def __init__(self, session: Session, f: FieldSpec) -> None:
        self.target = get_register(f.reference or "")
        self.index = keys.ReferenceIndex(session, self.target)

    def find(self, text: str) -> tuple[uuid.UUID | None, str]:
        found, ambiguous = self.index.find(text)
        if ambiguous:
            return None, _("several records of “{register}” are named so; write its {key}.").format(
                register=self.target.name, key="、".join(self.target.field(n).title for n in self.target.key_fields))
        if found is None:
            return None, _("no record of “{register}” is named so.").format(register=self.target.name)
        return found, ""


# ------------------------------------------------------------------ apply


def apply(session: Session, actor: Actor, spec: RegisterSpec, preview: Preview, *, on_match: str = "skip",
          progress: Progress | None = None) -> ImportResult:
    """Write the previewed rows in the caller's transaction, every record through the service
    (permission, validation, rules, audit), listed in one import batch.  Rows that match an
    existing record are skipped or update it (`on_match`).  Refused if any row is bad; a row
    that fails now (another row of the file clashes with it) refuses the whole import, naming it."""
    from civaffairs.core.clock import now_utc
    from civaffairs.exchange.batches import encode_values
    from civaffairs.exchange.models import ImportBatch, ImportItem

    if on_match not in ("skip", "update"):
        raise ValueError(on_match)
    if not actor.can_write(spec.group):
        raise PermissionDenied(_("Your account may not change the register “{register}”.").format(register=spec.name))
    if preview.register != spec.key:
        raise ValueError(f"a preview of {preview.register} applied to {spec.key}")
    if preview.file_problems or preview.bad:
        raise _refuse(_("The import has rows with problems ({bad}); correct them in the file and import again.")
                      .format(bad=preview.bad + len(preview.file_problems)))
    batch = ImportBatch(register=spec.key, file_name=preview.file_name[:200], at=now_utc(), actor=actor.username,
                        created=0, updated=0, skipped=0)
    session.add(batch)
    session.flush()
    created = updated = skipped = 0
    total = len(preview.rows)
    new_rows: list[PreviewRow] = []
    new_positions: list[int] = []
    for position, r in enumerate(preview.rows):
        accept = [w.message for w in r.warnings]
        try:
            if r.match_id is not None:
                if on_match == "skip":
                    skipped += 1
                    continue
                obj = records._load(session, spec, r.match_id)
                before = encode_values(spec, records._current(spec, obj))
                version = obj.version
                row = records.update(session, actor, spec, r.match_id, version, r.values, accept=accept)
                if row.version == version:
                    skipped += 1  # the file says what the record says already
                    continue
                session.add(ImportItem(batch_id=batch.id, position=position, record_id=row.id, action="updated",
                                       record_version=row.version, before=before))
                updated += 1
            else:
                new_rows.append(r)
                new_positions.append(position)
        except NeedsConfirmation as e:
            raise _refuse(_("Row {row}: {message} (another row of the file?)").format(row=r.row, message=e.message)) from None
        except ValidationError as e:
            raise _refuse(_("Row {row}: {message}").format(row=r.row, message=e.message)) from None
        if progress and (position + 1) % 200 == 0:
            progress(position + 1, total)
    if new_rows:
        # New records together: validated and audited one by one by the service, written in bulk
        # where the register allows it (`records.create_many`).
        done_before = total - len(new_rows)

        def created_progress(done: int, _total: int) -> None:
            if progress:
                progress(done_before + done, total)

        try:
            ids = records.create_many(session, actor, spec,
                                      [r.checked if r.checked is not None else r.values for r in new_rows],
                                      accept=[[w.message for w in r.warnings] for r in new_rows],
                                      progress=created_progress)
        except NeedsConfirmation as e:
            row = new_rows[e.row].row if e.row is not None else 0
            raise _refuse(_("Row {row}: {message} (another row of the file?)").format(row=row, message=e.message)) from None
        except ValidationError as e:
            row = new_rows[e.row].row if e.row is not None else 0
            raise _refuse(_("Row {row}: {message}").format(row=row, message=e.message)) from None
        from civaffairs.core.ids import new_id

        items = [dict(id=new_id(), batch_id=batch.id, position=position, record_id=record_id, action="created",
                      record_version=1, before=None) for position, record_id in zip(new_positions, ids)]
        for start in range(0, len(items), records.BULK_CHUNK):
            records.insert_rows(session, ImportItem.__table__, items[start:start + records.BULK_CHUNK])
        created = len(ids)
    batch.created, batch.updated, batch.skipped = created, updated, skipped
    session.flush()
    audit.record(session, actor, "import", spec.key, batch.id, label=preview.file_name[:200], changes={
        "created": [None, str(created)], "updated": [None, str(updated)], "skipped": [None, str(skipped)],
    })
    if progress:
        progress(total, total)
    return ImportResult(batch.id, created, updated, skipped)
