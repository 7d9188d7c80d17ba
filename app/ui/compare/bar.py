"""The compare window's top bar: source, mode (synchronised / free run), reference, Start and Stop.

Also the one rule the window and the Compare action share: which models can be
compared at all (models of one kind of task).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QFileDialog, QHBoxLayout, QLabel, QStyle, QToolButton, QWidget

from model_picker.inference.compare.agreement import task_kind
from model_picker.inference.engine.errors import InferenceError
from model_picker.zoo.bundled import IMAGE_SUFFIXES, VIDEO_SUFFIXES

MODES = (("sync", "Synchronised", "Every pane shows the same source frame with its own result; the slowest "
          "model sets the pace"),
         ("free", "Free run", "Each model takes frames as fast as it can: shows the speed difference"))


def task_problem(entries: list[Any]) -> str:
    """One line saying why these entries cannot be compared ('' when they can): their kinds of task differ.

    By kind, not by the registry's task name: a COCO and an Open Images detector are
    both detectors, compared on the classes they share.
    """
    kinds = set()
    for entry in entries:
        try:
            kinds.add(task_kind(entry.task))
        except InferenceError as exc:
            return f"Cannot compare {entry.name}: {exc}"
    if len(kinds) <= 1:
        return ""
    return "Cannot compare models of different tasks: " + ", ".join(f"{e.name} is {e.task}" for e in entries)


def _button(icon: QStyle.StandardPixmap, text: str, tip: str, name: str) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setIcon(button.style().standardIcon(icon))
    button.setText(text)
    button.setToolTip(tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


class CompareBar(QWidget):
    """The controls above the panes; ``source_chosen`` carries a file the user picked."""

    source_chosen = Signal(str)

    def __init__(self, titles: list[str], source_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("Source"))
        self.source_label = QLabel(source_text)
        self.source_label.setObjectName("compare-source")
        bar.addWidget(self.source_label)
        self.choose = _button(QStyle.StandardPixmap.SP_DialogOpenButton, "", "Choose another video file…",
                              "compare-choose-source")
        self.choose.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.choose.clicked.connect(self._choose_source)
        bar.addWidget(self.choose)
        bar.addSpacing(16)
        self.mode_group = QButtonGroup(self)
        for i, (key, text, tip) in enumerate(MODES):
            button = QToolButton()
            button.setObjectName(f"compare-mode-{key}")
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setChecked(i == 0)
            self.mode_group.addButton(button, i)
            bar.addWidget(button)
        bar.addSpacing(16)
        bar.addWidget(QLabel("Reference"))
        self.reference_combo = QComboBox()
        self.reference_combo.setObjectName("compare-reference")
        self.reference_combo.setToolTip("Agreement is measured against this pane's results")
        self.reference_combo.addItems(titles)
        bar.addWidget(self.reference_combo)
        bar.addStretch(1)
        self.start_button = _button(QStyle.StandardPixmap.SP_MediaPlay, "Start", "Run every model on the source",
                                    "compare-start")
        self.stop_button = _button(QStyle.StandardPixmap.SP_MediaStop, "Stop", "Stop every model", "compare-stop")
        self.save_button = _button(QStyle.StandardPixmap.SP_DialogSaveButton, "Save Report…",
                                   "Save the comparison as an HTML or JSON report (Ctrl+S)", "compare-save-report")
        bar.addWidget(self.start_button)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.save_button)

    def _choose_source(self) -> None:
        patterns = " ".join(f"*{s}" for s in VIDEO_SUFFIXES + IMAGE_SUFFIXES)
        dialog = QFileDialog(self, "Source for the compare", "", f"Videos and images ({patterns})")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.source_chosen.emit)
        dialog.open()
