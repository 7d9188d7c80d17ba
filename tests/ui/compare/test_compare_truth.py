"""Compare tells the truth (issue 19, item 9), driven with keys and clicks on the real window.

The live run pauses behind it; a label sits against its own box; synchronised
panes say one rate; Esc and Ctrl+W close it; Save Report writes the CLI's report.
"""

from __future__ import annotations

import json
import re
import time

import cv2
from PySide6.QtCore import QRectF, QStandardPaths, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QFileDialog, QLineEdit

from tests.clips import short_clip
from tests.ui.compare.test_compare_window import frame_on_hud, open_compare, select_models, stop_and_wait
from tests.ui.conftest import click_row, visible_names

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
FAST, SLOW = "ssd_mobilenetv2_oidv4", "ssd_mobilenet_v2_coco_quant"  # two detectors, not equally fast


def fps_on_hud(pane) -> float:
    line = next(line for line in pane.hud_lines if " FPS" in line)
    return float(line.split(" FPS")[0])


def test_escape_and_ctrl_w_close_the_compare_window(window, qtbot, media):
    for key, modifier in ((Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_W, CTRL)):
        select_models(window, qtbot, FAST, SLOW)
        compare = open_compare(window, qtbot, media)
        qtbot.keyClick(compare.panes[0], key, modifier)
        qtbot.waitUntil(lambda: window.compare.compare_window is None, timeout=5000)


def test_the_live_run_pauses_while_comparing_and_resumes_after(window, qtbot, media):
    names = visible_names(window)
    click_row(qtbot, window.table, names.index(FAST))
    window.live.sources.add_path_source(str(media / "Traffic.mp4"))
    qtbot.mouseClick(window.live.controls.run_button, LEFT)
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= 3, timeout=60000)
    run = window.runs.worker
    index = window.table.model().index(names.index(SLOW), 1)
    qtbot.mouseClick(window.table.viewport(), LEFT, CTRL, window.table.visualRect(index).center())
    compare = open_compare(window, qtbot, media)
    assert window.runs.worker is run and run.paused and window.live.controls.pause_button.isChecked()
    qtbot.waitUntil(lambda: run.pipeline.in_flight == 0, timeout=10000)
    received = run.pipeline.stats.frames
    qtbot.wait(1000)
    assert run.pipeline.stats.frames == received  # nothing inferred behind the compare
    qtbot.keyClick(compare.panes[0], Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.compare.compare_window is None, timeout=5000)
    assert not run.paused and not window.live.controls.pause_button.isChecked()
    qtbot.waitUntil(lambda: run.pipeline.stats.frames > received + 2, timeout=30000)


def test_synchronised_panes_say_one_rate_and_each_models_own_latency(window, qtbot, media):
    select_models(window, qtbot, FAST, SLOW)
    compare = open_compare(window, qtbot, media)
    qtbot.mouseClick(compare.start_button, LEFT)
    qtbot.waitUntil(lambda: frame_on_hud(compare.panes[0]) >= 0, timeout=90000)
    start_frame, start = frame_on_hud(compare.panes[0]), time.monotonic()  # the first frames, about
    qtbot.waitUntil(lambda: all(fps_on_hud(p) > 0 for p in compare.panes), timeout=30000)
    samples = []
    while time.monotonic() - start < 10:
        qtbot.wait(250)
        figures = [fps_on_hud(p) for p in compare.panes]
        assert figures[0] == figures[1], [p.hud_lines for p in compare.panes]  # the same frames: one rate
        samples.append(figures[0])
    # Independently: the frame numbers the panes paint advance at that rate (the run's average).
    seen = (frame_on_hud(compare.panes[0]) - start_frame) / (time.monotonic() - start)
    assert abs(samples[-1] - seen) <= 0.35 * seen, (samples[-1], seen)
    own = []
    for pane in compare.panes:
        line = next(line for line in pane.hud_lines if " FPS" in line)
        match = re.search(r"own latency p50 (\d+) ms", line)
        assert match, line
        own.append(int(match.group(1)))
    # The slower model sets the pace: its own latency is about one frame period, the other's less.
    period = 1000 / samples[-1]
    assert max(own) <= 1.3 * period and min(own) < max(own), (own, period)
    stop_and_wait(qtbot, compare)


def touches(label: QRectF, box: QRectF) -> bool:
    return label.intersects(box.adjusted(-1, -1, 1, 1))


