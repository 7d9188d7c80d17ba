"""Photos and folders of photos in a run: each image is inferred once.

A photo's result stays until an option changes or the user moves on; a folder
moves with next/previous, Step or a slideshow interval, and an image that
cannot be read is skipped with a note. The requests come from any thread
through a queue; the loop waits on it between images, so a photo costs no CPU
while it is shown.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from model_picker.inference.media import overlay
from model_picker.inference.media.overlay import OverlayOptions, Shapes
from model_picker.inference.media.sources import FolderReader, FrameReader, SourceError

__all__ = ["StillItem", "StillLoop", "StillRun", "StillShown"]


@dataclass(frozen=True)
class StillShown:
    """What a still-image run shows: which image, what was found, how long the one inference took."""

    name: str
    index: int  # 0-based, in the folder
    count: int  # images in the folder (1 for a photo)
    detections: int
    latency_ms: float
    skipped: int = 0  # images of the folder that could not be read
    found: str = ""  # in the task's words (overlay.found_text): "3 detections", "mask: 2 classes (person, dog)"
    hidden_by_filter: int = 0  # found above the threshold, not shown: not in the class filter
    below_threshold: int = 0  # of the classes shown, scored between ``floor`` and ``threshold`` (empty results only)
    threshold: float = 0.0
    floor: float = 0.0


class StillItem:
    """One image inferred: the image, its result, its shapes (described once) and what to say about it."""

    def __init__(self, image: np.ndarray, result: Any, shown: StillShown | None, sent_time: float,
                 options: OverlayOptions) -> None:
        self.image, self.result, self.shown, self.sent_time = image, result, shown, sent_time
        self._options = options
        self.hidden_by_filter = overlay.filter_result(result, options.classes)

    @cached_property
    def shapes(self) -> Shapes:
        shapes = overlay.describe(self.result, self.image.shape[1], self.image.shape[0], self._options)
        shapes.hidden_by_filter = self.hidden_by_filter
        return shapes


class StillRun(Protocol):
    """What the loop reads from its run and records on it: the Run of run.py (which imports this module)."""

    request: Any  # a RunRequest: its source
    reader: FrameReader | None
    model: Any
    model_threshold: float
    slideshow_s: float
    on_status: Callable[[str], None]
    inferences: int
    results_with_detections: int
    last_frame_id: int

    @property
    def still(self) -> bool: ...

    @property
    def stopped(self) -> bool: ...

    @property
    def paused(self) -> bool: ...

    @property
    def options(self) -> OverlayOptions: ...

    @property
    def snapshot_wanted(self) -> bool: ...

    def options_changed(self) -> bool: ...

    def save_snapshot(self, item: Any) -> Path: ...


class StillLoop:
    """The still half of a Run: its request queue and its loop."""

    def __init__(self, run: StillRun) -> None:
        self.run_ = run
        self.requests: queue.Queue = queue.Queue()  # "stop", "rerun", "pause", "snapshot", +1 / -1 (move)
        self.on_screen: StillItem | None = None

    def request(self, what: Any) -> None:
        if self.run_.still:
            self.requests.put(what)

    def run(self) -> Any:
        """Yield each image shown; between images wait for the user's next request, until stop()."""
        run = self.run_
        reader = run.reader
        assert reader is not None and run.model is not None, "open() and load() first"
        reader.listener = run.on_status
        for text in reader.notes:
            run.on_status(text)
        count = reader.frame_count
        index, direction, redo = 0, 1, True
        while not run.stopped:
            if redo:
                item = self._show(reader, index, direction)
                index = item.shown.index
                yield item
            request, redo = self._next_request(), False
            if request == "stop":
                break
            if request == "snapshot":
                self._snapshot()
            if request == "rerun" and run.options_changed():
                overlay.apply(run.model, run.options, run.model_threshold)
                redo = True
            elif isinstance(request, int) and count > 1:
                direction = 1 if request > 0 else -1
                index, redo = (index + request) % count, True

    def _snapshot(self) -> None:
        """Snapshot asked for: the image on screen with its overlay, drawn by the run's renderer."""
        if self.on_screen is not None and self.run_.snapshot_wanted:
            self.run_.save_snapshot(self.on_screen)

    def _below_threshold(self, image: np.ndarray, index: int) -> tuple[float, float, int]:
        """An empty photo: (threshold, floor, how many boxes of the shown classes scored between the two).

        One more inference at a low threshold, so the empty message can say whether
        the threshold hid anything; (0, 0, 0) when the model cannot say (no boxes,
        a compound model, any failure).
        """
        model = self.run_.model
        try:
            threshold = float(model.output_confidence_threshold)
        except (AttributeError, TypeError, ValueError):
            return 0.0, 0.0, 0
        floor = round(min(0.1, threshold / 2), 3)
        if floor <= 0:
            return threshold, 0.0, 0
        try:
            model.output_confidence_threshold = floor
            low = next(iter(model.predict_batch([(image, {"index": index})])))
        except Exception:  # only a hint for the message; the run goes on
            return threshold, floor, 0
        finally:
            model.output_confidence_threshold = threshold
        overlay.filter_result(low, self.run_.options.classes)
        below = sum(1 for r in low.results if isinstance(r, dict) and "bbox" in r
                    and isinstance(r.get("score"), (int, float)) and r["score"] < threshold)
        return threshold, floor, below

    def _next_request(self) -> Any:
        """The user's next request; with a slideshow running (not paused), +1 when its interval passes."""
        run = self.run_
        slideshow = run.slideshow_s > 0 and not run.paused and run.request.source.kind == "folder"
        try:
            request = self.requests.get(timeout=run.slideshow_s if slideshow else None)
        except queue.Empty:
            return 1
        return "wait" if request == "pause" else request

    def _show(self, reader: FrameReader, index: int, direction: int) -> StillItem:
        """Infer image ``index`` (the next readable one in ``direction``) once."""
        run = self.run_
        count = max(1, reader.frame_count)
        image = None
        for _ in range(count):
            image = reader.read(index) if isinstance(reader, FolderReader) else getattr(reader, "image", None)
            if image is not None:
                break
            index = (index + direction) % count
        if image is None:
            raise SourceError(f"{run.request.source.describe()}: none of the {count} images can be read")
        run.model.non_blocking_batch_predict = False
        sent = time.perf_counter()
        result = next(iter(run.model.predict_batch([(image, {"index": index})])))
        latency_ms = (time.perf_counter() - sent) * 1000
        run.inferences += 1
        run.last_frame_id = index
        item = StillItem(image, result, None, sent, run.options)
        detections = 0 if item.shapes.empty else len(result.results)  # a mask of background only found nothing
        if detections:
            run.results_with_detections += 1
        name = reader.paths[index].name if isinstance(reader, FolderReader) else Path(run.request.source.location).name
        threshold, floor, below = self._below_threshold(image, index) if not detections else (0.0, 0.0, 0)
        item.shown = StillShown(name, index, count, detections, latency_ms, getattr(reader, "skipped", 0),
                                overlay.found_text(item.shapes), item.hidden_by_filter, below, threshold, floor)
        self.on_screen = item
        self._snapshot()
        return item
