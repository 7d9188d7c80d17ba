"""Paints ``overlay.Shapes`` with QPainter over a frame drawn into ``target``, at the painter's resolution.

Labels are sized in points, so they read the same on a 2377x1819 photo and a
320x240 video; they are kept inside the view, never overlap one another, and sit
on a plate of their class colour with black or white text, whichever contrasts.
The same function paints the video pane, snapshots and recordings, so what is
saved is what was shown. Panels (classification list, mask legend, HUD) take
corners through ``Corners`` so none covers another.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPolygonF

from model_picker.inference.media.overlay import CountShape, Mask, Shapes
from model_picker.ui.live.qimages import bgr_of, to_qimage

LABEL_POINTS = 10.0  # label text size at font scale 1 (points at 96 dpi on the output)
PANEL_BACKGROUND = QColor(0, 0, 0, 165)
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")


def contrast(color: tuple[int, int, int]) -> QColor:
    r, g, b = color
    return QColor(0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else QColor(255, 255, 255)


def label_font(base: QFont, points: float, bold: bool = True) -> QFont:
    font = QFont(base)
    font.setPixelSize(max(8, round(points * 96 / 72)))  # pixels, so offscreen images and screens agree
    font.setBold(bold)
    return font


class Corners:
    """Hands out the view's corners: the first claim of a corner wins; later ones get the next free one."""

    def __init__(self, area: QRectF, margin: float = 8.0) -> None:
        self.area = area.adjusted(margin, margin, -margin, -margin)
        self.taken: list[str] = []

    def claim(self, preferred: str) -> str:
        order = [preferred] + [c for c in CORNERS if c != preferred]
        corner = next((c for c in order if c not in self.taken), preferred)
        self.taken.append(corner)
        return corner

    def place(self, corner: str, width: float, height: float) -> QRectF:
        left = self.area.left() if corner.endswith("left") else self.area.right() - width
        top = self.area.top() if corner.startswith("top") else self.area.bottom() - height
        return QRectF(left, top, width, height)


def paint_panel(painter: QPainter, rect: QRectF, lines: list[tuple[str, QColor | None]], font: QFont,
                background: QColor = PANEL_BACKGROUND) -> None:
    """A rounded plate with lines of text; a colour before a line draws a swatch (legends)."""
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    painter.drawRoundedRect(rect, 6, 6)
    pad = metrics.height() * 0.4
    y = rect.top() + pad
    for text, swatch in lines:
        x = rect.left() + pad
        if swatch is not None:
            side = metrics.ascent() * 0.9
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(swatch)
            painter.drawRect(QRectF(x, y + (metrics.height() - side) / 2, side, side))
            x += side + pad * 0.8
        painter.setPen(QColor(240, 240, 240))
        painter.drawText(QPointF(x, y + metrics.ascent()), text)
        y += metrics.height()


def panel_size(lines: list[tuple[str, QColor | None]], font: QFont) -> tuple[float, float]:
    metrics = QFontMetricsF(font)
    pad = metrics.height() * 0.4
    swatch = metrics.ascent() * 0.9 + pad * 0.8 if any(c is not None for _t, c in lines) else 0.0
    width = max((metrics.horizontalAdvance(t) for t, _c in lines), default=0.0) + swatch + 2 * pad
    return width, metrics.height() * len(lines) + 2 * pad


