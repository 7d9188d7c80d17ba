"""A validation run: the figures a field engineer reports for one model on one host.

Frames are decoded before timing starts and fed as fast as the device takes
them, so the figures describe the inference host, not the video decoder; the
first ``warmup`` results are left out (model load, caches, lazy compilation).

Every run has two modes on the same loaded model, because one figure cannot
answer both questions an engineer is asked: *throughput* keeps several frames
in flight (how many frames per second the host can take), *latency* keeps one
(how long a single inference takes, p50/p95/p99). In throughput mode the time
from sending a frame to its result is mostly waiting in the queue, so it is
reported as such and never as the model's latency.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

import numpy as np

from model_picker.inference.engine.loading import describe_devices, load_model
from model_picker.inference.engine.pipeline import FILE_IN_FLIGHT, Pipeline
from model_picker.inference.engine.stats import percentile, throughput
from model_picker.inference.media.sources import FrameFeeder, FrameReader, SourceSpec, open_reader
from model_picker.zoo.runtime import n2x

MAX_DECODED = 100  # distinct frames held in memory; longer runs cycle through them


@dataclass
class ValidationResult:
    model: str
    host: str
    device: str
    source: str
    frames: int
    warmup: int
    fps: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    breakdown_ms: dict[str, float]
    checksum: str
    date: str
    software: dict[str, str]
    machine: dict[str, str]
    latencies_ms: list[float] = field(default_factory=list)
    fps_series: list[tuple[float, float]] = field(default_factory=list)
    # What the figures measure, in words: N2X/CPU is the ORCA runtime emulated on the CPU and must
    # never be read as an ORCA measurement (app/zoo/runtime/n2x.py).
    device_type: str = ""
    execution: str = ""
    # Latency mode: one frame in flight, so each figure is one inference end to end.
    in_flight: int = FILE_IN_FLIGHT
    single_frames: int = 0
    single_fps: float = 0.0
    single_p50_ms: float = 0.0
    single_p95_ms: float = 0.0
    single_p99_ms: float = 0.0
    single_latencies_ms: list[float] = field(default_factory=list)
    # Filled by the caller where known: the registry's own figures (and which file), the host's
    # hardware (validation/hostinfo.py), the device's own limit without PySDK (validation/rawbench.py).
    registry: dict[str, Any] = field(default_factory=dict)
    hardware: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    sweep: list[dict[str, Any]] = field(default_factory=list)  # inference/validation/tuning.py: every setting tried
    capacity: dict[str, Any] = field(default_factory=dict)  # inference/validation/capacity.py: concurrent paced streams
    agreement: dict[str, Any] = field(default_factory=dict)  # compare/reference.py: with the criteria's reference

    @property
    def emulated(self) -> bool:
        return self.device_type == n2x.EMULATOR

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class MemoryReader(FrameReader):
    """Frames decoded up front, replayed ``count`` times in a cycle."""

    def __init__(self, spec: SourceSpec, images: list[np.ndarray], count: int) -> None:
        super().__init__(spec)
        self.images, self.frame_count = images, count

    def frames(self) -> Iterator[tuple[np.ndarray, float | None]]:
        for i in range(self.frame_count):
            yield self.images[i % len(self.images)], None


def decode(spec: SourceSpec, limit: int = MAX_DECODED) -> list[np.ndarray]:
    reader = open_reader(SourceSpec(spec.kind, spec.location))
    images = []
    try:
        for image, _ in reader.frames():
            images.append(image)
            if len(images) >= limit:
                break
    finally:
        reader.close()
    return images


def software_versions() -> dict[str, str]:
    versions = {}
    for dist in ("model-picker", "degirum", "degirum-tools", "onnxruntime", "openvino", "opencv-python", "PySide6"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    versions["python"] = platform.python_version()
    return versions


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    import os

    return {"cpu": cpu, "cores": str(os.cpu_count()), "os": platform.platform(), "hostname": platform.node()}


def model_checksum(model: Any) -> str:
    try:
        return str(model.model_info.Checksum)
    except Exception:
        return ""


def validate(spec: Any, source: SourceSpec, frames: int = 300, warmup: int = 20, devices: str = "auto",
             progress: Callable[[int, int], None] | None = None, images: list[np.ndarray] | None = None,
             latency_frames: int = 100, in_flight: int = FILE_IN_FLIGHT, watchdog_s: float = 10.0,
             startup_grace_s: float = 60.0, properties: dict[str, Any] | None = None) -> ValidationResult:
    """Both modes on one loaded model: ``frames`` timed frames with ``in_flight`` in flight, then
    ``latency_frames`` with one (each after ``warmup``). Raises InferenceError, SourceError.

    ``properties`` are PySDK model properties to try (the tuning sweep: eager_batch_size, …).
    A host that stops answering is caught by the pipeline's watchdog after ``watchdog_s`` (before the
    first result: ``startup_grace_s``, as a first inference may compile the model); the
    model is then abandoned, not released (releasing it with a frame stuck can abort the process).
    """
    images = images if images is not None else decode(source)
    total = frames + warmup + (latency_frames + warmup if latency_frames else 0)
    model = load_model(spec, devices=devices, **(properties or {}))
    model.__enter__()
    runs: list[Pipeline] = []
    try:
        counted, watch = _Progress(progress, total), (watchdog_s, startup_grace_s)
        busy = _timed_run(model, spec, source, images, frames, warmup, in_flight, watch, counted, runs)
        single = (_timed_run(model, spec, source, images, latency_frames, warmup, 1, watch, counted, runs)
                  if latency_frames else None)
        device = describe_devices(model)
        device_type = str(getattr(model, "device_type", ""))
        checksum = model_checksum(model)
    finally:
        if not any(run.stalled for run in runs):
            model.__exit__(None, None, None)
    latencies, done_times, breakdown = busy
    single_lat, single_done = (single[0], single[1]) if single else ([], [])
    return ValidationResult(
        model=spec.model_name, host=spec.inference_host_address, device=device, source=source.describe(),
        frames=len(latencies), warmup=warmup, fps=throughput(done_times), latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95), latency_p99_ms=percentile(latencies, 99),
        breakdown_ms=breakdown, checksum=checksum, date=time.strftime("%Y-%m-%d %H:%M:%S %z"),
        software=software_versions(), machine=machine_info(), latencies_ms=latencies,
        fps_series=_fps_series(done_times), device_type=device_type, execution=n2x.execution_note(device_type),
        in_flight=in_flight, single_frames=len(single_lat), single_fps=throughput(single_done),
        single_p50_ms=percentile(single_lat, 50), single_p95_ms=percentile(single_lat, 95),
        single_p99_ms=percentile(single_lat, 99), single_latencies_ms=single_lat)


class _Progress:
    """Progress over both modes: (frames done, frames in all)."""

    def __init__(self, report: Callable[[int, int], None] | None, total: int) -> None:
        self.report, self.total, self.done = report, total, 0

    def tick(self) -> None:
        self.done += 1
        if self.report is not None and self.done % 10 == 0:
            self.report(self.done, self.total)


def _timed_run(model: Any, spec: Any, source: SourceSpec, images: list[np.ndarray], frames: int, warmup: int,
               in_flight: int, watchdog: tuple[float, float], progress: _Progress, runs: list[Pipeline]
               ) -> tuple[list[float], list[float], dict[str, float]]:
    """One pipelined pass: latencies and completion times of the frames after ``warmup``, PySDK's breakdown."""
    reader = MemoryReader(source, images, frames + warmup)
    pipeline = Pipeline(model, FrameFeeder(SourceSpec(source.kind, source.location), reader=reader),
                        in_flight=in_flight, watchdog_s=watchdog[0], startup_grace_s=watchdog[1],
                        host=spec.inference_host_address)
    runs.append(pipeline)
    latencies: list[float] = []
    done_times: list[float] = []
    for item in pipeline.run():
        if item.frame.frame_id >= warmup:
            latencies.append(item.latency_ms)
            done_times.append(item.done_time)
        progress.tick()
    return latencies, done_times, dict(pipeline.stats.breakdown_ms)


def _fps_series(done_times: list[float], window_s: float = 0.5) -> list[tuple[float, float]]:
    """Throughput in consecutive windows: (seconds since the first result, FPS).

    A short run gets shorter windows (at least ten points, none under 20 ms) so its chart is a line.
    """
    if len(done_times) < 2:
        return []
    start, series = done_times[0], []
    times = np.asarray(done_times) - start
    window_s = min(window_s, max(float(times[-1]) / 10, 0.02))
    edges = np.arange(0.0, times[-1] + window_s, window_s)
    counts, _ = np.histogram(times, bins=edges)
    for left, count in zip(edges[:-1], counts):
        series.append((round(float(left + window_s / 2), 3), float(count / window_s)))
    return series

