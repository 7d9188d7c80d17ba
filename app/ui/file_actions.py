"""The file half of the main window: opening registries (file, URL, recent, dropped) and spec files.

A mixin of MainWindow, kept apart for readers. Loading happens in a worker; a
registry that fails to load leaves the current one open and says where and
what is wrong.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from ..redact import MASK, has_secret, redact
from ..registry import Catalogue, Query, RegistryError
from ..registry.spec_text import spec_from_yaml, spec_to_yaml
from . import settings as stored
from .guard import qt_virtual
from .log_panel import log
from .workers import RegistryLoader

MAX_RECENT = 8


class FileActionsMixin:
    """Registry loading and the recent list; saving, loading and exporting specs."""

    # ----- registry --------------------------------------------------------------------
    def load_registry(self, source: str) -> None:
        """Load in the background; the current registry stays until the new one is good.

        ``source`` may be a redacted URL from the recent list: the real one, with its
        credentials, is known for this session only (``self.secret_sources``).
        """
        source = self.secret_sources.get(source, source)
        shown = redact(source)
        if has_secret(source):
            self.secret_sources[shown] = source
        elif MASK in source:  # a redacted URL from an earlier session: its secret was never saved
            self._registry_failed(f"{source}: its credentials are not saved. Open it again with "
                                  "File → Open Registry URL… and type them.", source)
            return
        if self.loader is not None and self.loader.isRunning():
            self.loader.done.disconnect()
            self.loader.failed.disconnect()
        self.loader = RegistryLoader(source, self)
        self.loader.done.connect(self._registry_loaded)
        self.loader.failed.connect(self._registry_failed)
        self.registry_label.setText(f"Loading {shown}…")
        log.info("loading registry %s", shown)
        self.loader.start()

    def reload_registry(self) -> None:
        if self.source:
            self.load_registry(self.source)

    def _registry_loaded(self, catalogue: Catalogue, source: str) -> None:
        self.session.load(catalogue)
        self.source = source  # the real one (in memory only): Reload reconnects with it
        shown = redact(source)
        self.table.clearSelection()
        self._apply_defaults()
        self.model.set_catalogue(self.catalogue)
        self.facets.set_catalogue(self.catalogue)
        self.fill_best_menu()
        self.apply_query(Query())
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 260))
        self._balance_splitter()
        self.table.fit_name_column()
        doc = catalogue.document
        text = f"Registry: {redact(doc.origin)}  ·  {len(catalogue)} models"
        if doc.stale:
            text = f"⚠ {redact(doc.note)}"
            log.warning("%s", redact(doc.note))
        self.registry_label.setText(text)
        self.setWindowTitle(f"{shown.rstrip('/').rsplit('/', 1)[-1]} — Model Picker")
        self.settings.setValue("registry", shown)
        self._remember_recent(shown)
        if len(catalogue):
            self.table.selectRow(0)
        self.show_selected()
        self._probe_host()
        log.info("registry %s: %d models", shown, len(catalogue))

    def _registry_failed(self, message: str, source: str) -> None:
        message = redact(message)
        log.error("%s", message)
        self.last_error = message
        keep = f"\n\nStill showing {redact(self.base.document.origin)}." if self.base else ""
        if self.base is None:
            self.registry_label.setText("No registry loaded: File → Open Registry… or Open Demo Registry")
            self._set_empty("No registry is open.\nUse File → Open Registry… or File → Open Demo Registry.")
        else:
            self.registry_label.setText(f"Registry: {redact(self.base.document.origin)}  ·  {len(self.base)} models")
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

    @qt_virtual()
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile() and urls[0].toLocalFile().lower().endswith((".yaml", ".yml")):
            event.acceptProposedAction()

    @qt_virtual()
    def dropEvent(self, event: QDropEvent) -> None:
        self.load_registry(event.mimeData().urls()[0].toLocalFile())
        event.acceptProposedAction()

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
        self.settings_bar.commit_host()
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
