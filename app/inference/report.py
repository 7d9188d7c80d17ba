"""Validation reports: JSON for machines, Markdown or HTML for people, SVG charts for both.

Charts are drawn as plain SVG: the CLI writes reports without a display, and no
plotting dependency is needed; SVG stays sharp when printed, opens in any
browser and in the window's report viewer.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np

from .validation import ValidationResult

W, H, PAD = 560, 220, 42


def _axes(title: str, x_label: str, y_label: str, x_max: float, y_max: float) -> list[str]:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
             'font-family="sans-serif" font-size="11">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{W / 2}" y="14" text-anchor="middle" font-size="13">{html.escape(title)}</text>',
             f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#333"/>',
             f'<line x1="{PAD}" y1="24" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
             f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle">{html.escape(x_label)}</text>',
             f'<text x="12" y="{H / 2}" text-anchor="middle" transform="rotate(-90 12 {H / 2})">'
             f'{html.escape(y_label)}</text>']
    for i in range(5):
        fx, fy = i / 4, i / 4
        x = PAD + fx * (W - 10 - PAD)
        y = H - PAD - fy * (H - PAD - 24)
        parts.append(f'<text x="{x:.0f}" y="{H - PAD + 14}" text-anchor="middle">{x_max * fx:.3g}</text>')
        parts.append(f'<text x="{PAD - 4}" y="{y + 4:.0f}" text-anchor="end">{y_max * fy:.3g}</text>')
        parts.append(f'<line x1="{PAD}" y1="{y:.0f}" x2="{W - 10}" y2="{y:.0f}" stroke="#eee"/>')
    return parts


def latency_histogram_svg(result: ValidationResult, bins: int = 30) -> str:
    values = np.asarray(result.latencies_ms)
    if values.size == 0:
        return ""
    top = float(np.percentile(values, 99.5)) * 1.05 or 1.0
    counts, _ = np.histogram(np.clip(values, 0, top), bins=bins, range=(0, top))
    y_max = float(counts.max()) or 1.0
    parts = _axes(f"Latency of {result.model}", "latency (ms)", "frames", top, y_max)
    width = (W - 10 - PAD) / bins
    for i, count in enumerate(counts):
        height = (H - PAD - 24) * count / y_max
        parts.append(f'<rect x="{PAD + i * width + 1:.1f}" y="{H - PAD - height:.1f}" width="{width - 2:.1f}" '
                     f'height="{height:.1f}" fill="#1f5fa8"/>')
    for row, (q, value, colour) in enumerate((("p50", result.latency_p50_ms, "#2a9d3a"),
                                               ("p95", result.latency_p95_ms, "#d98a00"),
                                               ("p99", result.latency_p99_ms, "#c0392b"))):
        x = PAD + min(value, top) / top * (W - 10 - PAD)
        parts.append(f'<line x1="{x:.1f}" y1="24" x2="{x:.1f}" y2="{H - PAD}" stroke="{colour}" '
                     'stroke-dasharray="4 3"/>')
        parts.append(_marker_label(x, 34 + row * LABEL_STEP, f"{q} {value:.1f}", colour))
    return "\n".join([*parts, "</svg>"])


LABEL_STEP = 14  # one text line of the 11 px font: percentiles close together get a row each


def _marker_label(x: float, y: float, text: str, colour: str) -> str:
    """A label beside its marker line on a white backing, kept inside the plot (left of the line near the edge).

    Percentile lines are often a few pixels apart, so each label has its own row
    (see ``LABEL_STEP``) and the labels can never overlap.
    """
    width = len(text) * 6.5 + 6
    left = x + 3 if x + 3 + width <= W - 10 else x - 3 - width
    return (f'<rect x="{left - 2:.1f}" y="{y - 10:.1f}" width="{width:.1f}" height="13" fill="white" stroke="none" '
            f'fill-opacity="0.85"/><text x="{left:.1f}" y="{y:.1f}" fill="{colour}">{html.escape(text)}</text>')


def fps_svg(result: ValidationResult) -> str:
    if not result.fps_series:
        return ""
    xs = [p[0] for p in result.fps_series]
    ys = [p[1] for p in result.fps_series]
    x_max, y_max = max(xs) or 1.0, max(ys) * 1.1 or 1.0
    parts = _axes(f"Throughput of {result.model}", "time (s)", "FPS", x_max, y_max)
    points = " ".join(f"{PAD + x / x_max * (W - 10 - PAD):.1f},{H - PAD - y / y_max * (H - PAD - 24):.1f}"
                      for x, y in zip(xs, ys))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    mean_y = H - PAD - result.fps / y_max * (H - PAD - 24)
    parts.append(f'<line x1="{PAD}" y1="{mean_y:.1f}" x2="{W - 10}" y2="{mean_y:.1f}" stroke="#2a9d3a" '
                 'stroke-dasharray="4 3"/>')
    parts.append(_marker_label(W - 10, max(mean_y - 4, 36), f"mean {result.fps:.1f} FPS", "#2a9d3a"))
    return "\n".join([*parts, "</svg>"])


def comparison_rows(results: list[ValidationResult]) -> list[list[str]]:
    header = ["Model", "Host", "Device", "FPS", "p50 ms", "p95 ms", "p99 ms", "vs first"]
    rows = [header]
    base = results[0].fps if results else 0.0
    for r in results:
        ratio = f"{r.fps / base:.2f}x" if base else "-"
        device = f"{r.device} (emulated on the CPU)" if r.emulated else r.device
        rows.append([r.model, r.host, device, f"{r.fps:.1f}", f"{r.latency_p50_ms:.1f}", f"{r.latency_p95_ms:.1f}",
                     f"{r.latency_p99_ms:.1f}", ratio])
    return rows


def text_table(results: list[ValidationResult]) -> str:
    rows = comparison_rows(results)
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def _md_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _details(r: ValidationResult) -> list[tuple[str, str]]:
    breakdown = ", ".join(f"{k.replace('Duration', '')} {v:.2f} ms" for k, v in r.breakdown_ms.items())
    return [("Model", r.model), ("Checksum", r.checksum or "-"), ("Host", r.host), ("Device / runtime", r.device),
            ("Measures", r.execution or "-"),
            ("Frames", f"{r.frames} timed after {r.warmup} warm-up, from {r.source}"),
            ("Throughput", f"{r.fps:.1f} FPS"),
            ("Latency", f"p50 {r.latency_p50_ms:.1f} ms, p95 {r.latency_p95_ms:.1f} ms, p99 {r.latency_p99_ms:.1f} ms"),
            ("PySDK breakdown (mean)", breakdown or "-"), ("Date", r.date),
            ("Machine", f"{r.machine.get('cpu')}, {r.machine.get('cores')} cores, {r.machine.get('os')}"),
            ("Software", ", ".join(f"{k} {v}" for k, v in r.software.items()))]


def to_json(results: list[ValidationResult]) -> str:
    return json.dumps({"results": [r.to_dict() for r in results]}, indent=2)


def to_markdown(results: list[ValidationResult], chart_dir: Path | None = None, chart_prefix: str = "") -> str:
    """Markdown; the charts are written as SVG files in ``chart_dir`` and linked."""
    parts = ["# Validation report", ""]
    if len(results) > 1:
        parts += ["## Comparison", "", _md_table(comparison_rows(results)), ""]
    for i, r in enumerate(results):
        parts += [f"## {r.model} on {r.host}", "", "| Measure | Result |", "|---|---|"]
        parts += [f"| {k} | {v} |" for k, v in _details(r)]
        parts.append("")
        if chart_dir is not None:
            for kind, svg in (("latency", latency_histogram_svg(r)), ("fps", fps_svg(r))):
                if svg:
                    name = f"{chart_prefix}{i + 1}-{kind}.svg"
                    (chart_dir / name).write_text(svg)
                    parts += [f"![{kind} of {r.model}]({name})", ""]
    return "\n".join(parts)


def to_html(results: list[ValidationResult]) -> str:
    """One self-contained page with the charts inline."""
    def table(rows: list[list[str]]) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows[1:])
        return f"<table><tr>{head}</tr>{body}</table>"

    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>Validation report</title><style>",
             "body{font-family:sans-serif;margin:2em;color:#222} table{border-collapse:collapse;margin:1em 0}",
             "td,th{border:1px solid #ccc;padding:4px 10px;text-align:left} th{background:#f3f5f8}",
             "</style></head><body><h1>Validation report</h1>"]
    if len(results) > 1:
        parts += ["<h2>Comparison</h2>", table(comparison_rows(results))]
    for r in results:
        parts.append(f"<h2>{html.escape(r.model)} on {html.escape(r.host)}</h2>")
        parts.append(table([["Measure", "Result"], *[[k, v] for k, v in _details(r)]]))
        parts += [latency_histogram_svg(r), fps_svg(r)]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(results: list[ValidationResult], path: Path) -> Path:
    """By suffix: .json, .md (charts as SVG files beside it) or .html (charts inline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(to_json(results))
    elif suffix in (".md", ".markdown"):
        path.write_text(to_markdown(results, path.parent, f"{path.stem}-"))
    elif suffix in (".html", ".htm"):
        path.write_text(to_html(results))
    else:
        raise ValueError(f"{path}: a report is .json, .md or .html")
    return path
