"""``model-picker run``: one model over one source, with progress and a summary."""

from __future__ import annotations

import argparse
import os
import sys
import time

from ..inference.compound import load_runnable, pair_for_model
from ..inference.errors import InferenceError
from ..inference.export import ResultsWriter, VideoWriter
from ..inference.loading import describe_devices
from ..inference.pipeline import Pipeline
from ..inference.sources import FrameFeeder, SourceError, parse_source
from ..redact import redact
from ..zoo.bundled import default_video
from ..zoo.fetch import ensure_local
from ..zoo.hosts import spec_for_host
from .commands import default_token, find_model, load_catalogue
from .counting_opts import counter_from_args, open_events
from .main import EXIT_FAILED, CliError


class Progress:
    """One refreshed line on a terminal, a line every few seconds in a log."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.enabled, self.total = enabled, total
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def update(self, text: str, frames: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < (0.25 if self.tty else 2.0):
            return
        self.last = now
        total = f"/{self.total}" if self.total else ""
        line = f"frame {frames}{total}  {text}"
        print(f"\r{line:<100}" if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.enabled and self.tty:
            print(file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.registry)
    index = find_model(catalogue, args.name)
    overrides = {"token": args.token or default_token()}
    if args.threshold is not None:
        overrides["model_properties"] = {"output_confidence_threshold": args.threshold}
    try:
        spec = spec_for_host(catalogue.spec(index, **overrides), args.host)
    except ValueError as exc:
        raise CliError(f"{args.name}: cannot build its ModelSpec: {exc}") from None
    progress = Progress(not args.quiet, None)

    def say(text: str) -> None:
        """A stall, a reconnect, a skipped image, a file that ended early: on its own line, at once."""
        progress.done()
        print(f"model-picker: warning: {redact(text)}", file=sys.stderr, flush=True)

    try:
        source = parse_source(args.source or str(default_video()), realtime=args.realtime)
        feeder = FrameFeeder(source, max_frames=args.frames, on_status=say)
    except SourceError as exc:
        raise CliError(redact(str(exc))) from None
    try:
        counter = counter_from_args(args, catalogue.entries[index].task, feeder.reader)
    except CliError:
        feeder.reader.close()
        raise
    try:
        spec = ensure_local(spec)
        model = load_runnable(spec, devices=args.devices)
    except InferenceError as exc:
        feeder.reader.close()
        raise CliError(f"{args.name}: {exc}", EXIT_FAILED) from None
    video = VideoWriter(args.out, feeder.fps if source.kind == "video" else 10.0) if args.out else None
    results = ResultsWriter(args.results) if args.results else None
    events = open_events(args)
    progress.total = args.frames or feeder.reader.frame_count or None

    def on_stall(error: InferenceError) -> None:
        """From the watchdog thread: PySDK may never hand control back, so end here."""
        progress.done()
        print_summary(pipeline, spec.model_name, describe_devices(model), None, None)
        print(f"model-picker: {args.name}: {error}", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(EXIT_FAILED)  # releasing a model with a stuck frame can abort inside PySDK

    pipeline = Pipeline(model, feeder, watchdog_s=args.watchdog, host=spec.inference_host_address,
                        on_stall=on_stall)
    print(f"Running {spec.model_name} on {describe_devices(model)} ({spec.inference_host_address}) "
          f"over {source.describe()}", file=sys.stderr)
    error: Exception | None = None
    found = 0
    model.__enter__()
    try:
        for item in pipeline.run():
            found += len(item.result.results)
            if counter:
                counter.analyze(item.result)
                if events:
                    events.write(counter.events)
            if video:
                video.write(item.result.image_overlay)
            if results:
                results.write(item.frame.frame_id, item.frame.position_s, item.result)
            progress.update(pipeline.stats.snapshot().line(), pipeline.stats.frames)
    except (InferenceError, SourceError) as exc:
        error = exc
    except KeyboardInterrupt:
        error = KeyboardInterrupt()
    finally:
        progress.done()
        for writer in (video, results):
            if writer:
                writer.close()
        if events:
            events.close(counter.counts if counter else None)
    print_summary(pipeline, spec.model_name, describe_devices(model), video, results)
    print(f"Found      {found} detection{'s' if found != 1 else ''}" + (
        f" in {pipeline.stats.frames} frames" if pipeline.stats.frames != 1 else ""))
    if counter:
        print("\n".join(counter.counts.summary() + ([f"Events     {events.path} ({events.rows} events)"]
                                                    if events else [])))
    if found == 0 and source.still and (pair := pair_for_model(catalogue.entries, spec.model_name)):
        print(f"model-picker: {spec.model_name} expects one person, cropped and centred; on a whole photo run "
              f"{pair} (COCO SSD finds each person first)", file=sys.stderr)
    if isinstance(error, InferenceError):
        # A model whose run failed mid-way can abort the process inside PySDK when
        # released: leave it to the OS.
        print(f"model-picker: {args.name}: {error}", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(EXIT_FAILED)
    model.__exit__(None, None, None)
    if isinstance(error, KeyboardInterrupt):
        raise error
    if error is not None:
        raise CliError(f"{args.name}: {error}", EXIT_FAILED)
    if pipeline.stats.frames == 0:
        raise CliError(f"{args.name}: no frame was processed", EXIT_FAILED)
    return 0


def print_summary(pipeline: Pipeline, name: str, devices: str, video: VideoWriter | None,
                  results: ResultsWriter | None) -> None:
    s = pipeline.stats.snapshot(final=True)
    lines = [
        f"Model      {name} on {devices}",
        f"Frames     {s.frames} in {s.elapsed_s:.1f} s" + (f" ({s.dropped} dropped by the live source)"
                                                           if s.dropped else ""),
        f"Throughput {s.average_fps:.1f} FPS",
        f"Latency    p50 {s.latency_p50_ms:.1f} ms  p95 {s.latency_p95_ms:.1f} ms  p99 {s.latency_p99_ms:.1f} ms",
    ]
    if s.breakdown_ms:
        parts = "  ".join(f"{k.replace('Duration', '')} {v:.1f}" for k, v in s.breakdown_ms.items())
        lines.append(f"PySDK ms   {parts}")
    if video:
        lines.append(f"Video      {video.path} ({video.frames} frames)")
    if results:
        lines.append(f"Results    {results.path} ({results.rows} detections)")
    print("\n".join(lines))
