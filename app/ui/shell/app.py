"""Start the window: the QApplication, its look, and the main window."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from model_picker.ui.shell.xcb import check_platform
from model_picker.zoo.bundled import app_icon


def make_application(argv: list[str] | None = None) -> QApplication:
    QCoreApplication.setOrganizationName("Model Picker")
    QCoreApplication.setApplicationName("Model Picker")
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setStyle("Fusion")
    icon = app_icon()
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def run_window(registry: str | None = None) -> int:
    problem = check_platform()
    if problem:  # Qt would abort with a message that names neither the library nor the fix
        print(problem, file=sys.stderr)
        return 1
    app = make_application()
    from model_picker.ui.shell.main_window import MainWindow

    window = MainWindow(registry, QSettings())
    window.show()
    if os.environ.get("MODEL_PICKER_EXIT_AFTER_SHOW"):  # the cold-start benchmark's probe
        QTimer.singleShot(0, lambda: (print("shown", flush=True), window.close()))
    code = app.exec()
    # Everything is saved by now (closeEvent). Skipping interpreter finalization avoids
    # a refcount crash inside a native extension at exit, and a stalled run's thread
    # (which cannot be joined) keeping the process alive.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
