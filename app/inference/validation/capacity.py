"""Stream capacity: how many cameras a host takes, with one model or a mix of models.

N concurrent streams (1, 2, 4, …) run together, stream i on model i mod M and
video i mod V, each stream its own model object on its own thread fed by its
video paced at the video's real frame rate, until the slowest stream's FPS
falls below the target or latency p95 (from capture) passes the bound. Every
stream loads before any starts (a barrier), so the streams really run together.
Each step of the curve also says how every model of the mix fared, because in
a mix the heavy model is the one that runs out first.
"""

from __future__ import annotations

import threading
from typing import Any

from model_picker.inference.engine.loading import load_model
from model_picker.inference.engine.pipeline import Pipeline
from model_picker.inference.engine.stats import percentile, throughput
from model_picker.inference.media.sources import FrameFeeder, SourceSpec

COUNTS = (1, 2, 4, 8, 16, 32, 64)


def counts_up_to(most: int) -> tuple[int, ...]:
    """The stream counts tried for ``--capacity MAX``: powers of two up to MAX."""
    return tuple(n for n in COUNTS if n <= most)


def capacity(specs: list[Any], video: SourceSpec | list[SourceSpec], target_fps: float = 15.0,
             p95_bound_ms: float | None = None, counts: tuple[int, ...] = (1, 2, 4, 8, 16), seconds: float = 10.0,
             devices: str = "auto", watchdog_s: float = 10.0) -> dict[str, Any]:
    """The largest N whose every stream keeps ``target_fps`` (and p95 within the bound), and the curve measured.

    ``specs``: the models the streams cycle over (one: the same model on every stream).
    """
    videos = video if isinstance(video, list) else [video]
    curve: list[dict[str, Any]] = []
    fit = 0
    for n in counts:
        plan = [(specs[i % len(specs)], videos[i % len(videos)]) for i in range(n)]
        streams = run_streams(plan, seconds, devices, watchdog_s)
        point = _point(n, [spec.model_name for spec, _ in plan], streams)
        curve.append(point)
        if point["min_stream_fps"] < target_fps or (p95_bound_ms is not None and point["p95_ms"] > p95_bound_ms):
            break
        fit = n
    return {"target_fps": target_fps, "p95_bound_ms": p95_bound_ms, "capacity": fit, "curve": curve,
            "source": ", ".join(dict.fromkeys(v.describe() for v in videos)),
            "models": list(dict.fromkeys(s.model_name for s in specs)), "seconds": seconds}


def _point(n: int, names: list[str], streams: list[tuple[float, float]]) -> dict[str, Any]:
    """One step of the curve: all streams together, and each model's streams on their own."""
    fps = [s[0] for s in streams]
    per_model: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(names):
        mine = [s for s, owner in zip(streams, names) if owner == name]
        per_model[name] = {"streams": len(mine), "per_stream_fps": sum(s[0] for s in mine) / len(mine),
                           "min_stream_fps": min(s[0] for s in mine), "p95_ms": max(s[1] for s in mine)}
    return {"streams": n, "per_stream_fps": sum(fps) / n, "min_stream_fps": min(fps),
            "p95_ms": max(s[1] for s in streams), "total_fps": sum(fps), "per_model": per_model}


def run_streams(plan: list[tuple[Any, SourceSpec]], seconds: float, devices: str = "auto",
                watchdog_s: float = 10.0) -> list[tuple[float, float]]:
    """(FPS, latency p95 from capture) of each (model spec, video) stream, run together for ``seconds`` after a
    warm-up of up to a second; raises the first failure."""
    warmup_s = min(1.0, seconds / 2)
    ready = threading.Barrier(len(plan) + 1, timeout=300)
    out: list[tuple[float, float] | BaseException | None] = [None] * len(plan)

    def one(i: int, spec: Any, video: SourceSpec) -> None:
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
        if model is not None:
            out[i] = _stream(model, spec, SourceSpec(video.kind, video.location, realtime=True, loop=True),
                             seconds, warmup_s, watchdog_s)

    threads = [threading.Thread(target=one, args=(i, spec, video), daemon=True, name=f"stream-{i}")
               for i, (spec, video) in enumerate(plan)]
    for thread in threads:
        thread.start()
    ready.wait()
    for thread in threads:
        thread.join()
    for item in out:
        if isinstance(item, BaseException):
            raise item
    return [item for item in out if isinstance(item, tuple)]


def _stream(model: Any, spec: Any, paced: SourceSpec, seconds: float, warmup_s: float,
            watchdog_s: float) -> tuple[float, float] | BaseException:
    """One paced stream until ``warmup_s + seconds`` of results; a failure is returned, not raised (a thread)."""
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
        return throughput(stats.done_times, skip), percentile(stats.latencies_ms[skip:], 95)
    except BaseException as exc:
        return exc
    finally:
        if not pipeline.stalled:
            model.__exit__(None, None, None)
