"""Client-side result types that some bundled models need, registered with PySDK.

Why: a PySDK Python postprocessor may not return numpy arrays, and the built-in
segmentation renderer wants a class map. The DeepLab models therefore declare
``OutputPostprocessType: SegmentationArgmax``, a type the core does not know, so
the core passes the raw score tensor through and this class turns it into a
class map on the client. Registration is process-wide and must happen before a
model with that type is loaded; importing ``model_picker.inference`` does it.
"""

from __future__ import annotations

import contextlib

import numpy as np
from degirum.postprocessor import SegmentationResults, register_postprocessor

SEGMENTATION_ARGMAX = "SegmentationArgmax"


class SegmentationArgmaxResults(SegmentationResults):
    """Raw scores [1,H,W,C] or [1,C,H,W] -> uint8 class map [H,W] (argmax over C)."""

    @staticmethod
    def supported_types() -> list[str]:
        return [SEGMENTATION_ARGMAX]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        scores = np.asarray(self._inference_results[0]["data"])
        if scores.ndim == 4:
            scores = scores[0]
        # Channels-first when the first axis is small and the last is image-sized.
        if scores.shape[0] <= 32 < scores.shape[-1]:
            scores = np.transpose(scores, (1, 2, 0))
        if scores.shape[-1] == 1:
            class_map = (scores[..., 0] > 0.5).astype(np.uint8)
        else:
            class_map = np.argmax(scores, axis=-1).astype(np.uint8)
        self._inference_results = [{"data": class_map}]


def register() -> None:
    """Idempotent: PySDK raises when a type is registered twice."""
    with contextlib.suppress(Exception):
        register_postprocessor(SEGMENTATION_ARGMAX, SegmentationArgmaxResults)
