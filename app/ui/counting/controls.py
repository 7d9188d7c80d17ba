"""Counting in the window: the Track toggle, lines and zones drawn on the video, Reset counts, events.

``CountingControls`` owns the current ``CountingSetup`` (normalised coordinates)
for the current source, stores it per source in QSettings, and hands every
change to the running worker (which applies it at its next result). Drawing
and editing happen on the video pane (``CountEditor``, ui/counting/editor.py). A
moved line or zone counts again from zero; the others keep counting. The
Events toggle writes each crossing and zone entry or exit of the run to CSV and
JSON lines in the output folder (the worker's ``LiveCounting`` writes them);
``saved`` says where when they close. What is counted comes back from the
worker inside the shapes.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QPainter, QPaintEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QSizePolicy, QStyle, QToolButton, QVBoxLayout, QWidget

from model_picker.inference.counting.analyzers import CountingError, CountingSetup, Line, Zone, detector_reason
from model_picker.inference.counting.edit import replaced
from model_picker.ui.counting.editor import CountEditor
from model_picker.ui.shell import settings as stored
from model_picker.ui.shell.guard import qt_virtual
from model_picker.ui.shell.log_panel import log

HINTS = {"line": "Click the line's two ends on the video.",
         "zone": "Click the zone's corners on the video; double-click the last one to close it."}
READY = "Drag to move, right-click to delete."
EDIT_TIP = ("Drag an end or a corner to move it, or the line or zone to move it whole; double-click a zone's "
            "edge to add a corner, a corner to delete it. A moved line or zone counts again from zero; "
            "the others keep their counts.")
EVENTS_TIP = ("Write events: each line crossing and zone entry or exit (frame, time, track ID, class, direction) "
              "to CSV and JSON lines in the output folder, the totals at the end; the files close when you "
              "turn this off or the run ends")


class ElidedLabel(QLabel):
    """One line that ends in "…" where its width cuts it: ``text()`` stays whole (for the tooltip and tests),
    and a long text never widens the panel under the user's mouse."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(0)

    def shown_text(self) -> str:
        """What is painted: the text, elided to the label's width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    @qt_virtual()
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        self.style().drawItemText(painter, self.contentsRect(), int(align), self.palette(), self.isEnabled(),
                                  self.shown_text(), self.foregroundRole())


def _button(action: QAction) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setAutoRaise(True)
    return button


class CountingControls(QObject):
    """The counting row under the video and the setup it edits; ``changed`` carries each new setup."""

    changed = Signal(object)  # CountingSetup
    reset_requested = Signal()
    saved = Signal(str)  # the events files, when they close: "<csv path> and .jsonl (N events)"
    notice = Signal(str)  # an edit done or refused, for the status bar (the hint beside the buttons is short)

    def __init__(self, video: Any, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.video = video
        self.editor = CountEditor()
        video.editor = self.editor
        self.source_key = ""
        self.reason = ""
        self.worker: Any = None  # the run counting now (attach), for events
        self._events_worker: Any = None  # the run whose events files are open
        self.bar = QWidget()
        self.bar.setObjectName("counting-bar")
        self._make_actions(self.bar.style())
        self.hint = ElidedLabel(READY)
        self.hint.setObjectName("counting-hint")
        self.hint.setToolTip(f"{READY} {EDIT_TIP}")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        self.buttons = {}
        for action in (self.track, self.draw_line, self.draw_zone, self.clear, self.reset, self.events, self.save,
                       self.load):
            self.buttons[action.text()] = _button(action)
            buttons.addWidget(self.buttons[action.text()])
        for action in (self.events, self.save, self.load):  # icons with tooltips: the row must fit a 1024 px window
            self.buttons[action.text()].setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        buttons.addStretch(1)
        # The hint has the panel's whole width on its own line, under the buttons (beside them it is cut even
        # in a wide window); a longer reason is elided with "…", whole in its tooltip and in the status bar.
        layout = QVBoxLayout(self.bar)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        self._connect()

    def _action(self, style: QStyle, icon: QStyle.StandardPixmap, text: str, tip: str) -> QAction:
        action = QAction(style.standardIcon(icon), text, self.bar)
        action.setToolTip(tip)
        return action

    def _make_actions(self, style: QStyle) -> None:
        pix = QStyle.StandardPixmap
        self.track = self._action(style, pix.SP_ArrowRight, "Track",
                                  "Track objects: IDs and short trails on the video (ByteTrack)")
        self.track.setCheckable(True)
        self.draw_line = self._action(style, pix.SP_ToolBarHorizontalExtensionButton, "Line",
                                      "Draw a counting line: click its two ends on the video. " + EDIT_TIP)
        self.draw_zone = self._action(style, pix.SP_TitleBarNormalButton, "Zone",
                                      "Draw a zone: click its corners, double-click the last one. " + EDIT_TIP)
        self.clear = self._action(style, pix.SP_DialogDiscardButton, "Clear",
                                  "Delete every line and zone of this source")
        self.reset = self._action(style, pix.SP_BrowserReload, "Reset Counts", "Start every count again from zero")
        self.events = self._action(style, pix.SP_FileDialogDetailedView, "Events", EVENTS_TIP)
        self.events.setCheckable(True)
        self.save = self._action(style, pix.SP_DialogSaveButton, "Save…", "Save these lines and zones as YAML")
        self.load = self._action(style, pix.SP_DialogOpenButton, "Load…", "Load lines and zones from YAML")

    def _connect(self) -> None:
        self.track.toggled.connect(lambda on: self._set(replace(self.setup, track=on)))
        self.draw_line.triggered.connect(lambda: self._start("line"))
        self.draw_zone.triggered.connect(lambda: self._start("zone"))
        self.clear.triggered.connect(lambda: self._set(CountingSetup(track=self.setup.track)))
        self.reset.triggered.connect(self.reset_requested)
        self.events.toggled.connect(self._events_toggled)
        self.save.triggered.connect(self._save_yaml)
        self.load.triggered.connect(self._load_yaml)
        self.editor.added.connect(self._added)
        self.editor.edited.connect(self._edited)
        self.editor.deleted.connect(self._deleted)
        self.editor.failed.connect(self._tell)

    def say(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setToolTip(f"{READY} {EDIT_TIP}" if text == READY else text)

    def _tell(self, text: str) -> None:
        """An edit's outcome: beside the buttons and, whole, in the status bar."""
        self.say(text)
        self.notice.emit(text)

    @property
    def setup(self) -> CountingSetup:
        return self.editor.setup

    def _set(self, setup: CountingSetup) -> None:
        self.editor.setup = setup
        if self.source_key:
            self.settings.setValue(self.source_key, json.dumps({**setup.to_dict(), "track": setup.track}))
        self.video.update()
        self.changed.emit(setup)

    def _start(self, mode: str) -> None:
        self.editor.start(mode)
        self.say(HINTS[mode])

    def _added(self, item: Line | Zone) -> None:
        self.say(READY)
        if isinstance(item, Line):
            self._set(replace(self.setup, lines=(*self.setup.lines, item)))
        else:
            self._set(replace(self.setup, zones=(*self.setup.zones, item)))

    def _edited(self, item: Line | Zone) -> None:
        self._tell(f"{item.name} changed: it counts again from zero; the others keep counting.")
        self._set(replaced(self.setup, item))

    def _deleted(self, name: str) -> None:
        self._set(replace(self.setup, lines=tuple(x for x in self.setup.lines if x.name != name),
                          zones=tuple(x for x in self.setup.zones if x.name != name)))

    def set_source(self, state: dict[str, str]) -> None:
        """Show the lines and zones stored for this source (a hash of it names the settings key)."""
        where = f"{state.get('kind', '')}:{state.get('location', '')}"
        self.source_key = "counting/" + hashlib.sha1(where.encode()).hexdigest()[:16]
        data = stored.get_dict(self.settings, self.source_key)  # {} with a warning when damaged
        try:
            setup = CountingSetup.from_dict(data, "stored counting", track=data.get("track") is True)
        except (ValueError, AttributeError, TypeError, OverflowError) as exc:  # a hand-edited settings file
            log.warning("settings %s: %s cannot be used (%s); counting starts empty", self.settings.fileName(),
                        self.source_key, exc)
            setup = CountingSetup()
        self.editor.setup = setup
        self.track.setChecked(setup.track)
        self.editor.start("")
        self.video.update()
        self.changed.emit(setup)

    def set_reason(self, reason: str) -> None:
        """A model that cannot count: the controls are disabled and the reason shown ('' enables them)."""
        self.reason = reason
        for action in (self.track, self.draw_line, self.draw_zone, self.reset, self.events):
            action.setEnabled(not reason)
        self.say(f"Counting is off: {reason}" if reason else READY)

    # ----- events files -------------------------------------------------------------------
    def _events_toggled(self, on: bool) -> None:
        if not on:
            self.stop_events()
        elif self.worker is not None:
            self.start_events(self.worker)
        else:
            self.say("Events will be written from the start of the next run.")

    def start_events(self, worker: Any) -> None:
        """Open this run's events files (named like its recordings) in the output folder."""
        self.stop_events()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = worker.request.output_dir / f"{worker.request.spec.model_name}-events-{stamp}"
        try:
            paths = worker.counting.start_events(base)
        except OSError as exc:  # an output folder that cannot be written: say where, and untick
            self.say(f"Events not written: {exc.filename or base}: {exc.strerror or exc}")
            self.events.setChecked(False)
            return
        self._events_worker = worker
        self._tell(f"Writing events to {paths[0]} and {paths[1].suffix}")

    def stop_events(self) -> None:
        """Close the open events files (the summary counts at the end) and say where they are."""
        worker, self._events_worker = self._events_worker, None
        if worker is None:
            return
        paths, rows = worker.counting.stop_events()
        if paths:
            self.saved.emit(f"{paths[0]} and {paths[1].suffix} ({rows} events)")
            if not self.reason:
                self.say(READY)

    def run_ended(self, worker: Any) -> None:
        if worker is self._events_worker:
            self.stop_events()
        if worker is self.worker:
            self.worker = None

    def _save_yaml(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self.bar, "Save lines and zones", "counting.yaml", "YAML (*.yaml *.yml)")
        if path:
            self.setup.save_yaml(path)
            self.say(f"Saved {path}")

    def _load_yaml(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self.bar, "Load lines and zones", "", "YAML (*.yaml *.yml)")
        if not path:
            return
        try:
            setup = CountingSetup.load_yaml(path)
        except CountingError as exc:
            self.say(f"Not loaded: {exc}")
            return
        self._set(replace(setup, track=self.setup.track))
        self.say(READY)


