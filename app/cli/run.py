"""``model-picker run``: one model over one source, with progress and a summary."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from model_picker.atomic import OutputError
from model_picker.cli.counting_opts import counter_from_args, open_events
from model_picker.cli.errors import EXIT_FAILED, CliError, exit_now
from model_picker.cli.registry_args import find_model, load_catalogue
from model_picker.inference.counting.draw import draw_counting
from model_picker.inference.counting.live import LiveCounting
from model_picker.inference.engine.compound import pair_for_model
from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.media.export import ResultsWriter, VideoWriter
from model_picker.inference.media.sources import SourceError, parse_source
from model_picker.redact import redact
from model_picker.session.live.run import Run, RunRequest
from model_picker.session.plan import RunPlan, default_token, prepare
from model_picker.zoo.bundled import default_video


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
    properties = {"output_confidence_threshold": args.threshold} if args.threshold is not None else {}
    plan = RunPlan(catalogue, index, host=args.host, token=args.token or default_token(), devices=args.devices,
                   properties=properties)
    try:
        plan.spec()  # a bad entry fails before the source is opened
    except InferenceError as exc:
        raise CliError(str(exc)) from None
    progress = Progress(not args.quiet, None)

    def say(text: str) -> None:
        """A stall, a reconnect, a skipped image, a file that ended early: on its own line, at once."""
        progress.done()
        print(f"model-picker: warning: {redact(text)}", file=sys.stderr, flush=True)

    try:
        source = parse_source(args.source or str(default_video()), realtime=args.realtime)
    except SourceError as exc:
        raise CliError(redact(str(exc))) from None
    run = Run(RunRequest(None, source, devices=args.devices, watchdog_s=args.watchdog, max_frames=args.frames),
              renderer=lambda item: draw_counting(item.result.image_overlay, run.counting, item.result),
              on_status=say, on_stall=lambda error: stalled(error))
    try:
        reader = run.open()
    except SourceError as exc:
        raise CliError(redact(str(exc))) from None
    try:
        counter = counter_from_args(args, catalogue.entries[index].task, reader)
        if counter:  # the run tracks and counts each result before drawing it (--out shows the counts)
            run.counting = LiveCounting(counter.setup)
        run.request.spec = prepare(plan)
        run.load()
    except CliError:
        run.close()
        raise
    except InferenceError as exc:
        run.close()
        raise CliError(f"{args.name}: {exc}", EXIT_FAILED) from None
    spec = run.request.spec
    if args.out:
        run.set_recording(Path(args.out))  # drawn by PySDK, with the counting lines, zones and counts
    if args.results:
        run.set_exporting(Path(args.results))
    events = open_events(args)
    progress.total = args.frames or reader.frame_count or None

    def stalled(error: InferenceError) -> None:
        """From the watchdog thread: PySDK may never hand control back, so end here."""
        progress.done()
        print_summary(run, spec.model_name)
        print(f"model-picker: {args.name}: {error}", file=sys.stderr, flush=True)
        exit_now(EXIT_FAILED)  # releasing a model with a stuck frame can abort inside PySDK

    print(f"Running {spec.model_name} on {run.device_text} ({spec.inference_host_address}) "
          f"over {source.describe()}", file=sys.stderr)
    error: Exception | None = None
    found = 0
    try:
        for item in run.results():
            found += len(item.result.results)
            if events and run.counting.counter:
                events.write(run.counting.counter.events)
            progress.update(run.pipeline.stats.snapshot().line(), run.pipeline.stats.frames)
    except (InferenceError, SourceError, OutputError) as exc:
        error = exc
    except KeyboardInterrupt:
        error = KeyboardInterrupt()
    finally:
        progress.done()
        finishing = [run.close_outputs]
        if events:
            finishing.append(lambda: events.close((run.counting.counter or counter).counts if counter else None))
        for finish in finishing:  # every file is closed; one that could not be written whole fails the run
            try:
                finish()
            except OutputError as exc:
                error = error or exc
    frames = run.pipeline.stats.frames if run.pipeline else 0
    print_summary(run, spec.model_name)
    print(f"Found      {found} detection{'s' if found != 1 else ''}" + (f" in {frames} frames" if frames != 1 else ""))
    if counter:
        counter = run.counting.counter or counter  # the one that counted (the run's)
        print("\n".join(counter.counts.summary() + ([f"Events     {events.path} ({events.rows} events)"]
                                                    if events else [])))
    if found == 0 and source.still and (pair := pair_for_model(catalogue.entries, spec.model_name)):
        print(f"model-picker: {spec.model_name} expects one person, cropped and centred; on a whole photo run "
              f"{pair} (COCO SSD finds each person first)", file=sys.stderr)
    if isinstance(error, InferenceError):
        # A model whose run failed mid-way can abort the process inside PySDK when
        # released: leave it to the OS.
        run.abandon()
        print(f"model-picker: {args.name}: {error}", file=sys.stderr, flush=True)
        exit_now(EXIT_FAILED)
    run.close()  # releases the model
    if isinstance(error, KeyboardInterrupt):
        raise error
    if error is not None:
        raise CliError(f"{args.name}: {error}", EXIT_FAILED)
    if frames == 0:
        raise CliError(f"{args.name}: no frame was processed", EXIT_FAILED)
    return 0


def print_summary(run: Run, name: str) -> None:
    s = run.final_stats()
    lines = [f"Model      {name} on {run.device_text}"]
    if s is not None:
        lines += [
            f"Frames     {s.frames} in {s.elapsed_s:.1f} s" + (f" ({s.dropped} dropped by the live source)"
                                                               if s.dropped else ""),
            f"Throughput {s.average_fps:.1f} FPS",
            f"Latency    p50 {s.latency_p50_ms:.1f} ms  p95 {s.latency_p95_ms:.1f} ms  p99 {s.latency_p99_ms:.1f} ms",
        ]
        if s.breakdown_ms:
            parts = "  ".join(f"{k.replace('Duration', '')} {v:.1f}" for k, v in s.breakdown_ms.items())
            lines.append(f"PySDK ms   {parts}")
    for writer in run.written:
        if isinstance(writer, VideoWriter):
            lines.append(f"Video      {writer.path} ({writer.frames} frames)")
        elif isinstance(writer, ResultsWriter):
            lines.append(f"Results    {writer.path} ({writer.rows} detections)")
    print("\n".join(lines))
