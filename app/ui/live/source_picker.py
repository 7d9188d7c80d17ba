"""The live side's source line: samples, cameras, files, folders and stream URLs, and how files play.

Cameras are listed by name through Qt Multimedia and remembered by their stable
id, so "the USB camera" stays the same camera when another one is plugged in; the
OpenCV index is derived from the id at run time. A stream URL's credentials stay
in memory: what is shown or saved is redacted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QInputDialog, QLabel, QStyle, QWidget

from model_picker.inference.media.sources import SourceError, SourceSpec, parse_source
from model_picker.redact import redact
from model_picker.ui.live.run_controls import tool_button
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


class SourcePicker(QWidget):
    """``changed``: the chosen source is another one (once per change, however the rows move);
    ``problem``: a chosen path that is no source, in one line."""

    changed = Signal()
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Source"))
        self.source = QComboBox()
        self.source.setObjectName("source")
        self.source.setMinimumContentsLength(22)
        self.source.currentIndexChanged.connect(lambda _i: self.changed.emit())
        row.addWidget(self.source, 1)
        self.open_file = tool_button(QStyle.StandardPixmap.SP_DialogOpenButton, "Open a video or image file…",
                                     "open-file")
        self.open_folder = tool_button(QStyle.StandardPixmap.SP_DirOpenIcon, "Open a folder of images…",
                                       "open-folder")
        self.open_url = tool_button(QStyle.StandardPixmap.SP_DriveNetIcon, "Open a stream URL (rtsp://, http://)…",
                                    "open-url")
        self.open_file.clicked.connect(self._choose_file)
        self.open_folder.clicked.connect(self._choose_folder)
        self.open_url.clicked.connect(self._choose_url)
        for button in (self.open_file, self.open_folder, self.open_url):
            row.addWidget(button)
        self.realtime = QCheckBox("Real time")
        self.realtime.setObjectName("realtime")
        self.realtime.setChecked(True)
        self.realtime.setToolTip("Play files at their own frame rate (a demo). Off: as fast as the model "
                                 "takes them (a measurement)")
        self.loop = QCheckBox("Loop")
        self.loop.setChecked(True)
        self.loop.setToolTip("Start a file again at its end")
        row.addWidget(self.realtime)
        row.addWidget(self.loop)
        self.fill_sources()

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
            self.changed.emit()

    def kind(self) -> str:
        """The chosen source's kind ('video', 'image', 'folder', 'camera', 'stream'; '' for none)."""
        return self.source.currentData(KIND_ROLE) or ""

    def add_path_source(self, path: str) -> None:
        """A file or folder the user chose or dropped; the kind comes from what it is."""
        try:
            spec = parse_source(path)
        except SourceError as exc:
            self.problem.emit(str(exc))
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
