"""Frame sources: video file, image, folder of images, camera, network stream.

The kind of source is always explicit (``SourceSpec.kind``): a file is never
taken for a camera, whatever its name. Text forms, used by the CLI and saved
settings: ``camera:0`` (a camera index), ``rtsp://…``/``http(s)://…`` (a
stream), anything else a path (video, image or folder).

Each source is read on its own thread (``FrameFeeder``) so decoding overlaps
inference on a multi-core host. Files played "as fast as the model takes them"
never lose a frame; live sources (cameras, streams, files played in real time)
keep only the newest frames, as a live view must.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..zoo.bundled import IMAGE_SUFFIXES, VIDEO_SUFFIXES

CAMERA_PREFIX = "camera:"
STREAM_SCHEMES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://")


class SourceError(Exception):
    """A source that cannot be opened or read, with the location and the reason."""


@dataclass(frozen=True)
class SourceSpec:
    """What to read and how: ``kind`` is one of video, image, folder, camera, stream.

    ``realtime``: pace a file at its own frame rate (a demo) instead of feeding
    frames as fast as the model takes them (a measurement). ``loop``: restart a
    file at its end (a demo that keeps running).
    """

    kind: str
    location: str
    realtime: bool = False
    loop: bool = False

    @property
    def live(self) -> bool:
        return self.kind in ("camera", "stream") or self.realtime

    def describe(self) -> str:
        if self.kind == "camera":
            return f"camera {self.location}"
        if self.kind == "stream":
            return self.location
        return Path(self.location).name or self.location


def parse_source(text: str, realtime: bool = False, loop: bool = False) -> SourceSpec:
    """Turn the text form into a SourceSpec; the kind of a path is read from the disk."""
    text = text.strip()
    if not text:
        raise SourceError("no source given: choose a video, image, folder, camera:N or a stream URL")
    if text.startswith(CAMERA_PREFIX):
        index = text[len(CAMERA_PREFIX):]
        if not index.isdigit():
            raise SourceError(f"{text}: a camera is camera:N with N its index, e.g. camera:0")
        return SourceSpec("camera", index, realtime=True, loop=False)
    if text.lower().startswith(STREAM_SCHEMES):
        return SourceSpec("stream", text, realtime=True, loop=False)
    path = Path(text).expanduser()
    if path.is_dir():
        return SourceSpec("folder", str(path), realtime, loop)
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return SourceSpec("image", str(path), realtime, loop)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return SourceSpec("video", str(path), realtime, loop)
    raise SourceError(f"{path}: not a video ({', '.join(VIDEO_SUFFIXES)}) or image "
                      f"({', '.join(IMAGE_SUFFIXES)}) file")


@dataclass
class Frame:
    """One captured frame with what the pipeline carries through ``result.info``."""

    image: np.ndarray
    frame_id: int
    capture_time: float  # time.perf_counter() when the frame was read
    position_s: float | None = None  # position in a file, for exports
    sent_time: float = 0.0  # when it went to the model (set by the pipeline)


class FrameReader:
    """Reads one source in order; subclasses implement ``_frames``. Not thread-safe."""

    fps: float = 0.0
    frame_count: int = 0

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec

    def frames(self) -> Iterator[tuple[np.ndarray, float | None]]:
        """(BGR image, position in seconds or None) until the end of the source."""
        raise NotImplementedError

    def close(self) -> None:
        pass


def _imread(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SourceError(f"{path}: cannot decode the image (corrupt or unsupported format)")
    return image


class ImageReader(FrameReader):
    def __init__(self, spec: SourceSpec) -> None:
        super().__init__(spec)
        self.image = _imread(Path(spec.location))
        self.frame_count = 1

    def frames(self) -> Iterator[tuple[np.ndarray, float | None]]:
        while True:
            yield self.image, None
            if not self.spec.loop:
                return


class FolderReader(FrameReader):
    def __init__(self, spec: SourceSpec) -> None:
        super().__init__(spec)
        folder = Path(spec.location)
        self.paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.paths:
            raise SourceError(f"{folder}: no images ({', '.join(IMAGE_SUFFIXES)}) in this folder")
        self.frame_count = len(self.paths)

    def frames(self) -> Iterator[tuple[np.ndarray, float | None]]:
        while True:
            for path in self.paths:
                yield _imread(path), None
            if not self.spec.loop:
                return


class CaptureReader(FrameReader):
    """cv2.VideoCapture over a file, a camera index or a stream URL."""

    def __init__(self, spec: SourceSpec) -> None:
        super().__init__(spec)
        self.capture = self._open()
        self.fps = float(self.capture.get(cv2.CAP_PROP_FPS) or 0.0)
        if not 0 < self.fps < 1000:
            self.fps = 30.0 if spec.kind != "video" else 25.0
        self.frame_count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if spec.kind == "video" else 0

    def _open(self) -> cv2.VideoCapture:
        spec = self.spec
        if spec.kind == "camera":
            capture = cv2.VideoCapture(int(spec.location))
            what = f"camera {spec.location}: cannot open it (not connected, or in use by another program)"
        elif spec.kind == "stream":
            capture = cv2.VideoCapture(spec.location, cv2.CAP_FFMPEG)
            what = f"{spec.location}: cannot open the stream (address, network or credentials)"
        else:
            if not Path(spec.location).exists():
                raise SourceError(f"{spec.location}: file not found")
            capture = cv2.VideoCapture(spec.location, cv2.CAP_FFMPEG)
            what = f"{spec.location}: cannot decode the video (corrupt or unsupported format)"
        if not capture.isOpened():
            capture.release()
            raise SourceError(what)
        ok, first = capture.read()
        if not ok or first is None:
            capture.release()
            raise SourceError(what.replace("cannot open it", "gives no frames").replace(
                "cannot open the stream", "gives no frames").replace("cannot decode the video", "has no frames"))
        self._first: np.ndarray | None = first
        return capture

    def frames(self) -> Iterator[tuple[np.ndarray, float | None]]:
        while True:
            if self._first is not None:
                image, self._first = self._first, None
                yield image, 0.0 if self.spec.kind == "video" else None
                continue
            position = self.capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0 if self.spec.kind == "video" else None
            ok, image = self.capture.read()
            if ok and image is not None:
                yield image, position
                continue
            if self.spec.kind == "video" and self.spec.loop and self.frame_count:
                self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                continue
            return

    def close(self) -> None:
        self.capture.release()


def open_reader(spec: SourceSpec) -> FrameReader:
    """Open a source now, so a bad one fails before any model work starts."""
    if spec.kind == "image":
        return ImageReader(spec)
    if spec.kind == "folder":
        return FolderReader(spec)
    if spec.kind in ("video", "camera", "stream"):
        return CaptureReader(spec)
    raise SourceError(f"unknown source kind {spec.kind!r}")


END = object()  # put in the queue after the last frame


class FrameFeeder:
    """Reads a source on its own thread into a small queue of ``Frame`` objects.

    Live sources drop the oldest queued frame when the consumer is behind
    (counted in ``dropped``); others block, so no frame is lost. A stream that
    stops delivering is reopened (``reconnects`` counts, ``status`` says so)
    until ``stop()``.
    """

    def __init__(self, spec: SourceSpec, reader: FrameReader | None = None, depth: int | None = None,
                 max_frames: int | None = None) -> None:
        self.spec = spec
        self.reader = reader or open_reader(spec)
        # Live: only the newest frame waits (latency); files: a little read-ahead (throughput).
        depth = depth if depth is not None else (1 if spec.live else 8)
        self.queue: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self.max_frames = max_frames
        self.dropped = 0
        self.reconnects = 0
        self.status = ""
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"feeder:{spec.describe()}", daemon=True)

    @property
    def fps(self) -> float:
        return self.reader.fps

    def start(self) -> FrameFeeder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.reader.close()

    def get(self, timeout: float | None = None) -> Frame | object | None:
        """The next frame, END after the last, or None if none is ready in time."""
        try:
            return self.queue.get(timeout=timeout) if timeout else self.queue.get_nowait()
        except queue.Empty:
            return None

    def _put(self, item: Frame | object) -> None:
        if self.spec.live and item is not END:
            while True:
                try:
                    self.queue.put_nowait(item)
                    return
                except queue.Full:
                    try:
                        self.queue.get_nowait()
                        self.dropped += 1
                    except queue.Empty:
                        pass
        while not self._stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        frame_id = 0
        try:
            while not self._stop.is_set():
                start = time.perf_counter()
                for image, position in self.reader.frames():
                    if self._stop.is_set():
                        return
                    if self.spec.realtime and self.spec.kind in ("video", "image", "folder"):
                        self._pace(start, frame_id)
                    self._put(Frame(image, frame_id, time.perf_counter(), position))
                    frame_id += 1
                    if self.max_frames is not None and frame_id >= self.max_frames:
                        return
                if self.spec.kind != "stream" or self._stop.is_set():
                    return
                self._reconnect()
        except Exception as exc:
            self.error = exc
        finally:
            self._put(END)

    def _pace(self, start: float, frame_id: int) -> None:
        fps = self.reader.fps or 25.0
        due = start + frame_id / fps
        delay = due - time.perf_counter()
        if delay > 0:
            self._stop.wait(delay)

    def _reconnect(self) -> None:
        """A dropped stream: retry with growing pauses, saying so, until it is back or stopped."""
        pause = 0.5
        while not self._stop.is_set():
            self.reconnects += 1
            self.status = f"stream lost, reconnecting (attempt {self.reconnects})"
            try:
                self.reader.close()
                self.reader = open_reader(self.spec)
                self.status = f"stream reconnected after {self.reconnects} attempt(s)"
                return
            except SourceError:
                self._stop.wait(pause)
                pause = min(pause * 2, 5.0)
