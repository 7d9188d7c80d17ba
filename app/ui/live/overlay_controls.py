"""The live side's overlay line: labels, scores, line width, opacity, text size and the classes shown.

What it sets is an ``OverlayOptions``; the confidence threshold comes from the
toolbar and travels in the same options, so a run hears one ``changed``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QWidget

from model_picker.inference.media.overlay import OverlayOptions


class OverlayControls(QWidget):
    """``changed`` carries the new ``OverlayOptions`` on every edit (the classes once typed)."""

    changed = Signal(object)  # OverlayOptions
    CLASSES_TIP = ("Show only these classes (comma-separated labels, case ignored). Kept when you switch "
                   "models, not saved when the window closes.")

    def __init__(self) -> None:
        super().__init__()
        self.threshold: float | None = None  # the toolbar's confidence threshold (None: the model's own)
        self.show_labels = QCheckBox("Labels")
        self.show_labels.setChecked(True)
        self.show_probs = QCheckBox("Scores")
        self.show_probs.setChecked(True)
        self.line_width = QSpinBox()
        self.line_width.setRange(1, 10)
        self.line_width.setValue(3)
        self.line_width.setToolTip("Box line width")
        self.alpha = QDoubleSpinBox()
        self.alpha.setRange(0.1, 1.0)
        self.alpha.setSingleStep(0.1)
        self.alpha.setValue(1.0)
        self.alpha.setToolTip("Overlay opacity")
        self.font_scale = QDoubleSpinBox()
        self.font_scale.setRange(0.3, 3.0)
        self.font_scale.setSingleStep(0.1)
        self.font_scale.setValue(1.0)
        self.font_scale.setToolTip("Label size")
        self.classes = QLineEdit()
        self.classes.setObjectName("classes")
        self.classes.setPlaceholderText("Classes: all")  # the placeholder is its label: the row is tight at 1024 px
        self.classes.setToolTip(self.CLASSES_TIP)
        self.classes.setMinimumWidth(self.classes.fontMetrics().horizontalAdvance("person, bicycle") + 8)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for label, widget in ((None, self.show_labels), (None, self.show_probs), ("Width", self.line_width),
                              ("Opacity", self.alpha), ("Text", self.font_scale), (None, self.classes)):
            if label:
                row.addWidget(QLabel(label))
            row.addWidget(widget, 1 if widget is self.classes else 0)
        for box in (self.show_labels, self.show_probs):
            box.toggled.connect(self._emit)
        for spin in (self.line_width, self.alpha, self.font_scale):
            spin.valueChanged.connect(self._emit)
        self.classes.editingFinished.connect(self._emit)

    def options(self) -> OverlayOptions:
        classes = tuple(c.strip() for c in self.classes.text().split(",") if c.strip())
        return OverlayOptions(show_labels=self.show_labels.isChecked(), show_probabilities=self.show_probs.isChecked(),
                              line_width=self.line_width.value(), alpha=round(self.alpha.value(), 2),
                              font_scale=round(self.font_scale.value(), 2), threshold=self.threshold, classes=classes)

    def set_classes_warning(self, warning: str) -> None:
        """Flag the class filter (red frame, the reason as its tooltip) when it hides every class; "" clears it."""
        self.classes.setProperty("warning", bool(warning))
        self.classes.setStyleSheet("QLineEdit { border: 2px solid #d32f2f; }" if warning else "")
        self.classes.setToolTip(f"{warning[:1].upper()}{warning[1:]}.\n{self.CLASSES_TIP}" if warning
                                else self.CLASSES_TIP)

    def restore(self, options: OverlayOptions) -> None:
        """The saved look of the overlay; not the class filter, which starts empty in each session."""
        self.show_labels.setChecked(options.show_labels)
        self.show_probs.setChecked(options.show_probabilities)
        self.line_width.setValue(options.line_width)
        self.alpha.setValue(options.alpha)
        self.font_scale.setValue(options.font_scale)

    def _emit(self) -> None:
        self.changed.emit(self.options())
