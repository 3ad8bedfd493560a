"""Shared fixtures: an isolated database per test (SQLite, and PostgreSQL too when
CIVAFFAIRS_TEST_POSTGRES_URL is set), actors of every role, and isolated Qt settings."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CIVAFFAIRS_HOME", None)
os.environ.pop("CIVAFFAIRS_DATABASE_URL", None)

import pytest

import civaffairs.gui  # noqa: F401,E402 - before any Qt call: civaffairs.gui.pyside_fixes

from civaffairs.accounts.roles import Actor, Role
from civaffairs.core import i18n
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from tests.helpers import drop_postgres_schema, postgres_schema

POSTGRES_URL = os.environ.get("CIVAFFAIRS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """No overview computation outlives its test: one still reading while pytest-qt's teardown
    collects garbage, or while the test's database is disposed, crashed the whole run (exit 139).
    Garbage is collected on the GUI thread only (`civaffairs.gui.collector`), as in the program."""
    collector = None
    if "PySide6.QtWidgets" in sys.modules:  # as the program does: garbage collected on the GUI thread only
        from PySide6.QtWidgets import QApplication

        from civaffairs.gui import collector as gui_collector

        app = QApplication.instance()
        collector = gui_collector.install(app) if app is not None else None
    yield
    overview = sys.modules.get("civaffairs.gui.overview")
    if overview is not None:
        overview.wait_for_computations(cancel=True)
    if collector is not None:
        collector.collect()


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("zh_CN")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend under test."""
    if request.param == "postgresql":
        assert POSTGRES_URL
        url, schema = postgres_schema(POSTGRES_URL)
        database = open_database(data_dir, url)
        yield database
        database.dispose()
        drop_postgres_schema(POSTGRES_URL, schema)
    else:
        database = open_database(data_dir)
        yield database
        database.dispose()


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo's records of every register, made once for the run (it takes most of a minute);
    tests read it or copy it (`tests.helpers.copy_records`), never change it."""
    from civaffairs import demo, groups

    groups.load_all()
    i18n.set_language("zh_CN")
    database = open_database(tmp_path_factory.mktemp("demo_source"))
    demo.fill(database, staff=4, days=2)  # group 1's registers
    demo.fill_groups(database)  # every other package's
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(data_dir: Path) -> Iterator[Database]:
    database = open_database(data_dir)
    yield database
    database.dispose()


@pytest.fixture
def admin() -> Actor:
    return Actor("admin", "管理员", Role.ADMINISTRATOR)


@pytest.fixture
def leader() -> Actor:
    return Actor("leader", "局长", Role.LEADER)


@pytest.fixture
def office_member() -> Actor:
    return Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))


@pytest.fixture
def institutions_member() -> Actor:
    return Actor("institutions", "养老股干事", Role.MEMBER, frozenset({2}))


@pytest.fixture
def viewer() -> Actor:
    return Actor("viewer", "查阅人员", Role.VIEWER)


@pytest.fixture(autouse=True)
def _isolated_qt_settings(tmp_path: Path) -> Iterator[None]:
    """Per-PC preferences go to a temporary folder, never to the developer's own."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # pragma: no cover
        yield
        return
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield
