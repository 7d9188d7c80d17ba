"""The Compare command: enabled by what is selected, it opens the compare window.

Two to four runnable models of one task (Ctrl-click rows), or one model and
several hosts (typed in a small dialog), make a compare. The action says why it
is disabled in its tooltip, so the user knows what to select next. Everything
the main window is asked for goes through ``_selected``, ``_host`` and
``_source`` here, so the window's own code only creates this object.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from model_picker.inference.media.sources import SourceError
from model_picker.session.plan import RunPlan
from model_picker.ui.catalogue.table_model import ENTRY_ROLE
from model_picker.ui.compare.bar import task_problem
from model_picker.ui.compare.window import CompareWindow
from model_picker.ui.shell.guard import qt_virtual

MAX_PANES = 4
SHORTCUT = "F6"  # next to F5 (Run); bound nowhere else (tests/ui/shell/test_window_input.py checks)


def split_hosts(text: str) -> list[str]:
    """'@local, localhost:8778' -> ['@local', 'localhost:8778'] (blanks dropped, order kept, no repeats)."""
    hosts: list[str] = []
    for part in text.replace(";", ",").split(","):
        host = part.strip()
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def hosts_problem(hosts: list[str]) -> str:
    """Why these hosts cannot make a compare ('' when they can)."""
    if len(hosts) < 2:
        return "Type at least two hosts, comma-separated: @local, localhost:8778"
    if len(hosts) > MAX_PANES:
        return f"At most {MAX_PANES} hosts: {len(hosts)} are typed."
    return ""


class HostsDialog(QDialog):
    """One model on several hosts: the hosts, comma-separated; OK only once they make a compare."""

    def __init__(self, model: str, first_host: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare-hosts")
        self.setWindowTitle(f"Compare {model} on several hosts")
        self.hosts: list[str] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Run {model} on these hosts side by side (2 to {MAX_PANES}, comma-separated):"))
        self.field = QLineEdit(f"{first_host}, ")
        self.field.setObjectName("compare-hosts-field")
        self.field.setPlaceholderText("@local, localhost:8778")
        layout.addWidget(self.field)
        self.problem = QLabel()
        self.problem.setObjectName("compare-hosts-problem")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _check(self) -> None:
        hosts = split_hosts(self.field.text())
        problem = hosts_problem(hosts)
        self.problem.setText(problem)
        self.adjustSize()  # room for the line, whatever its length
        if not problem:
            self.hosts = hosts
            self.accept()


class CompareController(QObject):
    """Owns the Compare action, its button and the open compare window (one at a time)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.compare_window: Any = None
        self.paused_run: Any = None  # the live run this controller paused for the compare (resumed after)
        icon = window.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogListView)
        self.action = QAction(icon, "&Compare Selected Models…", window)
        self.action.setObjectName("compare")
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setIconText("Compare")
        self.action.triggered.connect(self.compare)
        self.button = QToolButton()
        self.button.setObjectName("compare-button")
        self.button.setDefaultAction(self.action)
        # Icon only: with its text the catalogue header is too wide for a 1024 px window.
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        window.table.selectionModel().selectionChanged.connect(lambda _s, _d: self.update())
        window.model.dataChanged.connect(lambda *_a: self.update())  # a host probe marked rows unrunnable
        window.model.modelReset.connect(self.update)
        window.installEventFilter(self)  # the main window closing closes the compare, so its runs stop first
        self.update()

    @qt_virtual(False)
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and watched is self.window and self.compare_window is not None:
            self.compare_window.close()
        return False

    # ----- what the main window is asked -----------------------------------------------------
    def _selected(self) -> list[int]:
        """Entry indices of the selected rows, in the order they were selected (the first is the reference)."""
        indices: list[int] = []
        for cell in self.window.table.selectionModel().selectedIndexes():
            value = cell.data(ENTRY_ROLE)
            if value is not None and int(value) not in indices:
                indices.append(int(value))
        return indices

    def _host(self) -> str:
        return self.window.settings_bar.host_text()

    def _source(self) -> Any:
        return self.window.live.sources.source_spec()

    # ----- state ---------------------------------------------------------------------------
    def problem(self) -> str:
        """Why Compare cannot start with this selection ('' when it can)."""
        catalogue = self.window.session.catalogue
        chosen = self._selected()
        if catalogue is None or not chosen:
            return "Select 2 to 4 models with Ctrl-click, or one model to compare on several hosts"
        if len(chosen) > MAX_PANES:
            return f"Compare takes at most {MAX_PANES} models: {len(chosen)} are selected"
        entries = [catalogue.entries[i] for i in chosen]
        refusal = task_problem(entries)
        if refusal:
            return refusal
        for i, entry in zip(chosen, entries):
            reason = self.window.model.unrunnable.get(i)
            if reason:
                return f"{entry.name} cannot run on {self._host()}: {reason}"
        return ""

    def update(self) -> None:
        problem = self.problem()
        chosen = self._selected()
        entries = self.window.session.catalogue.entries if not problem else []
        self.action.setEnabled(not problem)
        if problem:
            tip = problem
        elif len(chosen) == 1:
            tip = f"Compare {entries[chosen[0]].name} on several hosts (you type them next)"
        else:
            tip = "Compare " + " vs ".join(entries[i].name for i in chosen) + " on one source"
        self.action.setToolTip(f"{tip} ({SHORTCUT})" if not problem else tip)
        self.action.setStatusTip(tip)

    # ----- opening ---------------------------------------------------------------------------
    def compare(self) -> None:
        problem = self.problem()
        if problem:
            self.window.statusBar().showMessage(problem, 8000)
            return
        chosen = self._selected()
        if len(chosen) == 1:
            name = self.window.session.catalogue.entries[chosen[0]].name
            dialog = HostsDialog(name, self._host(), self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.accepted.connect(lambda: self.open([(chosen[0], host) for host in dialog.hosts]))
            dialog.open()
            return
        self.open([(i, self._host()) for i in chosen])

    def plans(self, pairs: list[tuple[int, str]]) -> list[RunPlan]:
        catalogue = self.window.session.catalogue
        devices = self.window.settings_bar.devices.currentText()
        return [RunPlan(catalogue, index, host=host, devices=devices) for index, host in pairs]

    def open(self, pairs: list[tuple[int, str]]) -> Any:
        """Open the compare window for (entry, host) pairs; a compare already open is closed first."""
        try:
            source = self._source()
        except SourceError as exc:
            source, problem = None, str(exc)
        else:
            problem = ""
        if self.compare_window is not None:
            self.compare_window.close()
        compare = CompareWindow(self.plans(pairs), source, self.window.live.overlay.options(), parent=self.window)
        self.compare_window = compare
        self._pause_live()
        compare.destroyed.connect(lambda *_a: self._forget(compare))
        if problem and not compare.refusal:
            compare.say(f"Choose a source: {problem}")
        compare.show()
        compare.raise_()
        compare.activateWindow()  # its keys (Esc, Ctrl+W, Ctrl+S) work at once, without a click first
        return compare

    def _forget(self, compare: Any) -> None:
        if self.compare_window is compare:  # closed (and deleted): not a later one
            self.compare_window = None
            try:
                self._resume_live()
                if self.window.isVisible():
                    self.window.activateWindow()  # the keys go back to the catalogue
            except RuntimeError:  # the main window itself is being deleted (the compare is its child)
                self.paused_run = None

    def _pause_live(self) -> None:
        """Pause the main window's run with its own Pause button, so its controls say Paused."""
        runs, pause = self.window.runs, self.window.live.controls.pause_button
        if runs.worker is None or runs.worker.paused or not pause.isEnabled():
            return
        self.paused_run = runs.worker
        pause.setChecked(True)
        self.window.statusBar().showMessage("The live run is paused while Compare is open.", 8000)

    def _resume_live(self) -> None:
        run, self.paused_run = self.paused_run, None
        pause = self.window.live.controls.pause_button
        if run is not None and run is self.window.runs.worker and run.paused and pause.isChecked():
            pause.setChecked(False)
