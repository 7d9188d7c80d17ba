"""Short videos cut from the bundled media in a test: sources that end soon."""

from __future__ import annotations

from pathlib import Path

import cv2

FOURCC = {".avi": "MJPG", ".mp4": "mp4v"}


def short_clip(source: Path, path: Path, frames: int, fps: float) -> Path:
    """The first ``frames`` frames of ``source`` written to ``path`` (.avi or .mp4) at ``fps``."""
    reader = cv2.VideoCapture(str(source))
    writer = None
    for _ in range(frames):
        ok, image = reader.read()
        assert ok, f"{source} has fewer than {frames} frames"
        if writer is None:
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*FOURCC[path.suffix]), fps, image.shape[1::-1])
        writer.write(image)
    writer.release()
    reader.release()
    return path
