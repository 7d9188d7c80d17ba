"""Presentation mode (F11, Esc leaves) and the HUD's actions (H toggles it; View → HUD Corner).

Presentation mode is for customers: the video alone, full screen, with a large
HUD (model, device, host, FPS) and per-class counts; the menus, toolbars, docks
(the log), status bar, catalogue and controls are hidden and come back exactly
as they were. The actions are added to the window itself, not only to its menu
bar, because a hidden menu bar's shortcuts stop working.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QWidget

from model_picker.ui.live.hud import CORNER_NAMES, corner_setting
from model_picker.ui.shell.guard import qt_virtual


class Presentation(QObject):
    """Owns the F11 / Esc / H actions and the corner choice for one main window."""

    def __init__(self, window: QMainWindow, video: Any, settings: Any, view_menu: QMenu) -> None:
        super().__init__(window)
        self.window, self.video, self.settings = window, video, settings
        window.installEventFilter(self)  # closing in presentation mode saves the normal layout
        self._hidden: list[QWidget] = []
        self._margins: list[tuple[Any, Any]] = []
        self._borrowed: list[QAction] = []
        self._state = Qt.WindowState.WindowNoState
        self.enter_action = self._action("&Presentation Mode", "F11", self.toggle, view_menu)
        self.enter_action.setCheckable(True)
        self.leave_action = self._action("Leave Presentation Mode", "Esc", self.leave, None)
        self.leave_action.setEnabled(False)
        self.hud_action = self._action("Show &HUD", "H", self.video.set_hud_visible, view_menu)
        self.hud_action.setCheckable(True)
        self.hud_action.setChecked(settings.value("hud_visible", True) not in (False, "false", "0"))
        self.hud_action.toggled.connect(lambda on: settings.setValue("hud_visible", on))
        self.video.set_hud_visible(self.hud_action.isChecked())
        corner_menu = view_menu.addMenu("HUD &Corner")
        group = QActionGroup(window)
        current = corner_setting(settings.value("hud_corner"))
        for corner, name in CORNER_NAMES.items():
            act = corner_menu.addAction(name)
            act.setCheckable(True)
            act.setChecked(corner == current)
            act.setData(corner)
            group.addAction(act)
        group.triggered.connect(lambda act: self.set_corner(act.data()))
        self.video.set_hud_corner(current)

    @qt_virtual(False)
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        try:
            if watched is self.window and event.type() == QEvent.Type.Close and self.active:
                self.leave()
        except Exception:  # never into Qt's C++
            pass
        return False

    def _action(self, text: str, key: str, slot: Any, menu: QMenu | None) -> QAction:
        act = QAction(text, self.window)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(slot)
        self.window.addAction(act)  # works while the menu bar is hidden
        if menu is not None:
            menu.addAction(act)
        return act

    def set_corner(self, corner: str) -> None:
        self.settings.setValue("hud_corner", corner)
        self.video.set_hud_corner(corner)

    @property
    def active(self) -> bool:
        return self.video.presentation

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self) -> None:
        if self.active:
            return
        window = self.window
        candidates: list[QWidget] = [window.menuBar(), window.statusBar(),
                                     *window.findChildren(QToolBar), *window.findChildren(QDockWidget)]
        # Everything between the window and the video: siblings along the way (the catalogue, controls).
        child: QWidget = self.video
        while child.parentWidget() is not None and child is not window.centralWidget():
            parent = child.parentWidget()
            candidates += [w for w in parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                           if w is not child and not w.isWindow()]
            child = parent
        self._hidden = [w for w in candidates if w.isVisible()]
        self._margins = []  # the video edge to edge: no layout margins on the way up
        widget = self.video.parentWidget()
        while widget is not None and widget is not window:
            if widget.layout() is not None:
                self._margins.append((widget.layout(), widget.layout().contentsMargins()))
                widget.layout().setContentsMargins(0, 0, 0, 0)
            widget = widget.parentWidget()
        for widget in self._hidden:
            widget.hide()
        # The hidden menu bar's shortcuts (Pause, Stop, Quit...) keep working through the window itself.
        menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
        self._borrowed = [a for m in menus for a in m.actions()
                          if not a.isSeparator() and a.menu() is None and a not in window.actions()]
        window.addActions(self._borrowed)
        self._state = window.windowState()
        self.video.set_presentation(True)
        self.enter_action.setChecked(True)
        self.leave_action.setEnabled(True)
        window.showFullScreen()

    def leave(self) -> None:
        if not self.active:
            return
        for widget in self._hidden:
            widget.show()
        for layout, margins in self._margins:
            layout.setContentsMargins(margins)
        for action in self._borrowed:
            self.window.removeAction(action)
        self._borrowed = []
        self._hidden, self._margins = [], []
        self.video.set_presentation(False)
        self.enter_action.setChecked(False)
        self.leave_action.setEnabled(False)
        self.window.setWindowState(self._state)
        self.window.show()
