"""Shows a validation report (Markdown with SVG charts) and saves it as PDF, HTML, Markdown or JSON.

After a tuning sweep it offers "Use the best setting": each row's best (devices, frames in
flight, PySDK properties) for the live runs of that model on that host.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

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

from model_picker.inference.validation.fleet import Report
from model_picker.inference.validation.measure import ValidationResult
from model_picker.inference.validation.report import as_report, to_markdown, write_report
from model_picker.inference.validation.tuning import BestSetting
from model_picker.ui.shell.guard import qt_virtual
from model_picker.ui.shell.log_panel import log


def best_settings(results: list[ValidationResult]) -> dict[tuple[str, str], BestSetting]:
    """The best sweep row of each result that has a sweep, by (model, host)."""
    found = {}
    for r in results:
        best = next((t for t in r.sweep if t.get("best")), None)
        if best is not None:
            found[(r.model, r.host)] = BestSetting.of(best)
    return found


FILTERS = "PDF (*.pdf);;HTML (*.html);;Markdown with SVG charts (*.md);;JSON (*.json)"


class ReportDialog(QDialog):
    def __init__(self, results: Report | list[ValidationResult], parent: QWidget | None = None,
                 on_use_best: Callable[[str, str, BestSetting], None] | None = None) -> None:
        super().__init__(parent)
        self.report = as_report(results)
        self.results = self.report.results
        self.setWindowTitle(f"Validation: {', '.join(dict.fromkeys(row.model for row in self.report.rows))} · "
                            f"{self.report.verdict}")
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
        self.best = best_settings(self.results)
        self.use_best = QPushButton("Use the best setting")
        self.use_best.setObjectName("use_best")
        self.use_best.setToolTip("For live runs: " + "; ".join(f"{m} on {h}: {b.describe()}"
                                                              for (m, h), b in self.best.items()))
        self.use_best.setVisible(bool(self.best) and on_use_best is not None)
        self.on_use_best = on_use_best
        self.use_best.clicked.connect(self._use_best)
        save = QPushButton("Save report…")
        save.setObjectName("save_report")
        save.clicked.connect(self.save)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        for button in (self.use_best, save, close):
            row.addWidget(button)
        layout.addLayout(row)

    def _use_best(self) -> None:
        if self.on_use_best is not None:
            for (model, host), best in self.best.items():
                self.on_use_best(model, host, best)
        self.use_best.setEnabled(False)
        self.use_best.setText("Best setting in use")

    def save(self) -> None:
        default = f"{self.results[0].model}-validation.pdf" if self.results else "validation.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save the report", default, FILTERS)
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        """PDF, HTML, Markdown or JSON by suffix; a failure is one line here and in the Log, never a crash."""
        try:
            if path.suffix.lower() == ".pdf":
                from model_picker.ui.validate.pdf import write_pdf

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
