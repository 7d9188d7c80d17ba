"""What to draw over a frame, as plain shapes, and the options a user changes while a model runs.

The window draws results itself, at screen resolution (app/ui/live/overlay_painter.py),
instead of PySDK's ``image_overlay``, which burns labels into the frame at source
resolution (unreadable on a large photo) and deep-copies the frame for every
result. ``describe`` turns a PySDK result into ``Shapes`` in source pixels: no Qt,
no image copy, so the worker can do it for every shown frame at almost no cost.
The class filter takes effect on the next result; the confidence threshold at
the next ``predict_batch`` (PySDK's rule), so the pipeline restarts for it.

The class filter is ours, not PySDK's ``output_class_set`` (which compares labels
exactly): ``filter_result`` drops the other classes ignoring case and counts what
it dropped, so an empty view can say that the filter hid the objects.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# Set apart by ``apply``: the threshold needs a restart, the class set is set every time.
RESTART_PROPERTIES = ("output_confidence_threshold", "output_class_set")


@dataclass(frozen=True)
class OverlayOptions:
    show_labels: bool = True
    show_probabilities: bool = True
    line_width: int = 3
    alpha: float = 1.0
    font_scale: float = 1.0
    threshold: float | None = None  # None: the model's own
    classes: tuple[str, ...] = field(default_factory=tuple)  # empty: every class

    def model_properties(self) -> dict[str, Any]:
        props: dict[str, Any] = {
            "overlay_show_labels": self.show_labels,
            "overlay_show_probabilities": self.show_probabilities,
            "overlay_line_width": self.line_width,
            "overlay_alpha": self.alpha,
            "overlay_font_scale": self.font_scale,
        }
        if self.threshold is not None:
            props["output_confidence_threshold"] = self.threshold
        return props

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["classes"] = list(self.classes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OverlayOptions:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "classes" in known:
            known["classes"] = tuple(known["classes"] or ())
        try:
            return cls(**known)
        except TypeError:
            return cls()


def apply(model: Any, options: OverlayOptions, model_threshold: float) -> bool:
    """Set the options on a model; True when the threshold changed (restart predict_batch).

    ``model_threshold`` is the model's own threshold, used when the user has none.
    The class filter is applied per result by ``filter_result``, so PySDK's own
    set stays empty and nothing needs a restart.
    """
    for name, value in options.model_properties().items():
        if name not in RESTART_PROPERTIES:
            setattr(model, name, value)
    model.output_class_set = set()
    threshold = options.threshold if options.threshold is not None else model_threshold
    if abs(float(model.output_confidence_threshold) - float(threshold)) > 1e-9:
        model.output_confidence_threshold = threshold
        return True
    return False


def class_key(label: Any) -> str:
    """How a label is compared with the class filter: trimmed, case ignored ("Person" is "person")."""
    return str(label).strip().casefold()


def filter_result(result: Any, classes: tuple[str, ...]) -> int:
    """Drop a result's labelled items that are not in ``classes`` (case ignored); how many were dropped.

    Done in place, as PySDK's own filter does, so everything downstream (the
    overlay, exports, counting, recordings) sees the same filtered result.
    Items without a label (a segmentation's class map) are kept.
    """
    items = getattr(result, "_inference_results", None)
    if not classes or not isinstance(items, list):
        return 0
    wanted = {class_key(name) for name in classes}
    kept = [item for item in items
            if not isinstance(item, dict) or "label" not in item or class_key(item["label"]) in wanted]
    hidden = len(items) - len(kept)
    items[:] = kept
    return hidden


def model_labels(model: Any) -> list[str]:
    """The labels a loaded model can give (its label dictionary), empty when it has none."""
    try:
        labels = getattr(model, "label_dictionary", None) or {}
    except Exception:  # a model without labels, or a compound one that cannot say
        return []
    return [str(label) for label in (labels.values() if isinstance(labels, dict) else labels)]


def unmatched_classes(classes: tuple[str, ...], labels: list[str]) -> list[str]:
    """The filter's names that match none of ``labels`` (case ignored); none when the labels are unknown."""
    if not labels:
        return []
    known = {class_key(label) for label in labels}
    return [name for name in classes if class_key(name) not in known]


def filter_warning(classes: tuple[str, ...], labels: list[str]) -> str:
    """What to say when the class filter hides every class of the running model ("" when it does not).

    Short enough for one HUD line, which names the model above it.
    """
    if not classes or not labels or len(unmatched_classes(classes, labels)) < len(classes):
        return ""
    return f"class filter ({', '.join(classes)}) matches no label of this model"


BACKGROUND_LABELS = ("background", "__background__", "unlabeled")


# Saturated colours that stay apart on photos (after Sasha Trubetskoy's list, pale ones left out), RGB.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
    (70, 240, 240), (240, 50, 230), (210, 245, 60), (0, 128, 128), (170, 110, 40), (128, 0, 0),
    (128, 128, 0), (0, 0, 128))


