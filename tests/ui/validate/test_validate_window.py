"""The window's Validate: fields and criteria in the dialog, a criteria file with a typo,
both modes and the verdict in the report, the PDF saved through the file dialog, "use the best setting"."""

from __future__ import annotations

import subprocess

from degirum_tools import ModelSpec
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLineEdit

from model_picker.inference.media.sources import parse_source
from model_picker.inference.validation.fleet import Report
from model_picker.inference.validation.measure import validate
from model_picker.inference.validation.tuning import BestSetting
from model_picker.ui.validate.report_dialog import ReportDialog
from tests.ui.live.test_live_side import SLOW, choose


def open_validate(window, qtbot):
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # Run → Validate
    qtbot.waitUntil(lambda: window.validation.validate_dialog is not None
                    and window.validation.validate_dialog.isVisible(), timeout=5000)
    return window.validation.validate_dialog


def answer_file_dialog(qtbot, path) -> None:
    """When Qt's file dialog opens (modal), type ``path`` into its name field and press Enter, as a person does."""
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(100, answer)
            return
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        edit.clear()
        qtbot.keyClicks(edit, str(path))
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    QTimer.singleShot(200, answer)


def test_a_criteria_file_with_a_typo_is_one_located_line_and_the_form_is_kept(window, qtbot, tmp_path, photos):
    choose(window, "blazeface_short_range_openvino", photos / "astronaut.png")
    dialog = open_validate(window, qtbot)
    qtbot.keyClicks(dialog.fields["site"], "Plant 3")
    bad = tmp_path / "c.yaml"
    bad.write_text("site: Elsewhere\ncriteria:\n  min_fsp: 20\n")
    answer_file_dialog(qtbot, bad)
    qtbot.mouseClick(dialog.load, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=10000)
    assert dialog.error.text() == f"{bad}:3: criteria.min_fsp: unknown field; did you mean min_fps?"
    assert dialog.fields["site"].text() == "Plant 3" and dialog.min_fps.value() == 0
    good = tmp_path / "ok.yaml"
    good.write_text("site: Plant 4\ncustomer: ACME\ncriteria:\n  min_fps: 20\n  max_latency_p95_ms: 300\n")
    answer_file_dialog(qtbot, good)
    qtbot.mouseClick(dialog.load, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.min_fps.value() == 20, timeout=10000)
    assert dialog.error.text() == "" and dialog.fields["customer"].text() == "ACME"
    assert dialog.max_p95.value() == 300
    dialog.reject()


def test_validate_with_criteria_and_sweep_gives_a_verdict_a_pdf_and_the_best_setting(window, qtbot, tmp_path,
                                                                                     photos):
    choose(window, "blazeface_short_range_openvino", photos / "astronaut.png")
    dialog = open_validate(window, qtbot)
    qtbot.keyClicks(dialog.fields["site"], "Plant 3")
    qtbot.keyClicks(dialog.fields["engineer"], "J. Doe")
    dialog.min_fps.lineEdit().selectAll()
    qtbot.keyClicks(dialog.min_fps.lineEdit(), "100000")  # no CPU reaches this: the verdict must be FAIL
    qtbot.mouseClick(dialog.sweep_box, Qt.MouseButton.LeftButton, pos=dialog.sweep_box.rect().center())
    assert dialog.sweep
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.validation.report is not None, timeout=SLOW * 3)
    report = window.validation.report
    text = report.browser.toPlainText()
    assert "Plant 3" in text and "J. Doe" in text and "FAIL" in report.windowTitle()
    assert "Latency mode" in text and "one frame in flight" in text and "Tuning sweep" in text
    assert "fps_cpu / latency_ms_cpu in" in text and "demo.yaml" in text  # the registry's figure and its file
    result = report.results[0]
    assert result.single_frames == 100 and result.sweep and result.hardware["devices"]["OPENVINO/CPU"] >= 1
    pdf = tmp_path / "site.pdf"
    answer_file_dialog(qtbot, pdf)
    qtbot.mouseClick(report.findChild(type(ok), "save_report"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: report.saved.text() == "Saved site.pdf", timeout=20000)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True, timeout=60)
    assert list(tmp_path.glob("p-*.png"))
    assert report.use_best.isVisible()
    best = next(t for t in result.sweep if t["best"])
    qtbot.mouseClick(report.use_best, Qt.MouseButton.LeftButton)
    assert window.runs.best_settings.get(result.model, result.host) == BestSetting.of(best)
    assert not report.use_best.isEnabled()
    report.accept()


