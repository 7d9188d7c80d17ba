"""Speed figures an engineer can defend: throughput, latency percentiles, PySDK's breakdown.

Every inference result counts here, including the ones the display skips.
Frames that never reached the model are counted apart, in two kinds that mean
different things to an engineer: ``skipped`` frames of a file played in real
time went by while the model was busy or paused (a choice of pacing: the file
still has them, and a demo need not show the figure), ``late`` frames of a
camera or stream were lost because the device could not keep up with the source.
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
    skipped: int = 0  # real-time pacing of a file
    late: int = 0  # a live source outran the device
    fps: float = 0.0
    average_fps: float = 0.0
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    latency_p99_ms: float = 0.0
    elapsed_s: float = 0.0
    breakdown_ms: dict[str, float] = field(default_factory=dict)

    @property
    def dropped(self) -> int:
        return self.skipped + self.late

    def drop_text(self) -> str:
        """'' when nothing was dropped; otherwise each kind named."""
        parts = []
        if self.skipped:
            parts.append(f"{self.skipped} skipped by real-time pacing")
        if self.late:
            parts.append(f"{self.late} lost: the device could not keep up")
        return ", ".join(parts)

    def line(self) -> str:
        drops = self.drop_text()
        return (f"{self.frames} frames  {self.fps:.1f} FPS  latency p50 {self.latency_p50_ms:.1f} ms"
                f"  p95 {self.latency_p95_ms:.1f} ms" + (f"  ({drops})" if drops else ""))


class StreamStats:
    """Accumulates per-result timings; cheap enough to call for every result."""

    def __init__(self, window: int = WINDOW, paced: bool = False) -> None:
        """``paced``: the source is a file played in real time (its drops are pacing, not lateness)."""
        self.started = time.perf_counter()
        self.frames = 0
        self.dropped = 0  # frames the source dropped before inference, of either kind
        self.paced = paced
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
            frames=self.frames, skipped=self.dropped if self.paced else 0,
            late=0 if self.paced else self.dropped, fps=self.rolling_fps(),
            average_fps=self.frames / elapsed if elapsed > 0 else 0.0,
            latency_p50_ms=percentile(lat, 50), latency_p95_ms=percentile(lat, 95),
            latency_p99_ms=percentile(lat, 99), elapsed_s=elapsed, breakdown_ms=dict(self.breakdown_ms))
