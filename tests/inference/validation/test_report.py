"""Validation report charts and tables read cleanly (issue 9.13)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from model_picker.inference.report.svg import W
from model_picker.inference.validation import report
from model_picker.inference.validation.charts import latency_histogram_svg
from model_picker.inference.validation.measure import ValidationResult


def result(p50: float, p95: float, p99: float) -> ValidationResult:
    rng = np.random.default_rng(1)
    return ValidationResult(model="ssd_mobilenet_v2_coco_quant", host="@local", device="TFLITE/CPU", source="x.mp4",
                            frames=200, warmup=5, fps=24.0, latency_p50_ms=p50, latency_p95_ms=p95,
                            latency_p99_ms=p99, breakdown_ms={"CoreInferenceDuration": 30.0}, checksum="abc",
                            date="2026-01-01", software={"degirum": "1.5.0"}, machine={"cpu": "x", "cores": "2"},
                            latencies_ms=list(rng.normal(p50, 0.5, 200)), fps_series=[(1.0, 24.0), (2.0, 25.0)])


def label_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) of the percentile labels, at 6 px per character of the 11 px font."""
    root = ET.fromstring(svg)
    boxes = []
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        if re.match(r"p\d\d ", text.text or ""):
            x, y = float(text.get("x")), float(text.get("y"))
            boxes.append((text.text, x, y - 10, x + 6 * len(text.text), y + 2))
    return boxes


@pytest.mark.parametrize("p50, p95, p99", [(30.0, 30.4, 30.9), (30.0, 31.0, 45.0), (10.0, 60.0, 61.0)])
def test_percentile_labels_never_overlap_and_stay_inside(p50, p95, p99):
    boxes = label_boxes(latency_histogram_svg(result(p50, p95, p99)))
    assert [b[0].split()[0] for b in boxes] == ["p50", "p95", "p99"]
    for i, a in enumerate(boxes):
        assert a[1] >= 0 and a[3] <= W, a
        for b in boxes[i + 1:]:
            overlap = a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
            assert not overlap, (a, b)


def test_the_summary_tables_have_a_header_row():
    results = [result(30, 31, 32)]
    markdown = report.to_markdown(results)
    assert not re.search(r"^\|(\s*\|)+\s*$", markdown, re.MULTILINE)  # no "| | |" row
    assert "| Measure | Result |" in markdown
    assert "<th></th>" not in report.to_html(results)
