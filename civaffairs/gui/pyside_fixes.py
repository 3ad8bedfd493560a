"""Work-arounds for faults of the Qt bindings, applied before the first Qt call.

PySide6 6.12 on Python 3.11 gives back `None` from every C++ method without a result (`show()`,
`setEnabled()`, `processEvents()`, …) without counting the reference it hands over: each such
call made from Python takes one off `None`'s reference count.  A clerk's day of work makes more
such calls than `None` has references (about 27,000 once the program is loaded), and then Python
aborts with "none_dealloc: deallocating None", whatever the window was doing.  Python 3.12 made
`None` immortal (PEP 683) and is not affected; on 3.11 we do the same by hand: `None`'s count is
raised so far that no run can bring it down to zero.  `tests/test_gui_pyside_fixes.py` proves the
fault and the cure, and says when a PySide6 release no longer needs it."""
from __future__ import annotations

import ctypes
import platform
import sys

IMMORTAL = 1 << 60  # ~10^18 calls: centuries of work


def make_none_immortal() -> bool:
    """Whether `None`'s reference count was raised (CPython before 3.12 only)."""
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt: the first field of every object
    if refcount.value < IMMORTAL // 2:
        refcount.value += IMMORTAL
    return True
