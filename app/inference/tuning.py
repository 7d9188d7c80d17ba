"""Tuning sweep and stream capacity: what PySDK settings give the most, and how many cameras a host takes.

The sweep changes one setting at a time, keeping the best value found so far
for the others (a coordinate search: a handful of runs instead of every
combination), and reports every setting tried with the best one marked:
``devices`` (one device or all of them: on CPU runtimes two indexes fight over
the same cores), frames in flight, ``eager_batch_size`` and
``frame_queue_depth``.

Stream capacity runs N concurrent streams (1, 2, 4, …), each its own model
object on its own thread fed by a video paced at its real frame rate, until
the slowest stream's FPS falls below the target or latency p95 (from capture)
passes the bound. Every stream loads before any starts (a barrier), so the
streams really run together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .loading import load_model
from .pipeline import FILE_IN_FLIGHT, Pipeline
from .sources import FrameFeeder, SourceSpec
from .stats import percentile, throughput

SWEEP_AXES: dict[str, tuple[Any, ...]] = {
    "devices": ("auto", "all"),
    "in_flight": (1, 2, 4, 8),
    "eager_batch_size": (1, 4, 8),
    "frame_queue_depth": (8, 16),
}
BASELINE = {"devices": "auto", "in_flight": FILE_IN_FLIGHT, "eager_batch_size": 8, "frame_queue_depth": 8}


@dataclass
class Trial:
    setting: dict[str, Any]
    fps: float = 0.0
    p95_ms: float = 0.0
    error: str = ""
    best: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**self.setting, "fps": self.fps, "p95_ms": self.p95_ms, "error": self.error, "best": self.best}


Measure = Callable[[dict[str, Any]], tuple[float, float]]  # setting -> (fps, time-in-flight p95 ms)


def sweep(measure: Measure, axes: dict[str, tuple[Any, ...]] | None = None,
          baseline: dict[str, Any] | None = None) -> list[Trial]:
    """Every setting tried, in order, the best (highest FPS) marked; a setting that fails is kept with its error."""
    axes = SWEEP_AXES if axes is None else axes
    best_setting = dict(BASELINE if baseline is None else baseline)
    trials: dict[tuple, Trial] = {}
    for axis, values in axes.items():
        scored: list[Trial] = []
        for value in values:
            setting = {**best_setting, axis: value}
            key = tuple(sorted(setting.items(), key=lambda kv: kv[0]))
            if key not in trials:
                trial = Trial(setting)
                try:
                    trial.fps, trial.p95_ms = measure(setting)
                except Exception as exc:  # e.g. a property this runtime refuses: a row, not the end of the sweep
                    trial.error = str(exc)
                trials[key] = trial
            scored.append(trials[key])
        winner = max((t for t in scored if not t.error), key=lambda t: t.fps, default=None)
        if winner is not None:
            best_setting = dict(winner.setting)
    done = list(trials.values())
    best = max((t for t in done if not t.error), key=lambda t: t.fps, default=None)
    if best is not None:
        best.best = True
    return done


def best_setting(trials: list[Trial]) -> dict[str, Any] | None:
    return next((dict(t.setting) for t in trials if t.best), None)


def validation_measure(spec: Any, source: SourceSpec, images: list[Any], frames: int, warmup: int,
                       watchdog_s: float = 10.0) -> Measure:
    """A sweep's measurement: a throughput-mode validation run with the setting applied."""
    from .validation import validate

    def measure(setting: dict[str, Any]) -> tuple[float, float]:
        props = {k: setting[k] for k in ("eager_batch_size", "frame_queue_depth") if k in setting}
        r = validate(spec, source, frames, warmup, str(setting.get("devices", "auto")), images=images,
                     latency_frames=0, in_flight=int(setting.get("in_flight", FILE_IN_FLIGHT)),
                     watchdog_s=watchdog_s, properties=props)
        return r.fps, r.latency_p95_ms

    return measure


def capacity(specs: list[Any], video: SourceSpec, target_fps: float = 15.0, p95_bound_ms: float | None = None,
             counts: tuple[int, ...] = (1, 2, 4, 8, 16), seconds: float = 10.0, devices: str = "auto",
             watchdog_s: float = 10.0) -> dict[str, Any]:
    """The largest N whose every stream keeps ``target_fps`` (and p95 within the bound), and the curve measured."""
    curve: list[dict[str, Any]] = []
    fit = 0
    for n in counts:
        streams = run_streams([specs[i % len(specs)] for i in range(n)], video, seconds, devices, watchdog_s)
        fps = [s[0] for s in streams]
        p95 = max(s[1] for s in streams)
        point = {"streams": n, "per_stream_fps": sum(fps) / n, "min_stream_fps": min(fps), "p95_ms": p95,
                 "total_fps": sum(fps)}
        curve.append(point)
        if min(fps) < target_fps or (p95_bound_ms is not None and p95 > p95_bound_ms):
            break
        fit = n
    return {"target_fps": target_fps, "p95_bound_ms": p95_bound_ms, "capacity": fit, "curve": curve,
            "source": video.describe(), "models": sorted({s.model_name for s in specs}), "seconds": seconds}


def run_streams(specs: list[Any], video: SourceSpec, seconds: float, devices: str = "auto",
                watchdog_s: float = 10.0) -> list[tuple[float, float]]:
    """(FPS, latency p95 from capture) of each stream run together for ``seconds`` after a warm-up of up to
    a second; raises the first failure."""
    warmup_s = min(1.0, seconds / 2)
    paced = SourceSpec(video.kind, video.location, realtime=True, loop=True)
    ready = threading.Barrier(len(specs) + 1, timeout=300)
    out: list[tuple[float, float] | BaseException | None] = [None] * len(specs)

    def one(i: int, spec: Any) -> None:
        model = None
        try:
            model = load_model(spec, devices=devices)
            model.__enter__()
        except BaseException as exc:
            out[i] = exc
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        if model is None:
            return
        pipeline = Pipeline(model, FrameFeeder(paced), watchdog_s=watchdog_s, host=spec.inference_host_address)
        try:
            start = None
            for item in pipeline.run():
                start = start or item.done_time
                if item.done_time - start >= warmup_s + seconds:
                    pipeline.stop()
            stats = pipeline.stats
            # The first results carry the model's lazy load and the other streams' start: timed after warmup_s.
            skip = next((k for k, t in enumerate(stats.done_times) if t - stats.done_times[0] >= warmup_s), 0)
            out[i] = (throughput(stats.done_times, skip), percentile(stats.latencies_ms[skip:], 95))
        except BaseException as exc:
            out[i] = exc
        finally:
            if not pipeline.stalled:
                model.__exit__(None, None, None)

    threads = [threading.Thread(target=one, args=(i, s), daemon=True, name=f"stream-{i}")
               for i, s in enumerate(specs)]
    for thread in threads:
        thread.start()
    ready.wait()
    for thread in threads:
        thread.join()
    for item in out:
        if isinstance(item, BaseException):
            raise item
    return [item for item in out if isinstance(item, tuple)]
