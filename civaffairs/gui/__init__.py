
from civaffairs.gui.pyside_fixes import make_none_immortal

make_none_immortal()  # before any Qt call: see pyside_fixes
