"""Counting lines, zones, their counts and track IDs drawn on a BGR frame with OpenCV.

For frames written without Qt: ``model-picker run --out v.mp4 --line … --zone …``
draws them over PySDK's ``image_overlay``. It shows what the window shows
(app/ui/live/overlay_painter.py, ``paint_counters``): each line with an arrow towards
its "in" side and "name: in N, out M", each zone shaded with "name: N inside",
and with tracking the ``#id`` over each box and its short trail. The texts come
from ``counting.live.counter_shapes``, the same ones the window paints.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from model_picker.inference.counting.analyzers import Counter
from model_picker.inference.counting.live import counter_shapes
from model_picker.inference.media.overlay import CountShape, color_of, to_bgr

COUNTER_RGB = (255, 200, 0)  # the window's COUNTER_COLOR (app/ui/live/overlay_painter.py)
ZONE_SHADE = 0.18  # how much of the counter colour tints a zone's inside
BLACK = (0, 0, 0)


def draw_counting(image: np.ndarray, counting: Any, result: Any = None) -> np.ndarray:
    """Draw ``counting``'s lines and zones with their counts onto ``image`` (BGR, in place) and return it.

    ``counting`` is a ``Counter`` or a ``LiveCounting`` (its ``counter``), or None
    (nothing drawn: a run without counting options); with ``result`` and
    tracking on, each tracked box gets its ``#id`` and trail.
    """
    counter: Counter | None = counting if isinstance(counting, Counter) else getattr(counting, "counter", None)
    if counter is None:
        return image
    height, width = image.shape[:2]
    thickness = max(2, round(width / 480))
    scale = max(0.5, width / 1280)  # text height follows the frame, as the window's does with the pane
    for shape in counter_shapes(counter.setup, counter, width, height):
        points = np.array([[round(x), round(y)] for x, y in shape.points], np.int32)
        if shape.kind == "line":
            middle, away = _draw_line(image, points, thickness)
        else:
            middle, away = _draw_zone(image, points, thickness), np.zeros(2)
        _label(image, _text(shape), middle, away, scale)
    if result is not None and counter.setup.track:
        _draw_tracks(image, result, thickness, scale)
    return image


def _text(shape: CountShape) -> str:
    text = shape.text.replace(" · ", ", ")  # OpenCV's fonts have no middle dot
    return f"{shape.name}: {text}" if text else shape.name


def _draw_line(image: np.ndarray, points: np.ndarray, thickness: int) -> tuple[np.ndarray, np.ndarray]:
    """The line and an arrow from its middle towards its "in" (right-hand) side.

    Returns the middle and the unit vector away from the arrow: the label goes that way, clear of both.
    """
    (x1, y1), (x2, y2) = points.tolist()
    color = to_bgr(COUNTER_RGB)
    cv2.line(image, (x1, y1), (x2, y2), color, thickness, cv2.LINE_AA)
    middle = np.array([(x1 + x2) / 2, (y1 + y2) / 2])
    direction = np.array([x2 - x1, y2 - y1], float)
    unit = np.array([-direction[1], direction[0]]) / max(1.0, float(np.hypot(*direction)))
    tip = middle + unit * 12 * thickness
    cv2.arrowedLine(image, tuple(middle.round().astype(int)), tuple(tip.round().astype(int)), color, thickness,
                    cv2.LINE_AA, tipLength=0.35)
    return middle, -unit


def _draw_zone(image: np.ndarray, points: np.ndarray, thickness: int) -> np.ndarray:
    """The zone shaded (only its bounding box is blended: cheap on a large frame) and outlined."""
    x0, y0 = np.maximum(points.min(axis=0), 0)
    x1, y1 = np.minimum(points.max(axis=0) + 1, (image.shape[1], image.shape[0]))
    if x1 > x0 and y1 > y0:
        region = image[y0:y1, x0:x1]
        tinted = region.copy()
        cv2.fillPoly(tinted, [points - (x0, y0)], to_bgr(COUNTER_RGB))
        cv2.addWeighted(tinted, ZONE_SHADE, region, 1 - ZONE_SHADE, 0, dst=region)
    cv2.polylines(image, [points], True, to_bgr(COUNTER_RGB), thickness, cv2.LINE_AA)
    return points.mean(axis=0)


def _label(image: np.ndarray, text: str, anchor: np.ndarray, away: np.ndarray, scale: float) -> None:
    """The counter's text on a black box centred on ``anchor``, moved along ``away`` until its edge clears it."""
    (w, h), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    box = np.array([w + 6, h + baseline + 6])  # put_text's margins
    centre = anchor + away * (abs(away[0]) * box[0] / 2 + abs(away[1]) * box[1] / 2 + 6)
    corner = np.maximum(0, (centre - box / 2).round()).astype(int)
    _label_at(image, text, (int(corner[0]), int(corner[1])), scale, COUNTER_RGB)


def _draw_tracks(image: np.ndarray, result: Any, thickness: int, scale: float) -> None:
    """Each tracked box's ``#id`` in its top-left corner, and each track's trail of box centres."""
    classes = getattr(result, "trail_classes", None) or {}
    for tid, trail in (getattr(result, "trails", None) or {}).items():
        if len(trail) > 1:
            centres = np.array([[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] for b in trail]).round().astype(np.int32)
            color = to_bgr(color_of(None, str(classes.get(tid, ""))))
            cv2.polylines(image, [centres], False, color, max(1, thickness - 1), cv2.LINE_AA)
    for obj in getattr(result, "results", None) or []:
        if isinstance(obj, dict) and "track_id" in obj and "bbox" in obj:
            x1, y1 = obj["bbox"][:2]  # inside the box's top-left corner: PySDK's caption sits above it
            color = color_of(obj.get("category_id"), str(obj.get("label", "")))
            _label_at(image, f"#{obj['track_id']}", (max(0, round(x1) + thickness), max(0, round(y1) + thickness)),
                      scale, color)


def _label_at(image: np.ndarray, text: str, corner: tuple[int, int], scale: float,
              color: tuple[int, int, int]) -> None:
    """Text from ``corner`` (top left) on a black box; degirum_tools' put_text keeps it inside the frame."""
    from degirum_tools import put_text

    put_text(image, text, corner, font_color=color, bg_color=BLACK, font_face=cv2.FONT_HERSHEY_SIMPLEX,
             font_scale=scale, font_thickness=max(1, round(scale * 1.5)))
