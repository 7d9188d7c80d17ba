"""The status bar's fetch progress: a bar saying what is fetched and how far, and its Cancel button.

Hidden until a fetch starts, so the status bar only shows it while there is
something to wait for.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget


class FetchStatus(QWidget):
    """``show_progress`` shows it (a maximum of 0: busy, no figure yet); ``cancel_requested`` is Cancel."""

    cancel_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.bar = QProgressBar()
        self.bar.setObjectName("fetch-progress")
        self.bar.setMaximumWidth(260)
        self.bar.setTextVisible(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("fetch-cancel")
        self.cancel.clicked.connect(lambda: self.cancel_requested.emit())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar)
        row.addWidget(self.cancel)
        self.hide()

    def show_progress(self, text: str, value: int, maximum: int) -> None:
        self.bar.setRange(0, maximum)
        self.bar.setValue(value)
        self.bar.setFormat(text)
        self.show()
