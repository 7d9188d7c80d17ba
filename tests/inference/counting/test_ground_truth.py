"""Counting on generated videos whose truth is known, and on a real demo video twice (issue 12).

The videos are written by the test (tests/inference/counting/facevideo.py): a real face
photo moving on a plain background along a chosen path, so the frame where a
face crosses the line or enters the zone is known. BlazeFace finds the face,
degirum_tools' ByteTrack keeps its ID, LineCounter and ZoneCounter count.
"""

from __future__ import annotations

import pytest

from model_picker.inference.counting.analyzers import Counter, CountingSetup, Line, Zone
from model_picker.inference.engine.loading import load_model
from model_picker.inference.engine.pipeline import Pipeline
from model_picker.inference.media.sources import FrameFeeder, parse_source
from model_picker.registry import open_catalogue
from tests.inference.counting.facevideo import WIDTH, sweep, write_video

DOOR = Line("door", (0.5, 0.05), (0.5, 0.95))  # drawn downwards: moving left is "in", moving right "out"
BAY_X = 0.6
BAY = Zone("bay", ((BAY_X, 0.0), (1.0, 0.0), (1.0, 1.0), (BAY_X, 1.0)))


@pytest.fixture(scope="module")
def catalogue(demo_registry):
    return open_catalogue(demo_registry)


def run(catalogue, model_name, source, setup, frames=None):
    """Every result through the counter: (frame id, faces found, counts copy, events)."""
    counter = Counter(setup)
    rows = []
    with load_model(catalogue.spec(catalogue.index_of(model_name))) as model:
        feeder = FrameFeeder(parse_source(str(source)), max_frames=frames)
        for item in Pipeline(model, feeder).run():
            counter.analyze(item.result)
            rows.append((item.frame.frame_id, len(item.result.results), dict(counter.counts.zones),
                         dict(counter.counts.lines), list(counter.events)))
    return counter, rows


def test_a_face_crossing_a_line_once_each_way_counts_one_in_and_one_out(catalogue, photos, tmp_path):
    there, back = sweep(100, 540, 200, 30), sweep(540, 100, 200, 30)
    video = write_video(tmp_path / "line.avi", photos, [there + back])
    counter, rows = run(catalogue, "blazeface_short_range", video, CountingSetup((DOOR,)))
    assert [faces for _f, faces, *_ in rows] == [1] * 60  # BlazeFace finds the face in every frame
    assert counter.counts.lines == {"door": (1, 1)}
    events = [e for *_, evs in rows for e in evs]
    assert [(e.event, e.name, e.label) for e in events] == [("out", "door", "face"), ("in", "door", "face")]
    assert events[0].track_id == events[1].track_id  # the same tracked face both times
    # The crossing frames: where the path passes x = 320 (each way), within one frame.
    out_frame = next(i for i, (x, _y) in enumerate(there) if x >= WIDTH / 2)
    in_frame = 30 + next(i for i, (x, _y) in enumerate(back) if x <= WIDTH / 2)
    assert abs(events[0].frame - out_frame) <= 1 and abs(events[1].frame - in_frame) <= 1


def test_two_faces_entering_a_zone_give_occupancy_0_1_2_at_the_frames_they_enter(catalogue, photos, tmp_path):
    a = sweep(100, 540, 120, 30) + [(540, 120)] * 20
    b = [(100, 350)] * 15 + sweep(100, 540, 350, 30) + [(540, 350)] * 5
    video = write_video(tmp_path / "zone.avi", photos, [a, b])
    counter, rows = run(catalogue, "blazeface_short_range", video, CountingSetup(zones=(BAY,)))
    assert [faces for _f, faces, *_ in rows] == [2] * 50
    occupancy = [zones["bay"] for _f, _n, zones, *_ in rows]
    enter_a = next(i for i, (x, _y) in enumerate(a) if x >= BAY_X * WIDTH)
    enter_b = next(i for i, (x, _y) in enumerate(b) if x >= BAY_X * WIDTH)
    first_one, first_two = occupancy.index(1), occupancy.index(2)
    assert occupancy[:first_one] == [0] * first_one
    assert occupancy[first_one:first_two] == [1] * (first_two - first_one)
    assert occupancy[first_two:] == [2] * (50 - first_two)
    assert abs(first_one - enter_a) <= 1 and abs(first_two - enter_b) <= 1, (occupancy, enter_a, enter_b)
    assert counter.counts.entries == {"bay": 2}
    entries = [e for *_, evs in rows for e in evs if e.event == "entry"]
    assert [e.frame for e in entries] == [first_one, first_two]
    assert len({e.track_id for e in entries}) == 2


def test_a_real_video_gives_the_same_counts_on_two_runs(catalogue, media):
    """vtest.avi (people walking) with COCO SSD: tracking and counting are deterministic."""
    setup = CountingSetup((Line("middle", (0.0, 0.5), (1.0, 0.5)), Line("left", (0.3, 0.0), (0.3, 1.0))),
                          (Zone("centre", ((0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75))),))
    first, rows1 = run(catalogue, "ssd_mobilenet_v2_coco_quant", media / "vtest.avi", setup, frames=150)
    second, rows2 = run(catalogue, "ssd_mobilenet_v2_coco_quant", media / "vtest.avi", setup, frames=150)
    assert len(rows1) == 150
    assert first.counts == second.counts
    assert [r[2:] for r in rows1] == [r[2:] for r in rows2]
    assert sum(i + o for i, o in first.counts.lines.values()) > 0  # people do cross: the test can fail
    assert first.counts.entries["centre"] > 0


def test_attached_to_the_model_it_counts_the_same(catalogue, photos, tmp_path):
    """``Counter.attach``: degirum_tools' attach_analyzers runs it inside PySDK on every result."""
    import cv2

    video = write_video(tmp_path / "line.avi", photos, [sweep(100, 540, 200, 30) + sweep(540, 100, 200, 30)])
    capture = cv2.VideoCapture(str(video))
    frames = [capture.read()[1] for _ in range(60)]
    counter = Counter(CountingSetup((DOOR,)))
    with load_model(catalogue.spec(catalogue.index_of("blazeface_short_range"))) as model:
        counter.attach(model)
        results = list(model.predict_batch(frames))
    assert [r.line_counts[0].right for r in results][-1] == 1 and results[-1].line_counts[0].left == 1
    assert counter.counts.lines == {"door": (1, 1)}
