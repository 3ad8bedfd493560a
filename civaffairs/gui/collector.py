"""Python's cyclic garbage collector runs in whichever thread happens to allocate.  When that is a
worker thread (a printout or an import in the background) and the garbage holds a Qt object, the
object is destroyed outside the GUI thread and the program crashes (seen twice in CI as a
segmentation fault "Garbage-collecting" in a worker).  So the automatic collector is switched off
and the GUI thread collects instead, on a timer, whenever the automatic collector would have."""
from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> int:
        """The generation the automatic collector would collect now, if any (0 found: nothing)."""
        (t0, t1, t2), (c0, c1, c2) = self._thresholds, gc.get_count()
        if c0 <= t0:
            return 0
        return gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)


def install(app: QCoreApplication) -> GuiThreadCollector:
    """Once per application: later calls return the same collector."""
    found = app.findChild(GuiThreadCollector)
    return found if found is not None else GuiThreadCollector(app)
