"""Compare in the window, driven as a person drives it: Ctrl-clicks, F6, the mouse.

Real models from the bundled zoo, a real video, a real DeGirum AI server for the
host that dies; the panes' frame numbers are read from what their HUD paints.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from tests.clips import short_clip
from tests.ui.conftest import click_name, click_row, visible_names

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton


def ctrl_click_row(qtbot, table, row: int) -> None:
    """Ctrl + left click in a row's second cell, on the table's viewport."""
    index = table.model().index(row, 1)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), LEFT, CTRL, table.visualRect(index).center())


def ctrl_click_name(qtbot, table, row: int) -> None:
    """Ctrl + left click on a model's name, in the Name column that stays in view."""
    names = table.name_view
    index = names.model().index(row, 0)
    qtbot.mouseClick(names.viewport(), LEFT, CTRL, names.visualRect(index).center())


def select_models(window, qtbot, first: str, *others: str) -> None:
    names = visible_names(window)
    click_row(qtbot, window.table, names.index(first))
    for i, name in enumerate(others):  # one on a cell, one on the name: both add the row
        (ctrl_click_row if i % 2 == 0 else ctrl_click_name)(qtbot, window.table, names.index(name))


def open_compare(window, qtbot, media, realtime: bool = False):
    """F6 with the rows selected: the compare window, on the live panel's source.

    Not handed to qtbot: the main window's close closes it (and stops its run), as for a user.
    """
    window.live.sources.add_path_source(str(media / "Traffic.mp4"))
    window.live.sources.realtime.setChecked(realtime)
    assert window.compare.action.isEnabled(), window.compare.action.toolTip()
    qtbot.keyClick(window.table.viewport(), Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: window.compare.compare_window is not None
                    and window.compare.compare_window.isActiveWindow(), timeout=5000)  # it takes the keys
    compare = window.compare.compare_window
    return compare


def frame_on_hud(pane) -> int:
    """The frame number the pane's HUD paints ('frame 123'), -1 before the first."""
    lines = [line for line in pane.hud_lines if line.startswith("frame ")]
    return int(lines[-1].split()[1]) if lines else -1


def wait_for_frames(qtbot, compare, count: int = 3, panes=None, timeout: int = 90000) -> None:
    panes = compare.panes if panes is None else panes
    qtbot.waitUntil(lambda: all(p.painted_frames >= count for p in panes), timeout=timeout)


def stop_and_wait(qtbot, compare) -> None:
    worker = compare.last_worker
    qtbot.mouseClick(compare.stop_button, LEFT)
    assert compare.worker is None and not compare.stop_button.isEnabled()
    if worker is not None:
        qtbot.waitUntil(lambda: not worker.isRunning(), timeout=30000)


def test_ctrl_click_two_rows_f6_and_synchronised_panes_show_the_same_frame(window, qtbot, media):
    select_models(window, qtbot, "ssd_mobilenetv2_oidv4", "ssd_mobilenetv2_oidv4_openvino")
    assert window.details.title.text() == "ssd_mobilenetv2_oidv4_openvino"  # the details follow the last click
    compare = open_compare(window, qtbot, media)
    assert [p.hud.model for p in compare.panes] == ["ssd_mobilenetv2_oidv4", "ssd_mobilenetv2_oidv4_openvino"]
    assert compare.mode == "sync"
    qtbot.mouseClick(compare.start_button, LEFT)
    wait_for_frames(qtbot, compare, 5)
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    while len(seen) < 5 and time.monotonic() < deadline:  # whenever it is looked at, both panes paint one frame
        qtbot.wait(50)
        shown = [frame_on_hud(p) for p in compare.panes]
        assert shown[0] == shown[1] == compare.panes[0].frame_id >= 0, shown
        seen.add(shown[0])
    assert len(seen) >= 5  # and the frames move on
    qtbot.waitUntil(lambda: compare.table_model.rows[1].agreement is not None, timeout=10000)
    assert all(row.fps and row.fps > 0 for row in compare.table_model.rows)
    assert compare.table_model.rows[0].state == "reference"
    # The reference moves to B with the keyboard on its combo: B's HUD says so, A gets an agreement figure.
    qtbot.keyClick(compare.reference_combo, Qt.Key.Key_Down)
    assert "(reference)" in compare.panes[1].hud_lines[0] and "(reference)" not in compare.panes[0].hud_lines[0]
    qtbot.waitUntil(lambda: compare.table_model.rows[1].state == "reference"
                    and compare.table_model.rows[0].agreement is not None, timeout=20000)
    use_a = next(a for a in compare.panes[0].actions() if a.text() == "Use as Reference")  # A's context menu
    use_a.trigger()
    assert compare.reference == 0 and compare.reference_combo.currentIndex() == 0
    stop_and_wait(qtbot, compare)
    assert "internal error" not in window.log_panel.toPlainText()


