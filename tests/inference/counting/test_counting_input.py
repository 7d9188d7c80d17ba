"""Counting input: lines and zones from the command line and YAML, each mistake named once (issue 12, item 5)."""

from __future__ import annotations

import csv
import json

import pytest

from model_picker.inference.counting.analyzers import (
    CountingError,
    CountingSetup,
    Counts,
    Event,
    Line,
    Zone,
    detector_reason,
    parse_line,
    parse_zone,
)
from model_picker.inference.media.export import EventsWriter


def test_normalised_and_pixel_lines():
    assert parse_line("0.1,0.5,0.9,0.5", "--line 1") == Line("--line 1", (0.1, 0.5), (0.9, 0.5))
    assert parse_line("64 240 576 240", "l", size=(640, 480)) == Line("l", (0.1, 0.5), (0.9, 0.5))
    zone = parse_zone("0,0 320,0 320,240", "z", size=(640, 480))
    assert zone.points == ((0.0, 0.0), (0.5, 0.0), (0.5, 0.5))


@pytest.mark.parametrize(("text", "message"), [
    ("0.5,0.5,0.5,0.5", "--line 1: zero length: its two points are the same"),
    ("0.1,0.5,0.9", "expected x1,y1,x2,y2 (4 numbers), got 3"),
    ("0.1,0.5,a,0.5", "expected numbers separated by commas or spaces"),
    ("10,10,700,10", "point 700,10 is outside the 640x480 frame"),
    ("-0.1,0.5,0.5,0.5", "point -0.1,0.5 is outside the frame"),
])
def test_bad_lines_say_what_is_wrong(text, message):
    with pytest.raises(CountingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_line(text, "--line 1", size=(640, 480))


@pytest.mark.parametrize(("text", "message"), [
    ("0.1,0.1 0.9,0.9", "a zone needs at least 3 points, got 2"),
    ("0,0 1,1 1,0 0,1", "self-intersecting: edge 1 crosses edge 3"),
    ("0,0 0.5,0.5 1,1", "its points lie on one line"),
    ("0,0 0.5,0 0.5,-0.5", "point 0.5,-0.5 is outside the frame"),
    ("0,0 0.5,0 0.5,1.5", "pixel coordinates need the frame size"),
    ("0,0 0.5,0 0.5", "odd count of numbers"),
])
def test_bad_zones_say_what_is_wrong(text, message):
    with pytest.raises(CountingError, match=message):
        parse_zone(text, "--zone 1")


def test_pixels_without_a_frame_size_are_refused():
    with pytest.raises(CountingError, match="pixel coordinates need the frame size"):
        parse_line("10,10,200,10", "--line 1")


def test_a_model_that_is_not_a_detector_is_refused_with_the_reason():
    assert detector_reason("coco_detection") == detector_reason("face_detection") == ""
    assert detector_reason("imagenet_classification") == (
        "counting needs a detector (boxes to track); imagenet classification gives no boxes")
    assert "segmentation gives no boxes" in detector_reason("segmentation")


def test_yaml_round_trip_and_bad_files(tmp_path):
    setup = CountingSetup((Line("door", (0.1, 0.5), (0.9, 0.5)),),
                          (Zone("bay", ((0.5, 0.5), (1.0, 0.5), (1.0, 1.0))),))
    setup.save_yaml(tmp_path / "c.yaml")
    assert CountingSetup.load_yaml(tmp_path / "c.yaml") == setup
    (tmp_path / "bad.yaml").write_text("lines:\n  - name: a\n    points: [[0, 0], [0, 0]]\n")
    with pytest.raises(CountingError, match=r"bad.yaml: a: zero length"):
        CountingSetup.load_yaml(tmp_path / "bad.yaml")
    (tmp_path / "three.yaml").write_text("lines:\n  - points: [[0, 0], [1, 1], [1, 0]]\n")
    with pytest.raises(CountingError, match=r"lines\[0\].points: a line needs exactly 2 points, got 3"):
        CountingSetup.load_yaml(tmp_path / "three.yaml")
    (tmp_path / "broken.yaml").write_text("zones: [\n")
    with pytest.raises(CountingError, match=r"broken.yaml: line 2: not valid YAML"):
        CountingSetup.load_yaml(tmp_path / "broken.yaml")
    (tmp_path / "word.yaml").write_text("zones:\n  - points: [[0, 0], [1, x], [1, 1]]\n")
    with pytest.raises(CountingError, match=r"zones\[0\].points\[1\]: expected \[x, y\] numbers"):
        CountingSetup.load_yaml(tmp_path / "word.yaml")


def test_events_as_csv_and_json_lines_with_the_summary(tmp_path):
    events = [Event(15, 0.9333, 1, "face", "line", "door", "out"), Event(19, 1.2, 1, "face", "zone", "bay", "entry")]
    counts = Counts({"door": (0, 1)}, {"bay": 1}, {"bay": 1})
    writer = EventsWriter(tmp_path / "e.csv")
    writer.write(events)
    writer.close(counts)
    rows = list(csv.DictReader((tmp_path / "e.csv").open()))
    assert rows[0] == {"frame": "15", "time_s": "0.933", "track_id": "1", "class": "face", "kind": "line",
                       "name": "door", "event": "out"}
    assert rows[1]["event"] == "entry" and len(rows) == 2
    writer = EventsWriter(tmp_path / "e.jsonl")
    writer.write(events)
    writer.close(counts)
    lines = [json.loads(x) for x in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert lines[0]["track_id"] == 1 and lines[1]["name"] == "bay"
    assert lines[2] == {"summary": {"lines": {"door": {"in": 0, "out": 1}},
                                    "zones": {"bay": {"inside": 1, "entered": 1}}}}
    assert counts.summary() == ["Line       door: in 0, out 1", "Zone       bay: 1 inside now, 1 entered"]
