"""The streaming pipeline on real models and videos: order, stats, stop, pause, watchdog."""

from __future__ import annotations

import threading
import time

import pytest

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.engine.loading import load_model
from model_picker.inference.engine.pipeline import Pipeline
from model_picker.inference.media.sources import FrameFeeder, parse_source
from model_picker.registry import open_catalogue


@pytest.fixture(scope="module")
def catalogue(demo_registry):
    return open_catalogue(demo_registry)


def spec(catalogue, name):
    return catalogue.spec(catalogue.index_of(name))


def test_every_frame_gets_a_result_in_order_with_stats(catalogue, media):
    with load_model(spec(catalogue, "blazeface_short_range")) as model:
        pipeline = Pipeline(model, FrameFeeder(parse_source(str(media / "Megamind.avi"))))
        results = list(pipeline.run())
    assert [r.frame.frame_id for r in results] == list(range(270))
    assert sum(len(r.result.results) for r in results) > 200  # Megamind is full of faces
    snap = pipeline.stats.snapshot(final=True)
    assert snap.frames == 270 and snap.average_fps > 0
    assert 0 < snap.latency_p50_ms <= snap.latency_p95_ms <= snap.latency_p99_ms
    assert "CoreInferenceDuration" in snap.breakdown_ms
    assert all(r.latency_ms > 0 for r in results)


def test_a_run_without_breakdown_leaves_pysdk_timing_off(catalogue, media):
    """The window shows no PySDK breakdown: its run must not pay for PySDK's per-result timing."""
    with load_model(spec(catalogue, "blazeface_short_range")) as model:
        pipeline = Pipeline(model, FrameFeeder(parse_source(str(media / "Megamind.avi")), max_frames=40),
                            breakdown=False)
        results = list(pipeline.run())
        assert not model.measure_time and not model.time_stats()
    assert len(results) == 40 and pipeline.stats.snapshot(final=True).breakdown_ms == {}


def test_a_file_keeps_as_many_frames_in_flight_as_raw_predict_batch(catalogue, media):
    """Fewer frames in flight than PySDK's own queue cost BlazeFace 5-8% of raw throughput."""
    with load_model(spec(catalogue, "blazeface_short_range")) as model:
        depth = model.frame_queue_depth
        assert depth > 6
        pipeline = Pipeline(model, FrameFeeder(parse_source(str(media / "Megamind.avi")), max_frames=60))
        assert pipeline.in_flight_limit == depth
        most = max(pipeline.in_flight + 1 for _ in pipeline.run())  # this result's frame counted back in
        live = Pipeline(model, FrameFeeder(parse_source(str(media / "Megamind.avi"), realtime=True)))
        assert live.in_flight_limit == 1
    assert most > 6  # was capped at 6 (FILE_IN_FLIGHT); usually reaches depth


def test_auto_device_choice_takes_one_cpu_device(catalogue):
    with load_model(spec(catalogue, "blazeface_short_range")) as model:
        assert list(model.devices_selected) == [0]
    with load_model(spec(catalogue, "blazeface_short_range"), devices="all") as model:
        assert list(model.devices_selected) == list(model.devices_available)
    with pytest.raises(InferenceError, match="device index 5 is not available"):
        load_model(spec(catalogue, "blazeface_short_range"), devices="5")


def test_stop_ends_the_run_promptly(catalogue, media):
    with load_model(spec(catalogue, "blazeface_short_range")) as model:
        pipeline = Pipeline(model, FrameFeeder(parse_source(str(media / "vtest.avi"), loop=True)))
        seen = 0
        for _ in pipeline.run():
            seen += 1
            if seen == 20:
                pipeline.stop()
        assert 20 <= seen <= 22


def test_pause_holds_frames_and_step_lets_one_through(catalogue, media):
    with load_model(spec(catalogue, "blazeface_short_range")) as model:
        pipeline = Pipeline(model, FrameFeeder(parse_source(str(media / "Megamind.avi"))), in_flight=1)
        pipeline.pause()
        got: list[int] = []

        def consume():
            for item in pipeline.run():
                got.append(item.frame.frame_id)

        worker = threading.Thread(target=consume)
        worker.start()
        time.sleep(0.5)
        assert got == []
        pipeline.step()
        deadline = time.monotonic() + 5
        while len(got) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        assert got == [0]
        pipeline.resume()
        worker.join(30)
        assert got == list(range(270))


def test_step_in_real_time_is_the_next_frame_of_the_file(catalogue, media):
    """Issue 9 item 7: a paused real-time file kept playing and dropping, so Step jumped ~20 frames."""
    with load_model(spec(catalogue, "blazeface_short_range")) as model:
        feeder = FrameFeeder(parse_source(str(media / "Megamind.avi"), realtime=True))
        pipeline = Pipeline(model, feeder)
        got: list[int] = []

        def consume():
            for item in pipeline.run():
                got.append(item.frame.frame_id)

        worker = threading.Thread(target=consume)
        worker.start()
        deadline = time.monotonic() + 30
        while len(got) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        pipeline.pause()
        time.sleep(1.5)  # 36 frames of the file's time
        before = list(got)
        dropped = feeder.dropped
        for _ in range(3):
            pipeline.step()
            deadline = time.monotonic() + 10
            while len(got) == len(before) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert got[len(before)] == got[len(before) - 1] + 1
            before = list(got)
        assert feeder.dropped == dropped
        pipeline.stop()
        worker.join(30)
