"""The window's Validate: the dialog, the worker, the report, and "use the best setting" for live runs.

``ValidateController`` works beside the live RunController: a validation takes
the selection and the source the live side shows, stops its run first (the device
is measured alone), and reports a failure where a run's failure shows. A tuning
sweep's best setting goes into the RunController's ``best_settings`` (per model and
host), so only the next live runs of that model on that host use it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from model_picker.inference.media.sources import SourceError
from model_picker.inference.validation.rawbench import unavailable
from model_picker.inference.validation.tuning import BestSetting
from model_picker.session.validation import ValidationOptions
from model_picker.ui.live.run_controller import RunController
from model_picker.ui.shell.log_panel import log
from model_picker.ui.validate.worker import ValidationWorker


def raw_unavailable(spec: Any) -> str:
    """Why the device's own limit cannot be measured for this spec ('' when benchmark_app can run its file)."""
    types = spec.model_properties.get("device_type") or [""]
    device_type = types[0] if isinstance(types, list) else str(types)
    return unavailable(device_type, spec.inference_host_address, spec.zoo_url, spec.model_name)


class ValidateController(QObject):
    """Validate the selected model on the chosen file source, on one host or several."""

    message = Signal(str, int)  # a status-bar message and how long it stays (ms)

    def __init__(self, runs: RunController, parent: QWidget) -> None:
        super().__init__(parent)
        self.runs, self.live = runs, runs.live
        self.session, self.settings_bar = runs.session, runs.settings_bar
        self.dialog_parent = parent
        self.validator: ValidationWorker | None = None
        self.validate_dialog: Any = None  # the last ValidateDialog
        self.report: Any = None  # the last ReportDialog

    def validate(self) -> None:
        """A validation run of the selected model on the chosen source (files only: frames at full speed)."""
        _plan, spec, problem = self.runs.selected_plan()
        if spec is None:
            self.live.video.set_message(f"Cannot validate: {problem}")
            return
        try:
            source = self.live.sources.source_spec()
        except SourceError as exc:
            self.live.video.set_message(str(exc))
            return
        if not source.from_file:
            self.live.video.set_message("Validation measures the device at full speed on a file: choose a video, "
                                        "image or folder as the source.")
            return
        from model_picker.ui.validate.dialog import ValidateDialog

        names = [entry.name for entry in self.session.catalogue.entries]
        dialog = ValidateDialog(spec.model_name, spec.inference_host_address, self.dialog_parent, models=names,
                                raw_unavailable=raw_unavailable(spec))
        dialog.setObjectName("validate_dialog")
        dialog.accepted.connect(lambda: self._start_validation(spec.model_name, source, dialog))
        self.validate_dialog = dialog
        dialog.open()

    def _start_validation(self, model: str, source: Any, dialog: Any) -> None:
        self.runs.stop_run()
        mix = dialog.mix_models()
        options = ValidationOptions(devices=self.settings_bar.devices.currentText(),
                                    token=self.settings_bar.token_value(), raw_seconds=dialog.raw_seconds,
                                    sweep=dialog.sweep,
                                    capacity=dialog.capacity_most, capacity_mix=mix if len(mix) > 1 else [],
                                    target_fps=dialog.target_fps.value(),
                                    capacity_seconds=float(dialog.step_seconds.value()))
        hosts = dialog.hosts()
        worker = ValidationWorker(self.session.catalogue, model, hosts, source, options, dialog.criteria(),
                                  dialog.signoff(), parent=self)
        state = self.live.controls.state_label
        worker.progress.connect(lambda done, total: state.setText(f"Validating {done}/{total}"))
        worker.done.connect(self._validated)
        worker.failed.connect(self.runs.show_failure)
        worker.finished.connect(lambda: state.setText(""))
        self.validator = worker
        where = ", ".join(hosts)
        self.live.video.set_message(f"Validating {model} on {where}…")
        log.info("validating %s on %s", model, where)
        worker.start()

    def _validated(self, report: Any) -> None:
        from model_picker.ui.validate.report_dialog import ReportDialog

        self.live.video.set_message("")
        for row in report.rows:
            r = row.result
            if r is None:
                log.error("%s on %s: %s", row.model, row.host, row.error)
                continue
            log.info("%s on %s: %.1f FPS (throughput mode); latency p50 %.1f ms p95 %.1f ms p99 %.1f ms (latency "
                     "mode) on %s", r.model, r.host, r.fps, r.single_p50_ms, r.single_p95_ms, r.single_p99_ms,
                     r.device)
        self.report = ReportDialog(report, self.dialog_parent, on_use_best=self.use_tuning)
        self.report.open()

    def use_tuning(self, model: str, host: str, best: BestSetting) -> None:
        """The sweep's best setting for the next live runs of ``model`` on ``host`` (read by start_run)."""
        self.runs.best_settings.use(model, host, best)
        log.info("live runs of %s on %s now use %s", model, host, best.describe())
        self.message.emit(f"Live runs of {model} on {host} now use {best.describe()}", 8000)
