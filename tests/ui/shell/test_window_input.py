"""The catalogue side driven as a person drives it: mouse clicks on rows, keys, typing.

Every test here goes through real input events on a real event loop, the way
the defects it guards against were met.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QToolButton,
)

from tests.ui.conftest import click_name, click_row, pick_from_menu_button, visible_names


def registry_of(demo_registry: Path, folder: Path, count: int) -> Path:
    """The demo registry cut or grown (copies with new names) to ``count`` models."""
    data = copy.deepcopy(yaml.safe_load(demo_registry.read_text()))
    models = list(data["models"].items())
    grown = {}
    for i in range(count):
        name, entry = models[i % len(models)]
        entry = copy.deepcopy(entry)
        entry["zoo_url"] = str((demo_registry.parent / entry["zoo_url"]).resolve())
        grown[name if i < len(models) else f"{name}_copy{i}"] = entry
    data["models"] = grown
    path = folder / f"registry-{count}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def open_with_ctrl_o(window, qtbot, path: Path) -> None:
    """Ctrl+O, type the path into the file dialog, Enter: File → Open as a person does it."""

    def type_path() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, type_path)
            return
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        name.setText(str(path))  # typed with keyClicks, the completer's popup would take the Enter
        qtbot.keyClick(name, Qt.Key.Key_Return)

    window.activateWindow()  # offscreen, focus does not come back by itself after the last dialog
    qtbot.waitUntil(window.isActiveWindow)
    QTimer.singleShot(50, type_path)
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)


def test_a_bigger_registry_after_a_smaller_one_and_back(window, qtbot, demo_registry, tmp_path):
    # More rows after fewer (a model reset): the proxy's filter must never index past the old rows.
    for count in (13, 40, 5, 13):
        path = registry_of(demo_registry, tmp_path, count)
        open_with_ctrl_o(window, qtbot, path)
        qtbot.waitUntil(lambda c=count: len(visible_names(window)) == c and window.session.base is not None
                        and len(window.session.base) == c, timeout=20000)
        assert window.header.count_label.text() == f"{count} of {count} models"
        click_row(qtbot, window.table, count - 1)
        qtbot.waitUntil(lambda c=count: window.details.title.text() == visible_names(window)[c - 1])
    assert window.log_panel.toPlainText().count("internal error") == 0


def test_details_spec_and_python_follow_the_clicked_row(window, qtbot):
    names = visible_names(window)
    click_row(qtbot, window.table, 2)
    click_row(qtbot, window.table, 5)
    assert window.details.title.text() == names[5]
    click_name(qtbot, window.table, 3)  # on the name itself, in the column that stays in view
    assert window.details.title.text() == names[3] and window.current_spec()[0].model_name == names[3]
    click_row(qtbot, window.table, 5)
    assert window.details.title.text() == names[5]
    assert yaml.safe_load(window.details.yaml_box.toPlainText())["model_name"] == names[5]
    assert f"model_name={names[5]!r}" in window.details.python_box.toPlainText()
    spec, _ = window.current_spec()  # what Run and Fetch act on
    assert spec.model_name == names[5]
    qtbot.keyClick(window.table.viewport(), Qt.Key.Key_Down)  # the keyboard moves the details too
    assert window.details.title.text() == names[6]


def all_key_bindings(window) -> dict[str, list[str]]:
    bound: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            bound.setdefault(key.toString(), []).append(action.text())
    for shortcut in window.findChildren(QShortcut):
        for key in shortcut.keys():  # noqa: SIM118 - QShortcut.keys(), not a dict
            bound.setdefault(key.toString(), []).append(shortcut.objectName() or "QShortcut")
    return bound


def test_no_key_is_bound_twice(window):
    twice = {key: names for key, names in all_key_bindings(window).items() if key and len(names) > 1}
    assert twice == {}
    keys = all_key_bindings(window)
    assert keys["F5"] == ["Run Selected Model"]
    assert keys[QKeySequence("Ctrl+R").toString()] == ["&Reload Registry"]


def test_f5_runs_the_clicked_model_and_ctrl_r_reloads(window, qtbot, photos):
    window.live.sources.add_path_source(str(photos / "Cat.jpg"))
    names = visible_names(window)
    row = names.index("efficientnet_lite0_imagenet")
    click_row(qtbot, window.table, row)
    qtbot.keyClick(window.table.viewport(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.runs.worker is not None, timeout=5000)
    assert window.runs.worker.request.spec.model_name == "efficientnet_lite0_imagenet"
    window.runs.stop_run()
    loaded = window.session.base
    qtbot.keyClick(window.table.viewport(), Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.session.base is not loaded and window.session.base is not None, timeout=20000)
    assert len(visible_names(window)) == 14


def test_ctrl_f_then_typing_filters_and_an_empty_result_says_what_to_do(window, qtbot):
    qtbot.keyClick(window.table.viewport(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.facets.search.hasFocus()
    qtbot.keyClicks(window.facets.search, "no such model")
    qtbot.waitUntil(lambda: window.empty_label.isVisible(), timeout=3000)
    assert "No model matches" in window.empty_label.text() and "Clear" in window.empty_label.text()
    assert window.details.stack.currentIndex() == 0  # nothing selected: the details say what to do
    assert "Select a model" in window.details.stack.currentWidget().text()


def test_typing_a_host_probes_once_when_editing_finishes(window, qtbot, media):
    from model_picker.ui.shell.workers import HostProbe
    from tests.conftest import free_port

    # A frame and HUD from a run on @local, which must not stay behind the bad host's error.
    window.live.sources.add_path_source(str(media / "Traffic.mp4"))
    click_row(qtbot, window.table, visible_names(window).index("ssd_mobilenet_v2_coco_quant"))
    qtbot.keyClick(window.table.viewport(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.live.video.image is not None and bool(window.live.video.hud_lines), timeout=60000)

    probes = len(window.findChildren(HostProbe))
    field = window.settings_bar.host.lineEdit()
    field.selectAll()
    host = f"127.0.0.1:{free_port()}"  # nothing listens there
    qtbot.keyClicks(field, host)
    assert len(window.findChildren(HostProbe)) == probes  # typing alone probes nothing
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not reachable" in window.host_label.text(), timeout=30000)
    assert len(window.findChildren(HostProbe)) == probes + 1
    assert window.log_panel.toPlainText().count(f"host {host}") == 1
    video = window.live.video
    assert video.image is None and video.hud_lines == [] and window.runs.worker is None
    assert host in video.message and "@local" in video.message


def test_credentials_stay_out_of_the_window(window, qtbot, settings):
    secret_url = "http://admin:hunter2@127.0.0.1:9/models.yaml?token=tok-SECRET"
    window.files.load_registry(secret_url)  # what File → Open Registry URL… does with the typed text
    qtbot.waitUntil(lambda: window.last_error != "", timeout=30000)
    window.save_settings()
    shown = "\n".join([window.registry_label.text(), window.windowTitle(), window.last_error,
                       window.log_panel.toPlainText(), Path(settings.fileName()).read_text(),
                       *[a.text() for a in window.recent_menu.actions()]])
    assert "hunter2" not in shown and "tok-SECRET" not in shown
    assert "127.0.0.1:9" in window.log_panel.toPlainText()  # still says where


def test_scrolling_right_keeps_the_name_column_visible(window, qtbot):
    window.resize(1024, 640)
    qtbot.wait(50)
    bar = window.table.horizontalScrollBar()
    assert bar.maximum() > 0, "the table should need horizontal scrolling at 1024 px"
    bar.setValue(bar.maximum())
    qtbot.wait(50)
    name = window.table.name_view
    assert name.isVisible() and name.columnWidth(0) > 60
    rect = name.visualRect(name.model().index(0, 0))
    assert name.viewport().rect().contains(rect.center())
    assert name.model().index(0, 0).data() == visible_names(window)[0]


def test_closing_the_log_dock_never_resizes_the_window(window, qtbot):
    window.resize(1024, 640)
    window.log_dock.show()
    qtbot.wait(50)
    width = window.width()
    assert width == 1024, "the window must fit a 1024 px screen"
    close = window.log_dock.findChild(QAbstractButton, "qt_dockwidget_closebutton")
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.log_dock.isVisible())
    qtbot.wait(50)
    assert window.width() == width


def _toolbar_items_fit(toolbar) -> list[str]:
    """Names of toolbar widgets shown but cut (neither fully visible nor in the overflow menu)."""
    cut = []
    for action in toolbar.actions():
        widget = toolbar.widgetForAction(action)
        if widget is None or not widget.isVisible():
            continue  # in the overflow menu
        if not toolbar.rect().contains(widget.geometry()) or widget.width() < widget.minimumSizeHint().width():
            cut.append(widget.objectName())
    return cut


def test_the_toolbar_fits_or_overflows_at_1024_and_1920(window, qtbot):
    toolbar = window.settings_bar
    for width, height in ((1920, 1080), (1024, 640)):
        window.resize(width, height)
        qtbot.wait(100)
        assert window.width() == width, "the window must fit the screen it is shown on"
        assert _toolbar_items_fit(toolbar) == []
        hidden = [a for a in toolbar.actions() if not toolbar.widgetForAction(a).isVisible()]
        extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
        assert extension.isVisible() == bool(hidden)  # what does not fit is one click away
        if width == 1920:
            assert hidden == []
        # The live side gets the width its controls need: nothing of it is cut or scrolled away.
        assert window.live_scroll.horizontalScrollBar().maximum() == 0
        # The catalogue's own controls are whole, and "Best by" works at this size.
        for button in (window.header.best_button, window.findChild(QToolButton, "select-first")):
            assert button.isVisible() and button.width() >= button.sizeHint().width()
    pick_from_menu_button(qtbot, window.header.best_button, "Highest fps cpu")
    fastest = max(window.session.catalogue.entries, key=lambda e: e.metadata.get("fps_cpu", 0)).name
    assert window.details.title.text() == fastest


def open_url_from_the_menu(window, qtbot, url: str) -> None:
    """File → Open Registry URL…, type the URL, Enter."""

    def type_url() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, type_url)
            return
        field = dialog.findChild(QLineEdit)
        qtbot.keyClicks(field, url)
        qtbot.keyClick(field, Qt.Key.Key_Return)

    action = next(a for a in window.findChildren(QAction) if a.text() == "Open Registry &URL…")
    QTimer.singleShot(50, type_url)
    action.trigger()


def test_a_registry_url_with_credentials_is_shown_redacted_and_reopened_from_memory(
        window, qtbot, settings, demo_registry, tmp_path):
    from tests.httpserver import LoopbackServer

    with LoopbackServer() as server:
        body = registry_of(demo_registry, tmp_path, 13).read_bytes()
        server.routes["/models.yaml?token=tok-SECRET"] = (200, body)  # only the real URL is served
        url = server.url.replace("http://", "http://admin:hunter2@") + "/models.yaml?token=tok-SECRET"
        open_url_from_the_menu(window, qtbot, url)
        qtbot.waitUntil(lambda: window.session.base is not None and len(window.session.base) == 13, timeout=20000)
        window.save_settings()
        recent = [a.text() for a in window.recent_menu.actions()]
        shown = "\n".join([window.registry_label.text(), window.windowTitle(), window.log_panel.toPlainText(),
                           Path(settings.fileName()).read_text(), *recent])
        assert "hunter2" not in shown and "tok-SECRET" not in shown
        assert recent[0] == server.url.replace("http://", "http://***@") + "/models.yaml?token=***"
        window.recent_menu.actions()[1].trigger()  # back to the demo registry
        qtbot.waitUntil(lambda: len(window.session.base) == 14, timeout=20000)
        window.recent_menu.actions()[1].trigger()  # the redacted entry: reconnects with the real URL
        qtbot.waitUntil(lambda: len(window.session.base) == 13, timeout=20000)
        qtbot.keyClick(window.table.viewport(), Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # Reload too
        qtbot.waitUntil(lambda: "13 models" in window.registry_label.text(), timeout=20000)
        assert window.last_error == ""


def test_without_a_registry_the_window_says_what_to_do(qtbot, settings, tmp_path):
    from model_picker.ui.shell.main_window import MainWindow

    window = MainWindow(str(tmp_path / "missing.yaml"), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.empty_label.isVisible, timeout=20000)
    assert "No registry is open" in window.empty_label.text() and "File → Open" in window.empty_label.text()
    assert "missing.yaml" in window.last_error
    assert "Select a model" in window.details.stack.currentWidget().text()
    box = window.findChild(QMessageBox, "message")  # the error, said once: OK
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)  # Run with nothing to run says why, and nothing breaks
    assert "no model is selected" in window.live.video.message


def test_a_saved_redacted_registry_asks_for_its_credentials_again(qtbot, settings):
    from model_picker.ui.shell.main_window import MainWindow

    settings.setValue("registry", "http://***@127.0.0.1:9/models.yaml?token=***")  # as the window saves it
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.empty_label.isVisible, timeout=20000)
    assert "credentials are not saved" in window.last_error and "Open Registry URL" in window.last_error
