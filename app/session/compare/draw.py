"""A disagreement frame as one picture: the source frame once per contender, its answer drawn, side by side.

Drawn with OpenCV from ``inference.media.overlay.describe``'s shapes (the shapes the
window paints), so the report needs no display and no Qt, and an ``Answer``
(a result without its frame) draws like a PySDK result.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from model_picker.inference.media.overlay import OverlayOptions, Shapes, describe, to_bgr

PANE_HEIGHT = 360
CAPTION_H = 28
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _mask(canvas: np.ndarray, shapes: Shapes, scale: float) -> None:
    mask = shapes.mask
    if mask is None:
        return
    x1, y1, x2, y2 = (round(float(v) * scale) for v in mask.rect)
    x1, y1 = max(0, x1), max(0, y1)
    x2, y2 = min(canvas.shape[1], x2), min(canvas.shape[0], y2)
    if x2 <= x1 or y2 <= y1:
        return
    classes = cv2.resize(mask.classes, (x2 - x1, y2 - y1), interpolation=cv2.INTER_NEAREST)
    rgba = mask.colors[classes]
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    region = canvas[y1:y2, x1:x2].astype(np.float32)
    colour = rgba[..., 2::-1].astype(np.float32)  # RGB -> BGR
    canvas[y1:y2, x1:x2] = (region * (1 - alpha) + colour * alpha).astype(np.uint8)


def draw_answer(image: np.ndarray, answer: object, height: int = PANE_HEIGHT) -> np.ndarray:
    """``image`` scaled to ``height`` with the answer's boxes, keypoints, class map or labels drawn."""
    rows, cols = image.shape[:2]
    scale = height / rows
    canvas = cv2.resize(image, (max(1, round(cols * scale)), height), interpolation=cv2.INTER_AREA)
    if canvas.ndim == 2:
        canvas = cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR)
    shapes = describe(answer, cols, rows, OverlayOptions(line_width=2))
    _mask(canvas, shapes, scale)
    for box in shapes.boxes:
        p1 = (round(box.x1 * scale), round(box.y1 * scale))
        cv2.rectangle(canvas, p1, (round(box.x2 * scale), round(box.y2 * scale)), to_bgr(box.color), 2)
        if box.text:
            cv2.putText(canvas, box.text, (p1[0] + 2, max(12, p1[1] - 4)), FONT, 0.45, to_bgr(box.color), 1,
                        cv2.LINE_AA)
    for x1, y1, x2, y2, color in shapes.lines:
        cv2.line(canvas, (round(x1 * scale), round(y1 * scale)), (round(x2 * scale), round(y2 * scale)),
                 to_bgr(color), 1, cv2.LINE_AA)
    for x, y, color in shapes.points:
        cv2.circle(canvas, (round(x * scale), round(y * scale)), 3, to_bgr(color), -1, cv2.LINE_AA)
    texts = list(shapes.classes[:3]) or ([label for label, _c in shapes.mask.legend[:4]] if shapes.mask else [])
    for i, text in enumerate(texts):
        cv2.putText(canvas, text, (8, 22 + 20 * i), FONT, 0.55, (255, 255, 255), 2, cv2.LINE_AA)
        cv2.putText(canvas, text, (8, 22 + 20 * i), FONT, 0.55, (20, 20, 20), 1, cv2.LINE_AA)
    return canvas


def _captioned(pane: np.ndarray, caption: str) -> np.ndarray:
    bar = np.full((CAPTION_H, pane.shape[1], 3), 245, np.uint8)
    cv2.putText(bar, caption, (6, CAPTION_H - 9), FONT, 0.5, (30, 30, 30), 1, cv2.LINE_AA)
    return np.vstack([bar, pane])


def side_by_side(image: np.ndarray, answers: Sequence[object], captions: Sequence[str],
                 height: int = PANE_HEIGHT) -> np.ndarray:
    """One row: the frame with each contender's answer, each under its caption, 6 px apart."""
    panes = [_captioned(draw_answer(image, answer, height), caption) for answer, caption in zip(answers, captions)]
    gap = np.full((panes[0].shape[0], 6, 3), 255, np.uint8)
    row: list[np.ndarray] = []
    for pane in panes:
        row += [pane, gap]
    return np.hstack(row[:-1])
