"""Tuning sweep and stream capacity on real models (issue 11), kept to a few seconds each."""

from __future__ import annotations

import itertools

import pytest
from degirum_tools import ModelSpec

from model_picker.inference.media.sources import parse_source
from model_picker.inference.validation.capacity import capacity
from model_picker.inference.validation.measure import decode
from model_picker.inference.validation.tuning import BestSetting, best_setting, sweep, validation_measure


def local_spec(zoo_dir, name: str) -> ModelSpec:
    return ModelSpec(model_name=name, zoo_url=str(zoo_dir), inference_host_address="@local")


def test_the_sweep_reports_every_setting_tried_with_the_best_marked(zoo_dir, media):
    source = parse_source(str(media / "Megamind.avi"))
    images = decode(source, limit=20)
    measure = validation_measure(local_spec(zoo_dir, "blazeface_short_range_openvino"), source, images, 40, 3)
    axes = {"in_flight": (1, 4), "eager_batch_size": (1, 8), "frame_queue_depth": (8, 16)}
    trials = sweep(measure, axes)
    assert len(trials) == 4  # 2 + 2 + 2 settings, the best of each axis kept for the next: one repeat each
    assert all(not t.error and t.fps > 0 for t in trials), [t.to_dict() for t in trials]
    tried = {t.setting["in_flight"] for t in trials}
    assert tried == {1, 4}  # the baseline's 6 is replaced by the best of the axis
    best = [t for t in trials if t.best]
    assert len(best) == 1 and best[0].fps == max(t.fps for t in trials)
    assert best_setting(trials) == best[0].setting
    chosen = BestSetting.of(best[0].to_dict())  # as the report's JSON row carries it
    assert chosen.in_flight == best[0].setting["in_flight"] and chosen.devices == "auto"
    assert chosen.properties == {k: best[0].setting[k] for k in ("eager_batch_size", "frame_queue_depth")}
    spec = local_spec(zoo_dir, "blazeface_short_range_openvino")
    spec.model_properties = {"output_confidence_threshold": 0.4}
    fitted = chosen.apply(spec)
    assert fitted.model_properties == {"output_confidence_threshold": 0.4, **chosen.properties}
    assert spec.model_properties == {"output_confidence_threshold": 0.4}  # the caller's spec is left alone


def test_a_setting_the_runtime_refuses_is_a_row_with_its_error(zoo_dir, photos):
    source = parse_source(str(photos / "astronaut.png"))
    measure = validation_measure(local_spec(zoo_dir, "blazeface_short_range"), source, decode(source), 20, 2)
    trials = sweep(measure, {"devices": ("auto", "7")})
    refused = next(t for t in trials if t.setting["devices"] == "7")
    assert "device index 7 is not available" in refused.error and not refused.best
    assert next(t for t in trials if t.setting["devices"] == "auto").best


def test_stream_capacity_on_a_small_n_finishes_with_a_monotone_curve(zoo_dir, media):
    # EfficientNet on TFLite runs near the video's 24 FPS on one stream here, so more streams share it.
    result = capacity([local_spec(zoo_dir, "efficientnet_lite0_imagenet")], parse_source(str(media / "Megamind.avi")),
                      target_fps=0.5, counts=(1, 2, 4), seconds=2.5)
    curve = result["curve"]
    assert [p["streams"] for p in curve] == [1, 2, 4] and result["capacity"] == 4
    for p in curve:
        assert 0 < p["min_stream_fps"] <= p["per_stream_fps"] and p["p95_ms"] > 0
    per_stream = [p["per_stream_fps"] for p in curve]
    # More streams never give each stream more frames (10% for timing noise on a shared machine).
    shown = [(p["streams"], round(p["per_stream_fps"], 1)) for p in curve]
    assert all(b <= a * 1.1 for a, b in itertools.pairwise(per_stream)), shown
    assert per_stream[-1] < per_stream[0]


def test_capacity_stops_at_the_first_count_below_the_target(zoo_dir, media):
    result = capacity([local_spec(zoo_dir, "efficientnet_lite0_imagenet")], parse_source(str(media / "Megamind.avi")),
                      target_fps=1000.0, counts=(1, 2, 4), seconds=1.0)
    assert result["capacity"] == 0 and [p["streams"] for p in result["curve"]] == [1]


def test_stream_capacity_of_a_mix_reports_each_model_per_stream_and_a_monotone_curve(zoo_dir, media):
    # The streams cycle over the models: at 2 streams one of each, at 4 two of each, each paced at 24 FPS.
    specs = [local_spec(zoo_dir, "efficientnet_lite0_imagenet"), local_spec(zoo_dir, "blazeface_short_range")]
    result = capacity(specs, parse_source(str(media / "Megamind.avi")), target_fps=0.5, counts=(2, 4), seconds=2.0)
    assert result["models"] == ["efficientnet_lite0_imagenet", "blazeface_short_range"] and result["capacity"] == 4
    curve = result["curve"]
    assert [p["streams"] for p in curve] == [2, 4]
    for p in curve:
        own = p["per_model"]
        assert set(own) == {"efficientnet_lite0_imagenet", "blazeface_short_range"}
        assert all(o["streams"] == p["streams"] // 2 and 0 < o["min_stream_fps"] <= o["per_stream_fps"]
                   for o in own.values()), own
        mean = sum(o["per_stream_fps"] * o["streams"] for o in own.values()) / p["streams"]
        assert p["per_stream_fps"] == pytest.approx(mean)
        assert p["per_stream_fps"] <= 24 * 1.15  # paced at the video's own 24 FPS, never faster
    shown = [(p["streams"], round(p["per_stream_fps"], 1)) for p in curve]
    assert curve[1]["per_stream_fps"] <= curve[0]["per_stream_fps"] * 1.1, shown
