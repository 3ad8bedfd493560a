"""Excel in and out (civaffairs/exchange): export with real cell types, masking and audit; formula
injection; templates; import with header variants, the form's validation, natural-key matching and
a preview; import batches and their undo; malformed files; permissions; the command line."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from civaffairs.accounts.roles import Actor
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import PermissionDenied, ValidationError
from civaffairs.db.base import Base
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.exchange import batches, export, importer
from civaffairs.exchange.cells import safe_text, unsafe_text
from civaffairs.exchange.models import ImportBatch, ImportItem
from civaffairs.exchange.template import write_template
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.groups.bureau_office.models import HealthCheckIn, StaffMember
from civaffairs.places import fields as places
from civaffairs.records import service as records
from tests.helpers import PAST, audit_count, fresh_id, make_check_in, make_staff, table_count


def with_batch_tables(db: Database) -> Database:
    """The import batch tables, until the lead's migration 0006 makes them."""
    Base.metadata.create_all(db.engine, tables=[ImportBatch.__table__, ImportItem.__table__])
    return db


@pytest.fixture
def xdb(db: Database) -> Database:
    return with_batch_tables(db)


def _workbook(path: Path, rows: list[list[Any]], title: str = "Sheet") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _preview(db: Database, actor: Actor, spec: Any, path: Path) -> importer.Preview:
    table = importer.read_table(path)
    with db.read() as s:
        return importer.preview(s, actor, spec, table, file_name=path.name)


# ------------------------------------------------------------------ export


def test_export_writes_real_cell_types_frozen_header_filter_and_audits(xdb: Database, office_member: Actor,
                                                                         tmp_path: Path) -> None:
    staff = make_staff(xdb, office_member, name="王芳", working_groups=["1", "3"])
    make_check_in(xdb, office_member, staff.id, PAST, morning_temperature=Decimal("37.4"), health_code="yellow",
                  travelled_outside=True)
    out = tmp_path / "check_ins.xlsx"
    with xdb.write() as s:
        result = export.export_register(s, office_member, bo.CHECK_INS, out)
    assert result == export.ExportResult(1, ())
    ws = openpyxl.load_workbook(out).active
    headers = [c.value for c in ws[1]]
    assert headers == ["工作人员", "日期", "上午体温（°C）", "下午体温（°C）", "健康码", "近14天内离开过本区", "备注"]
    by = dict(zip(headers, ws[2]))
    assert by[bo.CHECK_INS.field("staff_id").title].value == "王芳"
    day = by[bo.CHECK_INS.field("day").title]
    assert day.value == datetime(2021, 10, 25) and day.number_format == "yyyy-mm-dd"
    temperature = by[bo.CHECK_INS.field("morning_temperature").title]
    assert temperature.value == pytest.approx(37.4) and temperature.number_format == "0.0"
    assert by["健康码"].value == "黄码"
    assert by["近14天内离开过本区"].value == "是"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions["A"].width > 8
    assert audit_count(xdb, action="export", register=bo.CHECK_INS.key) == 1


def test_another_groups_member_exports_masked_and_the_audit_says_so(xdb: Database, office_member: Actor,
                                                                   institutions_member: Actor, tmp_path: Path) -> None:
    number = fresh_id()
    make_staff(xdb, office_member, name="赵敏", id_number=number, phone="13912345678")
    out = tmp_path / "staff.xlsx"
    with xdb.write() as s:
        result = export.export_register(s, institutions_member, bo.STAFF, out)
    assert set(result.masked) == {"phone", "id_number"}
    ws = openpyxl.load_workbook(out).active
    values = [c.value for c in ws[2]]
    assert number not in values and "13912345678" not in values
    assert any(isinstance(v, str) and "*" in v and v.startswith(number[:4]) for v in values)
    with xdb.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.actor == "institutions" and entry.changes["masked"][1] == "phone,id_number"
    assert entry.changes["rows"][1] == "1" and entry.changes["file"][1] == "staff.xlsx"


