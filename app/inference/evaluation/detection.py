"""Box mAP of a loaded PySDK detection model on a COCO dataset, through degirum_tools' evaluator.

``ObjectDetectionModelEvaluator.evaluate`` runs the whole set in one call; we
need progress, cancelling and images that fail without ending the run, so the
images are fed here, and everything else is the evaluator's: its constructor
(which checks the model is a detector and sets the threshold), its conversion
of PySDK results to COCO JSON with the class map, and pycocotools' COCOeval
set up exactly as its ``_evaluate_coco`` does (kept, for the per-class AP).
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from model_picker.inference.evaluation.dataset import ClassMatch, CocoDataset, match_classes

EVAL_THRESHOLD = 0.01  # the COCO protocol's low confidence threshold, whatever the live threshold is


class Cancelled(Exception):
    """The run was cancelled before the end."""


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    elapsed_s: float

    @property
    def eta_s(self) -> float | None:
        return self.elapsed_s / self.done * (self.total - self.done) if self.done else None


@dataclass
class DetectionScores:
    """The figures of one model on one dataset."""

    map50_95: float
    map50: float
    map75: float
    per_class: dict[str, float]  # dataset category name -> AP@[.5:.95]; nan when the dataset has none of it
    images: int  # images evaluated
    annotations: int
    match: ClassMatch
    failed: list[tuple[str, str]] = field(default_factory=list)  # (image path, why) listed, not fatal
    threshold: float = EVAL_THRESHOLD
    seconds: float = 0.0


def evaluate_detection(model: Any, dataset: CocoDataset, *,
                       on_progress: Callable[[Progress], None] | None = None,
                       cancel: threading.Event | None = None) -> DetectionScores:
    """Run ``model`` over the dataset's images and score it; a missing or unreadable image is listed in ``failed``."""
    from degirum_tools import ObjectDetectionModelEvaluator
    from pycocotools.coco import COCO

    match = match_classes(model.label_dictionary, dataset.categories)
    evaluator = ObjectDetectionModelEvaluator(model, classmap=match.classmap,
                                              output_confidence_threshold=EVAL_THRESHOLD)
    failed: list[tuple[str, str]] = []
    todo: list[tuple[int, str]] = []
    for image_id in sorted(dataset.images):
        path = dataset.images[image_id]
        if path.is_file():
            todo.append((image_id, str(path)))
        else:
            failed.append((str(path), "missing"))
    start = time.monotonic()
    results: list[dict] = []
    done_ids: list[int] = []
    with evaluator.model:
        index = 0
        while index < len(todo):
            try:
                for image_id, result in zip((i for i, _ in todo[index:]),
                                            evaluator.model.predict_batch(p for _, p in todo[index:])):
                    if cancel is not None and cancel.is_set():
                        raise Cancelled()
                    kept = [_box_only(r) for r in result.results if r.get("category_id") in match.classmap]
                    results.append({"image_id": image_id, "results": kept})
                    done_ids.append(image_id)
                    index += 1
                    if on_progress:
                        on_progress(Progress(index, len(todo), time.monotonic() - start))
            except Cancelled:
                raise
            except Exception as exc:  # this image failed (unreadable, or the runtime refused it): list it, go on
                failed.append((todo[index][1], str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)))
                index += 1
    jdict: list[dict] = []
    ObjectDetectionModelEvaluator._convert_results_coco_json(results, jdict, match.classmap)
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = dataset.document
        gt.createIndex()
        stats, per_class = _coco_box_stats(gt, jdict, sorted(done_ids))
    names = match.names(dataset.categories)
    return DetectionScores(float(stats[0]), float(stats[1]), float(stats[2]),
                           {names[c]: per_class.get(c, float("nan")) for c in names},
                           len(done_ids), sum(1 for a in dataset.document["annotations"] if a["image_id"] in
                                              set(done_ids)), match, failed,
                           seconds=time.monotonic() - start)


def _box_only(result: dict) -> dict:
    """A result without its mask: this slice scores boxes (the evaluator adds mask mAP from masks)."""
    return {k: v for k, v in result.items() if k != "mask"}


def _coco_box_stats(gt: Any, jdict: list[dict], image_ids: list[int]) -> tuple[np.ndarray, dict[int, float]]:
    """COCOeval as the evaluator's ``_evaluate_coco`` runs it, plus AP@[.5:.95] per category."""
    from pycocotools.cocoeval import COCOeval

    if not jdict or not image_ids:
        return np.zeros(12), {}
    pred = gt.loadRes(jdict)
    ev = COCOeval(gt, pred, "bbox")
    ev.params.imgIds = list(image_ids)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    precision = ev.eval["precision"]  # [iou, recall, category, area, max_dets]
    per_class: dict[int, float] = {}
    for k, cat in enumerate(ev.params.catIds):
        p = precision[:, :, k, 0, -1]
        p = p[p > -1]
        per_class[cat] = float(p.mean()) if p.size else float("nan")
    return ev.stats, per_class
