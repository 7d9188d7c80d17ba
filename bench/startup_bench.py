"""Cold start to window shown, and the import cost behind it.

The start is timed from outside, as a user waits for it: from launching
``python -m app`` to the window reporting that it is shown (the probe closes
it at once). It includes the one re-execution that enables OpenVINO.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time

from .common import ROOT, goal


def time_to_window(repeat: int = 5) -> list[float]:
    env = dict(os.environ, MODEL_PICKER_EXIT_AFTER_SHOW="1", QT_QPA_PLATFORM="offscreen")
    env.pop("MODEL_PICKER_RUNTIMES", None)  # start like a user: without the re-exec mark
    env.pop("LD_LIBRARY_PATH", None)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "model_picker"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
        for line in process.stdout:
            if line.startswith("shown"):
                times.append(time.perf_counter() - start)
                break
        process.wait(60)
    return times


def import_costs(top: int = 8) -> list[tuple[str, float]]:
    """Import time (ms) behind the window, each module's own time summed by its top-level package."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import model_picker.ui.shell.main_window"],
                         cwd=ROOT,
                         capture_output=True, text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    totals: dict[str, float] = {}
    for line in out.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| \s*(\S+)", line)
        if match:
            package = match.group(2).split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(match.group(1)) / 1000
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


def run() -> str:
    times = time_to_window()
    median = statistics.median(times)
    lines = ["Cold start to window shown (python -m app, offscreen, includes the OpenVINO re-exec)", "",
             f"  median {median:.2f} s over {len(times)} starts (min {min(times):.2f}, max {max(times):.2f})",
             goal(median < 1.0, "< 1 s", f"by {median - 1.0:.2f} s"), "",
             "Import cost behind the window (ms, by package; PySDK and degirum_tools load later, off the UI thread):"]
    lines += [f"  {name:<16} {ms:8.0f}" for name, ms in import_costs()]
    return "\n".join(lines)