def test_export_of_a_query_writes_the_rows_filtered_and_a_cancel_removes_the_file(
        xdb: Database, office_member: Actor, tmp_path: Path) -> None:
    for name in ("甲一", "乙二", "甲三"):
        make_staff(xdb, office_member, name=name)
    out = tmp_path / "some.xlsx"
    with xdb.write() as s:
        result = export.export_register(s, office_member, bo.STAFF, out,
                                        records.ListQuery(search="甲", sort="name", descending=True))
    assert result.rows == 2
    assert [r[0].value for r in openpyxl.load_workbook(out).active.iter_rows(min_row=2)] == ["甲三", "甲一"]

    def cancel(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt  # what the GUI's Cancel raises does not matter: the file goes

    gone = tmp_path / "cancelled.xlsx"
    with pytest.raises(KeyboardInterrupt), xdb.write() as s:
        export.export_register(s, office_member, bo.STAFF, gone, progress=cancel)
    assert not gone.exists()


def test_formula_injection_is_written_as_text_and_read_back_as_typed(xdb: Database, office_member: Actor,
                                                                    tmp_path: Path) -> None:
    dangerous = {"name": "-2+3", "department": "=HYPERLINK(\"http://x\",\"点我\")", "post": "@SUM(A1:A2)"}
    make_staff(xdb, office_member, **dangerous)
    out = tmp_path / "staff.xlsx"
    with xdb.write() as s:
        export.export_register(s, office_member, bo.STAFF, out)
    ws = openpyxl.load_workbook(out).active
    cells = {ws.cell(1, c).value: ws.cell(2, c) for c in range(1, ws.max_column + 1)}
    for name, text in dangerous.items():
        cell = cells[bo.STAFF.field(name).title]
        assert cell.data_type == "s" and cell.value == "'" + text
    # Read again, the apostrophe goes: the value is the clerk's text.
    with xdb.write() as s:
        records.delete(s, office_member, bo.STAFF, records.fetch(s, office_member, bo.STAFF)[0].id)
    p = _preview(xdb, office_member, bo.STAFF, out)
    assert p.bad == 0, [str(x) for r in p.rows for x in r.problems]
    assert {n: p.rows[0].values[n] for n in dangerous} == dangerous
    assert safe_text("普通文字") == "普通文字" and unsafe_text("'普通") == "'普通"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_an_export_and_runs_no_formula(sqlite_db: Database, office_member: Actor,
                                                         tmp_path: Path) -> None:
    with_batch_tables(sqlite_db)
    make_staff(sqlite_db, office_member, name="=1+1", department="部门")
    out = tmp_path / "staff.xlsx"
    with sqlite_db.write() as s:
        export.export_register(s, office_member, bo.STAFF, out)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                             "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(out)],
                            capture_output=True, text=True, timeout=180)
    csv_text = (tmp_path / "staff.csv").read_text(encoding="utf-8")
    assert result.returncode == 0, result.stderr
    assert "'=1+1" in csv_text and "部门" in csv_text
    assert not csv_text.splitlines()[1].startswith("2,")


# ------------------------------------------------------------------ template


