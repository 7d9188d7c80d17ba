"""A validation run: the figures a field engineer reports for one model on one host.

Frames are decoded before timing starts and fed as fast as the device takes
them, so the figures describe the inference host, not the video decoder; the
first ``warmup`` results are left out (model load, caches, lazy compilation).
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

import numpy as np

from ..zoo import n2x
from .loading import describe_devices, load_model
from .pipeline import Pipeline
from .sources import FrameFeeder, FrameReader, SourceSpec, open_reader
from .stats import percentile, throughput

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
    # never be read as an ORCA measurement (app/zoo/n2x.py).
    device_type: str = ""
    execution: str = ""

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
             progress: Callable[[int, int], None] | None = None, images: list[np.ndarray] | None = None
             ) -> ValidationResult:
    """Run ``frames`` timed frames (after ``warmup``) through the app's pipeline; raises InferenceError."""
    images = images if images is not None else decode(source)
    total = frames + warmup
    reader = MemoryReader(source, images, total)
    model = load_model(spec, devices=devices)
    with model:
        pipeline = Pipeline(model, FrameFeeder(SourceSpec(source.kind, source.location), reader=reader),
                            host=spec.inference_host_address)
        latencies: list[float] = []
        done_times: list[float] = []
        for item in pipeline.run():
            if item.frame.frame_id >= warmup:
                latencies.append(item.latency_ms)
                done_times.append(item.done_time)
            if progress is not None and item.frame.frame_id % 10 == 0:
                progress(item.frame.frame_id + 1, total)
        device = describe_devices(model)
        device_type = str(getattr(model, "device_type", ""))
        checksum = model_checksum(model)
        breakdown = dict(pipeline.stats.breakdown_ms)
    fps = throughput(done_times)
    series = _fps_series(done_times)
    return ValidationResult(
        model=spec.model_name, host=spec.inference_host_address, device=device, source=source.describe(),
        frames=len(latencies), warmup=warmup, fps=fps, latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95), latency_p99_ms=percentile(latencies, 99),
        breakdown_ms=breakdown, checksum=checksum, date=time.strftime("%Y-%m-%d %H:%M:%S %z"),
        software=software_versions(), machine=machine_info(), latencies_ms=latencies, fps_series=series,
        device_type=device_type, execution=n2x.execution_note(device_type))


def _fps_series(done_times: list[float], window_s: float = 0.5) -> list[tuple[float, float]]:
    """Throughput in consecutive windows: (seconds since the first result, FPS)."""
    if len(done_times) < 2:
        return []
    start, series = done_times[0], []
    times = np.asarray(done_times) - start
    edges = np.arange(0.0, times[-1] + window_s, window_s)
    counts, _ = np.histogram(times, bins=edges)
    for left, count in zip(edges[:-1], counts):
        series.append((round(float(left + window_s / 2), 3), float(count / window_s)))
    return series

