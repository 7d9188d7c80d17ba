"""How far one model's answer agrees with a reference model's answer on the same frame, by task.

Why: "does the accelerator give the same answers as the reference runtime?" is
answered per frame here, Qt-free, so the command line, the window and the tests
share one definition of agreement. Every headline ``score`` is in [0, 1], 1 =
the same answer:

- detection: F1 of boxes matched at IoU >= 0.5 with the same class. Matching is
  greedy by score (the COCO evaluation's rule): the other model's boxes, most
  confident first, each take the unmatched reference box of the same class
  with the highest IoU. Also the mean IoU and mean score difference of the
  matches, and the counts.
- classification: top-1 equal (1 or 0); top-5 overlap = shared labels of the
  two top-5 lists / 5 (or the shorter list's length).
- segmentation: mean IoU over the classes either class map shows (background
  left out: it would flatter every pair), plus the share of equal pixels.
- pose: persons are matched like detections (IoU >= 0.5 of their boxes, or of
  their keypoints' extent); a keypoint agrees when its distance, divided by the
  reference person's size sqrt(w*h), is at most ``KEYPOINT_TOLERANCE`` (0.1,
  COCO's PCK habit). ``score`` = agreeing keypoints / all keypoints of matched
  and unmatched persons on either side; ``mean_kpt_dist`` = mean normalised
  distance over the matched persons' keypoints.

Classes are compared by label NAME, case-insensitively. When the two models'
label sets differ (COCO vs Open Images) only the classes both have count, and
``Agreement.shared_classes`` says which. Two empty answers agree (score 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from model_picker.inference.engine.errors import InferenceError

IOU_MATCH = 0.5
KEYPOINT_TOLERANCE = 0.1
TOP_K = 5
BACKGROUND_LABELS = ("background", "__background__", "unlabeled")
KINDS = ("detection", "classification", "segmentation", "pose")
COUNT_METRICS = ("matched", "ref_count", "other_count")  # summed over frames, not averaged
PER_MATCH_METRICS = ("mean_iou", "mean_score_diff", "mean_kpt_dist")  # over a run: weighted by the matches


@dataclass(frozen=True)
class Agreement:
    """One frame's (or, from a tally, a run's) agreement with the reference."""

    score: float
    metrics: dict[str, float] = field(default_factory=dict)
    shared_classes: tuple[str, ...] | None = None  # None: both models have the same label set


def task_kind(task: str) -> str:
    """detection, classification, segmentation or pose, from a registry task such as ``coco_detection``."""
    text = str(task).lower()
    for key, kind in (("pose", "pose"), ("keypoint", "pose"), ("landmark", "pose"), ("segment", "segmentation"),
                      ("classif", "classification"), ("detect", "detection")):
        if key in text:
            return kind
    raise InferenceError(f"task {task!r}: agreement is measured for {', '.join(KINDS)} models only")


def result_kind(items: list[dict]) -> str | None:
    """What a result's items look like (None for an empty result, which fits every task)."""
    for item in items:
        if "data" in item:
            return "segmentation"
        if item.get("landmarks"):
            return "pose"
        if "bbox" in item:
            return "detection"
        if "label" in item or "category_id" in item:
            return "classification"
    return None


def _norm(name: Any) -> str:
    return str(name).strip().casefold()


def _items(result: Any) -> list[dict]:
    items = result if isinstance(result, list) else getattr(result, "results", None)
    if items is None:
        raise InferenceError(f"not an inference result: {type(result).__name__}")
    return [item for item in items if isinstance(item, dict)]


def _label_names(result: Any) -> dict[int, str] | None:
    labels = getattr(result, "_label_dictionary", None)  # PySDK keeps the model's labels on each result
    if not isinstance(labels, Mapping) or not labels:
        return None
    names = {}
    for key, name in labels.items():
        try:
            names[int(key)] = str(name)
        except (TypeError, ValueError):
            continue
    return names


def shared_classes(reference_labels: Iterable[str], other_labels: Iterable[str],
                   label_map: Mapping[str, str] | None = None) -> tuple[str, ...] | None:
    """The reference's names of the classes both label sets have; None when the sets are the same.

    ``label_map`` renames the other model's labels first (other name -> reference name).
    Background labels never count as a class.
    """
    mapping = {_norm(k): v for k, v in (label_map or {}).items()}
    ref = {_norm(n): str(n) for n in reference_labels if _norm(n) not in BACKGROUND_LABELS}
    other = {_norm(mapping.get(_norm(n), n)) for n in other_labels if _norm(n) not in BACKGROUND_LABELS}
    if set(ref) == other:
        return None
    return tuple(sorted((ref[key] for key in set(ref) & other), key=_norm))


