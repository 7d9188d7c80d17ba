"""The headless command line, run as a user runs it: a real process, real models, real files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time

import cv2
import pytest


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "model_picker", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_list_filters_sorts_and_prints_json():
    out = cli("list", "--task", "face_detection", "--sort", "fps_cpu", "--desc", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert next(r["name"] for r in rows) == "blazeface_short_range_openvino"
    assert {r["task"] for r in rows} == {"face_detection"} and len(rows) == 3
    out = cli("list", "--hardware", "OPENVINO/CPU", "--meta", "dataset=ImageNet")
    assert out.returncode == 0 and "efficientnet_lite0_imagenet_openvino" in out.stdout
    assert "1 of 14 models" in out.stderr


def test_a_range_keeps_models_without_the_key_only_when_asked():
    names = {}
    for keep in ([], ["--keep-missing", "fps_cpu"]):
        out = cli("list", "--meta", "fps_cpu=100..", *keep, "--json")
        assert out.returncode == 0, out.stderr
        names[bool(keep)] = [r["name"] for r in json.loads(out.stdout)]
    added = [n for n in names[True] if n not in names[False]]
    assert added and set(names[False]) < set(names[True])  # the pose pair lists no fps_cpu of its own
    out = cli("list", "--keep-missing", "fps_cpu")
    assert out.returncode == 2 and "--keep-missing fps_cpu: give it a range too" in out.stderr


def test_best_and_show_give_a_runnable_spec():
    out = cli("list", "--alias", "deeplabv3", "--best", "fps_cpu", "--json")
    assert [r["name"] for r in json.loads(out.stdout)] == ["deeplabv3_mnv2_pascal_openvino"]
    out = cli("show", "blazeface_short_range", "--format", "yaml")
    assert out.returncode == 0
    assert "model_name: blazeface_short_range" in out.stdout and "inference_host_address: '@local'" in out.stdout
    assert "token" not in out.stdout


def test_bad_input_gives_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  m:\n    task: t\n    hardware: TFLITE/CPU\n    zoo_url: z\n")
    out = cli("list", "--registry", str(bad))
    assert out.returncode == 2
    assert out.stderr.strip() == f"model-picker: {bad}:4:5: models.m.hardware: must be a list, got 'TFLITE/CPU'"
    out = cli("run", "nope")
    assert out.returncode == 2 and "model 'nope' is not in" in out.stderr
    out = cli("run", "blazeface_short_range", "--source", str(tmp_path / "missing.mp4"))
    assert out.returncode == 2 and "missing.mp4: file not found" in out.stderr
    assert "Traceback" not in out.stderr


def test_run_writes_annotated_video_and_detections(tmp_path):
    video, results = tmp_path / "coco.mp4", tmp_path / "coco.csv"
    out = cli("run", "ssd_mobilenet_v2_coco_quant", "--frames", "40", "--out", str(video),
              "--results", str(results), "--quiet")
    assert out.returncode == 0, out.stderr
    assert "Throughput" in out.stdout and "Latency    p50" in out.stdout
    capture = cv2.VideoCapture(str(video))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 40
    assert (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (960, 540)
    lines = results.read_text().splitlines()
    assert lines[0] == "frame,time_s,label,category_id,score,x1,y1,x2,y2"
    cars = [row.split(",") for row in lines[1:] if ",car," in row]
    assert cars, "Traffic.mp4 has cars"
    for row in cars:
        x1, y1, x2, y2 = map(float, row[5:9])
        assert 0 <= x1 < x2 <= 960 and 0 <= y1 < y2 <= 540


def test_doctor_reports_all_four_runtimes():
    out = cli("doctor")
    assert out.returncode == 0, out.stdout + out.stderr
    for runtime in ("TFLITE", "ONNX", "OPENVINO", "N2X"):
        assert f"OK       {runtime}" in out.stdout
    assert "13 of 13 models pass" in out.stdout


@pytest.fixture
def stalling_registry(tmp_path, zoo_dir):
    """A real model whose Python postprocessor hangs after 5 good frames, in a registry of its own."""
    folder = tmp_path / "zoo" / "stalling_face"
    shutil.copytree(zoo_dir / "blazeface_short_range", folder)
    cfg = json.loads((folder / "blazeface_short_range.json").read_text())
    (folder / "blazeface_short_range.json").unlink()
    cfg["POST_PROCESS"][0].update(OutputPostprocessType="Detection", PythonFile="hang.py")
    (folder / "stalling_face.json").write_text(json.dumps(cfg))
    (folder / "hang.py").write_text(
        "import time\nclass PostProcessor:\n    calls = 0\n    def configure(self, cfg):\n        pass\n"
        "    def forward(self, tensors, details):\n        PostProcessor.calls += 1\n"
        "        if PostProcessor.calls > 5:\n            time.sleep(60)\n        return []\n")
    registry = tmp_path / "stall.yaml"
    registry.write_text("defaults:\n  inference_host_address: '@local'\n"
                        "models:\n  stalling_face:\n    task: face_detection\n    hardware: [TFLITE/CPU]\n"
                        f"    zoo_url: {tmp_path / 'zoo'}\n")
    return registry


def test_watchdog_ends_a_stalled_run_with_a_clear_message(stalling_registry, photos):
    start = time.monotonic()
    out = cli("run", "stalling_face", "--registry", str(stalling_registry), "--source", str(photos),
              "--watchdog", "2", "--quiet", timeout=60)
    elapsed = time.monotonic() - start
    assert out.returncode == 1, out.stderr
    assert "stopped answering" in out.stderr and "Traceback" not in out.stderr
    good = int(re.search(r"Frames\s+(\d+)", out.stdout).group(1))
    assert 1 <= good <= 5  # the summary still reports the good frames (the 5th may be in transit)
    assert elapsed < 40  # the postprocessor would hang for 60 s