def panel_image(lines: list[tuple[str, QColor | None]], font: QFont, ratio: float = 1.0) -> QImage:
    """A panel drawn once into its own transparent image (``ratio``: the screen's device pixel ratio)."""
    width, height = panel_size(lines, font)
    image = QImage(max(1, round(width * ratio)), max(1, round(height * ratio)),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_panel(painter, QRectF(0, 0, width, height), lines, font)
    painter.end()
    return image


def round_pen(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


COUNTER_COLOR = QColor(255, 200, 0)  # counting lines and zones: one colour no class uses for boxes


def paint_counters(painter: QPainter, counters: list[CountShape], target: QRectF, sx: float, sy: float,
                   font: QFont, width: float) -> None:
    """Counting lines (with an arrow towards their "in" side) and zones, each with its name and counts."""
    painter.save()
    metrics = QFontMetricsF(font)
    for shape in counters:
        points = [QPointF(target.left() + x * sx, target.top() + y * sy) for x, y in shape.points]
        painter.setPen(round_pen(COUNTER_COLOR, width + 1))
        if shape.kind == "line":
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawLine(points[0], points[1])
            middle = (points[0] + points[1]) / 2
            dx, dy = points[1].x() - points[0].x(), points[1].y() - points[0].y()
            length = max(1.0, (dx * dx + dy * dy) ** 0.5)
            unit = QPointF(-dy / length, dx / length)  # towards the right-hand side: "in"
            tip, back = middle + unit * metrics.height() * 1.2, QPointF(dx / length, dy / length) * 5
            painter.drawLine(middle, tip)
            painter.drawLine(tip, tip - unit * 6 + back)
            painter.drawLine(tip, tip - unit * 6 - back)
            rect = QRectF(0, 0, metrics.horizontalAdvance(f"{shape.name}: {shape.text}") + 8, metrics.height() + 4)
            anchor = middle - unit * (abs(unit.x()) * rect.width() / 2 + abs(unit.y()) * rect.height() / 2 + 4)
        else:
            painter.setBrush(QColor(255, 200, 0, 45))
            painter.drawPolygon(QPolygonF(points))
            anchor = QPointF(sum(p.x() for p in points) / len(points), sum(p.y() for p in points) / len(points))
        text = f"{shape.name}: {shape.text}" if shape.text else shape.name
        rect = QRectF(0, 0, metrics.horizontalAdvance(text) + 8, metrics.height() + 4)
        rect.moveCenter(anchor)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 180))
        painter.drawRoundedRect(rect, 4, 4)
        painter.setFont(font)
        painter.setPen(COUNTER_COLOR)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


