"""The compare window's worker: the session layer's ``Comparison`` on a thread, speaking in signals.

The runner (session/compare/runner.py) does the work: one source, every contender,
synchronised or free run, agreement with the reference. This thread turns its
events into what panes paint: a frame becomes a QImage here, scaled to the pane,
and its result becomes overlay shapes, but only once the pane painted its previous
frame and no faster than a screen shows, so a slow UI never queues frames while
every result still counts in the figures. In synchronised mode a frame is shown in
all panes at once, so the panes always show the same frame number.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import Signal

from model_picker.inference.media import overlay
from model_picker.inference.media.overlay import OverlayOptions
from model_picker.session.compare.events import FrameGroup, PaneFailed, PaneReady, PaneResult, SourceEnded
from model_picker.ui.compare.panes import PaneFrame
from model_picker.ui.compare.table import ContenderRow, StripFrame
from model_picker.ui.live.qimages import to_qimage
from model_picker.ui.shell.workers import Worker

MAX_DISPLAY_FPS = 30.0  # per pane: four panes at 30 fps is plenty, and leaves the cores to the models
FIGURES_EVERY_S = 0.25
STRIP_SIZE = 6
THUMB_PIXELS = (224, 126)  # twice the strip's icon size: sharp on a high-density screen


class CompareWorker(Worker):
    """Drains one ``Comparison``'s events until the source ends, ``stop()`` or every contender failed.

    ``ended`` says why it ended; ``failed`` is a compare that broke off (a source that
    cannot be opened, a runner bug), said in one line.
    """

    status = Signal(str)
    ready = Signal(int, str, str)  # pane, device, host: its model is loaded
    shown = Signal(object)  # list[PaneFrame], painted together (a synchronised group, or one pane's frame)
    pane_failed = Signal(int, str)  # pane, one line saying why
    figures = Signal(object)  # list[ContenderRow], about 4 per second
    worst = Signal(object)  # list[StripFrame], worst first
    ended = Signal(str)  # why the compare ended ('' when stopped by the user)
    expected = (Exception,)  # whatever breaks the compare off is said in the window, never into Qt

    def __init__(self, comparison: Any, options: OverlayOptions | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.comparison = comparison  # made by the window (it refuses bad input at once); run here
        self.mode = comparison.mode
        self.options = options or OverlayOptions()
        panes = len(comparison.contenders)
        self.display_size: list[tuple[int, int] | None] = [None] * panes  # set by the window: frames scaled here
        self._ready = [threading.Event() for _ in range(panes)]  # the pane painted its last frame
        for event in self._ready:
            event.set()
        self._last_shown = [0.0] * panes
        self._failed: set[int] = set()
        self._stopped = threading.Event()
        self.end_reason = ""  # the runner's reason (SourceEnded.reason), for the report

    # ----- requests from the UI thread ---------------------------------------------------
    def stop(self) -> None:
        self._stopped.set()
        self.comparison.stop()
        super().stop()

    def set_reference(self, pane: int) -> None:
        self.comparison.set_reference(pane)

    def pane_painted(self, pane: int) -> None:
        if 0 <= pane < len(self._ready):
            self._ready[pane].set()

    def frame_of(self, frame_id: int) -> list[PaneFrame]:
        """Every pane's result for a frame of the strip (on a click: a few ms on the UI thread)."""
        for worst in self.comparison.worst_frames(STRIP_SIZE):
            if worst.frame_id == frame_id:
                return [self._pane_frame(pane, frame_id, worst.image, answer) for pane, answer in worst.answers.items()]
        return []

    # ----- the thread --------------------------------------------------------------------
    def failure(self, exc: BaseException) -> tuple[str, str]:
        message = f"Compare stopped: {exc}"
        return message, message

    def work(self) -> None:
        comparison = self.comparison
        last_figures = 0.0
        worst_ids: list[int] = []
        end = ""
        for event in comparison.events():
            if isinstance(event, PaneResult) and self.mode == "free":
                self._show([(event.pane, event.frame_id, event.image, event.result)])
            elif isinstance(event, FrameGroup) and self.mode == "sync" and event.image is not None:
                self._show([(pane, event.frame_id, event.image, answer) for pane, answer in event.answers.items()])
            elif isinstance(event, PaneReady):
                self.ready.emit(event.pane, event.device, event.host)
            elif isinstance(event, PaneFailed):
                self._failed.add(event.pane)
                self.pane_failed.emit(event.pane, event.message)
            elif isinstance(event, SourceEnded):
                end = ending(event)
                self.end_reason = event.reason
            now = time.monotonic()
            if now - last_figures >= FIGURES_EVERY_S:
                last_figures = now
                self.figures.emit([row_of(row) for row in comparison.table()])
                worst_ids = self._emit_worst(worst_ids)
        self.figures.emit([row_of(row) for row in comparison.table()])
        self._emit_worst(worst_ids)
        self.ended.emit("" if self._stopped.is_set() else end)

    def _show(self, results: list[tuple[int, int, Any, Any]]) -> None:
        """Convert and send (pane, frame id, image, result) if every pane concerned painted its last frame,
        at most MAX_DISPLAY_FPS a second; otherwise skip (the runner counts it all the same)."""
        now = time.perf_counter()
        results = [r for r in results if r[0] not in self._failed]
        if not results or any(not self._ready[p].is_set() or now - self._last_shown[p] < 1 / MAX_DISPLAY_FPS
                              for p, *_rest in results):
            return
        frames = [self._pane_frame(pane, frame_id, image, result) for pane, frame_id, image, result in results]
        for frame in frames:
            self._ready[frame.pane].clear()
            self._last_shown[frame.pane] = now
        self.shown.emit(frames)

    def _pane_frame(self, pane: int, frame_id: int, image: Any, result: Any) -> PaneFrame:
        shapes = overlay.describe(result, image.shape[1], image.shape[0], self.options) if result is not None else None
        return PaneFrame(pane, frame_id, to_qimage(image, self.display_size[pane]), shapes)

    def _emit_worst(self, shown_ids: list[int]) -> list[int]:
        """The strip changes only when the worst frames do (thumbnails are made once per change).

        Free run has them too: the frames every contender happened to answer are compared.
        """
        worst = self.comparison.worst_frames(STRIP_SIZE)  # only frames someone disagrees on
        ids = [w.frame_id for w in worst]
        if ids != shown_ids:
            self.worst.emit([StripFrame(w.frame_id, float(w.score), to_qimage(w.image, THUMB_PIXELS)) for w in worst])
        return ids


def ending(event: Any) -> str:
    """The runner's end as the notice line says it."""
    if event.reason == "end of source":
        return f"The source ended after {event.frames} frame{'' if event.frames == 1 else 's'}."
    if event.reason == "every contender failed":
        return "Every model stopped: each pane says why."
    return f"Compare ended: {event.reason}."


def row_of(row: Any) -> ContenderRow:
    """The runner's table row as the window's table shows it (figures only once the contender answered)."""
    measured = row.frames > 0
    shared = ""
    if row.shared_classes is not None:
        shared = ("compared on the classes both models know: " + ", ".join(row.shared_classes)
                  if row.shared_classes else "the two models share no class")
    return ContenderRow(name=row.name, device=row.device, host=row.host,
                        fps=row.fps if measured and row.fps > 0 else None,  # a rate needs two results
                        p50_ms=row.latency_p50_ms if measured else None,
                        p95_ms=row.latency_p95_ms if measured else None,
                        per_frame=row.results_per_frame if measured else None,
                        agreement=row.agreement,
                        state="stopped" if row.failed else "reference" if row.reference
                        else "no shared class" if row.shared_classes == () else "",
                        note=row.failed or shared)
