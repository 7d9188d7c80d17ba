"""Sources say what is wrong and where, and never mistake a file for a camera."""

from __future__ import annotations

import time

import pytest

from model_picker.inference.media.sources import END, FrameFeeder, SourceError, open_reader, parse_source


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


def test_a_slow_consumer_wakes_the_feeder_in_bursts_not_per_frame(media):
    """The feeder waits on a full queue; each frame taken must not cost a thread wake-up (bench: 11% of a core)."""
    feeder = FrameFeeder(parse_source(str(media / "Megamind.avi")), max_frames=120).start()
    frames = []
    while (item := feeder.get(timeout=5)) not in (END, None):
        frames.append(item)
        time.sleep(0.002)  # slower than decoding: the queue is full whenever the consumer looks
    feeder.stop()
    assert [f.frame_id for f in frames] == list(range(120))
    assert 0 < feeder.queue.wakeups <= 120 // 3  # about one per depth/2 = 4 frames; queue.Queue: one per frame


def test_a_live_queue_keeps_only_the_newest_frames_and_counts_the_rest():
    from model_picker.inference.engine.handoff import FrameQueue

    q = FrameQueue(2)
    assert [q.put_latest(i) for i in range(5)] == [0, 0, 1, 1, 1]
    assert (q.get(), q.get(), q.get()) == (3, 4, None)


def test_realtime_playback_is_never_faster_than_the_file(media):
    feeder = FrameFeeder(parse_source(str(media / "vtest.avi"), realtime=True), max_frames=11).start()
    start = time.perf_counter()
    frames = drain(feeder)
    feeder.stop()
    assert len(frames) >= 2
    # vtest.avi is 10 FPS: frame N is due N/10 s after the start.
    span = frames[-1].capture_time - start
    assert span >= (frames[-1].frame_id / 10.0) - 0.05


def test_a_held_realtime_file_plays_the_waiting_frame_first_when_released(media):
    """Released (Resume, or a run's first result), the frame waiting is the one due now. The feeder read the next
    one at once and it replaced the waiting one: '1 skipped (real-time pacing)' at every start of a demo."""
    feeder = FrameFeeder(parse_source(str(media / "vtest.avi"), realtime=True), max_frames=6)
    feeder.hold(True)
    feeder.start()
    first = feeder.get(timeout=5)
    deadline = time.monotonic() + 5
    while feeder.queue.empty() and time.monotonic() < deadline:  # frame 1 read, held
        time.sleep(0.005)
    feeder.hold(False)
    time.sleep(0.03)  # the consumer still busy with a result: well within the file's 100 ms a frame
    second = feeder.get(timeout=5)
    feeder.stop()
    assert (first.frame_id, second.frame_id) == (0, 1) and feeder.dropped == 0


def test_folder_and_looping_image(photos):
    feeder = FrameFeeder(parse_source(str(photos))).start()
    assert len(drain(feeder)) == len(list(photos.glob("*.jpg")) + list(photos.glob("*.png")))
    feeder.stop()
    feeder = FrameFeeder(parse_source(str(photos / "dog.jpg"), loop=True), max_frames=5).start()
    assert len(drain(feeder)) == 5
    feeder.stop()


def test_a_dropped_stream_reconnects_by_itself_and_says_so(media):
    from tests.httpserver import LoopbackServer

    with LoopbackServer() as server:
        server.routes["/cam.avi"] = (200, (media / "Megamind.avi").read_bytes())
        said: list[str] = []
        feeder = FrameFeeder(parse_source(server.url + "/cam.avi"), on_status=said.append).start()
        seen = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (feeder.reconnects < 1 or seen < 300):
            item = feeder.get(timeout=1)
            if item is not None and item is not END:
                seen += 1
        feeder.stop()
    assert feeder.reconnects >= 1 and seen >= 300  # the 270-frame "stream" ended and came back
    assert any("stream lost, reconnecting (attempt 1" in text for text in said)  # said at once, visibly
    assert any("stream back" in text for text in said)