def unmatched(labels: list[QRectF], boxes: list[QRectF]) -> list[QRectF]:
    """Labels left without a box of their own when each label is paired with a distinct box it touches
    (a maximum bipartite matching): a label pushed away from its box is left over."""
    owner: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j, box in enumerate(boxes):
            if j not in seen and touches(labels[i], box):
                seen.add(j)
                if j not in owner or assign(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return [label for i, label in enumerate(labels) if not assign(i, set())]


def test_each_label_is_drawn_against_its_own_box(window, qtbot, media, tmp_path):
    select_models(window, qtbot, SLOW, FAST)
    compare = open_compare(window, qtbot, media)
    video = cv2.VideoCapture(str(media / "vtest.avi"))
    video.set(cv2.CAP_PROP_POS_FRAMES, 103)  # ten pedestrians and cars, close together, labels wider than boxes
    ok, frame = video.read()
    video.release()
    assert ok
    cv2.imwrite(str(tmp_path / "crowd.png"), frame)
    compare.set_source_path(str(tmp_path / "crowd.png"))
    pane = compare.panes[0]
    checked = []

    def check(_painted: float) -> None:
        shapes = pane.shapes
        if shapes is None or not shapes.boxes:
            return
        target = QRectF(pane.image_rect())  # the result's boxes scaled to the pane, computed here
        sx, sy = target.width() / shapes.width, target.height() / shapes.height
        boxes = [QRectF(target.left() + b.x1 * sx, target.top() + b.y1 * sy, (b.x2 - b.x1) * sx,
                        (b.y2 - b.y1) * sy) for b in shapes.boxes if b.text]
        labels = list(pane.overlay.label_rects)
        far = unmatched(labels, boxes)
        hidden = next((int(line.split()[0]) for line in pane.hud_lines if "not drawn" in line), 0)
        checked.append((len(boxes), len(labels), far, hidden))

    pane.frame_shown.connect(check)
    qtbot.mouseClick(compare.start_button, LEFT)
    qtbot.waitUntil(lambda: any(c[0] >= 6 for c in checked), timeout=90000)
    qtbot.waitUntil(lambda: compare.worker is None, timeout=30000)
    pane.frame_shown.disconnect(check)
    assert all(not far for _b, _l, far, _h in checked), [c for c in checked if c[2]][:3]
    pane.repaint()  # the HUD counts the labels left out on the frame shown now
    check(0.0)
    boxes, labels, _far, hidden = checked[-1]
    assert labels + hidden == boxes, checked[-1]


def test_save_report_writes_the_clis_report_in_documents_by_default(window, qtbot, media, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # a user whose Documents folder does not exist yet
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    select_models(window, qtbot, "blazeface_short_range", "blazeface_short_range_onnx")
    window.live.sources.loop.setChecked(False)
    compare = open_compare(window, qtbot, media)
    compare.set_source_path(str(short_clip(media / "Traffic.mp4", tmp_path / "short.mp4", 12, 30)))
    qtbot.mouseClick(compare.start_button, LEFT)
    qtbot.waitUntil(lambda: compare.worker is None, timeout=90000)
    qtbot.keyClick(compare.panes[0], Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QFileDialog), timeout=5000)
    dialog = QApplication.activeModalWidget()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert documents == str(tmp_path / "home" / "Documents")
    assert dialog.directory().absolutePath() == documents
    assert dialog.selectedFiles()[0].endswith(".html")
    qtbot.keyClick(dialog.findChild(QComboBox, "fileTypeCombo"), Qt.Key.Key_Down)  # JSON
    field = dialog.findChild(QLineEdit, "fileNameEdit")
    field.selectAll()
    qtbot.keyClicks(field, "mine")
    if field.completer() is not None and field.completer().popup().isVisible():
        qtbot.keyClick(field.completer().popup(), Qt.Key.Key_Escape)  # the completer's list, not the dialog
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    assert save.text() == "&Save"
    qtbot.mouseClick(save, LEFT)
    saved = tmp_path / "home" / "Documents" / "mine.json"
    qtbot.waitUntil(saved.exists, timeout=10000)
    report = json.loads(saved.read_text())
    assert [c["name"] for c in report["contenders"]] == ["blazeface_short_range", "blazeface_short_range_onnx"]
    assert "mine.json" in compare.notice.text()
