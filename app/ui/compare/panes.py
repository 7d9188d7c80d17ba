"""The compare window's panes: one video view per contender, 1×2 or 2×2, each with its HUD.

A pane is the live view's own ``VideoView`` (same overlay painter, same HUD
panel), so a box looks the same here as in the main window. The HUD adds the
source frame number the pane is showing: in synchronised mode every pane says
the same number, and that is what the user (and the window test) reads.

Panes are small and a crowd's boxes are close, so a label is only ever drawn
touching its own box (``PanePainter``); one with no free room beside its box is
left out and the HUD counts it, rather than drawn in a column far from it.
Synchronised, every pane shows the one common rate (the panes see the same
frames) beside each model's own latency.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QAction, QImage, QPainter
from PySide6.QtWidgets import QGridLayout, QWidget

from model_picker.inference.media.overlay import Shapes
from model_picker.ui.live.hud import HudInfo
from model_picker.ui.live.overlay_painter import OverlayPainter
from model_picker.ui.live.video_view import VideoView

WAITING_TEXT = "Press Start to run every model on the same source."


def pane_title(index: int, model: str, host: str) -> str:
    """'A · yolov8n @ localhost:8778': how the reference menu, the table and the empty pane name a pane."""
    return f"{chr(ord('A') + index)} · {model} @ {host}"


@dataclass(frozen=True)
class PaneHud(HudInfo):
    """The live HUD plus the source frame shown (and which pane is the reference)."""

    frame_id: int = -1
    reference: bool = False
    together: bool = False  # synchronised: the FPS is every pane's common rate
    hidden_labels: int = 0  # labels with no room beside their box

    def lines(self, presentation: bool = False) -> list[str]:
        lines = super().lines(presentation)
        if lines and self.reference:
            lines[0] = f"{lines[0]} (reference)"
        if self.together and not presentation:
            speed = next((i for i, line in enumerate(lines) if " FPS · p50 " in line), None)
            if speed is not None:
                lines[speed] = (f"{self.fps:.1f} FPS, all panes · own latency p50 {self.latency_p50_ms:.0f} ms · "
                                f"p95 {self.latency_p95_ms:.0f} ms")
        if self.hidden_labels:
            lines.append(f"{self.hidden_labels} label{'' if self.hidden_labels == 1 else 's'} not drawn: "
                         "no room beside the box")
        if self.frame_id >= 0:
            lines.append(f"frame {self.frame_id}")
        return lines


def touches(label: QRectF, box: QRectF, slack: float = 1.0) -> bool:
    """The label overlaps the box or abuts it (within ``slack`` pixels)."""
    return label.intersects(box.adjusted(-slack, -slack, slack, slack))


class PanePainter(OverlayPainter):
    """The live view's painter, but a label only ever sits against its own box (or is left out)."""

    @staticmethod
    def _free_spot(box: QRectF, width: float, height: float, view: QRectF, placed: list[QRectF]) -> QRectF | None:
        """Above the box, inside its top, below, then beside it, sliding along its edges; None if all are taken."""
        def fit(left: float, top: float) -> QRectF:
            left = min(max(view.left(), left), view.right() - width)
            top = min(max(view.top(), top), view.bottom() - height)
            return QRectF(left, top, width, height)

        lefts = [box.left(), box.right() - width]
        step = max(4.0, width / 4)
        x = box.left() - width + step
        while x < box.right():
            lefts.append(x)
            x += step
        tops = [box.top() - height, box.top(), box.bottom(), box.bottom() - height]
        candidates = [fit(left, top) for top in tops for left in lefts]
        for top in (box.top(), box.bottom() - height, box.center().y() - height / 2):
            candidates += [fit(box.right(), top), fit(box.left() - width, top)]
        for rect in candidates:
            if touches(rect, box) and not any(rect.intersects(other) for other in placed):
                return rect
        return None


@dataclass(frozen=True)
class PaneFrame:
    """One contender's result for one source frame, ready to paint (made on the worker)."""

    pane: int
    frame_id: int
    image: QImage
    shapes: Shapes | None
    latency_ms: float = 0.0


class ComparePane(VideoView):
    """One contender: its newest frame (or the one picked in the strip), overlay, HUD, or why it stopped."""

    reference_requested = Signal(int)

    def __init__(self, index: int, model: str, device: str, host: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"compare-pane-{index}")
        self.setAcceptDrops(False)  # a drop means "run this file" in the live view, nothing here
        self.setMinimumSize(240, 160)
        self.index = index
        self.frame_id = -1  # the source frame painted now (-1: none yet)
        self.failure = ""  # why this contender stopped ("" while it runs)
        self.hud = PaneHud(model=model, device=device, host=host)
        self.overlay = PanePainter()
        self.title = pane_title(index, model, host)
        self.message = f"{self.title}\n\n{WAITING_TEXT}"
        use = QAction("Use as Reference", self)
        use.triggered.connect(lambda: self.reference_requested.emit(self.index))
        self.addAction(use)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def show_result(self, frame: PaneFrame) -> None:
        if self.failure:
            return  # a late frame of a contender that already failed must not hide why
        self.frame_id = frame.frame_id
        self.hud = replace(self.hud, frame_id=frame.frame_id)
        self.message = ""
        self.show_frame(frame.image, frame.shapes)

    def set_figures(self, fps: float, p50: float, p95: float, device: str = "", together: bool = False) -> None:
        """``together``: synchronised, ``fps`` is the rate every pane shares."""
        hud = self.hud if isinstance(self.hud, PaneHud) else PaneHud()
        self.set_hud(replace(hud, fps=fps, latency_p50_ms=p50, latency_p95_ms=p95, device=device or hud.device,
                             together=together))

    def _paint(self, painter: QPainter) -> None:
        super()._paint(painter)
        if self.shapes is None or self.image is None or not isinstance(self.hud, PaneHud):
            return
        hidden = sum(1 for box in self.shapes.boxes if box.text) - len(self.overlay.label_rects)
        if self.shapes.nothing_to_draw:
            hidden = 0
        if hidden != self.hud.hidden_labels:
            self.hud = replace(self.hud, hidden_labels=hidden)
            self.update()  # the HUD says it on the next paint

    def set_reference(self, on: bool) -> None:
        self.set_hud(replace(self.hud, reference=on))

    def fail(self, message: str) -> None:
        """The contender stopped (its host died, its model failed): say so here; the others go on."""
        self.failure = message
        where = self.hud.host if isinstance(self.hud, PaneHud) and self.hud.host else "this pane"
        self.set_message(f"Stopped on {where}: {message}\nThe other panes go on.")

    def reset(self) -> None:
        """Before a new start: no frame, no failure, the waiting text."""
        self.failure = ""
        self.frame_id = -1
        hud = replace(self.hud, frame_id=-1, fps=0.0, latency_p50_ms=0.0, latency_p95_ms=0.0)
        self.clear(f"{self.title}\n\n{WAITING_TEXT}")
        self.hud = hud


class PaneGrid(QWidget):
    """Two panes side by side; three or four in a 2×2 grid."""

    def __init__(self, panes: list[ComparePane], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panes = panes
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        columns = 2
        for i, pane in enumerate(panes):
            grid.addWidget(pane, i // columns, i % columns)
