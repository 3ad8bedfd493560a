"""The program's style: the platform's own, with the sort arrow of list headers drawn by us.

Qt hands a header's sort indicator to the style as SortDown for an ascending order, and styles
draw it differently (Fusion draws an arrow pointing down for ascending, Windows' own theme does
not): the arrow then contradicts the rows.  We draw it ourselves, the way office programs do:
▲ when the column ascends (smallest first), ▼ when it descends (newest first)."""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPolygonF
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QStyleOptionHeader, QWidget


def ascending(option: QStyleOption) -> bool | None:
    """True for an ascending column, False for a descending one, None when not sorted."""
    if not isinstance(option, QStyleOptionHeader):
        return None
    indicator = option.sortIndicator
    if indicator == QStyleOptionHeader.SortIndicator.SortDown:  # Qt's word for ascending
        return True
    if indicator == QStyleOptionHeader.SortIndicator.SortUp:
        return False
    return None


class CivaffairsStyle(QProxyStyle):
    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,  # noqa: N802
                      widget: QWidget | None = None) -> None:
        if element == QStyle.PrimitiveElement.PE_IndicatorHeaderArrow:
            up = ascending(option)
            if up is None:
                return
            r = option.rect
            size = min(r.width(), r.height(), 9)
            cx, cy = r.center().x() + 0.5, r.center().y() + 0.5
            half = size / 2
            if up:
                points = [QPointF(cx - half, cy + half / 2), QPointF(cx + half, cy + half / 2), QPointF(cx, cy - half / 2)]
            else:
                points = [QPointF(cx - half, cy - half / 2), QPointF(cx + half, cy - half / 2), QPointF(cx, cy + half / 2)]
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(option.palette.color(option.palette.ColorRole.WindowText)))
            painter.drawPolygon(QPolygonF(points))
            painter.restore()
            return
        super().drawPrimitive(element, option, painter, widget)
