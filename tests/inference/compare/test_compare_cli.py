"""``model-picker compare`` as a user runs it: a real process, real models, the table and both reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import cv2

from model_picker.cli.compare_cmd import pairs


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "model_picker", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_compare_prints_the_table_and_writes_json_and_html_with_five_disagreement_pictures(tmp_path, media):
    out = cli("compare", "ssd_mobilenet_v2_coco_quant", "ssd_mobilenetv2_oidv4", "--source", str(media / "vtest.avi"),
              "--frames", "20", "--report", str(tmp_path / "r.json"), "--report", str(tmp_path / "r.html"))
    assert out.returncode == 0, out.stderr
    header, first, second = out.stdout.splitlines()[:3]
    assert header.split()[:3] == ["Pane", "Model", "Device"] and "reference" in first
    assert re.search(r"ssd_mobilenetv2_oidv4 .* 20 .* 0\.\d{3} +F1 0\.\d{3}", second), second
    assert "compared on the shared classes" in out.stdout and "person" in out.stdout

    report = json.loads((tmp_path / "r.json").read_text())
    assert report["schema"] == "model-picker-compare" and report["schema_version"] == 1
    assert report["kind"] == "detection" and {"person", "car"} <= set(report["shared_classes"])
    assert [c["name"] for c in report["contenders"]] == ["ssd_mobilenet_v2_coco_quant", "ssd_mobilenetv2_oidv4"]
    assert report["contenders"][1]["agreement"] < 1 and report["contenders"][1]["frames"] == 20
    worst = report["worst_frames"]
    assert len(worst) == 5 and [w["score"] for w in worst] == sorted(w["score"] for w in worst)
    for frame in worst:
        picture = cv2.imread(str(tmp_path / frame["image"]))
        assert picture is not None and picture.shape[1] > 2 * picture.shape[0]  # two panes side by side
        assert frame["score"] < 1 and "1" in frame["agreement"]

    page = (tmp_path / "r.html").read_text()
    assert page.count("<img ") == 5 and page.count("data:image/jpeg;base64,") == 5
    assert page.count("<svg") == 2 and "Where they disagree most" in page
    assert "IoU &gt;= 0.5" in page and "compared on the classes both have" in page and "person" in page


def test_bad_input_is_one_line_and_exit_2(media):
    for args, words in [(("ssd_mobilenet_v2_coco_quant", "deeplabv3_mnv2_pascal"), "cannot compare"),
                        (("ssd_mobilenet_v2_coco_quant", "ssd_mobilenetv2_oidv4", "--report", "r.pdf"),
                         ".html or .json"),
                        (("ssd_mobilenet_v2_coco_quant", "--source", str(media / "missing.mp4")), "2 to 4"),
                        (("blazeface_short_range", "blazeface_short_range_onnx", "--source", "nowhere.mp4"),
                         "file not found"),
                        (("blazeface_short_range", "blazeface_short_range_onnx", "--host", "a", "--host", "b",
                          "--host", "c"), "one host for all")]:
        out = cli("compare", *args)
        assert out.returncode == 2, (args, out.stderr)
        lines = [line for line in out.stderr.splitlines() if line.startswith("model-picker:")]
        assert len(lines) == 1 and words in lines[0], (args, out.stderr)


def test_hosts_pair_with_models():
    assert pairs(["a", "b"], []) == [("a", None), ("b", None)]
    assert pairs(["a"], ["h1", "h2"]) == [("a", "h1"), ("a", "h2")]  # one model on several hosts
    assert pairs(["a", "b"], ["h"]) == [("a", "h"), ("b", "h")]
    assert pairs(["a", "b"], ["h1", "h2"]) == [("a", "h1"), ("b", "h2")]
