"""``model-picker bench``: the figures, the comparison table and the three report formats."""

from __future__ import annotations

import json

from tests.cli.test_cli import cli


def test_bench_compares_models_and_writes_json(tmp_path, media):
    report = tmp_path / "bench.json"
    out = cli("bench", "blazeface_short_range", "blazeface_short_range_openvino", "--frames", "60",
              "--warmup", "5", "--source", str(media / "Megamind.avi"), "--report", str(report))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["Model", "Host", "Device", "FPS"]
    assert "1.00x" in lines[1] and "blazeface_short_range_openvino" in lines[2]
    data = json.loads(report.read_text())
    assert data["schema_version"] == 2 and data["verdict"] == "PASS"  # no criteria: every finished run passes
    results = [row["result"] for row in data["rows"]]
    assert [r["model"] for r in results] == ["blazeface_short_range", "blazeface_short_range_openvino"]
    for r in results:
        assert r["frames"] == 60 and len(r["latencies_ms"]) == 60 and r["fps"] > 0
        assert 0 < r["latency_p50_ms"] <= r["latency_p95_ms"] <= r["latency_p99_ms"]
        # Latency mode: one frame in flight, so a single inference is quicker than a frame's time in the queue.
        assert r["single_frames"] == 100 and 0 < r["single_p50_ms"] <= r["single_p95_ms"] <= r["single_p99_ms"]
        assert r["single_p50_ms"] < r["latency_p50_ms"] and r["in_flight"] > 1
        assert r["software"]["degirum"] and r["machine"]["cores"] and r["date"]
        assert "CoreInferenceDuration" in r["breakdown_ms"]
        assert len(r["checksum"]) == 64
    assert results[0]["device"].startswith("TFLITE/CPU") and results[1]["device"].startswith("OPENVINO/CPU")


def test_bench_markdown_and_html_reports_carry_charts(tmp_path, photos):
    md = tmp_path / "r.md"
    out = cli("bench", "efficientnet_lite0_imagenet_openvino", "--frames", "40", "--warmup", "3",
              "--source", str(photos / "coffee.png"), "--report", str(md))
    assert out.returncode == 0, out.stderr
    text = md.read_text()
    assert "## efficientnet_lite0_imagenet_openvino on @local" in text and "Throughput" in text
    for chart in ("r-1-latency.svg", "r-1-fps.svg"):
        assert f"]({chart})" in text and (tmp_path / chart).read_text().startswith("<svg")
    html = tmp_path / "r.html"
    assert cli("bench", "blazeface_short_range_onnx", "--frames", "30", "--warmup", "2", "--source",
               str(photos / "astronaut.png"), "--report", str(html)).returncode == 0
    page = html.read_text()
    assert page.count("<svg") == 2 and "p95" in page


def test_bench_of_a_bad_source_or_model_says_so():
    out = cli("bench", "blazeface_short_range", "--source", "/nonexistent.mp4")
    assert out.returncode == 2 and "file not found" in out.stderr


def test_bench_writes_a_pdf_report_headless(tmp_path, photos):
    pdf = tmp_path / "r.pdf"
    out = cli("bench", "blazeface_short_range_openvino", "--frames", "30", "--warmup", "2", "--source",
              str(photos / "astronaut.png"), "--report", str(pdf))
    assert out.returncode == 0, out.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
