"""Agreement with a reference during validation: the same frames through both, scored by agreement.py.

The reference is another runtime of the model (a model name: the TFLite model
for an OpenVINO one) or the same model on another host. Both models answer the
same decoded frames, one at a time, each result paired with the reference's
for its frame; the row gets the mean score, the task's figures and the worst
frames. A reference that cannot be compared (another task) is an error, and
the criterion then fails with it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model_picker.inference.compare.agreement import AgreementTally, agreement, task_kind
from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.engine.loading import load_model

AGREEMENT_FRAMES = 30  # enough to average over, short enough for every validation


def measure_agreement(task: str, spec: Any, reference_spec: Any, images: list[np.ndarray], reference: str,
                      devices: str = "auto", frames: int = AGREEMENT_FRAMES) -> dict[str, Any]:
    """What ``result.agreement`` holds: the mean score over ``frames`` frames with the reference, or the error."""
    try:
        task_kind(task)
        answers = [_answers(s, images[:frames], devices) for s in (reference_spec, spec)]
        tally = AgreementTally()
        for i, (theirs, ours) in enumerate(zip(*answers)):
            tally.add(i, agreement(task, theirs, ours))
    except Exception as exc:  # e.g. InferenceError "cannot compare": the criterion fails with it, the row stays
        return {"reference": reference, "error": str(exc) or type(exc).__name__}
    mean = tally.mean()
    return {"reference": reference, "reference_model": reference_spec.model_name,
            "reference_host": reference_spec.inference_host_address, "score": mean.score, "frames": tally.frames,
            "metrics": mean.metrics, "shared_classes": list(mean.shared_classes or []),
            "worst": [list(pair) for pair in tally.worst(3)]}


def _answers(spec: Any, images: list[np.ndarray], devices: str) -> list[Any]:
    """The model's result for each image, in order (a batch keeps the device busy; order is PySDK's promise)."""
    model = load_model(spec, devices=devices)
    try:
        with model:
            return list(model.predict_batch(iter(images)))
    except InferenceError:
        raise
    except Exception as exc:
        raise InferenceError(f"{spec.model_name} on {spec.inference_host_address}: {exc}") from exc
