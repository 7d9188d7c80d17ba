"""The main window: catalogue on the left, live view on the right, log below.

It owns the workers and follows one rule: starting a task cancels the one of
the same kind that is running (a new registry load, host probe, fetch or run),
so the window always shows the result of the user's last request.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
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
from ..inference.sources import SourceError
from ..inference.stats import percentile
from ..registry import Catalogue, Query, RegistryError
from ..registry.spec_text import spec_from_yaml, spec_to_yaml
from ..zoo.bundled import demo_registry
from ..zoo.hosts import needs_fetch, spec_for_host
from . import settings as stored
from .catalogue_model import ENTRY_ROLE, CatalogueProxy, CatalogueTableModel
from .details_pane import DetailsPane
from .facet_panel import FacetPanel
from .live_panel import LivePanel
from .log_panel import LogPanel, log
from .settings_bar import SettingsBar
from .workers import (
    FetchWorker,
    HostProbe,
    InferenceWorker,
    RegistryLoader,
    RunRequest,
    ValidationWorker,
    wait_for_retiring,
)

MAX_RECENT = 8


class MainWindow(QMainWindow):
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
        self.live.step_requested.connect(lambda: self.worker and self.worker.pipeline and self.worker.pipeline.step())
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

    # ----- registry --------------------------------------------------------------------
    def load_registry(self, source: str) -> None:
        """Load in the background; the current registry stays until the new one is good."""
        if self.loader is not None and self.loader.isRunning():
            self.loader.done.disconnect()
            self.loader.failed.disconnect()
        self.loader = RegistryLoader(source, self)
        self.loader.done.connect(self._registry_loaded)
        self.loader.failed.connect(self._registry_failed)
        self.registry_label.setText(f"Loading {source}…")
        log.info("loading registry %s", source)
        self.loader.start()

    def _registry_loaded(self, catalogue: Catalogue, source: str) -> None:
        self.base = catalogue
        self.table.clearSelection()
        self._apply_defaults()
        self.model.set_catalogue(self.catalogue)
        self.facets.set_catalogue(self.catalogue)
        self.best_key.clear()
        self.best_key.addItems(self.catalogue.numeric_keys)
        speed = [k for k in self.catalogue.numeric_keys if "fps" in k.lower()]
        if speed:  # the ranking people ask for first
            self.best_key.setCurrentText(speed[0])
        self.query = Query()
        self.apply_query(self.query)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 260))
        doc = catalogue.document
        text = f"Registry: {doc.origin}  ·  {len(catalogue)} models"
        if doc.stale:
            text = f"⚠ {doc.note}"
            log.warning(doc.note)
        self.registry_label.setText(text)
        self.settings.setValue("registry", source)
        self._remember_recent(source)
        if len(catalogue):
            self.table.selectRow(0)
        self.show_selected()
        self._probe_host()
        log.info("registry %s: %d models", source, len(catalogue))

    def _registry_failed(self, message: str, source: str) -> None:
        log.error(message)
        self.last_error = message
        keep = f"\n\nStill showing {self.base.document.origin}." if self.base else ""
        if self.base is None:
            self.registry_label.setText("No registry loaded: File → Open Registry… or Open Demo Registry")
            self._set_empty("No registry is open.\nUse File → Open Registry… or File → Open Demo Registry.")
        else:
            self.registry_label.setText(f"Registry: {self.base.document.origin}  ·  {len(self.base)} models")
        self._message(QMessageBox.Icon.Warning, "Cannot open the registry", message + keep)

    def _remember_recent(self, source: str) -> None:
        recent = [r for r in stored.get_list(self.settings, "recent") if r != source]
        recent.insert(0, source)
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = stored.get_list(self.settings, "recent")
        for source in recent:
            act = self.recent_menu.addAction(source)
            act.triggered.connect(lambda _c=False, s=source: self.load_registry(s))
        self.recent_menu.setEnabled(bool(recent))

    def open_registry_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a model registry", "", "Registry (*.yaml *.yml);;All (*)")
        if path:
            self.load_registry(path)

    def open_registry_url(self) -> None:
        url, ok = QInputDialog.getText(self, "Open a registry URL", "Registry URL (https://…/models.yaml):")
        if ok and url.strip():
            self.load_registry(url.strip())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile() and urls[0].toLocalFile().lower().endswith((".yaml", ".yml")):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.load_registry(event.mimeData().urls()[0].toLocalFile())
        event.acceptProposedAction()

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

    # ----- specs ---------------------------------------------------------------------------
    def save_spec(self) -> None:
        spec, problem = self.current_spec()
        if spec is None:
            self.statusBar().showMessage(f"Nothing to save: {problem}", 6000)
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save ModelSpec", f"{spec.model_name}.yaml", "Spec (*.yaml)")
        if path:
            Path(path).write_text(spec_to_yaml(spec))
            self.statusBar().showMessage(f"Saved {path} (without the token)", 6000)

    def load_spec(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load a ModelSpec", "", "Spec (*.yaml *.yml)")
        if not path:
            return
        try:
            spec = spec_from_yaml(Path(path).read_text(), path)
        except (RegistryError, OSError) as exc:
            self._message(QMessageBox.Icon.Warning, "Cannot load the spec", str(exc))
            return
        if self.catalogue is not None:
            try:
                self.select_entry(self.catalogue.index_of(spec.model_name))
            except KeyError:
                pass
        self.settings_bar.host.setCurrentText(spec.inference_host_address)
        self.start_run(spec)

    def export_all_specs(self) -> None:
        if self.catalogue is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export all specs", "specs.yaml", "Specs (*.yaml)")
        if not path:
            return
        import yaml

        from ..registry.spec_text import spec_to_dict

        try:
            specs = self.catalogue.specs(self.catalogue.select(self.query))
        except ValueError as exc:
            self._message(QMessageBox.Icon.Warning, "Cannot export", str(exc))
            return
        Path(path).write_text(yaml.safe_dump([spec_to_dict(s) for s in specs], sort_keys=False))
        self.statusBar().showMessage(f"Exported {len(specs)} specs to {path}", 6000)

    # ----- fetching and running -----------------------------------------------------------
    def fetch_selected(self) -> None:
        spec, problem = self.current_spec()
        if spec is None:
            self.statusBar().showMessage(problem, 6000)
            return
        self._fetch(spec, then_run=False)

    def _fetch(self, spec: Any, then_run: bool) -> None:
        """Starting a fetch cancels the one running (the user's last request wins)."""
        self.cancel_fetch()
        fetcher = FetchWorker(spec, parent=self)
        fetcher.done.connect(lambda local: self._fetched(fetcher, local, then_run))
        fetcher.failed.connect(lambda message, detail: self._fetch_failed(fetcher, message, detail))
        fetcher.progress.connect(self._fetch_progress)
        self.fetcher = fetcher
        self.fetch_bar.setRange(0, 0)
        self.fetch_bar.setFormat(f"Fetching {spec.model_name}…")
        self.fetch_bar.show()
        self.fetch_cancel.show()
        self.live.video.set_message(f"Fetching {spec.model_name}…")
        log.info("fetching %s from %s", spec.model_name, spec.zoo_url or "the default zoo")
        fetcher.start()

    def cancel_fetch(self) -> None:
        if self.fetcher is not None and self.fetcher.isRunning():
            self.fetcher.cancel.set()
        self.fetcher = None
        self.fetch_bar.hide()
        self.fetch_cancel.hide()

    def _fetch_progress(self, progress: Any) -> None:
        if self.sender() is not self.fetcher:
            return
        if progress.total:
            self.fetch_bar.setRange(0, 1000)
            self.fetch_bar.setValue(int(1000 * progress.received / progress.total))
        self.fetch_bar.setFormat(progress.text())

    def _fetched(self, fetcher: FetchWorker, local: Any, then_run: bool) -> None:
        if fetcher is not self.fetcher:
            return
        self.cancel_fetch()
        log.info("%s is in the local cache: %s", local.model_name, local.zoo_url)
        if then_run:
            self.start_run(local)
        else:
            self.live.video.set_message("")
            self.statusBar().showMessage(f"{local.model_name} is ready for offline use", 6000)

    def _fetch_failed(self, fetcher: FetchWorker, message: str, detail: str) -> None:
        if fetcher is not self.fetcher and "cancelled" not in message:
            return
        self.cancel_fetch()
        self._worker_failed(message, detail)

    def run(self) -> None:
        spec, problem = self.current_spec()
        if spec is None:
            self.live.video.set_message(f"Cannot run: {problem}")
            return
        if needs_fetch(spec):
            self._fetch(spec, then_run=True)
        else:
            self.start_run(spec)

    def start_run(self, spec: Any) -> None:
        """Run ``spec`` on the chosen source; a run in progress is stopped first (model switch)."""
        try:
            source = self.live.source_spec()
        except SourceError as exc:
            self.live.video.set_message(str(exc))
            return
        self.stop_run()
        self.live.threshold = self.settings_bar.threshold_value()
        request = RunRequest(spec=spec, source=source, devices=self.settings_bar.devices.currentText(),
                             options=self.live.options(), output_dir=stored.output_dir(self.settings),
                             watchdog_s=stored.get_float(self.settings, "watchdog_s", 10.0))
        worker = InferenceWorker(request, self)
        worker.status.connect(self._run_status)
        worker.started_run.connect(lambda device: self._run_started(worker, device))
        worker.frame_ready.connect(self._frame_ready)
        worker.stats.connect(lambda snap: self._stats(worker, snap))
        worker.failed.connect(lambda message, detail: self._run_failed(worker, message, detail))
        worker.saved.connect(lambda path: (self.statusBar().showMessage(f"Saved {path}", 8000),
                                           log.info("saved %s", path)))
        worker.finished_run.connect(lambda snap: self._run_finished(worker, snap))
        worker.display_size = self.live.video.display_size()
        worker.set_recording(self.live.record_button.isChecked())
        worker.set_exporting(self.live.export_button.isChecked())
        self.worker = worker
        self.glass_ms.clear()
        self.live.set_running(True)
        self.live.state_label.setText("Starting…")
        self.live.video.set_message(f"Loading {spec.model_name}…")
        log.info("run %s on %s via %s", spec.model_name, source.describe(), spec.inference_host_address)
        worker.start()

    def stop_run(self) -> None:
        """Stop the run at once; its thread finishes in the background (its signals are ignored)."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.retire(wait_ms=3000 if worker.request.source.kind == "camera" else 0)
        self.live.set_running(False)
        self.live.state_label.setText("")

    def pause_run(self, paused: bool) -> None:
        if self.worker is not None and self.worker.pipeline is not None:
            (self.worker.pipeline.pause if paused else self.worker.pipeline.resume)()
            self.live.state_label.setText("Paused" if paused else "")

    def options_changed(self, options: OverlayOptions) -> None:
        if self.worker is not None:
            self.worker.set_options(options)

    def _source_changed(self) -> None:
        if self.worker is not None and self.worker.isRunning():
            spec = self.worker.request.spec
            self.start_run(spec)  # switch the source of the running model

    def _run_status(self, text: str) -> None:
        if text:
            self.live.state_label.setText(text)
            log.info(text)

    def _run_started(self, worker: InferenceWorker, device: str) -> None:
        if worker is self.worker:
            self.live.state_label.setText("Running")
            self.live.video.set_message("")
            log.info("running on %s", device)

    def _frame_ready(self, image: Any, capture_time: float, frame_id: int) -> None:
        if self.sender() is not self.worker:
            return
        self._frame_capture = capture_time
        self.shown_frame_id = frame_id
        self.live.video.show_frame(image)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.worker is not None:
            self.worker.display_size = self.live.video.display_size()

    def _frame_shown(self, painted: float) -> None:
        if self._frame_capture is not None:
            self.glass_ms.append((painted - self._frame_capture) * 1000)
            self._frame_capture = None
        if self.worker is not None:
            self.worker.frame_painted()

    def _stats(self, worker: InferenceWorker, snap: Any) -> None:
        if worker is not self.worker:
            return
        glass = percentile(list(self.glass_ms), 50)
        lines = [f"{worker.request.spec.model_name}",
                 f"{worker.device_text}  ·  {worker.request.spec.inference_host_address}",
                 f"{snap.fps:6.1f} FPS   latency p50 {snap.latency_p50_ms:.0f} ms  p95 {snap.latency_p95_ms:.0f} ms"]
        if glass:
            lines.append(f"glass-to-glass p50 {glass:.0f} ms")
        if snap.dropped:
            lines.append(f"{snap.dropped} frames dropped by the live source")
        self.live.video.set_hud(lines)

    def _worker_failed(self, message: str, detail: str) -> None:
        self.last_error = message
        log.error("%s", message)
        if detail and detail != message:
            log.info("details: %s", detail)
        self.live.video.set_message(f"{message}\n\nThe details are in View → Log.")
        self.live.state_label.setText("Failed")

    def _run_failed(self, worker: InferenceWorker, message: str, detail: str) -> None:
        if worker is not self.worker:
            return  # a run the user already left
        self.stop_run()  # the window is ready for the next run at once, even if PySDK is still stuck
        self._worker_failed(message, detail)

    def _run_finished(self, worker: InferenceWorker, snap: Any) -> None:
        if snap is not None and snap.frames:
            log.info("%s: %d frames, %.1f FPS, latency p50 %.1f ms p95 %.1f ms", worker.request.spec.model_name,
                     snap.frames, snap.average_fps, snap.latency_p50_ms, snap.latency_p95_ms)
        if worker is self.worker:
            self.worker = None
            self.live.set_running(False)
            if self.live.state_label.text() != "Failed":
                self.live.state_label.setText("Finished")

    def validate(self) -> None:
        """A validation run of the selected model on the chosen source (files only: frames at full speed)."""
        spec, problem = self.current_spec()
        if spec is None:
            self.live.video.set_message(f"Cannot validate: {problem}")
            return
        try:
            source = self.live.source_spec()
        except SourceError as exc:
            self.live.video.set_message(str(exc))
            return
        if source.kind in ("camera", "stream"):
            self.live.video.set_message("Validation measures the device at full speed on a file: choose a video, "
                                        "image or folder as the source.")
            return
        self.stop_run()
        worker = ValidationWorker(spec, source, devices=self.settings_bar.devices.currentText(), parent=self)
        worker.progress.connect(lambda done, total: self.live.state_label.setText(f"Validating {done}/{total}"))
        worker.done.connect(self._validated)
        worker.failed.connect(self._worker_failed)
        worker.finished.connect(lambda: self.live.state_label.setText(""))
        self.validator = worker
        self.live.video.set_message(f"Validating {spec.model_name} on {spec.inference_host_address}…")
        log.info("validating %s on %s", spec.model_name, spec.inference_host_address)
        worker.start()

    def _validated(self, result: Any) -> None:
        from .report_dialog import ReportDialog

        self.live.video.set_message("")
        log.info("%s: %.1f FPS, latency p50 %.1f ms p95 %.1f ms p99 %.1f ms on %s", result.model, result.fps,
                 result.latency_p50_ms, result.latency_p95_ms, result.latency_p99_ms, result.device)
        self.report = ReportDialog([result], self)
        self.report.open()

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

