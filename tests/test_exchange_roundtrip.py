"""Round trip of EVERY register through a workbook: the demo's records exported (as an
administrator, so no column is masked), then imported into an empty database, give the same
records, compared field by field.  Parametrised over `all_registers()`: a new register is covered
without a new test (its demo.py must add some records of it).

The demo is made once for the module.  Importing all of its ~10,000 records through the service
would take minutes, so each register's file is imported in part: its first `SAMPLE` rows and
every row that a chosen row of another register refers to (a member's household, a result's
round), its parent registers first, each from its own export, into one database that starts
empty."""
from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs import groups
from civaffairs.accounts.roles import Actor, Role
from civaffairs.core import i18n
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.exchange import export, importer
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.spec import Kind, RegisterSpec, all_registers, get_register
from tests.helpers import copy_records
from tests.test_exchange import with_batch_tables

groups.load_all()
REGISTERS = all_registers()
ADMIN = Actor("admin", "管理员", Role.ADMINISTRATOR)  # reads every masked column
SAMPLE = 25  # rows of a register imported besides those that other registers' chosen rows need
FIRST_ROW = 2  # the sheet row of an export's first record (row 1 holds the headers)


# What the references do not say, and a clerk restoring a register from its export has to know.
# A disbursement's rule reads every money donation of its organisation and purpose (the money left),
# so the money register is imported before it, and whole.
READS_ALL = {"donations.disbursements": ("donations.money",)}
WHOLE = {"donations.money"}
# A closed day batch refuses new donations: the batches are imported without their "closed" column,
# then their donations, then the batches file again, updating the records (so they close).
LOCKS = {"donations.batches": "closed"}


def parents(spec: RegisterSpec) -> list[str]:
    """The registers a record of `spec` may refer to in its form (or whose records its rules
    read): imported before it."""
    return sorted({f.reference for f in spec.form_fields
                   if f.kind is Kind.REFERENCE and f.reference and f.reference != spec.key}
                  | set(READS_ALL.get(spec.key, ())))


def children(spec: RegisterSpec) -> list[RegisterSpec]:
    return [r for r in REGISTERS if spec.key in parents(r)]


def dependency_order(registers: Iterable[RegisterSpec]) -> list[RegisterSpec]:
    ordered: list[RegisterSpec] = []
    placed: set[str] = set()

    def place(spec: RegisterSpec, path: tuple[str, ...]) -> None:
        if spec.key in placed:
            return
        assert spec.key not in path, f"registers refer to each other in a circle: {path + (spec.key,)}"
        for key in parents(spec):
            place(get_register(key), path + (spec.key,))
        placed.add(spec.key)
        ordered.append(spec)

    for spec in registers:
        place(spec, ())
    return ordered


def _objects(session: Session, spec: RegisterSpec, ids: Iterable[uuid.UUID] | None = None) -> list[Any]:
    """Live records of `spec` (those of `ids` only, if given), as model objects."""
    model = spec.model
    if ids is None:
        return list(session.scalars(select(model).where(model.deleted_at.is_(None))))
    wanted = list(ids)
    found: list[Any] = []
    for start in range(0, len(wanted), 500):
        found.extend(session.scalars(select(model).where(model.id.in_(wanted[start:start + 500]))))
    return found


