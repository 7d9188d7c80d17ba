"""The main window: catalogue on the left, live view on the right, log below.

Its controllers own the workers (``runs``: fetch and run; ``validation``: validate;
``files``: registry loads and spec files; ``hosts``: host probes) and follow one
rule: starting a task cancels the one of the same kind that is running, so the
window always shows the result of the user's last request. The window lays out
the features' widgets, wires the controllers' signals to them, and keeps the
catalogue side (filtering, selection) and the split between the two sides.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QThread
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget

from model_picker.inference.media.overlay import OverlayOptions
from model_picker.registry import Query
from model_picker.session.plan import RunPlan
from model_picker.session.state import Session
from model_picker.ui.catalogue.details import DetailsPane
from model_picker.ui.catalogue.facets import FacetPanel
from model_picker.ui.catalogue.header import CatalogueHeader
from model_picker.ui.catalogue.table import CatalogueTable, EmptyNotice
from model_picker.ui.catalogue.table_model import CatalogueProxy, CatalogueTableModel
from model_picker.ui.compare.action import CompareController
from model_picker.ui.counting.controls import install as install_counting
from model_picker.ui.live.panel import LivePanel, LiveScroll
from model_picker.ui.live.run_controller import RunController
from model_picker.ui.shell import settings as stored
from model_picker.ui.shell.fetch_status import FetchStatus
from model_picker.ui.shell.file_actions import FileController, is_registry_drop, show_message
from model_picker.ui.shell.guard import qt_virtual
from model_picker.ui.shell.host_control import HostController
from model_picker.ui.shell.log_panel import LogPanel, log
from model_picker.ui.shell.menus import build_menus
from model_picker.ui.shell.settings_bar import SettingsBar
from model_picker.ui.shell.workers import wait_for_retiring
from model_picker.ui.validate.controller import ValidateController
from model_picker.zoo.bundled import demo_registry
from model_picker.zoo.hosts import needs_fetch
from model_picker.zoo.runtime import n2x

LEFT_MIN_WIDTH = 260  # the table and details keep at least this much when the live side needs room
FILTERS_WIDTH = 250  # the Filters dock when there is room (narrower, down to its minimum, in a 1024 px window)


class MainWindow(QMainWindow):
    """The catalogue side reads and sets the Session; the live side is the RunController's (``self.runs``),
    Validate the ValidateController's (``self.validation``), registries and spec files the FileController's
    (``self.files``), the host the HostController's (``self.hosts``)."""

    def __init__(self, registry: str | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.setWindowTitle("Model Picker")
        self.setAcceptDrops(True)
        self.session = Session()  # catalogue, defaults, query, selection, host devices (Qt-free)
        self.last_error = ""
        self._build()
        self._restore()
        self.counting = install_counting(self)  # Track, lines and zones under the video
        self.runs.counting = self.counting
        self.files.load_registry(registry or stored.get_str(self.settings, "registry") or str(demo_registry()))

    # ----- construction ----------------------------------------------------------------
    def _build(self) -> None:
        self.settings_bar = SettingsBar()
        self.addToolBar(self.settings_bar)

        self.facets = FacetPanel()
        self.facets.setMinimumWidth(205)
        self.filters_dock = self._dock("Filters", "filters-dock", self.facets, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.filters_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.resizeDocks([self.filters_dock], [FILTERS_WIDTH], Qt.Orientation.Horizontal)

        self.model = CatalogueTableModel(self)
        self.proxy = CatalogueProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = CatalogueTable(self.proxy)
        self.table.doubleClicked.connect(lambda _i: self.runs.run())
        self.header = CatalogueHeader()
        self.header.best_chosen.connect(self.select_best)
        self.header.first_chosen.connect(self.select_top)
        self.compare = CompareController(self)  # 2-4 selected rows, or one model on several hosts
        self.header.add_button(self.compare.button)
        self.empty_label = EmptyNotice()
        self.details = DetailsPane()
        self.details.save_spec_requested.connect(lambda: self.files.save_spec())
        self.details.fetch_requested.connect(lambda: self.runs.fetch_selected())

        self.live = LivePanel()
        self.live_scroll = LiveScroll(self.live)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self._catalogue_side())
        self.splitter.addWidget(self.live_scroll)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 5)
        self.left_share = 0.42  # the catalogue side: its columns and details readable; the rest is video
        self.splitter.splitterMoved.connect(self._remember_share)
        self.setCentralWidget(self.splitter)

        self.log_panel = LogPanel()
        self.log_dock = self._dock("Log", "log-dock", self.log_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.log_dock.hide()

        self.registry_label = QLabel()
        self.host_label = QLabel()
        self.fetch_status = FetchStatus()
        self.fetch_status.cancel_requested.connect(lambda: self.runs.cancel_fetch())
        self.statusBar().addWidget(self.registry_label, 1)
        self.statusBar().addPermanentWidget(self.fetch_status)
        self.statusBar().addPermanentWidget(self.host_label)
        self.runs = RunController(self.live, self.settings_bar, self.settings, self.session, self.current_plan, self)
        self.runs.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.runs.error.connect(lambda text: setattr(self, "last_error", text))
        self.runs.fetch_progress.connect(self.fetch_status.show_progress)
        self.runs.fetch_ended.connect(self.fetch_status.hide)
        self.files = FileController(self.session, self.settings, self.registry_label, self.current_spec, self)
        self.files.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.files.error.connect(lambda text: setattr(self, "last_error", text))
        self.files.loaded.connect(self._registry_loaded)
        self.files.failed.connect(self._registry_failed)
        self.files.spec_loaded.connect(self._spec_loaded)
        self.validation = ValidateController(self.runs, self)
        self.validation.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.hosts = HostController(self.session, self.host_label, self.settings_bar.host_text, self)
        self.hosts.unrunnable.connect(self.model.set_unrunnable)
        self.hosts.unreachable.connect(self._host_unreachable)
        self.hosts.probed.connect(self.show_selected)
        build_menus(self)
        self.files.set_recent_menu(self.recent_menu)

        self.facets.query_changed.connect(self.apply_query)
        # selectionChanged, not currentRowChanged: the current row changes before the selection moves,
        # so the details would describe the previous row while Run and Fetch act on the new one.
        self.table.selectionModel().selectionChanged.connect(lambda _s, _d: self.show_selected())
        self.table.selectionModel().selectionChanged.connect(lambda _s, _d: self.runs.selection_changed())
        self.proxy.layoutChanged.connect(self.show_selected)
        self.settings_bar.changed.connect(self.defaults_changed)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """A dock named for the saved window state (restoreState finds docks by object name)."""
        dock = QDockWidget(title)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _catalogue_side(self) -> QSplitter:
        """The count and selection buttons over the table (or its empty notice), the details below."""
        listing = QWidget()
        layout = QVBoxLayout(listing)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.empty_label, 3)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(listing)
        side.addWidget(self.details)
        side.setStretchFactor(0, 3)
        side.setStretchFactor(1, 2)
        return side

    # ----- defaults and host -------------------------------------------------------------
    def _apply_defaults(self) -> None:
        """The toolbar's defaults into the session (its properties laid over the registry's own)."""
        self.session.set_defaults(**self.settings_bar.defaults())
        self.session.devices = self.settings_bar.devices.currentText()
        self.model.catalogue = self.session.catalogue

    def defaults_changed(self) -> None:
        self._apply_defaults()
        self.show_selected()
        self.hosts.check()
        self.live.overlay.threshold = self.settings_bar.threshold_value()
        self.runs.options_changed(self.live.overlay.options())

    def _host_unreachable(self, host: str, error: str) -> None:
        """A frame and HUD of the previous host must not stay behind this error (a run here says its own)."""
        if self.runs.worker is None or self.runs.worker.request.spec.inference_host_address != host:
            self.runs.stop_run()
            self.live.video.clear(f"Host {host} is not reachable: {error}\n\n"
                                  "Choose another host in the toolbar, or @local for this machine.")

    # ----- registry and spec files (the FileController's signals) -------------------------
    def _registry_loaded(self, catalogue: Any, shown: str) -> None:
        self.table.clearSelection()
        self.settings_bar.set_registry_host(catalogue.defaults.inference_host_address)
        self._apply_defaults()
        self.model.set_catalogue(self.session.catalogue)
        self.facets.set_catalogue(self.session.catalogue)
        self.header.set_keys(self.session.catalogue.numeric_keys)
        self.apply_query(Query())
        self.table.fit_columns()
        self._balance_splitter()
        self.table.fit_name_column()
        self.setWindowTitle(f"{shown.rstrip('/').rsplit('/', 1)[-1]} — Model Picker")
        if len(catalogue):
            self.table.selectRow(0)
        self.show_selected()
        self.hosts.check()

    def _registry_failed(self, _message: str, _detail: str) -> None:
        if self.session.base is None:
            self._set_empty("No registry is open.\nUse File → Open Registry… or File → Open Demo Registry.")

    def _spec_loaded(self, spec: Any) -> None:
        """A spec read from a file: select its model when the registry lists it, take its host, run it."""
        if self.session.catalogue is not None:
            try:
                self.table.select_entry(self.session.catalogue.index_of(spec.model_name))
            except KeyError:
                pass
        self.settings_bar.host.setCurrentText(spec.inference_host_address)
        self.settings_bar.commit_host()
        self.runs.start_run(spec)

    @qt_virtual()
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if is_registry_drop(event.mimeData()):
            event.acceptProposedAction()

    @qt_virtual()
    def dropEvent(self, event: QDropEvent) -> None:
        if self.files.drop(event.mimeData()):
            event.acceptProposedAction()

    # ----- filtering and selection -------------------------------------------------------
    def apply_query(self, query: Query) -> None:
        if self.session.catalogue is None:
            return
        mask = self.session.set_query(query)
        self.proxy.set_mask(mask)
        self.facets.update_counts(self.session.catalogue.facets(query))
        shown, total = int(np.count_nonzero(mask)), len(self.session.catalogue)
        self.header.set_count(shown, total)
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
        self.empty_label.say(text)
        self.table.setVisible(not text)

    def select_best(self, key: str, order: str = "max") -> None:
        if self.session.catalogue is None:
            return
        try:
            self.table.select_entry(self.session.catalogue.best(key, order, self.session.query))
        except (ValueError, RuntimeError) as exc:
            self.statusBar().showMessage(str(exc), 6000)

    def select_top(self) -> None:
        if self.session.catalogue is None:
            return
        try:
            self.table.select_entry(self.session.catalogue.top(self.session.query))
        except RuntimeError as exc:
            self.statusBar().showMessage(str(exc), 6000)

    def current_plan(self) -> tuple[RunPlan | None, str]:
        """(the selected entry's RunPlan on the toolbar's host and devices, or None; the reason when None)."""
        self.session.select(self.table.selected_entry())
        try:
            return self.session.plan_for(host=self.settings_bar.host_text(),
                                         devices=self.settings_bar.devices.currentText()), ""
        except LookupError as exc:
            return None, str(exc)

    def current_spec(self) -> tuple[Any, str]:
        """(ModelSpec fitted to the host, or None; the reason when None): the Session's answer."""
        self.session.select(self.table.selected_entry())
        return self.session.current_spec(host=self.settings_bar.host_text())

    def show_selected(self) -> None:
        index = self.table.selected_entry()
        catalogue = self.session.catalogue
        if index is None or catalogue is None:
            self.details.clear()
            return
        spec, problem = self.current_spec()
        problem = problem or self.session.why_not_runnable(index, self.settings_bar.host_text()) or ""
        self.details.show_entry(catalogue.entries[index], catalogue.spec_zoo(index), spec, problem,
                                needs_fetch=spec is not None and needs_fetch(spec))

    # ----- misc ----------------------------------------------------------------------------
    def show_cache(self) -> None:
        from model_picker.ui.catalogue.cache_dialog import CacheDialog

        CacheDialog(self).open()

    def clear_n2x_cache(self) -> None:
        count, size = n2x.clear_cache()
        text = f"N2X compile cache cleared: {count} compiled model(s), {size / 1e6:.1f} MB, from {n2x.cache_dir()}"
        log.info("%s", text)
        self.statusBar().showMessage(text, 15000)
        if "N2X cannot read its compile cache" in self.last_error:
            # PySDK 1.5.0 crashes on the next N2X load in a process that met this error (app/zoo/runtime/n2x.py)
            self.live.video.set_message("The N2X compile cache on this machine is cleared.\nRestart Model Picker "
                                        "(and the AI server, if the error came from one), then run again.")

    def about(self) -> None:
        from importlib import metadata

        versions = ", ".join(f"{d} {metadata.version(d)}" for d in ("degirum", "degirum-tools", "PySide6"))
        show_message(self, QMessageBox.Icon.Information, "About Model Picker",
                      f"Model Picker: browse DeGirum model registries and run models live.\n\n{versions}")

    def _restore(self) -> None:
        stored.check_file(self.settings)
        geometry = stored.get_bytes(self.settings, "geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            # first start (or a geometry Qt cannot use): as large as suits the screen, never larger than it
            screen = self.screen().availableGeometry()
            self.resize(min(1400, screen.width()), min(860, screen.height()))
        state = stored.get_bytes(self.settings, "window_state")
        if state is not None:
            self.restoreState(state)
        self.settings_bar.restore(stored.get_fields(self.settings, "defaults", stored.DEFAULTS))
        self.live.overlay.restore(OverlayOptions.from_dict(stored.get_fields(self.settings, "overlay", stored.OVERLAY)))
        self.live.sources.restore_source(stored.get_fields(self.settings, "source", stored.SOURCE))

    def save_settings(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        stored.set_dict(self.settings, "defaults", self.settings_bar.state())
        stored.set_dict(self.settings, "overlay", self.live.overlay.options().to_dict())
        stored.set_dict(self.settings, "source", self.live.sources.source_state())
        self.settings.sync()

    @qt_virtual()
    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._balance_splitter()
        self.runs.view_resized()

    def _balance_splitter(self) -> None:
        """Keep the catalogue/live split at the user's share, with the width the live controls need.

        Without this the splitter shares a resize by stretch factors, and in a 1024 px
        window the live panel's rows end up narrower than they are. What the table
        cannot give (it keeps LEFT_MIN_WIDTH) the Filters dock gives, down to its
        minimum; with room to spare again the dock gets its comfortable width back.
        """
        dock = self.filters_dock
        need = self.live_scroll.widget().minimumSizeHint().width()
        left, live = self.splitter.sizes()
        total = left + live
        if total <= 0:
            return
        width = dock.width()
        wanted = max(need, round(total * (1 - self.left_share)))
        if wanted > total - LEFT_MIN_WIDTH:  # short of room: the dock narrows
            narrower = max(dock.minimumSizeHint().width(), width - (wanted - total + LEFT_MIN_WIDTH))
            if narrower < width:
                self.resizeDocks([dock], [narrower], Qt.Orientation.Horizontal)
                total += width - narrower
        elif width < FILTERS_WIDTH and total - wanted - LEFT_MIN_WIDTH > FILTERS_WIDTH - width:
            self.resizeDocks([dock], [FILTERS_WIDTH], Qt.Orientation.Horizontal)
            total -= FILTERS_WIDTH - width
            wanted = max(need, round(total * (1 - self.left_share)))
        live = min(wanted, total - min(LEFT_MIN_WIDTH, total // 3))
        self.splitter.setSizes([total - live, live])

    def _remember_share(self, *_args: Any) -> None:
        """The user dragged the splitter: keep that share when the window resizes."""
        left, live = self.splitter.sizes()
        if left + live:
            self.left_share = left / (left + live)

    @qt_virtual()
    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.runs.stop_run()
        wait_for_retiring()
        deadline = time.monotonic() + 3
        for thread in self.findChildren(QThread):  # loads, probes (old ones too), fetches, validations
            if thread.isRunning():
                thread.wait(max(0, int((deadline - time.monotonic()) * 1000)))
            if thread.isRunning():
                # Stuck in a network call: it ends on its own, not with the window. Deleting a
                # running QThread (the window's child) aborts the process.
                thread.setParent(QCoreApplication.instance())
        self.log_panel.detach()
        event.accept()

