"""A real RTSP server on loopback (GStreamer's): the app reads it, hears it go away, and reconnects.

The server runs under the system python with Debian's GStreamer RTSP server (python3-gi,
gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-good); without them these tests are skipped
and say so. The bundled video is re-encoded to MJPEG first so the server needs no decoder.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import cv2
import pytest

from model_picker.inference.media.sources import END, FrameFeeder, parse_source
from tests.conftest import free_port

SYSTEM_PYTHON = "/usr/bin/python3"
SERVER = Path(__file__).with_name("rtsp_server.py")


def gstreamer_rtsp_missing() -> str:
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import gi; gi.require_version('GstRtspServer', '1.0'); "
                            "from gi.repository import GstRtspServer"], capture_output=True, text=True)
    return "" if probe.returncode == 0 else ("needs apt packages python3-gi gir1.2-gst-rtsp-server-1.0 "
                                              "gstreamer1.0-plugins-good: " + probe.stderr.strip()[-200:])


pytestmark = pytest.mark.skipif(bool(gstreamer_rtsp_missing()), reason=gstreamer_rtsp_missing() or "ok")


@pytest.fixture(scope="module")
def mjpeg_video(media, tmp_path_factory) -> Path:
    return make_mjpeg(media, tmp_path_factory.mktemp("rtsp"))


def make_mjpeg(media: Path, folder: Path) -> Path:
    """Megamind.avi as MJPEG (what the server's RTP payloader takes without decoding)."""
    out = folder / "megamind-mjpeg.avi"
    reader = cv2.VideoCapture(str(media / "Megamind.avi"))
    fps = reader.get(cv2.CAP_PROP_FPS)
    writer = None
    while True:
        ok, frame = reader.read()
        if not ok:
            break
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"MJPG"), fps, frame.shape[1::-1])
        writer.write(frame)
    writer.release()
    return out


class RtspServer:
    def __init__(self, video: Path) -> None:
        self.video = video
        self.port = free_port()
        self.url = f"rtsp://127.0.0.1:{self.port}/cam"
        self.process: subprocess.Popen | None = None

    def start(self) -> RtspServer:
        self.process = subprocess.Popen([SYSTEM_PYTHON, str(SERVER), str(self.port), str(self.video)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready", self.process.stderr.read()
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def rtsp_server(mjpeg_video):
    server = RtspServer(mjpeg_video).start()
    yield server
    server.kill()


def test_a_real_rtsp_stream_is_read_lost_and_reconnected(rtsp_server):
    said: list[tuple[float, str]] = []
    feeder = FrameFeeder(parse_source(rtsp_server.url), on_status=lambda t: said.append((time.monotonic(), t)))
    feeder.start()
    frames, killed_at, restarted = 0, None, False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            item = feeder.get(timeout=0.2)
            if item is END:
                break
            if item is not None:
                frames += 1
                if restarted and frames >= 40:
                    break
            if frames >= 20 and killed_at is None:
                rtsp_server.kill()  # mid-run: the camera goes away
                killed_at = time.monotonic()
            if killed_at is not None and not restarted and any("stream lost" in t for _, t in said):
                time.sleep(1)
                rtsp_server.start()  # and comes back on the same address
                restarted = True
                frames = 20
    finally:
        feeder.stop()
    lost = [t for t, text in said if "stream lost, reconnecting" in text]
    assert killed_at is not None and lost, said
    assert lost[0] - killed_at < 10.0  # reported within the watchdog time, not after minutes
    assert restarted and any("stream back" in text for _, text in said), said
    assert frames >= 40  # frames flow again after the reconnect
    assert "rtsp://127.0.0.1" in said[0][1]


def test_the_cli_says_when_the_rtsp_camera_goes_away_and_comes_back(rtsp_server):
    import sys
    import threading

    process = subprocess.Popen([sys.executable, "-m", "model_picker", "run", "blazeface_short_range", "--source",
                                rtsp_server.url, "--frames", "150"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(line.startswith("frame ") for line in lines):
        time.sleep(0.2)  # frames are flowing
    rtsp_server.kill()
    while time.monotonic() < deadline and not any("stream lost" in line for line in lines):
        time.sleep(0.2)
    rtsp_server.start()
    try:  # not communicate(): it would read stderr too, taking lines from under the reader thread
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        process.kill()
    out = process.stdout.read()
    reader.join(5)
    text = "".join(lines)
    assert process.returncode == 0, text
    assert "model-picker: warning: rtsp://127.0.0.1" in text and "stream lost, reconnecting (attempt 1" in text
    assert "stream back after" in text
    assert int(out.split("Frames     ")[1].split()[0]) > 0  # --frames 150 counts frames read, also after the loss
