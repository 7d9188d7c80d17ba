"""Lines and zones drawn and edited with the mouse on the video pane (issue 12).

Drawing: a line is two clicks, a zone is clicks and a double-click on the last
corner. Editing, when not drawing: drag an end or a corner to move it, drag a
line or a zone's inside to move it whole, double-click a zone's edge to add a
corner there and a corner to delete it; right-click deletes the line or zone.
The pane shows the shape under the mouse (and the one last clicked) with its
handles, and the cursor says what a press would take. The geometry rules live
in app/inference/counting/edit.py; a refused edit says why and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from model_picker.inference.counting.analyzers import CountingError, CountingSetup, Line, Point, Zone
from model_picker.inference.counting.edit import (
    HANDLE_PX,
    Grab,
    dragged,
    edge_at,
    edited,
    grab_at,
    item_named,
    points_of,
    with_vertex,
    without_vertex,
)
from model_picker.inference.counting.live import counter_shapes
from model_picker.inference.media.overlay import Shapes
from model_picker.ui.live.overlay_painter import COUNTER_COLOR

DRAG_PX = 3.0  # a press that moves less than this is a click (it selects), not a drag


class CountEditor(QObject):
    """Presses on the video pane become new, moved and deleted lines and zones."""

    added = Signal(object)  # Line or Zone (normalised)
    edited = Signal(object)  # the Line or Zone that replaces the one of its name
    deleted = Signal(str)  # name
    failed = Signal(str)  # one line: what was refused and why

    def __init__(self) -> None:
        super().__init__()
        self.mode = ""  # "", "line" or "zone"
        self.draft: list[Point] = []
        self.setup = CountingSetup()
        self.hover: Grab | None = None  # what a press would take now
        self.selected = ""  # the line or zone last clicked: its handles stay shown
        self.drag: Grab | None = None
        self.preview: Line | Zone | None = None  # the dragged shape, shown until the release decides
        self._press: tuple[Point, QPointF] | None = None  # where the drag started (normalised, screen)

    def start(self, mode: str) -> None:
        self.mode, self.draft = mode, []
        self.hover = self.drag = self.preview = None
        self.selected = ""

    @staticmethod
    def _normalised(pos: QPointF, target: QRectF, clamp: bool = False) -> Point | None:
        if target.isEmpty() or (not clamp and not target.contains(pos)):
            return None
        x, y = (pos.x() - target.left()) / target.width(), (pos.y() - target.top()) / target.height()
        return (min(1.0, max(0.0, x)), min(1.0, max(0.0, y))) if clamp else (x, y)

    @staticmethod
    def _scale(target: QRectF) -> tuple[float, float]:
        return target.width(), target.height()

    # ----- mouse ------------------------------------------------------------------------
    def press(self, pos: QPointF, target: QRectF, button: Qt.MouseButton) -> bool:
        """A press on the pane; True when the editor used it."""
        point = self._normalised(pos, target)
        if point is None:
            return False
        if button == Qt.MouseButton.RightButton:
            grab = grab_at(self.setup, point, self._scale(target))
            if grab:
                self.selected = ""
                self.deleted.emit(grab.name)
            return bool(grab)
        if button != Qt.MouseButton.LeftButton:
            return False
        if self.mode:
            return self._draw(point)
        grab = grab_at(self.setup, point, self._scale(target))
        changed = self.selected != (grab.name if grab else "")
        self.selected = grab.name if grab else ""
        if grab is not None:
            self.drag, self._press = grab, (point, QPointF(pos))
        return grab is not None or changed

    def _draw(self, point: Point) -> bool:
        self.draft.append(point)
        if self.mode == "line" and len(self.draft) == 2:
            self._finish(Line(self._name("line", self.setup.lines), self.draft[0], self.draft[1]))
        return True

    def move(self, pos: QPointF, target: QRectF) -> bool:
        """The mouse moved (pressed or not); True when the pane must be repainted."""
        if self.drag is not None and self._press is not None:
            item = item_named(self.setup, self.drag.name)
            start, screen = self._press
            if item is None or (self.preview is None and (pos - screen).manhattanLength() < DRAG_PX):
                return False
            self.preview = dragged(item, self.drag, start, self._normalised(pos, target, clamp=True) or start)
            return True
        point = None if self.mode else self._normalised(pos, target)
        hover = grab_at(self.setup, point, self._scale(target)) if point is not None else None
        changed, self.hover = hover != self.hover, hover
        return changed

    def release(self) -> bool:
        """The end of a drag: the moved shape replaces the old one, or the refusal is said and nothing changes."""
        preview, grab = self.preview, self.drag
        self.drag = self.preview = self._press = None
        if preview is None or grab is None:
            return grab is not None
        what = "end" if isinstance(preview, Line) else "corner"
        self._submit(lambda: preview, f"Not moved: {preview.name}'s {what}" if grab.part == "vertex" else
                     f"Not moved: {preview.name}")
        return True

    def double_click(self, pos: QPointF, target: QRectF) -> bool:
        if self.mode == "zone":
            point = self._normalised(pos, target)
            if point is not None and (not self.draft or point != self.draft[-1]):
                self.draft.append(point)
            self._finish(Zone(self._name("zone", self.setup.zones), tuple(self.draft)))
            return True
        point = None if self.mode else self._normalised(pos, target)
        grab = grab_at(self.setup, point, self._scale(target)) if point is not None else None
        zone = item_named(self.setup, grab.name) if grab is not None else None
        if not isinstance(zone, Zone) or point is None or grab is None:
            return False
        if grab.part == "vertex":
            self._submit(lambda: without_vertex(zone, grab.index), f"Corner not deleted from {zone.name}")
            return True
        edge = edge_at(zone, point, self._scale(target))
        if edge >= 0:
            self._submit(lambda: with_vertex(zone, edge, point), f"Corner not added to {zone.name}")
        return edge >= 0

    def _submit(self, change: Callable[[], Line | Zone], refused: str) -> None:
        """Emit the changed shape, or one line saying what was refused and why (the old shape stays)."""
        try:
            item = change()
            self.edited.emit(edited(item))
        except CountingError as exc:  # counting.py's message: "<name>: <the rule it breaks>"
            reason = str(exc).split(": ", 1)[-1]
            self.failed.emit(f"{refused}: {reason}; it stays as it was")

    def _finish(self, item: Line | Zone) -> None:
        self.mode, self.draft = "", []
        try:
            self.added.emit(edited(item))
        except CountingError as exc:
            self.failed.emit(f"Not added: {exc}")

    def cursor(self) -> Qt.CursorShape | None:
        """What the pointer should look like: a handle moves a point, a body moves the shape (None: the default)."""
        if self.mode:
            return Qt.CursorShape.CrossCursor
        grab = self.drag or self.hover
        if grab is None:
            return None
        if grab.part == "vertex":
            return Qt.CursorShape.SizeAllCursor
        return Qt.CursorShape.ClosedHandCursor if self.drag else Qt.CursorShape.PointingHandCursor

    @staticmethod
    def _name(kind: str, existing: tuple) -> str:
        taken = {item.name for item in existing}
        return next(f"{kind} {n}" for n in range(1, len(taken) + 2) if f"{kind} {n}" not in taken)

    # ----- painting ---------------------------------------------------------------------
    def merge(self, shapes: Shapes | None) -> Shapes | None:
        """The shapes with this setup's lines and zones (shown at once), counts from the worker by name."""
        if shapes is None or not (self.setup.lines or self.setup.zones):
            return shapes
        texts = {c.name: c.text for c in shapes.counters}
        setup = self.setup
        if self.preview is not None:  # the shape being dragged follows the mouse
            setup = replace(setup, lines=tuple(self.preview if x.name == self.preview.name else x
                                               for x in setup.lines),
                            zones=tuple(self.preview if x.name == self.preview.name else x for x in setup.zones))
        counters = [replace(c, text=texts.get(c.name, ""))
                    for c in counter_shapes(setup, None, shapes.width, shapes.height)]
        return replace(shapes, counters=counters)

    def paint_draft(self, painter: QPainter, target: QRectF) -> None:
        """The shape being drawn (dashed), and the handles of the shape under the mouse or selected."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.draft:
            points = [self._screen(p, target) for p in self.draft]
            painter.setPen(QPen(COUNTER_COLOR, 2, Qt.PenStyle.DashLine))
            painter.drawPolyline(QPolygonF(points))
            painter.setBrush(QColor(COUNTER_COLOR))
            for p in points:
                painter.drawEllipse(p, 4, 4)
        for name in dict.fromkeys(n for n in (self.selected, self.hover.name if self.hover else "") if n):
            item = self.preview if self.preview is not None and self.preview.name == name else \
                item_named(self.setup, name)
            if item is not None:
                self._paint_handles(painter, item, target)
        painter.restore()

    def _paint_handles(self, painter: QPainter, item: Line | Zone, target: QRectF) -> None:
        hot = self.drag or self.hover
        for i, p in enumerate(points_of(item)):
            active = hot is not None and hot.name == item.name and hot.part == "vertex" and hot.index == i
            painter.setPen(QPen(QColor(0, 0, 0), 1.5))
            painter.setBrush(QColor(255, 255, 255) if active else QColor(COUNTER_COLOR))
            radius = HANDLE_PX * (0.8 if active else 0.6)
            centre = self._screen(p, target)
            painter.drawRect(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius))

    @staticmethod
    def _screen(p: Point, target: QRectF) -> QPointF:
        return QPointF(target.left() + p[0] * target.width(), target.top() + p[1] * target.height())
