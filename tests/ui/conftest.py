"""Window fixtures: a real MainWindow on the offscreen platform, with private settings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings, demo_registry, tmp_path):
    from model_picker.ui.shell.main_window import MainWindow

    settings.setValue("output_dir", str(tmp_path / "out"))
    win = MainWindow(str(demo_registry), settings)
    qtbot.addWidget(win)
    win.resize(1400, 860)
    win.show()
    qtbot.waitUntil(lambda: win.session.catalogue is not None, timeout=20000)
    yield win
    win.runs.stop_run()


def visible_names(win) -> list[str]:
    proxy = win.proxy
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def click_row(qtbot, table, row: int, column: int = 1) -> None:
    """A left click in the middle of a row's cell, on the table's viewport, as a mouse does it."""
    index = table.model().index(row, column)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())


def click_name(qtbot, table, row: int) -> None:
    """A left click on a model's name, in the Name column that stays in view (the table's frozen overlay)."""
    names = table.name_view
    index = names.model().index(row, 0)
    names.scrollTo(index)
    qtbot.mouseClick(names.viewport(), Qt.MouseButton.LeftButton, pos=names.visualRect(index).center())


def pick_from_menu_button(qtbot, button, text: str) -> None:
    """Click a menu button, then the menu entry ``text``, with the mouse."""

    def choose() -> None:
        menu = button.menu()
        if not menu.isVisible():
            QTimer.singleShot(50, choose)
            return
        action = next(a for a in menu.actions() if a.text() == text)
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())

    QTimer.singleShot(50, choose)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
