"""``model-picker validate`` (issue 11): both modes, criteria that pass and fail, a criteria file with a typo,
the registry's figure and its file, the device's own limit, and the report as HTML, JSON and PDF."""

from __future__ import annotations

import json
import subprocess

import cv2
import numpy as np

from tests.cli.test_cli import cli

QUICK = ("--frames", "40", "--latency-frames", "20", "--warmup", "3")


def test_criteria_that_pass_give_a_signed_report_in_three_formats(tmp_path, media):
    criteria = tmp_path / "site.yaml"
    criteria.write_text("site: Plant 3\ncustomer: ACME\nengineer: J. Doe\nnotes: rack 2\n"
                        "criteria:\n  min_fps: 1\n  max_latency_p95_ms: 5000\n")
    html, js, pdf = tmp_path / "r.html", tmp_path / "r.json", tmp_path / "r.pdf"
    out = cli("validate", "blazeface_short_range_openvino", "efficientnet_lite0_imagenet", *QUICK, "--raw-seconds",
              "1", "--source", str(media / "Megamind.avi"), "--criteria", str(criteria), "--report", str(html),
              "--report", str(js), "--report", str(pdf))
    assert out.returncode == 0, out.stderr
    assert "Overall: PASS" in out.stdout
    data = json.loads(js.read_text())
    assert data["schema_version"] == 2 and data["verdict"] == "PASS"
    assert data["signoff"] == {"site": "Plant 3", "customer": "ACME", "engineer": "J. Doe", "notes": "rack 2"}
    assert data["criteria"] == {"min_fps": 1.0, "max_latency_p95_ms": 5000.0, "min_agreement": None,
                                "reference": None}
    assert set(data["modes"]) == {"Throughput mode", "Latency mode"}
    host = data["hosts"]["@local"]
    assert host["devices"]["OPENVINO/CPU"] >= 1 and host["devices"]["TFLITE/CPU"] >= 1 and host["pysdk_version"]
    ov, tfl = (row["result"] for row in data["rows"])
    for r in (ov, tfl):
        assert r["frames"] == 40 and r["single_frames"] == 20 and r["in_flight"] > 1
        assert 0 < r["single_p50_ms"] <= r["single_p95_ms"] <= r["single_p99_ms"]
        assert r["registry"]["fps_cpu"] > 0 and r["registry"]["source"].endswith("demo.yaml")
    assert ov["raw"]["tool"] == "OpenVINO benchmark_app" and ov["raw"]["throughput_fps"] > 0
    assert ov["raw"]["latency_median_ms"] > 0
    assert "no raw benchmark" in tfl["raw"]["none"]
    page = html.read_text()
    assert "one frame in flight at a time" in page and "as many as keep the device busy" in page
    assert "fps_cpu / latency_ms_cpu in" in page and "demo.yaml" in page
    assert "PySDK end to end / raw device (OpenVINO benchmark_app)" in page
    assert page.count("<svg") == 4 and "Plant 3" in page and "PASS" in page
    pages = render_pdf(pdf, tmp_path)
    assert len(pages) >= 2
    for image in pages:
        assert image.shape[0] > image.shape[1] > 500  # A4 portrait at 100 dpi
        assert (image < 128).mean() > 0.005  # text and charts on it, not a blank page
    # The charts arrive in the PDF as pictures: some page holds the blue of the latency histogram's bars.
    assert any(((np.abs(image.astype(int) - (168, 95, 31)).sum(axis=2)) < 40).sum() > 500 for image in pages)


def render_pdf(pdf, folder) -> list[np.ndarray]:
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(folder / "page")], check=True, timeout=60)
    return [cv2.imread(str(p)) for p in sorted(folder.glob("page-*.png"))]


def test_criteria_that_fail_say_which_figure_and_exit_1(tmp_path, photos):
    js = tmp_path / "r.json"
    out = cli("validate", "blazeface_short_range", *QUICK, "--raw-seconds", "0", "--source",
              str(photos / "astronaut.png"), "--min-fps", "100000", "--max-p95", "0.001", "--report", str(js))
    assert out.returncode == 1, out.stderr
    assert "Overall: FAIL" in out.stdout
    row = json.loads(js.read_text())["rows"][0]
    assert row["verdict"] == "FAIL"
    assert any(r.startswith("throughput") and "< 100000" in r for r in row["reasons"])
    assert any(r.startswith("latency p95") and "> 0.001" in r for r in row["reasons"])


