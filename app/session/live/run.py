"""One run: a model over a source, from opening the source to releasing the model.

Both front ends drive this object, so that what a run is (open the source, load
the model, enter its context, stream through the pipeline, write the outputs,
release the model) is written once. Its rules:

- Pause, step and option changes may come from any thread at any time, also
  before the model has loaded: they wait here and apply from the first frame.
- Outputs that need drawing (recording, snapshot) use a ``renderer`` the front
  end injects (the window paints its overlay shapes, the command line keeps
  PySDK's ``image_overlay``), so this layer stays free of Qt.
- A stalled model is abandoned, not released: PySDK may never hand control
  back, and releasing a model with a frame stuck in it can abort the process
  (see inference/engine/pipeline.py). ``close`` knows this.

Lifecycle: ``open()`` (SourceError) → ``load()`` (InferenceError) → iterate
``results()`` (streams, and the command line's stills) or ``stills()`` (the
window's photos: each image inferred once) → ``close()``. ``Run`` is also a
context manager that closes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from model_picker.errors import OutputError
from model_picker.inference.counting.live import LiveCounting
from model_picker.inference.engine.compound import load_runnable
from model_picker.inference.engine.errors import InferenceError, explain
from model_picker.inference.engine.loading import describe_devices
from model_picker.inference.engine.pipeline import Pipeline
from model_picker.inference.media import overlay
from model_picker.inference.media.overlay import OverlayOptions, Shapes
from model_picker.inference.media.sources import Frame, FrameFeeder, FrameReader, SourceError, SourceSpec, open_reader
from model_picker.session.live.outputs import RunOutputs
from model_picker.session.live.stills import StillItem, StillLoop
from model_picker.zoo.validate import name_broken_file

__all__ = ["Renderer", "Run", "RunItem", "RunRequest", "pysdk_overlay"]


@dataclass
class RunRequest:
    """Everything a run needs; nothing here reads a widget or a terminal."""

    spec: Any  # a ModelSpec fitted to its host and fetched (session.plan.prepare)
    source: SourceSpec
    devices: str = "auto"
    options: OverlayOptions = field(default_factory=OverlayOptions)
    watchdog_s: float = 10.0
    output_dir: Path = field(default_factory=lambda: Path.home() / "Model Picker")
    reader: Any = None  # a FrameReader to use instead of opening the source (benchmarks: decoded frames)
    slideshow_s: float = 0.0  # folders: seconds per image (0: the user steps with next/previous)
    empty_hint: str = ""  # said with "0 detections" (e.g. a single-person pose model on a whole photo)
    in_flight: int | None = None  # frames in flight (None: the pipeline's choice for the source; a tuning override)
    max_frames: int | None = None  # stop after this many source frames
    breakdown: bool = True  # PySDK's per-step times (the CLI prints them; the window, which does not, saves the cost)


class RunItem:
    """One result of a run, with its overlay shapes described only when someone asks for them."""

    def __init__(self, frame: Frame, result: Any, done_time: float, options: OverlayOptions,
                 counting: LiveCounting | None = None) -> None:
        self.frame, self.result, self.done_time = frame, result, done_time
        self._options, self._counting = options, counting
        self.hidden_by_filter = overlay.filter_result(result, options.classes)  # before counting and outputs

    @property
    def image(self) -> np.ndarray:
        return self.frame.image

    @property
    def latency_ms(self) -> float:
        return (self.done_time - self.frame.sent_time) * 1000.0

    @cached_property
    def shapes(self) -> Shapes:
        """What the overlay draws (boxes, masks, counts): a few hundred µs, so only for frames that are shown."""
        height, width = self.image.shape[:2]
        shapes = overlay.describe(self.result, width, height, self._options)
        shapes.hidden_by_filter = self.hidden_by_filter
        if self._counting is not None:
            self._counting.decorate(shapes, self.result)
        return shapes


Renderer = Callable[[RunItem], np.ndarray]  # a result drawn as a BGR image, for recordings and snapshots


def pysdk_overlay(item: RunItem) -> np.ndarray:
    """PySDK's own drawing of the result (the command line's renderer; the default)."""
    return item.result.image_overlay


class Run:
    """One model over one source: control from any thread, the loop on one."""

    def __init__(self, request: RunRequest, *, renderer: Renderer = pysdk_overlay,
                 on_status: Callable[[str], None] | None = None, on_saved: Callable[[Path], None] | None = None,
                 on_stall: Callable[[InferenceError], None] | None = None) -> None:
        self.request = request
        self.on_status = on_status or (lambda _text: None)
        self.on_saved = on_saved or (lambda _path: None)
        self.on_stall = on_stall
        self.reader: FrameReader | None = None
        self.feeder: FrameFeeder | None = None
        self.model: Any = None
        self.pipeline: Pipeline | None = None
        self.device_text = ""  # set once the model is loaded
        self.counting = LiveCounting()  # set_setup / reset from any thread; applied at the next result
        self.inferences = 0  # results received (stills: one per image shown)
        self.results_with_detections = 0
        self.last_frame_id = -1  # of the newest result
        self.slideshow_s = request.slideshow_s
        self.model_threshold = 0.0
        self._options = request.options
        self._options_changed = threading.Event()
        self._stop = threading.Event()
        # Pause and step given before the pipeline exists (the model is loading) wait here.
        self._control = threading.Lock()
        self._paused = False
        self._pending_steps = 0
        self._snapshot_wanted = threading.Event()
        self.outputs = RunOutputs(request, renderer, self.on_saved, self._video_fps)
        self._stills = StillLoop(self)
        self._closed = False

    # ----- control (any thread, before or during the run) ---------------------------------
    @property
    def still(self) -> bool:
        return self.request.source.still

    @property
    def options(self) -> OverlayOptions:
        return self._options

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def stalled(self) -> bool:
        """The watchdog gave up on the model: it is abandoned, never released."""
        return self.pipeline is not None and self.pipeline.stalled

    def stop(self) -> None:
        self._stop.set()
        if self.pipeline is not None:
            self.pipeline.stop()
        self._stills.request("stop")

    def set_options(self, options: OverlayOptions) -> None:
        """Overlay options and threshold: applied at the next result (stills: the image is inferred again)."""
        self._options = options
        self._options_changed.set()
        self._stills.request("rerun")

    def set_paused(self, paused: bool) -> None:
        """Pause or resume now, or from the first frame if the model is still loading."""
        with self._control:
            self._paused = paused
            if self.pipeline is not None:
                (self.pipeline.pause if paused else self.pipeline.resume)()
        self._stills.request("pause")

    def step(self) -> None:
        """Exactly one more source frame (a folder: the next image), now or once the run starts."""
        with self._control:
            if self.still:
                self._stills.request(1)
            elif self.pipeline is not None:
                self.pipeline.step()
            else:
                self._pending_steps += 1

    def options_changed(self) -> bool:
        """True once after each ``set_options`` (the loop takes the change, and applies it)."""
        changed = self._options_changed.is_set()
        self._options_changed.clear()
        return changed

    @property
    def snapshot_wanted(self) -> bool:
        return self._snapshot_wanted.is_set()

    def move(self, delta: int) -> None:
        """Folders: the next (+1) or previous (-1) image."""
        self._stills.request(delta)

    def set_slideshow(self, seconds: float) -> None:
        self.slideshow_s = seconds
        self._stills.request("pause")  # wakes the wait with the new interval

    def take_snapshot(self) -> None:
        """Save the next result drawn by the renderer (a photo: the one on screen) as a PNG."""
        self._snapshot_wanted.set()
        self._stills.request("snapshot")

    def set_recording(self, on: bool | Path) -> None:
        """Record the drawn results as a video: True names a file in output_dir, a Path is that file."""
        self.outputs.record = on

    def set_exporting(self, on: bool | Path) -> None:
        """Write every detection: True writes .jsonl and .csv in output_dir, a Path that one file."""
        self.outputs.export = on

    # ----- lifecycle (the thread that runs it) --------------------------------------------
    def open(self) -> FrameReader:
        """Open the source now, so a bad one fails before any model work starts (SourceError)."""
        req = self.request
        self.reader = req.reader or open_reader(req.source)
        if not self.still:
            self.feeder = FrameFeeder(req.source, reader=self.reader, max_frames=req.max_frames,
                                      on_status=self.on_status)
        return self.reader

    def load(self) -> str:
        """Load the model, apply the options given so far and enter its context; the devices it runs on."""
        if self.reader is None:
            self.open()
        self.model = load_runnable(self.request.spec, devices=self.request.devices)
        self.model_threshold = float(self.model.output_confidence_threshold)
        self._options_changed.clear()  # the options given while loading are applied here, once
        overlay.apply(self.model, self._options, self.model_threshold)
        self.device_text = describe_devices(self.model)
        self.model.__enter__()
        return self.device_text

    def start(self) -> str:
        """``open`` then ``load``."""
        self.open()
        return self.load()

    def _make_pipeline(self) -> Pipeline:
        assert self.feeder is not None and self.model is not None, "open() and load() first"
        with self._control:  # pause and steps given while loading apply from the first frame
            self.pipeline = Pipeline(self.model, self.feeder, in_flight=self.request.in_flight,
                                     watchdog_s=self.request.watchdog_s,
                                     host=self.request.spec.inference_host_address, on_stall=self.on_stall,
                                     breakdown=self.request.breakdown)
            if self._paused:
                self.pipeline.pause()
            for _ in range(self._pending_steps):
                self.pipeline.step()
            self._pending_steps = 0
            if self._stop.is_set():
                self.pipeline.stop()
        return self.pipeline

    def results(self) -> Iterator[RunItem]:
        """Every result in order, with the outputs written; ends at the source's end or stop().

        Raises InferenceError (host, model, stall), SourceError (the source failed mid-run) or
        OutputError (a recording or export could not be written whole: that file is dropped).
        """
        if self.feeder is None:  # a still source streamed (the command line): once through
            assert self.reader is not None
            self.feeder = FrameFeeder(self.request.source, reader=self.reader, max_frames=self.request.max_frames,
                                      on_status=self.on_status)
        pipeline = self._make_pipeline()
        try:
            for done in pipeline.run():
                if self.options_changed() and overlay.apply(self.model, self._options, self.model_threshold):
                    pipeline.restart()  # PySDK reads a new threshold only in a new predict_batch
                yield self._received(done.frame, done.result, done.done_time)
        except (SourceError, OutputError):
            raise
        except Exception as exc:
            error = self._explained(exc)
            if error is exc:
                raise
            raise error from exc
        finally:
            self.close_outputs()

    def stills(self) -> Iterator[StillItem]:
        """Photos and folders: each image inferred once, again on an option change or a move (stills.py)."""
        try:
            yield from self._stills.run()
        except (SourceError, OutputError):
            raise
        except Exception as exc:
            error = self._explained(exc)
            if error is exc:
                raise
            raise error from exc

    def _explained(self, exc: Exception) -> InferenceError:
        """A failure in words, naming the broken file of a local model (PySDK may say only "Operation failed")."""
        return name_broken_file(explain(exc, self.request.spec.inference_host_address), self.request.spec)

    def _received(self, frame: Frame, result: Any, done_time: float) -> RunItem:
        """Count, track and write one result."""
        self.inferences += 1
        self.last_frame_id = frame.frame_id
        item = RunItem(frame, result, done_time, self._options, self.counting)  # the class filter applied
        if result.results:
            self.results_with_detections += 1
        self.counting.process(result)
        self.outputs.write(item)
        if self._snapshot_wanted.is_set():
            self.save_snapshot(item)
        return item

    def final_stats(self) -> Any:
        """The pipeline's final statistics (None if nothing streamed)."""
        return self.pipeline.stats.snapshot(final=True) if self.pipeline is not None else None

    def close(self) -> None:
        """Close the outputs and the source, release the model unless it stalled (then it is abandoned)."""
        if self._closed:
            return
        self._closed = True
        self.close_outputs()
        if self.feeder is not None and self.pipeline is not None:
            with contextlib.suppress(RuntimeError):  # a feeder never started (stopped before the first frame)
                self.feeder.stop()
        if self.reader is not None:
            self.reader.close()
        if self.model is not None and not self.stalled:
            try:
                self.model.__exit__(None, None, None)
            except Exception:
                pass

    def abandon(self) -> None:
        """Close the outputs but leave the model as it is (a failed run: releasing it may abort PySDK)."""
        self._closed = True
        self.close_outputs()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ----- outputs (outputs.py) --------------------------------------------------------------
    @property
    def written(self) -> list[Any]:
        """Closed VideoWriter / ResultsWriter objects, for summaries."""
        return self.outputs.written

    def save_snapshot(self, item: Any) -> Path:
        self._snapshot_wanted.clear()
        return self.outputs.snapshot(item)

    def close_outputs(self) -> None:
        self.outputs.close()

    def _video_fps(self) -> float:
        if self.request.source.kind == "video" and self.reader is not None and self.reader.fps > 0:
            return self.reader.fps
        live = self.pipeline.stats.rolling_fps() if self.pipeline is not None else 0.0
        return max(1.0, live) if live else 10.0
