"""The window on a host without ORCA: ORCA entries greyed with the reason, the host bar saying so; a
damaged N2X compile cache entry does not stop a run, and Tools → Clear N2X Compile Cache empties it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMenu

from model_picker.zoo.runtime import n2x

SLOW = 60000
N2X_FOLDER = "efficientnet_lite0_imagenet_n2x"


@pytest.fixture
def orca_zoo(tmp_path, zoo_dir):
    """The bundled N2X model under a model file name of its own: N2X keys its compile cache (and the
    copy it keeps in memory) by that name, so this test's cache entry is read by this process first."""
    folder = tmp_path / "zoo" / "n2x_wintest"
    shutil.copytree(zoo_dir / N2X_FOLDER, folder)
    (folder / f"{N2X_FOLDER}.json").rename(folder / "n2x_wintest.json")
    (folder / "efficientnet_lite0.tflite").rename(folder / "wintest_net.tflite")
    cfg = json.loads((folder / "n2x_wintest.json").read_text())
    cfg["MODEL_PARAMETERS"][0]["ModelPath"] = "wintest_net.tflite"
    (folder / "n2x_wintest.json").write_text(json.dumps(cfg))
    registry = tmp_path / "orca.yaml"
    registry.write_text(
        "defaults:\n  inference_host_address: '@local'\nmodels:\n"
        "  orca_classifier:\n    task: imagenet_classification\n    hardware: [N2X/ORCA1]\n"
        f"    zoo_url: {tmp_path / 'zoo'}\n"
        "  n2x_wintest:\n    task: imagenet_classification\n    hardware: [N2X/CPU]\n"
        f"    zoo_url: {tmp_path / 'zoo'}\n")
    return registry


@pytest.fixture
def orca_window(qtbot, tmp_path, orca_zoo, private_home):
    from model_picker.ui.shell.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(str(orca_zoo), settings)
    qtbot.addWidget(win)
    win.resize(1400, 860)
    win.show()
    qtbot.waitUntil(lambda: win.session.catalogue is not None, timeout=20000)
    qtbot.waitUntil(lambda: "@local" in win.session.host_devices, timeout=30000)  # the host probe answered
    yield win
    win.runs.stop_run()


def row_of(win, name):
    proxy = win.proxy
    return next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == name)


def click_row(qtbot, win, name):
    rect = win.table.visualRect(win.proxy.index(row_of(win, name), 0))
    qtbot.mouseClick(win.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_orca_entries_are_greyed_with_the_reason_on_a_host_without_orca(orca_window, qtbot):
    win = orca_window
    orca = win.proxy.index(row_of(win, "orca_classifier"), 0)
    tip = orca.data(Qt.ItemDataRole.ToolTipRole)
    assert "this host has no ORCA device: N2X/ORCA1 not among its devices" in tip
    assert orca.data(Qt.ItemDataRole.ForegroundRole).color().getRgb()[:3] == (128, 128, 128)
    emulated = win.proxy.index(row_of(win, "n2x_wintest"), 0)
    assert emulated.data(Qt.ItemDataRole.ForegroundRole) is None  # N2X/CPU is on every PySDK host
    assert win.host_label.text().endswith("· no ORCA (N2X/CPU emulator only)")
    assert "N2X/CPU" in win.host_label.text() and "degirum sys-info" in win.host_label.toolTip()
    click_row(qtbot, win, "orca_classifier")
    assert win.details.title.text() == "orca_classifier"


def trigger_tools_item(qtbot, win, text):
    """Open Tools in the menu bar with the mouse and click the item, as a person does."""
    bar = win.menuBar()
    tools = next(a for a in bar.actions() if a.text().replace("&", "") == "Tools")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(tools).center())
    menu = tools.menu()
    assert isinstance(menu, QMenu)
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    item = next(a for a in menu.actions() if a.text() == text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(item).center())


def compile_in_another_process(orca_zoo, photos):
    """Run the model once in a separate process (yesterday's session): N2X leaves its compiled entry."""
    run = subprocess.run([sys.executable, "-m", "model_picker", "run", "n2x_wintest", "--registry", str(orca_zoo),
                          "--source", str(photos / "Cat.jpg"), "--quiet"],
                         capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert run.returncode == 0, run.stderr
    [entry] = n2x.cache_entries("wintest_net")
    return entry


def test_a_damaged_n2x_entry_does_not_stop_a_run_and_the_tools_menu_clears_the_cache(orca_window, qtbot,
                                                                                     photos, orca_zoo):
    win = orca_window
    entry = compile_in_another_process(orca_zoo, photos)
    with open(entry, "r+b") as f:  # damaged for real
        f.truncate(1000)
    click_row(qtbot, win, "n2x_wintest")
    win.live.sources.add_path_source(str(photos / "Cat.jpg"))
    qtbot.mouseClick(win.live.controls.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.live.video.painted_frames >= 1, timeout=SLOW)
    assert "N2X cannot read" not in win.live.video.message
    assert f"N2X: removed {entry} left by an earlier run" in win.log_panel.toPlainText()
    qtbot.mouseClick(win.live.controls.stop_button, Qt.MouseButton.LeftButton)
    assert win.runs.worker is None

    entry = compile_in_another_process(orca_zoo, photos)
    trigger_tools_item(qtbot, win, "Clear N2X Compile Cache")
    assert not entry.exists() and not n2x.cache_entries()
    assert "N2X compile cache cleared: 1 compiled model(s)" in win.statusBar().currentMessage()
