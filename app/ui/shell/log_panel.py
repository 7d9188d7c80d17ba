"""The log panel: what the app and its workers did, with the full error details.

A logging handler forwards records through a signal, so records from worker
threads are appended on the UI thread. Its filter strips credentials from every
record (URLs with user:pass@ or ?token=), whoever logged it.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from model_picker.redact import redact

log = logging.getLogger("model_picker")


class _Bridge(QObject):
    record = Signal(str)


class RedactFilter(logging.Filter):
    """Rewrites the record's message with ``redact``: the Log never shows a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class _Handler(logging.Handler):
    def __init__(self, bridge: _Bridge) -> None:
        super().__init__(logging.INFO)
        self.bridge = bridge
        self.addFilter(RedactFilter())

    def emit(self, record: logging.LogRecord) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        self.bridge.record.emit(f"{stamp}  {level}{record.getMessage()}")


class LogPanel(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("log")
        self.setReadOnly(True)
        self.setMaximumBlockCount(5000)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText("Messages from loading registries, fetching models and running them appear here.")
        self._bridge = _Bridge()
        self._bridge.record.connect(self.appendPlainText)
        self._handler = _Handler(self._bridge)
        log.addHandler(self._handler)
        log.setLevel(logging.INFO)

    def detach(self) -> None:
        log.removeHandler(self._handler)
