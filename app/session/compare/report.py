"""The comparison report: its sections for the one report writer (HTML, terminal text), and its JSON.

The HTML is one file: the table, a chart of FPS per contender, a chart of each
contender's agreement frame by frame, and the five frames where they disagree
most, side by side as pictures (embedded, so the page can be sent as it is).
The same pictures are written as JPEG files beside the report
(``<report>-frames/``) and listed in the JSON.
"""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path
from typing import Any

import cv2

from model_picker.atomic import write_bytes, write_text
from model_picker.inference.compare.agreement import IOU_MATCH, KEYPOINT_TOLERANCE, task_kind
from model_picker.inference.report import document as doc
from model_picker.inference.report.document import Chart, Document, Note, Picture, Section, Table
from model_picker.inference.report.svg import LABEL_STEP, PAD, H, W, axes, marker_label, svg_open
from model_picker.session.compare.draw import side_by_side
from model_picker.session.compare.events import Row, WorstFrame
from model_picker.session.compare.runner import Comparison

SCHEMA = "model-picker-compare"
SCHEMA_VERSION = 1
SUFFIXES = (".html", ".htm", ".json")
DEFINITIONS = {
    "detection": f"F1 of boxes matched at IoU >= {IOU_MATCH} with the same class (greedy, most confident first); "
                 "mean IoU and score difference of the matches",
    "classification": "top-1 equal; top-5 overlap",
    "segmentation": "mean IoU of the class masks (background left out); share of equal pixels",
    "pose": f"share of keypoints within {KEYPOINT_TOLERANCE} x the person's size sqrt(w*h) of the reference's "
            "(persons matched like boxes); mean keypoint distance in that unit",
}
_SHORT = (("f1", "F1"), ("mean_iou", "IoU"), ("mean_score_diff", "Δscore"), ("top1", "top-1"),
          ("top5_overlap", "top-5"), ("miou", "mIoU"), ("pixel_agreement", "pixels"), ("pck", "PCK"),
          ("mean_kpt_dist", "kpt dist"))


def metrics_text(metrics: dict[str, float]) -> str:
    """e.g. ``F1 0.997 · IoU 0.994 · Δscore 0.001 · 111/112 matched``."""
    parts = [f"{label} {metrics[key]:.3f}" for key, label in _SHORT if key in metrics]
    if "matched" in metrics:
        parts.append(f"{metrics['matched']:.0f} matched of {metrics.get('ref_count', 0):.0f}/"
                     f"{metrics.get('other_count', 0):.0f}")
    return " · ".join(parts)


def table_rows(rows: list[Row]) -> list[list[str]]:
    header = ["Pane", "Model", "Device", "Host", "Frames", "FPS", "p50 ms", "p95 ms", "Results/frame",
              "Agreement", "Details"]
    out = [header]
    for r in rows:
        agreement = "reference" if r.reference else "-" if r.agreement is None else f"{r.agreement:.3f}"
        details = f"FAILED: {r.failed}" if r.failed else metrics_text(r.metrics)
        out.append([str(r.pane + 1), r.name, r.device or "-", r.host or "-", str(r.frames), f"{r.fps:.1f}",
                    f"{r.latency_p50_ms:.1f}", f"{r.latency_p95_ms:.1f}", f"{r.results_per_frame:.2f}", agreement,
                    details])
    return out


def text_table(comparison: Comparison) -> str:
    """The table for a terminal, and the classes compared on when the label sets differ."""
    rows = comparison.table()
    shared = _shared(rows)
    blocks: list[doc.Block] = [Table(table_rows(rows))]
    if shared:
        blocks.append(Note(f"Label sets differ: compared on the shared classes {', '.join(shared)}"))
    return doc.to_text(Document(sections=[Section(blocks=blocks)]))


def _shared(rows: list[Row]) -> tuple[str, ...] | None:
    return next((r.shared_classes for r in rows if r.shared_classes), None)


def frame_picture(comparison: Comparison, frame: WorstFrame) -> Any:
    """The frame's side-by-side picture: each contender's answer under its name and agreement."""
    names = {c.pane: c.plan.name for c in comparison.contenders}
    panes = sorted(frame.answers)
    captions = []
    for pane in panes:
        value = frame.agreement.get(pane)
        captions.append(f"{pane + 1}. {names[pane]}: " + ("reference" if value is None else f"{value.score:.2f}"))
    return side_by_side(frame.image, [frame.answers[p] for p in panes], captions)


def _jpeg(picture: Any) -> bytes:
    ok, data = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise ValueError("cannot encode a frame picture")
    return data.tobytes()


