"""The window with remote zoos and hosts: fetch with progress, cancel, cache dialog, offline cloud."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QSettings, Qt

from model_picker.zoo.fetch import cache_root


def remote_registry(tmp_path, url):
    path = tmp_path / "remote.yaml"
    path.write_text("defaults:\n  inference_host_address: '@local'\nmodels:\n"
                    f"  blazeface_short_range:\n    task: face_detection\n    hardware: [TFLITE/CPU]\n"
                    f"    zoo_url: {url}\n"
                    f"  efficientnet_lite0_imagenet:\n    task: imagenet_classification\n    hardware: [TFLITE/CPU]\n"
                    f"    zoo_url: {url}\n")
    return path


@pytest.fixture
def remote_window(qtbot, tmp_path, private_home):
    from model_picker.ui.shell.main_window import MainWindow

    def make(url):
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        win = MainWindow(str(remote_registry(tmp_path, url)), settings)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: win.session.catalogue is not None, timeout=20000)
        return win

    return make


def test_run_fetches_first_then_runs_from_the_cache(remote_window, zoo_server, zoo_dir, qtbot, media):
    server = zoo_server(zoo_dir)
    window = remote_window(server.url)
    window.table.select_entry(window.session.catalogue.index_of("blazeface_short_range"))
    assert window.details.fetch_button.isVisibleTo(window.details)
    window.live.sources.add_path_source(str(media / "Megamind.avi"))
    window.runs.run()
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= 5, timeout=30000)
    assert window.runs.worker.request.spec.zoo_url == str(cache_root() / "blazeface_short_range")
    assert window.runs.worker.request.spec.inference_host_address == "@local"
    assert not window.fetch_status.bar.isVisibleTo(window)
    window.runs.stop_run()
    from model_picker.ui.catalogue.cache_dialog import CacheDialog

    dialog = CacheDialog(window)
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 3).text() == server.url
    dialog.verify_selected()
    assert dialog.table.item(0, 4).text() == "OK"


def test_cancel_a_slow_fetch_keeps_nothing(remote_window, zoo_server, zoo_dir, qtbot):
    server = zoo_server(zoo_dir, "slow")
    window = remote_window(server.url)
    window.table.select_entry(window.session.catalogue.index_of("efficientnet_lite0_imagenet"))
    window.runs.fetch_selected()
    qtbot.waitUntil(lambda: "MB" in window.fetch_status.bar.format(), timeout=20000)  # progress is shown
    fetcher = window.runs.fetcher
    window.fetch_status.cancel.click()
    assert not window.fetch_status.bar.isVisibleTo(window)
    qtbot.waitUntil(lambda: not fetcher.isRunning(), timeout=20000)
    assert not (cache_root() / "efficientnet_lite0_imagenet").exists()
    assert not list(cache_root().glob(".fetch-*"))


def test_offline_cloud_host_says_so_quickly(window, qtbot):
    start = time.monotonic()
    window.settings_bar.host.setCurrentText("@cloud")
    qtbot.keyClick(window.settings_bar.host.lineEdit(), Qt.Key.Key_Return)  # the host applies on Enter
    qtbot.waitUntil(lambda: "not reachable" in window.host_label.text(), timeout=30000)
    assert time.monotonic() - start < 20
    assert "hub.degirum.com" in window.host_label.toolTip()
    # every model is marked as not runnable on this host, with the reason
    assert len(window.model.unrunnable) == 0 or all("cannot run" in r for r in window.model.unrunnable.values())
    window.table.select_entry(window.session.catalogue.index_of("blazeface_short_range"))
    window.live.sources.add_path_source(str(window.session.catalogue.document.base) + "/../resources/photos/dog.jpg")
    window.runs.run()
    qtbot.waitUntil(lambda: window.last_error != "", timeout=30000)
    # A bundled model lives in a folder on this machine: the cloud cannot run it, and the message says so.
    assert "choose the @local host" in window.last_error and "Traceback" not in window.last_error
    assert window.runs.worker is None


def test_the_token_is_never_logged(window, qtbot):
    window.settings_bar.token.setText("tok-SECRET-123")
    window.settings_bar.token.editingFinished.emit()
    window.settings_bar.host.setCurrentText("@cloud")
    qtbot.keyClick(window.settings_bar.host.lineEdit(), Qt.Key.Key_Return)  # the host applies on Enter
    window.runs.run()
    qtbot.waitUntil(lambda: window.last_error != "", timeout=30000)
    assert "tok-SECRET-123" not in window.log_panel.toPlainText()
    assert "tok-SECRET-123" not in window.details.python_box.toPlainText()
