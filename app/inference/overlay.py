"""Overlay and output options a user changes while a model runs.

They map one-to-one to PySDK model properties. Overlay settings and the class
filter take effect on the next result; the confidence threshold at the next
``predict_batch`` (PySDK's rule), so the pipeline restarts for it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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
        if self.classes:
            props["output_class_set"] = set(self.classes)
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
    The class filter is applied by PySDK on the client per result, so it needs
    no restart.
    """
    for name, value in options.model_properties().items():
        if name not in RESTART_PROPERTIES:
            setattr(model, name, value)
    model.output_class_set = set(options.classes)
    threshold = options.threshold if options.threshold is not None else model_threshold
    if abs(float(model.output_confidence_threshold) - float(threshold)) > 1e-9:
        model.output_confidence_threshold = threshold
        return True
    return False
