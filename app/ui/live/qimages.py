"""OpenCV frames <-> QImages in the format the screen uses, converted by OpenCV on the calling thread.

A ``Format_BGR888`` image is converted by Qt at every ``drawImage`` (on Qt's
thread pool, so on the cores the model runs on). ``Format_RGB32`` is the backing
store's own format: painting it is a copy. The conversion is done once, here, by
OpenCV, which releases the GIL, on the worker thread that made the frame.
"""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtGui import QImage

__all__ = ["bgr_of", "to_qimage"]


def _pixels(image: QImage) -> np.ndarray:
    """A (height, width, 4) view of an RGB32 image's own memory (B, G, R, 255 on little-endian)."""
    return np.ndarray((image.height(), image.width(), 4), np.uint8, buffer=image.bits(),
                      strides=(image.bytesPerLine(), 4, 1))


def to_qimage(bgr: np.ndarray, fit: tuple[int, int] | None = None) -> QImage:
    """BGR ndarray -> an RGB32 QImage that owns its pixels (safe to hand to the UI thread).

    ``fit``: the view's size; the frame is scaled here (OpenCV, on the worker
    thread) so the UI thread only copies pixels instead of smooth-scaling them.
    """
    if fit is not None and fit[0] > 0 and fit[1] > 0:
        height, width = bgr.shape[:2]
        scale = min(fit[0] / width, fit[1] / height)
        if abs(scale - 1.0) > 0.02:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_LINEAR)  # not INTER_AREA: far slower per frame
    height, width = bgr.shape[:2]
    image = QImage(width, height, QImage.Format.Format_RGB32)
    cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA, dst=_pixels(image))
    return image


def bgr_of(image: QImage) -> np.ndarray:
    """An RGB32 image's pixels as a new BGR ndarray (what OpenCV writes to files)."""
    if image.format() not in (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied,
                              QImage.Format.Format_ARGB32):
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    return cv2.cvtColor(_pixels(image), cv2.COLOR_BGRA2BGR)