def fps_chart(rows: list[Row]) -> str:
    """Horizontal bars: each contender's FPS, its name above the bar and the figure at its end."""
    if not rows:
        return ""
    top = max(r.fps for r in rows) * 1.2 or 1.0
    band = 44
    height = 40 + band * len(rows) + 20
    parts = [*svg_open(W, height),
             f'<text x="{W / 2}" y="16" text-anchor="middle" font-size="13">Throughput per contender (FPS)</text>']
    for i, r in enumerate(rows):
        y = 34 + i * band
        width = max(1.0, (W - 20 - PAD) * r.fps / top)
        colour = "#b3261e" if r.failed else "#1f5fa8"
        figure = f"{r.fps:.1f} FPS" + (" (failed)" if r.failed else "")
        parts += [f'<text x="{PAD}" y="{y + 10}">{html.escape(f"{r.pane + 1}. {r.name}")}</text>',
                  f'<rect x="{PAD}" y="{y + 14}" width="{width:.1f}" height="18" fill="{colour}"/>',
                  f'<text x="{PAD + width + 4:.1f}" y="{y + 27}">{figure}</text>']
    return "\n".join([*parts, "</svg>"])


def agreement_chart(comparison: Comparison) -> str:
    """Each compared contender's agreement with the reference, frame by frame."""
    series = {pane: points for pane, points in comparison.series().items() if points}
    if not series:
        return ""
    x_max = max(max(f for f, _s in points) for points in series.values()) or 1
    parts = axes("Agreement with the reference per frame", "frame", "agreement", x_max, 1.0)
    colours = ("#1f5fa8", "#d98a00", "#2a9d3a", "#8e44ad")
    names = {c.pane: c.plan.name for c in comparison.contenders}
    for row, (pane, points) in enumerate(sorted(series.items())):
        colour = colours[row % len(colours)]
        xy = " ".join(f"{PAD + f / x_max * (W - 10 - PAD):.1f},{H - PAD - s * (H - PAD - 24):.1f}" for f, s in points)
        parts.append(f'<polyline points="{xy}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        parts.append(marker_label(W - 10, 36 + row * LABEL_STEP, f"{pane + 1}. {names[pane]}", colour))
    return "\n".join([*parts, "</svg>"])


def to_dict(comparison: Comparison, pictures: list[str], reason: str = "") -> dict:
    rows = comparison.table()
    kind = task_kind(comparison.task)
    return {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION, "task": comparison.task, "kind": kind,
        "definition": DEFINITIONS[kind], "mode": comparison.mode, "source": comparison.source.describe(),
        "frames": comparison.frames, "unpaired_frames": comparison.unpaired, "end": reason,
        "reference": comparison.reference, "shared_classes": list(_shared(rows) or []) or None,
        "contenders": [dataclasses.asdict(r) for r in rows],
        "worst_frames": [{"frame_id": w.frame_id, "score": w.score, "image": picture,
                          "agreement": {str(p): dataclasses.asdict(a) for p, a in w.agreement.items()}}
                         for w, picture in zip(comparison.worst_frames(), pictures)],
    }


def document(comparison: Comparison, pictures: list[Picture], reason: str = "") -> Document:
    """The report's sections: what was compared, the table and charts, then the frames they disagree on most."""
    rows = comparison.table()
    kind = task_kind(comparison.task)
    mode = "synchronised" if comparison.mode == "sync" else "free run"
    intro: list[doc.Block] = [
        Note(f"{comparison.task} models on {comparison.source.describe()}, {mode}: {comparison.frames} frames "
             f"({reason or 'end of source'}). Agreement is against pane {comparison.reference + 1}: "
             f"{DEFINITIONS[kind]}.")]
    if shared := _shared(rows):
        intro.append(Note(f"The label sets differ: compared on the classes both have, by name: {', '.join(shared)}."))
    intro += [Table(table_rows(rows)), Chart("fps", fps_chart(rows)), Chart("agreement", agreement_chart(comparison))]
    none = [] if pictures else [Note("No frame was answered by every contender and the reference.")]
    frames = [Section(f"Frame {frame.frame_id}: agreement {frame.score:.3f}", [picture], level=3)
              for frame, picture in zip(comparison.worst_frames(), pictures)]
    return Document("Comparison report", [Section(blocks=intro), Section("Where they disagree most", none), *frames])


def write_report(comparison: Comparison, path: Path, reason: str = "") -> Path:
    """``.html`` or ``.json`` by suffix; the disagreement pictures go to ``<stem>-frames/`` beside it."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path}: a comparison report is .html or .json")
    folder = path.parent / f"{path.stem}-frames"
    pictures = [Picture(f"{folder.name}/frame-{w.frame_id:06d}.jpg", _jpeg(frame_picture(comparison, w)),
                        f"frame {w.frame_id}") for w in comparison.worst_frames()]
    for picture in pictures:
        write_bytes(path.parent / picture.path, picture.jpeg)
    if suffix == ".json":  # whole or not at all (OutputError: model_picker.atomic)
        write_text(path, json.dumps(to_dict(comparison, [p.path for p in pictures], reason), indent=2))
    else:
        write_text(path, doc.to_html(document(comparison, pictures, reason)))
    return path