def install(window: Any) -> CountingControls:
    """Put the counting row under the live panel and wire it to the source and the running worker."""
    controls = CountingControls(window.live.video, window.settings)
    window.live.layout().addWidget(controls.bar)
    window.live.sources.changed.connect(lambda: controls.set_source(window.live.sources.source_state()))
    controls.changed.connect(lambda setup: window.runs.worker is not None and window.runs.worker.counting.set_setup(
        setup if not controls.reason else CountingSetup()))
    controls.reset_requested.connect(lambda: window.runs.worker is not None and window.runs.worker.counting.reset())
    controls.notice.connect(lambda text: window.statusBar().showMessage(text, 8000))
    controls.saved.connect(lambda text: (window.statusBar().showMessage(f"Saved {text}", 8000),
                                         log.info("saved %s", text)))
    controls.set_source(window.live.sources.source_state())
    return controls


def attach(controls: CountingControls, worker: Any, task: Any) -> None:
    """A new run: counting follows the setup, or is off with the reason for a model that is not a detector."""
    controls.set_reason(detector_reason(task))
    worker.counting.set_setup(controls.setup if not controls.reason else CountingSetup())
    controls.worker = worker
    worker.finished.connect(lambda: controls.run_ended(worker))  # the thread is done: nothing more is written
    if controls.events.isChecked() and not controls.reason:
        controls.start_events(worker)
    else:
        controls.stop_events()  # the previous run's files, if it is still winding down
