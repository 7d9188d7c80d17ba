"""Tuning sweep: what PySDK settings give a model on a host the most throughput.

The sweep changes one setting at a time, keeping the best value found so far
for the others (a coordinate search: a handful of runs instead of every
combination), and reports every setting tried with the best one marked:
``devices`` (one device or all of them: on CPU runtimes two indexes fight over
the same cores), frames in flight, ``eager_batch_size`` and
``frame_queue_depth``.

Stream capacity is inference/validation/capacity.py. ``BestSetting`` is the best trial
as the live run path takes it: devices, frames in flight and PySDK properties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from model_picker.inference.engine.pipeline import FILE_IN_FLIGHT
from model_picker.inference.media.sources import SourceSpec

SWEEP_AXES: dict[str, tuple[Any, ...]] = {
    "devices": ("auto", "all"),
    "in_flight": (1, 2, 4, 8),
    "eager_batch_size": (1, 4, 8),
    "frame_queue_depth": (8, 16),
}
PROPERTY_AXES = ("eager_batch_size", "frame_queue_depth")  # the axes that are PySDK model properties
BASELINE = {"devices": "auto", "in_flight": FILE_IN_FLIGHT, "eager_batch_size": 8, "frame_queue_depth": 8}


@dataclass
class Trial:
    setting: dict[str, Any]
    fps: float = 0.0
    p95_ms: float = 0.0
    error: str = ""
    best: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**self.setting, "fps": self.fps, "p95_ms": self.p95_ms, "error": self.error, "best": self.best}


Measure = Callable[[dict[str, Any]], tuple[float, float]]  # setting -> (fps, time-in-flight p95 ms)


def sweep(measure: Measure, axes: dict[str, tuple[Any, ...]] | None = None,
          baseline: dict[str, Any] | None = None) -> list[Trial]:
    """Every setting tried, in order, the best (highest FPS) marked; a setting that fails is kept with its error."""
    axes = SWEEP_AXES if axes is None else axes
    best_setting = dict(BASELINE if baseline is None else baseline)
    trials: dict[tuple, Trial] = {}
    for axis, values in axes.items():
        scored: list[Trial] = []
        for value in values:
            setting = {**best_setting, axis: value}
            key = tuple(sorted(setting.items(), key=lambda kv: kv[0]))
            if key not in trials:
                trial = Trial(setting)
                try:
                    trial.fps, trial.p95_ms = measure(setting)
                except Exception as exc:  # e.g. a property this runtime refuses: a row, not the end of the sweep
                    trial.error = str(exc)
                trials[key] = trial
            scored.append(trials[key])
        winner = max((t for t in scored if not t.error), key=lambda t: t.fps, default=None)
        if winner is not None:
            best_setting = dict(winner.setting)
    done = list(trials.values())
    best = max((t for t in done if not t.error), key=lambda t: t.fps, default=None)
    if best is not None:
        best.best = True
    return done


def best_setting(trials: list[Trial]) -> dict[str, Any] | None:
    return next((dict(t.setting) for t in trials if t.best), None)


@dataclass(frozen=True)
class BestSetting:
    """A sweep's best trial as a live run takes it: the device set, frames in flight and PySDK properties.

    Qt-free, so the window keeps one per (model, host) and whatever builds the
    run reads the same value.
    """

    devices: str = "auto"
    in_flight: int = FILE_IN_FLIGHT
    properties: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, setting: dict[str, Any]) -> BestSetting:
        """From a sweep row (``Trial.setting`` or its JSON form)."""
        return cls(str(setting.get("devices", "auto")), int(setting.get("in_flight", FILE_IN_FLIGHT)),
                   {k: setting[k] for k in PROPERTY_AXES if k in setting})

    def apply(self, spec: Any) -> Any:
        """A copy of ``spec`` with the properties laid over its own (the spec itself is left alone)."""
        return replace(spec, model_properties={**(spec.model_properties or {}), **self.properties})

    def describe(self) -> str:
        props = ", ".join(f"{k} {v}" for k, v in self.properties.items())
        return f"devices {self.devices}, {self.in_flight} frame(s) in flight" + (f", {props}" if props else "")


class BestSettings:
    """The best setting chosen for each (model, host): the one place the live run path reads it from."""

    def __init__(self) -> None:
        self._chosen: dict[tuple[str, str], BestSetting] = {}

    def use(self, model: str, host: str, best: BestSetting) -> None:
        self._chosen[(model, host)] = best

    def get(self, model: str, host: str) -> BestSetting | None:
        return self._chosen.get((model, host))


def validation_measure(spec: Any, source: SourceSpec, images: list[Any], frames: int, warmup: int,
                       watchdog_s: float = 10.0) -> Measure:
    """A sweep's measurement: a throughput-mode validation run with the setting applied."""
    from model_picker.inference.validation.measure import validate

    def measure(setting: dict[str, Any]) -> tuple[float, float]:
        props = {k: setting[k] for k in PROPERTY_AXES if k in setting}
        r = validate(spec, source, frames, warmup, str(setting.get("devices", "auto")), images=images,
                     latency_frames=0, in_flight=int(setting.get("in_flight", FILE_IN_FLIGHT)),
                     watchdog_s=watchdog_s, properties=props)
        return r.fps, r.latency_p95_ms

    return measure
