"""The main window's menus: every command as a QAction, with its standard key.

Each key is bound once (tests/ui/shell/test_window_input.py walks them): F5 is Run, the
key docs/window.md documents, so Reload Registry takes Ctrl+R.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle

from model_picker.ui.live.presentation import Presentation
from model_picker.zoo.bundled import demo_registry


def build_menus(window: Any) -> None:
    """File, View, Run, Tools and Help for ``window`` (a MainWindow)."""
    style = window.style()
    file_menu = window.menuBar().addMenu("&File")
    act = QAction(style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "&Open Registry…", window)
    act.setShortcut(QKeySequence.StandardKey.Open)
    act.triggered.connect(window.files.open_registry_dialog)
    file_menu.addAction(act)
    act = QAction(style.standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon), "Open Registry &URL…", window)
    act.triggered.connect(window.files.open_registry_url)
    file_menu.addAction(act)
    window.recent_menu = file_menu.addMenu("Recent Registries")
    act = QAction("Open &Demo Registry", window)
    act.triggered.connect(lambda: window.files.load_registry(str(demo_registry())))
    file_menu.addAction(act)
    act = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "&Reload Registry", window)
    act.setShortcut(QKeySequence("Ctrl+R"))  # F5 is Run, the documented key (StandardKey.Refresh is F5)
    act.triggered.connect(window.files.reload_registry)
    file_menu.addAction(act)
    file_menu.addSeparator()
    act = QAction(style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), "&Save Spec…", window)
    act.setShortcut(QKeySequence.StandardKey.Save)
    act.triggered.connect(window.files.save_spec)
    file_menu.addAction(act)
    act = QAction("&Load Spec…", window)
    act.triggered.connect(window.files.load_spec)
    file_menu.addAction(act)
    act = QAction("Export &All Specs…", window)
    act.setToolTip("The ModelSpec of every model in the filtered list (all_model_specs)")
    act.triggered.connect(window.files.export_all_specs)
    file_menu.addAction(act)
    file_menu.addSeparator()
    act = QAction("&Quit", window)
    act.setShortcut(QKeySequence.StandardKey.Quit)
    act.triggered.connect(window.close)
    file_menu.addAction(act)

    view = window.menuBar().addMenu("&View")
    act = QAction("Find", window)
    act.setShortcut(QKeySequence.StandardKey.Find)
    act.triggered.connect(lambda: (window.facets.search.setFocus(), window.facets.search.selectAll()))
    view.addAction(act)
    act = QAction("Clear All Filters", window)
    act.triggered.connect(window.facets.clear_all)
    view.addAction(act)
    view.addAction(window.log_dock.toggleViewAction())
    view.addSeparator()
    window.presentation = Presentation(window, window.live.video, window.settings, view)  # F11, Esc, H, HUD corner
    window.live.controls.record_toggled.connect(window.live.video.set_recording)

    run = window.menuBar().addMenu("&Run")
    for text, key, slot in (("Run Selected Model", "F5", window.runs.run), ("Stop", "Shift+F5", window.runs.stop_run)):
        act = QAction(text, window)
        act.setShortcut(QKeySequence(key))
        act.triggered.connect(slot)
        run.addAction(act)
    act = QAction("&Validate Selected Model…", window)
    act.setShortcut(QKeySequence("Ctrl+B"))
    act.setToolTip("Run the model as fast as the device takes the source's frames and report FPS, "
                   "latency percentiles and the PySDK breakdown")
    act.triggered.connect(window.validation.validate)
    run.addAction(act)
    run.addAction(window.compare.action)  # ui/compare/action.py: F6, enabled by the selection
    act = QAction("Pause / Resume", window)
    act.setShortcut(QKeySequence("Ctrl+Space"))
    act.triggered.connect(window.live.controls.pause_button.toggle)
    run.addAction(act)

    tools = window.menuBar().addMenu("&Tools")
    act = QAction("Model &Cache…", window)
    act.setToolTip("Models fetched for offline use: size, source, verify, remove")
    act.triggered.connect(window.show_cache)
    tools.addAction(act)
    act = QAction("Clear N2X Compile Cache", window)
    act.setToolTip("Delete the models N2X (the ORCA runtime) compiled; a damaged entry breaks later loads")
    act.triggered.connect(window.clear_n2x_cache)
    tools.addAction(act)

    help_menu = window.menuBar().addMenu("&Help")
    act = QAction("About Model Picker", window)
    act.triggered.connect(window.about)
    help_menu.addAction(act)
