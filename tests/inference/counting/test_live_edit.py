"""A line moved while counting, and events written by ``LiveCounting`` as the window's worker drives it."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

from model_picker.inference.counting.analyzers import CountingSetup, Line
from model_picker.inference.counting.edit import replaced
from model_picker.inference.counting.live import LiveCounting
from model_picker.inference.engine.loading import load_model
from model_picker.inference.engine.pipeline import Pipeline
from model_picker.inference.media.sources import FrameFeeder, parse_source
from model_picker.registry import open_catalogue
from tests.inference.counting.facevideo import sweep, write_video

DOOR = Line("door", (0.5, 0.05), (0.5, 0.95))  # drawn downwards: moving right is "out", left "in"
GATE = Line("gate", (0.25, 0.05), (0.25, 0.95))


def test_a_moved_line_counts_from_zero_while_the_others_and_the_track_go_on(demo_registry, photos, tmp_path):
    video = write_video(tmp_path / "line.avi", photos, [sweep(100, 540, 200, 30) + sweep(540, 100, 200, 30)])
    catalogue = open_catalogue(demo_registry)
    live = LiveCounting(CountingSetup((DOOR, GATE)))
    paths = live.start_events(tmp_path / "out" / "events")
    assert [p.name for p in paths] == ["events.csv", "events.jsonl"]
    with load_model(catalogue.spec(catalogue.index_of("blazeface_short_range"))) as model:
        for item in Pipeline(model, FrameFeeder(parse_source(str(video)))).run():
            if item.frame.frame_id == 30:  # the face is at the right edge: the gate moves to 3/4 of the width
                assert live.counter.counts.lines == {"door": (0, 1), "gate": (0, 1)}
                live.set_setup(replaced(live.setup, replace(GATE, start=(0.75, 0.05), end=(0.75, 0.95))))
            live.process(item.result)
    # The door kept its "out" and added the "in"; the moved gate forgot its "out" and saw one "in".
    assert live.counter.counts.lines == {"door": (1, 1), "gate": (1, 0)}
    written, rows = live.stop_events()
    assert written == paths and rows == 4 and not live.writing_events
    events = list(csv.DictReader(paths[0].open()))
    assert [(e["name"], e["event"]) for e in events] == [("gate", "out"), ("door", "out"), ("gate", "in"),
                                                         ("door", "in")]
    assert len({e["track_id"] for e in events}) == 1  # one track all along: the tracker was not rebuilt
    summary = json.loads(paths[1].read_text().splitlines()[-1])
    assert summary == {"summary": {"lines": {"door": {"in": 1, "out": 1}, "gate": {"in": 1, "out": 0}},
                                   "zones": {}}}
    assert live.stop_events() == ([], 0)  # stopping twice is harmless