def test_a_bad_image_in_a_folder_is_skipped_with_a_warning(photos, tmp_path):
    """Issue 8 item 11: one bad image used to end the whole folder run."""
    import shutil

    for name in ("Cat.jpg", "dog.jpg", "person.jpg"):
        shutil.copy(photos / name, tmp_path / name)
    (tmp_path / "Damaged.jpg").write_bytes((photos / "dog.jpg").read_bytes()[:200])  # sorts after Cat.jpg
    said: list[str] = []
    feeder = FrameFeeder(parse_source(str(tmp_path)), on_status=said.append).start()
    assert len(drain(feeder)) == 3  # every good image, also the ones after the bad one
    feeder.stop()
    assert feeder.error is None
    assert said == [f"skipped {tmp_path / 'Damaged.jpg'}: cannot decode the image (corrupt or unsupported format)"]


def test_a_truncated_video_says_it_ended_early(media, tmp_path):
    data = (media / "Megamind.avi").read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    said: list[str] = []
    feeder = FrameFeeder(parse_source(str(cut)), on_status=said.append).start()
    frames = len(drain(feeder))
    feeder.stop()
    assert 0 < frames < 270
    assert said == [f"cut.avi: the file ended early: {frames} of 270 frames read (truncated or damaged)"]


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size: signature and IHDR (its data would never be reached)."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


def test_huge_images_are_refused_or_decoded_reduced_before_decoding(tmp_path):
    """Issue 8 item 13: a 20000x20000 PNG took 2.5 GB. The header is read first."""
    import cv2
    import numpy as np

    from model_picker.inference.media.images import header_size, read_image

    huge = tmp_path / "huge.png"
    huge.write_bytes(png_header(20000, 20000) + b"\x00" * 64)
    assert header_size(huge) == (20000, 20000)
    with pytest.raises(SourceError, match=r"huge.png: 20000x20000 pixels \(400 MP\) is over the 50 MP limit"):
        open_reader(parse_source(str(huge)))
    big = tmp_path / "big.jpg"
    cv2.imwrite(str(big), np.full((6000, 9000, 3), 128, np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 50])
    assert header_size(big) == (9000, 6000)
    notes: list[str] = []
    image = read_image(big, notes.append)
    assert image.shape == (3000, 4500, 3)
    assert notes == ["big.jpg: 9000x6000 pixels (54 MP) is over the 50 MP limit: decoded at 1/2 size (4500x3000)"]


def test_stream_text_never_shows_credentials():
    spec = parse_source("rtsp://admin:secret@10.0.0.9:554/live?token=abc")
    assert spec.location == "rtsp://admin:secret@10.0.0.9:554/live?token=abc"  # kept to connect
    assert "secret" not in spec.describe() and "abc" not in spec.describe()


def test_a_stalled_stream_is_reported_within_the_watchdog_time_and_retried(media):
    """Issue 8 item 11: a stream that stalls mid-run used to reconnect silently for over 150 s."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    data = (media / "Megamind.avi").read_bytes()
    release = threading.Event()

    class Stalling(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "video/x-msvideo")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])  # then nothing, the connection open: a stall
            self.wfile.flush()
            release.wait(60)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    said: list[tuple[float, str]] = []
    url = f"http://127.0.0.1:{server.server_address[1]}/cam.avi"
    feeder = FrameFeeder(parse_source(url), on_status=lambda text: said.append((time.monotonic(), text))).start()
    last_frame = time.monotonic()
    deadline = time.monotonic() + 40
    try:
        while time.monotonic() < deadline and feeder.reconnects < 2:
            item = feeder.get(timeout=0.2)
            if item is not None and item is not END:
                last_frame = time.monotonic()
    finally:
        feeder.stop()
        release.set()
        server.shutdown()
        server.server_close()
    lost = [(t, text) for t, text in said if "stream lost, reconnecting" in text]
    assert lost, said
    assert lost[0][0] - last_frame < 10.0  # within the default 10 s watchdog (was: silent for 150 s)
    assert feeder.reconnects >= 2  # and it keeps trying, saying so each time
    assert "attempt 2" in lost[-1][1]
