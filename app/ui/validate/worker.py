"""The window's Validate, off the UI thread: one model on one or several hosts, one Report.

The work is session/validation.py's, the same the command line runs: both modes,
the host's hardware and, if asked, the tuning sweep and the stream capacity.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal

from model_picker.inference.media.sources import SourceSpec
from model_picker.inference.validation.criteria import Criteria, SignOff
from model_picker.inference.validation.measure import decode
from model_picker.registry import Catalogue
from model_picker.session.validation import ValidationOptions, Validator
from model_picker.ui.shell.workers import Worker


class ValidationWorker(Worker):
    """``done`` carries the fleet.Report (a row per host); ``failed`` a validation that could not start, or a
    single host's failure (shown where the video is, as a run's failure is)."""

    progress = Signal(int, int)  # frames done, total (of the first host's run)
    done = Signal(object)  # fleet.Report

    def __init__(self, catalogue: Catalogue, model: str, hosts: list[str], source: SourceSpec,
                 options: ValidationOptions, criteria: Criteria | None = None, signoff: SignOff | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.catalogue, self.model, self.hosts, self.source = catalogue, model, hosts, source
        self.options, self.criteria, self.signoff = options, criteria or Criteria(), signoff or SignOff()

    def work(self) -> None:
        source = SourceSpec(self.source.kind, self.source.location)
        images = decode(source)  # SourceError: failed
        validator = Validator(self.catalogue, self.options, source, images, self.criteria,
                              progress=self.progress.emit)
        report = validator.validate_all([self.model], self.hosts, self.signoff)  # InferenceError: failed
        lone = report.rows[0] if len(report.rows) == 1 else None
        if lone is not None and lone.result is None:
            self.failed.emit(lone.error, lone.error)
            return
        self.done.emit(report)
