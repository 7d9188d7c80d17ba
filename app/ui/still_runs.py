"""Photos and folders of photos in the inference worker: each image is inferred once.

A photo's result stays until the model, the source or an option changes; a
folder moves with next/previous, Step or a slideshow interval, and an image
that cannot be read is skipped with a note. A mixin of ``InferenceWorker``
(workers.py), which owns the signals and the request queue used here.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..inference import overlay
from ..inference.errors import InferenceError, explain
from ..inference.export import save_snapshot
from ..inference.sources import FolderReader, FrameReader, SourceError
from .overlay_painter import render_bgr

__all__ = ["StillRunsMixin", "StillShown"]


@dataclass(frozen=True)
class StillShown:
    """What a still-image run shows: which image, what was found, how long the one inference took."""

    name: str
    index: int  # 0-based, in the folder
    count: int  # images in the folder (1 for a photo)
    detections: int
    latency_ms: float
    skipped: int = 0  # images of the folder that could not be read


class StillRunsMixin:
    """``_run_stills`` for InferenceWorker."""

    # ----- photos and folders: each image inferred once ---------------------------------
    def _run_stills(self, model: Any, model_threshold: float, reader: FrameReader) -> None:
        """Infer the shown image once; again only when an option changes or the user moves on.

        A folder moves with next/previous (``move``), Step, or the slideshow
        interval; an image that cannot be read is skipped with a note.
        """
        self.started_run.emit(self.device_text)
        reader.listener = self.status.emit
        for text in reader.notes:
            self.status.emit(text)
        count = reader.frame_count
        index, direction, redo = 0, 1, True
        try:
            model.__enter__()
            while not self.isInterruptionRequested():
                if redo:
                    index = self._show_still(model, reader, index, direction)
                request, redo = self._next_still_request(), False
                if request == "stop":
                    break
                if request == "snapshot":
                    self._save_still_snapshot()
                if request == "rerun" and self._options_changed.is_set():
                    self._options_changed.clear()
                    overlay.apply(model, self._options, model_threshold)
                    redo = True
                elif isinstance(request, int) and count > 1:
                    direction = 1 if request > 0 else -1
                    index, redo = (index + request) % count, True
        except Exception as exc:
            err = exc if isinstance(exc, InferenceError) else explain(exc, self.request.spec.inference_host_address)
            self.failed.emit(str(err), getattr(err, "detail", str(err)))
        finally:
            reader.close()
            try:
                model.__exit__(None, None, None)
            except Exception:
                pass
        self.finished_run.emit(None)

    def _save_still_snapshot(self) -> None:
        """Snapshot asked for: the image on screen with its overlay, painted at the image's size."""
        shown = getattr(self, "_still_on_screen", None)
        if shown is not None and self._snapshot_wanted.is_set():
            self._snapshot_wanted.clear()
            self.saved.emit(str(save_snapshot(render_bgr(*shown), self._output_path("snapshot", ".png"))))

    def _next_still_request(self) -> Any:
        """The user's next request; with a slideshow running (not paused), +1 when its interval passes."""
        slideshow = self.slideshow_s > 0 and not self._paused and self.request.source.kind == "folder"
        try:
            request = self._still_requests.get(timeout=self.slideshow_s if slideshow else None)
        except queue.Empty:
            return 1
        if request == "pause":
            return "wait"
        return request

    def _show_still(self, model: Any, reader: FrameReader, index: int, direction: int) -> int:
        """Infer image ``index`` (the next readable one in ``direction``) once and show it; its index."""
        count = max(1, reader.frame_count)
        image = None
        for _ in range(count):
            image = reader.read(index) if isinstance(reader, FolderReader) else getattr(reader, "image", None)
            if image is not None:
                break
            index = (index + direction) % count
        if image is None:
            raise SourceError(f"{self.request.source.describe()}: none of the {count} images can be read")
        model.non_blocking_batch_predict = False
        sent = time.perf_counter()
        result = next(iter(model.predict_batch([(image, {"index": index})])))
        latency_ms = (time.perf_counter() - sent) * 1000
        self.inferences += 1
        detections = len(result.results)
        if detections:
            self.results_with_detections += 1
        shapes = overlay.describe(result, image.shape[1], image.shape[0], self._options)  # drawn by the view
        self._still_on_screen = (image, shapes)
        self._save_still_snapshot()
        name = reader.paths[index].name if isinstance(reader, FolderReader) else Path(self.request.source.location).name
        self.display_ready.clear()
        self.frame_ready.emit(self._qimage(image), shapes, sent, index)
        self.still_shown.emit(StillShown(name, index, count, detections, latency_ms,
                                         getattr(reader, "skipped", 0)))
        return index