class Canon:
    """A record's form values, comparable across two databases: empty is empty whatever its
    form ("" or None), a multiple choice a tuple, and a reference what names the referenced
    record (so two records are equal when what they refer to is, whatever the ids)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._known: dict[tuple[str, uuid.UUID], tuple[tuple[str, Any], ...]] = {}

    def value(self, spec: RegisterSpec, f: Any, raw: Any) -> Any:
        value = V.from_db(f, raw)
        if V.is_empty(value):
            return None
        if f.kind is Kind.REFERENCE:
            return (f.reference, self.of_id(get_register(f.reference), value))
        if isinstance(value, list):
            return tuple(value)
        return value

    def of(self, spec: RegisterSpec, obj: Any) -> tuple[tuple[str, Any], ...]:
        return tuple((f.name, self.value(spec, f, getattr(obj, f.name))) for f in spec.form_fields)

    def of_id(self, spec: RegisterSpec, record_id: uuid.UUID) -> tuple[tuple[str, Any], ...]:
        """A referenced record by what names it (its natural key and display fields): the rest
        of it is compared by its own register's test (and a closed batch differs from the batch
        its donations were imported into only by being closed)."""
        key = (spec.key, record_id)
        if key not in self._known:
            obj = self.session.get(spec.model, record_id)
            self._known[key] = tuple((n, self.value(spec, spec.field(n), getattr(obj, n)))
                                     for n in dict.fromkeys((*spec.key_fields, *spec.display_fields)))
        return self._known[key]


@dataclass
class Outcome:
    imported: int = 0
    failure: str = ""


@dataclass
class RoundTrip:
    source: Database
    target: Database
    folder: Path
    order: list[str]  # source record ids of each register, in the export's row order
    rows: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    chosen: dict[str, list[int]] = field(default_factory=dict)  # positions in `rows` imported
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    locked: set[str] = field(default_factory=set)  # LOCKS done

    def file(self, spec: RegisterSpec) -> Path:
        return self.folder / f"{spec.key}.xlsx"

    def imported(self, spec: RegisterSpec) -> Outcome:
        """Import the chosen rows of the register's export into the target, its parents first."""
        if spec.key in self.outcomes:
            return self.outcomes[spec.key]
        for key in parents(spec):
            if self.imported(get_register(key)).failure:
                self.outcomes[spec.key] = Outcome(failure=f"its parent register {key} did not import")
                return self.outcomes[spec.key]
        outcome, result = self._import(spec, without=LOCKS.get(spec.key))
        if result is not None:
            outcome.imported = result.created
            if result.skipped or result.updated:
                outcome.failure = (f"{result.skipped} rows skipped and {result.updated} updated as matching "
                                   "records already in the empty database")
        self.outcomes[spec.key] = outcome
        return outcome

    def finished(self, spec: RegisterSpec) -> Outcome:
        """`imported`, and for a register that locks its children (LOCKS): its children imported,
        then the file again with the locking column, updating the records."""
        outcome = self.imported(spec)
        if spec.key not in LOCKS or outcome.failure or spec.key in self.locked:
            return outcome
        self.locked.add(spec.key)
        for child in children(spec):
            if self.imported(child).failure:
                outcome.failure = f"its child register {child.key} did not import"
                return outcome
        again, result = self._import(spec, on_match="update")
        if result is not None and result.created:
            again.failure = f"{result.created} records created where the first import should have made them"
        outcome.failure = again.failure
        return outcome

    def _import(self, spec: RegisterSpec, *, without: str | None = None,
                on_match: str = "skip") -> tuple[Outcome, importer.ImportResult | None]:
        table = importer.read_table(self.file(spec))
        assert [r for r, _cells in table.rows] == list(range(FIRST_ROW, FIRST_ROW + len(self.rows[spec.key]))), \
            f"the export of {spec.key} does not hold one row per record"
        wanted = {FIRST_ROW + i for i in self.chosen[spec.key]}
        table.rows = [(r, cells) for r, cells in table.rows if r in wanted]
        if without is not None:
            drop = table.headers.index(spec.field(without).title)
            table.headers = [h for i, h in enumerate(table.headers) if i != drop]
            table.rows = [(r, [c for i, c in enumerate(cells) if i != drop]) for r, cells in table.rows]
        with self.target.read() as s:
            p = importer.preview(s, ADMIN, spec, table, file_name=self.file(spec).name)
        if not p.can_apply:
            said = [str(x) for x in p.file_problems] + [str(x) for r in p.rows for x in r.problems]
            return Outcome(failure=f"{p.bad} of {len(p.rows)} rows refused: " + "; ".join(said[:8])), None
        try:
            with self.target.write() as s:
                return Outcome(), importer.apply(s, ADMIN, spec, p, on_match=on_match)
        except Exception as e:  # noqa: BLE001 - reported by the register's test, not the module
            return Outcome(failure=f"apply refused: {type(e).__name__}: {e}"), None