def test_template_has_drop_downs_formats_instructions_and_an_example_that_passes(
        xdb: Database, office_member: Actor, tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    write_template(bo.CHECK_INS, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == bo.CHECK_INS.name and importer.INSTRUCTIONS_SHEET in wb.sheetnames
    ws = wb[bo.CHECK_INS.name]
    assert [c.value for c in ws[1]] == [f.title for f in bo.CHECK_INS.form_fields]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 2  # the health code and travelled outside
    notes = " ".join(str(c.value or "") for row in wb[importer.INSTRUCTIONS_SHEET].iter_rows() for c in row)
    assert "必填" in notes and "红色列名为必填项" in notes and "工作人员、日期" in notes
    assert bo.CHECK_INS.field("staff_id").title in notes
    # The example row passes the form's checks once the record it names exists.
    staff_title = bo.CHECK_INS.field("staff_id").title
    example = importer.read_table(out, sheet=importer.EXAMPLE_SHEET)
    make_staff(xdb, office_member, name="示例")
    example.rows[0][1][example.headers.index(staff_title)] = "示例"
    with xdb.read() as s:
        p = importer.preview(s, office_member, bo.CHECK_INS, example)
    assert p.bad == 0, [str(x) for r in p.rows for x in r.problems]
    # A register without references: its example passes as it is.
    write_template(places.TOWNS, out)
    with xdb.read() as s:
        p = importer.preview(s, Actor("a", "a", office_member.role.ADMINISTRATOR), places.TOWNS,
                             importer.read_table(out, sheet=importer.EXAMPLE_SHEET))
    assert p.ok == 1, [str(x) for r in p.rows for x in r.problems]
    # The template's own first sheet imports as nothing to import, not as an error of the program.
    assert importer.read_table(out).rows == []


# ------------------------------------------------------------------ import


def test_import_matches_headers_and_variants_checks_rows_as_the_form_and_matches_by_key(
        xdb: Database, office_member: Actor, tmp_path: Path) -> None:
    wang = make_staff(xdb, office_member, name="王芳")
    li = make_staff(xdb, office_member, name="李强")
    existing = make_check_in(xdb, office_member, wang.id, date(2021, 10, 8))
    path = _workbook(tmp_path / "in.xlsx", [
        ["日期", "工作人员", "健康码", "上午体温（°C）", "近14天内离开过本区", "照片"],
        [date(2021, 10, 8), "王芳", "绿码", 36.5, "否", "x"],            # 2: matches the existing check-in
        ["2021/10/9", "王芳", "green", "36.6", "是", None],               # 3
        ["2021年10月10日", "王芳", "绿码", 36.4, "否", None],              # 4
        [44480, "李强", "绿码", 36.4, None, None],                        # 5: 44480 is 2021-10-11
        [None, None, None, None, None, None],                             # 6: empty, left out
        ["2021-10-09", "王芳", "绿码", 36.7, "否", None],                 # 7: the same key as row 3
        ["2021-10-12", "张三", "绿码", 36.5, "否", None],                 # 8: nobody of that name
        ["2021-10-13", "李强", "紫码", "三十六度", "也许", None],                # 9: three bad cells
    ])
    p = _preview(xdb, office_member, bo.CHECK_INS, path)
    titles = {f.name: f.title for f in bo.CHECK_INS.fields}
    assert p.unknown_columns == ["照片"]
    assert p.columns["日期"] == "day" and p.columns["工作人员"] == "staff_id"
    assert [r.row for r in p.rows] == [2, 3, 4, 5, 7, 8, 9]
    rows = {r.row: r for r in p.rows}
    assert rows[2].match_id == existing.id and rows[2].match_label.startswith("王芳")
    assert rows[3].values["day"] == date(2021, 10, 9) and rows[4].values["day"] == date(2021, 10, 10)
    assert rows[5].values["day"] == date(2021, 10, 11) and rows[5].values["staff_id"] == li.id
    assert rows[7].problems[0].message == "与本表第3行的工作人员、日期相同。"
    assert rows[8].problems[0].column == titles["staff_id"] and rows[8].problems[0].value == "张三"
    assert {q.column for q in rows[9].problems} == {titles["health_code"], titles["morning_temperature"],
                                                    titles["travelled_outside"]}
    assert all(q.sheet == "Sheet" and q.row == 9 for q in rows[9].problems)
    assert p.ok == 4 and p.bad == 3 and p.matched == 1
    before = table_count(xdb, HealthCheckIn)
    with pytest.raises(ValidationError), xdb.write() as s:
        importer.apply(s, office_member, bo.CHECK_INS, p)
    assert table_count(xdb, HealthCheckIn) == before


def test_missing_required_columns_and_csv_in_gb18030(xdb: Database, office_member: Actor, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes("部门,手机号码,身份证号码\n办公室,13900000000,\n".encode("gb18030"))
    p = _preview(xdb, office_member, bo.STAFF, path)
    assert p.missing_required == [bo.STAFF.field("name").title]
    assert p.columns == {"部门": "department", "手机号码": "phone", "身份证号码": "id_number"}
    assert p.file_problems and p.bad == 1


def test_import_apply_update_and_undo_of_the_batch(xdb: Database, office_member: Actor, admin: Actor,
                                                   tmp_path: Path) -> None:
    wang = make_staff(xdb, office_member, name="王芳", department="办公室")
    number = fresh_id()
    path = _workbook(tmp_path / "staff.xlsx", [
        ["姓名", "部门", "身份证号"],
        ["王芳", "财务科", None],
        ["陈静", "办公室", number],
    ])
    p = _preview(xdb, office_member, bo.STAFF, path)
    assert p.ok == 2 and p.matched == 1
    with xdb.write() as s:
        result = importer.apply(s, office_member, bo.STAFF, p, on_match="update")
    assert (result.created, result.updated, result.skipped) == (1, 1, 0)
    with xdb.read() as s:
        assert s.get(StaffMember, wang.id).department == "财务科"
        assert s.scalar(select(StaffMember.id_number).where(StaffMember.name == "陈静")) == number
        listed = batches.list_batches(s, office_member, bo.STAFF.key)
    assert [(b.id, b.created, b.updated, b.file_name) for b in listed] == [(result.batch_id, 1, 1, "staff.xlsx")]
    assert audit_count(xdb, action="import", register=bo.STAFF.key) == 1
    # Only an administrator undoes; the undo puts every record back, through the service.
    with pytest.raises(PermissionDenied), xdb.write() as s:
        batches.undo_batch(s, office_member, result.batch_id)
    with xdb.write() as s:
        assert batches.undo_batch(s, admin, result.batch_id) == 2
    with xdb.read() as s:
        assert s.get(StaffMember, wang.id).department == "办公室"
        chen = s.scalars(select(StaffMember).where(StaffMember.name == "陈静")).one()
        assert chen.deleted_at is not None
        assert batches.list_batches(s, admin)[0].undone_by == "admin"
    with pytest.raises(ValidationError), xdb.write() as s:
        batches.undo_batch(s, admin, result.batch_id)


def test_undo_is_refused_naming_a_record_changed_since(xdb: Database, office_member: Actor, admin: Actor,
                                                       tmp_path: Path) -> None:
    path = _workbook(tmp_path / "staff.xlsx", [["姓名"], ["孙丽"], ["周杰"]])
    p = _preview(xdb, office_member, bo.STAFF, path)
    with xdb.write() as s:
        result = importer.apply(s, office_member, bo.STAFF, p)
    with xdb.write() as s:
        row = next(r for r in records.fetch(s, office_member, bo.STAFF) if r.values["name"] == "周杰")
        records.update(s, office_member, bo.STAFF, row.id, row.version, {"post": "科长"})
    with pytest.raises(ValidationError, match="周杰"), xdb.write() as s:
        batches.undo_batch(s, admin, result.batch_id)
    with xdb.read() as s:  # nothing was undone, not even 孙丽
        assert s.scalar(select(func.count()).select_from(StaffMember).where(StaffMember.deleted_at.is_(None))) == 2


def test_skip_leaves_matched_records_alone(xdb: Database, office_member: Actor, tmp_path: Path) -> None:
    wang = make_staff(xdb, office_member, name="王芳", department="办公室")
    p = _preview(xdb, office_member, bo.STAFF, _workbook(tmp_path / "s.xlsx", [["姓名", "部门"], ["王芳", "财务科"]]))
    with xdb.write() as s:
        result = importer.apply(s, office_member, bo.STAFF, p)
    assert (result.created, result.updated, result.skipped) == (0, 0, 1)
    with xdb.read() as s:
        assert s.get(StaffMember, wang.id).department == "办公室"


def test_a_viewer_cannot_import_and_another_group_cannot_either(xdb: Database, viewer: Actor,
                                                                institutions_member: Actor, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "s.xlsx", [["姓名"], ["孙丽"]])
    table = importer.read_table(path)
    for actor in (viewer, institutions_member):
        with pytest.raises(PermissionDenied), xdb.read() as s:
            importer.preview(s, actor, bo.STAFF, table)
    ok = Actor("office", "干事", viewer.role.MEMBER, frozenset({1}))
    p = _preview(xdb, ok, bo.STAFF, path)
    with pytest.raises(PermissionDenied), xdb.write() as s:
        importer.apply(s, viewer, bo.STAFF, p)
    assert table_count(xdb, StaffMember) == 0


def test_pasted_rows_with_and_without_headers(xdb: Database, office_member: Actor) -> None:
    with_headers = importer.table_from_text("姓名\t部门\r\n孙丽\t办公室\r\n周杰\t\r\n", spec=bo.STAFF)
    assert with_headers.headers == ["姓名", "部门"] and [r for r, _ in with_headers.rows] == [2, 3]
    bare = importer.table_from_text("孙丽\t办公室\t科员\n周杰\t后勤\t司机\n吴敏\t财务\t会计\n", spec=bo.STAFF)
    assert bare.headers[:3] == [bo.STAFF.field(n).title for n in ("name", "department", "post")]
    with xdb.read() as s:
        p = importer.preview(s, office_member, bo.STAFF, bare)
    assert p.ok == 3 and p.rows[2].values["post"] == "会计"


# ------------------------------------------------------------------ malformed files


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            chunk = b"0" * (1024 * 1024)
            for _ in range(40):  # 40 MiB of zeros, 40 KiB packed
                f.write(chunk)
    return path


def _password_protected(path: Path) -> Path:
    """What Excel writes for a workbook with a password to open: an OLE compound file holding an
    EncryptedPackage stream (this one holds no real package)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    path.write_bytes(header + "EncryptedInfo".encode("utf-16-le") + b"\x00" * 64
                     + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 4096)
    return path


@pytest.mark.parametrize("make, says", [
    (lambda p: (p.write_bytes(b"%PDF-1.4 not a workbook"), p)[1], "不是"),
    (lambda p: (p.write_bytes(b""), p)[1], "空"),
    (lambda p: (p.write_bytes(b"PK\x03\x04 broken zip"), p)[1], "损坏"),
    (_zip_bomb, "远超"),
    (_password_protected, "密码"),
    (lambda p: _only_instructions(p), "没有"),
])
def test_files_that_are_not_readable_workbooks_are_refused_with_a_message(
        tmp_path: Path, make: Any, says: str) -> None:
    path = make(tmp_path / "bad.xlsx")
    with pytest.raises(ValidationError) as e:
        importer.read_table(path)
    assert says in e.value.message, e.value.message


def _only_instructions(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = importer.INSTRUCTIONS_SHEET
    wb.save(path)
    return path


def test_a_missing_sheet_by_name_is_a_message(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "a.xlsx", [["姓名"], ["孙丽"]])
    with pytest.raises(ValidationError, match="没有"):
        importer.read_table(path, sheet="工作人员")


_cells = st.one_of(
    st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.booleans(),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)), st.times(),
    st.sampled_from(["=1+1", "=SUM(A1:A3)", "2021/10/8", "2021年10月8日", "44480", "绿码", "是", "王芳",
                     "x" * 32767, "36.5", "  ", "\t=cmd"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(headers=st.lists(st.sampled_from(["工作人员", "日期", "健康码", "上午体温（°C）", "近14天内离开过本区", "备注",
                                         "无名列", ""]), min_size=0, max_size=7),
       rows=st.lists(st.lists(_cells, max_size=8), max_size=6),
       merge=st.booleans())
def test_malformed_workbooks_end_in_problems_never_a_crash_or_a_write(
        sqlite_db: Database, office_member: Actor, tmp_path_factory: pytest.TempPathFactory,
        headers: list[str], rows: list[list[Any]], merge: bool) -> None:
    with_batch_tables(sqlite_db)
    if table_count(sqlite_db, StaffMember) == 0:
        make_staff(sqlite_db, office_member, name="王芳")
    path = tmp_path_factory.mktemp("wb") / "m.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    try:
        ws.append(headers)
        for r in rows:
            ws.append(r)
        if merge and rows:
            ws.merge_cells(start_row=2, start_column=1, end_row=2 + len(rows) - 1, end_column=2)
        wb.save(path)
    except (ValueError, TypeError):  # openpyxl refuses control characters itself: no workbook to read
        return
    before = table_count(sqlite_db, HealthCheckIn)
    try:
        table = importer.read_table(path)
        with sqlite_db.write() as s:
            p = importer.preview(s, office_member, bo.CHECK_INS, table)
            if p.can_apply:
                importer.apply(s, office_member, bo.CHECK_INS, p)
                raise _Rollback
    except (ValidationError, _Rollback):
        pass
    else:
        assert not p.can_apply
        for r in p.rows:
            for problem in r.problems:
                assert problem.message and problem.row >= 2
    assert table_count(sqlite_db, HealthCheckIn) == before


class _Rollback(Exception):
    """Leaves the transaction without writing."""


# ------------------------------------------------------------------ command line


@pytest.fixture
def cli_dir(tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "cli-data"
    db = with_batch_tables(open_database(data))
    db.dispose()
    yield data


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from civaffairs.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_command_line_lists_writes_templates_exports_and_imports(cli_dir: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(cli_dir)]
    code, out, _err = _cli(capsys, "export", "--list", *d)
    lines = out.splitlines()
    assert code == 0 and "bureau_office.staff\t工作人员" in lines and "places.towns\t镇和街道" in lines
    assert len(lines) >= 50

    template = tmp_path / "t.xlsx"
    code, out, _err = _cli(capsys, "template", "bureau_office.staff", "--out", str(template), *d)
    assert code == 0 and template.exists()

    good = _workbook(tmp_path / "good.xlsx", [["姓名", "部门"], ["孙丽", "办公室"], ["周杰", "后勤"]])
    bad = _workbook(tmp_path / "bad.xlsx", [["姓名", "身份证号"], ["孙丽", "123"], ["周杰", None]])
    code, out, err = _cli(capsys, "import", "bureau_office.staff", str(bad), "--dry-run", *d)
    assert code == 1
    assert "拒绝： Sheet 第2行 身份证号码：“123”身份证号码应为18位" in out
    assert "共2行：可导入1行，拒绝1行，与已有记录相同0行。" in out and "未导入任何记录" in err
    code, out, err = _cli(capsys, "import", "bureau_office.staff", str(good), "--dry-run", *d)
    assert code == 0 and "仅检查（--dry-run）：未写入任何数据。" in out
    code, out, err = _cli(capsys, "export", "bureau_office.staff", "--out", str(tmp_path / "e.xlsx"), *d)
    assert code == 0 and "（“工作人员”0行）" in out
    assert openpyxl.load_workbook(tmp_path / "e.xlsx").active.max_row == 1  # the dry runs wrote nothing

    code, out, err = _cli(capsys, "import", "bureau_office.staff", str(good), *d)
    assert code == 0, err
    changed = _workbook(tmp_path / "changed.xlsx", [["姓名", "部门"], ["孙丽", "财务科"], ["吴敏", "后勤"]])
    code, out, err = _cli(capsys, "import", "bureau_office.staff", str(changed), "--on-match", "update", *d)
    assert code == 0, err
    code, out, err = _cli(capsys, "export", "bureau_office.staff", "--search", "孙", "--out", str(tmp_path / "e.xlsx"), *d)
    assert code == 0
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(tmp_path / "e.xlsx").active.iter_rows(min_row=2)]
    assert [r[:2] for r in rows] == [["孙丽", "财务科"]]

    code, out, err = _cli(capsys, "imports", *d)
    batch_lines = out.splitlines()
    assert code == 0 and len(batch_lines) == 2 and "changed.xlsx" in batch_lines[0]
    code, out, err = _cli(capsys, "imports", "--undo", batch_lines[0].split("\t")[0], *d)
    assert code == 0, err
    code, out, err = _cli(capsys, "export", "bureau_office.staff", "--all", "--out", str(tmp_path / "e.xlsx"), *d)
    rows = sorted([c.value for c in r][:2] for r in openpyxl.load_workbook(tmp_path / "e.xlsx").active.iter_rows(min_row=2))
    assert rows == [["周杰", "后勤"], ["孙丽", "办公室"]]
    code, out, err = _cli(capsys, "export", "no.such", "--out", str(tmp_path / "x.xlsx"), *d)
    assert code == 2 and "no.such" in err


def test_a_dry_run_prints_on_the_standard_output_of_the_moment(cli_dir: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview once went to the standard output there was when its module was imported: a
    stream that may be closed since (in CI, another test's captured output)."""
    import importlib
    import io
    import sys

    from civaffairs.exchange import cli as exchange_cli

    gone = io.StringIO()
    monkeypatch.setattr(sys, "stdout", gone)
    importlib.reload(exchange_cli)  # imported while the standard output was another stream
    monkeypatch.undo()
    gone.close()
    bad = _workbook(tmp_path / "bad.xlsx", [["姓名", "身份证号"], ["孙丽", "123"]])
    code, out, _err = _cli(capsys, "import", "bureau_office.staff", str(bad), "--dry-run", "--data-dir", str(cli_dir))
    assert "bad.xlsx" in out and "身份证" in out, (code, out)