class OverlayPainter:
    """Stateless but for a cached mask image (the class map changes only with the result)."""

    def __init__(self) -> None:
        self._mask_key: tuple[int, int] | None = None
        self._mask_image: QImage | None = None
        self.label_rects: list[QRectF] = []  # where the last paint put labels (tests, and no overlap)
        self.labels_dropped = 0  # labels of the last paint with no free place: said as "+N more labels"
        self.panel_rects: dict[str, QRectF] = {}

    def paint(self, painter: QPainter, shapes: Shapes, target: QRectF, view: QRectF, corners: Corners,
              scale_text: float = 1.0, obstacles: list[QRectF] | None = None) -> None:
        """Draw ``shapes`` (source pixels) mapped onto ``target``; labels stay inside ``view``.

        Labels avoid ``obstacles`` (the HUD) and the panels this paint adds.
        """
        self.label_rects = []
        self.labels_dropped = 0
        self.panel_rects = {}
        if shapes.width <= 0 or shapes.height <= 0 or shapes.nothing_to_draw:
            return  # most frames of a face or person model on a street: nothing to set up a painter for
        options = shapes.options
        sx, sy = target.width() / shapes.width, target.height() / shapes.height
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if shapes.mask is not None:
            self._paint_mask(painter, shapes.mask, target, sx, sy)
        painter.setOpacity(max(0.1, min(1.0, options.alpha)))
        width = max(1.0, float(options.line_width))
        for line in shapes.lines:
            pen = QPen(QColor(*line[4]), width)  # PySide6 takes no keyword arguments here
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawLine(QPointF(target.left() + line[0] * sx, target.top() + line[1] * sy),
                             QPointF(target.left() + line[2] * sx, target.top() + line[3] * sy))
        for x, y, color in shapes.points:
            painter.setPen(QPen(QColor(0, 0, 0), 1))
            painter.setBrush(QColor(*color))
            painter.drawEllipse(QPointF(target.left() + x * sx, target.top() + y * sy), width + 1.5, width + 1.5)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rects = []
        for box in shapes.boxes:
            rect = QRectF(QPointF(target.left() + box.x1 * sx, target.top() + box.y1 * sy),
                          QPointF(target.left() + box.x2 * sx, target.top() + box.y2 * sy)).normalized()
            painter.setPen(QPen(QColor(*box.color), width))
            painter.drawRect(rect)
            rects.append(rect)
        for trail in shapes.trails:
            painter.setPen(round_pen(QColor(*trail.color), max(1.0, width - 1)))
            painter.drawPolyline(QPolygonF([QPointF(target.left() + x * sx, target.top() + y * sy)
                                            for x, y in trail.points]))
        painter.setOpacity(1.0)
        font = label_font(painter.font(), LABEL_POINTS * options.font_scale * scale_text)
        if shapes.counters:
            paint_counters(painter, shapes.counters, target, sx, sy, font, width)
        panels = self._panels(shapes, corners, font)
        self._paint_labels(painter, shapes, rects, view, font, list(obstacles or []) + [r for r, _l in panels.values()])
        for name, (rect, lines) in panels.items():
            paint_panel(painter, rect, lines, font)
            self.panel_rects[name] = rect
        if self.labels_dropped:  # never silently: the count of labels that found no room
            n = self.labels_dropped
            lines = [(f"+{n} more label{'s' if n != 1 else ''}", None)]
            small = label_font(painter.font(), LABEL_POINTS * scale_text)  # not the labels' size: it must fit
            rect = corners.place(corners.claim("bottom-left"), *panel_size(lines, small))
            paint_panel(painter, rect, lines, small)
            self.panel_rects["more"] = rect
        painter.restore()

    def _paint_mask(self, painter: QPainter, mask: Mask, target: QRectF, sx: float, sy: float) -> None:
        key = (id(mask), int(mask.colors[:, 3].max()))
        if key != self._mask_key:
            rgba = mask.colors[mask.classes]  # (H, W, 4): the class map through the palette
            rows, cols = mask.classes.shape
            self._mask_image = QImage(rgba.tobytes(), cols, rows, 4 * cols, QImage.Format.Format_RGBA8888
                                      ).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)  # once a result
            self._mask_key = key
        x1, y1, x2, y2 = mask.rect
        where = QRectF(target.left() + x1 * sx, target.top() + y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy)
        painter.save()
        painter.setClipRect(target)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(where, self._mask_image)
        painter.restore()

    def _paint_labels(self, painter: QPainter, shapes: Shapes, rects: list[QRectF], view: QRectF,
                      font: QFont, obstacles: list[QRectF]) -> None:
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        pad = max(2.0, metrics.height() * 0.15)
        height = metrics.height() + pad
        placed: list[QRectF] = []
        # Top boxes first, so a label's first choice (above its box) usually wins.
        for box, rect in sorted(zip(shapes.boxes, rects), key=lambda pair: pair[1].top()):
            if not box.text:
                continue
            width = metrics.horizontalAdvance(box.text) + 2 * pad
            label = self._free_spot(rect, width, height, view, placed + obstacles)
            if label is None:
                self.labels_dropped += 1
                continue
            placed.append(label)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(*box.color))
            painter.drawRect(label)
            painter.setPen(contrast(box.color))
            painter.drawText(QPointF(label.left() + pad, label.top() + pad / 2 + metrics.ascent()), box.text)
        self.label_rects = placed

    @staticmethod
    def _free_spot(box: QRectF, width: float, height: float, view: QRectF, placed: list[QRectF]) -> QRectF | None:
        """Above the box, else inside its top, else below; then further down until nothing overlaps."""
        def fit(left: float, top: float) -> QRectF:
            left = min(max(view.left(), left), view.right() - width)
            top = min(max(view.top(), top), view.bottom() - height)
            return QRectF(left, top, width, height)

        candidates = [fit(box.left(), box.top() - height), fit(box.left(), box.top()),
                      fit(box.left(), box.bottom())]
        step = 0.0
        while box.top() + step < view.bottom():
            candidates.append(fit(box.left(), box.top() + height + step))
            step += height / 2
        for rect in candidates:
            if not any(rect.intersects(other) for other in placed):
                return rect
        return None

    @staticmethod
    def _panels(shapes: Shapes, corners: Corners, font: QFont) -> dict[str, tuple[QRectF, list]]:
        """The classification list and the mask legend, each in a free corner."""
        panels: dict[str, tuple[QRectF, list]] = {}
        for name, preferred, lines in (
                ("classes", "top-left", [(text, None) for text in shapes.classes[:5]]),
                ("legend", "top-right", [(label, QColor(*color)) for label, color in
                                         (shapes.mask.legend[:8] if shapes.mask is not None else ())])):
            if lines:
                panels[name] = (corners.place(corners.claim(preferred), *panel_size(lines, font)), lines)
        return panels


def render_bgr(bgr: np.ndarray, shapes: Shapes | None, reference_width: int = 1280) -> np.ndarray:
    """The frame with its overlay at the frame's own size (snapshots, recordings): what the pane shows.

    Text is scaled as if the frame were shown ``reference_width`` pixels wide, so a
    4K recording has labels as readable as the pane's. Safe on a worker thread (QImage).
    """
    image = to_qimage(bgr)
    height, width = bgr.shape[:2]
    if shapes is not None:
        painter = QPainter(image)
        area = QRectF(0, 0, width, height)
        OverlayPainter().paint(painter, shapes, area, area, Corners(area), scale_text=max(1.0, width / reference_width))
        painter.end()
    return bgr_of(image)