def _choose(order: list[RegisterSpec], session: Session, rows: dict[str, list[uuid.UUID]]) -> dict[str, list[int]]:
    """The rows to import of each register: its first SAMPLE, and every record a chosen record of
    a later register refers to (children are chosen before their parents)."""
    demanded: dict[str, set[uuid.UUID]] = {}
    chosen: dict[str, list[int]] = {}
    for spec in reversed(order):
        want = demanded.get(spec.key, set())
        ids = rows[spec.key]
        picked = [i for i, record_id in enumerate(ids) if i < SAMPLE or record_id in want or spec.key in WHOLE]
        chosen[spec.key] = picked
        references = [f for f in spec.form_fields if f.kind is Kind.REFERENCE]
        if references:
            for obj in _objects(session, spec, [ids[i] for i in picked]):
                for f in references:
                    target = getattr(obj, f.name)
                    if target is not None:
                        demanded.setdefault(f.reference or "", set()).add(target)
    return chosen


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory: pytest.TempPathFactory, demo_source: Database) -> Any:
    i18n.set_language("zh_CN")
    folder = tmp_path_factory.mktemp("roundtrip")
    source = open_database(folder / "source")  # a copy: the export's audit entries stay in it
    copy_records(demo_source, source)
    target = with_batch_tables(open_database(folder / "target"))
    order = dependency_order(REGISTERS)
    trip = RoundTrip(source, target, folder, [s.key for s in order])
    with source.write() as s:  # an export of personal data is audited
        for spec in order:
            result = export.export_register(s, ADMIN, spec, trip.file(spec))
            assert result.masked == ()
            ids: list[uuid.UUID] = []
            while page := records.fetch(s, ADMIN, spec, records.ListQuery(), offset=len(ids), limit=export.PAGE):
                ids.extend(r.id for r in page)
                if len(page) < export.PAGE:
                    break
            assert len(ids) == result.rows
            trip.rows[spec.key] = ids
        trip.chosen = _choose(order, s, trip.rows)
    yield trip
    source.dispose()
    target.dispose()


def _describe(spec: RegisterSpec, canon: tuple[tuple[str, Any], ...]) -> str:
    values = dict(canon)
    return " / ".join(str(values.get(n)) for n in spec.display_fields)


def _differences(spec: RegisterSpec, expected: list[tuple[tuple[str, Any], ...]],
                 found: list[tuple[tuple[str, Any], ...]]) -> list[str]:
    """What differs, field by field: each exported record that came back otherwise, next to the
    imported record that has its natural key."""
    missing = Counter(expected) - Counter(found)
    extra = Counter(found) - Counter(expected)
    said: list[str] = []
    by_key: dict[tuple[Any, ...], list[tuple[tuple[str, Any], ...]]] = {}
    for record in extra.elements():
        by_key.setdefault(tuple(dict(record).get(n) for n in spec.key_fields), []).append(record)
    for record in missing.elements():
        values = dict(record)
        others = by_key.get(tuple(values.get(n) for n in spec.key_fields), [])
        if not others:
            said.append(f"{_describe(spec, record)}: not imported (or its natural key changed)")
            continue
        other = dict(others.pop(0))
        for f in spec.form_fields:
            if values[f.name] != other[f.name]:
                said.append(f"{_describe(spec, record)}: {f.name} ({f.title}) exported {values[f.name]!r}, "
                            f"imported {other[f.name]!r}")
    for rest in by_key.values():
        said.extend(f"{_describe(spec, record)}: imported, but not among the records exported" for record in rest)
    return said


@pytest.mark.parametrize("spec", REGISTERS, ids=[s.key for s in REGISTERS])
def test_export_then_import_into_an_empty_database_gives_the_same_records(roundtrip: RoundTrip,
                                                                          spec: RegisterSpec) -> None:
    assert spec.form_fields, f"{spec.key} has no form fields: nothing to import"
    assert roundtrip.rows[spec.key], f"the demo has no records of {spec.key}: add some to its demo.py"
    outcome = roundtrip.finished(spec)
    assert not outcome.failure, f"{spec.key}: {outcome.failure}"
    chosen = [roundtrip.rows[spec.key][i] for i in roundtrip.chosen[spec.key]]
    assert outcome.imported == len(chosen)
    with roundtrip.source.read() as s, roundtrip.target.read() as t:
        before = Canon(s)
        exported = [before.of(spec, o) for o in _objects(s, spec, chosen)]
        canon = Canon(t)
        imported = [canon.of(spec, o) for o in _objects(t, spec)]
    assert len(exported) == len(chosen)
    differences = _differences(spec, exported, imported)
    assert not differences, f"{spec.key}: " + "\n".join(differences[:20])
