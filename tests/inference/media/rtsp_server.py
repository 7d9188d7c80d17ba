"""A real RTSP server for the tests: GStreamer's gst-rtsp-server, run by the system python.

Usage: /usr/bin/python3 rtsp_server.py PORT VIDEO.avi  (an MJPEG AVI; served at rtsp://127.0.0.1:PORT/cam)
Needs the Debian packages python3-gi, gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-plugins-good.
Prints "ready" once it listens; runs until killed.
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port, video = sys.argv[1], sys.argv[2]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
# MJPEG frames straight from the AVI into RTP: no decoder plugin needed, paced by the pipeline clock.
factory.set_launch(f'( filesrc location="{video}" ! avidemux ! rtpjpegpay name=pay0 pt=26 )')
factory.set_shared(True)
server.get_mount_points().add_factory("/cam", factory)
if server.attach(None) == 0:
    sys.exit(f"cannot listen on 127.0.0.1:{port}")
print("ready", flush=True)
GLib.MainLoop().run()
