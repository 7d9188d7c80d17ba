"""The live side of the main window: the source line, the run line, the video, the overlay line.

It only collects what the user wants and shows what the run sends; the
RunController owns the run. Each line is a small widget of its own (sources,
controls, overlay) that says what it wants in signals; this panel puts them
around the video and wires the few things between them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from model_picker.ui.live.overlay_controls import OverlayControls
from model_picker.ui.live.run_controls import RunControls
from model_picker.ui.live.source_picker import SourcePicker
from model_picker.ui.live.video_view import VideoView


class LivePanel(QWidget):
    """``sources`` (what to run on), ``controls`` (what to do), ``video`` (what it shows), ``overlay`` (how)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sources = SourcePicker()
        self.controls = RunControls(keys_scope=self)
        self.video = VideoView()
        self.overlay = OverlayControls()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sources)
        layout.addWidget(self.controls)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.overlay)
        self.sources.changed.connect(self._source_changed)
        self.sources.problem.connect(self.video.set_message)
        self.video.file_dropped.connect(self.sources.add_path_source)
        self._source_changed()

    def _source_changed(self) -> None:
        self.controls.show_folder_buttons(self.sources.kind() == "folder")


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
