"""The Validate dialog: what the report is for (site, customer, engineer, notes), the pass/fail
criteria (typed in or loaded from a criteria file) and whether to run the tuning sweep.

Both modes (throughput and latency) are always run; the dialog says so, so the
engineer never has to choose the wrong one.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..inference.criteria import Criteria, CriteriaError, SignOff, load_criteria
from ..inference.report import MODES


class ValidateDialog(QDialog):
    """Fields, criteria and options of a validation run; read ``criteria()``, ``signoff()``, ``sweep`` after OK."""

    def __init__(self, model: str, host: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Validate {model} on {host}")
        layout = QVBoxLayout(self)
        modes = QLabel("<br>".join(f"<b>{name}</b>: {text}" for name, text in MODES))
        modes.setWordWrap(True)
        layout.addWidget(modes)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for name in ("site", "customer", "engineer", "notes"):
            edit = QLineEdit()
            edit.setObjectName(name)
            self.fields[name] = edit
            form.addRow(name.capitalize(), edit)
        self.min_fps = self._limit("min_fps", " FPS", 100000.0)
        self.max_p95 = self._limit("max_p95", " ms", 100000.0)
        form.addRow("Minimum throughput", self.min_fps)
        form.addRow("Maximum latency p95", self.max_p95)
        row = QHBoxLayout()
        self.load = QPushButton("Load criteria file…")
        self.load.setObjectName("load_criteria")
        self.load.clicked.connect(self.choose_file)
        row.addWidget(self.load)
        row.addStretch(1)
        form.addRow("", row)
        self.sweep_box = QCheckBox("Also try PySDK's settings (tuning sweep) and mark the best")
        self.sweep_box.setObjectName("sweep")
        form.addRow("", self.sweep_box)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Validate")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    @staticmethod
    def _limit(name: str, suffix: str, top: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setObjectName(name)
        box.setRange(0.0, top)
        box.setDecimals(1)
        box.setSuffix(suffix)
        box.setSpecialValueText("no limit")  # 0 means no criterion
        return box

    @property
    def sweep(self) -> bool:
        return self.sweep_box.isChecked()

    def criteria(self) -> Criteria:
        return Criteria(self.min_fps.value() or None, self.max_p95.value() or None)

    def signoff(self) -> SignOff:
        return SignOff(**{name: edit.text().strip() for name, edit in self.fields.items()})

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Criteria file", "", "Criteria (*.yaml *.yml)")
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> bool:
        """Fill the form from a criteria file; a mistake is one line under the form, the form unchanged."""
        try:
            criteria, signoff = load_criteria(path)
        except CriteriaError as exc:
            self.error.setText(str(exc))
            return False
        self.error.setText("")
        for name, edit in self.fields.items():
            edit.setText(getattr(signoff, name))
        self.min_fps.setValue(criteria.min_fps or 0.0)
        self.max_p95.setValue(criteria.max_latency_p95_ms or 0.0)
        return True
