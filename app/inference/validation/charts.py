"""The validation report's charts as SVG: latency histogram, throughput over time, stream capacity."""

from __future__ import annotations

import numpy as np

from model_picker.inference.report.svg import LABEL_STEP, PAD, H, W, axes, marker_label
from model_picker.inference.validation.measure import ValidationResult


def latency_histogram_svg(result: ValidationResult, bins: int = 30) -> str:
    """Latency mode's single inferences (or, for a run without it, the time in flight of throughput mode)."""
    single = bool(result.single_latencies_ms)
    values = np.asarray(result.single_latencies_ms if single else result.latencies_ms)
    if values.size == 0:
        return ""
    p50, p95, p99 = ((result.single_p50_ms, result.single_p95_ms, result.single_p99_ms) if single else
                     (result.latency_p50_ms, result.latency_p95_ms, result.latency_p99_ms))
    top = float(np.percentile(values, 99.5)) * 1.05 or 1.0
    counts, _ = np.histogram(np.clip(values, 0, top), bins=bins, range=(0, top))
    y_max = float(counts.max()) or 1.0
    title = f"Latency of {result.model}" + (" (one frame in flight)" if single else " (time in flight)")
    parts = axes(title, "latency (ms)", "frames", top, y_max)
    width = (W - 10 - PAD) / bins
    for i, count in enumerate(counts):
        height = (H - PAD - 24) * count / y_max
        parts.append(f'<rect x="{PAD + i * width + 1:.1f}" y="{H - PAD - height:.1f}" width="{width - 2:.1f}" '
                     f'height="{height:.1f}" fill="#1f5fa8"/>')
    for row, (q, value, colour) in enumerate((("p50", p50, "#2a9d3a"), ("p95", p95, "#d98a00"),
                                               ("p99", p99, "#c0392b"))):
        x = PAD + min(value, top) / top * (W - 10 - PAD)
        parts.append(f'<line x1="{x:.1f}" y1="24" x2="{x:.1f}" y2="{H - PAD}" stroke="{colour}" '
                     'stroke-dasharray="4 3"/>')
        parts.append(marker_label(x, 34 + row * LABEL_STEP, f"{q} {value:.1f}", colour))
    return "\n".join([*parts, "</svg>"])


def fps_svg(result: ValidationResult) -> str:
    if not result.fps_series:
        return ""
    xs = [p[0] for p in result.fps_series]
    ys = [p[1] for p in result.fps_series]
    x_max, y_max = max(xs) or 1.0, max(*ys, result.fps) * 1.1 or 1.0
    parts = axes(f"Throughput of {result.model} ({result.in_flight} frames in flight)", "time (s)", "FPS",
                 x_max, y_max)
    points = " ".join(f"{PAD + x / x_max * (W - 10 - PAD):.1f},{H - PAD - y / y_max * (H - PAD - 24):.1f}"
                      for x, y in zip(xs, ys))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    mean_y = H - PAD - result.fps / y_max * (H - PAD - 24)
    parts.append(f'<line x1="{PAD}" y1="{mean_y:.1f}" x2="{W - 10}" y2="{mean_y:.1f}" stroke="#2a9d3a" '
                 'stroke-dasharray="4 3"/>')
    parts.append(marker_label(W - 10, max(mean_y - 4, 36), f"mean {result.fps:.1f} FPS", "#2a9d3a"))
    return "\n".join([*parts, "</svg>"])


MIX_COLOURS = ("#2a9d3a", "#8e44ad", "#16a085", "#7f8c8d")


def capacity_svg(capacity: dict, title: str) -> str:
    """Per-stream FPS (mean and slowest; in a mix each model's mean too) against the number of streams,
    with the target line."""
    curve = capacity.get("curve") if capacity else None
    if not curve:
        return ""
    target = float(capacity.get("target_fps") or 0.0)
    xs = [float(p["streams"]) for p in curve]
    x_max = max(xs) or 1.0
    y_max = max(*(p["per_stream_fps"] for p in curve), target) * 1.15 or 1.0
    parts = axes(title, "concurrent streams", "FPS per stream", x_max, y_max)

    def xy(x: float, y: float) -> tuple[float, float]:
        return PAD + x / x_max * (W - 10 - PAD), H - PAD - y / y_max * (H - PAD - 24)

    lines = [("mean per stream", "#1f5fa8", [(x, p["per_stream_fps"]) for x, p in zip(xs, curve)]),
             ("slowest stream", "#d98a00", [(x, p["min_stream_fps"]) for x, p in zip(xs, curve)])]
    models = list(capacity.get("models") or [])
    if len(models) > 1:  # each model from the first step that has a stream of it
        for name, colour in zip(models, MIX_COLOURS):
            lines.append((name, colour, [(x, p["per_model"][name]["per_stream_fps"]) for x, p in zip(xs, curve)
                                         if name in p.get("per_model", {})]))
    for _label, colour, values in lines:
        points = [xy(x, y) for x, y in values]
        parts.append(f'<polyline points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in points)}" fill="none" '
                     f'stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{colour}"/>' for a, b in points]
    if target:
        y = H - PAD - target / y_max * (H - PAD - 24)
        parts.append(f'<line x1="{PAD}" y1="{y:.1f}" x2="{W - 10}" y2="{y:.1f}" stroke="#c0392b" '
                     'stroke-dasharray="4 3"/>')
        parts.append(marker_label(W - 10, max(y - 4, 36), f"target {target:g} FPS", "#c0392b"))
    parts += [marker_label(PAD + 4, 36 + k * LABEL_STEP, label, colour) for k, (label, colour, _) in enumerate(lines)]
    return "\n".join([*parts, "</svg>"])
