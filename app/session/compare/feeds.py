"""Frame feeds for a comparison: one source read once, handed to two to four pipelines.

``inference.engine.pipeline.Pipeline`` reads frames from a ``FrameFeeder``; these
classes offer the same few members (``spec``, ``get``, ``start``, ``stop``,
``hold``, ``dropped``, ``error``) so each contender keeps the pipeline's
watchdog, in-flight limit and timing, while the frames come from one place:

- ``QueueFeed`` (synchronised mode): the comparison puts the same source frame
  into every contender's queue; the slowest contender sets the pace.
- ``LatestFeed`` (free run over a live source): every contender takes the
  newest frame the one reader has, skipping what it was too slow for.
  A file in free run needs none of this: each contender reads the file with
  its own ``FrameFeeder`` and so takes every frame as fast as it can.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from typing import Any

from model_picker.inference.media.sources import END, Frame, FrameFeeder, SourceSpec


def own_copy(frame: Frame) -> Frame:
    """The frame for one contender: the pipeline stamps ``sent_time`` on it (the image is shared, read-only)."""
    return dataclasses.replace(frame)


class QueueFeed:
    """The frames one contender is given, in order, then END."""

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.queue: queue.Queue = queue.Queue()
        self.dropped = 0
        self.error: Exception | None = None

    def put(self, item: Frame | object) -> None:
        self.queue.put(own_copy(item) if isinstance(item, Frame) else item)

    def get(self, timeout: float | None = None) -> Frame | object | None:
        try:
            return self.queue.get(timeout=timeout) if timeout else self.queue.get_nowait()
        except queue.Empty:
            return None

    def start(self) -> QueueFeed:
        return self

    def stop(self) -> None:
        pass

    def hold(self, _on: bool) -> None:
        pass


class Broadcast:
    """One live source read on its own thread; each ``LatestFeed`` takes the newest frame it has not had."""

    def __init__(self, feeder: FrameFeeder) -> None:
        self.feeder = feeder
        self.spec = feeder.spec
        self.latest: Frame | None = None
        self.ended = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="compare-broadcast", daemon=True)
        self._users = 0

    def start(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                self.feeder.start()
                self._thread.start()

    def stop(self) -> None:
        """Stops the reader when the last feed using it stops."""
        with self._lock:
            self._users -= 1
            last = self._users <= 0
        if last:
            self._stop.set()
            self.feeder.stop()

    def close_unused(self) -> None:
        """Close the reader if no feed ever started it (every contender failed to load)."""
        with self._lock:
            if self._users == 0 and self._thread.ident is None:
                self.feeder.reader.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            item = self.feeder.get(timeout=0.05)
            if item is END:
                self.ended = True
                return
            if isinstance(item, Frame):
                self.latest = item


class LatestFeed:
    """A contender's view of a ``Broadcast``: the newest frame, never one it has had."""

    def __init__(self, broadcast: Broadcast) -> None:
        self.broadcast = broadcast
        self.spec = broadcast.spec
        self.error: Exception | None = None
        self._last = -1
        self._taken = 0
        self._ended = False

    @property
    def dropped(self) -> int:
        """Frames the source gave while this contender was busy: the speed difference, counted."""
        latest = self.broadcast.latest
        return max(0, latest.frame_id + 1 - self._taken) if latest is not None else 0

    def get(self, timeout: float | None = None) -> Any:
        frame = self.broadcast.latest
        if frame is not None and frame.frame_id > self._last:
            self._last = frame.frame_id
            self._taken += 1
            return own_copy(frame)
        if self.broadcast.ended and not self._ended:
            self._ended = True
            self.error = self.broadcast.feeder.error
            return END
        return None

    def start(self) -> LatestFeed:
        self.broadcast.start()
        return self

    def stop(self) -> None:
        self.broadcast.stop()

    def hold(self, _on: bool) -> None:
        pass
