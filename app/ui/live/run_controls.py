"""The live side's run line: Run, Pause, Step, Stop, a folder's Previous/Next/slides, the outputs, the state.

Each button says what it wants as a signal; the RunController acts on them. Space,
"." and Page Up/Down work from anywhere in the window (a button's own shortcut did
not fire with the table focused), but only while their button is enabled and shown;
text fields keep their spaces and dots, as they take those keys first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QSizePolicy, QStyle, QToolButton, QWidget


def tool_button(icon: QStyle.StandardPixmap, tip: str, name: str, checkable: bool = False) -> QToolButton:
    """A flat icon button of the live side, named for tests and scripts."""
    button = QToolButton()
    button.setObjectName(name)
    button.setIcon(button.style().standardIcon(icon))
    button.setToolTip(tip)
    button.setCheckable(checkable)
    button.setAutoRaise(True)
    return button


class RunControls(QWidget):
    """The buttons of a run and the line saying what it does (``state_label``).

    ``keys_scope`` holds the window-wide keys: the live panel, so they stay bound
    while this line is hidden (presentation mode), where they do nothing.
    """

    run_requested = Signal()
    stop_requested = Signal()
    pause_toggled = Signal(bool)
    step_requested = Signal()
    move_requested = Signal(int)  # folders: +1 next image, -1 previous
    slideshow_changed = Signal(float)  # folders: seconds per image, 0 = off
    snapshot_requested = Signal()
    record_toggled = Signal(bool)
    export_toggled = Signal(bool)

    def __init__(self, keys_scope: QWidget | None = None) -> None:
        super().__init__()
        self.run_button = tool_button(QStyle.StandardPixmap.SP_MediaPlay, "Run the selected model on the source (F5)",
                                      "run")
        self.run_button.setText("Run")
        self.run_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pause_button = tool_button(QStyle.StandardPixmap.SP_MediaPause, "Pause (Space)", "pause", checkable=True)
        self.step_button = tool_button(QStyle.StandardPixmap.SP_MediaSkipForward,
                                       "Exactly one more frame (a folder: the next image) (.)", "step")
        self.previous_button = tool_button(QStyle.StandardPixmap.SP_MediaSeekBackward, "Previous image (Page Up)",
                                           "previous-image")
        self.next_button = tool_button(QStyle.StandardPixmap.SP_MediaSeekForward, "Next image (Page Down)",
                                       "next-image")
        self.slideshow = QDoubleSpinBox()
        self.slideshow.setObjectName("slideshow")
        self.slideshow.setRange(0.0, 60.0)
        self.slideshow.setSingleStep(1.0)
        self.slideshow.setDecimals(1)
        self.slideshow.setSuffix(" s")
        self.slideshow.setSpecialValueText("Slides off")
        self.slideshow.setToolTip("Folders: move to the next image every this many seconds (0: off)")
        self.previous_button.clicked.connect(lambda: self.move_requested.emit(-1))
        self.next_button.clicked.connect(lambda: self.move_requested.emit(1))
        self.slideshow.valueChanged.connect(lambda value: self.slideshow_changed.emit(float(value)))
        for key, button in ((Qt.Key.Key_Space, self.pause_button), (Qt.Key.Key_Period, self.step_button),
                            (Qt.Key.Key_PageUp, self.previous_button), (Qt.Key.Key_PageDown, self.next_button)):
            shortcut = QShortcut(QKeySequence(key), keys_scope or self)
            shortcut.activated.connect(lambda b=button: b.isEnabled() and b.isVisible() and b.click())
        self.stop_button = tool_button(QStyle.StandardPixmap.SP_MediaStop, "Stop", "stop")
        self.snapshot_button = tool_button(QStyle.StandardPixmap.SP_DialogSaveButton,
                                           "Save this annotated frame (PNG)", "snapshot")
        self.record_button = tool_button(QStyle.StandardPixmap.SP_DialogYesButton,
                                         "Record the annotated stream (MP4)", "record", checkable=True)
        self.record_button.setText("Record")
        self.record_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button = tool_button(QStyle.StandardPixmap.SP_FileDialogListView,
                                         "Export every detection (JSON lines and CSV)", "export", checkable=True)
        self.export_button.setText("Export")
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.run_button.clicked.connect(self.run_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        self.pause_button.toggled.connect(self.pause_toggled)
        self.step_button.clicked.connect(self.step_requested)
        self.snapshot_button.clicked.connect(self.snapshot_requested)
        self.record_button.toggled.connect(self.record_toggled)
        self.export_button.toggled.connect(self.export_toggled)
        self.state_label = QLabel()
        self.state_label.setObjectName("run-state")
        # A long status (a stream's loss, an image's name) is cut, never widens the window.
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.run_button, self.pause_button, self.step_button, self.stop_button,
                       self.previous_button, self.next_button, self.slideshow):
            row.addWidget(widget)
        row.addSpacing(12)
        for widget in (self.snapshot_button, self.record_button, self.export_button):
            row.addWidget(widget)
        row.addWidget(self.state_label, 1)
        self.set_running(False)

    def show_folder_buttons(self, shown: bool) -> None:
        """Previous, Next and the slides are a folder's: hidden for other sources."""
        for widget in (self.previous_button, self.next_button, self.slideshow):
            widget.setVisible(shown)

    def set_running(self, running: bool) -> None:
        self.pause_button.setEnabled(running)
        self.step_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.snapshot_button.setEnabled(running)
        if not running:  # record and export stay armed for the next run
            self.pause_button.blockSignals(True)
            self.pause_button.setChecked(False)
            self.pause_button.blockSignals(False)
