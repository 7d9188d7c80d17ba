"""The window's Validate (issue 11): fields and criteria in the dialog, a criteria file with a typo,
both modes and the verdict in the report, the PDF saved through the file dialog, "use the best setting"."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLineEdit

from .test_live_side import SLOW, choose


def open_validate(window, qtbot):
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # Run → Validate
    qtbot.waitUntil(lambda: getattr(window, "validate_dialog", None) is not None
                    and window.validate_dialog.isVisible(), timeout=5000)
    return window.validate_dialog


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
    qtbot.waitUntil(lambda: getattr(window, "report", None) is not None, timeout=SLOW * 3)
    report = window.report
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
    assert window.settings_bar.devices.currentText() == best["devices"]
    assert window.settings_bar.extra_properties["eager_batch_size"] == best["eager_batch_size"]
    report.accept()
