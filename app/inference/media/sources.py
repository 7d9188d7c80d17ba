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

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from model_picker.inference.engine.handoff import FrameQueue
from model_picker.inference.media.images import SourceError, read_image
from model_picker.redact import redact
from model_picker.zoo.bundled import IMAGE_SUFFIXES, VIDEO_SUFFIXES

CAMERA_PREFIX = "camera:"
STREAM_SCHEMES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://")
# A stream that gives no frame for this long is reported as lost and reopened (well within the
# pipeline's watchdog, so the user hears about a stall at once, not after FFmpeg's own 30 s).
STREAM_TIMEOUT_MS = 4000


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
    def from_file(self) -> bool:
        """A video, a photo or a folder: it can be held and paced, and what it skips is pacing, not lateness."""
        return self.kind in ("video", "image", "folder")

    @property
    def live(self) -> bool:
        return not self.from_file or self.realtime

    @property
    def still(self) -> bool:
        """Photos and folders of photos: each image is inferred once, not streamed."""
        return self.kind in ("image", "folder")

    def describe(self) -> str:
        """For messages, logs and settings: a stream URL without its credentials."""
        if self.kind == "camera":
            return f"camera {self.location}"
        if self.kind == "stream":
            return redact(self.location)
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
    """Reads one source in order; subclasses implement ``frames``. Not thread-safe.

    ``note`` records a warning that does not stop the source (a bad image in a
    folder, a file that ends early); whoever listens (the feeder) passes it on.
    """

    fps: float = 0.0
    frame_count: int = 0

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.notes: list[str] = []
        self.listener: Callable[[str], None] | None = None

    def note(self, text: str) -> None:
        self.notes.append(text)
        if self.listener is not None:
            self.listener(text)

    def frames(self) -> Iterator[tuple[np.ndarray, float | None]]:
        """(BGR image, position in seconds or None) until the end of the source."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class ImageReader(FrameReader):
    def __init__(self, spec: SourceSpec) -> None:
        super().__init__(spec)
        self.image = read_image(Path(spec.location), self.note)
        self.frame_count = 1

    def frames(self) -> Iterator[tuple[np.ndarray, float | None]]:
        while True:
            yield self.image, None
            if not self.spec.loop:
                return


class FolderReader(FrameReader):
    """The images of a folder in name order; one that cannot be read is skipped with a note."""

    def __init__(self, spec: SourceSpec) -> None:
        super().__init__(spec)
        folder = Path(spec.location)
        self.paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.paths:
            raise SourceError(f"{folder}: no images ({', '.join(IMAGE_SUFFIXES)}) in this folder")
        self.frame_count = len(self.paths)
        self.skipped = 0

    def read(self, index: int) -> np.ndarray | None:
        """The image at ``index``, or None (noted) when it cannot be read."""
        try:
            return read_image(self.paths[index], self.note)
        except SourceError as exc:
            self.skipped += 1
            self.note(f"skipped {exc}")
            return None

    def frames(self) -> Iterator[tuple[np.ndarray, float | None]]:
        while True:
            for index in range(len(self.paths)):
                image = self.read(index)
                if image is not None:
                    yield image, None
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
            capture = cv2.VideoCapture(spec.location, cv2.CAP_FFMPEG,
                                       [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, STREAM_TIMEOUT_MS,
                                        cv2.CAP_PROP_READ_TIMEOUT_MSEC, STREAM_TIMEOUT_MS])
            what = f"{spec.describe()}: cannot open the stream (address, network or credentials)"
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
        read = 0  # in this pass over the file
        while True:
            if self._first is not None:
                image, self._first = self._first, None
                read += 1
                yield image, 0.0 if self.spec.kind == "video" else None
                continue
            position = self.capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0 if self.spec.kind == "video" else None
            ok, image = self.capture.read()
            if ok and image is not None:
                read += 1
                yield image, position
                continue
            if self.spec.kind == "video" and self.frame_count and read < self.frame_count - 1 and not self.notes:
                self.note(f"{Path(self.spec.location).name}: the file ended early: {read} of {self.frame_count} "
                          "frames read (truncated or damaged)")
            if self.spec.kind == "video" and self.spec.loop and self.frame_count and read:
                self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                read = 0
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
    stops delivering is reopened (``reconnects`` counts) until ``stop()``.
    What the user must hear about (a stall, a reconnect, a skipped image, a
    file that ended early) goes to ``on_status`` at once, from this thread.

    ``hold(True)`` (a paused run) stops reading a file one frame ahead, so a
    paused real-time file loses nothing and each step is the next frame.
    """

    def __init__(self, spec: SourceSpec, reader: FrameReader | None = None, depth: int | None = None,
                 max_frames: int | None = None, on_status: Callable[[str], None] | None = None) -> None:
        self.spec = spec
        self.reader = reader or open_reader(spec)
        # Live: only the newest frame waits (latency); files: a little read-ahead (throughput).
        depth = depth if depth is not None else (1 if spec.live else 8)
        self.queue = FrameQueue(depth)  # wakes a blocked feeder in bursts, not once per frame (handoff.py)
        self.max_frames = max_frames
        self.dropped = 0
        self.reconnects = 0
        self.status = ""
        self.on_status = on_status
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._hold = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"feeder:{spec.describe()}", daemon=True)

    @property
    def fps(self) -> float:
        return self.reader.fps

    @property
    def notes(self) -> list[str]:
        return self.reader.notes

    def start(self) -> FrameFeeder:
        for text in self.reader.notes:  # noted while opening
            self._say(text)
        self.reader.listener = self._say
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.reader.close()

    def hold(self, on: bool) -> None:
        """Files: read no further than the one frame waiting while on (a paused run)."""
        (self._hold.set if on else self._hold.clear)()

    def get(self, timeout: float | None = None) -> Frame | object | None:
        """The next frame, END after the last, or None if none is ready in time."""
        return self.queue.get(timeout)

    def _say(self, text: str) -> None:
        self.status = text
        if self.on_status is not None:
            self.on_status(text)

    def _put(self, item: Frame | object) -> None:
        held = self._hold.is_set() and self.spec.from_file
        if self.spec.live and item is not END and not held:  # held: the frame read as Pause came waits
            self.dropped += self.queue.put_latest(item)
            return
        self.queue.put(item, self._stop)

    def _held(self) -> bool:
        """Wait while held with a frame already waiting; True if it waited (the pacing clock restarts)."""
        if not self.spec.from_file:
            return False  # cameras and streams cannot be held: their frames come anyway
        waited = False
        while self._hold.is_set() and not self.queue.empty() and not self._stop.is_set():
            waited = True
            self._stop.wait(0.005)
        return waited or self._hold.is_set()

    def _run(self) -> None:
        frame_id = 0
        try:
            while not self._stop.is_set():
                start, first_id = time.perf_counter(), frame_id
                frames = self.reader.frames()
                while not self._stop.is_set():
                    if self._held():  # pacing resumes from here; a frame still waiting is the one due now
                        start, first_id = time.perf_counter(), frame_id - int(not self.queue.empty())
                    try:
                        image, position = next(frames)
                    except StopIteration:
                        break
                    if self.spec.realtime and self.spec.from_file and not self._hold.is_set():
                        self._pace(start, frame_id - first_id)
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

    def _pace(self, start: float, count: int) -> None:
        fps = self.reader.fps or 25.0
        delay = start + count / fps - time.perf_counter()
        if delay > 0:
            self._stop.wait(delay)

    def _reconnect(self) -> None:
        """A dropped or stalled stream: say so at once, retry with growing pauses until back or stopped."""
        pause = 0.5
        lost = time.monotonic()
        while not self._stop.is_set():
            self.reconnects += 1
            self._say(f"{self.spec.describe()}: stream lost, reconnecting (attempt {self.reconnects}, "
                      f"{time.monotonic() - lost:.0f} s without frames)")
            try:
                self.reader.close()
                self.reader = open_reader(self.spec)
                self.reader.listener = self._say
                self._say(f"{self.spec.describe()}: stream back after {time.monotonic() - lost:.0f} s "
                          f"({self.reconnects} reconnect attempt(s) so far)")
                return
            except SourceError:
                self._stop.wait(pause)
                pause = min(pause * 2, 5.0)
