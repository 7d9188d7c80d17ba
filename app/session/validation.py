"""A whole validation, as the command line and the window both run it: models × hosts → one Report.

For each (model, host): a RunPlan fitted to the host and fetched (plan.py), the
host's hardware (asked once per host), both modes, the registry's figures, and,
if asked, the tuning sweep, the stream capacity and the device's own limit.
A mixed stream capacity runs once per host after its rows, its streams cycling
over the models. Written once here so ``model-picker validate`` and the
window's Validate cannot drift apart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from model_picker.errors import InferenceError
from model_picker.inference.compare.reference import measure_agreement
from model_picker.inference.media.sources import SourceSpec, parse_source
from model_picker.inference.validation.capacity import capacity, counts_up_to
from model_picker.inference.validation.criteria import Criteria, SignOff
from model_picker.inference.validation.fleet import Report, Row, run_fleet
from model_picker.inference.validation.hostinfo import host_hardware
from model_picker.inference.validation.measure import ValidationResult, validate
from model_picker.inference.validation.rawbench import raw_limit
from model_picker.inference.validation.report import registry_figures
from model_picker.inference.validation.tuning import SWEEP_AXES, sweep, validation_measure
from model_picker.registry import Catalogue
from model_picker.session.plan import RunPlan, prepare
from model_picker.zoo.bundled import default_video
from model_picker.zoo.validate import name_broken_file


@dataclass
class ValidationOptions:
    """How long and what else to run; the defaults are the command line's."""

    frames: int = 300
    latency_frames: int = 100
    warmup: int = 20
    devices: str = "auto"
    token: str | None = None
    raw_seconds: float = 5.0  # the device's own limit (OpenVINO benchmark_app); 0: skip it
    watchdog_s: float = 10.0
    startup_grace_s: float = 60.0
    sweep: bool = False
    sweep_frames: int = 150
    capacity: int = 0  # the most streams tried; 0: no stream capacity
    capacity_mix: list[str] = field(default_factory=list)  # models the streams cycle over, per host; []: per model
    target_fps: float = 15.0
    capacity_seconds: float = 10.0


