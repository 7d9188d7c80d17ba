"""Sources say what is wrong and where, and never mistake a file for a camera."""

from __future__ import annotations

import time

import pytest

from model_picker.inference.sources import END, FrameFeeder, SourceError, open_reader, parse_source


def test_kinds_are_explicit(media, photos, tmp_path):
    assert parse_source(str(media / "vtest.avi")).kind == "video"
    assert parse_source(str(photos / "dog.jpg")).kind == "image"
    assert parse_source(str(photos)).kind == "folder"
    assert parse_source("camera:0").kind == "camera"
    assert parse_source("rtsp://10.0.0.1/stream").kind == "stream"
    with pytest.raises(SourceError, match="file not found"):
        parse_source("0")  # a file named 0, never camera 0
    with pytest.raises(SourceError, match="camera:N"):
        parse_source("camera:front")


def test_bad_files_name_the_file(tmp_path):
    corrupt = tmp_path / "broken.mp4"
    corrupt.write_bytes(b"\x00\x01 not a video" * 100)
    with pytest.raises(SourceError, match="broken.mp4: cannot decode the video"):
        open_reader(parse_source(str(corrupt)))
    bad_image = tmp_path / "bad.jpg"
    bad_image.write_bytes(b"nope")
    with pytest.raises(SourceError, match="bad.jpg: cannot decode the image"):
        open_reader(parse_source(str(bad_image)))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no images"):
        open_reader(parse_source(str(tmp_path / "empty")))
    with pytest.raises(SourceError, match="notes.txt: not a video"):
        (tmp_path / "notes.txt").write_text("x")
        parse_source(str(tmp_path / "notes.txt"))


def test_missing_camera_is_an_error_not_a_hang():
    start = time.monotonic()
    with pytest.raises(SourceError, match="camera 7"):
        open_reader(parse_source("camera:7"))
    assert time.monotonic() - start < 10


def drain(feeder):
    frames = []
    while True:
        item = feeder.get(timeout=5)
        if item is END or item is None:
            return frames
        frames.append(item)


def test_a_file_at_full_speed_loses_no_frame(media):
    feeder = FrameFeeder(parse_source(str(media / "Megamind.avi"))).start()
    frames = drain(feeder)
    feeder.stop()
    assert [f.frame_id for f in frames] == list(range(270))
    assert feeder.dropped == 0 and frames[0].image.shape == (528, 720, 3)


def test_realtime_playback_is_never_faster_than_the_file(media):
    feeder = FrameFeeder(parse_source(str(media / "vtest.avi"), realtime=True), max_frames=11).start()
    start = time.perf_counter()
    frames = drain(feeder)
    feeder.stop()
    assert len(frames) >= 2
    # vtest.avi is 10 FPS: frame N is due N/10 s after the start.
    span = frames[-1].capture_time - start
    assert span >= (frames[-1].frame_id / 10.0) - 0.05


def test_folder_and_looping_image(photos):
    feeder = FrameFeeder(parse_source(str(photos))).start()
    assert len(drain(feeder)) == len(list(photos.glob("*.jpg")) + list(photos.glob("*.png")))
    feeder.stop()
    feeder = FrameFeeder(parse_source(str(photos / "dog.jpg"), loop=True), max_frames=5).start()
    assert len(drain(feeder)) == 5
    feeder.stop()


def test_a_dropped_stream_reconnects_by_itself_and_says_so(media):
    from ..httpserver import LoopbackServer

    with LoopbackServer() as server:
        server.routes["/cam.avi"] = (200, (media / "Megamind.avi").read_bytes())
        feeder = FrameFeeder(parse_source(server.url + "/cam.avi")).start()
        seen = 0
        statuses = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (feeder.reconnects < 1 or seen < 300):
            item = feeder.get(timeout=1)
            if item is not None and item is not END:
                seen += 1
            if feeder.status:
                statuses.add(feeder.status.split(" (")[0].split(" after")[0])
        feeder.stop()
    assert feeder.reconnects >= 1 and seen >= 300  # the 270-frame "stream" ended and came back
    assert "stream reconnected" in statuses or "stream lost, reconnecting" in statuses
