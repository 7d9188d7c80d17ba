"""``model-picker evaluate``: box mAP of detection models on a COCO-labelled image folder.

Several models and hosts give one table, each row's difference to the first.
Progress with ETA goes to stderr, the table to stdout, ``--json`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="accuracy on labelled images: box mAP of detection models on a COCO "
                                        "JSON dataset (default: the bundled 20-image COCO sample)")
    p.add_argument("--registry", metavar="PATH|URL", help="registry YAML (default: the bundled demo registry)")
    p.add_argument("names", nargs="+", metavar="MODEL", help="one or more detection models")
    p.add_argument("--images", metavar="DIR", help="image folder the file names are relative to "
                                                   "(default: the bundled sample)")
    p.add_argument("--annotations", metavar="labels.json", help="COCO JSON ground truth "
                                                                "(default: the bundled sample's)")
    p.add_argument("--host", action="append", default=[], help="inference host (repeat to compare hosts)")
    p.add_argument("--devices", default="auto", help="device indexes: auto (default), all, or e.g. 0")
    p.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress line")


def default_dataset() -> tuple[Path, Path]:
    """The bundled sample: its image folder and its COCO JSON."""
    from model_picker.zoo.bundled import resources_dir

    folder = resources_dir() / "datasets" / "coco-sample-20"
    return folder, folder / "labels.json"


def cmd_evaluate(args: argparse.Namespace) -> int:
    from model_picker.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, CliError, exit_now
    from model_picker.cli.registry_args import find_model, load_catalogue
    from model_picker.inference.evaluation.dataset import DatasetError, load_coco

    images, annotations = default_dataset()
    if args.annotations or args.images:
        if not (args.annotations and args.images):
            raise CliError("give both --images and --annotations (or neither, for the bundled sample)")
        images, annotations = Path(args.images), Path(args.annotations)
    try:
        dataset = load_coco(images, annotations)
    except DatasetError as exc:
        raise CliError(str(exc)) from None
    catalogue = load_catalogue(args.registry)
    indexes = [find_model(catalogue, name) for name in args.names]
    hosts = args.host or [None]
    print(f"Evaluating on {len(dataset.images)} images, {dataset.annotation_count} annotations of "
          f"{annotations}", file=sys.stderr)
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    try:
        for index in indexes:
            for host in hosts:
                name = catalogue.entries[index].name
                where = host or catalogue.defaults.inference_host_address
                row = _evaluate_one(catalogue, index, host, where, dataset, args)
                if isinstance(row, str):
                    failures.append(f"{name} on {where}: {row}")
                    print(f"model-picker: {failures[-1]}", file=sys.stderr)
                else:
                    rows.append(row)
    except KeyboardInterrupt:
        print("\nmodel-picker: interrupted", file=sys.stderr)
        exit_now(EXIT_INTERRUPTED)  # a model with frames in flight can abort PySDK when released
    if rows:
        print(text_table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(_json_document(rows, failures, dataset), indent=2, allow_nan=False))
        print(f"Figures: {args.json}", file=sys.stderr)
    if failures:
        raise CliError(f"{len(failures)} of {len(indexes) * len(hosts)} runs failed", EXIT_FAILED)
    return 0


def _evaluate_one(catalogue: Any, index: int, host: str | None, where: str, dataset: Any,
                  args: argparse.Namespace) -> dict[str, Any] | str:
    """One model on one host: its row, or why it failed (one line)."""
    from model_picker.errors import InferenceError
    from model_picker.inference.engine.loading import describe_devices, load_model
    from model_picker.inference.evaluation.detection import EVAL_THRESHOLD, evaluate_detection
    from model_picker.session.plan import RunPlan, default_token, prepare

    name = catalogue.entries[index].name
    try:
        spec = prepare(RunPlan(catalogue, index, host=host, token=default_token(), devices=args.devices))
        model = load_model(spec, args.devices)
    except InferenceError as exc:
        return str(exc)
    print(f"{name} on {where} ({describe_devices(model)}), confidence threshold {EVAL_THRESHOLD} "
          "(the COCO protocol's, not the live one)", file=sys.stderr)
    try:
        scores = evaluate_detection(model, dataset, on_progress=None if args.quiet else _progress_line)
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    if not args.quiet:
        print(file=sys.stderr)
    annotations = dataset.annotations
    if scores.match.dataset_only:
        print(f"model-picker: {annotations}: categories {name} lacks (not scored): "
              f"{', '.join(scores.match.dataset_only)}", file=sys.stderr)
    for path, why in scores.failed:
        print(f"model-picker: {path}: image failed: {why}", file=sys.stderr)
    return {"model": name, "host": where, "device": describe_devices(model), "map50_95": scores.map50_95,
            "map50": scores.map50, "map75": scores.map75, "per_class_ap": scores.per_class,
            "images": scores.images, "annotations": scores.annotations, "threshold": scores.threshold,
            "failed_images": [{"path": p, "why": w} for p, w in scores.failed],
            "unmatched_model_classes": scores.match.model_only,
            "unmatched_dataset_categories": scores.match.dataset_only, "seconds": round(scores.seconds, 2)}


_last_print = [0.0]


def _progress_line(p: Any) -> None:
    now = time.monotonic()
    if p.done != p.total and now - _last_print[0] < 0.5:
        return
    _last_print[0] = now
    eta = f", ETA {p.eta_s:.0f} s" if p.eta_s is not None and p.done < p.total else ""
    print(f"\r  {p.done}/{p.total} images, {p.elapsed_s:.0f} s{eta}   ", end="", file=sys.stderr, flush=True)


def text_table(rows: list[dict[str, Any]]) -> str:
    """mAP per model x host, each with its difference to the first row."""
    first = rows[0]
    lines = [f"{'model':<34} {'host':<16} {'mAP50-95':>9} {'Δ':>7} {'mAP50':>7} {'Δ':>7} {'mAP75':>7} "
             f"{'images':>6}"]
    for n, r in enumerate(rows):
        d1 = "" if n == 0 else f"{r['map50_95'] - first['map50_95']:+.4f}"
        d2 = "" if n == 0 else f"{r['map50'] - first['map50']:+.4f}"
        lines.append(f"{r['model']:<34} {r['host']:<16} {r['map50_95']:>9.4f} {d1:>7} {r['map50']:>7.4f} "
                     f"{d2:>7} {r['map75']:>7.4f} {r['images']:>6}")
    lines.append(f"box mAP, COCO protocol, confidence threshold {first['threshold']}; classes matched by name")
    for r in rows:
        if r["unmatched_model_classes"]:
            lines.append(f"{r['model']}: classes not in the dataset: {', '.join(r['unmatched_model_classes'])}")
        if r["unmatched_dataset_categories"]:
            lines.append(f"{r['model']}: dataset categories the model lacks: "
                         f"{', '.join(r['unmatched_dataset_categories'])}")
        if r["failed_images"]:
            lines.append(f"{r['model']} on {r['host']}: {len(r['failed_images'])} images failed: "
                         + ", ".join(f["path"] for f in r["failed_images"]))
    return "\n".join(lines)


def _json_document(rows: list[dict[str, Any]], failures: list[str], dataset: Any) -> dict[str, Any]:
    def clean(value: Any) -> Any:
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    first = rows[0] if rows else None
    for r in rows:
        r["delta_map50_95"] = r["map50_95"] - first["map50_95"] if first else 0.0
        r["delta_map50"] = r["map50"] - first["map50"] if first else 0.0
    return clean({"dataset": {"images_dir": str(dataset.images_dir), "annotations": str(dataset.annotations),
                              "images": len(dataset.images), "annotations_count": dataset.annotation_count},
                  "protocol": "COCO box mAP (pycocotools via degirum_tools)",
                  "rows": rows, "failed_runs": failures})