def agreement(task: str, reference: Any, other: Any, *, label_map: Mapping[str, str] | None = None,
              labels: tuple[Iterable[str], Iterable[str]] | None = None) -> Agreement:
    """``other``'s agreement with ``reference`` (PySDK InferenceResults or their ``.results`` lists).

    ``labels`` gives both models' full label sets (the runner passes the models'
    label dictionaries); without it they are read from the results when PySDK
    attached them. ``label_map`` renames the other model's labels (other -> reference).
    Raises InferenceError when a result is not of the task's kind.
    """
    kind = task_kind(task)
    ref_items, other_items = _items(reference), _items(other)
    for which, items in (("reference", ref_items), ("other", other_items)):
        found = result_kind(items)
        if found is not None and found != kind and not (kind == "detection" and found == "pose"):
            raise InferenceError(f"cannot compare: the {which} result is {found}, the task is {kind} ({task})")
    ref_names, other_names = _label_names(reference), _label_names(other)
    if labels is None and ref_names is not None and other_names is not None:
        labels = (ref_names.values(), other_names.values())
    shared = shared_classes(*labels, label_map) if labels is not None else None
    rename = {_norm(k): _norm(v) for k, v in (label_map or {}).items()}
    keep = None if shared is None else {_norm(n) for n in shared}
    if kind == "segmentation":
        return _segmentation(ref_items, other_items, ref_names, other_names, rename, keep, shared)
    ref_items = _filtered(ref_items, {}, keep)
    other_items = _filtered(other_items, rename, keep)
    if kind == "classification":
        return _classification(ref_items, other_items, shared)
    if kind == "pose":
        return _pose(ref_items, other_items, shared)
    return _detection(ref_items, other_items, shared)


def _filtered(items: list[dict], rename: dict[str, str], keep: set[str] | None) -> list[dict]:
    """Items with a normalised ``_name``, only the shared classes when the label sets differ."""
    out = []
    for item in items:
        name = _norm(item.get("label", item.get("category_id", "")))
        name = rename.get(name, name)
        if keep is None or name in keep:
            out.append({**item, "_name": name})
    return out


