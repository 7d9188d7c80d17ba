"""A real DeGirum AI server on loopback: run through it, lose it mid-stream, get it back."""

from __future__ import annotations

import re
import time

import pytest
from degirum_tools import ModelSpec

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.engine.loading import host_device_types, load_model
from model_picker.inference.engine.pipeline import Pipeline
from model_picker.inference.media.sources import FrameFeeder, parse_source

pytestmark = pytest.mark.server


def server_spec(host: str, name: str = "blazeface_short_range") -> ModelSpec:
    return ModelSpec(model_name=name, zoo_url="", inference_host_address=host)


def test_the_server_offers_every_runtime_and_runs_them(ai_server, photos):
    types = host_device_types(ai_server.host)
    assert {"TFLITE/CPU", "ONNX/CPU", "OPENVINO/CPU"} <= set(types)
    import cv2

    for name in ("blazeface_short_range_onnx", "blazeface_short_range_openvino"):
        with load_model(server_spec(ai_server.host, name)) as model:
            assert len(model(cv2.imread(str(photos / "astronaut.png"))).results) == 1


def test_losing_the_server_mid_stream_is_reported_and_it_runs_again_after_restart(ai_server, media):
    model = load_model(server_spec(ai_server.host))
    model.__enter__()
    reported: list[float] = []
    pipeline = Pipeline(model, FrameFeeder(parse_source(str(media / "Megamind.avi"), realtime=True, loop=True)),
                        watchdog_s=3, host=ai_server.host, on_stall=lambda _err: reported.append(time.monotonic()))
    killed_at = None
    # Either the watchdog or PySDK notices first; both say which host was lost.
    with pytest.raises(InferenceError, match=f"(no result from|lost the connection to) {ai_server.host}"):
        for _ in pipeline.run():
            if pipeline.stats.frames == 20:
                ai_server.kill()
                killed_at = time.monotonic()
    assert killed_at is not None
    # Reported by the watchdog (or PySDK) within seconds, not after PySDK's 100 s inference timeout.
    assert (reported[0] if reported else time.monotonic()) - killed_at < 10
    ai_server.restart()
    with load_model(server_spec(ai_server.host)) as again:
        results = list(Pipeline(again, FrameFeeder(parse_source(str(media / "Megamind.avi")), max_frames=30)).run())
    assert len(results) == 30


def test_the_window_reports_the_loss_stays_usable_and_runs_again(qtbot, tmp_path, demo_registry, media, ai_server):
    from PySide6.QtCore import QSettings, Qt

    from model_picker.ui.shell.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("watchdog_s", 3)
    window = MainWindow(str(demo_registry), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.session.catalogue is not None, timeout=20000)
    window.settings_bar.host.setCurrentText(ai_server.host)
    qtbot.keyClick(window.settings_bar.host.lineEdit(), Qt.Key.Key_Return)  # the host applies on Enter
    qtbot.waitUntil(lambda: "TFLITE/CPU" in window.host_label.text(), timeout=20000)
    window.table.select_entry(window.session.catalogue.index_of("blazeface_short_range"))
    window.live.sources.add_path_source(str(media / "Megamind.avi"))
    window.runs.run()
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= 10, timeout=30000)
    ai_server.kill()
    killed_at = time.monotonic()
    qtbot.waitUntil(lambda: ai_server.host in window.last_error, timeout=20000)
    assert time.monotonic() - killed_at < 10
    assert re.search("stopped answering|lost the connection", window.live.video.message)
    qtbot.waitUntil(lambda: window.runs.worker is None, timeout=15000)
    assert window.live.controls.run_button.isEnabled() and not window.live.controls.stop_button.isEnabled()
    ai_server.restart()
    window.last_error = ""
    painted = window.live.video.painted_frames
    window.runs.run()
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= painted + 10, timeout=30000)
    assert window.last_error == ""
    window.runs.stop_run()
    window.close()