def test_free_run_panes_go_at_their_own_speed_and_stop_stops(window, qtbot, media):
    select_models(window, qtbot, "efficientnet_lite0_imagenet", "efficientnet_lite0_imagenet_openvino")
    compare = open_compare(window, qtbot, media)
    qtbot.mouseClick(compare.findChild(type(compare.start_button), "compare-mode-free"), LEFT)
    assert compare.mode == "free"
    qtbot.mouseClick(compare.start_button, LEFT)
    assert not compare.mode_group.buttons()[0].isEnabled()  # the mode changes only when stopped
    wait_for_frames(qtbot, compare, 3)
    deadline = time.monotonic() + 30
    while frame_on_hud(compare.panes[0]) == frame_on_hud(compare.panes[1]) and time.monotonic() < deadline:
        qtbot.wait(50)
    assert frame_on_hud(compare.panes[0]) != frame_on_hud(compare.panes[1])
    stop_and_wait(qtbot, compare)
    shown = [p.painted_frames for p in compare.panes]
    qtbot.wait(500)
    assert [p.painted_frames for p in compare.panes] == shown  # stopped: nothing more is painted
    assert compare.start_button.isEnabled() and compare.mode_group.buttons()[0].isEnabled()


def test_models_of_different_tasks_are_refused_with_the_reason(window, qtbot, media):
    select_models(window, qtbot, "ssd_mobilenetv2_oidv4", "efficientnet_lite0_imagenet")
    action = window.compare.action
    assert not action.isEnabled()
    assert action.toolTip() == ("Cannot compare models of different tasks: ssd_mobilenetv2_oidv4 is "
                                "openimages_detection, efficientnet_lite0_imagenet is imagenet_classification")
    qtbot.keyClick(window.table.viewport(), Qt.Key.Key_F6)
    assert window.compare.compare_window is None
    # Forced past the action (a script, a stale selection): the window refuses, Start stays off.
    names = window.session.catalogue.entries
    pairs = [(next(i for i, e in enumerate(names) if e.name == n), "@local")
             for n in ("ssd_mobilenetv2_oidv4", "efficientnet_lite0_imagenet")]
    window.live.sources.add_path_source(str(media / "Traffic.mp4"))
    compare = window.compare.open(pairs)
    assert compare.notice.text() == action.toolTip()
    assert not compare.start_button.isEnabled()
    compare.start()  # even called directly
    assert compare.worker is None and compare.notice.text() == action.toolTip()


def test_one_model_two_hosts_a_killed_server_stops_its_pane_only(window, qtbot, media, ai_server):
    select_models(window, qtbot, "ssd_mobilenetv2_oidv4")
    assert window.compare.action.isEnabled() and "several hosts" in window.compare.action.toolTip()
    window.live.sources.add_path_source(str(media / "Traffic.mp4"))
    window.live.sources.realtime.setChecked(True)

    def type_hosts() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "compare-hosts":
            QTimer.singleShot(50, type_hosts)
            return
        field = dialog.findChild(QLineEdit, "compare-hosts-field")
        field.clear()
        qtbot.keyClicks(field, f"@local, {ai_server.host}")
        qtbot.keyClick(field, Qt.Key.Key_Return)

    QTimer.singleShot(50, type_hosts)
    qtbot.keyClick(window.table.viewport(), Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: window.compare.compare_window is not None, timeout=10000)
    compare = window.compare.compare_window
    assert [p.hud.host for p in compare.panes] == ["@local", ai_server.host]
    qtbot.mouseClick(compare.start_button, LEFT)
    wait_for_frames(qtbot, compare, 3)
    ai_server.kill()
    qtbot.waitUntil(lambda: compare.panes[1].failure != "", timeout=60000)
    assert ai_server.host in compare.panes[1].message and "other panes go on" in compare.panes[1].message
    before = compare.panes[0].painted_frames
    qtbot.waitUntil(lambda: compare.panes[0].painted_frames > before + 3, timeout=30000)  # the other goes on
    assert compare.panes[0].failure == "" and compare.worker is not None
    stop_and_wait(qtbot, compare)


def click_thumbnail(qtbot, strip, position: int) -> int:
    item = strip.item(position)
    strip.scrollToItem(item)
    qtbot.mouseClick(strip.viewport(), LEFT, pos=strip.visualItemRect(item).center())
    return strip.frames[position]


