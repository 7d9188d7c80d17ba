"""``model-picker compare``: two to four models, or one model on several hosts, on one source.

A thin adapter over ``session.compare.Comparison`` (the window drives the same
runner): it turns the arguments into run plans, prints what happens on stderr,
the table on stdout, and writes the report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

REPORT_SUFFIXES = (".html", ".htm", ".json")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("compare", help="two to four models (or one model on several hosts) side by side on one "
                                       "source: speed and agreement with the first, HTML/JSON report")
    p.add_argument("--registry", metavar="PATH|URL",
                   help="registry YAML: a file or http(s)/file URL of at most 64 MiB (default: the bundled demo one)")
    p.add_argument("names", nargs="+", metavar="NAME", help="2 to 4 models; or one model with several --host")
    p.add_argument("--source", help="video/image/folder path, camera:N or a stream URL (default: bundled Traffic.mp4)")
    p.add_argument("--host", action="append", default=[],
                   help="inference host: one for all, one per model (in order), or several for one model")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--sync", dest="mode", action="store_const", const="sync",
                      help="every model gets the same frame; the slowest sets the pace (default)")
    mode.add_argument("--free", dest="mode", action="store_const", const="free",
                      help="each model takes frames as fast as it can: shows the speed difference")
    p.set_defaults(mode="sync")
    p.add_argument("--frames", type=int, help="stop after N source frames (default: the whole source)")
    p.add_argument("--reference", type=int, default=1, metavar="N",
                   help="the contender the others are compared with, counted from 1 (default 1)")
    p.add_argument("--devices", default="auto", help="device indexes: auto (default), all, or e.g. 0")
    p.add_argument("--token", help="cloud token (default: $DEGIRUM_CLOUD_TOKEN)")
    p.add_argument("--watchdog", type=float, default=10.0, help="seconds without a result before a host is failed")
    p.add_argument("--report", action="append", default=[], metavar="FILE",
                   help="write the report: .html or .json (repeatable)")


def pairs(names: list[str], hosts: list[str]) -> list[tuple[str, str | None]]:
    """(model, host) per contender from the names and the --host options, or ValueError saying why not."""
    if not hosts:
        return [(name, None) for name in names]
    if len(names) == 1 and len(hosts) > 1:
        return [(names[0], host) for host in hosts]
    if len(hosts) == 1:
        return [(name, hosts[0]) for name in names]
    if len(hosts) == len(names):
        return list(zip(names, hosts))
    raise ValueError(f"{len(names)} models and {len(hosts)} --host: give one host for all, one per model, "
                     "or one model with several hosts")


def cmd_compare(args: argparse.Namespace) -> int:
    from model_picker.cli.errors import EXIT_FAILED, CliError
    from model_picker.cli.registry_args import find_model, load_catalogue
    from model_picker.errors import InferenceError, OutputError
    from model_picker.inference.media.sources import SourceError, parse_source
    from model_picker.session.compare.runner import Comparison
    from model_picker.session.plan import RunPlan, default_token
    from model_picker.zoo.bundled import default_video

    for report in args.report:
        if Path(report).suffix.lower() not in REPORT_SUFFIXES:
            raise CliError(f"--report {report}: a comparison report is .html or .json")
    try:
        contenders = pairs(args.names, args.host)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if not 2 <= len(contenders) <= 4:
        raise CliError(f"compare needs 2 to 4 models or hosts, not {len(contenders)}")
    catalogue = load_catalogue(args.registry)
    token = args.token or default_token()
    plans = [RunPlan(catalogue, find_model(catalogue, name), host=host, token=token, devices=args.devices)
             for name, host in contenders]
    try:
        source = parse_source(args.source or str(default_video()))
        comparison = Comparison(plans, source, args.mode, reference=args.reference - 1, max_frames=args.frames,
                                on_status=lambda text: print(f"model-picker: {text}", file=sys.stderr),
                                watchdog_s=args.watchdog)
    except (SourceError, InferenceError) as exc:
        raise CliError(str(exc)) from None
    reason = _run(comparison)
    from model_picker.session.compare.report import text_table, write_report

    print(text_table(comparison))
    unwritten = 0
    for report in args.report:  # each whole or not at all: a full disk costs that file, not the others
        try:
            print(f"Report: {write_report(comparison, Path(report), reason)}", file=sys.stderr)
        except OutputError as exc:
            print(f"model-picker: {exc}", file=sys.stderr)
            unwritten += 1
    failed = [row for row in comparison.table() if row.failed]
    if failed:
        raise CliError(f"{len(failed)} of {len(plans)} contenders failed", EXIT_FAILED)
    return EXIT_FAILED if unwritten else 0


def _run(comparison: Any) -> str:
    """Run to the end, saying on stderr who is ready and who failed; the reason it ended."""
    from model_picker.cli.errors import CliError
    from model_picker.inference.media.sources import SourceError
    from model_picker.session.compare.events import PaneFailed, PaneReady, SourceEnded

    where = comparison.source.describe()
    print(f"Comparing {len(comparison.contenders)} on {where} ({comparison.mode})…", file=sys.stderr)
    reason = ""
    try:
        for event in comparison.events():
            if isinstance(event, PaneReady):
                print(f"  {event.pane + 1}. {event.name} ready on {event.host}: {event.device}", file=sys.stderr)
            elif isinstance(event, PaneFailed):
                print(f"model-picker: pane {event.pane + 1}: {event.message}", file=sys.stderr)
            elif isinstance(event, SourceEnded):
                reason = event.reason
    except SourceError as exc:
        raise CliError(str(exc)) from None
    return reason
