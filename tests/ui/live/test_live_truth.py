"""What the live view says is true: the class filter, the model that runs, the host it runs on.

Driven as a person does: typing in the fields, clicking rows and Run on the real window,
with the bundled models (COCO SSD labels "person", the Open Images SSD "Person").
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.live.test_overlay import SLOW, click_row, stop_and_wait

COCO, OIDV4, BLAZEFACE = "ssd_mobilenet_v2_coco_quant", "ssd_mobilenetv2_oidv4", "blazeface_short_range"


@pytest.fixture
def window(window, qtbot):
    yield window
    stop_and_wait(window, qtbot)


def type_classes(window, qtbot, text):
    """Select the Classes field's text, type over it and press Enter, as a user does."""
    field = window.live.overlay.classes
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(field, text)
    else:
        qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def run_photo(window, qtbot, name, photo):
    """Click the model's row, choose the photo, click Run; wait for the photo's result."""
    click_row(window, qtbot, name)
    window.live.sources.add_path_source(str(photo))
    before = window.runs.worker
    qtbot.mouseClick(window.live.controls.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.runs.worker is not None and window.runs.worker is not before
                    and window.live.video.hud is not None and window.live.video.hud.still
                    and window.live.video.hud.model == name, timeout=SLOW)
    return window.live.video


def test_the_class_filter_ignores_case_so_person_finds_the_open_images_persons(window, qtbot, photos):
    type_classes(window, qtbot, "person")
    video = run_photo(window, qtbot, COCO, photos / "bikes.jpg")
    assert video.shapes.boxes and all(b.text.startswith("person") for b in video.shapes.boxes)
    video = run_photo(window, qtbot, OIDV4, photos / "bikes.jpg")  # 2 Persons and a Bicycle
    assert len(video.shapes.boxes) == 2, video.message  # "Person": the same class, written with a capital
    assert all(b.text.startswith("Person") for b in video.shapes.boxes)
    assert video.shapes.hidden_by_filter == 1
    assert not window.live.overlay.classes.property("warning")


def test_an_empty_photo_says_how_many_the_filter_and_the_threshold_hid(window, qtbot, photos):
    video = run_photo(window, qtbot, COCO, photos / "ThreePersons.jpg")
    everything = len(video.shapes.boxes)  # the independent count: the same run without a filter
    assert everything >= 3
    type_classes(window, qtbot, "dog")  # a COCO label, not in the photo: the filter hides all
    qtbot.waitUntil(lambda: video.shapes is not None and not video.shapes.boxes and "hid" in video.message,
                    timeout=SLOW)
    assert f"the class filter (dog) hid {everything};" in video.message
    assert "the threshold" in video.message and "nothing found above the threshold" not in video.message
    assert not window.live.overlay.classes.property("warning")  # "dog" is a label of the model


def test_a_filter_matching_none_of_the_models_labels_is_flagged_on_the_field_and_in_the_hud(window, qtbot,
                                                                                             photos):
    type_classes(window, qtbot, "giraffe")  # a COCO class; the Open Images SSD has no giraffe
    video = run_photo(window, qtbot, OIDV4, photos / "ThreePersons.jpg")
    field = window.live.overlay.classes
    qtbot.waitUntil(lambda: bool(field.property("warning")), timeout=SLOW)
    assert "matches no label of this model" in field.toolTip() and OIDV4 in field.toolTip()
    assert any("matches no label" in line for line in video.hud_lines)
    assert any("matches no label" in line for line in video.hud.lines(presentation=True))
    assert "class filter (giraffe) hid" in video.message
    type_classes(window, qtbot, "")  # cleared: the flag goes
    qtbot.waitUntil(lambda: not field.property("warning") and bool(video.shapes.boxes), timeout=SLOW)
    assert not any("matches no label" in line for line in video.hud_lines)


