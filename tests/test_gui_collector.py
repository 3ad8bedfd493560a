"""Garbage is collected on the GUI thread, never in a worker (where destroying a Qt object crashes)."""
from __future__ import annotations

import gc
import threading
import weakref

from pytestqt.qtbot import QtBot

from civaffairs.gui import collector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_cycle_made_in_a_worker_is_collected_on_the_gui_thread(qtbot: QtBot, qapp) -> None:  # type: ignore[no-untyped-def]
    installed = collector.install(qapp)
    assert collector.install(qapp) is installed and not gc.isenabled()
    freed_in: list[str] = []
    made = threading.Event()

    def worker() -> None:
        cycle = _Cycle()
        weakref.finalize(cycle, lambda: freed_in.append(threading.current_thread().name))
        del cycle
        for _ in range(5_000):  # garbage that would start the automatic collector here
            _Cycle()
        made.set()

    thread = threading.Thread(target=worker, name="worker")
    thread.start()
    thread.join()
    assert made.is_set() and freed_in == []  # the worker collected nothing
    qtbot.waitUntil(lambda: freed_in != [], timeout=5000)
    assert freed_in == [threading.main_thread().name]
