"""The main window: catalogue on the left, live view on the right, log below.

It owns the workers and follows one rule: starting a task cancels the one of
the same kind that is running (a new registry load, host probe, fetch or run),
so the window always shows the result of the user's last request.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..inference.overlay import OverlayOptions
from ..registry import Catalogue, Query
from ..zoo.bundled import demo_registry
from ..zoo.hosts import needs_fetch, spec_for_host
from . import settings as stored
from .catalogue_model import ENTRY_ROLE, CatalogueProxy, CatalogueTableModel
from .details_pane import DetailsPane
from .facet_panel import FacetPanel
from .file_actions import FileActionsMixin
from .live_panel import LivePanel
from .log_panel import LogPanel, log
from .run_actions import RunActionsMixin
from .settings_bar import SettingsBar
from .workers import (
    FetchWorker,
    HostProbe,
    InferenceWorker,
    RegistryLoader,
    ValidationWorker,
    wait_for_retiring,
)


class MainWindow(FileActionsMixin, RunActionsMixin, QMainWindow):
    def __init__(self, registry: str | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.setWindowTitle("Model Picker")
        self.setAcceptDrops(True)
        self.base: Catalogue | None = None  # as loaded
        self.catalogue: Catalogue | None = None  # with the toolbar's defaults
        self.query = Query()
        self.loader: RegistryLoader | None = None
        self.probe: HostProbe | None = None
        self.fetcher: FetchWorker | None = None
        self.worker: InferenceWorker | None = None
        self.validator: ValidationWorker | None = None
        self.host_devices: dict[str, list[str] | None] = {}
        self.glass_ms: deque[float] = deque(maxlen=300)  # capture -> painted, for the HUD and benchmarks
        self._frame_capture: float | None = None
        self.shown_frame_id = -1
        self.last_error = ""
        self._build()
        self._restore()
        self.load_registry(registry or stored.get_str(self.settings, "registry") or str(demo_registry()))

    # ----- construction ----------------------------------------------------------------
    def _build(self) -> None:
        self.settings_bar = SettingsBar()
        toolbar = QToolBar("Defaults")
        toolbar.setObjectName("defaults-toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.settings_bar)
        self.addToolBar(toolbar)

        self.facets = FacetPanel()
        dock = QDockWidget("Filters")
        dock.setObjectName("filters-dock")
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        dock.setWidget(self.facets)
        self.facets.setMinimumWidth(250)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

        self.model = CatalogueTableModel(self)
        self.proxy = CatalogueProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("models")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(lambda _i: self.run())

        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.best_key = QComboBox()
        self.best_key.setObjectName("best-key")
        self.best_key.setToolTip("Numeric metadata to rank by (best_model_spec)")
        self.best_order = QComboBox()
        self.best_order.addItems(["max", "min"])
        best = QPushButton("Select best")
        best.setObjectName("select-best")
        best.clicked.connect(self.select_best)
        top = QPushButton("First")
        top.setToolTip("Select the first model of the filtered list (top_model_spec)")
        top.clicked.connect(self.select_top)
        header = QHBoxLayout()
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(QLabel("Best by"))
        header.addWidget(self.best_key)
        header.addWidget(self.best_order)
        header.addWidget(best)
        header.addWidget(top)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("table-empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()

        self.details = DetailsPane()
        self.details.save_spec_requested.connect(self.save_spec)
        self.details.fetch_requested.connect(self.fetch_selected)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 6, 0)
        left_layout.addLayout(header)
        left_layout.addWidget(self.table, 3)
        left_layout.addWidget(self.empty_label, 3)
        left_split = QSplitter(Qt.Orientation.Vertical)
        left_split.addWidget(left)
        left_split.addWidget(self.details)
        left_split.setStretchFactor(0, 3)
        left_split.setStretchFactor(1, 2)

        self.live = LivePanel()
        live_holder = QWidget()
        live_layout = QVBoxLayout(live_holder)
        live_layout.setContentsMargins(6, 6, 6, 6)
        live_layout.addWidget(self.live)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(left_split)
        self.splitter.addWidget(live_holder)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 5)
        self.setCentralWidget(self.splitter)

        self.log_panel = LogPanel()
        self.log_dock = QDockWidget("Log")
        self.log_dock.setObjectName("log-dock")
        self.log_dock.setWidget(self.log_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.log_dock.hide()

        self.registry_label = QLabel()
        self.host_label = QLabel()
        self.fetch_bar = QProgressBar()
        self.fetch_bar.setObjectName("fetch-progress")
        self.fetch_bar.setMaximumWidth(260)
        self.fetch_bar.setTextVisible(True)
        self.fetch_cancel = QPushButton("Cancel")
        self.fetch_cancel.setObjectName("fetch-cancel")
        self.fetch_cancel.clicked.connect(self.cancel_fetch)
        self.statusBar().addWidget(self.registry_label, 1)
        self.statusBar().addPermanentWidget(self.fetch_bar)
        self.statusBar().addPermanentWidget(self.fetch_cancel)
        self.statusBar().addPermanentWidget(self.host_label)
        self.fetch_bar.hide()
        self.fetch_cancel.hide()
        self._build_menus()

        self.facets.query_changed.connect(self.apply_query)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self.show_selected())
        self.proxy.layoutChanged.connect(self.show_selected)
        self.settings_bar.changed.connect(self.defaults_changed)
        self.live.run_requested.connect(self.run)
        self.live.stop_requested.connect(self.stop_run)
        self.live.pause_toggled.connect(self.pause_run)
        self._connect_run_controls()  # step, previous/next image, slideshow (run_actions.py)
        self.live.snapshot_requested.connect(lambda: self.worker and self.worker.take_snapshot())
        self.live.record_toggled.connect(lambda on: self.worker and self.worker.set_recording(on))
        self.live.export_toggled.connect(lambda on: self.worker and self.worker.set_exporting(on))
        self.live.options_changed.connect(self.options_changed)
        self.live.video.frame_shown.connect(self._frame_shown)
        self.live.source_changed.connect(self._source_changed)

    def _build_menus(self) -> None:
        style = self.style()
        file_menu = self.menuBar().addMenu("&File")
        act = QAction(style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "&Open Registry…", self)
        act.setShortcut(QKeySequence.StandardKey.Open)
        act.triggered.connect(self.open_registry_dialog)
        file_menu.addAction(act)
        act = QAction(style.standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon), "Open Registry &URL…", self)
        act.triggered.connect(self.open_registry_url)
        file_menu.addAction(act)
        self.recent_menu = file_menu.addMenu("Recent Registries")
        act = QAction("Open &Demo Registry", self)
        act.triggered.connect(lambda: self.load_registry(str(demo_registry())))
        file_menu.addAction(act)
        act = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "&Reload Registry", self)
        act.setShortcut(QKeySequence.StandardKey.Refresh)
        act.triggered.connect(lambda: self.base and self.load_registry(self.base.document.origin))
        file_menu.addAction(act)
        file_menu.addSeparator()
        act = QAction(style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), "&Save Spec…", self)
        act.setShortcut(QKeySequence.StandardKey.Save)
        act.triggered.connect(self.save_spec)
        file_menu.addAction(act)
        act = QAction("&Load Spec…", self)
        act.triggered.connect(self.load_spec)
        file_menu.addAction(act)
        act = QAction("Export &All Specs…", self)
        act.setToolTip("The ModelSpec of every model in the filtered list (all_model_specs)")
        act.triggered.connect(self.export_all_specs)
        file_menu.addAction(act)
        file_menu.addSeparator()
        act = QAction("&Quit", self)
        act.setShortcut(QKeySequence.StandardKey.Quit)
        act.triggered.connect(self.close)
        file_menu.addAction(act)

        view = self.menuBar().addMenu("&View")
        act = QAction("Find", self)
        act.setShortcut(QKeySequence.StandardKey.Find)
        act.triggered.connect(lambda: (self.facets.search.setFocus(), self.facets.search.selectAll()))
        view.addAction(act)
        act = QAction("Clear All Filters", self)
        act.triggered.connect(self.facets.clear_all)
        view.addAction(act)
        view.addAction(self.log_dock.toggleViewAction())

        run = self.menuBar().addMenu("&Run")
        for text, key, slot in (("Run Selected Model", "F5", self.run), ("Stop", "Shift+F5", self.stop_run)):
            act = QAction(text, self)
            act.setShortcut(QKeySequence(key))
            act.triggered.connect(slot)
            run.addAction(act)
        act = QAction("&Validate Selected Model…", self)
        act.setShortcut(QKeySequence("Ctrl+B"))
        act.setToolTip("Run the model as fast as the device takes the source's frames and report FPS, "
                       "latency percentiles and the PySDK breakdown")
        act.triggered.connect(self.validate)
        run.addAction(act)
        act = QAction("Pause / Resume", self)
        act.setShortcut(QKeySequence("Ctrl+Space"))
        act.triggered.connect(self.live.pause_button.toggle)
        run.addAction(act)

        tools = self.menuBar().addMenu("&Tools")
        act = QAction("Model &Cache…", self)
        act.setToolTip("Models fetched for offline use: size, source, verify, remove")
        act.triggered.connect(self.show_cache)
        tools.addAction(act)

        help_menu = self.menuBar().addMenu("&Help")
        act = QAction("About Model Picker", self)
        act.triggered.connect(self.about)
        help_menu.addAction(act)

    # ----- defaults and host -------------------------------------------------------------
    def _apply_defaults(self) -> None:
        if self.base is None:
            return
        defaults = self.settings_bar.defaults()
        extra = defaults.pop("model_properties")
        if extra:  # merged into the registry's own properties, not replacing them
            defaults["model_properties"] = {**self.base.defaults.model_properties, **extra}
        self.catalogue = self.base.with_defaults(**defaults)
        self.model.catalogue = self.catalogue

    def defaults_changed(self) -> None:
        self._apply_defaults()
        self.show_selected()
        self._probe_host()
        self.live.threshold = self.settings_bar.threshold_value()
        if self.worker is not None:
            self.worker.set_options(self.live.options())

    def _probe_host(self) -> None:
        host = self.settings_bar.host_text()
        if host in self.host_devices:
            self._host_probed(host, self.host_devices[host], "")
            return
        self.host_label.setText(f"Host {host}: checking…")
        self.model.set_host_devices(host, None)
        self.probe = HostProbe(host, self)
        self.probe.done.connect(self._host_probed)
        self.probe.start()

    def _host_probed(self, host: str, types: list[str] | None, error: str) -> None:
        if host != self.settings_bar.host_text():
            return  # an answer for a host the user has left
        if types is not None:
            self.host_devices[host] = types
        self.model.set_host_devices(host, types)
        if types is None:
            self.host_label.setText(f"Host {host}: not reachable")
            self.host_label.setToolTip(error)
            log.warning("host %s: %s", host, error)
        else:
            self.host_label.setText(f"Host {host}: {', '.join(types) or 'no devices'}")
            self.host_label.setToolTip("")
        self.show_selected()

    # ----- filtering and selection -------------------------------------------------------
    def apply_query(self, query: Query) -> None:
        if self.catalogue is None:
            return
        self.query = query
        mask = self.catalogue.mask(query)
        self.proxy.set_mask(mask)
        self.facets.update_counts(self.catalogue.facets(query))
        shown, total = int(np.count_nonzero(mask)), len(self.catalogue)
        self.count_label.setText(f"{shown} of {total} models")
        if total == 0:
            self._set_empty("This registry lists no models.\nOpen another with File → Open Registry….")
        elif shown == 0:
            self._set_empty("No model matches these filters.\nUntick a value or press Clear all.")
        else:
            self._set_empty("")
        if self.proxy.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        elif not self.proxy.rowCount():
            self.details.clear()

    def _set_empty(self, text: str) -> None:
        self.empty_label.setText(text)
        self.empty_label.setVisible(bool(text))
        self.table.setVisible(not text)

    def selected_index(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return int(rows[0].data(ENTRY_ROLE))

    def select_entry(self, entry_index: int) -> None:
        source = self.model.index(entry_index, 0)
        row = self.proxy.mapFromSource(source)
        if row.isValid():
            self.table.selectionModel().setCurrentIndex(
                row, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(row)

    def select_best(self) -> None:
        if self.catalogue is None or not self.best_key.currentText():
            return
        try:
            self.select_entry(self.catalogue.best(self.best_key.currentText(), self.best_order.currentText(),
                                                  self.query))
        except (ValueError, RuntimeError) as exc:
            self.statusBar().showMessage(str(exc), 6000)

    def select_top(self) -> None:
        if self.catalogue is None:
            return
        try:
            self.select_entry(self.catalogue.top(self.query))
        except RuntimeError as exc:
            self.statusBar().showMessage(str(exc), 6000)

    def current_spec(self) -> tuple[Any, str]:
        """(ModelSpec fitted to the host, or None; the reason when None)."""
        index = self.selected_index()
        if index is None or self.catalogue is None:
            return None, "no model is selected"
        try:
            return spec_for_host(self.catalogue.spec(index), self.settings_bar.host_text()), ""
        except ValueError as exc:
            return None, f"cannot build its ModelSpec: {exc}. Set a zoo URL in the toolbar."

    def show_selected(self) -> None:
        index = self.selected_index()
        if index is None or self.catalogue is None:
            self.details.clear()
            return
        spec, problem = self.current_spec()
        problem = problem or self.model.unrunnable.get(index, "")
        self.details.show_entry(self.catalogue.entries[index], self.catalogue.spec_zoo(index), spec, problem,
                                needs_fetch=spec is not None and needs_fetch(spec))

    # ----- misc ----------------------------------------------------------------------------
    def _message(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        """A non-blocking message box (a modal one would stall tests and scripts)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("message")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_cache(self) -> None:
        from .cache_dialog import CacheDialog

        CacheDialog(self).open()

    def about(self) -> None:
        from importlib import metadata

        versions = ", ".join(f"{d} {metadata.version(d)}" for d in ("degirum", "degirum-tools", "PySide6"))
        self._message(QMessageBox.Icon.Information, "About Model Picker",
                      f"Model Picker: browse DeGirum model registries and run models live.\n\n{versions}")

    def _restore(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = self.settings.value("window_state")
        if state is not None:
            self.restoreState(state)
        self.settings_bar.restore(stored.get_dict(self.settings, "defaults"))
        self.live.restore_options(OverlayOptions.from_dict(stored.get_dict(self.settings, "overlay")))
        self.live.restore_source(stored.get_dict(self.settings, "source"))
        self._fill_recent()

    def save_settings(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        stored.set_dict(self.settings, "defaults", self.settings_bar.state())
        stored.set_dict(self.settings, "overlay", self.live.options().to_dict())
        stored.set_dict(self.settings, "source", self.live.source_state())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.stop_run()
        wait_for_retiring()
        for thread in (self.loader, self.probe, self.fetcher, self.validator):
            if thread is not None and thread.isRunning():
                thread.wait(3000)
        self.log_panel.detach()
        event.accept()

