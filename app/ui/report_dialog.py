"""Shows a validation report (Markdown with SVG charts) and saves it as PDF, HTML, Markdown or JSON.

After a tuning sweep it offers "Use the best setting" for live runs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..inference.fleet import Report
from ..inference.report import as_report, to_markdown, write_report
from ..inference.tuning import Trial, best_setting
from ..inference.validation import ValidationResult
from .guard import qt_virtual
from .log_panel import log

FILTERS = "PDF (*.pdf);;HTML (*.html);;Markdown with SVG charts (*.md);;JSON (*.json)"


class ReportDialog(QDialog):
    def __init__(self, results: Report | list[ValidationResult], parent: QWidget | None = None,
                 on_use_best: Callable[[dict[str, Any]], None] | None = None) -> None:
        super().__init__(parent)
        self.report = as_report(results)
        self.results = self.report.results
        self.setWindowTitle(f"Validation: {', '.join(r.model for r in self.results)} · {self.report.verdict}")
        self.resize(820, 860)
        self._charts = tempfile.TemporaryDirectory(prefix="model-picker-report-")
        self.browser = QTextBrowser()
        self.browser.setObjectName("report")
        self.browser.setSearchPaths([self._charts.name])
        self.browser.setMarkdown(to_markdown(self.report, Path(self._charts.name)))
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        row = QHBoxLayout()
        self.saved = QLabel()
        self.saved.setObjectName("saved")
        row.addWidget(self.saved, 1)
        self.best = best_setting([Trial(t, best=t.get("best", False)) for r in self.results for t in r.sweep])
        self.use_best = QPushButton("Use the best setting")
        self.use_best.setObjectName("use_best")
        self.use_best.setToolTip(f"For live runs: {self.best}" if self.best else "")
        self.use_best.setVisible(bool(self.best) and on_use_best is not None)
        self.use_best.clicked.connect(lambda: on_use_best(dict(self.best)) if on_use_best and self.best else None)
        save = QPushButton("Save report…")
        save.setObjectName("save_report")
        save.clicked.connect(self.save)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        for button in (self.use_best, save, close):
            row.addWidget(button)
        layout.addLayout(row)

    def save(self) -> None:
        default = f"{self.results[0].model}-validation.pdf" if self.results else "validation.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save the report", default, FILTERS)
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        """PDF, HTML, Markdown or JSON by suffix; a failure is one line here and in the Log, never a crash."""
        try:
            if path.suffix.lower() == ".pdf":
                from .pdf import write_pdf

                write_pdf(self.report, path)
            else:
                write_report(self.report, path)
        except (OSError, ValueError) as exc:
            self.saved.setText(f"Not saved: {exc}")
            log.error("report not saved: %s", exc)
            return
        self.saved.setText(f"Saved {path.name}")

    @qt_virtual()
    def done(self, result: int) -> None:
        self._charts.cleanup()
        super().done(result)
