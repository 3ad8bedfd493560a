"""Start-up: from a fresh process to the painted log-in, and to the painted main window (eight tabs, demo data), against the
floor of a bare PySide6 window with eight tabs of empty table views, both as whole processes
measured in the same run.

    python bench/bench_startup.py [--repeat 7]"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FLOOR = """
import time, sys
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QTableView
app = QApplication([])
w = QMainWindow(); tabs = QTabWidget()
for i in range(8):
    tabs.addTab(QTableView(), f"tab {i}")
w.setCentralWidget(tabs); w.resize(1280, 800); w.show(); w.repaint(); app.processEvents()
"""

OURS = """
import sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
app = QApplication([])
from civaffairs.gui.app import setup_application
from civaffairs.db.bootstrap import open_database
from civaffairs.accounts.roles import Actor, Role
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences
from civaffairs.gui.main_window import MainWindow
setup_application(app, "zh_CN")
db = open_database(Path(sys.argv[1]))
actor = Actor("admin", "管理员", Role.ADMINISTRATOR)
w = MainWindow(AppContext(db, Operations(db, actor), actor, Path(sys.argv[1]), Preferences(), "天水市麦积区民政局"))
w.resize(1280, 800); w.show(); w.repaint(); app.processEvents()
"""


# Start to the painted log-in, on a PC that has logged in before (the log-in is shown before the
# database is opened, which goes on in a thread): the process ends as soon as it is painted.
LOGIN = """
import argparse, os, sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
from civaffairs.gui.app import start
from civaffairs.gui.login import LoginDialog
launch = start(argparse.Namespace(lang=None, data_dir=sys.argv[1], database_url=None), wait=False)
app = QApplication.instance()
login = next(w for w in app.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible())
login.repaint(); app.processEvents()
sys.stdout.flush(); os._exit(0)
"""

REMEMBER_USER = """
import sys
from PySide6.QtCore import QSettings
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from civaffairs.gui.settings import Preferences
p = Preferences(); p.last_username = "admin"; p.office_name_seen = "天水市麦积区民政局"; p.sync()
"""


def timed(code: str, *args: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="civaffairs-start-"))
    subprocess.run([sys.executable, "-m", "civaffairs", "demo", "--data-dir", str(work / "data"), "--days", "10"],
                   check=True, cwd=ROOT, capture_output=True)
    timed(REMEMBER_USER, str(work / "login-settings"))
    ours, login, floor = [], [], []
    for _ in range(args.repeat):  # interleaved, so that noise hits all alike
        floor.append(timed(FLOOR))
        login.append(timed(LOGIN, str(work / "data"), str(work / "login-settings")))
        ours.append(timed(OURS, str(work / "data"), str(work / "settings")))
    o, lo, f = statistics.median(ours), statistics.median(login), statistics.median(floor)
    print(f"start to painted log-in        {lo * 1000:7.0f} ms   floor {f * 1000:6.0f} ms   ratio {lo / f:4.1f}×  "
          f"({'within' if lo / f <= 2 else 'OVER'} the 2× target)")
    print(f"start to painted main window   {o * 1000:7.0f} ms   floor {f * 1000:6.0f} ms   ratio {o / f:4.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