def test_use_the_best_setting_changes_the_next_live_run(window, qtbot, zoo_dir, media, photos):
    """Frames in flight, eager_batch_size, frame_queue_depth and devices all reach the next run of that model on
    that host, read back from the running pipeline and the loaded PySDK model; another model is left alone."""
    name = "blazeface_short_range_openvino"
    result = validate(ModelSpec(name, str(zoo_dir), inference_host_address="@local"),
                      parse_source(str(photos / "Face1.jpg")), frames=5, warmup=1, latency_frames=0)
    # The sweep's rows as the report carries them; the best differs from every default of a live run.
    row = {"devices": "all", "in_flight": 3, "eager_batch_size": 2, "frame_queue_depth": 5, "fps": 9.0,
           "p95_ms": 1.0, "error": "", "best": True}
    result.sweep = [row, {**row, "in_flight": 1, "eager_batch_size": 8, "fps": 5.0, "best": False}]
    assert window.settings_bar.host_text() == result.host == "@local"
    report = ReportDialog(Report.of([result]), window, on_use_best=window.validation.use_tuning)
    report.open()
    qtbot.waitUntil(report.isActiveWindow, timeout=5000)
    qtbot.mouseClick(report.use_best, Qt.MouseButton.LeftButton)
    qtbot.keyClick(report, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not report.isVisible(), timeout=5000)
    window.activateWindow()  # offscreen Qt gives the focus back to no window: the user clicks the window
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    assert "3 frame(s) in flight" in window.statusBar().currentMessage()
    choose(window, name, media / "Megamind.avi", realtime=True)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_F5)  # Run
    qtbot.waitUntil(lambda: window.runs.worker is not None and window.runs.worker.pipeline is not None
                    and window.runs.worker.inferences > 3, timeout=SLOW)
    worker = window.runs.worker
    assert worker.request.in_flight == 3 and worker.pipeline.in_flight_limit == 3
    assert worker.request.devices == "all"
    model = worker.pipeline.model
    assert model.eager_batch_size == 2 and model.frame_queue_depth == 5
    assert list(model.devices_selected) == list(model.devices_available)  # "all"
    window.runs.stop_run()
    choose(window, "blazeface_short_range", media / "Megamind.avi", realtime=True)  # no best setting: defaults
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.runs.worker is not None and window.runs.worker.pipeline is not None, timeout=SLOW)
    assert window.runs.worker.request.in_flight is None and window.runs.worker.pipeline.in_flight_limit == 1
    window.runs.stop_run()


