"""What a comparison tells its front end: events while it runs, rows and worst frames after.

Plain frozen dataclasses, Qt-free, so the window can put them in a signal as
they are and the command line and the report can read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from model_picker.inference.compare.agreement import Agreement


@dataclass(frozen=True)
class Answer:
    """One model's result on one frame without the frame itself (PySDK results keep theirs).

    What the agreement, the disagreement strip and the report need: the result
    items, the model-to-frame coordinate mapping (for class maps) and the labels.
    ``inference.media.overlay.describe`` draws it like a PySDK result.
    """

    results: list
    _conversion: Any = None
    _label_dictionary: dict = field(default_factory=dict)

    @classmethod
    def of(cls, result: Any) -> Answer:
        items = list(getattr(result, "results", None) or [])
        return cls(items, getattr(result, "_conversion", None), getattr(result, "_label_dictionary", None) or {})


@dataclass(frozen=True)
class PaneReady:
    """A contender has loaded its model and waits for the others (then the source starts)."""

    pane: int
    name: str
    device: str
    host: str


@dataclass(frozen=True)
class PaneResult:
    """One contender's result on one source frame (every result, for the pane's live view)."""

    pane: int
    frame_id: int
    image: np.ndarray
    result: Any
    latency_ms: float


@dataclass(frozen=True)
class FrameGroup:
    """Every live contender has answered ``frame_id``: their answers and agreement with the reference.

    ``agreement`` has an entry per live contender other than the reference (none
    when the reference has failed); ``score`` is the lowest of them, the frame's
    disagreement (None without any).
    """

    frame_id: int
    image: np.ndarray
    answers: dict[int, Answer]
    agreement: dict[int, Agreement]
    reference: int
    score: float | None


@dataclass(frozen=True)
class PaneFailed:
    """A contender stopped (host lost, model failed to load); the others go on."""

    pane: int
    message: str


@dataclass(frozen=True)
class SourceEnded:
    """The comparison is over: ``reason`` says why (end of source, stopped, every contender failed)."""

    frames: int
    reason: str


Event = PaneReady | PaneResult | FrameGroup | PaneFailed | SourceEnded


@dataclass(frozen=True)
class Row:
    """One contender in the comparison table (``agreement`` None for the reference itself)."""

    pane: int
    name: str
    device: str
    host: str
    frames: int
    fps: float
    latency_p50_ms: float
    latency_p95_ms: float
    results_per_frame: float
    reference: bool
    agreement: float | None
    metrics: dict[str, float]
    shared_classes: tuple[str, ...] | None
    failed: str = ""


@dataclass(frozen=True)
class WorstFrame:
    """A frame where the contenders disagree most: the source image and every answer."""

    frame_id: int
    score: float
    image: np.ndarray
    answers: dict[int, Answer]
    agreement: dict[int, Agreement]
