"""Compare's cost: two models in free run on one source, each next to its FPS alone.

On a machine of C cores shared by N models, each can at best keep alone × C/N
when one model alone fills the cores; the goal asks each model in free
run for at least 0.9 × alone ÷ N (N = 2 here). Both figures come from this run,
the same frames of Traffic.mp4 through the same ``Pipeline`` (alone: one
``FrameFeeder``; together: ``session.compare.Comparison`` in free mode, each
contender reading the file on its own), so what is measured is the sharing.

UI stalls while comparing: the real ``CompareWindow`` runs two fast models in
free run (BlazeFace OpenVINO and ONNX: the most frames per second to paint, the
worst case for the UI thread) while the window bench's 5 ms heartbeat measures
how late the UI thread answers.
"""

from __future__ import annotations

from .common import REGISTRY, TRAFFIC, goal

MODELS = ("ssd_mobilenet_v2_coco_quant", "ssd_mobilenetv2_oidv4")
RATIO_GOAL = 0.9
STALL_MODELS = ("blazeface_short_range_openvino", "blazeface_short_range_onnx")
STALL_P99_GOAL_MS = 16.0


def _plans(names: tuple[str, ...]) -> list:
    from model_picker.registry import open_catalogue
    from model_picker.session.plan import RunPlan

    catalogue = open_catalogue(REGISTRY)
    return [RunPlan(catalogue, catalogue.index_of(name)) for name in names]


def alone(name: str, count: int) -> float:
    """FPS of one model over ``count`` frames of the file, read as fast as it takes them."""
    from model_picker.inference.engine.compound import load_runnable
    from model_picker.inference.engine.pipeline import Pipeline
    from model_picker.inference.engine.stats import throughput
    from model_picker.inference.media.sources import FrameFeeder, parse_source
    from model_picker.session.plan import prepare

    model = load_runnable(prepare(_plans((name,))[0]))
    with model:
        pipeline = Pipeline(model, FrameFeeder(parse_source(str(TRAFFIC)), max_frames=count))
        for _ in pipeline.run():
            pass
    return throughput(pipeline.stats.done_times, skip=1)


def together(names: tuple[str, ...], count: int) -> dict[str, float]:
    """Each model's FPS while all run in free mode on the file."""
    from model_picker.inference.media.sources import parse_source
    from model_picker.session.compare.runner import Comparison

    comparison = Comparison(_plans(names), parse_source(str(TRAFFIC)), "free", max_frames=count)
    for _ in comparison.events():
        pass
    return {row.name: row.fps for row in comparison.table()}


def ui_stalls(names: tuple[str, ...] = STALL_MODELS, seconds: float = 10.0) -> tuple[float, float, list[int]]:
    """(p99, max lateness ms of the UI heartbeat, frames painted per pane) while the compare window runs.

    Measured from the first painted frame of every pane until ``seconds`` pass or the source ends
    (Traffic.mp4 has 335 frames: fast models finish it in a few seconds).
    """
    import numpy as np
    from PySide6.QtWidgets import QAbstractButton

    from model_picker.inference.media.sources import SourceSpec
    from model_picker.ui.compare.window import CompareWindow

    from .common import qt_app, wait_until
    from .window_bench import heartbeat

    app = qt_app()
    window = CompareWindow(_plans(names), SourceSpec("video", str(TRAFFIC)))
    window.show()
    window.findChild(QAbstractButton, "compare-mode-free").click()
    window.start_button.click()
    wait_until(app, lambda: all(p.painted_frames > 0 for p in window.panes) or window.worker is None, 60)
    start = [p.painted_frames for p in window.panes]
    late = heartbeat(app, seconds, done=lambda: window.worker is None)
    painted = [p.painted_frames - s for p, s in zip(window.panes, start)]
    worker = window.last_worker
    window.close()
    if worker is not None:
        wait_until(app, lambda: not worker.isRunning(), 30)
    return float(np.percentile(late, 99)), float(max(late)), painted


def stall_lines() -> list[str]:
    p99, worst, painted = ui_stalls()
    return [f"UI stall while comparing {' and '.join(STALL_MODELS)} in free run "
            f"(lateness of a 5 ms timer): p99 {p99:.1f} ms, max {worst:.1f} ms "
            f"({' + '.join(map(str, painted))} frames painted meanwhile)",
            goal(p99 < STALL_P99_GOAL_MS, f"UI stall p99 < {STALL_P99_GOAL_MS:.0f} ms while comparing",
                 f"by {p99 - STALL_P99_GOAL_MS:.1f} ms")]


def run(count: int = 150) -> str:
    single = {name: alone(name, count) for name in MODELS}
    shared = together(MODELS, count)
    n = len(MODELS)
    lines = [f"{' and '.join(MODELS)} on Traffic.mp4, {count} frames each "
             "(a shared machine: other jobs take cores too, one quick measurement)"]
    verdicts = []
    for name in MODELS:
        floor = RATIO_GOAL * single[name] / n
        ratio = shared[name] / single[name] if single[name] else 0.0
        lines.append(f"  {name:32s} alone {single[name]:6.1f} FPS   in compare {shared[name]:6.1f} FPS "
                     f"({ratio:.2f} x alone; goal >= {floor:.1f} FPS)")
        verdicts.append((shared[name] >= floor, f"{name}: {shared[name]:.1f} < {floor:.1f} FPS"))
    missed = [text for met, text in verdicts if not met]
    lines.append(goal(not missed, f"each model in free run >= {RATIO_GOAL} x alone / {n}", "; ".join(missed)))
    lines += ["", *stall_lines()]
    return "\n".join(lines)
