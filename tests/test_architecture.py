"""The layers stay apart: nothing below the GUI imports Qt, and the shared machinery does not
import the working groups (import-linter contracts in pyproject.toml)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_FREE = [
    "civaffairs.core.errors", "civaffairs.core.idnumbers", "civaffairs.core.clock", "civaffairs.core.paths",
    "civaffairs.accounts.service", "civaffairs.audit.service", "civaffairs.records.service",
    "civaffairs.groups.bureau_office.service", "civaffairs.groups.bureau_office.fields",
    "civaffairs.demo", "civaffairs.db.bootstrap", "civaffairs.db.migrate", "civaffairs.schema", "civaffairs.cli",
    "civaffairs.printing.fonts", "civaffairs.printing.amounts", "civaffairs.printing.table_report",
    "civaffairs.records.display", "civaffairs.records.status", "civaffairs.places.fields", "civaffairs.places.demo",
    "civaffairs.numbering.service", "civaffairs.reports.statistics", "civaffairs.reports.workbook",
    "civaffairs.reports.service", "civaffairs.reports.cli", "civaffairs.printing.statistics_pdf",
    "civaffairs.printing.blank_form", "civaffairs.groups.bureau_office.figures",
    "civaffairs.groups.service_institutions.figures", "civaffairs.groups.service_institutions.demo",
    "civaffairs.groups.service_institutions.service", "civaffairs.groups.community.figures",
    "civaffairs.groups.community.demo", "civaffairs.groups.community.reports", "civaffairs.supervision.figures",
    "civaffairs.supervision.service", "civaffairs.supervision.demo", "civaffairs.supervision.reports",
    "civaffairs.supervision.cli", "civaffairs.records.workflow",
    "civaffairs.groups.assistance.models",
    "civaffairs.groups.assistance.fields",
    "civaffairs.groups.assistance.households",
    "civaffairs.groups.assistance.grants",
    "civaffairs.groups.assistance.household_service",
    "civaffairs.groups.assistance.grant_service",
    "civaffairs.groups.assistance.figures",
    "civaffairs.groups.assistance.search",
    "civaffairs.groups.assistance.demo",
    "civaffairs.groups.assistance.household_paper",
    "civaffairs.groups.assistance.grant_paper",
    "civaffairs.groups.social_organisations.models",
    "civaffairs.groups.social_organisations.fields",
    "civaffairs.groups.social_organisations.service",
    "civaffairs.groups.social_organisations.figures",
    "civaffairs.groups.social_organisations.demo",
    "civaffairs.groups.social_organisations.reports",
    "civaffairs.groups.donations.models",
    "civaffairs.groups.donations.fields",
    "civaffairs.groups.donations.service",
    "civaffairs.groups.donations.figures",
    "civaffairs.groups.donations.demo",
    "civaffairs.groups.donations.reports",
    "civaffairs.groups.volunteers.models",
    "civaffairs.groups.volunteers.fields",
    "civaffairs.groups.volunteers.service",
    "civaffairs.groups.volunteers.figures",
    "civaffairs.groups.volunteers.demo",
    "civaffairs.groups.volunteers.reports",
]


def _run(code: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_import_linter_contracts_are_kept() -> None:
    pytest.importorskip("importlinter")
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 broken" in output, output
    assert "Contracts: 2 kept" in output, output


def test_qt_free_modules_do_not_load_qt() -> None:
    result = _run(f"""
        import importlib, sys
        for name in {QT_FREE!r}:
            importlib.import_module(name)
        loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')
                        or m.startswith('civaffairs.gui'))
        print(loaded)
        sys.exit(1 if loaded else 0)
    """)
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_runs_without_qt(tmp_path: Path) -> None:
    """The command-line job fills a database without ever importing Qt."""
    result = _run(f"""
        import sys
        from civaffairs.cli import main
        code = main(["demo", "--data-dir", {str(tmp_path)!r}, "--staff", "2", "--days", "1"])
        assert code == 0, code
        loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'civaffairs.gui')))
        print(loaded)
        sys.exit(1 if loaded else 0)
    """, timeout=900)  # the whole demo of every group: about 70 s of CPU alone, more on a busy machine
    assert result.returncode == 0, result.stdout + result.stderr
