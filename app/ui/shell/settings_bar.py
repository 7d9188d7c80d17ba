"""The toolbar that sets the registry defaults (``with_defaults``) for every spec.

The token is masked, never logged, and never written to settings: it lives in
memory for the session, or comes from $DEGIRUM_CLOUD_TOKEN.

It is a QToolBar of widget actions, one per labelled field, so that at a small
window width the fields that do not fit go into the toolbar's overflow menu
instead of being squeezed until their text is cut. The host is applied when its
editing finishes (Enter, leaving the field, or picking from the list), never on
every keystroke: each change probes the network.
"""

from __future__ import annotations

import os
from typing import Any

import yaml
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

HOSTS = ["@local", "localhost:8778", "@cloud"]
DEVICES = ["auto", "all", "0", "1"]


class PropertiesDialog(QDialog):
    """Free-form model properties (YAML mapping) merged into every spec."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model properties")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Keyword arguments for load_model, as YAML, e.g.\n"
                                "output_top_k: 3\noutput_nms_threshold: 0.5"))
        self.editor = QPlainTextEdit(text)
        layout.addWidget(self.editor)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.value: dict[str, Any] = {}

    def _accept(self) -> None:
        try:
            value = yaml.safe_load(self.editor.toPlainText()) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark else ""
            self.error.setText(f"{where}not valid YAML")
            return
        if not isinstance(value, dict):
            self.error.setText("write key: value lines")
            return
        self.value = value
        self.accept()


def _labelled(label: str, widget: QWidget) -> QWidget:
    """A label and its field as one toolbar item: they overflow together."""
    pair = QWidget()
    pair.setObjectName(f"{widget.objectName() or label.lower()}-item")
    layout = QHBoxLayout(pair)
    layout.setContentsMargins(4, 0, 4, 0)
    text = QLabel(label)
    text.setBuddy(widget)
    layout.addWidget(text)
    layout.addWidget(widget)
    return pair


class SettingsBar(QToolBar):
    """Emits ``changed`` after any edit; ``defaults()`` is what ``with_defaults`` takes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Defaults", parent)
        self.setObjectName("defaults-toolbar")
        self.setMovable(False)
        self._applied_host = ""
        self.registry_host = "@local"  # the registry's own default host (set_registry_host)
        self.host_overridden = False  # the user chose another host than the registry's
        self.host_note = QLabel()
        self.host_note.setObjectName("host-note")
        self.host = QComboBox()
        self.host.setObjectName("host")
        self.host.setEditable(True)
        self.host.addItems(HOSTS)
        self.host.setToolTip("Inference host: @local (this machine), host[:port] (an AI server) or @cloud")
        self.host.setMinimumContentsLength(14)
        self.devices = QComboBox()
        self.devices.setObjectName("devices")
        self.devices.addItems(DEVICES)
        self.devices.setToolTip("Device indexes. auto: one device on CPU runtimes (two CPU 'devices' share the "
                                "same cores and slow each other down), all devices on accelerators")
        self.zoo = QLineEdit()
        self.zoo.setObjectName("zoo")
        self.zoo.setPlaceholderText("zoo URL for models without one")
        self.zoo.setMinimumWidth(220)
        self.zoo.setToolTip("Fallback zoo URL (with_defaults zoo_url) for registry entries that name none")
        self.token = QLineEdit()
        self.token.setObjectName("token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        env = bool(os.environ.get("DEGIRUM_CLOUD_TOKEN"))
        self.token.setPlaceholderText("token from $DEGIRUM_CLOUD_TOKEN" if env else "cloud token")
        self.token.setToolTip("Kept in memory for this session only; never saved or logged")
        self.threshold = QDoubleSpinBox()
        self.threshold.setObjectName("threshold")
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setSpecialValueText("model's own")
        self.threshold.setToolTip("Confidence threshold (output_confidence_threshold); applies to a running model")
        self.more = QPushButton("Properties…")
        self.more.setObjectName("properties")
        self.more.setToolTip("Other model properties for every spec")
        self.more.clicked.connect(self._edit_properties)
        self.extra_properties: dict[str, Any] = {}
        for label, widget in (("Host", self.host), ("Devices", self.devices), ("Zoo", self.zoo),
                              ("Token", self.token), ("Confidence", self.threshold)):
            self.addWidget(_labelled(label, widget))
            if widget is self.host:
                self.addWidget(self.host_note)
        self.addWidget(self.more)
        self.host.lineEdit().editingFinished.connect(self.commit_host)  # Enter or focus out
        self.host.activated.connect(lambda _i: self.commit_host())  # picked from the list
        self.devices.currentTextChanged.connect(lambda _t: self.changed.emit())
        self.zoo.editingFinished.connect(self.changed)
        self.token.editingFinished.connect(self.changed)
        self.threshold.valueChanged.connect(lambda _v: self.changed.emit())
        self._applied_host = self.host_text()
        self._show_host_note()

    def set_registry_host(self, host: str) -> None:
        """A registry was loaded: its default host is the toolbar's, unless the user chose another."""
        self.registry_host = host or "@local"
        if not self.host_overridden or self.host_text() == self.registry_host:
            self.host_overridden = False
            self.host.setCurrentText(self.registry_host)
            self._applied_host = self.host_text()
        self._show_host_note()

    def _show_host_note(self) -> None:
        if self.host_overridden:
            self.host_note.setText(f"your choice (registry: {self.registry_host})")
            self.host_note.setToolTip(f"You chose this host; the registry's default is {self.registry_host}. "
                                      f"Pick {self.registry_host} to go back to it.")
        else:
            self.host_note.setText("registry default")
            self.host_note.setToolTip("The registry's own default host (its defaults: inference_host_address)")

    def _edit_properties(self) -> None:
        text = yaml.safe_dump(self.extra_properties, sort_keys=False) if self.extra_properties else ""
        dialog = PropertiesDialog(text, self)
        if dialog.exec():
            self.extra_properties = dialog.value
            self.changed.emit()

    def commit_host(self) -> None:
        """Apply the host typed so far (emit ``changed``) if it differs from the one applied."""
        if self.host_text() != self._applied_host:
            self._applied_host = self.host_text()
            self.host_overridden = self.host_text() != self.registry_host
            self._show_host_note()
            self.changed.emit()

    def host_text(self) -> str:
        return self.host.currentText().strip() or "@local"

    def threshold_value(self) -> float | None:
        value = self.threshold.value()
        return value if value > 0 else None

    def token_value(self) -> str | None:
        return self.token.text() or os.environ.get("DEGIRUM_CLOUD_TOKEN") or None

    def defaults(self) -> dict[str, Any]:
        """Keyword arguments for ``Catalogue.with_defaults`` (None keeps the registry's, the host too)."""
        props = dict(self.extra_properties)
        if self.threshold_value() is not None:
            props["output_confidence_threshold"] = self.threshold_value()
        return {"inference_host_address": self.host_text() if self.host_overridden else None,
                "zoo_url": self.zoo.text().strip() or None,
                "token": self.token_value(), "model_properties": props or None}

    def state(self) -> dict[str, Any]:
        """What is saved between runs (never the token)."""
        overridden = self.host_overridden or self.host_text() != self.registry_host  # typed, not yet applied
        return {"host": self.host_text() if overridden else "", "host_override": overridden,
                "devices": self.devices.currentText(), "zoo": self.zoo.text(),
                "threshold": self.threshold.value(), "properties": self.extra_properties}

    def restore(self, state: dict[str, Any]) -> None:
        host = str(state.get("host") or "")
        # Settings saved before the override was recorded always held a host; "@local" was the old default.
        if host and (state.get("host_override") or ("host_override" not in state and host != "@local")):
            self.host.setCurrentText(host)
            self.host_overridden = True  # until a registry with this very host loads (set_registry_host)
        self._applied_host = self.host_text()
        self._show_host_note()
        if state.get("devices") in DEVICES:
            self.devices.setCurrentText(state["devices"])
        self.zoo.setText(str(state.get("zoo") or ""))
        try:
            self.threshold.setValue(float(state.get("threshold") or 0))
        except (TypeError, ValueError):
            pass
        if isinstance(state.get("properties"), dict):
            self.extra_properties = state["properties"]
