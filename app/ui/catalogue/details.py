"""Details of the selected model and the ModelSpec it makes, ready to copy or save."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from model_picker.redact import redact
from model_picker.registry.spec_text import spec_to_python, spec_to_yaml
from model_picker.registry.specs import Entry
from model_picker.zoo.bundled import sample_photo

EMPTY_TEXT = "Select a model in the list to see its details\nand the ModelSpec it makes."


def _code_box(name: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setReadOnly(True)
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return box


class DetailsPane(QWidget):
    """Shows one entry; emits requests the main window carries out."""

    save_spec_requested = Signal()
    fetch_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec: Any = None
        self.stack = QStackedWidget()
        empty = QLabel(EMPTY_TEXT)
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setObjectName("details-empty")
        empty.setEnabled(False)
        self.stack.addWidget(empty)
        self.tabs = QTabWidget()
        self.stack.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        about = QWidget()
        about_layout = QVBoxLayout(about)
        self.title = QLabel()
        self.title.setObjectName("details-title")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        # Names and paths have no spaces to wrap at: they must not set the pane's (and window's) minimum width.
        self.title.setMinimumWidth(80)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setObjectName("details-problem")
        self.problem.setStyleSheet("color: #b35c00;")
        buttons = QHBoxLayout()
        self.fetch_button = QPushButton("Fetch for offline use")
        self.fetch_button.setToolTip("Download the model into the local cache (ModelSpec.ensure_local)")
        self.fetch_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        self.fetch_button.clicked.connect(self.fetch_requested)
        buttons.addWidget(self.fetch_button)
        buttons.addStretch(1)
        for widget in (self.title, self.subtitle, self.description):
            about_layout.addWidget(widget)
        about_layout.addLayout(self.form)
        about_layout.addWidget(self.problem)
        about_layout.addLayout(buttons)
        about_layout.addStretch(1)
        scroll = QScrollArea()  # a short pane scrolls; its rows are never squeezed over each other
        scroll.setWidget(about)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs.addTab(scroll, "Details")

        self.yaml_box = _code_box("spec-yaml")
        self.python_box = _code_box("spec-python")
        self.tabs.addTab(self._with_buttons(self.yaml_box, save=True), "ModelSpec")
        self.tabs.addTab(self._with_buttons(self.python_box), "Python")

    def _with_buttons(self, box: QPlainTextEdit, save: bool = False) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(box, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        copy = QPushButton("Copy")
        copy.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        copy.setToolTip("Copy to the clipboard")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(box.toPlainText()))
        row.addWidget(copy)
        if save:
            button = QPushButton("Save spec…")
            button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
            button.clicked.connect(self.save_spec_requested)
            row.addWidget(button)
        layout.addLayout(row)
        return page

    def clear(self) -> None:
        self.spec = None
        self.stack.setCurrentIndex(0)

    def show_entry(self, entry: Entry, zoo: str, spec: Any, problem: str = "", needs_fetch: bool = False) -> None:
        self.spec = spec
        self.stack.setCurrentIndex(1)
        self.title.setText(entry.name)
        self.title.setToolTip(entry.name)
        parts = [str(entry.task), ", ".join(map(str, entry.hardware))]
        if entry.alias:
            parts.append(f"alias {entry.alias}")
        self.subtitle.setText("  ·  ".join(p for p in parts if p))
        self.description.setText(entry.description or "No description in the registry.")
        while self.form.rowCount():
            self.form.removeRow(0)
        for key, value in (entry.metadata or {}).items():
            label = QLabel(str(value) if not isinstance(value, list) else ", ".join(map(str, value)))
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            self.form.addRow(f"{str(key).replace('_', ' ')}:", label)
        zoo_label = QLabel(redact(zoo) or "(none: set a zoo URL in the toolbar)")
        zoo_label.setWordWrap(True)
        zoo_label.setMinimumWidth(80)
        zoo_label.setToolTip(zoo_label.text())
        zoo_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow("zoo:", zoo_label)
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.fetch_button.setVisible(needs_fetch)
        if spec is not None:
            self.yaml_box.setPlainText(spec_to_yaml(spec))
            self.python_box.setPlainText(spec_to_python(spec, str(sample_photo(f"{entry.task} {entry.name}"))))
        else:
            self.yaml_box.setPlainText(f"# No ModelSpec: {problem}")
            self.python_box.setPlainText(f"# No ModelSpec: {problem}")