def color_of(category_id: Any, label: str = "") -> tuple[int, int, int]:
    """A class keeps its colour (category id modulo the palette; the label's letters without an id)."""
    key = category_id if isinstance(category_id, int) else sum(map(ord, str(label)))
    return PALETTE[key % len(PALETTE)]


def to_bgr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """An RGB colour (the palette's, the window's) in OpenCV's BGR order, for drawing on a frame with cv2."""
    return int(rgb[2]), int(rgb[1]), int(rgb[0])


@dataclass(frozen=True)
class Box:
    """A detection: corners in source pixels, its caption (may be empty) and colour."""

    x1: float
    y1: float
    x2: float
    y2: float
    text: str
    color: tuple[int, int, int]


@dataclass(frozen=True)
class Mask:
    """A class map (uint8, any size) placed over ``rect`` (x1, y1, x2, y2, source pixels)."""

    classes: np.ndarray
    rect: tuple[float, float, float, float]
    colors: np.ndarray  # (256, 4) RGBA per class id; alpha 0 for the background
    legend: tuple[tuple[str, tuple[int, int, int]], ...]  # the classes present, largest first


@dataclass(frozen=True)
class CountShape:
    """A counting line (2 points) or zone (3 or more) in source pixels, with what it has counted."""

    kind: str  # "line" or "zone"
    name: str
    points: tuple[tuple[float, float], ...]
    text: str  # "in 1 · out 0", "2 inside"; empty before the first count


@dataclass(frozen=True)
class Trail:
    """A tracked object's recent path (box centres, source pixels) and its ID."""

    points: tuple[tuple[float, float], ...]
    text: str
    color: tuple[int, int, int]


@dataclass
class Shapes:
    """Everything a result asks to draw, in the source frame's pixels."""

    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    points: list[tuple[float, float, tuple[int, int, int]]] = field(default_factory=list)
    lines: list[tuple[float, float, float, float, tuple[int, int, int]]] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # classification: "label 0.93", best first
    mask: Mask | None = None
    counts: dict[str, int] = field(default_factory=dict)  # per class, for presentation mode
    options: OverlayOptions = field(default_factory=OverlayOptions)  # line width, opacity, text size
    counters: list[CountShape] = field(default_factory=list)  # counting lines and zones
    trails: list[Trail] = field(default_factory=list)  # tracks, when the Track toggle is on
    hidden_by_filter: int = 0  # items the class filter dropped from this result

    @property
    def empty(self) -> bool:
        return not (self.boxes or self.points or self.classes or (self.mask is not None and self.mask.legend))

    @property
    def nothing_to_draw(self) -> bool:
        """Not even counting lines, zones or tracks: the painter can skip this result (``empty`` is "found none")."""
        return not (self.boxes or self.points or self.lines or self.classes or self.mask is not None
                    or self.counters or self.trails)


