"""Long work off the UI thread: probing a host, fetching a model, running inference.

Each worker is a QThread that talks only through signals (delivered queued on
the UI thread). The inference worker converts a frame to a QImage only when the
view has painted the previous one, so the UI thread never has a backlog; every
result still counts in the statistics. A run whose model stalled is abandoned,
not joined: PySDK may never return, and releasing such a model can abort.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from ..inference import overlay
from ..inference.compound import load_runnable
from ..inference.errors import InferenceError, explain
from ..inference.export import ResultsWriter, VideoWriter, save_snapshot
from ..inference.live_counting import LiveCounting
from ..inference.loading import describe_devices, host_device_types
from ..inference.overlay import OverlayOptions
from ..inference.pipeline import Pipeline
from ..inference.sources import FrameFeeder, FrameReader, SourceError, SourceSpec, open_reader
from ..zoo.fetch import ensure_local
from .guard import qt_virtual
from .overlay_painter import render_bgr
from .still_runs import StillRunsMixin

MAX_DISPLAY_FPS = 60.0  # no screen shows more; every frame drawn beyond it steals CPU from inference
_retiring: list[QThread] = []  # stopped runs still finishing: kept alive until they end


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
    """``ensure_local`` for one spec, with progress and cancel; a local folder spec returns at once."""

    done = Signal(object)  # the local ModelSpec
    failed = Signal(str, str)  # message, detail
    progress = Signal(object)  # fetch.Progress, about 10 per second

    def __init__(self, spec: Any, cloud_sync: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.cloud_sync = cloud_sync
        self.cancel = threading.Event()

    @qt_virtual()
    def run(self) -> None:
        try:
            self.done.emit(ensure_local(self.spec, cloud_sync=self.cloud_sync, progress=self.progress.emit,
                                        cancel=self.cancel))
        except InferenceError as exc:
            self.failed.emit(str(exc), exc.detail)


@dataclass
class RunRequest:
    """Everything a run needs; the worker never reads widgets."""

    spec: Any
    source: SourceSpec
    devices: str = "auto"
    options: OverlayOptions = field(default_factory=OverlayOptions)
    watchdog_s: float = 10.0
    output_dir: Path = field(default_factory=lambda: Path.home() / "Model Picker")
    reader: Any = None  # a FrameReader to use instead of opening the source (benchmarks: decoded frames)
    slideshow_s: float = 0.0  # folders: seconds per image (0: the user steps with next/previous)
    empty_hint: str = ""  # said with "0 detections" (e.g. a single-person pose model on a whole photo)
    in_flight: int | None = None  # frames in flight (a tuning sweep's best); None: the pipeline's default


def to_qimage(bgr: np.ndarray, fit: tuple[int, int] | None = None) -> QImage:
    """BGR ndarray -> QImage that owns its pixels (safe to hand to the UI thread).

    ``fit``: the view's size; the frame is scaled here (OpenCV, on the worker
    thread) so the UI thread only copies pixels instead of smooth-scaling them.
    """
    if fit is not None and fit[0] > 0 and fit[1] > 0:
        height, width = bgr.shape[:2]
        scale = min(fit[0] / width, fit[1] / height)
        if abs(scale - 1.0) > 0.02:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_LINEAR)  # INTER_AREA costs ~3 ms a frame
    bgr = np.ascontiguousarray(bgr)
    height, width = bgr.shape[:2]
    return QImage(bgr.data, width, height, 3 * width, QImage.Format.Format_BGR888).copy()


class InferenceWorker(StillRunsMixin, QThread):
    """Loads a model and streams a source through it until the end, stop() or a failure."""

    status = Signal(str)  # what it is doing (loading, running, reconnecting)
    started_run = Signal(str)  # device description
    frame_ready = Signal(QImage, object, float, int)  # frame, overlay.Shapes, capture time (perf_counter), frame id
    stats = Signal(object)  # stats.Snapshot, about 4 per second
    still_shown = Signal(object)  # StillShown (still_runs.py): a photo or a folder's image was inferred once
    failed = Signal(str, str)  # message, detail
    saved = Signal(str)  # path of a snapshot / recording / export
    finished_run = Signal(object)  # final Snapshot (or None if nothing ran)

    def __init__(self, request: RunRequest, parent: Any = None) -> None:
        super().__init__(parent)
        self.request = request
        self.pipeline: Pipeline | None = None
        self.display_ready = threading.Event()
        self.display_ready.set()
        self._options = request.options
        self._options_changed = threading.Event()
        self._snapshot_wanted = threading.Event()
        self._record = threading.Event()
        self._export = threading.Event()
        self.display_size: tuple[int, int] | None = None  # set by the view: frames are scaled to it here
        self.device_text = ""
        self.results_with_detections = 0  # for the HUD and tests: did the model find anything
        self.inferences = 0  # results received (stills: one per image shown)
        self.last_frame_id = -1  # of the newest result, shown or not
        # Pause and step given before the pipeline exists (the model is loading) wait here.
        self._control = threading.Lock()
        self._paused = False
        self._pending_steps = 0
        self._still_requests: queue.Queue = queue.Queue()  # stills: "rerun", +1 / -1 (move)
        self.slideshow_s = request.slideshow_s
        self.counting = LiveCounting()  # set_setup / reset from the UI thread; applied here at the next result

    # ----- requests from the UI thread -------------------------------------------------
    def stop(self) -> None:
        if self.pipeline is not None:
            self.pipeline.stop()
        self.requestInterruption()
        self._still_requests.put("stop")

    def set_options(self, options: OverlayOptions) -> None:
        self._options = options
        self._options_changed.set()
        self._still_requests.put("rerun")

    def set_paused(self, paused: bool) -> None:
        """Pause or resume now, or as soon as the run starts if the model is still loading."""
        with self._control:
            self._paused = paused
            if self.pipeline is not None:
                (self.pipeline.pause if paused else self.pipeline.resume)()
        self._still_requests.put("pause")

    def step(self) -> None:
        """Exactly one more source frame (a folder: the next image), now or once the run starts."""
        with self._control:
            if self.request.source.still:
                self._still_requests.put(1)
            elif self.pipeline is not None:
                self.pipeline.step()
            else:
                self._pending_steps += 1

    def set_slideshow(self, seconds: float) -> None:
        self.slideshow_s = seconds
        self._still_requests.put("pause")  # wakes the wait with the new interval

    def move(self, delta: int) -> None:
        """Folders: show the next (+1) or previous (-1) image."""
        self._still_requests.put(delta)

    @property
    def paused(self) -> bool:
        return self._paused

    def take_snapshot(self) -> None:
        self._snapshot_wanted.set()
        if self.request.source.still:
            self._still_requests.put("snapshot")  # a photo is not re-inferred: save what is on screen

    def set_recording(self, on: bool) -> None:
        (self._record.set if on else self._record.clear)()

    def set_exporting(self, on: bool) -> None:
        (self._export.set if on else self._export.clear)()

    def frame_painted(self) -> None:
        self.display_ready.set()

    def retire(self, wait_ms: int = 0) -> None:
        """Stop without blocking the UI: the thread finishes on its own and is kept alive till then.

        ``wait_ms`` waits that long first (a camera must be free before the next run
        opens it). A stalled run may never finish: it is left behind, never joined.
        """
        self.stop()
        if wait_ms and not (self.pipeline is not None and self.pipeline.stalled):
            self.wait(wait_ms)
        if self.isRunning():
            # Owned by the list, not the window: a window closed (and deleted) before the thread
            # ends must not delete a running QThread, nor leave a dead object in the list.
            self.setParent(None)
            _retiring.append(self)
            self.finished.connect(lambda: _retiring.remove(self) if self in _retiring else None)

    # ----- the thread --------------------------------------------------------------------
    @qt_virtual()
    def run(self) -> None:
        req = self.request
        snapshot = None
        try:
            if req.source.still:
                reader: FrameReader = req.reader or open_reader(req.source)
            else:
                feeder = FrameFeeder(req.source, reader=req.reader, on_status=self.status.emit)
                reader = feeder.reader
        except SourceError as exc:
            self.failed.emit(str(exc), str(exc))
            self.finished_run.emit(None)
            return
        self.status.emit(f"Loading {req.spec.model_name}…")
        try:
            model = load_runnable(req.spec, devices=req.devices)
        except InferenceError as exc:
            reader.close()
            self.failed.emit(str(exc), exc.detail)
            self.finished_run.emit(None)
            return
        if self.isInterruptionRequested():
            reader.close()
            self.finished_run.emit(None)
            return
        model_threshold = float(model.output_confidence_threshold)
        self._options_changed.clear()  # the options given while loading are applied here, once
        overlay.apply(model, self._options, model_threshold)
        self.device_text = describe_devices(model)
        if req.source.still:
            self._run_stills(model, model_threshold, reader)
            return
        with self._control:  # pause and steps given while loading apply from the first frame
            self.pipeline = Pipeline(model, feeder, in_flight=req.in_flight, watchdog_s=req.watchdog_s,
                                     host=req.spec.inference_host_address,
                                     on_stall=lambda err: self.failed.emit(str(err), err.detail))
            if self._paused:
                self.pipeline.pause()
            for _ in range(self._pending_steps):
                self.pipeline.step()
            self._pending_steps = 0
        self.started_run.emit(self.device_text)
        try:
            model.__enter__()
            self._stream(model, model_threshold, feeder)
        except (InferenceError, SourceError) as exc:
            if not self.pipeline.stalled:  # a stall was reported by the watchdog already
                err = exc if isinstance(exc, InferenceError) else explain(exc)
                self.failed.emit(str(exc), getattr(err, "detail", str(exc)))
        except Exception as exc:
            err = explain(exc, req.spec.inference_host_address)
            self.failed.emit(str(err), err.detail)
        finally:
            self._close_outputs()
            snapshot = self.pipeline.stats.snapshot(final=True)
            if not self.pipeline.stalled:
                try:
                    model.__exit__(None, None, None)
                except Exception:
                    pass
        self.finished_run.emit(snapshot)

    def _stream(self, model: Any, model_threshold: float, feeder: FrameFeeder) -> None:
        assert self.pipeline is not None
        last_stats = last_shown = 0.0
        self._video: VideoWriter | None = None
        self._results: list[ResultsWriter] = []
        for item in self.pipeline.run():
            if self._options_changed.is_set():
                self._options_changed.clear()
                if overlay.apply(model, self._options, model_threshold):
                    self.pipeline.restart()
            self.inferences += 1
            self.last_frame_id = item.frame.frame_id
            if item.result.results:
                self.results_with_detections += 1
            self.counting.process(item.result)
            now = time.perf_counter()
            show = self.display_ready.is_set() and now - last_shown >= 1.0 / MAX_DISPLAY_FPS
            # The view draws the overlay (not PySDK's image_overlay, a full-frame copy per result):
            # only the result's shapes are described here, and only for frames someone will see.
            wanted = self._record.is_set() or show or self._snapshot_wanted.is_set()
            frame = item.frame.image
            shapes = overlay.describe(item.result, frame.shape[1], frame.shape[0], self._options) if wanted else None
            if shapes is not None:
                self.counting.decorate(shapes, item.result)
            self._write_outputs(item, frame, shapes, feeder)
            if shapes is not None:
                if self._snapshot_wanted.is_set():
                    self._snapshot_wanted.clear()
                    path = save_snapshot(render_bgr(frame, shapes), self._output_path("snapshot", ".png"))
                    self.saved.emit(str(path))
                if show:
                    last_shown = now
                    self.display_ready.clear()
                    self.frame_ready.emit(to_qimage(frame, self.display_size), shapes, item.frame.capture_time,
                                          item.frame.frame_id)
            if now - last_stats >= 0.25:
                last_stats = now
                self.stats.emit(self.pipeline.stats.snapshot())
        self.stats.emit(self.pipeline.stats.snapshot(final=True))

    def _qimage(self, bgr: np.ndarray) -> QImage:
        return to_qimage(bgr, self.display_size)

    def _output_path(self, kind: str, suffix: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        return self.request.output_dir / f"{self.request.spec.model_name}-{kind}-{stamp}{suffix}"

    def _write_outputs(self, item: Any, frame: np.ndarray, shapes: Any, feeder: FrameFeeder) -> None:
        if self._record.is_set() and shapes is not None:
            if self._video is None:
                live_fps = self.pipeline.stats.rolling_fps() if self.pipeline else 0.0
                fps = feeder.fps if self.request.source.kind == "video" else max(1.0, live_fps)
                self._video = VideoWriter(self._output_path("recording", ".mp4"), fps)
            self._video.write(render_bgr(frame, shapes))
        elif not self._record.is_set() and self._video is not None:
            self._video.close()
            self.saved.emit(str(self._video.path))
            self._video = None
        if self._export.is_set():
            if not self._results:
                base = self._output_path("detections", "")
                self._results = [ResultsWriter(base.with_suffix(".jsonl")), ResultsWriter(base.with_suffix(".csv"))]
            for writer in self._results:
                writer.write(item.frame.frame_id, item.frame.position_s, item.result)
        elif self._results:
            self._close_results()

    def _close_results(self) -> None:
        for writer in self._results:
            writer.close()
            self.saved.emit(str(writer.path))
        self._results = []

    def _close_outputs(self) -> None:
        if getattr(self, "_video", None) is not None:
            self._video.close()
            self.saved.emit(str(self._video.path))
            self._video = None
        if getattr(self, "_results", None):
            self._close_results()


class RegistryLoader(QThread):
    """Loads and indexes a registry (a 10,000-model file takes seconds; a URL may time out)."""

    done = Signal(object, str)  # Catalogue, the source as given
    failed = Signal(str, str)  # message (file:line:column: field: what), the source

    def __init__(self, source: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.source = source

    @qt_virtual()
    def run(self) -> None:
        from ..registry import RegistryError, open_catalogue

        try:
            self.done.emit(open_catalogue(self.source), self.source)
        except RegistryError as exc:
            self.failed.emit(str(exc), self.source)
        except Exception as exc:
            self.failed.emit(f"{self.source}: {type(exc).__name__}: {exc}", self.source)
