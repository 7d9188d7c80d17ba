"""The video pane: paints the newest annotated frame, a speed HUD, or what to do next.

Painting is the only per-frame work on the UI thread. ``frame_shown`` tells the
worker the frame was painted, so it converts the next one only then: a slow
screen never queues frames, and the figures always describe the newest one.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QFont, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..zoo.bundled import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from .guard import qt_virtual

EMPTY_TEXT = "Pick a model in the list and a source below, then press Run.\nYou can also drop a video or image here."


class VideoView(QWidget):
    """Shows QImages; emits ``file_dropped`` for a dropped media file."""

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
        self.hud_lines: list[str] = []
        self.message = EMPTY_TEXT
        self.painted_frames = 0
        self._pending = False

    def show_frame(self, image: QImage) -> None:
        self.image = image
        self._pending = True
        self.update()

    def set_hud(self, lines: list[str]) -> None:
        self.hud_lines = lines
        self.update()

    def set_message(self, text: str) -> None:
        """A centred message (empty state, loading, error); cleared by ''."""
        self.message = text
        self.update()

    def clear(self, message: str = EMPTY_TEXT) -> None:
        self.image = None
        self.hud_lines = []
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

    @qt_virtual()
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(24, 26, 30))
        if self.image is not None and not self.image.isNull():
            target = self.image_rect()
            if target.size() == self.image.size():  # pre-scaled by the worker: a plain copy
                painter.drawImage(target.topLeft(), self.image)
            else:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(target, self.image)
        if self.hud_lines and self.image is not None:
            self._paint_hud(painter)
        if self.message:
            self._paint_message(painter)
        painter.end()
        if self._pending:
            self._pending = False
            self.painted_frames += 1
            self.frame_shown.emit(time.perf_counter())

    def _paint_hud(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(9.0, font.pointSizeF()))
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFamily("DejaVu Sans Mono")
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width = max(metrics.horizontalAdvance(line) for line in self.hud_lines) + 20
        height = metrics.height() * len(self.hud_lines) + 12
        area = self.image_rect()
        # Bottom-left: models draw their own labels at the top of boxes.
        box = QRectF(area.left() + 10, area.bottom() - 10 - height, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(QColor(235, 235, 235))
        for i, line in enumerate(self.hud_lines):
            painter.drawText(int(box.left() + 10), int(box.top() + 6 + metrics.ascent() + i * metrics.height()), line)

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