def test_the_class_filter_is_not_restored_after_a_restart_and_is_not_squeezed_at_1024(qtbot, settings,
                                                                                      demo_registry):
    from model_picker.ui.shell.main_window import MainWindow

    first = MainWindow(str(demo_registry), settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitUntil(lambda: first.session.catalogue is not None, timeout=20000)
    type_classes(first, qtbot, "person")
    first.close()
    second = MainWindow(str(demo_registry), settings)
    qtbot.addWidget(second)
    second.resize(1024, 640)
    second.show()
    qtbot.waitUntil(lambda: second.session.catalogue is not None, timeout=20000)
    field = second.live.overlay.classes
    assert field.text() == ""  # a filter nobody sees set never hides a later session's objects
    type_classes(second, qtbot, "person")
    qtbot.wait(50)
    assert field.width() >= field.fontMetrics().horizontalAdvance("person, bicycle")
    second.close()


def test_a_new_source_runs_the_selected_model_not_the_old_one(window, qtbot, photos):
    run_photo(window, qtbot, BLAZEFACE, photos / "Face1.jpg")
    click_row(window, qtbot, COCO)  # the table and the details now show COCO SSD
    video = window.live.video
    qtbot.waitUntil(lambda: any(f"selected {COCO}" in line for line in video.hud_lines), timeout=5000)
    assert video.hud.model == BLAZEFACE  # the HUD's first line: what runs, said plainly while they differ
    window.live.sources.add_path_source(str(photos / "bikes.jpg"))  # choose a photo
    qtbot.waitUntil(lambda: window.runs.worker is not None and video.hud is not None and video.hud.still
                    and video.hud.model == COCO, timeout=SLOW)
    assert window.runs.worker.request.spec.model_name == COCO
    assert video.shapes.boxes  # COCO SSD finds the cyclists; BlazeFace found "0 detections"
    assert not any("selected" in line for line in video.hud_lines)


@pytest.fixture
def cloud_registry(demo_registry, tmp_path):
    """The demo registry with ``defaults: {inference_host_address: "@cloud"}`` (its zoo made absolute)."""
    import yaml

    data = yaml.safe_load(demo_registry.read_text())
    data["defaults"] = {"inference_host_address": "@cloud"}
    for entry in data["models"].values():
        if str(entry.get("zoo_url", "")).startswith("."):
            entry["zoo_url"] = str((demo_registry.parent / entry["zoo_url"]).resolve())
    path = tmp_path / "cloud.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_the_toolbar_starts_from_the_registrys_own_host_and_says_when_the_user_overrides_it(
        qtbot, settings, cloud_registry, photos):
    from model_picker.ui.shell.main_window import MainWindow

    win = MainWindow(str(cloud_registry), settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.session.catalogue is not None, timeout=20000)
    bar = win.settings_bar
    assert bar.host_text() == "@cloud" and "registry" in bar.host_note.text()
    assert win.session.host == "@cloud"
    click_row(win, qtbot, COCO)
    spec, _problem = win.current_spec()
    assert spec is not None and spec.inference_host_address == "@cloud"
    win.live.sources.add_path_source(str(photos / "bikes.jpg"))
    qtbot.mouseClick(win.live.controls.run_button, Qt.MouseButton.LeftButton)  # @cloud is unreachable here
    qtbot.waitUntil(lambda: bool(win.last_error), timeout=60000)  # a clear message, not a hang
    assert "@local" in win.live.video.message  # what to do instead
    # The user picks @local from the host list: the toolbar says it overrides the registry's host.
    bar.host.setFocus()
    index = bar.host.findText("@local")
    bar.host.setCurrentIndex(index)
    bar.host.activated.emit(index)
    assert bar.host_text() == "@local" and "registry: @cloud" in bar.host_note.text()
    spec, _problem = win.current_spec()
    assert spec.inference_host_address == "@local"
    win.runs.stop_run()
    win.close()
    again = MainWindow(str(cloud_registry), settings)  # the override is remembered, and still said
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.session.catalogue is not None, timeout=20000)
    assert again.settings_bar.host_text() == "@local" and "registry: @cloud" in again.settings_bar.host_note.text()
    again.close()


def test_presentation_at_1024_says_how_many_labels_found_no_room(window, qtbot, photos):
    from tests.ui.live.test_overlay import press

    window.resize(1024, 640)
    window.settings_bar.threshold.setValue(0.1)  # many boxes, as on a crowd
    window.live.overlay.font_scale.setValue(3.0)  # large labels, as on a projector
    run_photo(window, qtbot, COCO, photos / "bikes.jpg")
    video = window.live.video
    press(window, qtbot, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: video.presentation, timeout=3000)
    qtbot.wait(300)
    video.repaint()
    painter = video.overlay
    labelled = [b for b in video.shapes.boxes if b.text]
    assert len(labelled) >= 10
    assert painter.labels_dropped > 0  # at this size not every label finds room ...
    assert len(painter.label_rects) + painter.labels_dropped == len(labelled)
    assert "more" in painter.panel_rects  # ... and the view says how many it left out
    press(window, qtbot, Qt.Key.Key_Escape)