def found_text(shapes: Shapes) -> str:
    """What a result found, in its task's words, for the status line and the HUD of a photo.

    A segmentation result has one entry (the class map), so counting ``result.results``
    would say "1 detection"; a mask is described by the classes it covers instead.
    """
    if shapes.mask is not None:
        labels = [label for label, _color in shapes.mask.legend]
        if not labels:
            return "mask: background only"
        named = ", ".join(labels[:3]) + (", …" if len(labels) > 3 else "")
        return f"mask: {len(labels)} class{'es' if len(labels) != 1 else ''} ({named})"
    if shapes.classes and not shapes.boxes:
        return f"top class: {shapes.classes[0]}"
    if shapes.points and not shapes.boxes:
        poses = sum(shapes.counts.values()) or 1
        return f"{poses} pose{'s' if poses != 1 else ''}"
    return f"{len(shapes.boxes)} detection{'s' if len(shapes.boxes) != 1 else ''}"


def caption(label: Any, score: Any, options: OverlayOptions) -> str:
    parts = []
    if options.show_labels and label is not None:
        parts.append(str(label))
    if options.show_probabilities and isinstance(score, (int, float)):
        parts.append(f"{float(score):.2f}")
    return " ".join(parts)


def describe(result: Any, width: int, height: int, options: OverlayOptions | None = None) -> Shapes:
    """The shapes of one PySDK result over a ``width`` x ``height`` frame."""
    options = options or OverlayOptions()
    shapes = Shapes(width, height, options=options)
    counts: Counter[str] = Counter()
    for item in getattr(result, "results", None) or []:
        if not isinstance(item, dict):
            continue
        if "data" in item:
            shapes.mask = _mask(result, item["data"], options)
            continue
        color = color_of(item.get("category_id"), str(item.get("label", "")))
        if "bbox" in item:
            x1, y1, x2, y2 = (float(v) for v in item["bbox"][:4])
            shapes.boxes.append(Box(x1, y1, x2, y2, caption(item.get("label"), item.get("score"), options), color))
            counts[str(item.get("label", "object"))] += 1
        if item.get("landmarks"):
            _landmarks(shapes, item["landmarks"], color)
            if "bbox" not in item:
                counts[str(item.get("label", "pose"))] += 1
        elif "bbox" not in item and "label" in item:
            shapes.classes.append(caption(item.get("label"), item.get("score"), options) or str(item["label"]))
    if shapes.mask is not None:
        counts.update({label: 1 for label, _c in shapes.mask.legend})
    shapes.counts = dict(counts)
    return shapes


def _landmarks(shapes: Shapes, landmarks: list[dict], color: tuple[int, int, int]) -> None:
    points = [tuple(float(v) for v in mark.get("landmark", [])[:2]) for mark in landmarks]
    for (x, y), mark in zip(points, landmarks):
        shapes.points.append((x, y, color))
        for other in mark.get("connect", []) or []:
            if isinstance(other, int) and 0 <= other < len(points):
                shapes.lines.append((x, y, *points[other], color))


def _mask(result: Any, data: Any, options: OverlayOptions) -> Mask | None:
    classes = np.asarray(data)
    if classes.ndim != 2:
        return None
    classes = classes.astype(np.uint8, copy=False)
    rows, cols = classes.shape
    conversion = getattr(result, "_conversion", None)  # model pixels -> frame pixels (letterbox, stretch)
    try:
        x1, y1 = conversion(0, 0)
        x2, y2 = conversion(cols, rows)
    except Exception:
        x1, y1, x2, y2 = 0, 0, cols, rows
    labels = getattr(result, "_label_dictionary", {}) or {}
    ids, sizes = np.unique(classes, return_counts=True)
    colors = np.zeros((256, 4), np.uint8)
    legend = []
    alpha = round(255 * 0.55 * max(0.0, min(1.0, options.alpha)))
    for class_id, _size in sorted(zip(ids.tolist(), sizes.tolist()), key=lambda pair: -pair[1]):
        label = str(labels.get(class_id, labels.get(str(class_id), class_id)))
        if label.lower() in BACKGROUND_LABELS:
            continue
        color = color_of(class_id)
        colors[class_id] = (*color, alpha)
        legend.append((label, color))
    return Mask(classes, (float(x1), float(y1), float(x2), float(y2)), colors, tuple(legend))
