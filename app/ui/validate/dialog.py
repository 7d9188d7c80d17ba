"""The Validate dialog: what the report is for (site, customer, engineer, notes), the pass/fail
criteria (typed in or loaded from a criteria file), the hosts (one, or a fleet of AI servers, a
row each), whether to run the tuning sweep, the device's own limit (OpenVINO's benchmark_app on
the same model file, for "PySDK end to end / raw device"), and the stream capacity (one model, or
the streams cycling over a mix of models).

Both modes (throughput and latency) are always run; the dialog says so, so the
engineer never has to choose the wrong one.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
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
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from model_picker.inference.validation.criteria import Criteria, CriteriaError, SignOff, load_criteria
from model_picker.inference.validation.report import MODES
from model_picker.ui.shell.guard import qt_virtual

SpinBox = TypeVar("SpinBox", QSpinBox, QDoubleSpinBox)


def spin_box(box: SpinBox, name: str, bounds: tuple[float, float], value: float, suffix: str) -> SpinBox:
    """A named spin box with its range, starting value and unit (tests find it by name)."""
    box.setObjectName(name)
    box.setRange(*bounds)
    box.setValue(value)
    box.setSuffix(suffix)
    return box


class ValidateDialog(QDialog):
    """Fields, criteria and options of a validation run; read ``criteria()``, ``signoff()``, ``hosts()``,
    ``sweep``, ``raw_seconds`` and the capacity options after OK. ``models``: the catalogue's names, for a mixed
    stream capacity; ``raw_unavailable``: why the device's own limit cannot be measured ('' when it can)."""

    def __init__(self, model: str, host: str, parent: QWidget | None = None, models: list[str] | None = None,
                 raw_unavailable: str = "") -> None:
        super().__init__(parent)
        self.model = model
        self.setWindowTitle(f"Validate {model}")
        layout = QVBoxLayout(self)
        modes = QLabel("<br>".join(f"<b>{name}</b>: {text}" for name, text in MODES))
        modes.setWordWrap(True)
        layout.addWidget(modes)
        form = QFormLayout()
        self.hosts_edit = QLineEdit(host)
        self.hosts_edit.setObjectName("hosts")
        self.hosts_edit.setToolTip("One inference host, or several AI servers separated by commas: "
                                   "validated at the same time, a row each")
        form.addRow("Hosts", self.hosts_edit)
        self.fields: dict[str, QLineEdit] = {}
        for name in ("site", "customer", "engineer", "notes"):
            edit = QLineEdit()
            edit.setObjectName(name)
            self.fields[name] = edit
            form.addRow(name.capitalize(), edit)
        self.min_fps = self._limit("min_fps", " FPS", 100000.0)
        self.max_p95 = self._limit("max_p95", " ms", 100000.0)
        self.min_agreement = self._limit("min_agreement", "", 1.0)
        self.min_agreement.setDecimals(3)
        self.min_agreement.setSingleStep(0.01)
        self.min_agreement.setToolTip("Mean agreement score with the reference on the same frames (1 = the same "
                                      "answers): detection F1, classification top-1, segmentation mIoU, pose PCK")
        self.reference = QLineEdit()
        self.reference.setObjectName("reference")
        self.reference.setPlaceholderText("a model name (another runtime) or a host running this model")
        form.addRow("Minimum throughput", self.min_fps)
        form.addRow("Maximum latency p95", self.max_p95)
        form.addRow("Minimum agreement", self.min_agreement)
        form.addRow("Reference", self.reference)
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
        self._raw_row(form, raw_unavailable)
        self._capacity_rows(form, models or [model])
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

    def _raw_row(self, form: QFormLayout, unavailable: str) -> None:
        """The device's own limit: on by default where benchmark_app can run the model file, else off and why not."""
        row = QHBoxLayout()
        self.raw_box = QCheckBox("Measure the device's own limit (OpenVINO benchmark_app)")
        self.raw_box.setObjectName("raw")
        self.raw_seconds_box = spin_box(QSpinBox(), "raw_seconds", (1, 60), 3, " s per mode")
        self.raw_seconds_box.setToolTip("How long benchmark_app runs in each of its modes (throughput, latency)")
        if unavailable:
            self.raw_box.setEnabled(False)
            self.raw_box.setToolTip(f"Not available: {unavailable}")
        else:
            self.raw_box.setChecked(True)
            self.raw_box.setToolTip("Runs the runtime's own benchmark on the same model file, without PySDK; the "
                                    "report shows PySDK end to end / raw device: the framework's share")
        self.raw_box.toggled.connect(self.raw_seconds_box.setEnabled)
        self.raw_seconds_box.setEnabled(self.raw_box.isChecked())
        row.addWidget(self.raw_box)
        row.addWidget(self.raw_seconds_box)
        row.addStretch(1)
        form.addRow("", row)

    @property
    def raw_seconds(self) -> float:
        """Seconds of each benchmark_app run; 0 when the device's own limit is not measured."""
        return float(self.raw_seconds_box.value()) if self.raw_box.isChecked() else 0.0

    def _capacity_rows(self, form: QFormLayout, models: list[str]) -> None:
        """Stream capacity: on/off, the most streams, the per-stream target, and the models the streams cycle over."""
        self.capacity_box = QCheckBox("Find how many streams, each paced at its video's frame rate, keep the target")
        self.capacity_box.setObjectName("capacity")
        form.addRow("Stream capacity", self.capacity_box)
        row = QHBoxLayout()
        self.most_streams = spin_box(QSpinBox(), "most_streams", (1, 64), 8, " streams")
        self.most_streams.setPrefix("up to ")
        self.target_fps = spin_box(QDoubleSpinBox(), "target_fps", (0.1, 240.0), 15.0, " FPS each")
        self.step_seconds = spin_box(QSpinBox(), "step_seconds", (1, 120), 10, " s per step")
        for widget in (self.most_streams, self.target_fps, self.step_seconds):
            row.addWidget(widget)
        form.addRow("", row)
        self.mix = QListWidget()
        self.mix.setObjectName("mix")
        self.mix.setToolTip("The streams cycle over the checked models (stream 1 the first, stream 2 the next, …)")
        self.mix.setMaximumHeight(110)
        for name in dict.fromkeys([self.model, *models]):
            item = QListWidgetItem(name)
            item.setCheckState(Qt.CheckState.Checked if name == self.model else Qt.CheckState.Unchecked)
            self.mix.addItem(item)
        form.addRow("Models in the streams", self.mix)
        self.capacity_box.toggled.connect(self._capacity_toggled)
        self._capacity_toggled(False)

    def _capacity_toggled(self, on: bool) -> None:
        for widget in (self.most_streams, self.target_fps, self.step_seconds, self.mix):
            widget.setEnabled(on)

    @qt_virtual()
    def accept(self) -> None:
        if not self.hosts():
            self.error.setText("Type an inference host (e.g. @local, or localhost:8778 for an AI server).")
            return
        if self.min_agreement.value() and not self.reference.text().strip():
            self.error.setText("Minimum agreement needs a reference: a model name or a host running this model.")
            return
        super().accept()

    def hosts(self) -> list[str]:
        """The hosts typed, in order, each once (commas or spaces between them)."""
        return list(dict.fromkeys(h for h in self.hosts_edit.text().replace(",", " ").split() if h))

    @property
    def capacity_most(self) -> int:
        """The most streams to try; 0 when stream capacity is off."""
        return self.most_streams.value() if self.capacity_box.isChecked() else 0

    def mix_models(self) -> list[str]:
        """The models the streams cycle over, the validated one first."""
        checked = [self.mix.item(i).text() for i in range(self.mix.count())
                   if self.mix.item(i).checkState() == Qt.CheckState.Checked]
        return list(dict.fromkeys([self.model, *checked]))

    @staticmethod
    def _limit(name: str, suffix: str, top: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setDecimals(1)
        box.setSpecialValueText("no limit")  # 0 means no criterion
        return spin_box(box, name, (0.0, top), 0.0, suffix)

    @property
    def sweep(self) -> bool:
        return self.sweep_box.isChecked()

    def criteria(self) -> Criteria:
        return Criteria(self.min_fps.value() or None, self.max_p95.value() or None, self.min_agreement.value() or None,
                        self.reference.text().strip() or None)

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
        self.min_agreement.setValue(criteria.min_agreement or 0.0)
        self.reference.setText(criteria.reference or "")
        return True
