"""Start-up: from a fresh process to the painted main window (eight tabs, demo data), against the
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
    ours, floor = [], []
    for _ in range(args.repeat):  # interleaved, so that noise hits both alike
        floor.append(timed(FLOOR))
        ours.append(timed(OURS, str(work / "data"), str(work / "settings")))
    o, f = statistics.median(ours), statistics.median(floor)
    print(f"start to painted main window   {o * 1000:7.0f} ms   floor {f * 1000:6.0f} ms   ratio {o / f:4.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
