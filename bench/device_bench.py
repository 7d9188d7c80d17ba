"""PySDK end to end vs the device's own limit (OpenVINO's benchmark_app) on the bundled OpenVINO models.

For each model: the tuning sweep's best setting through PySDK (frames decoded
up front, so no video decoder in the figure), then benchmark_app -hint
throughput / -hint latency on the same model file. Goal: the best
setting reaches ≥ 0.8 of benchmark_app's throughput; when it does not, the
PySDK breakdown of the best run says where the time goes.
"""

from __future__ import annotations

from .common import ROOT, frames, goal, spec

MODELS = ["blazeface_short_range_openvino", "ssd_mobilenetv2_oidv4_openvino"]


def run(quick: bool = False) -> str:
    from model_picker.inference.media.sources import SourceSpec
    from model_picker.inference.validation.measure import validate
    from model_picker.inference.validation.rawbench import raw_limit
    from model_picker.inference.validation.tuning import sweep, validation_measure

    images = frames(60)
    source = SourceSpec("video", str(ROOT / "resources" / "media" / "Traffic.mp4"))
    lines = []
    for name in MODELS:
        model = spec(name)
        axes = {"in_flight": (2, 4, 8), "eager_batch_size": (1, 8)}
        trials = sweep(validation_measure(model, source, images, 200 if quick else 600, 20), axes)
        best = next(t for t in trials if t.best)
        again = validate(model, source, 200 if quick else 600, 20, images=images, latency_frames=0,
                         in_flight=best.setting["in_flight"],
                         properties={"eager_batch_size": best.setting["eager_batch_size"]})
        raw = raw_limit(again.device_type, "@local", model.zoo_url, name, 3 if quick else 10)
        raw_fps = raw.get("throughput_fps", 0.0)
        ratio = again.fps / raw_fps if raw_fps else 0.0
        breakdown = ", ".join(f"{k.replace('Duration', '')} {v:.2f} ms" for k, v in again.breakdown_ms.items())
        lines += [f"{name}: PySDK best {again.fps:.1f} FPS ({best.setting}) / benchmark_app {raw_fps:.1f} FPS "
                  f"= {ratio:.2f}; benchmark_app latency median {raw.get('latency_median_ms', 0):.2f} ms",
                  f"  PySDK breakdown per frame: {breakdown}",
                  goal(ratio >= 0.8, "PySDK best setting ≥ 0.8 of benchmark_app", f"{ratio:.2f}")]
    return "\n".join(lines)


CAPACITY_MODELS = ["blazeface_short_range", "ssd_mobilenet_v2_coco_quant"]


def capacity(quick: bool = False) -> str:
    """How many cameras this machine takes at 15 FPS each: paced Traffic.mp4 streams, 1, 2, 4, …"""
    from model_picker.inference.media.sources import SourceSpec
    from model_picker.inference.validation.capacity import capacity as run_capacity

    video = SourceSpec("video", str(ROOT / "resources" / "media" / "Traffic.mp4"))
    lines = []
    for names in [[name] for name in CAPACITY_MODELS] + [CAPACITY_MODELS]:  # each alone, then the two mixed
        name = " + ".join(names)
        result = run_capacity([spec(n) for n in names], video, 15.0, None, (1, 2, 4, 8) if quick else (1, 2, 4, 8, 16),
                              3.0 if quick else 10.0)
        curve = ", ".join(f"{p['streams']}: {p['per_stream_fps']:.1f} (slowest {p['min_stream_fps']:.1f})"
                          for p in result["curve"])
        lines.append(f"{name}: capacity {result['capacity']} stream(s) at 15 FPS; FPS per stream by streams: {curve}")
    return "\n".join(lines)
