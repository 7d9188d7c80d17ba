"""The video pane: the newest frame, its overlay drawn at screen resolution, the HUD, or what to do next.

Painting is the only per-frame work on the UI thread. ``frame_shown`` tells the
worker the frame was painted, so it converts the next one only then: a slow
screen never queues frames, and the figures always describe the newest one.
The worker sends the plain frame (scaled to the pane) and the result's shapes;
the overlay is drawn here, in screen points, so labels read on any photo.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QRegion,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from model_picker.inference.media.overlay import Shapes
from model_picker.ui.live.hud import DEFAULT_CORNER, HudInfo
from model_picker.ui.live.overlay_painter import (
    Corners,
    OverlayPainter,
    label_font,
    paint_panel,
    panel_image,
    panel_size,
)
from model_picker.ui.shell.guard import qt_virtual
from model_picker.zoo.bundled import IMAGE_SUFFIXES, VIDEO_SUFFIXES

EMPTY_TEXT = "Pick a model in the list and a source below, then press Run.\nYou can also drop a video or image here."
HUD_POINTS = 9.0
PRESENTATION_POINTS = 20.0
BACKGROUND = QColor(24, 26, 30)


class VideoView(QWidget):
    """Shows QImages with their overlay; emits ``file_dropped`` for a dropped media file."""

    frame_shown = Signal(float)  # perf_counter() when the frame was painted
    file_dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("video")
        self.setAcceptDrops(True)
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.image: QImage | None = None
        self.shapes: Shapes | None = None
        self.hud: HudInfo | None = None
        self.hud_visible = True
        self.hud_corner = DEFAULT_CORNER
        self.hud_rect = QRectF()
        self.presentation = False
        self.recording = False
        self.recording_since: float | None = None  # perf_counter() of the first frame shown while recording
        self.last_frame_time = 0.0
        self.rec_rect = QRectF()
        self.message = EMPTY_TEXT
        self.painted_frames = 0
        self.overlay = OverlayPainter()
        self.presented_counts: list[str] = []
        self.editor: Any = None  # ui.counting.editor.CountEditor: lines and zones drawn and edited with the mouse
        self.setMouseTracking(True)  # the editor shows handles and the cursor under a hovering mouse
        self._pending = False
        self._hud_plate: tuple[tuple, QImage | None] | None = None  # (what it says, the plate drawn)
        self._rec_timer = QTimer(self)  # the elapsed time ticks even when frames are rare (a photo)
        self._rec_timer.setInterval(500)
        self._rec_timer.timeout.connect(self.update)

    # ----- what to show -----------------------------------------------------------------
    def show_frame(self, image: QImage, shapes: Shapes | None = None) -> None:
        self.image = image
        self.shapes = shapes
        self.last_frame_time = time.perf_counter()
        if self.recording and self.recording_since is None:
            self.recording_since = self.last_frame_time
        self._pending = True
        self.update()

    def set_hud(self, info: HudInfo | None) -> None:
        self.hud = info
        self.update()

    @property
    def hud_lines(self) -> list[str]:
        """What the HUD says now (empty when hidden or before the first figures)."""
        if self.hud is None or not self.hud_visible:
            return []
        return self.hud.lines(self.presentation)

    def set_hud_visible(self, visible: bool) -> None:
        self.hud_visible = visible
        self.update()

    def set_hud_corner(self, corner: str) -> None:
        self.hud_corner = corner
        self.update()

    def set_presentation(self, on: bool) -> None:
        self.presentation = on
        self.update()

    def set_recording(self, on: bool) -> None:
        """REC and the elapsed time show while frames are being recorded (from the first one).

        Armed without a run, or paused, nothing is written, so nothing says REC.
        """
        self.recording = on
        self.recording_since = None
        (self._rec_timer.start if on else self._rec_timer.stop)()
        self.update()

    def set_message(self, text: str) -> None:
        """A centred message (empty state, loading, error); cleared by ''."""
        self.message = text
        self.update()

    def clear(self, message: str = EMPTY_TEXT) -> None:
        self.image = None
        self.shapes = None
        self.hud = None
        self.recording_since = None
        self.message = message
        self.update()

    def display_size(self) -> tuple[int, int]:
        """The pixels available for a frame (device pixels), for workers to scale to."""
        ratio = self.devicePixelRatioF()
        return int(self.width() * ratio), int(self.height() * ratio)

    def image_rect(self) -> QRect:
        if self.image is None or self.image.isNull():
            return QRect()
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRect((self.width() - size.width()) // 2, (self.height() - size.height()) // 2,
                     size.width(), size.height())

    # ----- painting ---------------------------------------------------------------------
    @qt_virtual()
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        except Exception as exc:  # never let a drawing bug escape into Qt's C++
            self.message = f"Cannot draw this result: {type(exc).__name__}: {exc}"
        finally:
            painter.end()
        if self._pending:
            self._pending = False
            self.painted_frames += 1
            self.frame_shown.emit(time.perf_counter())

    def _paint(self, painter: QPainter) -> None:
        self.hud_rect = QRectF()
        self.rec_rect = QRectF()
        if self.image is None or self.image.isNull():
            painter.fillRect(self.rect(), BACKGROUND)
        else:
            target = self.image_rect()
            for bar in QRegion(self.rect()).subtracted(QRegion(target)):  # the letterbox: the frame covers the rest
                painter.fillRect(bar, BACKGROUND)
            if target.size() == self.image.size():  # pre-scaled by the worker: a plain copy
                painter.drawImage(target.topLeft(), self.image)
            else:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(target, self.image)
            view = QRectF(self.rect())
            corners = Corners(view)
            hud = self._hud_panel(corners)
            obstacles = [hud[0]] if hud else []
            rec = self._rec_panel(painter)
            if rec is not None:
                obstacles.append(rec[0])
            counts = self._counts_panel(corners) if self.presentation and self.shapes is not None else None
            if counts is not None:
                obstacles.append(counts[0])
            shapes = self.editor.merge(self.shapes) if self.editor is not None else self.shapes
            if shapes is not None:
                self.overlay.paint(painter, shapes, QRectF(target), view, corners,
                                   scale_text=2.0 if self.presentation else 1.0, obstacles=obstacles)
            if self.editor is not None:
                self.editor.paint_draft(painter, QRectF(target))
            if counts is not None:
                paint_panel(painter, *counts)
            if hud:
                self.hud_rect = hud[0]
                painter.drawImage(hud[0].topLeft(), hud[1])
            if rec is not None:
                self.rec_rect = rec[0]
                self._paint_rec(painter, *rec)
        if self.message:
            self._paint_message(painter)

    def _hud_panel(self, corners: Corners) -> tuple[QRectF, QImage] | None:
        """Where the HUD goes and its plate, drawn once per change of its text (4 a second), not per frame.

        Every frame painted holds the GIL the model's threads need; one drawImage is the least it can.
        """
        if self.hud is None or not self.hud_visible:
            return None
        key = (self.hud, self.presentation, self.devicePixelRatioF(), self.font())
        if self._hud_plate is None or self._hud_plate[0] != key:
            font = label_font(self.font(), PRESENTATION_POINTS if self.presentation else HUD_POINTS,
                              bold=self.presentation)
            if not self.presentation:
                font.setFamily("DejaVu Sans Mono")
            lines = [(line, None) for line in self.hud_lines]
            self._hud_plate = (key, panel_image(lines, font, self.devicePixelRatioF()) if lines else None)
        if self._hud_plate[1] is None:
            return None
        plate = self._hud_plate[1]
        size = plate.deviceIndependentSize()
        return corners.place(corners.claim(self.hud_corner), size.width(), size.height()), plate

    def _counts_panel(self, corners: Corners) -> tuple[QRectF, list, QFont]:
        """Presentation mode: how many of each class, largest first ('No detections' says the model ran)."""
        assert self.shapes is not None
        counts = sorted(self.shapes.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        lines = [(f"{label}: {n}", None) for label, n in counts[:8]] or [("No detections", None)]
        lines = [(f"{c.name}: {c.text}", None) for c in self.shapes.counters if c.text] + lines
        self.presented_counts = [text for text, _c in lines]  # what the panel says (tests read the screen state)
        font = label_font(self.font(), PRESENTATION_POINTS * 0.8, bold=True)
        return corners.place(corners.claim("bottom-right"), *panel_size(lines, font)), lines, font

    def _rec_panel(self, painter: QPainter) -> tuple[QRectF, str, QFont] | None:
        if not self.recording or self.recording_since is None or time.perf_counter() - self.last_frame_time > 1.5:
            return None
        elapsed = int(time.perf_counter() - self.recording_since)
        text = f"REC {elapsed // 60:02d}:{elapsed % 60:02d}"
        font = label_font(self.font(), PRESENTATION_POINTS if self.presentation else 11.0, bold=True)
        width, height = panel_size([("●  " + text, None)], font)
        return QRectF((self.width() - width) / 2, 8, width, height), text, font

    @staticmethod
    def _paint_rec(painter: QPainter, rect: QRectF, text: str, font: QFont) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(rect, 6, 6)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        radius = metrics.ascent() * 0.32
        centre = QPointF(rect.left() + metrics.height() * 0.4 + radius, rect.center().y())
        painter.setBrush(QColor(230, 30, 30))
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(QPointF(centre.x() + radius * 2.2, rect.center().y() + (metrics.ascent() -
                                                                                   metrics.descent()) / 2), text)

    def _paint_message(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        painter.setFont(font)
        rect = self.rect().adjusted(30, 30, -30, -30)
        if self.image is not None:
            bound = painter.fontMetrics().boundingRect(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                                                       self.message).adjusted(-16, -10, 16, 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 170))
            painter.drawRoundedRect(bound, 8, 8)
        painter.setPen(QColor(210, 212, 216))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)

    # ----- counting lines and zones (ui.counting.editor.CountEditor) ---------------------------
    def _edited(self, used: bool) -> bool:
        """After the editor saw an event: repaint if it asked, and show the cursor it wants."""
        if used:
            self.update()
        shape = self.editor.cursor() if self.editor is not None else None
        if shape is None:
            self.unsetCursor()
        elif self.cursor().shape() != shape:
            self.setCursor(shape)
        return used

    @qt_virtual()
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.editor is not None and self._edited(
                self.editor.press(event.position(), QRectF(self.image_rect()), event.button())):
            event.accept()
        else:
            super().mousePressEvent(event)

    @qt_virtual()
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.editor is not None:
            self._edited(self.editor.move(event.position(), QRectF(self.image_rect())))
        super().mouseMoveEvent(event)

    @qt_virtual()
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.editor is not None and event.button() == Qt.MouseButton.LeftButton and self._edited(
                self.editor.release()):
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    @qt_virtual()
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.editor is not None and self._edited(
                self.editor.double_click(event.position(), QRectF(self.image_rect()))):
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)

    @qt_virtual()
    def leaveEvent(self, event: QEvent) -> None:
        if self.editor is not None and self.editor.drag is None and self.editor.hover is not None:
            self.editor.hover = None
            self._edited(True)
        super().leaveEvent(event)

    # ----- drops ------------------------------------------------------------------------
    @staticmethod
    def _media_path(event: QDragEnterEvent | QDropEvent) -> str | None:
        urls = event.mimeData().urls()
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        path = urls[0].toLocalFile()
        suffix = Path(path).suffix.lower()
        return path if suffix in VIDEO_SUFFIXES + IMAGE_SUFFIXES or Path(path).is_dir() else None

    @qt_virtual()
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._media_path(event):
            event.acceptProposedAction()

    @qt_virtual()
    def dropEvent(self, event: QDropEvent) -> None:
        path = self._media_path(event)
        if path:
            event.acceptProposedAction()
            self.file_dropped.emit(path)
