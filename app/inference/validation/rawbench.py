"""The device's own limit: the runtime's raw benchmark on the same model file, without PySDK.

For OpenVINO models that is OpenVINO's ``benchmark_app`` (installed with the
openvino wheel): ``-hint throughput`` picks streams and requests for the best
throughput, ``-hint latency`` gives one inference's median. Its inputs are
random tensors already in memory, so "PySDK end to end / raw device" is the
share of the device's speed left after decoding, pre- and post-processing and
PySDK's transport. No raw benchmark is installed for TFLite, ONNX or N2X
(onnxruntime and the TFLite runtime ship no such tool in their wheels), and a
remote host's model file is not on this machine: the report says so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from model_picker.zoo.hosts import LOCAL, is_local_folder

LOCAL_HOSTS = (LOCAL, "localhost", "127.0.0.1")
_THROUGHPUT = re.compile(r"Throughput:\s*([\d.]+)\s*FPS")
_MEDIAN = re.compile(r"Median:\s*([\d.]+)\s*ms")


def benchmark_app() -> str | None:
    """The benchmark_app beside this Python (the venv's), else on PATH."""
    return shutil.which("benchmark_app", path=str(Path(sys.executable).parent)) or shutil.which("benchmark_app")


def model_file(zoo: str, name: str) -> Path | None:
    """The model file a local zoo's JSON for ``name`` names (ModelPath, relative to the JSON)."""
    if not is_local_folder(zoo):
        return None
    for found in Path(zoo).rglob(f"{name}.json"):
        try:
            params = json.loads(found.read_text())["MODEL_PARAMETERS"][0]
            return found.parent / params["ModelPath"]
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            return None
    return None


def unavailable(device_type: str, host: str, zoo: str, name: str) -> str:
    """Why there is no raw figure for this model on this host ('' when benchmark_app can run it)."""
    if device_type.split("/")[0] != "OPENVINO":
        return f"no raw benchmark is installed for {device_type or 'this runtime'} (only OpenVINO's benchmark_app)"
    if host.split(":")[0] not in LOCAL_HOSTS:
        return f"the model file is on {host}; run benchmark_app there"
    path = model_file(zoo, name)
    if path is None or not path.exists():
        return "the model file is not in a zoo folder of this machine"
    if benchmark_app() is None:
        return "benchmark_app is not installed (it comes with the openvino wheel)"
    return ""


def raw_limit(device_type: str, host: str, zoo: str, name: str, seconds: float = 3.0) -> dict[str, Any]:
    """``{"tool", "throughput_fps", "latency_median_ms"}`` or ``{"none": why there is no figure}``."""
    why = unavailable(device_type, host, zoo, name)
    if why:
        return {"none": why}
    path, tool = model_file(zoo, name), benchmark_app()
    out: dict[str, Any] = {"tool": "OpenVINO benchmark_app", "file": str(path)}
    runs = (("throughput", _THROUGHPUT, "throughput_fps"), ("latency", _MEDIAN, "latency_median_ms"))
    for hint, pattern, key in runs:
        command = [tool, "-m", str(path), "-d", "CPU", "-hint", hint, "-t", f"{max(1, round(seconds))}"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds * 4 + 60,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return {"none": f"benchmark_app failed: {exc}"}
        match = pattern.search(done.stdout)
        if match is None:
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            return {"none": f"benchmark_app gave no figure (exit {done.returncode}): {last[0]}"}
        out[key] = float(match.group(1))
    return out


def ratio_text(pysdk_fps: float, raw: dict[str, Any]) -> str:
    """``PySDK end to end / raw device: 324 / 417 FPS = 0.78`` or why there is no raw figure."""
    if not raw:
        return ""
    if "none" in raw:
        return f"raw device: none ({raw['none']})"
    fps = raw.get("throughput_fps") or 0.0
    share = f" = {pysdk_fps / fps:.2f}" if fps else ""
    return (f"PySDK end to end / raw device ({raw['tool']}): {pysdk_fps:.1f} / {fps:.1f} FPS{share}; "
            f"raw latency median {raw.get('latency_median_ms', 0):.2f} ms")
