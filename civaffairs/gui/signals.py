"""Emitting our own signals from Python.

PySide6 6.12.0's `SignalInstance.emit()` returns True without owning a reference to it: every emit
from Python takes one reference from `True`, and after some thousands of emits (a day of clicking)
Python aborts with "bool_dealloc".  Every emit of the program goes through `emit()`, which gives the
reference back when this PySide6 has the fault (found out once, by measuring, so a fixed PySide6
costs nothing)."""
from __future__ import annotations

import ctypes
import sys
from typing import Any

_broken: bool | None = None


def emit(signal: Any, *args: Any) -> None:
    global _broken
    if _broken is None:
        # No bool may be held between the two counts: only ints.
        before = sys.getrefcount(True)
        signal.emit(*args)
        lost = before - sys.getrefcount(True)
        _broken = lost > 0
        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
        return
    result = signal.emit(*args)
    if _broken and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
