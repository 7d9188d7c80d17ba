"""``model-picker run --track --line --zone --events`` as a user runs it: a real process on a generated video."""

from __future__ import annotations

import csv

import cv2

from model_picker.inference.counting.draw import COUNTER_RGB
from tests.cli.test_run_sources import cli
from tests.inference.counting.facevideo import sweep, write_video


def test_the_cli_counts_a_face_crossing_a_line_and_writes_the_events(photos, tmp_path):
    video = write_video(tmp_path / "line.avi", photos, [sweep(100, 540, 200, 30) + sweep(540, 100, 200, 30)])
    events, out_video = tmp_path / "events.csv", tmp_path / "counted.mp4"
    # The line in pixels (640x480 frame), the zone normalised: both forms in one run.
    out = cli("run", "blazeface_short_range", "--source", str(video), "--quiet", "--line", "320,24,320,456",
              "--zone", "0.6,0 1,0 1,1 0.6,1", "--events", str(events), "--out", str(out_video))
    assert out.returncode == 0, out.stderr
    assert "Line       line 1: in 1, out 1" in out.stdout
    assert "Zone       zone 1: 0 inside now, 1 entered" in out.stdout
    assert f"Events     {events} (4 events)" in out.stdout
    rows = list(csv.DictReader(events.open()))
    assert [(r["kind"], r["name"], r["event"], r["class"]) for r in rows] == [
        ("line", "line 1", "out", "face"), ("zone", "zone 1", "entry", "face"),
        ("zone", "zone 1", "exit", "face"), ("line", "line 1", "in", "face")]
    assert len({r["track_id"] for r in rows}) == 1
    # The --out video shows the counting line (drawn at x = 320 in the counter's colour) on its frames.
    capture = cv2.VideoCapture(str(out_video))
    ok, frame = capture.read()
    capture.release()
    assert ok
    column = frame[100:400, 316:325].astype(int)
    assert (abs(column - list(COUNTER_RGB[::-1])) <= 40).all(axis=-1).any(axis=1).mean() > 0.9


def test_bad_counting_options_fail_at_once_with_one_line(media):
    out = cli("run", "blazeface_short_range", "--source", str(media / "vtest.avi"), "--line", "0.5,0.5,0.5,0.5")
    assert out.returncode != 0
    assert out.stderr.strip() == ("model-picker: --line 1: zero length: its two points are the same, "
                                  "so it has no direction to count")
    out = cli("run", "blazeface_short_range", "--source", str(media / "vtest.avi"), "--zone", "10,10 900,10 20,30")
    assert out.stderr.strip() == ("model-picker: --zone 1 '10,10 900,10 20,30': point 900,10 is outside "
                                  "the 768x576 frame")
    out = cli("run", "efficientnet_lite0_imagenet", "--source", str(media / "vtest.avi"), "--track")
    assert out.stderr.strip() == ("model-picker: efficientnet_lite0_imagenet: counting needs a detector "
                                  "(boxes to track); imagenet classification gives no boxes")


def test_help_says_how_coordinates_are_read():
    out = cli("run", "--help")
    assert "values all at most 1 are normalised" in " ".join(out.stdout.split())
