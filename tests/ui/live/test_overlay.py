"""The overlay, HUD, presentation mode and recording, driven as a person does: clicks and keys on the real window."""

from __future__ import annotations

import itertools
import time

import av
import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

SLOW = 40000


@pytest.fixture
def window(window, qtbot):
    """The window of conftest; its run is released before the next test (PySDK may abort otherwise)."""
    yield window
    stop_and_wait(window, qtbot)


def stop_and_wait(window, qtbot):
    worker = window.runs.worker
    window.runs.stop_run()
    if worker is not None:
        qtbot.waitUntil(lambda: not worker.isRunning(), timeout=20000)


def click_row(window, qtbot, name):
    """Click the model's row in the table's viewport."""
    proxy = window.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == name)
    index = proxy.index(row, 0)
    window.table.scrollTo(index)
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=window.table.visualRect(index).center())
    qtbot.waitUntil(lambda: window.table.selected_entry() is not None
                    and window.session.catalogue.entries[window.table.selected_entry()].name == name, timeout=5000)


def run(window, qtbot, name, source, realtime=True):
    click_row(window, qtbot, name)
    window.live.sources.add_path_source(str(source))
    window.live.sources.realtime.setChecked(realtime)
    qtbot.mouseClick(window.live.controls.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.runs.worker is not None and window.live.video.painted_frames >= 1  # a photo: once
                    and window.live.video.shapes is not None, timeout=SLOW)


def press(window, qtbot, key):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, key)