def test_a_criteria_file_with_a_typo_gets_one_located_line(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text("site: Plant 3\ncriteria:\n  min_fps: 20\n  max_latency_p59_ms: 40\n")
    out = cli("validate", "blazeface_short_range", "--criteria", str(criteria))
    assert out.returncode == 2
    assert out.stderr.strip() == (f"model-picker: {criteria}:4: criteria.max_latency_p59_ms: unknown field; "
                                  "did you mean max_latency_p95_ms?")
    criteria.write_text("criteria:\n  min_fps: fast\n")
    out = cli("validate", "blazeface_short_range", "--criteria", str(criteria))
    assert out.returncode == 2 and f"{criteria}:2: criteria.min_fps: must be a number" in out.stderr
    criteria.write_text("site: [unclosed\n")
    out = cli("validate", "blazeface_short_range", "--criteria", str(criteria))
    assert out.returncode == 2 and f"{criteria}:2" in out.stderr and "YAML syntax error" in out.stderr


def test_capacity_of_a_mix_cycles_the_streams_over_the_models_and_reports_each(tmp_path, media):
    js, html = tmp_path / "r.json", tmp_path / "r.html"
    out = cli("validate", "efficientnet_lite0_imagenet", "blazeface_short_range", *QUICK, "--raw-seconds", "0",
              "--source", str(media / "Megamind.avi"), "--capacity", "4", "--capacity-mix", "--capacity-seconds",
              "1.5", "--target-fps", "0.5", "--report", str(js), "--report", str(html))
    assert out.returncode == 0, out.stderr
    data = json.loads(js.read_text())
    mix = data["capacity_mix"]["@local"]
    assert mix["models"] == ["efficientnet_lite0_imagenet", "blazeface_short_range"] and mix["capacity"] == 4
    assert [p["streams"] for p in mix["curve"]] == [1, 2, 4]
    assert [p["per_model"]["blazeface_short_range"]["streams"] for p in mix["curve"][1:]] == [1, 2]
    assert all(not row["result"]["capacity"] for row in data["rows"])  # one run per host, not one per model
    assert "Stream capacity on @local: 4 stream(s)" in out.stderr
    page = html.read_text()
    assert "Stream capacity of a mix on @local" in page and "cycling over efficientnet_lite0_imagenet" in page
    assert page.count("<svg") == 5  # two per model, and the mix's curve


def test_agreement_with_a_reference_runtime_passes_and_a_bound_above_one_or_another_task_fails(tmp_path, media):
    from model_picker.inference.validation.criteria import FAIL, PASS, Criteria, judge
    from model_picker.inference.validation.measure import ValidationResult

    js = tmp_path / "r.json"
    quick = (*QUICK, "--raw-seconds", "0", "--source", str(media / "Megamind.avi"), "--report", str(js))
    out = cli("validate", "blazeface_short_range_openvino", "--min-agreement", "0.95", "--reference",
              "blazeface_short_range", *quick)
    assert out.returncode == 0, out.stderr
    row = json.loads(js.read_text())["rows"][0]
    found = row["result"]["agreement"]
    assert row["verdict"] == PASS and found["score"] >= 0.95 and found["frames"] == 30, found
    assert found["reference_model"] == "blazeface_short_range" and found["metrics"]["matched"] > 0
    assert "Agreement" in out.stdout and f"{found['score']:.3f}" in out.stdout
    # The same measured row judged by a bound no agreement reaches: the reason names the figure and the reference.
    result = ValidationResult(**row["result"])
    verdict = judge(result, Criteria(min_agreement=1.01, reference="blazeface_short_range"))
    assert verdict.verdict == FAIL
    assert verdict.reasons == [f"agreement {found['score']:.3f} with blazeface_short_range < 1.01 (30 frames)"]
    # A reference of another task cannot be compared: the criterion fails with that reason, the figures stay.
    out = cli("validate", "blazeface_short_range_openvino", "--min-agreement", "0.5", "--reference",
              "efficientnet_lite0_imagenet", *quick)
    assert out.returncode == 1, out.stderr
    row = json.loads(js.read_text())["rows"][0]
    assert row["verdict"] == FAIL and row["result"]["fps"] > 0
    assert len(row["reasons"]) == 1 and row["reasons"][0].startswith("agreement with efficientnet_lite0_imagenet "
                                                                     "not measured: cannot compare"), row["reasons"]


def test_agreement_criteria_in_a_file_are_checked_with_located_messages(tmp_path):
    criteria = tmp_path / "c.yaml"
    cases = [("criteria:\n  min_fps: 1\n  min_agrement: 0.9\n",
              "3: criteria.min_agrement: unknown field; did you mean min_agreement?"),
             ("criteria:\n  min_agreement: 0.9\n",
              "2: criteria.min_agreement: needs criteria.reference: the model name or host to agree with"),
             ("criteria:\n  min_agreement: 0.9\n  reference: [a, b]\n",
              "3: criteria.reference: must be a model name or a host, got ['a', 'b']")]
    for text, message in cases:
        criteria.write_text(text)
        out = cli("validate", "blazeface_short_range", "--criteria", str(criteria))
        assert out.returncode == 2 and out.stderr.strip() == f"model-picker: {criteria}:{message}", out.stderr
