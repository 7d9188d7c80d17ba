"""The compare window's worker: the session layer's ``Comparison`` on a QThread, speaking in signals.

The runner (app/session/compare.py) does the work: one source, every contender,
synchronised or free run, agreement with the reference. This thread turns its
events into what panes paint: a frame becomes a QImage here, scaled to the
pane, and its result becomes overlay shapes, but only when the pane painted its
previous frame and no faster than the screen shows (as the live worker does),
so a slow UI never queues frames while every result still counts in the
figures. In synchronised mode a frame is shown in all panes at once, when the
runner says every pane has it, so the panes always show the same frame number.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import QThread, Signal

from ..inference import overlay
from ..inference.overlay import OverlayOptions
from .compare_panes import PaneFrame
from .compare_table import ContenderRow, StripFrame
from .guard import qt_virtual
from .workers import to_qimage

MAX_DISPLAY_FPS = 30.0  # per pane: four panes at 30 fps is plenty, and leaves the cores to the models
FIGURES_EVERY_S = 0.25
STRIP_SIZE = 6


class CompareWorker(QThread):
    """Runs one ``Comparison`` until the source ends, ``stop()`` or every contender failed."""

    status = Signal(str)
    shown = Signal(object)  # list[PaneFrame], painted together (a synchronised group, or one pane's frame)
    pane_failed = Signal(int, str)  # pane, one line saying why
    figures = Signal(object)  # list[ContenderRow], about 4 per second
    worst = Signal(object)  # list[StripFrame], worst first
    ended = Signal(str)  # why the compare ended ('' when stopped by the user)

    def __init__(self, plans: list[Any], source: Any, mode: str, reference: int = 0,
                 options: OverlayOptions | None = None, max_frames: int | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.plans, self.source, self.mode = plans, source, mode
        self.reference = reference
        self.options = options or OverlayOptions()
        self.max_frames = max_frames
        self.comparison: Any = None
        self.display_size: list[tuple[int, int] | None] = [None] * len(plans)  # set by the panes
        self._ready = [threading.Event() for _ in plans]  # the pane painted its last frame
        for event in self._ready:
            event.set()
        self._last_shown = [0.0] * len(plans)
        self._failed: set[int] = set()
        self._stopped = threading.Event()
        self._lock = threading.Lock()  # the runner object, made on this thread, used from the UI thread too

    # ----- requests from the UI thread ---------------------------------------------------
    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            if self.comparison is not None:
                self.comparison.stop()
        self.requestInterruption()

    def set_reference(self, pane: int) -> None:
        self.reference = pane
        with self._lock:
            if self.comparison is not None:
                self.comparison.set_reference(pane)

    def pane_painted(self, pane: int) -> None:
        if 0 <= pane < len(self._ready):
            self._ready[pane].set()

    def frame_of(self, frame_id: int) -> list[PaneFrame]:
        """Every pane's result for a frame of the strip (called on a click: a few ms on the UI thread)."""
        with self._lock:
            comparison = self.comparison
        if comparison is None:
            return []
        for worst in comparison.worst_frames(STRIP_SIZE):
            if worst.frame_id == frame_id:
                return [self._pane_frame(pane, frame_id, worst.image, result, 0.0)
                        for pane, result in enumerate(worst.results) if result is not None]
        return []

    def retire(self) -> None:
        """Stop without blocking the UI; the thread ends on its own (a model may take a moment to let go)."""
        from .workers import _retiring  # the live runs' list: the main window waits for it at exit

        self.stop()
        if self.isRunning():
            self.setParent(None)
            _retiring.append(self)
            self.finished.connect(lambda: _retiring.remove(self) if self in _retiring else None)

    # ----- the thread --------------------------------------------------------------------
    @qt_virtual()
    def run(self) -> None:
        try:
            from ..session.compare import Comparison

            comparison = Comparison(self.plans, self.source, self.mode, reference=self.reference,
                                    max_frames=self.max_frames, on_status=self.status.emit)
            with self._lock:
                self.comparison = comparison
            if self._stopped.is_set():
                comparison.stop()
            self._stream(comparison)
        except Exception as exc:  # the runner's errors are one line each; nothing may reach Qt's C++
            self.ended.emit(f"Compare stopped: {exc}")

    def _stream(self, comparison: Any) -> None:
        pending: dict[int, dict[int, Any]] = {}  # synchronised: frame id -> pane -> its event, until the group
        last_figures = 0.0
        worst_ids: list[int] = []
        end = ""
        for event in comparison.run():
            kind = type(event).__name__
            if kind == "ContenderFrame":
                if self.mode == "sync":
                    pending.setdefault(event.frame_id, {})[event.pane] = event
                else:
                    self._show([event])
            elif kind == "FrameGroup":
                group = pending.pop(event.frame_id, {})
                for old in [i for i in pending if i < event.frame_id]:
                    del pending[old]
                self._show(list(group.values()))
            elif kind == "ContenderFailed":
                self._failed.add(event.pane)
                self.pane_failed.emit(event.pane, str(event.message))
            elif kind == "SourceEnded":
                end = str(getattr(event, "message", "") or "The source ended.")
            now = time.monotonic()
            if now - last_figures >= FIGURES_EVERY_S:
                last_figures = now
                self.figures.emit(self._rows(comparison))
                worst_ids = self._emit_worst(comparison, worst_ids)
        self.figures.emit(self._rows(comparison))
        self._emit_worst(comparison, worst_ids)
        self.ended.emit("" if self._stopped.is_set() else end or "The source ended.")

    def _show(self, events: list[Any]) -> None:
        """Convert and send the frames if every pane concerned painted its last one, at most 30 times a second."""
        now = time.perf_counter()
        panes = [e.pane for e in events if e.pane not in self._failed]
        if not panes or any(not self._ready[p].is_set() or now - self._last_shown[p] < 1 / MAX_DISPLAY_FPS
                            for p in panes):
            return  # counted by the runner all the same; the next frame will be shown
        frames = [self._pane_frame(e.pane, e.frame_id, e.image, e.result, e.latency_ms)
                  for e in events if e.pane in panes]
        for pane in panes:
            self._ready[pane].clear()
            self._last_shown[pane] = now
        self.shown.emit(frames)

    def _pane_frame(self, pane: int, frame_id: int, image: Any, result: Any, latency_ms: float) -> PaneFrame:
        shapes = overlay.describe(result, image.shape[1], image.shape[0], self.options) if result is not None else None
        return PaneFrame(pane, frame_id, to_qimage(image, self.display_size[pane]), shapes, float(latency_ms))

    def _rows(self, comparison: Any) -> list[ContenderRow]:
        return [row_of(row) for row in comparison.table()]

    def _emit_worst(self, comparison: Any, shown_ids: list[int]) -> list[int]:
        """The strip changes only when the worst frames do (a thumbnail is made once per change)."""
        if self.mode != "sync":
            return shown_ids
        worst = comparison.worst_frames(STRIP_SIZE)
        ids = [w.frame_id for w in worst]
        if ids != shown_ids:
            self.worst.emit([StripFrame(w.frame_id, 1.0 - float(w.agreement), to_qimage(w.image, (224, 126)))
                             for w in worst])
        return ids


def row_of(row: Any) -> ContenderRow:
    """The runner's table row as the window's table shows it."""
    return ContenderRow(name=row.name, device=row.device, host=row.host, fps=row.fps, p50_ms=row.p50_ms,
                        p95_ms=row.p95_ms, per_frame=row.per_frame, agreement=row.agreement,
                        state=getattr(row, "state", ""))
