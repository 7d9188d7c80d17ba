"""Counting cost: COCO SSD on the same Traffic.mp4 frames with and without tracking + one line + one zone.

Two figures, side by side in one process: the per-frame time of the whole loop
(predict_batch, then the counter on each result) with and without counting,
and the counter's own time per frame (ByteTrack, LineCounter, ZoneCounter),
timed around ``Counter.analyze``. The goal (< 2 ms added per frame) is judged
on the counter's own time: on a shared machine the loop's per-frame time
wanders between runs by more than the goal, so its difference is shown but
not trusted alone.
"""

from __future__ import annotations

import statistics
import time

from .common import frames, goal, spec

MODEL = "ssd_mobilenet_v2_coco_quant"
GOAL_MS = 2.0


def _loop(model, images: list, counter=None) -> tuple[float, list[float]]:
    """Per-frame ms of the whole loop, and the counter's ms for each frame."""
    costs = []
    start = time.perf_counter()
    for result in model.predict_batch(images):
        if counter is not None:
            t = time.perf_counter()
            counter.analyze(result)
            costs.append((time.perf_counter() - t) * 1000)
    return (time.perf_counter() - start) * 1000 / len(images), costs


def run(count: int = 150, rounds: int = 1) -> str:
    from model_picker.inference.counting.analyzers import Counter, CountingSetup, Line, Zone
    from model_picker.inference.engine.loading import load_model

    images = frames(count)
    setup = CountingSetup((Line("line", (0.0, 0.6), (1.0, 0.6)),),
                          (Zone("zone", ((0.3, 0.3), (0.7, 0.3), (0.7, 0.9), (0.3, 0.9))),), True)
    plain, counted, costs = [], [], []
    with load_model(spec(MODEL)) as model:
        _loop(model, images[:20])  # warm-up
        for _ in range(rounds):
            plain.append(_loop(model, images)[0])
            counter = Counter(setup)
            per_frame, cost = _loop(model, images, counter)
            counted.append(per_frame)
            costs.extend(cost)
    without, with_ = statistics.median(plain), statistics.median(counted)
    own = statistics.mean(costs)
    p95 = sorted(costs)[int(0.95 * (len(costs) - 1))]
    lines = [
        f"{MODEL} on Traffic.mp4, {len(images)} frames, {rounds} round(s) (a shared machine: one quick measurement)",
        f"  per frame without counting   {without:7.2f} ms",
        f"  per frame with track+line+zone {with_:5.2f} ms  (difference {with_ - without:+.2f} ms)",
        f"  counter's own time per frame {own:7.2f} ms mean, {p95:.2f} ms p95, "
        f"{counter.counts.lines['line']} in/out, {counter.counts.entries['zone']} zone entries",
        goal(own < GOAL_MS, f"counting adds < {GOAL_MS:g} ms per frame", f"{own:.2f} ms"),
    ]
    return "\n".join(lines)
