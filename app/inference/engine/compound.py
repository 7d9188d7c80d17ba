"""Model pairs from the registry: a detector finds objects, a second model runs on each crop.

A registry entry cannot name two models (its key is the model's name in the
zoo, and the library's schema has no field for a second one), so a pair is
written as an ordinary entry whose ``metadata`` names both models::

    blazepose_on_persons:
      task: pose_estimation
      hardware: [TFLITE/CPU]
      zoo_url: ../resources/zoo
      metadata:
        compound: crop_and_detect     # degirum_tools.CroppingAndDetectingCompoundModel
        detector: ssd_mobilenet_v2_coco_quant
        model: blazepose_landmark_full
        crop_classes: person          # comma-separated labels of the detector to crop
        crop_extent: 15               # percent added around each box

The library still validates and lists it like any model (``metadata`` is free);
both models come from the entry's zoo and host. The pair itself is the
library's compound model: the detector's boxes are cropped, the second model
runs on each crop and its boxes and landmarks are mapped back to the photo.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.engine.loading import load_model

KINDS = ("crop_and_detect",)


@dataclass(frozen=True)
class Pair:
    detector: str
    model: str
    crop_classes: tuple[str, ...]
    crop_extent: float


def pair_of(metadata: dict | None) -> Pair | None:
    """The pair an entry's metadata describes, or None for a single model."""
    if not isinstance(metadata, dict) or "compound" not in metadata:
        return None
    kind, detector, model = metadata.get("compound"), metadata.get("detector"), metadata.get("model")
    if kind not in KINDS or not isinstance(detector, str) or not isinstance(model, str):
        raise InferenceError(f"metadata.compound: {kind!r} needs compound: {' or '.join(KINDS)}, "
                             "and detector and model (model names in the same zoo)")
    classes = metadata.get("crop_classes") or ""
    classes = classes if isinstance(classes, list) else str(classes).split(",")
    try:
        extent = float(metadata.get("crop_extent", 0.0))
    except (TypeError, ValueError):
        extent = 0.0
    return Pair(detector, model, tuple(c.strip() for c in classes if str(c).strip()), extent)


def pair_for_model(entries: Any, model_name: str) -> str:
    """The name of a registry entry that runs ``model_name`` on crops, or ''."""
    for entry in entries:
        try:
            pair = pair_of(entry.metadata)
        except InferenceError:
            continue
        if pair is not None and pair.model == model_name:
            return entry.name
    return ""


def load_runnable(spec: Any, devices: str = "auto") -> Any:
    """The spec's model, or for a pair entry the library's compound model over both."""
    pair = pair_of(getattr(spec, "metadata", None))
    if pair is None:
        return load_model(spec, devices=devices)
    from degirum_tools import CroppingAndDetectingCompoundModel

    detector = load_model(replace(spec, model_name=pair.detector, metadata={}), devices=devices)
    crops = load_model(replace(spec, model_name=pair.model, metadata={}), devices=devices)

    class CropPair(CroppingAndDetectingCompoundModel):
        """The detector keeps its crop classes whatever the class filter says; both models are released."""

        min_in_flight = 2  # a frame's result is complete when the next frame's crops arrive

        @property
        def output_class_set(self) -> set:
            return self.model1.output_class_set

        @output_class_set.setter
        def output_class_set(self, _value: set) -> None:
            self.model1.output_class_set = set(pair.crop_classes)

        def __enter__(self) -> CropPair:
            self.model1.__enter__()
            self.model2.__enter__()
            return self

        def __exit__(self, *exc: Any) -> None:
            self.model2.__exit__(*exc)
            self.model1.__exit__(*exc)

    detector.output_class_set = set(pair.crop_classes)
    return CropPair(detector, crops, crop_extent=pair.crop_extent)
