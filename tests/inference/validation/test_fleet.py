"""A fleet of two real AI servers on loopback (issue 11): one is killed mid-run, the other completes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from model_picker.zoo.runtime.ai_server import start_server, stop_server
from tests.conftest import free_port

pytestmark = pytest.mark.server


@pytest.fixture
def two_servers(zoo_dir, tmp_path):
    servers = []
    for name in ("a", "b"):
        port = free_port()
        servers.append((f"localhost:{port}", start_server(zoo_dir, port, tmp_path / f"ai-server-{name}.log")))
    yield servers
    for _, process in servers:
        stop_server(process)


def test_a_host_killed_mid_run_gives_failed_rows_and_the_other_host_completes(two_servers, tmp_path, media):
    (alive, _), (doomed, doomed_process) = two_servers
    report = tmp_path / "fleet.json"
    command = [sys.executable, "-m", "model_picker", "validate", "--task", "face_detection", "--host", alive,
               "--host", doomed, "--frames", "400", "--latency-frames", "100", "--warmup", "5", "--watchdog", "3",
               "--startup-grace", "8",
               "--raw-seconds", "0", "--source", str(media / "Megamind.avi"), "--report", str(report)]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    lines: list[str] = []
    killed = threading.Event()

    def watch() -> None:  # kill the second server as soon as a model is running on it
        for line in process.stderr:
            lines.append(line)
            if not killed.is_set() and line.startswith("Validating ") and line.rstrip().endswith(f"on {doomed}…"):
                time.sleep(0.3)
                os.killpg(doomed_process.pid, signal.SIGKILL)
                killed.set()

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    started = time.monotonic()
    try:  # not communicate(): it would read stderr too, taking lines (the FAIL line) from under the reader thread
        process.wait(timeout=300)
    finally:
        process.kill()
    out = process.stdout.read()
    reader.join(10)
    assert killed.is_set(), "".join(lines)
    # The lost host is given up by the watchdog within seconds, not after PySDK's 100 s timeout.
    assert time.monotonic() - started < 120
    assert process.returncode == 1, "".join(lines)  # a failed host fails the whole validation
    data = json.loads(report.read_text())
    rows = {(r["model"], r["host"]): r for r in data["rows"]}
    assert len(rows) == 6 and data["verdict"] == "FAIL"
    for model in ("blazeface_short_range", "blazeface_short_range_onnx", "blazeface_short_range_openvino"):
        row = rows[(model, alive)]
        assert row["verdict"] == "PASS" and row["result"]["frames"] == 400, row
        assert row["result"]["single_frames"] == 100
    lost = [r for (m, h), r in rows.items() if h == doomed]
    failed = [r for r in lost if r["verdict"] == "FAIL"]
    assert failed and all(r["result"] is None and r["error"] for r in failed)
    assert any(("no result from" in r["error"] or "refused" in r["error"]) for r in failed), failed
    # Every model that was to run after the kill failed; the kill cannot be survived.
    assert lost[-1]["verdict"] == "FAIL"
    assert data["hosts"][alive]["devices"]["TFLITE/CPU"] >= 1 and data["hosts"][alive]["server_version"]
    assert f"on {doomed}: FAIL" in "".join(lines) and "Overall: FAIL" in out
    assert "Traceback" not in "".join(lines)  # the lost host is a line, not PySDK's generator printed on collection


def test_agreement_with_a_reference_host_runs_the_same_model_there(two_servers, tmp_path, media):
    (host, _), (reference, _) = two_servers
    report = tmp_path / "agree.json"
    out = subprocess.run([sys.executable, "-m", "model_picker", "validate", "blazeface_short_range", "--host", host,
                          "--reference", reference, "--min-agreement", "0.95", "--frames", "20", "--latency-frames",
                          "10", "--warmup", "2", "--raw-seconds", "0", "--source", str(media / "Megamind.avi"),
                          "--report", str(report)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    row = json.loads(report.read_text())["rows"][0]
    found = row["result"]["agreement"]
    assert row["host"] == host and row["verdict"] == "PASS"
    assert found["reference_host"] == reference and found["reference_model"] == "blazeface_short_range"
    assert found["score"] >= 0.95 and found["frames"] == 30
