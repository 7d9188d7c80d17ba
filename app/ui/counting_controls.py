"""Counting in the window: the Track toggle, lines and zones drawn on the video, Reset counts (issue 12).

``CountingControls`` owns the current ``CountingSetup`` (normalised coordinates)
for the current source, stores it per source in QSettings, and hands every
change to the running worker (which applies it at its next result). The
drawing itself happens on the video pane: ``CountEditor`` turns clicks into
points (a line: two clicks; a zone: clicks, a double-click closes it) and
paints the one being drawn; right-click deletes the line or zone under the
mouse. What is counted comes back from the worker inside the shapes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QPointF, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QSizePolicy, QStyle, QToolButton, QWidget

from ..inference.counting import CountingError, CountingSetup, Line, Zone, check_line, check_zone, detector_reason
from ..inference.live_counting import counter_shapes
from ..inference.overlay import Shapes
from .overlay_painter import COUNTER_COLOR

HINTS = {"line": "Click the line's two ends on the video.",
         "zone": "Click the zone's corners on the video; double-click the last one to close it."}
READY = "Right-click a line or zone to delete it."


class CountEditor(QObject):
    """Clicks on the video pane become lines and zones; ``added`` / ``deleted`` say which."""

    added = Signal(object)  # Line or Zone (normalised)
    deleted = Signal(str)  # name
    failed = Signal(str)  # what was wrong with the drawn shape

    def __init__(self) -> None:
        super().__init__()
        self.mode = ""  # "", "line" or "zone"
        self.draft: list[tuple[float, float]] = []
        self.setup = CountingSetup()

    def start(self, mode: str) -> None:
        self.mode, self.draft = mode, []

    def _normalised(self, pos: QPointF, target: QRectF) -> tuple[float, float] | None:
        if target.isEmpty() or not target.contains(pos):
            return None
        return ((pos.x() - target.left()) / target.width(), (pos.y() - target.top()) / target.height())

    def press(self, pos: QPointF, target: QRectF, button: Qt.MouseButton) -> bool:
        """A click on the pane; True when the editor used it."""
        point = self._normalised(pos, target)
        if point is None:
            return False
        if button == Qt.MouseButton.RightButton:
            name = self._hit(point, target)
            if name:
                self.deleted.emit(name)
            return bool(name)
        if not self.mode or button != Qt.MouseButton.LeftButton:
            return False
        self.draft.append(point)
        if self.mode == "line" and len(self.draft) == 2:
            self._finish(Line(self._name("line", self.setup.lines), self.draft[0], self.draft[1]))
        return True

    def double_click(self, pos: QPointF, target: QRectF) -> bool:
        if self.mode != "zone":
            return False
        point = self._normalised(pos, target)
        if point is not None and (not self.draft or point != self.draft[-1]):
            self.draft.append(point)
        self._finish(Zone(self._name("zone", self.setup.zones), tuple(self.draft)))
        return True

    def _finish(self, item: Line | Zone) -> None:
        self.mode, self.draft = "", []
        try:
            check_line(item) if isinstance(item, Line) else check_zone(item)
        except CountingError as exc:
            self.failed.emit(str(exc))
            return
        self.added.emit(item)

    @staticmethod
    def _name(kind: str, existing: tuple) -> str:
        taken = {item.name for item in existing}
        return next(f"{kind} {n}" for n in range(1, len(taken) + 2) if f"{kind} {n}" not in taken)

    def _hit(self, point: tuple[float, float], target: QRectF) -> str:
        """The line within 10 screen pixels of the point, else the zone that contains it."""
        px = QPointF(point[0] * target.width(), point[1] * target.height())
        for line in self.setup.lines:
            a = QPointF(line.start[0] * target.width(), line.start[1] * target.height())
            b = QPointF(line.end[0] * target.width(), line.end[1] * target.height())
            if _distance(px, a, b) <= 10:
                return line.name
        for zone in self.setup.zones:
            polygon = QPolygonF([QPointF(x * target.width(), y * target.height()) for x, y in zone.points])
            if polygon.containsPoint(px, Qt.FillRule.OddEvenFill):
                return zone.name
        return ""

    def merge(self, shapes: Shapes | None) -> Shapes | None:
        """The shapes with this setup's lines and zones (shown at once), counts from the worker by name."""
        if shapes is None or not (self.setup.lines or self.setup.zones):
            return shapes
        texts = {c.name: c.text for c in shapes.counters}
        counters = [replace(c, text=texts.get(c.name, ""))
                    for c in counter_shapes(self.setup, None, shapes.width, shapes.height)]
        return replace(shapes, counters=counters)

    def paint_draft(self, painter: QPainter, target: QRectF) -> None:
        if not self.draft:
            return
        points = [QPointF(target.left() + x * target.width(), target.top() + y * target.height())
                  for x, y in self.draft]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(COUNTER_COLOR, 2, Qt.PenStyle.DashLine))
        painter.drawPolyline(QPolygonF(points))
        painter.setBrush(QColor(COUNTER_COLOR))
        for p in points:
            painter.drawEllipse(p, 4, 4)
        painter.restore()


