"""Warnings the clerk may accept (`RegisterSpec.warnings`) and values derived from the input
(`RegisterSpec.derive`), on a register made for the test over the place tree's towns: a town whose
name shares its first two characters with another is "possibly the same place", and its kind
follows from its name (…街道 is a sub-district)."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import NeedsConfirmation, ValidationError
from civaffairs.db.database import Database
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences
from civaffairs.places.fields import TOWN_KINDS
from civaffairs.places.models import Town
from civaffairs.records import service as records
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec


def _similar_name(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    name = values.get("name") or ""
    stmt = select(Town.name).where(Town.name.like(name[:2] + "%"), Town.deleted_at.is_(None))
    if record_id is not None:
        stmt = stmt.where(Town.id != record_id)
    other = session.scalar(stmt.order_by(Town.name).limit(1)) if len(name) >= 2 else None
    return {"name": f"可能与“{other}”重复"} if other else {}


def _kind(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": "subdistrict" if str(values.get("name") or "").endswith("街道") else "town"}


SPEC = RegisterSpec(  # not registered: it lives only in this test
    key="test.towns_with_warnings", group=0, title="Towns", model=Town, display_fields=("name",),
    fields=(
        FieldSpec("name", "Place name", required=True, max_length=50),
        FieldSpec("kind", "Kind", Kind.CHOICE, choices=TOWN_KINDS, in_form=False),
        FieldSpec("notes", "Notes", Kind.LONG_TEXT, max_length=500),
    ),
    warnings=(_similar_name,), derive=_kind,
)


def _audit(db: Database, record_id: uuid.UUID) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.record_id == record_id).order_by(AuditEntry.at)))


def test_a_warning_is_refused_until_the_clerk_accepts_that_very_message(db: Database, admin: Actor) -> None:
    with db.write() as s:
        first = records.create(s, admin, SPEC, {"name": "道北街道"})
    assert first.values["kind"] == "subdistrict"  # derived, not typed
    # pytest.raises outside the transaction, so that the refusal rolls it back as in the program.
    with pytest.raises(NeedsConfirmation) as asked, db.write() as s:
        records.create(s, admin, SPEC, {"name": "道北镇"})
    assert asked.value.field_errors == {"name": "可能与“道北街道”重复"}
    assert isinstance(asked.value, ValidationError)  # a caller that cannot ask refuses
    with pytest.raises(NeedsConfirmation), db.write() as s:  # accepting another message is not accepting this one
        records.create(s, admin, SPEC, {"name": "道北镇"}, accept=("可能与“别处”重复",))
    with db.read() as s:
        assert records.count(s, admin, SPEC) == 1  # nothing was written by the refusals
    with db.write() as s:
        second = records.create(s, admin, SPEC, {"name": "道北镇"}, accept=("可能与“道北街道”重复",))
    assert second.values["kind"] == "town"
    created = _audit(db, second.id)[0]
    assert created.changes["warnings accepted"] == [None, "可能与“道北街道”重复"]
    assert created.changes["kind"] == [None, "town"]


def test_an_edit_asks_only_about_what_it_brings_and_derives_again(db: Database, admin: Actor) -> None:
    with db.write() as s:
        records.create(s, admin, SPEC, {"name": "道北街道"})
        town = records.create(s, admin, SPEC, {"name": "道北镇"}, accept=("可能与“道北街道”重复",))
    with db.write() as s:  # the accepted duplicate is not asked about again for a note
        noted = records.update(s, admin, SPEC, town.id, town.version, {"notes": "已核实，两处不同"})
    assert noted.version == town.version + 1
    town = noted
    with db.write() as s:
        records.create(s, admin, SPEC, {"name": "桥南街道"})
    with pytest.raises(NeedsConfirmation, match="桥南街道"), db.write() as s:  # a new possible duplicate is
        records.update(s, admin, SPEC, town.id, town.version, {"name": "桥南镇"})
    with db.write() as s:
        town = records.update(s, admin, SPEC, town.id, town.version, {"name": "花牛街道"})
    assert town.values["kind"] == "subdistrict"
    assert _audit(db, town.id)[-1].changes["kind"] == ["town", "subdistrict"]


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "测试民政局")


def test_the_form_shows_a_warning_in_amber_and_saves_anyway_when_asked(
        qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    with sqlite_db.write() as s:
        records.create(s, admin, SPEC, {"name": "道北街道"})
    form = RecordForm(_ctx(sqlite_db, admin, tmp_path), SPEC)
    qtbot.addWidget(form)
    form.show()
    assert "kind" not in form.editors  # derived: not typed
    form.editors["name"].set_value("道北镇")
    saved: list[records.Row] = []
    form.sig_saved.connect(saved.append)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not saved
    assert form.error_text("name") == "可能与“道北街道”重复"
    assert "9a6700" in form.errors.label("name").styleSheet()  # amber, not the red of an error
    assert form.save_button.text() == "仍然保存"
    form.grab().save(str(tmp_path / "warning.png"))
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert [r.values["name"] for r in saved] == ["道北镇"]
    with sqlite_db.read() as s:
        assert records.count(s, admin, SPEC) == 2


def test_an_error_after_a_warning_takes_back_the_acceptance(
        qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    with sqlite_db.write() as s:
        records.create(s, admin, SPEC, {"name": "道北街道"})
    form = RecordForm(_ctx(sqlite_db, admin, tmp_path), SPEC)
    qtbot.addWidget(form)
    form.editors["name"].set_value("道北镇")
    form.save()
    assert form.save_button.text() == "仍然保存"
    form.editors["name"].set_value("")
    form.save()  # a real error: the warning is no longer what the clerk is looking at
    assert form.error_text("name") and form.save_button.text() == form.save_text
    assert not form.accepted_warnings
