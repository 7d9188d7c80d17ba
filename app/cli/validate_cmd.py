"""``model-picker validate``: every selected model on every host, judged by criteria, one signed report.

Kept light at import (the parser is built on every start); the work imports
PySDK only when it runs.
"""

from __future__ import annotations

import argparse
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

REPORT_SUFFIXES = (".html", ".htm", ".json", ".md", ".pdf")
_say_lock = threading.Lock()


def say(text: str) -> None:
    """One whole line on stderr: the hosts' threads print at the same time, and print() writes text and
    newline apart, so their lines would run into each other."""
    with _say_lock:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def add_parser(sub: Any) -> None:
    p = sub.add_parser("validate", help="hardware validation: throughput and latency modes, pass/fail criteria, "
                                        "several models and hosts, HTML/JSON/PDF report")
    p.add_argument("--registry", metavar="PATH|URL",
                   help="registry YAML: a file or http(s)/file URL of at most 64 MiB (default: the bundled demo one)")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="models to validate (default: every model the filters keep)")
    p.add_argument("--task", action="append", default=[], help="keep this task (repeatable)")
    p.add_argument("--hardware", action="append", default=[], help="keep this RUNTIME/DEVICE (repeatable)")
    p.add_argument("--host", action="append", help="inference host (repeat for a fleet; default: the registry's)")
    p.add_argument("--criteria", metavar="FILE.yaml", help="criteria and sign-off fields (see docs/validation.md)")
    p.add_argument("--min-fps", type=float, help="pass only with at least this throughput (throughput mode)")
    p.add_argument("--max-p95", type=float, metavar="MS", help="pass only with latency p95 up to MS (latency mode)")
    p.add_argument("--min-agreement", type=float, metavar="SCORE",
                   help="pass only with at least this mean agreement (0..1) with --reference on the same frames")
    p.add_argument("--reference", metavar="MODEL|HOST",
                   help="what to agree with: a model name (another runtime) or a host running the same model")
    for name in ("site", "customer", "engineer", "notes"):
        p.add_argument(f"--{name}", help=f"{name} for the report (overrides the criteria file's)")
    p.add_argument("--source", help="video/image/folder (default: the bundled Traffic.mp4)")
    p.add_argument("--frames", type=int, default=300, help="timed frames in throughput mode (default 300)")
    p.add_argument("--latency-frames", type=int, default=100, help="timed frames in latency mode (default 100)")
    p.add_argument("--warmup", type=int, default=20, help="frames run before timing, each mode (default 20)")
    p.add_argument("--devices", default="auto", help="device indexes: auto, all, or e.g. 0")
    p.add_argument("--raw-seconds", type=float, default=5.0,
                   help="seconds of each raw device benchmark (OpenVINO's benchmark_app); 0: skip it")
    p.add_argument("--watchdog", type=float, default=10.0, help="seconds without a result before a host is failed")
    p.add_argument("--sweep", action="store_true", help="also try PySDK's settings (devices, frames in flight, "
                   "eager_batch_size, frame_queue_depth) and mark the best")
    p.add_argument("--sweep-frames", type=int, default=150, help="timed frames of each sweep run (default 150)")
    p.add_argument("--capacity", type=int, metavar="MAX", default=0,
                   help="also find how many paced streams (1, 2, 4, … up to MAX) keep --target-fps")
    p.add_argument("--capacity-mix", action="store_true",
                   help="with several models: one capacity run per host whose streams cycle over all of them "
                        "(instead of one run per model)")
    p.add_argument("--target-fps", type=float, default=15.0, help="per-stream FPS a stream must keep (default 15)")
    p.add_argument("--capacity-seconds", type=float, default=10.0, help="seconds of each capacity step (default 10)")
    p.add_argument("--startup-grace", type=float, default=60.0,
                   help="seconds allowed for a model's first result (a first inference may compile it; default 60)")
    p.add_argument("--report", action="append", default=[], metavar="FILE",
                   help="write the report: .html, .json, .pdf or .md (repeatable)")


def cmd_validate(args: argparse.Namespace) -> int:
    from model_picker.cli.errors import EXIT_FAILED, CliError
    from model_picker.cli.registry_args import find_model, load_catalogue, query_from_args
    from model_picker.errors import OutputError
    from model_picker.inference.media.sources import SourceError, parse_source
    from model_picker.inference.validation.criteria import PASS, Criteria, CriteriaError, SignOff, load_criteria
    from model_picker.inference.validation.measure import decode
    from model_picker.inference.validation.report import text_table, write_report
    from model_picker.session.plan import default_token
    from model_picker.session.validation import ValidationOptions, Validator
    from model_picker.zoo.bundled import default_video

    for report in args.report:
        if Path(report).suffix.lower() not in REPORT_SUFFIXES:
            raise CliError(f"--report {report}: a report is {', '.join(REPORT_SUFFIXES)}")
    try:
        criteria, signoff = load_criteria(args.criteria) if args.criteria else (Criteria(), SignOff())
    except CriteriaError as exc:
        raise CliError(str(exc)) from None
    given = {"min_fps": args.min_fps, "max_latency_p95_ms": args.max_p95, "min_agreement": args.min_agreement,
             "reference": args.reference}
    criteria = replace(criteria, **{k: v for k, v in given.items() if v is not None})
    if criteria.min_agreement is not None and not criteria.reference:
        raise CliError("--min-agreement needs --reference (a model name or a host) or criteria.reference")
    for name in ("site", "customer", "engineer", "notes"):
        if getattr(args, name):
            setattr(signoff, name, getattr(args, name))
    catalogue = load_catalogue(args.registry)
    args.alias, args.meta, args.search = [], [], ""
    indexes = ([find_model(catalogue, n) for n in args.names] if args.names
               else catalogue.select(query_from_args(args)))
    if not indexes:
        raise CliError(f"no model of {catalogue.document.shown} matches the filters; `model-picker list` shows them")
    hosts = args.host or [catalogue.defaults.inference_host_address]
    try:
        source = parse_source(args.source or str(default_video()))
        images = decode(source)
    except SourceError as exc:
        raise CliError(str(exc)) from None
    names = [catalogue.entries[i].name for i in indexes]
    mixed = args.capacity > 0 and args.capacity_mix and len(names) > 1
    options = ValidationOptions(args.frames, args.latency_frames, args.warmup, args.devices, default_token(),
                                args.raw_seconds, args.watchdog, args.startup_grace, args.sweep, args.sweep_frames,
                                args.capacity, names if mixed else [], args.target_fps, args.capacity_seconds)
    validator = Validator(catalogue, options, source, images, criteria, say)
    print(f"Validating {len(names)} model(s) on {len(hosts)} host(s): {', '.join(hosts)}", file=sys.stderr)

    def on_row(row: Any) -> None:
        text = row.verdict.verdict + (f" ({'; '.join(row.verdict.reasons)})" if row.verdict.reasons else "")
        say(f"{row.model} on {row.host}: {text}")

    report = validator.validate_all(names, hosts, signoff, on_row)
    print(text_table(report))
    print(f"Overall: {report.verdict} ({criteria.describe()})")
    unwritten = 0
    for path in map(Path, args.report):  # each whole or not at all: a full disk costs that file, not the others
        try:
            if path.suffix.lower() == ".pdf":
                from model_picker.ui.validate.pdf import write_pdf  # Qt, offscreen: only the ui layer imports PySide6

                write_pdf(report, path)
            else:
                write_report(report, path)
        except OutputError as exc:
            say(f"model-picker: {exc}")
            unwritten += 1
            continue
        print(f"Report: {path}", file=sys.stderr)
    return 0 if report.verdict == PASS and not unwritten else EXIT_FAILED
