"""Start the window: the QApplication, its look, and the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "model-picker.svg"


def make_application(argv: list[str] | None = None) -> QApplication:
    QCoreApplication.setOrganizationName("Model Picker")
    QCoreApplication.setApplicationName("Model Picker")
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setStyle("Fusion")
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    return app  # type: ignore[return-value]


def run_window(registry: str | None = None) -> int:
    app = make_application()
    from .main_window import MainWindow

    window = MainWindow(registry, QSettings())
    window.show()
    code = app.exec()
    from .workers import has_abandoned_runs

    if has_abandoned_runs():
        os._exit(code)  # a stalled run cannot be joined, and PySDK may abort at exit
    return code
