"""``model-picker bench``: validation runs with a report, one or several models and hosts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model_picker.cli.errors import EXIT_FAILED, CliError
from model_picker.cli.registry_args import find_model, load_catalogue
from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.media.sources import SourceError, parse_source
from model_picker.inference.validation.measure import decode, validate
from model_picker.inference.validation.report import text_table, write_report
from model_picker.session.plan import RunPlan, default_token, prepare
from model_picker.zoo.bundled import default_video
from model_picker.zoo.runtime import n2x


def cmd_bench(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.registry)
    indexes = [find_model(catalogue, name) for name in args.names]
    hosts = args.host or [None]
    try:
        source = parse_source(args.source or str(default_video()))
        images = decode(source)
    except SourceError as exc:
        raise CliError(str(exc)) from None
    results, failures = [], []
    for index in indexes:
        for host in hosts:
            name = catalogue.entries[index].name
            where = host or catalogue.defaults.inference_host_address
            print(f"Validating {name} on {where}: {args.warmup} warm-up + {args.frames} frames…", file=sys.stderr)
            try:
                spec = prepare(RunPlan(catalogue, index, host=host, token=default_token()))
                results.append(validate(spec, source, args.frames, args.warmup, args.devices, images=images))
            except InferenceError as exc:
                failures.append(f"{name} on {where}: {exc}")
                print(f"model-picker: {failures[-1]}", file=sys.stderr)
    if results:
        print(text_table(results))
        for r in results:
            if r.emulated:
                print(f"note: {r.model} ran on {r.device_type}, the {n2x.EMULATED_NOTE}", file=sys.stderr)
    if args.report and results:
        path = Path(args.report)
        if path.suffix.lower() == ".pdf":
            from model_picker.ui.validate.pdf import write_pdf  # Qt, offscreen: only the ui layer imports PySide6

            write_pdf(results, path)
        else:
            write_report(results, path)
        print(f"Report: {path}", file=sys.stderr)
    if failures:
        raise CliError(f"{len(failures)} of {len(indexes) * len(hosts)} runs failed", EXIT_FAILED)
    return 0
