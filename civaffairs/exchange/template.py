"""An empty workbook to fill in for a register: its headers (required ones marked), a drop-down
list for every choice and yes/no, date and number formats, a sheet of instructions in Chinese, and
a sheet with an example row (not imported: the import reads the first sheet)."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from civaffairs.core.i18n import _
from civaffairs.exchange.cells import FORMATS, choice_separator, yes_no
from civaffairs.exchange.export import column_width, sheet_name
from civaffairs.exchange.importer import EXAMPLE_SHEET, INSTRUCTIONS_SHEET
from civaffairs.exchange.keys import SEPARATOR
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, get_register

TEMPLATE_ROWS = 5000  # drop-down lists and formats reach this far down
EXAMPLE_DAY = date(2021, 10, 8)


def _valid_resident_id() -> str:
    from stdnum.cn import ric

    body = "62050219800101001"  # 麦积区, born 1980-01-01
    return body + ric.calc_check_digit(body + "0")


def _valid_credit_code() -> str:
    from stdnum.cn import uscc

    body = "51620503MJ2630037"
    return body + uscc.calc_check_digit(body)


def example_value(f: FieldSpec) -> Any:
    """A value of `f` that its own checks accept (a reference: a hint to name a record)."""
    kind = f.kind
    if kind in (Kind.TEXT, Kind.LONG_TEXT):
        text = _("Example") + f.title
        return text[: f.max_length] if f.max_length else text
    if kind is Kind.RESIDENT_ID:
        return _valid_resident_id()
    if kind is Kind.CREDIT_CODE:
        return _valid_credit_code()
    if kind is Kind.PHONE:
        return "13909381234"
    if kind is Kind.INTEGER:
        return max(f.minimum if f.minimum is not None else 1, min(1, f.maximum if f.maximum is not None else 1))
    if kind is Kind.TEMPERATURE:
        value = Decimal("36.5")
        return float(min(max(value, Decimal(str(f.minimum)) if f.minimum is not None else value),
                         Decimal(str(f.maximum)) if f.maximum is not None else value))
    if kind is Kind.MONEY:
        return 100.0
    if kind is Kind.DATE:
        return EXAMPLE_DAY
    if kind is Kind.DATETIME:
        return datetime.combine(EXAMPLE_DAY, time(8, 30))
    if kind is Kind.TIME:
        return time(8, 30)
    if kind is Kind.CHOICE:
        return f.choices[0].title if f.choices else ""
    if kind is Kind.MULTI_CHOICE:
        return f.choices[0].title if f.choices else ""
    if kind is Kind.BOOLEAN:
        return yes_no(False)
    target = get_register(f.reference or "")
    return _("(a record of “{register}”: its {key})").format(
        register=target.name, key=SEPARATOR.join(target.field(n).title for n in target.key_fields))


def _format_text(f: FieldSpec) -> str:
    kind = f.kind
    if kind is Kind.DATE:
        return _("a date: 2021-10-08, 2021/10/8 or 2021年10月8日")
    if kind is Kind.DATETIME:
        return _("a date and time: 2021-10-08 08:30")
    if kind is Kind.TIME:
        return _("a time: 08:30")
    if kind is Kind.MONEY:
        return _("yuan, at most two decimals")
    if kind is Kind.TEMPERATURE:
        return _("°C, one decimal")
    if kind is Kind.INTEGER:
        bounds = ""
        if f.minimum is not None or f.maximum is not None:
            bounds = _(" ({lo} to {hi})").format(lo=f.minimum if f.minimum is not None else "", hi=f.maximum if f.maximum is not None else "")
        return _("a whole number") + bounds
    if kind is Kind.CHOICE:
        return _("one of: {options}").format(options="、".join(c.title for c in f.choices))
    if kind is Kind.MULTI_CHOICE:
        return _("one or more of, separated by {sep}: {options}").format(
            sep=choice_separator(), options="、".join(c.title for c in f.choices))
    if kind is Kind.BOOLEAN:
        return _("{yes} or {no}").format(yes=yes_no(True), no=yes_no(False))
    if kind is Kind.RESIDENT_ID:
        return _("18-character resident ID number")
    if kind is Kind.CREDIT_CODE:
        return _("18-character unified social credit code")
    if kind is Kind.PHONE:
        return _("an 11-digit mobile number or a landline like 0938-8212345")
    if kind is Kind.REFERENCE:
        target = get_register(f.reference or "")
        return _("a record of “{register}”, named by its {key} (or its name, where that is unique)").format(
            register=target.name, key=SEPARATOR.join(target.field(n).title for n in target.key_fields))
    if f.max_length:
        return _("text, at most {n} characters").format(n=f.max_length)
    return _("text")


def write_template(spec: RegisterSpec, path: Path) -> None:
    import xlsxwriter

    fields = spec.form_fields
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False})
    try:
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"})
        required = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter",
                                        "font_color": "#C0392B"})
        text = workbook.add_format({"num_format": "@"})
        formats = {k: workbook.add_format({"num_format": v}) for k, v in FORMATS.items()}
        sheet = workbook.add_worksheet(sheet_name(spec))
        lists = workbook.add_worksheet("选项")
        lists.hide()
        list_column = 0
        for i, f in enumerate(fields):
            if f.kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.RESIDENT_ID, Kind.PHONE, Kind.CREDIT_CODE, Kind.REFERENCE):
                fmt = text  # an ID number typed in stays text, not 6.20502E+17
            else:
                fmt = formats.get(f.kind)
            sheet.set_column(i, i, column_width(f), fmt)
            sheet.write_string(0, i, f.title, required if f.required else header)
            options: list[str] = []
            if f.kind is Kind.CHOICE:
                options = [c.title for c in f.choices]
            elif f.kind is Kind.BOOLEAN:
                options = [yes_no(True), yes_no(False)]
            if options:
                for j, option in enumerate(options):
                    lists.write_string(j, list_column, option)
                letter = _letter(list_column)
                sheet.data_validation(1, i, TEMPLATE_ROWS, i, {
                    "validate": "list", "source": f"='选项'!${letter}$1:${letter}${len(options)}",
                    "error_title": f.title, "error_message": _format_text(f)[:255]})
                list_column += 1
            elif f.kind is Kind.DATE:
                sheet.data_validation(1, i, TEMPLATE_ROWS, i, {
                    "validate": "date", "criteria": ">=", "value": date(1900, 1, 1),
                    "error_title": f.title, "error_message": _format_text(f)[:255], "error_type": "warning"})
            sheet.write_comment(0, i, _format_text(f)[:250]) if f.kind in (Kind.MULTI_CHOICE, Kind.REFERENCE) else None
        sheet.freeze_panes(1, 0)

        example = workbook.add_worksheet(EXAMPLE_SHEET)
        for i, f in enumerate(fields):
            example.set_column(i, i, column_width(f))
            example.write_string(0, i, f.title, required if f.required else header)
            value = example_value(f)
            if isinstance(value, datetime):
                example.write_datetime(1, i, value, formats[Kind.DATETIME])
            elif isinstance(value, date):
                example.write_datetime(1, i, datetime.combine(value, time.min), formats[Kind.DATE])
            elif isinstance(value, time):
                example.write_number(1, i, (value.hour * 60 + value.minute) / 1440, formats[Kind.TIME])
            elif isinstance(value, (int, float)):
                example.write_number(1, i, value, formats.get(f.kind))
            else:
                example.write_string(1, i, str(value))

        notes = workbook.add_worksheet(INSTRUCTIONS_SHEET)
        bold = workbook.add_format({"bold": True})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        notes.set_column(0, 0, 22)
        notes.set_column(1, 1, 10)
        notes.set_column(2, 2, 70)
        key = "、".join(spec.field(n).title for n in spec.key_fields)
        lines = [
            _("How to fill in “{register}”").format(register=spec.name),
            _("Enter one record a row on the first sheet, below the headers; leave no empty rows between records."),
            _("Columns in red are required. The columns may be in any order; columns the program does not know are reported, not imported."),
            _("Records are matched to those already in the program by: {key}. A row that matches is skipped or updates that record, as chosen when importing; two rows with the same {key} are refused.").format(key=key),
            _("Nothing is written until every row passes the checks: the program shows each problem with its row and column first."),
            _("The sheet “{example}” shows an example row; it is not imported.").format(example=EXAMPLE_SHEET),
        ]
        for r, line in enumerate(lines):
            notes.merge_range(r, 0, r, 2, line, bold if r == 0 else wrap)
        row = len(lines) + 1
        for c, title in enumerate((_("Column"), _("Required"), _("What to enter"))):
            notes.write_string(row, c, title, header)
        for f in fields:
            row += 1
            notes.write_string(row, 0, f.title)
            notes.write_string(row, 1, yes_no(True) if f.required else "")
            notes.write_string(row, 2, _format_text(f), wrap)
        workbook.close()
    except BaseException:
        try:
            workbook.close()
        except Exception:  # noqa: BLE001
            pass
        Path(path).unlink(missing_ok=True)
        raise


def _letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters
