"""The run half of the main window: fetching, running, the live view's signals (validating: validate_actions.py).

Kept apart from main_window.py (the catalogue half) for readers; it is a mixin
of MainWindow and uses the widgets and workers MainWindow builds. Every slot
checks that the worker it hears from is still the current one: a run the user
left keeps finishing in the background, unheard.
"""

from __future__ import annotations

from typing import Any

from ..inference.compound import pair_for_model
from ..inference.overlay import OverlayOptions
from ..inference.sources import SourceError
from ..inference.stats import percentile
from ..redact import redact
from ..zoo.hosts import needs_fetch
from . import settings as stored
from .counting_controls import attach as attach_counting
from .guard import qt_virtual
from .hud import HudInfo
from .log_panel import log
from .still_runs import StillShown
from .workers import FetchWorker, InferenceWorker, RunRequest


class RunActionsMixin:
    """Fetch, run, stop, pause, step, overlay options, frames and statistics."""

    # ----- fetching and running -----------------------------------------------------------
    def fetch_selected(self) -> None:
        spec, problem = self.current_spec()
        if spec is None:
            self.statusBar().showMessage(problem, 6000)
            return
        self._fetch(spec, then_run=False)

    def _fetch(self, spec: Any, then_run: bool) -> None:
        """Starting a fetch cancels the one running (the user's last request wins)."""
        self.cancel_fetch()
        fetcher = FetchWorker(spec, parent=self)
        fetcher.done.connect(lambda local: self._fetched(fetcher, local, then_run))
        fetcher.failed.connect(lambda message, detail: self._fetch_failed(fetcher, message, detail))
        fetcher.progress.connect(self._fetch_progress)
        self.fetcher = fetcher
        self.fetch_bar.setRange(0, 0)
        self.fetch_bar.setFormat(f"Fetching {spec.model_name}…")
        self.fetch_bar.show()
        self.fetch_cancel.show()
        self.live.video.set_message(f"Fetching {spec.model_name}…")
        log.info("fetching %s from %s", spec.model_name, spec.zoo_url or "the default zoo")
        fetcher.start()

    def cancel_fetch(self) -> None:
        if self.fetcher is not None and self.fetcher.isRunning():
            self.fetcher.cancel.set()
        self.fetcher = None
        self.fetch_bar.hide()
        self.fetch_cancel.hide()

    def _fetch_progress(self, progress: Any) -> None:
        if self.sender() is not self.fetcher:
            return
        if progress.total:
            self.fetch_bar.setRange(0, 1000)
            self.fetch_bar.setValue(int(1000 * progress.received / progress.total))
        self.fetch_bar.setFormat(progress.text())

    def _fetched(self, fetcher: FetchWorker, local: Any, then_run: bool) -> None:
        if fetcher is not self.fetcher:
            return
        self.cancel_fetch()
        log.info("%s is in the local cache: %s", local.model_name, local.zoo_url)
        if then_run:
            self.start_run(local)
        else:
            self.live.video.set_message("")
            self.statusBar().showMessage(f"{local.model_name} is ready for offline use", 6000)

    def _fetch_failed(self, fetcher: FetchWorker, message: str, detail: str) -> None:
        if fetcher is not self.fetcher and "cancelled" not in message:
            return
        self.cancel_fetch()
        self._worker_failed(message, detail)

    def run(self) -> None:
        spec, problem = self.current_spec()
        if spec is None:
            self.live.video.set_message(f"Cannot run: {problem}")
            return
        if needs_fetch(spec):
            self._fetch(spec, then_run=True)
        else:
            self.start_run(spec)

    def start_run(self, spec: Any) -> None:
        """Run ``spec`` on the chosen source; a run in progress is stopped first (model switch)."""
        try:
            source = self.live.source_spec()
        except SourceError as exc:
            self.live.video.set_message(str(exc))
            return
        self.stop_run()
        self.live.threshold = self.settings_bar.threshold_value()
        best = self.best_settings.get(spec.model_name, spec.inference_host_address)  # Validate's "use the best"
        request = RunRequest(spec=best.apply(spec) if best else spec, source=source,
                             devices=best.devices if best else self.settings_bar.devices.currentText(),
                             options=self.live.options(), output_dir=stored.output_dir(self.settings),
                             watchdog_s=stored.get_float(self.settings, "watchdog_s", 10.0),
                             slideshow_s=self.live.slideshow.value(), empty_hint=self._empty_hint(spec),
                             in_flight=best.in_flight if best else None)
        worker = InferenceWorker(request, self)
        worker.status.connect(lambda text: self._run_status(worker, text))
        worker.still_shown.connect(lambda shown: self._still_shown(worker, shown))
        worker.started_run.connect(lambda device: self._run_started(worker, device))
        worker.frame_ready.connect(self._frame_ready)
        worker.stats.connect(lambda snap: self._stats(worker, snap))
        worker.failed.connect(lambda message, detail: self._run_failed(worker, message, detail))
        worker.saved.connect(lambda path: (self.statusBar().showMessage(f"Saved {path}", 8000),
                                           log.info("saved %s", path)))
        worker.finished_run.connect(lambda snap: self._run_finished(worker, snap))
        worker.display_size = self.live.video.display_size()
        worker.set_recording(self.live.record_button.isChecked())
        worker.set_exporting(self.live.export_button.isChecked())
        attach_counting(self.counting, worker, self._task_of(spec))
        self.worker = worker
        self.glass_ms.clear()
        self.live.set_running(True)
        self.live.state_label.setText(f"Loading {spec.model_name}…")
        self.live.video.set_message(f"Loading {spec.model_name}…")
        log.info("run %s on %s via %s", spec.model_name, source.describe(), spec.inference_host_address)
        worker.start()

    def _task_of(self, spec: Any) -> Any:
        try:
            return self.catalogue.entries[self.catalogue.index_of(spec.model_name)].task
        except (AttributeError, KeyError, IndexError):
            return None

    def _empty_hint(self, spec: Any) -> str:
        """Why a model may find nothing on a whole photo, and what to run instead."""
        pair = pair_for_model(self.catalogue.entries, spec.model_name) if self.catalogue is not None else ""
        if not pair:
            return ""
        return (f"{spec.model_name} expects one person, cropped and centred; on a whole photo run "
                f"{pair} (COCO SSD finds each person first)")

    def stop_run(self) -> None:
        """Stop the run at once; its thread finishes in the background (its signals are ignored)."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.retire(wait_ms=3000 if worker.request.source.kind == "camera" else 0)
        self.live.set_running(False)
        self.live.state_label.setText("")

    def pause_run(self, paused: bool) -> None:
        """Pause or resume; given while the model loads, it applies from the run's first frame."""
        if self.worker is None:
            return
        self.worker.set_paused(paused)
        if self.worker.device_text:  # running: else the label still says Loading, and will say Paused
            self.live.state_label.setText("Paused" if paused else "Running")

    def _connect_run_controls(self) -> None:
        self.live.step_requested.connect(self.step_run)
        self.live.move_requested.connect(self.move_run)
        self.live.slideshow_changed.connect(lambda seconds: self.worker and self.worker.set_slideshow(seconds))

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

    def _source_changed(self) -> None:
        if self.worker is not None and self.worker.isRunning():
            spec = self.worker.request.spec
            self.start_run(spec)  # switch the source of the running model

    def _run_status(self, worker: InferenceWorker, text: str) -> None:
        if worker is not self.worker or not text:
            return  # a run the user already left
        text = redact(text)
        self.live.state_label.setText(text)
        self.live.state_label.setToolTip(text)  # the label may be cut
        log.warning(text) if "lost" in text or "skipped" in text or "early" in text else log.info(text)

    def _run_started(self, worker: InferenceWorker, device: str) -> None:
        if worker is self.worker:
            self.live.state_label.setText("Paused" if worker.paused else "Running")
            self.live.video.set_message("")
            log.info("running on %s", device)

    def _still_shown(self, worker: InferenceWorker, shown: StillShown) -> None:
        """A photo inferred once: what was found, and in how long; no frame rate (there is no stream)."""
        if worker is not self.worker:
            return
        where = f"image {shown.index + 1} of {shown.count}: {shown.name}" if shown.count > 1 else shown.name
        found = f"{shown.detections} detection{'s' if shown.detections != 1 else ''}"
        still = [where, f"{found} · inferred once in {shown.latency_ms:.0f} ms"]
        if shown.skipped:
            still.append(f"{shown.skipped} unreadable image(s) skipped (see View → Log)")
        self.live.video.set_hud(HudInfo(worker.request.spec.model_name, worker.device_text,
                                        worker.request.spec.inference_host_address, still=tuple(still)))
        self.live.state_label.setText(found)  # which image: in the HUD (the label may be cut)
        message = ""
        if not shown.detections:
            message = "0 detections: nothing found above the threshold."
            if worker.request.empty_hint:
                message += f"\n{worker.request.empty_hint}."
        self.live.video.set_message(message)

    def _frame_ready(self, image: Any, shapes: Any, capture_time: float, frame_id: int) -> None:
        if self.sender() is not self.worker:
            return
        self._frame_capture = capture_time
        self.shown_frame_id = frame_id
        self.live.video.show_frame(image, shapes)

    @qt_virtual()
    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
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
            snap.latency_p50_ms, snap.latency_p95_ms, percentile(list(self.glass_ms), 50), snap.skipped, snap.late))

    def _worker_failed(self, message: str, detail: str) -> None:
        message, detail = redact(message), redact(detail)  # a stream URL may carry a password
        self.last_error = message
        log.error("%s", message)
        if detail and detail != message:
            log.info("details: %s", detail)
        self.live.video.set_message(f"{message}\n\nThe details are in View → Log.")
        self.live.state_label.setText("Failed")

    def _run_failed(self, worker: InferenceWorker, message: str, detail: str) -> None:
        if worker is not self.worker:
            return  # a run the user already left
        self.stop_run()  # the window is ready for the next run at once, even if PySDK is still stuck
        self._worker_failed(message, detail)

    def _run_finished(self, worker: InferenceWorker, snap: Any) -> None:
        if snap is not None and snap.frames:
            log.info("%s: %d frames, %.1f FPS, latency p50 %.1f ms p95 %.1f ms", worker.request.spec.model_name,
                     snap.frames, snap.average_fps, snap.latency_p50_ms, snap.latency_p95_ms)
        if worker is self.worker:
            self.worker = None
            self.live.set_running(False)
            if self.live.state_label.text() != "Failed":
                self.live.state_label.setText("Finished")