def iou(a: Any, b: Any) -> float:
    """IoU of two (x1, y1, x2, y2) boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _score(item: dict) -> float:
    value = item.get("score", 0.0)
    return float(value) if isinstance(value, (int, float)) else 0.0


def match(ref: list[dict], other: list[dict], box: Any = lambda item: item["bbox"]) -> list[tuple[int, int, float]]:
    """Greedy by score: (reference index, other index, IoU) of same-class pairs at IoU >= 0.5."""
    taken: set[int] = set()
    pairs = []
    for j in sorted(range(len(other)), key=lambda k: (-_score(other[k]), k)):
        best, best_iou = -1, IOU_MATCH
        for i, item in enumerate(ref):
            if i in taken or item["_name"] != other[j]["_name"]:
                continue
            overlap = iou(box(item), box(other[j]))
            if overlap >= best_iou:
                best, best_iou = i, overlap
        if best >= 0:
            taken.add(best)
            pairs.append((best, j, best_iou))
    return pairs


def _detection(ref: list[dict], other: list[dict], shared: tuple[str, ...] | None) -> Agreement:
    pairs = match(ref, other)
    total = len(ref) + len(other)
    f1 = 2 * len(pairs) / total if total else 1.0
    ious = [p[2] for p in pairs]
    diffs = [abs(_score(ref[i]) - _score(other[j])) for i, j, _ in pairs]
    metrics = {"f1": f1, "mean_iou": float(np.mean(ious)) if ious else 0.0,
               "mean_score_diff": float(np.mean(diffs)) if diffs else 0.0,
               "matched": float(len(pairs)), "ref_count": float(len(ref)), "other_count": float(len(other))}
    return Agreement(f1, metrics, shared)


def _classification(ref: list[dict], other: list[dict], shared: tuple[str, ...] | None) -> Agreement:
    def top(items: list[dict]) -> list[str]:
        return [item["_name"] for item in sorted(items, key=lambda it: -_score(it))[:TOP_K]]

    a, b = top(ref), top(other)
    if not a and not b:
        return Agreement(1.0, {"top1": 1.0, "top5_overlap": 1.0}, shared)
    top1 = 1.0 if a and b and a[0] == b[0] else 0.0
    overlap = len(set(a) & set(b)) / max(1, min(len(a), len(b))) if a and b else 0.0
    return Agreement(top1, {"top1": top1, "top5_overlap": overlap}, shared)


def _class_map(items: list[dict]) -> np.ndarray | None:
    for item in items:
        if "data" in item:
            data = np.asarray(item["data"])
            return data if data.ndim == 2 else None
    return None


def _segmentation(ref_items: list[dict], other_items: list[dict], ref_names: dict[int, str] | None,
                  other_names: dict[int, str] | None, rename: dict[str, str], keep: set[str] | None,
                  shared: tuple[str, ...] | None) -> Agreement:
    a, b = _class_map(ref_items), _class_map(other_items)
    if a is None or b is None:
        raise InferenceError("cannot compare segmentation: a result has no class map")
    if b.shape != a.shape:  # different input sizes: compare on the reference's grid
        import cv2

        b = cv2.resize(b.astype(np.uint8), (a.shape[1], a.shape[0]), interpolation=cv2.INTER_NEAREST)
    # One code per class name on both sides (-1: background or a class the other model lacks).
    codes: dict[str, int] = {}

    def coded(classes: np.ndarray, names: dict[int, str] | None, renames: dict[str, str]) -> np.ndarray:
        out = np.full(classes.shape, -1, np.int32)
        for value in np.unique(classes).tolist():
            name = _norm(names.get(int(value), value) if names else value)
            name = renames.get(name, name)
            if name in BACKGROUND_LABELS or (keep is not None and name not in keep):
                continue
            out[classes == value] = codes.setdefault(name, len(codes))
        return out

    if not ref_names or not other_names:  # a model without labels: compare class ids on both sides
        ref_names = other_names = None
    ca, cb = coded(a, ref_names, {}), coded(b, other_names, rename)
    ious = []
    for code in range(len(codes)):
        in_a, in_b = ca == code, cb == code
        union = np.count_nonzero(in_a | in_b)
        if union:
            ious.append(np.count_nonzero(in_a & in_b) / union)
    miou = float(np.mean(ious)) if ious else 1.0
    return Agreement(miou, {"miou": miou, "pixel_agreement": float(np.mean(ca == cb)),
                            "classes": float(len(ious))}, shared)


def _person_box(item: dict) -> tuple[float, float, float, float]:
    if "bbox" in item:
        return tuple(float(v) for v in item["bbox"][:4])  # type: ignore[return-value]
    points = np.array([mark["landmark"][:2] for mark in item.get("landmarks", []) if mark.get("landmark")], float)
    if points.size == 0:
        return (0.0, 0.0, 0.0, 0.0)
    return (*points.min(axis=0), *points.max(axis=0))  # type: ignore[return-value]


def _pose(ref: list[dict], other: list[dict], shared: tuple[str, ...] | None) -> Agreement:
    ref = [item for item in ref if item.get("landmarks")]
    other = [item for item in other if item.get("landmarks")]
    pairs = match(ref, other, box=_person_box)
    agreeing, dists = 0, []
    counted = 0
    for i, j, _ in pairs:
        x1, y1, x2, y2 = _person_box(ref[i])
        size = math.sqrt(max(x2 - x1, 1e-6) * max(y2 - y1, 1e-6))
        a, b = ref[i]["landmarks"], other[j]["landmarks"]
        counted += max(len(a), len(b))
        for pa, pb in zip(a, b):
            d = math.dist(pa["landmark"][:2], pb["landmark"][:2]) / size
            dists.append(d)
            agreeing += d <= KEYPOINT_TOLERANCE
    matched_i, matched_j = {p[0] for p in pairs}, {p[1] for p in pairs}
    counted += sum(len(item["landmarks"]) for k, item in enumerate(ref) if k not in matched_i)
    counted += sum(len(item["landmarks"]) for k, item in enumerate(other) if k not in matched_j)
    score = agreeing / counted if counted else 1.0
    metrics = {"pck": score, "mean_kpt_dist": float(np.mean(dists)) if dists else 0.0,
               "matched": float(len(pairs)), "ref_count": float(len(ref)), "other_count": float(len(other))}
    return Agreement(score, metrics, shared)


class AgreementTally:
    """Agreement over many frames: the mean of each figure, and every frame's score for the worst frames.

    Counts (matched, ref_count, other_count) are summed; figures of the matches
    (mean IoU, score and keypoint differences) are weighted by each frame's
    matches, so frames where both models saw nothing do not count; the other
    metrics and the headline score are means over frames. Detection also gets
    ``pooled_f1``: F1 of all boxes of the run together.
    """

    def __init__(self) -> None:
        self.scores: list[tuple[Any, float]] = []  # (frame id, score) in arrival order
        self._sums: dict[str, float] = {}
        self._n = 0
        self.shared_classes: tuple[str, ...] | None = None

    def add(self, frame_id: Any, value: Agreement) -> None:
        self.scores.append((frame_id, value.score))
        self._n += 1
        weight = float(value.metrics.get("matched", 1.0))
        for name, number in value.metrics.items():
            self._sums[name] = self._sums.get(name, 0.0) + float(number) * (weight if name in PER_MATCH_METRICS else 1)
        self.shared_classes = value.shared_classes

    @property
    def frames(self) -> int:
        return self._n

    def mean(self) -> Agreement:
        """The run's agreement; score 1.0 and no metrics before the first frame."""
        if not self._n:
            return Agreement(1.0, {}, self.shared_classes)
        matched = self._sums.get("matched")
        metrics = {}
        for name, total in self._sums.items():
            if name in COUNT_METRICS:
                metrics[name] = total
            elif name in PER_MATCH_METRICS and matched is not None:
                metrics[name] = total / matched if matched else 0.0
            else:
                metrics[name] = total / self._n
        if "f1" in metrics:
            boxes = self._sums.get("ref_count", 0.0) + self._sums.get("other_count", 0.0)
            metrics["pooled_f1"] = 2 * (matched or 0.0) / boxes if boxes else 1.0
        return Agreement(sum(s for _f, s in self.scores) / self._n, metrics, self.shared_classes)

    def worst(self, n: int = 5) -> list[tuple[Any, float]]:
        """The ``n`` frames of lowest score (earliest first among equals)."""
        return sorted(self.scores, key=lambda pair: pair[1])[:n]
