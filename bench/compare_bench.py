"""Compare's cost: two models in free run on one source, each next to its FPS alone.

On a machine of C cores shared by N models, each can at best keep alone × C/N
when one model alone fills the cores; the issue's goal asks each model in free
run for at least 0.9 × alone ÷ N (N = 2 here). Both figures come from this run,
the same frames of Traffic.mp4 through the same ``Pipeline`` (alone: one
``FrameFeeder``; together: ``session.compare.Comparison`` in free mode, each
contender reading the file on its own), so what is measured is the sharing.
"""

from __future__ import annotations

from .common import REGISTRY, TRAFFIC, goal

MODELS = ("ssd_mobilenet_v2_coco_quant", "ssd_mobilenetv2_oidv4")
RATIO_GOAL = 0.9


def _plans(names: tuple[str, ...]) -> list:
    from model_picker.registry import open_catalogue
    from model_picker.session.plan import RunPlan

    catalogue = open_catalogue(REGISTRY)
    return [RunPlan(catalogue, catalogue.index_of(name)) for name in names]


def alone(name: str, count: int) -> float:
    """FPS of one model over ``count`` frames of the file, read as fast as it takes them."""
    from model_picker.inference.compound import load_runnable
    from model_picker.inference.pipeline import Pipeline
    from model_picker.inference.sources import FrameFeeder, parse_source
    from model_picker.inference.stats import throughput
    from model_picker.session.plan import prepare

    model = load_runnable(prepare(_plans((name,))[0]))
    with model:
        pipeline = Pipeline(model, FrameFeeder(parse_source(str(TRAFFIC)), max_frames=count))
        for _ in pipeline.run():
            pass
    return throughput(pipeline.stats.done_times, skip=1)


def together(names: tuple[str, ...], count: int) -> dict[str, float]:
    """Each model's FPS while all run in free mode on the file."""
    from model_picker.inference.sources import parse_source
    from model_picker.session.compare import Comparison

    comparison = Comparison(_plans(names), parse_source(str(TRAFFIC)), "free", max_frames=count)
    for _ in comparison.events():
        pass
    return {row.name: row.fps for row in comparison.table()}


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
    return "\n".join(lines)
