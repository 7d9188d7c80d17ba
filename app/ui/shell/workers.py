"""Long work off the UI thread: probing a host, fetching a model, running inference.

Each worker is a QThread that talks only through signals (delivered queued on
the UI thread). What a run does is the session layer's (session/live/run.py); the
inference worker converts a frame to a QImage only when the view has painted
the previous one, so the UI thread never has a backlog; every result still
counts in the statistics. A run whose model stalled is abandoned, not joined:
PySDK may never return, and releasing such a model can abort.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from model_picker.inference.counting.live import LiveCounting
from model_picker.inference.engine.errors import InferenceError, explain
from model_picker.inference.engine.loading import host_device_types
from model_picker.inference.engine.pipeline import Pipeline
from model_picker.inference.media.overlay import OverlayOptions
from model_picker.inference.media.sources import SourceError
from model_picker.session.live.run import Run, RunRequest
from model_picker.session.plan import RunPlan, prepare
from model_picker.ui.live.overlay_painter import render_bgr
from model_picker.ui.live.qimages import to_qimage
from model_picker.ui.shell.guard import qt_virtual

__all__ = ["FetchWorker", "HostProbe", "InferenceWorker", "RegistryLoader", "RunRequest",
           "keep_until_finished", "wait_for_retiring"]

MAX_DISPLAY_FPS = 60.0  # live sources: no screen shows more; every frame drawn beyond it steals CPU from inference
# A file at full speed goes by faster than anyone can follow (a measurement, not a demo): a 30 Hz preview looks the
# same, and every frame drawn holds the GIL PySDK's result threads need.
FULL_SPEED_DISPLAY_FPS = 30.0
_retiring: list[QThread] = []  # stopped runs still finishing: kept alive until they end


def keep_until_finished(thread: QThread) -> None:
    """A stopped thread still finishing: owned by the list, not its window, until it ends.

    A window closed (and deleted) before the thread ends must not delete a running
    QThread, nor leave a dead object in the list; ``wait_for_retiring`` waits for these at exit.
    """
    if thread.isRunning():
        thread.setParent(None)
        _retiring.append(thread)
        thread.finished.connect(lambda: _retiring.remove(thread) if thread in _retiring else None)


def wait_for_retiring(timeout_ms: int = 3000) -> None:
    """At exit: give stopping runs a moment to release their models."""
    deadline = time.monotonic() + timeout_ms / 1000
    for worker in list(_retiring):
        worker.wait(max(0, int((deadline - time.monotonic()) * 1000)))


class HostProbe(QThread):
    """Asks a host for its device types (a network call for servers and the cloud)."""

    done = Signal(str, object, str)  # host, list of device types or None, error text

    def __init__(self, host: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.host = host

    @qt_virtual()
    def run(self) -> None:
        try:
            self.done.emit(self.host, host_device_types(self.host), "")
        except InferenceError as exc:
            self.done.emit(self.host, None, str(exc))


class FetchWorker(QThread):
    """``prepare`` for one run plan, with progress and cancel; a local folder spec returns at once."""

    done = Signal(object)  # the local ModelSpec
    failed = Signal(str, str)  # message, detail
    progress = Signal(object)  # fetch.Progress, about 10 per second

    def __init__(self, plan: RunPlan, cloud_sync: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.cloud_sync = cloud_sync
        self.cancel = threading.Event()

    @qt_virtual()
    def run(self) -> None:
        try:
            self.done.emit(prepare(self.plan, cloud_sync=self.cloud_sync, progress=self.progress.emit,
                                   cancel=self.cancel))
        except InferenceError as exc:
            self.failed.emit(str(exc), exc.detail)


def paint_item(item: Any) -> np.ndarray:
    """The window's renderer for recordings and snapshots: the overlay the view paints, at the image's size."""
    return render_bgr(item.image, item.shapes)


class InferenceWorker(QThread):
    """A session Run on its own thread: frames become QImages, events become signals.

    The run (session/live/run.py) owns the model, the pipeline, the outputs and the stall
    rule; this thread only decides which results are shown (no more than the screen
    can show, and only once the view has painted the previous one).
    """

    status = Signal(str)  # what it is doing (loading, running, reconnecting)
    started_run = Signal(str)  # device description
    frame_ready = Signal(QImage, object, float, int)  # frame, overlay.Shapes, capture time (perf_counter), frame id
    stats = Signal(object)  # stats.Snapshot, about 4 per second
    still_shown = Signal(object)  # session.stills.StillShown: a photo or a folder's image was inferred once
    failed = Signal(str, str)  # message, detail
    saved = Signal(str)  # path of a snapshot / recording / export
    finished_run = Signal(object)  # final Snapshot (or None if nothing ran)

    def __init__(self, request: RunRequest, parent: Any = None) -> None:
        super().__init__(parent)
        self.request = request
        self.job = Run(request, renderer=paint_item, on_status=self.status.emit,
                       on_saved=lambda path: self.saved.emit(str(path)),
                       on_stall=lambda err: self.failed.emit(str(err), err.detail))
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

    # ----- requests from the UI thread (the run applies them, also before it has started) ----
    def stop(self) -> None:
        self.job.stop()
        self.requestInterruption()

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

    def retire(self, wait_ms: int = 0) -> None:
        """Stop without blocking the UI: the thread finishes on its own and is kept alive till then.

        ``wait_ms`` waits that long first (a camera must be free before the next run
        opens it). A stalled run may never finish: it is left behind, never joined.
        """
        self.stop()
        if wait_ms and not self.job.stalled:
            self.wait(wait_ms)
        keep_until_finished(self)

    # ----- the thread --------------------------------------------------------------------
    @qt_virtual()
    def run(self) -> None:
        job = self.job
        try:
            job.open()
        except SourceError as exc:
            self.failed.emit(str(exc), str(exc))
            self.finished_run.emit(None)
            return
        self.status.emit(f"Loading {self.request.spec.model_name}…")
        try:
            job.load()
        except InferenceError as exc:
            job.close()
            self.failed.emit(str(exc), exc.detail)
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
                self.failed.emit(str(exc), getattr(exc, "detail", str(exc)))
        except Exception as exc:
            err = explain(exc, self.request.spec.inference_host_address)
            self.failed.emit(str(err), err.detail)
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


class RegistryLoader(QThread):
    """Loads and indexes a registry (a 10,000-model file takes seconds; a URL may time out)."""

    done = Signal(object, str)  # Catalogue, the source as given
    failed = Signal(str, str)  # message (file:line:column: field: what), the source

    def __init__(self, source: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.source = source

    @qt_virtual()
    def run(self) -> None:
        from model_picker.registry import RegistryError, open_catalogue

        try:
            self.done.emit(open_catalogue(self.source), self.source)
        except RegistryError as exc:
            self.failed.emit(str(exc), self.source)
        except Exception as exc:
            self.failed.emit(f"{self.source}: {type(exc).__name__}: {exc}", self.source)
