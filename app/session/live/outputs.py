"""A run's files: the recording, the detection exports and snapshots.

Kept apart from run.py (the run's lifecycle and controls): this is only what a
result becomes on disk. Everything here is called on the run's own thread; the
front ends switch recording and exporting on and off through ``Run``.

Each file is written whole or not at all (``model_picker.atomic``): a write that
fails (a full disk) drops that file and raises one ``OutputError``, which ends the
run with that line; the other files are still closed and kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from model_picker.atomic import OutputError, output_error
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
            image = self.renderer(item)
            try:
                self._video.write(image)
            except Exception as exc:  # OSError, or PyAV's own errors: the recording is lost, not the run's state
                video, self._video, self.record = self._video, None, False
                video.discard()
                raise output_error(video.path, exc) from None
        elif self._video is not None:
            video, self._video = self._video, None
            if (failed := self._close(video)) is not None:
                raise failed
        if export:
            if not self._results:
                if isinstance(export, Path):
                    paths = [export]
                else:
                    base = self.path("detections", "")
                    paths = [base.with_suffix(".jsonl"), base.with_suffix(".csv")]
                for path in paths:
                    try:
                        self._results.append(ResultsWriter(path))
                    except OutputError:
                        for opened in self._results:
                            opened.discard()
                        self._results, self.export = [], False
                        raise
            for writer in self._results:
                try:
                    writer.write(item.frame.frame_id, item.frame.position_s, item.result)
                except OutputError:  # that file is dropped already; the others are closed and kept
                    self._results.remove(writer)
                    self.export = False
                    self._close_results()
                    raise
        elif self._results and (failed := self._close_results()) is not None:
            raise failed

    def close(self) -> None:
        """Close every open file; the first that could not be written whole is raised (OutputError) after."""
        video, self._video = self._video, None
        failed = self._close(video) if video is not None else None
        later = self._close_results()
        failed = failed or later
        if failed is not None:
            raise failed

    def _close(self, writer: Any) -> OutputError | None:
        try:
            writer.close()
        except OutputError as exc:
            return exc
        self.written.append(writer)
        self.on_saved(writer.path)
        return None

    def _close_results(self) -> OutputError | None:
        writers, self._results = self._results, []
        failures = [failed for failed in map(self._close, writers) if failed is not None]
        return failures[0] if failures else None
