"""Memory while streaming: RSS of the window's process at start and after N minutes.

Runs the real window on a looping real-time video (BlazeFace on OpenVINO, the
fastest model: the most results per minute) and samples the resident set.
"""

from __future__ import annotations

import tempfile
import time

from .common import goal, wait_until
from .window_bench import start_streaming


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run(minutes: float = 3.0) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        app, window = start_streaming(f"{tmp}/s.ini", "blazeface_short_range_openvino", realtime=True)
        wait_until(app, lambda: False, 15)  # warm-up: caches, first allocations
        start = rss_mb()
        samples = [(0.0, start)]
        t0 = time.monotonic()
        while time.monotonic() - t0 < minutes * 60:
            wait_until(app, lambda: False, 10)
            samples.append((time.monotonic() - t0, rss_mb()))
        frames = window.runs.worker.pipeline.stats.frames if window.runs.worker and window.runs.worker.pipeline else 0
        window.runs.stop_run()
        window.close()
    end = samples[-1][1]
    growth = end - start
    per_10 = growth / minutes * 10
    return "\n".join([
        f"Memory while streaming for {minutes:g} min ({frames} results)", "",
        f"  RSS after warm-up {start:.1f} MB, after {minutes:g} min {end:.1f} MB: {growth:+.1f} MB "
        f"({per_10:+.1f} MB per 10 min)",
        "  samples: " + ", ".join(f"{t / 60:.1f} min {m:.0f} MB" for t, m in samples[:: max(1, len(samples) // 8)]),
        goal(per_10 < 5, "< 5 MB growth over 10 min", f"{per_10:+.1f} MB"),
    ])