class Validator:
    """Runs (model, host) pairs for ``run_fleet``; thread-safe across hosts (one thread each)."""

    def __init__(self, catalogue: Catalogue, options: ValidationOptions, source: SourceSpec, images: list[Any],
                 criteria: Criteria | None = None, say: Callable[[str], None] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.catalogue, self.options, self.source, self.images = catalogue, options, source, images
        self.criteria = criteria or Criteria()
        self.say = say or (lambda _text: None)
        self.progress = progress
        # Streams are paced at a video's frame rate: a photo or folder validates, the bundled video streams.
        self.streams = source if source.kind == "video" else parse_source(str(default_video()))
        self.hardware: dict[str, dict[str, Any]] = {}
        self.mixes: dict[str, dict[str, Any]] = {}  # host -> stream capacity of the mix
        self._prepared: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def validate_all(self, models: list[str], hosts: list[str], signoff: SignOff | None = None,
                     on_row: Callable[[Row], None] | None = None) -> Report:
        """Every model on every host (hosts in parallel), then each host's mixed capacity if asked."""
        mix = self.options.capacity > 0 and bool(self.options.capacity_mix)
        rows = run_fleet(models, hosts, self.run, self.criteria, on_row,
                         then=(lambda host, _rows: self.mix(host)) if mix else None)
        return Report(rows, self.criteria, signoff or SignOff(), hosts=self.hardware, capacity=self.mixes)

    def plan(self, name: str, host: str) -> RunPlan:
        o = self.options
        return RunPlan(self.catalogue, self.catalogue.index_of(name), host=host, token=o.token, devices=o.devices)

    def host_info(self, spec: Any, host: str) -> dict[str, Any]:
        """The host's hardware, asked once per host; InferenceError when the host cannot say."""
        with self._lock:
            info = self.hardware.get(host)
        if info is None:
            info = host_hardware(spec)
            with self._lock:
                self.hardware[host] = info
        if info.get("error"):
            raise InferenceError(info["error"])
        return info

    def prepared(self, name: str, host: str) -> Any:
        """The model's spec for ``host``, checked against the host's devices and fetched (once)."""
        with self._lock:
            spec = self._prepared.get((name, host))
        if spec is not None:
            return spec
        plan = self.plan(name, host)
        info = self.host_info(plan.spec(), host)
        problem = plan.why_not(list(info.get("devices", {})))
        if problem:
            raise InferenceError(problem)
        spec = prepare(plan)
        with self._lock:
            self._prepared[(name, host)] = spec
        return spec

    def run(self, name: str, host: str) -> ValidationResult:
        """One row: both modes, then what else the options ask. Raises on failure (the row's reason)."""
        spec = self.prepared(name, host)
        info = self.hardware[host]
        self.say(f"Validating {name} on {host}…")
        o = self.options
        try:
            result = validate(spec, self.source, o.frames, o.warmup, o.devices, images=self.images,
                              latency_frames=o.latency_frames, watchdog_s=o.watchdog_s,
                              startup_grace_s=o.startup_grace_s, progress=self.progress)
        except InferenceError as exc:
            named = name_broken_file(exc, spec)  # PySDK may say only "Operation failed"
            if named is exc:
                raise
            raise named from exc
        index = self.catalogue.index_of(name)
        result.registry = registry_figures(self.catalogue.entries[index].metadata, self.catalogue.document.shown)
        result.hardware = info
        if o.sweep:
            axes = dict(SWEEP_AXES)
            if info.get("devices", {}).get(result.device_type, 1) < 2:
                axes.pop("devices")  # one device: "all" is "auto"
            measure = validation_measure(spec, self.source, self.images, o.sweep_frames, o.warmup, o.watchdog_s)
            result.sweep = [t.to_dict() for t in sweep(measure, axes)]
        if o.capacity > 0 and not o.capacity_mix:
            result.capacity = capacity([spec], self.streams, o.target_fps, self.criteria.max_latency_p95_ms,
                                       counts_up_to(o.capacity), o.capacity_seconds, o.devices, o.watchdog_s)
        if self.criteria.min_agreement is not None or self.criteria.reference:
            result.agreement = self.agreement(name, host, spec)
        if o.raw_seconds > 0:
            result.raw = raw_limit(result.device_type, host, self.catalogue.spec_zoo(index), name, o.raw_seconds)
        return result

    def agreement(self, name: str, host: str, spec: Any) -> dict[str, Any]:
        """The row's agreement with the criteria's reference: a model name (another runtime, on this host) or a
        host (this model there); never raises, an impossible reference is the row's reason."""
        reference = self.criteria.reference or ""
        if not reference:
            return {"reference": "", "error": "no reference set"}
        entries = {entry.name: entry for entry in self.catalogue.entries}
        try:
            other = self.prepared(reference, host) if reference in entries else self.prepared(name, reference)
        except InferenceError as exc:
            return {"reference": reference, "error": str(exc)}
        self.say(f"Agreement of {name} on {host} with {reference}…")
        return measure_agreement(entries[name].task, spec, other, self.images, reference, self.options.devices)

    def mix(self, host: str) -> None:
        """After a host's rows: the stream capacity of ``capacity_mix`` there, the streams cycling over the models.

        Never raises: a failure is this host's mix ({"error": why}), never the other hosts'.
        """
        o = self.options
        self.say(f"Stream capacity of {', '.join(o.capacity_mix)} on {host}…")
        try:
            specs = [self.prepared(name, host) for name in o.capacity_mix]
            found = capacity(specs, self.streams, o.target_fps, self.criteria.max_latency_p95_ms,
                             counts_up_to(o.capacity), o.capacity_seconds, o.devices, o.watchdog_s)
        except Exception as exc:
            found = {"error": str(exc) or type(exc).__name__}
        with self._lock:
            self.mixes[host] = found
        self.say(f"Stream capacity on {host}: {found['capacity']} stream(s)" if "capacity" in found else
                 f"Stream capacity on {host}: not measured ({found['error']})")
