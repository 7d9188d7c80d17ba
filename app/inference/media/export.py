"""What a run leaves behind: annotated H.264 video, snapshots, detections as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from model_picker.atomic import AtomicFile, PendingFile, output_error

CSV_FIELDS = ["frame", "time_s", "label", "category_id", "score", "x1", "y1", "x2", "y2"]


def detections(result: Any) -> list[dict[str, Any]]:
    """The result's items as plain rows (box-less for classification; none for segmentation maps)."""
    rows = []
    for item in getattr(result, "results", []) or []:
        if not isinstance(item, dict) or "data" in item:
            continue
        box = item.get("bbox") or [None] * 4
        rows.append({"label": item.get("label"), "category_id": item.get("category_id"),
                     "score": None if item.get("score") is None else round(float(item["score"]), 4),
                     "x1": _num(box[0]), "y1": _num(box[1]), "x2": _num(box[2]), "y2": _num(box[3])})
    return rows


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


class ResultsWriter:
    """Writes one row per detection; the file's suffix (.csv or .jsonl/.json) picks the format."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = "csv" if self.path.suffix.lower() == ".csv" else "jsonl"
        self._file = AtomicFile(self.path, newline="")  # in place only once closed whole (OutputError if not)
        self._csv = csv.DictWriter(self._file, CSV_FIELDS) if self.format == "csv" else None
        if self._csv:
            self._csv.writeheader()
        self.rows = 0

    def write(self, frame_id: int, time_s: float | None, result: Any) -> None:
        rows = detections(result)
        t = None if time_s is None else round(time_s, 3)
        if self._csv:
            for row in rows:
                self._csv.writerow({"frame": frame_id, "time_s": t, **row})
        else:
            self._file.write(json.dumps({"frame": frame_id, "time_s": t, "detections": rows}) + "\n")
        self.rows += len(rows)

    def close(self) -> None:
        self._file.commit()

    def discard(self) -> None:
        self._file.discard()


class VideoWriter:
    """H.264 MP4 (yuv420p, moov atom first) of the annotated frames, through PyAV's bundled FFmpeg.

    Why PyAV: OpenCV's pip wheel only writes MPEG-4 Part 2 ("mp4v"), which browsers
    and many players refuse; PyAV's wheel ships libx264. Every frame is fitted to
    the first one's size (a video needs one size; H.264 needs even sides). The
    video is written to a temporary file beside ``path`` and renamed when closed
    whole (``model_picker.atomic``): a failure leaves no unreadable MP4.
    """

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fps = fps if fps > 0 else 25.0
        self._container: Any = None
        self._stream: Any = None
        self._size: tuple[int, int] | None = None
        self._file: PendingFile | None = None  # the temporary file PyAV writes to
        self.frames = 0

    def _open(self, width: int, height: int) -> None:
        import av  # imported here: only recording needs it

        self._size = (max(2, width - width % 2), max(2, height - height % 2))
        self._file = PendingFile(self.path)
        try:
            self._container = av.open(str(self._file.temp), "w", format="mp4", options={"movflags": "+faststart"})
            self._stream = self._container.add_stream("libx264", rate=Fraction(self.fps).limit_denominator(1001))
        except (OSError, av.FFmpegError) as exc:
            self.discard()
            raise output_error(self.path, exc) from None
        self._stream.width, self._stream.height = self._size
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"preset": "superfast", "crf": "23"}

    def write(self, image: np.ndarray) -> None:
        """One BGR frame."""
        import av

        if self._container is None:
            self._open(image.shape[1], image.shape[0])
        if (image.shape[1], image.shape[0]) != self._size:
            image = cv2.resize(image, self._size)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> None:
        """Finish the video and put it in place; OutputError (nothing kept) if it cannot be written whole."""
        if self._container is None:
            return
        import av

        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
        except (OSError, av.FFmpegError) as exc:
            self.discard()
            raise output_error(self.path, exc) from None
        self._container = None
        if self._file is not None:
            self._file.commit()

    def discard(self) -> None:
        """Drop the video (a failed write): nothing is left at ``path``."""
        container, self._container = self._container, None
        if container is not None:
            try:
                container.close()
            except Exception:
                pass  # the write already failed: the file goes anyway
        if self._file is not None:
            self._file.discard()


def save_snapshot(image: np.ndarray, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), image):
        raise OSError(f"{path}: cannot write the image")
    return path


EVENT_FIELDS = ["frame", "time_s", "track_id", "class", "kind", "name", "event"]


class EventsWriter:
    """Counting events (line crossings, zone entries and exits) as CSV or JSON lines, by the file's suffix.

    JSON lines end with one ``{"summary": …}`` row holding the totals, so a reader
    of the file alone knows the final counts.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = "csv" if self.path.suffix.lower() == ".csv" else "jsonl"
        self._file = AtomicFile(self.path, newline="")  # in place only once closed whole (OutputError if not)
        self._csv = csv.DictWriter(self._file, EVENT_FIELDS) if self.format == "csv" else None
        if self._csv:
            self._csv.writeheader()
        self.rows = 0

    def write(self, events: list[Any]) -> None:
        for e in events:
            row = {"frame": e.frame, "time_s": None if e.time_s is None else round(e.time_s, 3),
                   "track_id": e.track_id, "class": e.label, "kind": e.kind, "name": e.name, "event": e.event}
            if self._csv:
                self._csv.writerow(row)
            else:
                self._file.write(json.dumps(row) + "\n")
            self.rows += 1

    def close(self, counts: Any = None) -> None:
        if counts is not None and not self._csv:
            self._file.write(json.dumps({"summary": {
                "lines": {k: {"in": i, "out": o} for k, (i, o) in counts.lines.items()},
                "zones": {k: {"inside": v, "entered": counts.entries.get(k, 0)} for k, v in counts.zones.items()}}})
                + "\n")
        self._file.commit()
