"""A run's files: the recording, the detection exports and snapshots.

Kept apart from run.py (the run's lifecycle and controls): this is only what a
result becomes on disk. Everything here is called on the run's own thread; the
front ends switch recording and exporting on and off through ``Run``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from model_picker.inference.media.export import ResultsWriter, VideoWriter, save_snapshot


class RunOutputs:
    """Opens writers when asked, writes each drawn result, and closes them (each closed one is kept in ``written``).

    ``record`` / ``export``: False (off), True (files named in the output folder) or a Path (that file).
    """

    def __init__(self, request: Any, renderer: Callable[[Any], np.ndarray], on_saved: Callable[[Path], None],
                 video_fps: Callable[[], float]) -> None:
        self.request = request  # read at each use: the command line fills in its spec after the run is made
        self.renderer = renderer
        self.on_saved = on_saved
        self.video_fps = video_fps
        self.record: Path | bool = False
        self.export: Path | bool = False
        self.written: list[Any] = []  # closed VideoWriter / ResultsWriter objects, for summaries
        self._video: VideoWriter | None = None
        self._results: list[ResultsWriter] = []

    def path(self, kind: str, suffix: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        return self.request.output_dir / f"{self.request.spec.model_name}-{kind}-{stamp}{suffix}"

    def snapshot(self, item: Any) -> Path:
        path = save_snapshot(self.renderer(item), self.path("snapshot", ".png"))
        self.on_saved(path)
        return path

    def write(self, item: Any) -> None:
        """Write one result to what is switched on; close what was switched off."""
        record, export = self.record, self.export
        if record:
            if self._video is None:
                path = record if isinstance(record, Path) else self.path("recording", ".mp4")
                self._video = VideoWriter(path, self.video_fps())
            self._video.write(self.renderer(item))
        elif self._video is not None:
            self._close(self._video)
            self._video = None
        if export:
            if not self._results:
                if isinstance(export, Path):
                    self._results = [ResultsWriter(export)]
                else:
                    base = self.path("detections", "")
                    self._results = [ResultsWriter(base.with_suffix(".jsonl")),
                                     ResultsWriter(base.with_suffix(".csv"))]
            for writer in self._results:
                writer.write(item.frame.frame_id, item.frame.position_s, item.result)
        elif self._results:
            self._close_results()

    def close(self) -> None:
        if self._video is not None:
            self._close(self._video)
            self._video = None
        self._close_results()

    def _close(self, writer: Any) -> None:
        writer.close()
        self.written.append(writer)
        self.on_saved(writer.path)

    def _close_results(self) -> None:
        for writer in self._results:
            self._close(writer)
        self._results = []