def test_validate_with_a_reference_and_a_stream_capacity_mix(window, qtbot, media):
    """The dialog's agreement criterion and mixed stream capacity reach the report: the agreement per row with
    its verdict, and the capacity curve with each model's per-stream FPS."""
    choose(window, "blazeface_short_range_openvino", media / "Megamind.avi")
    dialog = open_validate(window, qtbot)
    dialog.min_agreement.lineEdit().selectAll()
    qtbot.keyClicks(dialog.min_agreement.lineEdit(), "0.95")
    assert dialog.min_agreement.value() == 0.95
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)  # a bound without a reference: said, and the dialog stays
    assert dialog.isVisible() and "needs a reference" in dialog.error.text()
    qtbot.keyClicks(dialog.reference, "blazeface_short_range")
    qtbot.mouseClick(dialog.capacity_box, Qt.MouseButton.LeftButton, pos=dialog.capacity_box.rect().center())
    for box, text in ((dialog.most_streams, "2"), (dialog.target_fps, "0.5"), (dialog.step_seconds, "1")):
        box.lineEdit().selectAll()
        qtbot.keyClicks(box.lineEdit(), text)
    other = dialog.mix.findItems("blazeface_short_range", Qt.MatchFlag.MatchExactly)[0]
    dialog.mix.setFocus()
    dialog.mix.setCurrentItem(other)
    qtbot.keyClick(dialog.mix, Qt.Key.Key_Space)  # check it: the streams cycle over the two runtimes
    assert dialog.mix_models() == ["blazeface_short_range_openvino", "blazeface_short_range"]
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.validation.report is not None, timeout=SLOW * 3)
    report = window.validation.report
    row = report.report.rows[0]
    assert row.verdict.verdict == "PASS", row.verdict.reasons
    assert row.result.agreement["score"] >= 0.95 and row.result.agreement["reference_model"] == "blazeface_short_range"
    mix = report.report.capacity["@local"]
    assert mix["models"] == ["blazeface_short_range_openvino", "blazeface_short_range"]
    assert [p["streams"] for p in mix["curve"]] == [1, 2] and mix["capacity"] == 2
    assert set(mix["curve"][1]["per_model"]) == set(mix["models"])
    text = report.browser.toPlainText()
    assert "Agreement" in text and "with blazeface_short_range on @local" in text
    assert "Stream capacity of a mix on @local" in text and "cycling over blazeface_short_range_openvino" in text
    report.accept()


def test_validate_measures_the_device_own_limit_and_the_report_gives_the_ratio(window, qtbot, photos):
    """The dialog's "device's own limit" box, on by default for an OpenVINO model: benchmark_app runs on the same
    file and the report says "PySDK end to end / raw device" with the ratio; a TFLite model has the box off,
    saying why."""
    choose(window, "blazeface_short_range", photos / "astronaut.png")
    dialog = open_validate(window, qtbot)
    assert not dialog.raw_box.isEnabled() and not dialog.raw_box.isChecked() and dialog.raw_seconds == 0
    assert "no raw benchmark is installed for TFLITE/CPU" in dialog.raw_box.toolTip()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    window.activateWindow()  # offscreen Qt gives the focus back to no window: the user clicks the window
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    choose(window, "blazeface_short_range_openvino", photos / "astronaut.png")
    dialog = open_validate(window, qtbot)
    assert dialog.raw_box.isEnabled() and dialog.raw_box.isChecked()
    dialog.raw_seconds_box.lineEdit().selectAll()
    qtbot.keyClicks(dialog.raw_seconds_box.lineEdit(), "1")  # a short run: 1 s per benchmark_app mode
    qtbot.mouseClick(dialog.raw_box, Qt.MouseButton.LeftButton, pos=dialog.raw_box.rect().center())
    assert dialog.raw_seconds == 0 and not dialog.raw_seconds_box.isEnabled()  # off, then on again: a real box
    qtbot.mouseClick(dialog.raw_box, Qt.MouseButton.LeftButton, pos=dialog.raw_box.rect().center())
    assert dialog.raw_seconds == 1.0
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.validation.report is not None, timeout=SLOW * 3)
    report = window.validation.report
    raw = report.results[0].raw
    assert raw.get("tool") == "OpenVINO benchmark_app", raw
    assert raw["throughput_fps"] > 0 and raw["latency_median_ms"] > 0
    text = report.browser.toPlainText()
    assert "Device's own limit" in text
    assert "PySDK end to end / raw device (OpenVINO benchmark_app)" in text
    assert f"/ {raw['throughput_fps']:.1f} FPS = " in text  # the raw figure and the ratio
    report.accept()


def test_validate_on_a_stream_says_to_choose_a_file_and_opens_nothing(window, qtbot):
    """Validation measures the device at full speed, which a stream or camera cannot give: Ctrl+B says so."""
    window.table.select_entry(window.session.catalogue.index_of("blazeface_short_range"))
    window.live.sources.add_stream("rtsp://127.0.0.1:9/cam")  # what Open a stream URL does
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "choose a video, image or folder" in window.live.video.message, timeout=5000)
    assert window.validation.validate_dialog is None