def test_a_strip_thumbnail_shows_its_frame_in_every_pane(window, qtbot, media):
    select_models(window, qtbot, "ssd_mobilenetv2_oidv4", "ssd_mobilenetv2_oidv4_openvino")
    compare = open_compare(window, qtbot, media)
    qtbot.mouseClick(compare.start_button, LEFT)
    strip = compare.strip
    qtbot.waitUntil(lambda: len(strip.frames) >= 1, timeout=90000)  # frames where TFLite and OpenVINO differ
    # While it runs: the frame holds in every pane until Back to Live.
    wanted = click_thumbnail(qtbot, strip, 0)
    assert [frame_on_hud(p) for p in compare.panes] == [wanted, wanted]
    assert compare.back_button.isVisible()
    qtbot.wait(300)
    assert [p.frame_id for p in compare.panes] == [wanted, wanted]
    qtbot.mouseClick(compare.back_button, LEFT)
    qtbot.waitUntil(lambda: compare.panes[0].frame_id != wanted, timeout=30000)
    assert compare.notice.text().startswith("Comparing 2 models")
    stop_and_wait(qtbot, compare)
    # After Stop the strip still answers, each pane with its own result for that frame.
    wanted = click_thumbnail(qtbot, strip, len(strip.frames) - 1)
    assert [p.frame_id for p in compare.panes] == [wanted, wanted]
    assert [frame_on_hud(p) for p in compare.panes] == [wanted, wanted]
    assert f"frame {wanted}" in compare.notice.text()


def test_a_source_that_ends_says_so(window, qtbot, media, tmp_path):
    select_models(window, qtbot, "blazeface_short_range", "blazeface_short_range_onnx")
    window.live.sources.loop.setChecked(False)
    compare = open_compare(window, qtbot, media)
    compare.set_source_path(str(short_clip(media / "Traffic.mp4", tmp_path / "short.mp4", 24, 30)))
    qtbot.mouseClick(compare.start_button, LEFT)
    qtbot.waitUntil(lambda: compare.worker is None, timeout=90000)
    assert "source ended" in compare.notice.text().lower(), compare.notice.text()
    assert compare.start_button.isEnabled() and not compare.stop_button.isEnabled()
    assert all(p.frame_id >= 0 and not p.failure for p in compare.panes)


def test_click_name_alone_still_selects_one_row(window, qtbot):
    names = visible_names(window)
    select_models(window, qtbot, names[0], names[1])
    click_name(qtbot, window.table, 3)  # a plain click: back to one row
    assert window.compare._selected() == [window.session.catalogue.index_of(names[3])]
    assert window.details.title.text() == names[3]


def test_a_source_that_cannot_be_read_is_one_line_and_nothing_runs(window, qtbot, media, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    select_models(window, qtbot, "blazeface_short_range", "blazeface_short_range_onnx")
    compare = open_compare(window, qtbot, media)
    compare.set_source_path(str(broken))
    qtbot.mouseClick(compare.start_button, LEFT)
    qtbot.waitUntil(lambda: compare.worker is None, timeout=30000)
    notice = compare.notice.text()
    assert "broken.mp4" in notice and "\n" not in notice, notice
    assert compare.start_button.isEnabled()
    assert "internal error" not in window.log_panel.toPlainText()


def test_closing_the_main_window_stops_a_running_compare(window, qtbot, media):
    select_models(window, qtbot, "blazeface_short_range", "blazeface_short_range_openvino")
    compare = open_compare(window, qtbot, media, realtime=True)
    qtbot.mouseClick(compare.start_button, LEFT)
    wait_for_frames(qtbot, compare, 2)
    worker = compare.worker
    window.close()
    qtbot.waitUntil(lambda: not worker.isRunning(), timeout=30000)
    assert not compare.isVisible()


def test_five_rows_are_one_too_many_and_one_row_asks_for_hosts(window, qtbot):
    names = visible_names(window)
    click_row(qtbot, window.table, 0)
    index = window.table.model().index(4, 1)
    qtbot.mouseClick(window.table.viewport(), LEFT, Qt.KeyboardModifier.ShiftModifier,
                     window.table.visualRect(index).center())
    assert len(window.compare._selected()) == 5
    assert not window.compare.action.isEnabled()
    assert window.compare.action.toolTip() == "Compare takes at most 4 models: 5 are selected"
    click_name(qtbot, window.table, 2)
    assert window.compare.action.isEnabled()
    assert window.compare.action.toolTip() == f"Compare {names[2]} on several hosts (you type them next) (F6)"
