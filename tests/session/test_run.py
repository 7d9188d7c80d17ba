"""The session layer on its own, no Qt: a Run streams a bundled model over a bundled video, takes pause,
step and options given before it starts, infers a photo once; the Session answers what the window asks."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.media.export import ResultsWriter, VideoWriter
from model_picker.inference.media.overlay import OverlayOptions
from model_picker.inference.media.sources import SourceError, parse_source
from model_picker.registry import open_catalogue
from model_picker.session.live.run import Run, RunRequest
from model_picker.session.plan import RunPlan, prepare
from model_picker.session.state import Session


@pytest.fixture(scope="module")
def catalogue(demo_registry):
    return open_catalogue(demo_registry)


def request(catalogue, name: str, source: str, **kw) -> RunRequest:
    plan = RunPlan(catalogue, catalogue.index_of(name))
    return RunRequest(prepare(plan), parse_source(source), devices=plan.devices, **kw)


def test_a_run_streams_n_frames_and_writes_its_outputs(catalogue, media, tmp_path):
    saved: list[Path] = []
    with Run(request(catalogue, "blazeface_short_range", str(media / "Megamind.avi"), max_frames=25,
                     output_dir=tmp_path, in_flight=2), on_saved=saved.append) as run:
        run.set_recording(tmp_path / "faces.mp4")
        run.set_exporting(True)  # a .jsonl and a .csv named after the model in output_dir
        run.start()
        ids = [item.frame.frame_id for item in run.results()]
    assert ids == list(range(25)) and run.inferences == 25
    assert run.pipeline.in_flight_limit == 2  # a tuning override reaches the pipeline (the file default is 6)
    assert run.results_with_detections > 15  # Megamind is full of faces
    assert run.final_stats().frames == 25
    video = next(w for w in run.written if isinstance(w, VideoWriter))
    assert video.frames == 25 and video.path.stat().st_size > 0
    exports = sorted(w.path.suffix for w in run.written if isinstance(w, ResultsWriter))
    assert exports == [".csv", ".jsonl"] and set(saved) == {w.path for w in run.written}


def test_pause_and_one_step_given_before_start_let_exactly_one_frame_through(catalogue, media):
    run = Run(request(catalogue, "blazeface_short_range", str(media / "vtest.avi")))
    run.set_paused(True)
    run.step()
    seen: list[int] = []
    run.start()

    def consume() -> None:
        seen.extend(item.frame.frame_id for item in run.results())

    thread = threading.Thread(target=consume)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)  # paused: nothing more may come, however long we wait
        assert seen == [0] and run.pipeline.stats.frames == 1
        run.step()
        deadline = time.monotonic() + 30
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        assert seen == [0, 1]  # a step is exactly the next frame
        run.set_paused(False)
        deadline = time.monotonic() + 60
        while len(seen) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen[:6] == list(range(6))
    finally:
        run.stop()
        thread.join(30)
        run.close()
    assert not thread.is_alive()


def test_options_given_before_start_apply_from_the_first_result(catalogue, media):
    strict = OverlayOptions(threshold=0.99, show_labels=False)
    with Run(request(catalogue, "blazeface_short_range", str(media / "Megamind.avi"), max_frames=10)) as run:
        run.set_options(strict)
        run.start()
        assert run.model.output_confidence_threshold == pytest.approx(0.99)
        items = list(run.results())
    assert all(not item.result.results for item in items)  # no face is 99 % sure
    with Run(request(catalogue, "blazeface_short_range", str(media / "Megamind.avi"), max_frames=10)) as run:
        run.start()
        assert sum(len(item.result.results) for item in run.results()) > 0  # the model's own threshold finds faces


def test_a_photo_is_inferred_once_and_again_only_on_an_option_change(catalogue, photos):
    run = Run(request(catalogue, "blazeface_short_range", str(photos / "Face1.jpg")))
    run.start()
    items = run.stills()
    first = next(items)
    assert first.shown.count == 1 and first.shown.detections == 1 and run.inferences == 1
    assert len(first.shapes.boxes) == 1
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(next(items, None)))
    waiter.start()
    waiter.join(1.0)
    assert waiter.is_alive() and run.inferences == 1  # shown, not inferred again
    run.set_options(OverlayOptions(threshold=0.99))
    waiter.join(30)
    assert got and got[0] is not None and run.inferences == 2  # the option change re-infers the photo, once
    assert run.model.output_confidence_threshold == pytest.approx(0.99)
    run.stop()
    assert next(items, None) is None
    run.close()


def test_a_bad_source_fails_before_the_model_loads(catalogue, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    run = Run(request(catalogue, "blazeface_short_range", str(broken)))
    with pytest.raises(SourceError):
        run.open()
    assert run.model is None
    run.close()


def test_the_session_knows_what_the_host_cannot_run_and_plans_the_selection(catalogue):
    session = Session(catalogue)
    with pytest.raises(LookupError):
        session.plan_for()
    assert session.unrunnable() == {}  # the host's devices are not known yet: nothing is greyed
    session.host_probed("@local", ["TFLITE/CPU"])
    onnx = catalogue.index_of("deeplabv3_mnv2_pascal_onnx")
    tflite = catalogue.index_of("blazeface_short_range")
    assert "cannot run this model" in session.why_not_runnable(onnx)
    assert session.why_not_runnable(tflite) is None
    assert onnx in session.unrunnable() and tflite not in session.unrunnable()
    session.select(tflite)
    session.set_defaults(inference_host_address="localhost:8778", model_properties={"output_confidence_threshold": 0.7})
    plan = session.plan_for()
    spec = plan.spec()
    assert plan.name == "blazeface_short_range" and spec.inference_host_address == "localhost:8778"
    assert spec.zoo_url == "" and spec.model_properties["output_confidence_threshold"] == 0.7
    assert spec.model_properties["device_type"]  # laid over the registry's own properties, not replacing them
    assert session.why_not_runnable(tflite) is None  # localhost:8778 was never probed
    session.select(None)
    spec, problem = session.current_spec()
    assert spec is None and problem == "no model is selected"


def test_a_model_that_cannot_load_says_so(catalogue, media):
    req = request(catalogue, "blazeface_short_range", str(media / "vtest.avi"))
    req.spec = type(req.spec)(**{**req.spec.__dict__, "model_name": "no_such_model"})
    run = Run(req)
    run.open()
    with pytest.raises(InferenceError):
        run.load()
    run.close()
