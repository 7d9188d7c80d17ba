"""The live side on a real event loop: real models over real videos, painted in the window."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from model_picker.ui.live.worker import InferenceWorker

SLOW = 30000


def choose(window, name, source, realtime=False, loop=True):
    window.table.select_entry(window.session.catalogue.index_of(name))
    window.live.sources.add_path_source(str(source))
    window.live.sources.realtime.setChecked(realtime)
    window.live.sources.loop.setChecked(loop)


def qimage_to_bgr(image) -> np.ndarray:
    image = image.convertToFormat(image.Format.Format_RGB888)
    ptr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return cv2.cvtColor(ptr[:, : image.width() * 3].reshape(image.height(), image.width(), 3), cv2.COLOR_RGB2BGR)


def test_coco_ssd_on_traffic_paints_frames_with_detections(window, qtbot, media):
    choose(window, "ssd_mobilenet_v2_coco_quant", media / "Traffic.mp4")
    window.runs.run()
    qtbot.waitUntil(lambda: window.runs.worker is not None and window.runs.worker.results_with_detections > 0
                    and window.live.video.painted_frames >= 10, timeout=SLOW)
    worker = window.runs.worker
    assert isinstance(worker, InferenceWorker)
    assert window.live.controls.state_label.text() == "Running"
    assert any("FPS" in line for line in window.live.video.hud_lines)
    window.runs.stop_run()
    assert window.runs.worker is None and not window.live.controls.stop_button.isEnabled()  # at once
    qtbot.waitUntil(lambda: not worker.isRunning(), timeout=10000)  # the thread ends in the background


def test_the_painted_image_is_the_frame_with_its_overlay(window, qtbot, photos):
    choose(window, "ssd_mobilenet_v2_coco_quant", photos / "person.jpg")
    window.runs.run()
    video = window.live.video
    # a photo is inferred once; the overlay is drawn by the view, over the frame
    qtbot.waitUntil(lambda: video.painted_frames >= 1 and video.shapes is not None and bool(video.shapes.boxes),
                    timeout=SLOW)
    rect = video.image_rect()
    painted = qimage_to_bgr(video.grab(rect).toImage())
    raw = cv2.resize(cv2.imread(str(photos / "person.jpg")), (painted.shape[1], painted.shape[0]))
    changed = np.abs(painted.astype(int) - raw.astype(int)).max(axis=2) > 40
    assert 0.002 < changed.mean() < 0.3  # box lines and labels, not a different picture
    scale = rect.width() / 640
    x1, y1, x2 = (round(v * scale) for v in (182, 106, 269))  # the person box COCO SSD finds (model tests)
    assert changed[y1 - 3:y1 + 3, x1:x2].mean() > 0.3  # the top edge of the box is drawn
    worker = window.runs.worker
    window.runs.stop_run()
    qtbot.waitUntil(lambda: not worker.isRunning(), timeout=20000)  # released before the next test's window


def test_switching_model_while_running(window, qtbot, media):
    choose(window, "blazeface_short_range", media / "Megamind.avi")
    window.runs.run()
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= 5, timeout=SLOW)
    first = window.runs.worker
    window.table.select_entry(window.session.catalogue.index_of("blazeface_short_range_openvino"))
    window.runs.run()
    qtbot.waitUntil(lambda: not first.isRunning(), timeout=10000)
    second = window.runs.worker
    assert second is not first and second.request.spec.model_name == "blazeface_short_range_openvino"
    painted = window.live.video.painted_frames
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= painted + 5, timeout=SLOW)
    qtbot.waitUntil(lambda: "OPENVINO/CPU" in second.device_text, timeout=SLOW)


def test_pause_and_step(window, qtbot, media):
    choose(window, "blazeface_short_range", media / "Megamind.avi")
    window.runs.run()
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= 3, timeout=SLOW)
    window.live.controls.pause_button.setChecked(True)
    qtbot.waitUntil(lambda: window.runs.worker.pipeline.in_flight == 0, timeout=10000)  # frames sent before the pause
    qtbot.wait(500)
    received = window.runs.worker.pipeline.stats.frames
    qtbot.wait(500)
    assert window.runs.worker.pipeline.stats.frames == received
    window.live.controls.step_button.click()
    qtbot.waitUntil(lambda: window.runs.worker.pipeline.stats.frames == received + 1, timeout=5000)
    window.live.controls.pause_button.setChecked(False)
    qtbot.waitUntil(lambda: window.runs.worker.pipeline.stats.frames > received + 5, timeout=SLOW)


def test_snapshot_recording_and_export(window, qtbot, media, tmp_path):
    choose(window, "blazeface_short_range", media / "Megamind.avi", loop=False)
    window.live.controls.record_button.setChecked(True)
    window.live.controls.export_button.setChecked(True)
    window.runs.run()
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= 5, timeout=SLOW)
    window.live.controls.snapshot_button.click()
    # 270 frames, on a loaded CPU
    qtbot.waitUntil(lambda: window.live.controls.state_label.text() == "Finished", timeout=3 * SLOW)
    out = tmp_path / "out"
    snapshot = next(out.glob("*-snapshot-*.png"))
    assert cv2.imread(str(snapshot)).shape == (528, 720, 3)
    video = next(out.glob("*-recording-*.mp4"))
    assert int(cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FRAME_COUNT)) > 200
    csv_rows = next(out.glob("*-detections-*.csv")).read_text().splitlines()
    assert csv_rows[0].startswith("frame,time_s,label") and any(",face," in r for r in csv_rows[1:])
    assert next(out.glob("*-detections-*.jsonl")).read_text().count("\n") == 270


def test_missing_video_gives_a_message_not_a_crash(window, qtbot, tmp_path, media):
    gone = tmp_path / "gone.mp4"
    gone.write_bytes((media / "Megamind.avi").read_bytes()[:1000])  # exists, then corrupt
    choose(window, "blazeface_short_range", gone)
    window.runs.run()
    qtbot.waitUntil(lambda: "gone.mp4" in window.last_error, timeout=SLOW)
    assert "cannot decode the video" in window.live.video.message
    assert window.runs.worker is None or not window.runs.worker.isRunning()
    window.live.sources.add_path_source(str(tmp_path / "never.mp4"))
    assert "never.mp4: file not found" in window.live.video.message
    # still usable: a good source runs
    choose(window, "blazeface_short_range", media / "Megamind.avi")
    window.runs.run()
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= 3, timeout=SLOW)


@pytest.mark.parametrize("name", ["efficientnet_lite0_imagenet_openvino", "deeplabv3_mnv2_pascal_onnx"])
def test_classification_and_segmentation_paint_too(window, qtbot, photos, name):
    choose(window, name, photos / "dog.jpg")
    window.runs.run()
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= 1, timeout=SLOW)  # a photo: inferred once
    assert window.last_error == ""


def test_settings_persist_between_runs(qtbot, settings, demo_registry, media):
    from model_picker.ui.shell.main_window import MainWindow

    first = MainWindow(str(demo_registry), settings)
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: first.session.catalogue is not None, timeout=20000)
    first.settings_bar.host.setCurrentText("localhost:8778")
    first.live.overlay.line_width.setValue(5)
    first.live.overlay.classes.setText("person, car")
    first.live.sources.add_path_source(str(media / "vtest.avi"))
    first.close()
    second = MainWindow(None, settings)
    qtbot.addWidget(second)
    qtbot.waitUntil(lambda: second.session.catalogue is not None, timeout=20000)
    assert second.settings_bar.host_text() == "localhost:8778"
    assert second.live.overlay.options().line_width == 5
    assert second.live.overlay.options().classes == ()  # the class filter is per session (docs/window.md)
    assert second.live.sources.source_spec().location == str(media / "vtest.avi")
    assert second.session.base.document.origin == str(demo_registry)
    second.close()


def test_validate_action_opens_a_report(window, qtbot, photos):
    choose(window, "blazeface_short_range_openvino", photos / "astronaut.png")
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # Run → Validate
    qtbot.waitUntil(lambda: window.validation.validate_dialog is not None, timeout=5000)
    ok = window.validation.validate_dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.validation.report is not None, timeout=SLOW)
    text = window.validation.report.browser.toPlainText()
    assert "blazeface_short_range_openvino on @local" in text and "Throughput" in text
    assert window.validation.report.results[0].frames == 300
    window.validation.report.accept()
