"""The live side: source picker, run controls, overlay controls and the video pane.

It only collects what the user wants and shows what the worker sends; the main
window owns the worker. Cameras are listed by name through Qt Multimedia and
remembered by their stable id, so "the USB camera" stays the same camera when
another one is plugged in; the OpenCV index is derived from the id at run time.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from model_picker.inference.media.overlay import OverlayOptions
from model_picker.inference.media.sources import SourceError, SourceSpec, parse_source
from model_picker.redact import redact
from model_picker.ui.live.video_view import VideoView
from model_picker.zoo.bundled import IMAGE_SUFFIXES, VIDEO_SUFFIXES, sample_media

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
LOCATION_ROLE = Qt.ItemDataRole.UserRole + 2


def list_cameras() -> list[tuple[str, str, int]]:
    """(name, stable id, OpenCV index) of each camera Qt Multimedia sees."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:  # PySide6-Essentials without the Addons part
        return []
    cameras = []
    for position, device in enumerate(QMediaDevices.videoInputs()):
        stable = bytes(device.id().data()).decode(errors="replace")
        match = re.search(r"(\d+)$", stable)
        cameras.append((device.description(), stable, int(match.group(1)) if match else position))
    return cameras


def _tool(icon: QStyle.StandardPixmap, tip: str, name: str, checkable: bool = False) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setIcon(button.style().standardIcon(icon))
    button.setToolTip(tip)
    button.setCheckable(checkable)
    button.setAutoRaise(True)
    return button


