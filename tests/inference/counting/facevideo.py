"""Test videos with ground truth: a real face (resources/photos/Face1.jpg) moving over a plain background.

Each face is the photo's face crop, pasted at positions the test chooses, so
where every face is in every frame is known exactly. BlazeFace finds a face
of this size in every frame (checked by the tests that use these videos).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

WIDTH, HEIGHT = 640, 480
FACE = 150  # pixels, square
BACKGROUND = (170, 170, 170)
FACE_BOX = (204.8, 361.4, 783.1, 951.7)  # BlazeFace's box on Face1.jpg (test_blazeface_scores.py)


def face_crop(photos: Path, size: int = FACE) -> np.ndarray:
    """The face with a margin, square, centred on BlazeFace's own box so box centres match the path."""
    image = cv2.imread(str(photos / "Face1.jpg"))
    x1, y1, x2, y2 = FACE_BOX
    cx, cy, half = (x1 + x2) / 2, (y1 + y2) / 2, 0.65 * max(x2 - x1, y2 - y1)
    crop = image[int(cy - half):int(cy + half), int(cx - half):int(cx + half)]
    return cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)


def write_video(path: Path, photos: Path, paths: list[list[tuple[float, float]]], fps: float = 15.0) -> Path:
    """One frame per step; ``paths[k][i]`` is face k's centre in frame i (pixels)."""
    face = face_crop(photos)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (WIDTH, HEIGHT))
    assert writer.isOpened()
    for i in range(len(paths[0])):
        frame = np.full((HEIGHT, WIDTH, 3), BACKGROUND, np.uint8)
        for path_k in paths:
            cx, cy = path_k[i]
            x, y = round(cx - FACE / 2), round(cy - FACE / 2)
            frame[y:y + FACE, x:x + FACE] = face
        writer.write(frame)
    writer.release()
    return path


def sweep(x0: float, x1: float, y: float, frames: int) -> list[tuple[float, float]]:
    """Evenly from x0 to x1 at height y, ``frames`` positions."""
    return [(x0 + (x1 - x0) * i / (frames - 1), y) for i in range(frames)]