def _distance(p: QPointF, a: QPointF, b: QPointF) -> float:
    dx, dy = b.x() - a.x(), b.y() - a.y()
    t = max(0.0, min(1.0, ((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / max(1e-9, dx * dx + dy * dy)))
    ex, ey = a.x() + t * dx - p.x(), a.y() + t * dy - p.y()
    return (ex * ex + ey * ey) ** 0.5


def _button(action: QAction) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setAutoRaise(True)
    return button


class CountingControls(QObject):
    """The counting row under the video and the setup it edits; ``changed`` carries each new setup."""

    changed = Signal(object)  # CountingSetup
    reset_requested = Signal()

    def __init__(self, video: Any, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.video = video
        self.editor = CountEditor()
        video.editor = self.editor
        self.source_key = ""
        self.reason = ""
        self.bar = QWidget()
        self.bar.setObjectName("counting-bar")
        style = self.bar.style()
        self.track = QAction(style.standardIcon(QStyle.StandardPixmap.SP_ArrowRight), "Track", self.bar)
        self.track.setCheckable(True)
        self.track.setToolTip("Track objects: IDs and short trails on the video (ByteTrack)")
        self.draw_line = QAction(style.standardIcon(QStyle.StandardPixmap.SP_ToolBarHorizontalExtensionButton),
                                 "Line", self.bar)
        self.draw_line.setToolTip("Draw a counting line: click its two ends on the video")
        self.draw_zone = QAction(style.standardIcon(QStyle.StandardPixmap.SP_TitleBarNormalButton), "Zone", self.bar)
        self.draw_zone.setToolTip("Draw a zone: click its corners, double-click the last one")
        self.clear = QAction(style.standardIcon(QStyle.StandardPixmap.SP_DialogDiscardButton), "Clear", self.bar)
        self.clear.setToolTip("Delete every line and zone of this source")
        self.reset = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Reset Counts", self.bar)
        self.reset.setToolTip("Start every count again from zero")
        self.save = QAction(style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), "Save…", self.bar)
        self.save.setToolTip("Save these lines and zones as YAML")
        self.load = QAction(style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "Load…", self.bar)
        self.load.setToolTip("Load lines and zones from YAML")
        self.hint = QLabel(READY)
        self.hint.setObjectName("counting-hint")
        # A long hint or reason is cut (full text in its tooltip), never widens the panel under the user's mouse.
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hint.setMinimumWidth(0)
        layout = QHBoxLayout(self.bar)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons = {}
        for action in (self.track, self.draw_line, self.draw_zone, self.clear, self.reset, self.save, self.load):
            self.buttons[action.text()] = _button(action)
            layout.addWidget(self.buttons[action.text()])
        for action in (self.save, self.load):  # icons with tooltips: the row must fit a 1024 px window
            self.buttons[action.text()].setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        layout.addWidget(self.hint, 1)
        self.track.toggled.connect(lambda on: self._set(replace(self.setup, track=on)))
        self.draw_line.triggered.connect(lambda: self._start("line"))
        self.draw_zone.triggered.connect(lambda: self._start("zone"))
        self.clear.triggered.connect(lambda: self._set(CountingSetup(track=self.setup.track)))
        self.reset.triggered.connect(self.reset_requested)
        self.save.triggered.connect(self._save_yaml)
        self.load.triggered.connect(self._load_yaml)
        self.editor.added.connect(self._added)
        self.editor.deleted.connect(self._deleted)
        self.editor.failed.connect(lambda text: self.say(f"Not added: {text}"))

    def say(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setToolTip(text)

    @property
    def setup(self) -> CountingSetup:
        return self.editor.setup

    def _set(self, setup: CountingSetup) -> None:
        self.editor.setup = setup
        if self.source_key:
            self.settings.setValue(self.source_key, json.dumps({**setup.to_dict(), "track": setup.track}))
        self.video.update()
        self.changed.emit(setup)

    def _start(self, mode: str) -> None:
        self.editor.start(mode)
        self.say(HINTS[mode])

    def _added(self, item: Line | Zone) -> None:
        self.say(READY)
        if isinstance(item, Line):
            self._set(replace(self.setup, lines=(*self.setup.lines, item)))
        else:
            self._set(replace(self.setup, zones=(*self.setup.zones, item)))

    def _deleted(self, name: str) -> None:
        self._set(replace(self.setup, lines=tuple(x for x in self.setup.lines if x.name != name),
                          zones=tuple(x for x in self.setup.zones if x.name != name)))

    def set_source(self, state: dict[str, str]) -> None:
        """Show the lines and zones stored for this source (a hash of it names the settings key)."""
        where = f"{state.get('kind', '')}:{state.get('location', '')}"
        self.source_key = "counting/" + hashlib.sha1(where.encode()).hexdigest()[:16]
        try:
            data = json.loads(str(self.settings.value(self.source_key, "") or "{}"))
            setup = CountingSetup.from_dict(data, "stored counting", track=bool(data.get("track")))
        except (ValueError, AttributeError):  # CountingError is a ValueError; a hand-edited settings file
            setup = CountingSetup()
        self.editor.setup = setup
        self.track.setChecked(setup.track)
        self.editor.start("")
        self.video.update()
        self.changed.emit(setup)

    def set_reason(self, reason: str) -> None:
        """A model that cannot count: the controls are disabled and the reason shown ('' enables them)."""
        self.reason = reason
        for action in (self.track, self.draw_line, self.draw_zone, self.reset):
            action.setEnabled(not reason)
        self.say(f"Counting is off: {reason}" if reason else READY)

    def _save_yaml(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self.bar, "Save lines and zones", "counting.yaml", "YAML (*.yaml *.yml)")
        if path:
            self.setup.save_yaml(path)
            self.say(f"Saved {path}")

    def _load_yaml(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self.bar, "Load lines and zones", "", "YAML (*.yaml *.yml)")
        if not path:
            return
        try:
            setup = CountingSetup.load_yaml(path)
        except CountingError as exc:
            self.say(f"Not loaded: {exc}")
            return
        self._set(replace(setup, track=self.setup.track))
        self.say(READY)


def install(window: Any) -> CountingControls:
    """Put the counting row under the live panel and wire it to the source and the running worker."""
    controls = CountingControls(window.live.video, window.settings)
    window.live.layout().addWidget(controls.bar)
    window.live.source_changed.connect(lambda: controls.set_source(window.live.source_state()))
    controls.changed.connect(lambda setup: window.worker is not None and window.worker.counting.set_setup(
        setup if not controls.reason else CountingSetup()))
    controls.reset_requested.connect(lambda: window.worker is not None and window.worker.counting.reset())
    controls.set_source(window.live.source_state())
    return controls


def attach(controls: CountingControls, worker: Any, task: Any) -> None:
    """A new run: counting follows the setup, or is off with the reason for a model that is not a detector."""
    controls.set_reason(detector_reason(task))
    worker.counting.set_setup(controls.setup if not controls.reason else CountingSetup())
