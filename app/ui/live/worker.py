"""The live run's worker: a session ``Run`` on its own thread, its events as signals.

What a run does is the session layer's (session/live/run.py). This thread only
decides which results are shown: a frame becomes a QImage only when the view has
painted the previous one and no faster than a screen shows, so the UI thread never
has a backlog, while every result still counts in the statistics. A run whose
model stalled is abandoned, not joined: PySDK may never return, and releasing such
a model can abort.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QImage

from model_picker.inference.counting.live import LiveCounting
from model_picker.inference.engine.errors import InferenceError, explain
from model_picker.inference.engine.pipeline import Pipeline
from model_picker.inference.media.overlay import OverlayOptions
from model_picker.inference.media.sources import SourceError
from model_picker.session.live.run import Run, RunRequest
from model_picker.ui.live.overlay_painter import render_bgr
from model_picker.ui.live.qimages import to_qimage
from model_picker.ui.shell.workers import Worker

MAX_DISPLAY_FPS = 60.0  # live sources: no screen shows more; every frame drawn beyond it steals CPU from inference
# A file at full speed goes by faster than anyone can follow (a measurement, not a demo): a 30 Hz preview looks the
# same, and every frame drawn holds the GIL PySDK's result threads need.
FULL_SPEED_DISPLAY_FPS = 30.0


def paint_item(item: Any) -> np.ndarray:
    """The window's renderer for recordings and snapshots: the overlay the view paints, at the image's size."""
    return render_bgr(item.image, item.shapes)


class InferenceWorker(Worker):
    """Runs one ``RunRequest``; ``failed`` may come before the end, ``finished_run`` always ends it.

    The run owns the model, the pipeline, the outputs and the stall rule; the
    requests below may come from the UI thread at any time, also before the model
    has loaded (the run applies them from its first frame).
    """

    status = Signal(str)  # what it is doing (loading, running, reconnecting)
    started_run = Signal(str)  # device description
    frame_ready = Signal(QImage, object, float, int)  # frame, overlay.Shapes, capture time (perf_counter), frame id
    stats = Signal(object)  # stats.Snapshot, about 4 per second
    still_shown = Signal(object)  # session.stills.StillShown: a photo or a folder's image was inferred once
    saved = Signal(str)  # path of a snapshot / recording / export
    finished_run = Signal(object)  # final Snapshot (or None if nothing ran)

    def __init__(self, request: RunRequest, parent: Any = None) -> None:
        super().__init__(parent)
        self.request = request
        self.job = Run(request, renderer=paint_item, on_status=self.status.emit,
                       on_saved=lambda path: self.saved.emit(str(path)),
                       on_stall=lambda err: self.failed.emit(*self.failure(err)))
        self.display_ready = threading.Event()
        self.display_ready.set()
        self.display_size: tuple[int, int] | None = None  # set by the view: frames are scaled to it here

    # ----- what the run knows (read from the UI thread) -----------------------------------
    @property
    def pipeline(self) -> Pipeline | None:
        return self.job.pipeline

    @property
    def counting(self) -> LiveCounting:
        return self.job.counting

    @property
    def device_text(self) -> str:
        return self.job.device_text

    @property
    def inferences(self) -> int:
        return self.job.inferences

    @property
    def results_with_detections(self) -> int:
        return self.job.results_with_detections

    @property
    def last_frame_id(self) -> int:
        return self.job.last_frame_id

    @property
    def paused(self) -> bool:
        return self.job.paused

    # ----- requests from the UI thread ----------------------------------------------------
    def stop(self) -> None:
        self.job.stop()
        super().stop()

    def may_wait(self) -> bool:
        return not self.job.stalled  # a stalled run may never finish: left behind, never joined

    def set_options(self, options: OverlayOptions) -> None:
        self.job.set_options(options)

    def set_paused(self, paused: bool) -> None:
        """Pause or resume now, or as soon as the run starts if the model is still loading."""
        self.job.set_paused(paused)

    def step(self) -> None:
        """Exactly one more source frame (a folder: the next image), now or once the run starts."""
        self.job.step()

    def set_slideshow(self, seconds: float) -> None:
        self.job.set_slideshow(seconds)

    def move(self, delta: int) -> None:
        """Folders: show the next (+1) or previous (-1) image."""
        self.job.move(delta)

    def take_snapshot(self) -> None:
        self.job.take_snapshot()

    def set_recording(self, on: bool) -> None:
        self.job.set_recording(on)

    def set_exporting(self, on: bool) -> None:
        self.job.set_exporting(on)

    def frame_painted(self) -> None:
        self.display_ready.set()

    # ----- the thread --------------------------------------------------------------------
    def work(self) -> None:
        job = self.job
        try:
            job.open()
        except SourceError as exc:
            self.failed.emit(*self.failure(exc))
            self.finished_run.emit(None)
            return
        self.status.emit(f"Loading {self.request.spec.model_name}…")
        try:
            job.load()
        except InferenceError as exc:
            job.close()
            self.failed.emit(*self.failure(exc))
            self.finished_run.emit(None)
            return
        if self.isInterruptionRequested() or job.stopped:
            job.close()
            self.finished_run.emit(None)
            return
        self.started_run.emit(job.device_text)
        try:
            self._stills() if job.still else self._stream()
        except (InferenceError, SourceError) as exc:
            if not job.stalled:  # a stall was reported by the watchdog already
                self.failed.emit(*self.failure(exc))
        except Exception as exc:
            self.failed.emit(*self.failure(explain(exc, self.request.spec.inference_host_address)))
        finally:
            job.close()  # the model is released, unless it stalled (then it is abandoned)
        self.finished_run.emit(job.final_stats())

    def _stream(self) -> None:
        last_stats = last_shown = 0.0
        interval = 1.0 / (MAX_DISPLAY_FPS if self.request.source.live else FULL_SPEED_DISPLAY_FPS)
        for item in self.job.results():
            now = time.perf_counter()
            # Paused, a result is a frame the user stepped to (or one still in flight): always shown, even
            # if the previous frame is not painted yet, or the step would show nothing.
            if self.job.paused or (self.display_ready.is_set() and now - last_shown >= interval):
                # The view draws the overlay (not PySDK's image_overlay, a full-frame copy per result):
                # only the result's shapes are described, and only for frames someone will see.
                last_shown = now
                self.display_ready.clear()
                self.frame_ready.emit(to_qimage(item.image, self.display_size), item.shapes,
                                      item.frame.capture_time, item.frame.frame_id)
            if now - last_stats >= 0.25:
                last_stats = now
                self.stats.emit(self.job.pipeline.stats.snapshot())
        self.stats.emit(self.job.pipeline.stats.snapshot(final=True))

    def _stills(self) -> None:
        """Photos and folders: each image inferred once, shown, and its summary said."""
        for item in self.job.stills():
            self.display_ready.clear()
            self.frame_ready.emit(to_qimage(item.image, self.display_size), item.shapes, item.sent_time,
                                  item.shown.index)
            self.still_shown.emit(item.shown)