def grab(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()  # RGB


@pytest.fixture
def large_photo(photos, tmp_path):
    """ThreePersons.jpg at 2377 px wide: the size where PySDK's burnt-in labels were ~3 px tall."""
    image = cv2.imread(str(photos / "ThreePersons.jpg"))
    path = tmp_path / "ThreePersons-large.jpg"
    cv2.imwrite(str(path), cv2.resize(image, (2377, round(2377 * image.shape[0] / image.shape[1]))))
    return path


def test_labels_on_a_large_photo_are_readable_inside_the_view_and_never_overlap(window, qtbot, large_photo):
    window.resize(1920, 1080)
    run(window, qtbot, "ssd_mobilenet_v2_coco_quant", large_photo)
    video = window.live.video
    qtbot.waitUntil(lambda: len(video.overlay.label_rects) >= 3, timeout=SLOW)
    labelled = [b for b in video.shapes.boxes if b.text]
    rects = video.overlay.label_rects
    assert len(rects) == len(labelled)  # every label found a place
    assert all(video.rect().toRectF().contains(r) for r in rects)
    assert not any(a.intersects(b) for a, b in itertools.combinations(rects, 2))
    assert min(r.height() for r in rects) >= 14  # screen pixels: readable, whatever the photo's size
    assert all(t.text.startswith("person ") and 0 <= float(t.text.split()[-1]) <= 1 for t in labelled)
    # The labels are painted on the screen, on a plate of the box colour: the view's pixels there are not the photo's.
    shot = grab(video)
    r = rects[0].toRect()
    plate = shot[r.top() + 1:r.bottom() - 1, r.left() + 1:r.right() - 1].reshape(-1, 3)
    color = np.array(labelled[0].color) if len(labelled) == 1 else None
    assert plate.size and (color is None or (np.abs(plate.astype(int) - color).max(axis=1) < 10).mean() > 0.3)


def test_h_hides_and_shows_the_hud(window, qtbot, media):
    run(window, qtbot, "ssd_mobilenet_v2_coco_quant", media / "Traffic.mp4")
    video = window.live.video
    qtbot.waitUntil(lambda: any("FPS" in line for line in video.hud_lines) and not video.hud_rect.isEmpty(),
                    timeout=SLOW)
    assert video.hud_rect.height() < video.height() / 4  # compact
    press(window, qtbot, Qt.Key.Key_H)
    qtbot.waitUntil(lambda: video.hud_lines == [], timeout=2000)
    video.repaint()
    assert video.hud_rect.isEmpty()
    press(window, qtbot, Qt.Key.Key_H)
    qtbot.waitUntil(lambda: any("FPS" in line for line in video.hud_lines), timeout=2000)


def test_hud_corner_is_a_setting_and_never_covers_classification_results(qtbot, demo_registry, tmp_path, photos):
    from model_picker.ui.shell.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("output_dir", str(tmp_path / "out"))
    settings.setValue("hud_corner", "top-left")  # where the classification list goes by default
    window = MainWindow(str(demo_registry), settings)
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    qtbot.waitUntil(lambda: window.session.catalogue is not None, timeout=20000)
    try:
        run(window, qtbot, "efficientnet_lite0_imagenet", photos / "Cat.jpg")
        video = window.live.video
        qtbot.waitUntil(lambda: "classes" in video.overlay.panel_rects and not video.hud_rect.isEmpty(),
                        timeout=SLOW)
        assert video.hud_rect.left() < video.width() / 2 and video.hud_rect.top() < video.height() / 2
        assert not video.overlay.panel_rects["classes"].intersects(video.hud_rect)
        assert len(video.shapes.classes) == 5
        corner = next(a for a in window.findChildren(type(window.presentation.hud_action))
                      if a.text() == "Bottom Right")
        corner.trigger()  # View → HUD Corner → Bottom Right
        video.repaint()
        assert video.hud_rect.right() > video.width() - 20 and video.hud_rect.bottom() > video.height() - 20
        assert settings.value("hud_corner") == "bottom-right"
    finally:
        stop_and_wait(window, qtbot)


def test_f11_presents_the_video_alone_and_esc_brings_everything_back(window, qtbot, media):
    window.log_dock.show()
    run(window, qtbot, "ssd_mobilenet_v2_coco_quant", media / "Traffic.mp4")
    video = window.live.video
    qtbot.waitUntil(lambda: len(video.hud_lines) >= 3, timeout=SLOW)
    press(window, qtbot, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: video.presentation, timeout=3000)
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    for widget in (window.menuBar(), window.statusBar(), window.log_dock, window.table, window.live.controls.run_button,
                   window.live.sources.source, window.details):
        assert not widget.isVisible()
    qtbot.waitUntil(lambda: video.width() >= window.width() - 20, timeout=3000)  # the video fills the window
    text = " ".join(video.hud_lines)
    assert "ssd_mobilenet_v2_coco_quant" in text and "FPS" in text and "@local" in text
    assert "TFLITE/CPU" in text and "skipped" not in text
    qtbot.waitUntil(lambda: video.shapes is not None and video.shapes.counts.get("car", 0) > 0, timeout=SLOW)
    big = video.hud_rect.height() / len(video.hud_lines)
    assert big >= 30  # large type
    press(window, qtbot, Qt.Key.Key_H)  # the window's keys still work: H hides the HUD
    qtbot.waitUntil(lambda: video.hud_lines == [], timeout=2000)
    press(window, qtbot, Qt.Key.Key_H)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)  # Run → Pause, from a hidden menu
    qtbot.waitUntil(lambda: window.live.controls.pause_button.isChecked(), timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    press(window, qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not video.presentation, timeout=3000)
    assert not window.windowState() & Qt.WindowState.WindowFullScreen
    for widget in (window.menuBar(), window.statusBar(), window.log_dock, window.table,
                   window.live.controls.run_button):
        assert widget.isVisible()


def test_closing_in_presentation_mode_saves_the_normal_window(window, qtbot, settings):
    press(window, qtbot, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: window.live.video.presentation, timeout=3000)
    window.close()
    assert not window.live.video.presentation  # left before the window saved its layout
    assert not window.windowState() & Qt.WindowState.WindowFullScreen


def test_segmentation_masks_are_translucent_with_a_legend_and_follow_the_opacity_control(window, qtbot, photos):
    run(window, qtbot, "deeplabv3_mnv2_pascal", photos / "person.jpg")
    video = window.live.video
    qtbot.waitUntil(lambda: "legend" in video.overlay.panel_rects, timeout=SLOW)
    mask = video.shapes.mask
    assert "person" in [label for label, _c in mask.legend]
    assert "background" not in [label for label, _c in mask.legend]
    person = next(i for i in range(256) if mask.colors[i, 3] and tuple(mask.colors[i, :3]) == next(
        c for label, c in mask.legend if label == "person"))
    first = int(mask.colors[person, 3])
    assert 60 < first < 200  # the photo shows through
    # The opacity control: type 0.5 into it.
    spin = window.live.overlay.alpha
    qtbot.mouseDClick(spin.lineEdit(), Qt.MouseButton.LeftButton)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.5")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: int(video.shapes.mask.colors[person, 3]) < first * 0.7, timeout=SLOW)


def test_record_writes_h264_that_plays_and_the_pane_says_rec(window, qtbot, media, tmp_path):
    qtbot.mouseClick(window.live.controls.record_button, Qt.MouseButton.LeftButton)
    run(window, qtbot, "ssd_mobilenet_v2_coco_quant", media / "Traffic.mp4")
    video = window.live.video
    qtbot.waitUntil(lambda: not video.rec_rect.isEmpty(), timeout=SLOW)
    started = time.perf_counter()
    qtbot.wait(2500)
    video.repaint()
    shot = grab(video)
    r = video.rec_rect.toRect()
    area = shot[r.top():r.bottom(), r.left():r.right()].reshape(-1, 3).astype(int)
    assert ((area[:, 0] > 180) & (area[:, 1] < 80) & (area[:, 2] < 80)).sum() > 20  # the red dot
    assert "REC 00:0" in window.live.video._rec_panel(None)[1] and time.perf_counter() - started > 2
    qtbot.mouseClick(window.live.controls.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "recording" in window.statusBar().currentMessage(), timeout=SLOW)
    path = next((tmp_path / "out").glob("*recording*.mp4"))
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        decoded = sum(1 for _ in container.decode(video=0))
    assert decoded >= 3  # a few seconds of a loaded 2-core machine at a few FPS
    capture = cv2.VideoCapture(str(path))
    ok, frame = capture.read()
    capture.release()
    assert ok and frame.shape[0] > 100


def test_snapshot_saves_what_is_shown(window, qtbot, photos, tmp_path):
    run(window, qtbot, "ssd_mobilenet_v2_coco_quant", photos / "person.jpg")
    qtbot.mouseClick(window.live.controls.snapshot_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "snapshot" in window.statusBar().currentMessage(), timeout=SLOW)
    saved = cv2.imread(str(next((tmp_path / "out").glob("*snapshot*.png"))))
    raw = cv2.imread(str(photos / "person.jpg"))
    assert saved.shape == raw.shape
    changed = np.abs(saved.astype(int) - raw.astype(int)).max(axis=2) > 40
    assert 0.002 < changed.mean() < 0.3  # boxes and labels over the same photo
    x1, y1, x2 = 182, 106, 269  # the person box COCO SSD finds
    assert changed[y1 - 2:y1 + 2, x1:x2].mean() > 0.3


def test_presentation_hud_hides_pacing_skips_but_not_device_losses():
    from model_picker.ui.live.hud import HudInfo

    info = HudInfo("m", "OPENVINO/CPU", "@local", 30.0, 5, 9, 0, skipped=12, late=3)
    assert any("real-time pacing" in line for line in info.lines())
    assert not any("skipped" in line or "pacing" in line for line in info.lines(presentation=True))
    assert any("could not keep up" in line for line in info.lines(presentation=True))


def test_leaving_presentation_mode_gives_the_name_column_its_width_back(window, qtbot, photos):
    """Found by hand under Xvfb: after F11 and Esc the names were cut to 'ssd_mobilenet_v…'."""
    window.resize(1440, 900)
    run(window, qtbot, "ssd_mobilenet_v2_coco_quant", photos / "person.jpg")
    before = window.table.columnWidth(0)
    assert before >= window.table.fontMetrics().horizontalAdvance("ssd_mobilenetv2_oidv4_openvino")
    press(window, qtbot, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: window.live.video.presentation, timeout=3000)
    press(window, qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.table.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: window.table.columnWidth(0) == before, timeout=3000)
    assert window.table.name_view.columnWidth(0) == before


def test_the_hud_always_shows_the_newest_figures(qtbot, photos):
    """The HUD plate is drawn once per change of its text: a new figure must reach the screen, the same one not."""
    from model_picker.ui.live.hud import HudInfo
    from model_picker.ui.live.qimages import to_qimage
    from model_picker.ui.live.video_view import VideoView

    view = VideoView()
    qtbot.addWidget(view)
    view.resize(800, 450)
    view.show()
    qtbot.waitExposed(view)
    view.set_message("")
    view.show_frame(to_qimage(cv2.imread(str(photos / "person.jpg")), view.display_size()))

    def hud_pixels(fps: float) -> np.ndarray:
        view.set_hud(HudInfo("ssd_mobilenet_v2_coco_quant", "TFLITE/CPU", "@local", fps, 70.0, 90.0))
        shot = grab(view)  # painted now, with the figures just set
        rect = view.hud_rect.toRect()
        assert rect.width() > 50
        return shot[rect.top():rect.bottom(), rect.left():rect.right()]

    first = hud_pixels(12.5)
    assert first.size and not np.array_equal(hud_pixels(13.5), first)  # the new FPS is painted
    assert np.array_equal(hud_pixels(12.5), first)  # and the old one again, pixel for pixel


def test_a_file_at_full_speed_is_previewed_at_30_frames_a_second(window, qtbot, media):
    """Full speed is a measurement: the preview is capped at 30 painted frames a second, the rest go to the model."""
    run(window, qtbot, "blazeface_short_range_openvino", media / "Traffic.mp4", realtime=False)
    video, worker = window.live.video, window.runs.worker
    painted, inferred, start = video.painted_frames, worker.inferences, time.perf_counter()
    qtbot.wait(3000)
    painted, inferred = video.painted_frames - painted, worker.inferences - inferred
    seconds = time.perf_counter() - start
    assert inferred > 2 * painted  # the model ran faster than the preview
    assert painted <= 30 * seconds + 2


def test_the_hud_names_the_device_the_way_a_person_reads_it(window, qtbot, media):
    """'OPENVINO/CPU #0 of 0' read as 'device 0 of none': one device is named alone, several as 'of N'."""
    run(window, qtbot, "blazeface_short_range_openvino", media / "Traffic.mp4")
    video = window.live.video
    qtbot.waitUntil(lambda: any("FPS" in line for line in video.hud_lines), timeout=SLOW)
    assert "OPENVINO/CPU #0 · @local" in video.hud_lines


def test_a_file_in_real_time_starts_at_its_first_frame_without_skipping_while_the_model_starts(window, qtbot, media):
    """The video's clock must not run while the model makes its first inference (the HUD would say frames were
    skipped for real-time pacing a second into a demo): it starts with the first result, so a fast model skips
    nothing."""
    run(window, qtbot, "blazeface_short_range_openvino", media / "Traffic.mp4")
    worker = window.runs.worker
    qtbot.waitUntil(lambda: worker.inferences >= 45, timeout=SLOW)  # 1.5 s of the video
    snapshot = worker.pipeline.stats.snapshot()
    # None here (test_sources pins the frame waiting at the start); one late frame allowed on a loaded machine.
    assert snapshot.skipped <= 1, snapshot.drop_text()
