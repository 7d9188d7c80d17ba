"""Shows a validation report (Markdown with SVG charts) and saves it as HTML, Markdown or JSON."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ..inference.report import to_markdown, write_report
from ..inference.validation import ValidationResult
from .guard import qt_virtual


class ReportDialog(QDialog):
    def __init__(self, results: list[ValidationResult], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.setWindowTitle(f"Validation: {', '.join(r.model for r in results)}")
        self.resize(760, 820)
        self._charts = tempfile.TemporaryDirectory(prefix="model-picker-report-")
        self.browser = QTextBrowser()
        self.browser.setObjectName("report")
        self.browser.setSearchPaths([self._charts.name])
        self.browser.setMarkdown(to_markdown(results, Path(self._charts.name)))
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        save = QPushButton("Save report…")
        save.clicked.connect(self.save)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row.addWidget(save)
        row.addWidget(close)
        layout.addLayout(row)

    def save(self) -> None:
        default = f"{self.results[0].model}-validation.html"
        path, _ = QFileDialog.getSaveFileName(self, "Save the report", default,
                                              "HTML (*.html);;Markdown with SVG charts (*.md);;JSON (*.json)")
        if path:
            write_report(self.results, Path(path))

    @qt_virtual()
    def done(self, result: int) -> None:
        self._charts.cleanup()
        super().done(result)