class LivePanel(QWidget):
    run_requested = Signal()
    stop_requested = Signal()
    pause_toggled = Signal(bool)
    step_requested = Signal()
    snapshot_requested = Signal()
    record_toggled = Signal(bool)
    export_toggled = Signal(bool)
    options_changed = Signal(object)  # OverlayOptions
    source_changed = Signal()
    move_requested = Signal(int)  # folders: +1 next image, -1 previous
    slideshow_changed = Signal(float)  # folders: seconds per image, 0 = off

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        source_row = QHBoxLayout()
        source_row.addWidget(QLabel("Source"))
        self.source = QComboBox()
        self.source.setObjectName("source")
        self.source.setMinimumContentsLength(22)
        self.source.currentIndexChanged.connect(lambda _i: self._source_picked())
        source_row.addWidget(self.source, 1)
        self.open_file = _tool(QStyle.StandardPixmap.SP_DialogOpenButton, "Open a video or image file…", "open-file")
        self.open_folder = _tool(QStyle.StandardPixmap.SP_DirOpenIcon, "Open a folder of images…", "open-folder")
        self.open_url = _tool(QStyle.StandardPixmap.SP_DriveNetIcon, "Open a stream URL (rtsp://, http://)…",
                              "open-url")
        self.open_file.clicked.connect(self._choose_file)
        self.open_folder.clicked.connect(self._choose_folder)
        self.open_url.clicked.connect(self._choose_url)
        for button in (self.open_file, self.open_folder, self.open_url):
            source_row.addWidget(button)
        self.realtime = QCheckBox("Real time")
        self.realtime.setObjectName("realtime")
        self.realtime.setChecked(True)
        self.realtime.setToolTip("Play files at their own frame rate (a demo). Off: as fast as the model "
                                 "takes them (a measurement)")
        self.loop = QCheckBox("Loop")
        self.loop.setChecked(True)
        self.loop.setToolTip("Start a file again at its end")
        source_row.addWidget(self.realtime)
        source_row.addWidget(self.loop)
        layout.addLayout(source_row)

        controls = QHBoxLayout()
        self.run_button = _tool(QStyle.StandardPixmap.SP_MediaPlay, "Run the selected model on the source (F5)",
                                "run")
        self.run_button.setText("Run")
        self.run_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pause_button = _tool(QStyle.StandardPixmap.SP_MediaPause, "Pause (Space)", "pause", checkable=True)
        self.step_button = _tool(QStyle.StandardPixmap.SP_MediaSkipForward,
                                 "Exactly one more frame (a folder: the next image) (.)", "step")
        self.previous_button = _tool(QStyle.StandardPixmap.SP_MediaSeekBackward, "Previous image (Page Up)",
                                     "previous-image")
        self.next_button = _tool(QStyle.StandardPixmap.SP_MediaSeekForward, "Next image (Page Down)", "next-image")
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
        # Window-wide keys (a QShortcut: a button's own shortcut did not fire with the table focused);
        # text fields keep their spaces and dots, as they take those keys first.
        for key, button in ((Qt.Key.Key_Space, self.pause_button), (Qt.Key.Key_Period, self.step_button),
                            (Qt.Key.Key_PageUp, self.previous_button), (Qt.Key.Key_PageDown, self.next_button)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda b=button: b.isEnabled() and b.isVisible() and b.click())
        self.stop_button = _tool(QStyle.StandardPixmap.SP_MediaStop, "Stop", "stop")
        self.snapshot_button = _tool(QStyle.StandardPixmap.SP_DialogSaveButton, "Save this annotated frame (PNG)",
                                     "snapshot")
        self.record_button = _tool(QStyle.StandardPixmap.SP_DialogYesButton, "Record the annotated stream (MP4)",
                                   "record", checkable=True)
        self.record_button.setText("Record")
        self.record_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button = _tool(QStyle.StandardPixmap.SP_FileDialogListView,
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
        for widget in (self.run_button, self.pause_button, self.step_button, self.stop_button,
                       self.previous_button, self.next_button, self.slideshow):
            controls.addWidget(widget)
        controls.addSpacing(12)
        for widget in (self.snapshot_button, self.record_button, self.export_button):
            controls.addWidget(widget)
        self.state_label = QLabel()
        self.state_label.setObjectName("run-state")
        # A long status (a stream's loss, an image's name) is cut, never widens the window.
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        controls.addWidget(self.state_label, 1)
        layout.addLayout(controls)

        self.video = VideoView()
        self.video.file_dropped.connect(self.add_path_source)
        layout.addWidget(self.video, 1)

        overlay_row = QHBoxLayout()
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
        self.classes.setPlaceholderText("all classes (or e.g. car, person)")
        self.classes.setToolTip("Show only these classes (comma-separated labels)")
        for label, widget in ((None, self.show_labels), (None, self.show_probs), ("Width", self.line_width),
                              ("Opacity", self.alpha), ("Text", self.font_scale), ("Classes", self.classes)):
            if label:
                overlay_row.addWidget(QLabel(label))
            overlay_row.addWidget(widget, 1 if widget is self.classes else 0)
        for box in (self.show_labels, self.show_probs):
            box.toggled.connect(self._emit_options)
        for spin in (self.line_width, self.alpha, self.font_scale):
            spin.valueChanged.connect(self._emit_options)
        self.classes.editingFinished.connect(self._emit_options)
        layout.addLayout(overlay_row)
        self.threshold: float | None = None
        self.fill_sources()
        self._source_picked()
        self.set_running(False)

    # ----- sources -------------------------------------------------------------------
    def fill_sources(self) -> None:
        self.source.blockSignals(True)
        self.source.clear()
        style = self.style()
        for path in sample_media():
            video = path.suffix.lower() in VIDEO_SUFFIXES
            pixmap = QStyle.StandardPixmap.SP_MediaPlay if video else QStyle.StandardPixmap.SP_FileIcon
            icon = style.standardIcon(pixmap)
            self._add(icon, f"Sample: {path.name}", "video" if video else "image", str(path))
        cameras = list_cameras()
        for name, stable, _index in cameras:
            self._add(style.standardIcon(QStyle.StandardPixmap.SP_ComputerIcon), f"Camera: {name}", "camera", stable)
        if not cameras:
            self.source.addItem("No camera found (connect one and restart)")
            item = self.source.model().item(self.source.count() - 1)
            item.setEnabled(False)
        self.source.blockSignals(False)

    def _add(self, icon: Any, text: str, kind: str, location: str, select: bool = False) -> None:
        """Add (or find) a source; choosing it is ONE source change, however the rows move."""
        before = self.source_state()
        self.source.blockSignals(True)
        try:
            found = next((i for i in range(self.source.count())
                          if self.source.itemData(i, KIND_ROLE) == kind
                          and self.source.itemData(i, LOCATION_ROLE) == location), None)
            if found is None:
                found = 0 if select else self.source.count()
                self.source.insertItem(found, icon, text)
                self.source.setItemData(found, kind, KIND_ROLE)
                self.source.setItemData(found, location, LOCATION_ROLE)  # the real URL: in memory only
                self.source.setItemData(found, redact(location), Qt.ItemDataRole.ToolTipRole)
            if select:
                self.source.setCurrentIndex(found)
        finally:
            self.source.blockSignals(False)
        if self.source_state() != before:
            self._source_picked()

    def _source_picked(self) -> None:
        folder = self.source.currentData(KIND_ROLE) == "folder"
        for widget in (self.previous_button, self.next_button, self.slideshow):
            widget.setVisible(folder)
        self.source_changed.emit()

    def add_path_source(self, path: str) -> None:
        """A file or folder the user chose or dropped; the kind comes from what it is."""
        try:
            spec = parse_source(path)
        except SourceError as exc:
            self.video.set_message(str(exc))
            return
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon if spec.kind == "folder"
                                         else QStyle.StandardPixmap.SP_FileIcon)
        self._add(icon, f"{spec.kind.capitalize()}: {Path(path).name}", spec.kind, spec.location, select=True)

    def add_stream(self, url: str) -> None:
        """The URL's credentials are never shown or saved (``source_state`` redacts them)."""
        self._add(self.style().standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon), f"Stream: {redact(url)}",
                  "stream", url, select=True)

    def _choose_file(self) -> None:
        patterns = " ".join(f"*{s}" for s in VIDEO_SUFFIXES + IMAGE_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(self, "Open a video or image", "", f"Media ({patterns})")
        if path:
            self.add_path_source(path)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of images")
        if path:
            self.add_path_source(path)

    def _choose_url(self) -> None:
        """A non-blocking dialog (a nested event loop would stall tests and scripts)."""
        dialog = QInputDialog(self)
        dialog.setObjectName("stream-url")
        dialog.setWindowTitle("Open a stream")
        dialog.setLabelText("Stream URL (rtsp://, http://, https://):")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda url: url.strip() and self.add_stream(url.strip()))
        dialog.open()

    def source_spec(self) -> SourceSpec:
        """The chosen source; a camera's stable id becomes its OpenCV index now."""
        kind = self.source.currentData(KIND_ROLE)
        location = self.source.currentData(LOCATION_ROLE)
        if not kind:
            raise SourceError("choose a source: a sample, a file, a folder, a camera or a stream URL")
        if kind == "camera":
            index = next((i for _n, stable, i in list_cameras() if stable == location), None)
            if index is None:
                raise SourceError("that camera is not connected any more; choose another source")
            return SourceSpec("camera", str(index), realtime=True)
        if kind == "stream":
            return SourceSpec("stream", location, realtime=True)
        return SourceSpec(kind, location, realtime=self.realtime.isChecked(), loop=self.loop.isChecked())

    def source_state(self) -> dict[str, str]:
        """What settings keep: a stream URL without its credentials (they stay in memory only)."""
        return {"kind": self.source.currentData(KIND_ROLE) or "",
                "location": redact(self.source.currentData(LOCATION_ROLE) or "")}

    def restore_source(self, state: dict[str, str]) -> None:
        kind, location = state.get("kind"), state.get("location")
        if not kind or not location:
            return
        for i in range(self.source.count()):
            if self.source.itemData(i, KIND_ROLE) == kind and self.source.itemData(i, LOCATION_ROLE) == location:
                self.source.setCurrentIndex(i)
                return
        if kind in ("video", "image", "folder") and location and Path(location).exists():
            self.add_path_source(location)
        elif kind == "stream" and location:
            self.add_stream(location)

    # ----- options and state -----------------------------------------------------------
    def options(self) -> OverlayOptions:
        classes = tuple(c.strip() for c in self.classes.text().split(",") if c.strip())
        return OverlayOptions(show_labels=self.show_labels.isChecked(), show_probabilities=self.show_probs.isChecked(),
                              line_width=self.line_width.value(), alpha=round(self.alpha.value(), 2),
                              font_scale=round(self.font_scale.value(), 2), threshold=self.threshold, classes=classes)

    def restore_options(self, options: OverlayOptions) -> None:
        self.show_labels.setChecked(options.show_labels)
        self.show_probs.setChecked(options.show_probabilities)
        self.line_width.setValue(options.line_width)
        self.alpha.setValue(options.alpha)
        self.font_scale.setValue(options.font_scale)
        self.classes.setText(", ".join(options.classes))

    def _emit_options(self) -> None:
        self.options_changed.emit(self.options())

    def set_running(self, running: bool) -> None:
        self.pause_button.setEnabled(running)
        self.step_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.snapshot_button.setEnabled(running)
        if not running:  # record and export stay armed for the next run
            self.pause_button.blockSignals(True)
            self.pause_button.setChecked(False)
            self.pause_button.blockSignals(False)


class LiveScroll(QScrollArea):
    """The live panel in a sideways scroll.

    Its rows may want more width than a 1024 px window has left: they scroll
    sideways then, rather than forcing the window wider than the screen (or cutting them).
    """

    def __init__(self, live: QWidget) -> None:
        super().__init__()
        self.setObjectName("live-scroll")
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(live)
        self.setWidget(holder)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(380)
