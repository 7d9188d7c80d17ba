"""The run half of the main window: fetching, running and the live view's signals.

``RunController`` owns the fetch and inference workers and drives the live panel
(the run's view); the window holds one as ``self.runs`` and hears from it through
signals (status-bar messages, errors, fetch progress). What a run is lives in the
session layer (session/plan.py, session/live/run.py); this object only turns the
user's clicks into runs and the runs' signals into pixels. Every slot checks that
the worker it hears from is still the current one: a run the user left keeps
finishing in the background, unheard.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QWidget

from model_picker.inference.engine.compound import pair_for_model
from model_picker.inference.engine.stats import percentile
from model_picker.inference.media import overlay
from model_picker.inference.media.overlay import OverlayOptions
from model_picker.inference.media.sources import SourceError
from model_picker.inference.validation.tuning import BestSettings
from model_picker.redact import redact
from model_picker.session.live.run import RunRequest
from model_picker.session.live.stills import StillShown
from model_picker.session.plan import RunPlan
from model_picker.session.state import Session
from model_picker.ui.counting.controls import attach as attach_counting
from model_picker.ui.live.hud import HudInfo
from model_picker.ui.live.panel import LivePanel
from model_picker.ui.live.worker import InferenceWorker
from model_picker.ui.shell import settings as stored
from model_picker.ui.shell.log_panel import log
from model_picker.ui.shell.settings_bar import SettingsBar
from model_picker.ui.shell.workers import FetchWorker
from model_picker.zoo.hosts import needs_fetch

PlanSource = Callable[[], tuple[RunPlan | None, str]]  # the selected entry's plan, or None and why


class RunController(QObject):
    """Fetch, run, stop, pause, step, overlay options, frames and statistics."""

    message = Signal(str, int)  # a status-bar message and how long it stays (ms)
    error = Signal(str)  # the last error, as shown to the user
    fetch_progress = Signal(str, int, int)  # text, value, maximum (0: busy, no figure yet)
    fetch_ended = Signal()

    def __init__(self, live: LivePanel, settings_bar: SettingsBar, settings: QSettings, session: Session,
                 current_plan: PlanSource, parent: QWidget) -> None:
        super().__init__(parent)
        self.live, self.settings_bar, self.settings, self.session = live, settings_bar, settings, session
        self.current_plan = current_plan
        self.dialog_parent = parent
        self.counting: Any = None  # the counting row (counting_controls.install), set by the window
        self.fetcher: FetchWorker | None = None
        self.worker: InferenceWorker | None = None
        self.glass_ms: deque[float] = deque(maxlen=300)  # capture -> painted, for the HUD and benchmarks
        self._frame_capture: float | None = None
        self.shown_frame_id = -1
        self.best_settings = BestSettings()  # a tuning sweep's best, per (model, host), for live runs
        self._connect_live()

    def _connect_live(self) -> None:
        live = self.live
        live.controls.run_requested.connect(self.run)
        live.controls.stop_requested.connect(self.stop_run)
        live.controls.pause_toggled.connect(self.pause_run)
        live.controls.step_requested.connect(self.step_run)
        live.controls.move_requested.connect(self.move_run)
        live.controls.slideshow_changed.connect(lambda seconds: self.worker and self.worker.set_slideshow(seconds))
        live.controls.snapshot_requested.connect(lambda: self.worker and self.worker.take_snapshot())
        live.controls.record_toggled.connect(lambda on: self.worker and self.worker.set_recording(on))
        live.controls.export_toggled.connect(lambda on: self.worker and self.worker.set_exporting(on))
        live.overlay.changed.connect(self.options_changed)
        live.video.frame_shown.connect(self._frame_shown)
        live.sources.changed.connect(self._source_changed)

    # ----- fetching and running -----------------------------------------------------------
    def selected_plan(self) -> tuple[RunPlan | None, Any, str]:
        """(the selection's plan, its spec fitted to the host; or None, None and why not)."""
        plan, problem = self.current_plan()
        if plan is None:
            return None, None, problem
        spec, problem = self.session.current_spec(host=plan.host)
        return (plan, spec, "") if spec is not None else (None, None, problem)

    def fetch_selected(self) -> None:
        plan, spec, problem = self.selected_plan()
        if plan is None:
            self.message.emit(problem, 6000)
            return
        self._fetch(plan, spec, then_run=False)

    def _fetch(self, plan: RunPlan, spec: Any, then_run: bool) -> None:
        """Starting a fetch cancels the one running (the user's last request wins)."""
        self.cancel_fetch()
        fetcher = FetchWorker(plan, parent=self)
        fetcher.done.connect(lambda local: self._fetched(fetcher, local, then_run))
        fetcher.failed.connect(lambda message, detail: self._fetch_failed(fetcher, message, detail))
        fetcher.progress.connect(self._fetch_progress)
        self.fetcher = fetcher
        self.fetch_progress.emit(f"Fetching {spec.model_name}…", 0, 0)
        self.live.video.set_message(f"Fetching {spec.model_name}…")
        log.info("fetching %s from %s", spec.model_name, spec.zoo_url or "the default zoo")
        fetcher.start()

    def cancel_fetch(self) -> None:
        if self.fetcher is not None and self.fetcher.isRunning():
            self.fetcher.stop()
        self.fetcher = None
        self.fetch_ended.emit()

    def _fetch_progress(self, progress: Any) -> None:
        if self.sender() is not self.fetcher:
            return
        value = int(1000 * progress.received / progress.total) if progress.total else 0
        self.fetch_progress.emit(progress.text(), value, 1000 if progress.total else 0)

    def _fetched(self, fetcher: FetchWorker, local: Any, then_run: bool) -> None:
        if fetcher is not self.fetcher:
            return
        self.cancel_fetch()
        log.info("%s is in the local cache: %s", local.model_name, local.zoo_url)
        if then_run:
            self.start_run(local)
        else:
            self.live.video.set_message("")
            self.message.emit(f"{local.model_name} is ready for offline use", 6000)

    def _fetch_failed(self, fetcher: FetchWorker, message: str, detail: str) -> None:
        if fetcher is not self.fetcher and "cancelled" not in message:
            return
        self.cancel_fetch()
        self.show_failure(message, detail)

    def run(self) -> None:
        plan, spec, problem = self.selected_plan()
        if plan is None:
            self.live.video.set_message(f"Cannot run: {problem}")
            return
        if needs_fetch(spec):
            self._fetch(plan, spec, then_run=True)
        else:
            self.start_run(spec)

    def start_run(self, spec: Any) -> None:
        """Run ``spec`` on the chosen source; a run in progress is stopped first (model switch)."""
        try:
            source = self.live.sources.source_spec()
        except SourceError as exc:
            self.live.video.set_message(str(exc))
            return
        self.stop_run()
        self.live.overlay.threshold = self.settings_bar.threshold_value()
        best = self.best_settings.get(spec.model_name, spec.inference_host_address)  # Validate's "use the best"
        request = RunRequest(spec=best.apply(spec) if best else spec, source=source,
                             devices=best.devices if best else self.settings_bar.devices.currentText(),
                             options=self.live.overlay.options(), output_dir=stored.output_dir(self.settings),
                             watchdog_s=stored.get_float(self.settings, "watchdog_s", 10.0),
                             slideshow_s=self.live.controls.slideshow.value(), empty_hint=self._empty_hint(spec),
                             in_flight=best.in_flight if best else None, breakdown=False)
        worker = InferenceWorker(request, self)
        worker.status.connect(lambda text: self._run_status(worker, text))
        worker.still_shown.connect(lambda shown: self._still_shown(worker, shown))
        worker.started_run.connect(lambda device: self._run_started(worker, device))
        worker.frame_ready.connect(self._frame_ready)
        worker.stats.connect(lambda snap: self._stats(worker, snap))
        worker.failed.connect(lambda message, detail: self._run_failed(worker, message, detail))
        worker.saved.connect(lambda path: (self.message.emit(f"Saved {path}", 8000),
                                           log.info("saved %s", path)))
        worker.finished_run.connect(lambda snap: self._run_finished(worker, snap))
        worker.display_size = self.live.video.display_size()
        worker.set_recording(self.live.controls.record_button.isChecked())
        worker.set_exporting(self.live.controls.export_button.isChecked())
        attach_counting(self.counting, worker, self._task_of(spec))
        self.worker = worker
        self.glass_ms.clear()
        self.live.controls.set_running(True)
        self.live.controls.state_label.setText(f"Loading {spec.model_name}…")
        self.live.video.set_message(f"Loading {spec.model_name}…")
        log.info("run %s on %s via %s", spec.model_name, source.describe(), spec.inference_host_address)
        worker.start()

    def _task_of(self, spec: Any) -> Any:
        catalogue = self.session.catalogue
        try:
            return catalogue.entries[catalogue.index_of(spec.model_name)].task
        except (AttributeError, KeyError, IndexError):
            return None

    def _empty_hint(self, spec: Any) -> str:
        """Why a model may find nothing on a whole photo, and what to run instead."""
        catalogue = self.session.catalogue
        pair = pair_for_model(catalogue.entries, spec.model_name) if catalogue is not None else ""
        if not pair:
            return ""
        return (f"{spec.model_name} expects one person, cropped and centred; on a whole photo run "
                f"{pair} (COCO SSD finds each person first)")

    def stop_run(self) -> None:
        """Stop the run at once; its thread finishes in the background (its signals are ignored)."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.retire(wait_ms=3000 if worker.request.source.kind == "camera" else 0)
        self.live.controls.set_running(False)
        self.live.controls.state_label.setText("")

    def pause_run(self, paused: bool) -> None:
        """Pause or resume; given while the model loads, it applies from the run's first frame."""
        if self.worker is None:
            return
        self.worker.set_paused(paused)
        if self.worker.device_text:  # running: else the label still says Loading, and will say Paused
            self.live.controls.state_label.setText("Paused" if paused else "Running")

    def step_run(self) -> None:
        """Exactly one more source frame (a folder: the next image); while loading, once it runs."""
        if self.worker is not None:
            self.worker.step()

    def move_run(self, delta: int) -> None:
        if self.worker is not None:
            self.worker.move(delta)

    def options_changed(self, options: OverlayOptions) -> None:
        if self.worker is not None:
            self.worker.set_options(options)
        self.check_class_filter()

    def check_class_filter(self) -> str:
        """Flag the class filter on its field when it hides every class of the running model; the warning."""
        warning = ""
        worker = self.worker
        if worker is not None and worker.device_text:  # loaded: its labels are known
            labels = overlay.model_labels(worker.job.model)
            warning = overlay.filter_warning(self.live.overlay.options().classes, labels)
        named = f"{warning} ({worker.request.spec.model_name})" if warning and worker is not None else ""
        self.live.overlay.set_classes_warning(named)
        return warning

    def _source_changed(self) -> None:
        """A new source while running: run the selected model on it (the selection is what the user sees).

        When the selected row cannot run, the running model goes on with the new
        source and the status bar says which model that is, and why.
        """
        if self.worker is None or not self.worker.isRunning():
            return
        plan, _spec, problem = self.selected_plan()
        if plan is not None:
            self.run()
            return
        spec = self.worker.request.spec
        self.start_run(spec)
        self.message.emit(f"Running {spec.model_name} on the new source: the selected model cannot run "
                          f"({problem})", 10000)

    def selection_changed(self) -> None:
        """Another row selected while a model runs: the HUD says which one runs and how to switch."""
        worker = self.worker
        if worker is not None and worker.device_text and self.live.video.hud is not None:
            self.live.video.set_hud(replace(self.live.video.hud, warnings=self._warnings(worker)))

    def _selection_note(self, worker: InferenceWorker) -> str:
        """"" when the selected row is the running model; else which is selected and how to run it."""
        catalogue, index = self.session.catalogue, self.session.selected
        if catalogue is None or index is None or not 0 <= index < len(catalogue.entries):
            return ""
        selected, running = catalogue.entries[index].name, worker.request.spec.model_name
        if selected == running:
            return ""
        return f"selected {selected}: Run (F5) runs it"  # the HUD's first line names the running model

    def _warnings(self, worker: InferenceWorker) -> tuple[str, ...]:
        return tuple(note for note in (self.check_class_filter(), self._selection_note(worker)) if note)

    def _run_status(self, worker: InferenceWorker, text: str) -> None:
        if worker is not self.worker or not text:
            return  # a run the user already left
        text = redact(text)
        self.live.controls.state_label.setText(text)
        self.live.controls.state_label.setToolTip(text)  # the label may be cut
        log.warning(text) if "lost" in text or "skipped" in text or "early" in text else log.info(text)

    def _run_started(self, worker: InferenceWorker, device: str) -> None:
        if worker is self.worker:
            self.live.controls.state_label.setText("Paused" if worker.paused else "Running")
            self.live.video.set_message("")
            self.check_class_filter()
            log.info("running on %s", device)

    def _still_shown(self, worker: InferenceWorker, shown: StillShown) -> None:
        """A photo inferred once: what was found, and in how long; no frame rate (there is no stream)."""
        if worker is not self.worker:
            return
        where = f"image {shown.index + 1} of {shown.count}: {shown.name}" if shown.count > 1 else shown.name
        found = shown.found or f"{shown.detections} detection{'s' if shown.detections != 1 else ''}"
        still = [where, f"{found} · inferred once in {shown.latency_ms:.0f} ms"]
        if shown.skipped:
            still.append(f"{shown.skipped} unreadable image(s) skipped (see View → Log)")
        warning = self.check_class_filter()
        self.live.video.set_hud(HudInfo(worker.request.spec.model_name, worker.device_text,
                                        worker.request.spec.inference_host_address, still=tuple(still),
                                        warnings=self._warnings(worker)))
        self.live.controls.state_label.setText(found)  # which image: in the HUD (the label may be cut)
        message = ""
        if not shown.detections:
            message = self._empty_message(shown, found)
            if warning:
                message += f"\nThe {warning}."
            if worker.request.empty_hint:
                message += f"\n{worker.request.empty_hint}."
        self.live.video.set_message(message)

    def _empty_message(self, shown: StillShown, found: str) -> str:
        """Why a photo shows nothing: how many the class filter hid and how many the threshold hid."""
        if "detection" not in found:
            return f"Nothing found above the threshold ({found})."
        classes = self.live.overlay.options().classes
        hid_filter = (f"the class filter ({', '.join(classes)}) hid {shown.hidden_by_filter}" if classes
                      else "no class filter is set")
        if shown.floor:
            hid_threshold = (f"the threshold {shown.threshold:.2f} hid {shown.below_threshold}"
                             f" (scored {shown.floor:.2f} to {shown.threshold:.2f})")
        else:
            hid_threshold = "nothing found above the threshold"
        return f"0 detections: {hid_filter}; {hid_threshold}."

    def _frame_ready(self, image: Any, shapes: Any, capture_time: float, frame_id: int) -> None:
        if self.sender() is not self.worker:
            return
        self._frame_capture = capture_time
        self.shown_frame_id = frame_id
        self.live.video.show_frame(image, shapes)

    def view_resized(self) -> None:
        """The window was resized: frames are scaled to the view's new size on the worker thread."""
        if self.worker is not None:
            self.worker.display_size = self.live.video.display_size()

    def _frame_shown(self, painted: float) -> None:
        if self._frame_capture is not None:
            self.glass_ms.append((painted - self._frame_capture) * 1000)
            self._frame_capture = None
        if self.worker is not None:
            self.worker.frame_painted()

    def _stats(self, worker: InferenceWorker, snap: Any) -> None:
        if worker is not self.worker:
            return
        self.live.video.set_hud(HudInfo(
            worker.request.spec.model_name, worker.device_text, worker.request.spec.inference_host_address, snap.fps,
            snap.latency_p50_ms, snap.latency_p95_ms, percentile(list(self.glass_ms), 50), snap.skipped, snap.late,
            warnings=self._warnings(worker)))

    def show_failure(self, message: str, detail: str) -> None:
        """A worker's ``failed``: the line on the video and in the Log, the detail in the Log only."""
        message, detail = redact(message), redact(detail)  # a stream URL may carry a password
        self.error.emit(message)
        log.error("%s", message)
        if detail and detail != message:
            log.info("details: %s", detail)
        self.live.video.set_message(f"{message}\n\nThe details are in View → Log.")
        self.live.controls.state_label.setText("Failed")

    def _run_failed(self, worker: InferenceWorker, message: str, detail: str) -> None:
        if worker is not self.worker:
            return  # a run the user already left
        self.stop_run()  # the window is ready for the next run at once, even if PySDK is still stuck
        self.show_failure(message, detail)

    def _run_finished(self, worker: InferenceWorker, snap: Any) -> None:
        if snap is not None and snap.frames:
            log.info("%s: %d frames, %.1f FPS, latency p50 %.1f ms p95 %.1f ms", worker.request.spec.model_name,
                     snap.frames, snap.average_fps, snap.latency_p50_ms, snap.latency_p95_ms)
        if worker is self.worker:
            self.worker = None
            self.live.controls.set_running(False)
            if self.live.controls.state_label.text() != "Failed":
                self.live.controls.state_label.setText("Finished")
