"""Every code the program stores fits the column that holds it.  SQLite does not enforce a
VARCHAR's length and PostgreSQL does: a visit to an organisation receiving donations
("donation_organisation", 21 characters in a column of 20) worked on a single PC and was refused on
the office server.  A new choice, target kind or checklist item is checked here by itself."""
from __future__ import annotations

from sqlalchemy import String

from civaffairs.groups import load_all
from civaffairs.records.spec import all_registers
from civaffairs.supervision.models import ChecklistLine, InspectionVisit
from civaffairs.supervision.targets import target_kinds

load_all()


def _length(column) -> int | None:  # type: ignore[no-untyped-def]
    return column.type.length if isinstance(column.type, String) else None


def test_every_choice_of_every_register_fits_its_column() -> None:
    checked = 0
    for spec in all_registers():
        table = spec.model.__table__
        for f in spec.fields:
            if not f.choices or f.name not in table.c:
                continue
            length = _length(table.c[f.name])
            for choice in f.choices:
                assert length is None or len(choice.code) <= length, (spec.key, f.name, choice.code, length)
                checked += 1
    assert checked > 50  # the registers' choices were all seen


def test_every_supervision_target_kind_and_checklist_item_fits_its_column() -> None:
    kind_length = _length(InspectionVisit.__table__.c.target_kind)
    code_length = _length(ChecklistLine.__table__.c.item_code)
    assert len(target_kinds()) >= 4
    for kind in target_kinds():
        assert kind_length is None or len(kind.key) <= kind_length, (kind.key, kind_length)
        for item in kind.checklist:
            assert code_length is None or len(item.code) <= code_length, (item.code, code_length)
