"""Speed figures an engineer can defend: throughput, latency percentiles, PySDK's breakdown.

Every inference result counts here, including the ones the display skips;
frames a live source dropped before inference are counted apart, because they
say the source outran the model, not that the model was slow.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

WINDOW = 120  # results in the rolling FPS / latency window


def percentile(values: list[float] | np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else 0.0


def throughput(done_times: list[float], skip: int = 0) -> float:
    """Results per second between the ``skip``-th result and the last one."""
    times = done_times[skip:]
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0


@dataclass
class Snapshot:
    """The figures at one moment (what the HUD and the CLI print)."""

    frames: int = 0
    dropped: int = 0
    fps: float = 0.0
    average_fps: float = 0.0
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    latency_p99_ms: float = 0.0
    elapsed_s: float = 0.0
    breakdown_ms: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        return (f"{self.frames} frames  {self.fps:.1f} FPS  latency p50 {self.latency_p50_ms:.1f} ms"
                f"  p95 {self.latency_p95_ms:.1f} ms" + (f"  dropped {self.dropped}" if self.dropped else ""))


class StreamStats:
    """Accumulates per-result timings; cheap enough to call for every result."""

    def __init__(self, window: int = WINDOW) -> None:
        self.started = time.perf_counter()
        self.frames = 0
        self.dropped = 0
        self.latencies_ms: list[float] = []  # all of them, for the final percentiles
        self.done_times: list[float] = []  # perf_counter() of every result, for throughput over any span
        self._times: deque[float] = deque(maxlen=window)
        self._recent: deque[float] = deque(maxlen=window)
        self.breakdown_ms: dict[str, float] = {}

    def add(self, capture_time: float, done_time: float | None = None) -> None:
        done = time.perf_counter() if done_time is None else done_time
        latency = (done - capture_time) * 1000.0
        self.frames += 1
        self.latencies_ms.append(latency)
        self.done_times.append(done)
        self._recent.append(latency)
        self._times.append(done)

    def rolling_fps(self) -> float:
        if len(self._times) < 2:
            return 0.0
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0

    def set_breakdown(self, model_time_stats: Any) -> None:
        """Average of each PySDK ``time_stats()`` entry, in ms (sizes are skipped)."""
        result = {}
        for name, stat in dict(model_time_stats).items():
            if name.endswith("_ms") and getattr(stat, "cnt", 0):
                result[name.removesuffix("_ms")] = stat.sum / stat.cnt
        self.breakdown_ms = result

    def snapshot(self, final: bool = False) -> Snapshot:
        lat = self.latencies_ms if final else list(self._recent)
        elapsed = (self._times[-1] if self._times else time.perf_counter()) - self.started
        return Snapshot(
            frames=self.frames, dropped=self.dropped, fps=self.rolling_fps(),
            average_fps=self.frames / elapsed if elapsed > 0 else 0.0,
            latency_p50_ms=percentile(lat, 50), latency_p95_ms=percentile(lat, 95),
            latency_p99_ms=percentile(lat, 99), elapsed_s=elapsed, breakdown_ms=dict(self.breakdown_ms))
