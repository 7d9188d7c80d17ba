"""The compare window: two to four models (or one model on several hosts) side by side on one source.

The work is the session layer's ``Comparison`` (app/session/compare/runner.py), run by
``CompareWorker``; this window only shows it: the panes (each with its HUD), a
live table per contender, and a strip of the frames where the panes disagree
most. A contender that fails says so in its own pane while the others go on;
a source that ends says so on the notice line; models of different tasks are
refused with one line, and Start stays disabled. Esc and Ctrl+W close it;
Save Report (Ctrl+S) writes the report ``model-picker compare --report`` writes,
by default in the user's Documents folder.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QSplitter, QToolButton, QVBoxLayout, QWidget

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.media.overlay import OverlayOptions
from model_picker.inference.media.sources import SourceSpec
from model_picker.session.compare.report import write_report
from model_picker.session.compare.runner import Comparison
from model_picker.ui.compare.bar import MODES, CompareBar, task_problem
from model_picker.ui.compare.panes import ComparePane, PaneFrame, PaneGrid
from model_picker.ui.compare.table import CompareTableModel, ContenderRow, DisagreementStrip, StripFrame, make_table
from model_picker.ui.compare.worker import CompareWorker
from model_picker.ui.shell.guard import qt_virtual
from model_picker.zoo.bundled import IMAGE_SUFFIXES


class CompareWindow(QWidget):
    """Panes, mode, reference, Start/Stop, the live table and the strip, for one set of run plans."""

    def __init__(self, plans: list[Any], source: SourceSpec | None, options: OverlayOptions | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("compare-window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.plans = plans
        self.source = source
        self.options = options or OverlayOptions()
        self.worker: CompareWorker | None = None
        self.last_worker: CompareWorker | None = None  # its runner keeps the strip's frames, also after the end
        self.held_frame: int | None = None  # a strip frame shown in every pane (live frames wait)
        self.refusal = task_problem([p.entry for p in plans])
        names = [p.name for p in plans]
        if len(set(names)) < len(names):  # one model on several hosts: the hosts tell the panes apart
            names = [f"{p.name} @ {p.host or '@local'}" for p in plans]
        self.setWindowTitle("Compare: " + " vs ".join(names))
        self.end_reason = ""  # why the last run ended, as the report says it
        self._build()
        for keys in (QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+W")):
            QShortcut(keys, self, self.close)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_report)
        self._set_running(False)
        self.say(self.refusal or "Press Start to run every model on the same source.")
        screen = self.screen().availableGeometry()  # never larger than the screen it opens on
        self.resize(min(1280, screen.width()), min(860, screen.height()))

    # ----- construction -------------------------------------------------------------------
    def _build(self) -> None:
        self.panes = [ComparePane(i, p.name, ", ".join(p.entry.hardware), p.host or "@local")
                      for i, p in enumerate(self.plans)]
        for pane in self.panes:
            pane.reference_requested.connect(self.set_reference)
        self.panes[0].set_reference(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.bar = CompareBar([pane.title for pane in self.panes], self.source.describe() if self.source else "none")
        self.bar.source_chosen.connect(self.set_source_path)
        self.bar.reference_combo.currentIndexChanged.connect(self.set_reference)
        self.bar.start_button.clicked.connect(self.start)
        self.bar.stop_button.clicked.connect(self.stop)
        self.bar.save_button.clicked.connect(self.save_report)
        self.save_button = self.bar.save_button
        # the bar's controls by name, as the window's own (tests and the rest of this class use them)
        self.start_button, self.stop_button = self.bar.start_button, self.bar.stop_button
        self.mode_group, self.reference_combo = self.bar.mode_group, self.bar.reference_combo
        self.choose, self.source_label = self.bar.choose, self.bar.source_label
        layout.addWidget(self.bar)
        self.notice = QLabel()
        self.notice.setObjectName("compare-notice")
        self.notice.setWordWrap(True)
        self.back_button = QToolButton()
        self.back_button.setObjectName("compare-back-live")
        self.back_button.setText("Back to Live")
        self.back_button.clicked.connect(self.back_to_live)
        self.back_button.hide()
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.back_button)
        layout.addLayout(notice_row)
        self.table_model = CompareTableModel(self)
        self.table_model.set_rows([ContenderRow(p.name, ", ".join(p.entry.hardware), p.host or "@local",
                                                state="reference" if i == 0 else "")
                                   for i, p in enumerate(self.plans)])
        self.table = make_table(self.table_model)
        self.strip = DisagreementStrip()
        self.strip.frame_picked.connect(self.show_strip_frame)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        bottom_layout.addWidget(self.table)
        bottom_layout.addWidget(QLabel("Frames where they disagree most"))
        bottom_layout.addWidget(self.strip)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(PaneGrid(self.panes))
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)  # the panes take what the table and the strip leave
        split.setStretchFactor(1, 0)
        split.setCollapsible(0, False)
        layout.addWidget(split, 1)

    # ----- state ----------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return MODES[max(0, self.mode_group.checkedId())][0]

    @property
    def reference(self) -> int:
        return max(0, self.reference_combo.currentIndex())

    def say(self, text: str) -> None:
        """The notice line under the bar: one line of what is going on, or why not."""
        self.notice.setText(text)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running and not self.refusal and self.source is not None)
        self.start_button.setToolTip(self.refusal or ("Choose a source first" if self.source is None
                                                      else "Run every model on the source"))
        self.stop_button.setEnabled(running)
        self.save_button.setEnabled(self.last_worker is not None)
        self.choose.setEnabled(not running)
        for button in self.mode_group.buttons():
            button.setEnabled(not running)
            button.setToolTip(MODES[self.mode_group.id(button)][2] + ("" if not running else
                                                                       " (Stop to change the mode)"))

    # ----- actions --------------------------------------------------------------------------
    def start(self) -> None:
        if self.refusal:
            self.say(self.refusal)
            return
        if self.source is None:
            self.say("Choose a source first: the open button next to Source.")
            return
        self.stop()
        self.held_frame = None
        self.back_button.hide()
        for pane in self.panes:
            pane.reset()
            pane.set_message(f"{pane.title}\n\nLoading…")
        self.strip.show_empty()
        try:
            comparison = Comparison(self.plans, self.source, self.mode, reference=self.reference)
        except InferenceError as exc:  # the runner's own check of the plans: one line, nothing started
            self.say(str(exc))
            return
        worker = CompareWorker(comparison, self.options, parent=self)
        worker.display_size = [pane.display_size() for pane in self.panes]
        worker.status.connect(lambda text: self.worker is worker and self.say(text))
        worker.shown.connect(lambda frames: self.worker is worker and self._shown(frames))
        worker.ready.connect(lambda pane, device, host: self.worker is worker and self._ready(pane, device, host))
        worker.pane_failed.connect(lambda pane, text: self.worker is worker and self.panes[pane].fail(text))
        worker.figures.connect(lambda rows: self.worker is worker and self._figures(rows))
        worker.worst.connect(lambda frames: self.worker is worker and self._worst(frames))
        worker.ended.connect(lambda text: self._ended(worker, text))
        worker.failed.connect(lambda message, _detail: self._ended(worker, message))  # broken off: said as an end
        for pane in self.panes:
            pane.frame_shown.connect(lambda _t, i=pane.index: self.worker is worker and worker.pane_painted(i))
        self.worker = self.last_worker = worker
        self.end_reason = ""
        self._set_running(True)
        mode = "synchronised" if self.mode == "sync" else "free run"
        self.say(f"Starting {len(self.plans)} models on {self.source.describe()} ({mode})…")
        worker.start()

    def stop(self) -> None:
        """Stop at once; the thread ends in the background. What is on screen stays."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.retire()
            self.say("Stopped. Press Start to run again.")
        self._set_running(False)

    def report_folder(self) -> str:
        """Where Save Report opens: the user's Documents folder, made if missing (home if it cannot be)."""
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        try:
            Path(documents).mkdir(parents=True, exist_ok=True)
        except OSError:
            return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.HomeLocation)
        return documents

    def save_report(self) -> QFileDialog | None:
        """Ask where, then write the report of the last run (HTML or JSON by the name's suffix)."""
        if self.last_worker is None:
            self.say("Nothing to report yet: press Start first.")
            return None
        stem = "compare-" + "-vs-".join(dict.fromkeys(p.name for p in self.plans))
        dialog = QFileDialog(self, "Save comparison report", str(Path(self.report_folder()) / f"{stem}.html"),
                             "HTML report (*.html *.htm);;JSON report (*.json)")
        dialog.setObjectName("compare-save-dialog")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # the same dialog on every desktop (and tests)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filterSelected.connect(lambda chosen: dialog.setDefaultSuffix("json" if "json" in chosen else "html"))
        dialog.setDefaultSuffix("html")
        dialog.fileSelected.connect(self.write_report_to)
        dialog.finished.connect(lambda _result: self.activateWindow())  # Esc and Ctrl+W work again at once
        dialog.open()
        return dialog

    def write_report_to(self, path: str) -> None:
        worker = self.last_worker
        if worker is None or not path:
            return
        try:
            written = write_report(worker.comparison, Path(path), "stopped" if self.worker is None and
                                   not self.end_reason else self.end_reason)
        except (OSError, ValueError) as exc:
            self.say(f"Report not saved: {exc}")
            return
        self.say(f"Report saved: {written}")

    def set_reference(self, pane: int) -> None:
        if not 0 <= pane < len(self.panes):
            return
        if self.reference_combo.currentIndex() != pane:
            self.reference_combo.setCurrentIndex(pane)  # comes back here through the combo's signal
            return
        for other in self.panes:
            other.set_reference(other.index == pane)
        if self.worker is not None:
            self.worker.set_reference(pane)

    def show_strip_frame(self, frame_id: int) -> None:
        """Show one frame of the strip in every pane, each with its own result; live frames wait."""
        frames = self.last_worker.frame_of(frame_id) if self.last_worker is not None else []
        if not frames:
            self.say(f"Frame {frame_id} is no longer kept; pick another.")
            return
        self.held_frame = frame_id
        for frame in frames:
            self.panes[frame.pane].show_result(frame)
        self.say(f"Showing frame {frame_id} in every pane, each with its own result.")
        self.back_button.setVisible(self.worker is not None)

    def back_to_live(self) -> None:
        self.held_frame = None
        self.back_button.hide()
        if self.worker is not None:
            self.say(self._running_text())
            for pane in self.panes:
                self.worker.pane_painted(pane.index)

    def _running_text(self) -> str:
        mode = "synchronised" if self.mode == "sync" else "free run"
        return (f"Comparing {len(self.panes)} models on {self.source.describe() if self.source else ''} ({mode}). "
                "Right-click a pane to make it the reference.")

    # ----- from the worker -------------------------------------------------------------------
    def _shown(self, frames: list[PaneFrame]) -> None:
        if self.held_frame is not None:
            return  # the user looks at a strip frame; the panes' "painted" stays unset, so none queue
        if self.notice.text().startswith("Starting"):
            self.say(self._running_text())
        for frame in frames:
            self.panes[frame.pane].show_result(frame)

    def _ready(self, pane: int, device: str, host: str) -> None:
        view = self.panes[pane]
        view.set_hud(replace(view.hud, device=device or view.hud.device, host=host or view.hud.host))
        if view.image is None:
            view.set_message(f"{view.title}\n\nLoaded on {device}; waiting for the other models…")

    def _figures(self, rows: list[ContenderRow]) -> None:
        self.table_model.set_rows(rows)
        for pane, row in zip(self.panes, rows):
            pane.set_figures(row.fps or 0.0, row.p50_ms or 0.0, row.p95_ms or 0.0, row.device,
                             together=self.last_worker is not None and self.last_worker.mode == "sync")

    def _worst(self, frames: list[StripFrame]) -> None:
        self.strip.set_frames(frames)

    def _ended(self, worker: CompareWorker, text: str) -> None:
        if worker is not self.worker:
            return
        self.worker = None
        self.end_reason = worker.end_reason
        self._set_running(False)
        if text:
            self.say(f"{text} Press Start to run again.")
        if all(pane.failure for pane in self.panes):
            self.say("Every model stopped: see each pane for why.")

    # ----- source -------------------------------------------------------------------------------
    def set_source_path(self, path: str) -> None:
        kind = "image" if Path(path).suffix.lower() in IMAGE_SUFFIXES else "video"
        self.source = SourceSpec(kind, path)
        self.source_label.setText(self.source.describe())
        self._set_running(self.worker is not None)
        self.say(self.refusal or "Press Start to run every model on this source.")

    @qt_virtual()
    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        event.accept()
