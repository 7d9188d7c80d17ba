"""Counting while a model runs in the window: the setup changes live, the counts go out with the shapes.

The window's UI thread changes the setup (a line drawn, moved or deleted, Reset
counts); the worker thread owns the ``Counter`` and applies the newest setup at
its next result, so the analyzers are only ever touched by one thread. A moved
or new line or zone counts from zero; the others, and the tracks, go on.
Events (each crossing, entry and exit) go to CSV and JSON lines files between
``start_events`` and ``stop_events``, written on the worker thread as they
happen; the same writer as ``model-picker run --events``. The
counts travel to the screen inside ``overlay.Shapes`` (``counters``, ``trails``
and track IDs in the box captions), the same object the view paints and the
snapshots and recordings are drawn from.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from model_picker.inference.counting.analyzers import Counter, CountingSetup, Counts, Line
from model_picker.inference.media.export import EventsWriter
from model_picker.inference.media.overlay import CountShape, Shapes, Trail, color_of


class LiveCounting:
    """The current setup and its counter; ``set_setup`` and ``reset`` from any thread, the rest from one."""

    def __init__(self, setup: CountingSetup | None = None) -> None:
        self._lock = threading.Lock()
        self._pending: CountingSetup | None = setup
        self._reset = False
        self.setup = CountingSetup()
        self.counter: Counter | None = None
        self._writers: list[EventsWriter] = []  # guarded by _lock: the UI thread closes them, the worker writes
        self._counts = Counts()  # the newest totals, for the summary at the end of the events file

    def set_setup(self, setup: CountingSetup) -> None:
        with self._lock:
            self._pending = setup

    def reset(self) -> None:
        with self._lock:
            self._reset = True

    def _apply(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
            reset, self._reset = self._reset, False
        if pending is not None and pending != self.setup:
            same_geometry = (pending.lines, pending.zones) == (self.setup.lines, self.setup.zones)
            self.setup = pending
            if not pending.active:
                self.counter = None
            elif self.counter is None:
                self.counter = Counter(pending)
            elif not same_geometry:
                self.counter.set_setup(pending)  # a new or moved line or zone counts from zero; the rest go on
            else:
                self.counter.setup = pending  # only the Track toggle changed: keep counts and tracks
        if reset and self.counter is not None:
            self.counter.reset()

    def process(self, result: Any) -> None:
        """Track and count one result (in order, on the worker thread)."""
        self._apply()
        if self.counter is not None:
            self.counter.analyze(result)
            with self._lock:
                for writer in self._writers:
                    writer.write(self.counter.events)
                counts = self.counter.counts  # a copy: the summary is read on the UI thread
                self._counts = Counts(dict(counts.lines), dict(counts.zones), dict(counts.entries))

    def start_events(self, path_base: str | Path) -> list[Path]:
        """Write events from the next result on to ``path_base``.csv and .jsonl (OSError if they cannot be made).

        Called from the UI thread; a previous pair still open is closed first.
        """
        self.stop_events()
        base = Path(path_base)
        writers = [EventsWriter(base.with_name(base.name + ".csv"))]
        try:
            writers.append(EventsWriter(base.with_name(base.name + ".jsonl")))
        except OSError:
            writers[0].close()
            raise
        with self._lock:
            self._writers = writers
        return [w.path for w in writers]

    @property
    def writing_events(self) -> bool:
        with self._lock:
            return bool(self._writers)

    def stop_events(self) -> tuple[list[Path], int]:
        """Close the events files with the summary counts at the end; their paths and how many events each holds."""
        with self._lock:
            writers, self._writers = self._writers, []
            counts = self._counts
        for writer in writers:
            writer.close(counts)
        return [w.path for w in writers], (writers[0].rows if writers else 0)

    def decorate(self, shapes: Shapes, result: Any) -> Shapes:
        """Add the lines and zones with their counts, and (Track on) IDs and trails, to ``shapes``."""
        counter = self.counter
        if counter is None:
            return shapes
        shapes.counters = counter_shapes(self.setup, counter, shapes.width, shapes.height)
        if self.setup.track:
            _add_tracks(shapes, result)
        return shapes


def counter_shapes(setup: CountingSetup, counter: Counter | None, width: int, height: int) -> list[CountShape]:
    shapes = []
    for item in setup.lines + setup.zones:
        if isinstance(item, Line):
            points: tuple = (item.start, item.end)
            counts = counter.counts.lines.get(item.name) if counter else None
            text = f"in {counts[0]} · out {counts[1]}" if counts else ""
        else:
            points = item.points
            inside = counter.counts.zones.get(item.name) if counter else None
            text = f"{inside} inside" if inside is not None else ""
        shapes.append(CountShape("line" if isinstance(item, Line) else "zone", item.name,
                                 tuple((x * width, y * height) for x, y in points), text))
    return shapes


def _add_tracks(shapes: Shapes, result: Any) -> None:
    """Track IDs before each box's caption (boxes follow result.results' order), trails from the tracker."""
    boxed = [item for item in getattr(result, "results", None) or []
             if isinstance(item, dict) and "data" not in item and "bbox" in item]
    if len(boxed) == len(shapes.boxes):
        shapes.boxes = [replace(box, text=f"#{item['track_id']} {box.text}".strip()) if "track_id" in item else box
                        for box, item in zip(shapes.boxes, boxed)]
    labels = getattr(result, "trail_classes", {}) or {}
    for tid, trail in (getattr(result, "trails", None) or {}).items():
        if len(trail) > 1:
            points = tuple(((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in trail)
            shapes.trails.append(Trail(points, f"#{tid}", color_of(None, str(labels.get(tid, "")))))
