"""The file half of the main window: opening registries (file, URL, recent, dropped) and spec files.

``FileController`` owns the registry loader and the Recent Registries menu; the
window holds one as ``self.files`` and hears from it through signals (a registry
loaded, a load failed, a spec to run, status-bar messages, errors). Loading
happens in a worker; a registry that fails to load leaves the current one open
and says where and what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QMenu, QMessageBox, QWidget

from model_picker.redact import MASK, has_secret, redact
from model_picker.registry import Catalogue, RegistryError
from model_picker.registry.spec_text import spec_from_yaml, spec_to_yaml
from model_picker.session.state import Session
from model_picker.ui.shell import settings as stored
from model_picker.ui.shell.log_panel import log
from model_picker.ui.shell.workers import RegistryLoader

MAX_RECENT = 8
SpecSource = Callable[[], tuple[Any, str]]  # the selected entry's spec fitted to the host, or None and why


def show_message(parent: QWidget, icon: QMessageBox.Icon, title: str, text: str) -> None:
    """A non-blocking message box (a modal one would stall tests and scripts)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("message")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def is_registry_drop(mime: QMimeData) -> bool:
    """One local .yaml/.yml file: what dropping on the window opens as a registry."""
    urls = mime.urls()
    return len(urls) == 1 and urls[0].isLocalFile() and urls[0].toLocalFile().lower().endswith((".yaml", ".yml"))


class FileController(QObject):
    """Registry loading and the recent list; saving, loading and exporting specs."""

    loaded = Signal(object, str)  # the Catalogue now in the session, the source as shown (redacted)
    failed = Signal(str, str)  # a registry that did not load: message (one line), detail; both redacted
    spec_loaded = Signal(object)  # a ModelSpec read from a file: the window selects it and runs it
    message = Signal(str, int)  # a status-bar message and how long it stays (ms)
    error = Signal(str)  # the last error, as shown to the user

    def __init__(self, session: Session, settings: QSettings, registry_label: QLabel, current_spec: SpecSource,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.session, self.settings, self.registry_label = session, settings, registry_label
        self.current_spec = current_spec
        self.dialog_parent = parent
        self.loader: RegistryLoader | None = None
        self.source = ""  # the open registry as given, credentials included: in memory only
        self.secret_sources: dict[str, str] = {}  # redacted -> real, for this session's recent list
        self.recent_menu: QMenu | None = None

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
            message = (f"{source}: its credentials are not saved. Open it again with "
                       "File → Open Registry URL… and type them.")
            self._registry_failed(message, message)
            return
        if self.loader is not None and self.loader.isRunning():
            self.loader.done.disconnect()
            self.loader.failed.disconnect()
        loader = RegistryLoader(source, self)
        loader.done.connect(lambda catalogue: self._registry_loaded(catalogue, source))
        loader.failed.connect(self._registry_failed)
        self.loader = loader
        self.registry_label.setText(f"Loading {shown}…")
        log.info("loading registry %s", shown)
        loader.start()

    def reload_registry(self) -> None:
        if self.source:
            self.load_registry(self.source)

    def _registry_loaded(self, catalogue: Catalogue, source: str) -> None:
        self.session.load(catalogue)
        self.source = source  # the real one (in memory only): Reload reconnects with it
        shown = redact(source)
        doc = catalogue.document
        text = f"Registry: {redact(doc.origin)}  ·  {len(catalogue)} models"
        if doc.stale:
            text = f"⚠ {redact(doc.note)}"
            log.warning("%s", redact(doc.note))
        self.registry_label.setText(text)
        self.settings.setValue("registry", shown)
        self._remember_recent(shown)
        self.loaded.emit(catalogue, shown)
        log.info("registry %s: %d models", shown, len(catalogue))

    def _registry_failed(self, message: str, detail: str) -> None:
        message, detail = redact(message), redact(detail)
        log.error("%s", message)
        self.error.emit(message)
        base = self.session.base
        if base is None:
            self.registry_label.setText("No registry loaded: File → Open Registry… or Open Demo Registry")
        else:
            self.registry_label.setText(f"Registry: {redact(base.document.origin)}  ·  {len(base)} models")
        self.failed.emit(message, detail)
        keep = f"\n\nStill showing {redact(base.document.origin)}." if base else ""
        show_message(self.dialog_parent, QMessageBox.Icon.Warning, "Cannot open the registry", message + keep)

    def set_recent_menu(self, menu: QMenu) -> None:
        """File → Recent Registries (built with the other menus), filled from the settings."""
        self.recent_menu = menu
        self._fill_recent()

    def _remember_recent(self, source: str) -> None:
        recent = [r for r in stored.get_list(self.settings, "recent") if r != source]
        recent.insert(0, source)
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        if self.recent_menu is None:
            return
        self.recent_menu.clear()
        recent = stored.get_list(self.settings, "recent")
        for source in recent:
            act = self.recent_menu.addAction(source)
            act.triggered.connect(lambda _c=False, s=source: self.load_registry(s))
        self.recent_menu.setEnabled(bool(recent))

    def open_registry_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.dialog_parent, "Open a model registry", "",
                                              "Registry (*.yaml *.yml);;All (*)")
        if path:
            self.load_registry(path)

    def open_registry_url(self) -> None:
        url, ok = QInputDialog.getText(self.dialog_parent, "Open a registry URL",
                                       "Registry URL (https://…/models.yaml):")
        if ok and url.strip():
            self.load_registry(url.strip())

    def drop(self, mime: QMimeData) -> bool:
        """Open a dropped registry file; False when the drop is not one (the window then ignores it)."""
        if not is_registry_drop(mime):
            return False
        self.load_registry(mime.urls()[0].toLocalFile())
        return True

    # ----- specs ---------------------------------------------------------------------------
    def save_spec(self) -> None:
        spec, problem = self.current_spec()
        if spec is None:
            self.message.emit(f"Nothing to save: {problem}", 6000)
            return
        path, _ = QFileDialog.getSaveFileName(self.dialog_parent, "Save ModelSpec", f"{spec.model_name}.yaml",
                                              "Spec (*.yaml)")
        if path:
            Path(path).write_text(spec_to_yaml(spec))
            self.message.emit(f"Saved {path} (without the token)", 6000)

    def load_spec(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.dialog_parent, "Load a ModelSpec", "", "Spec (*.yaml *.yml)")
        if not path:
            return
        try:
            spec = spec_from_yaml(Path(path).read_text(), path)
        except (RegistryError, OSError) as exc:
            show_message(self.dialog_parent, QMessageBox.Icon.Warning, "Cannot load the spec", str(exc))
            return
        self.spec_loaded.emit(spec)

    def export_all_specs(self) -> None:
        catalogue = self.session.catalogue
        if catalogue is None:
            return
        path, _ = QFileDialog.getSaveFileName(self.dialog_parent, "Export all specs", "specs.yaml", "Specs (*.yaml)")
        if not path:
            return
        import yaml

        from model_picker.registry.spec_text import spec_to_dict

        try:
            specs = catalogue.specs(catalogue.select(self.session.query))
        except ValueError as exc:
            show_message(self.dialog_parent, QMessageBox.Icon.Warning, "Cannot export", str(exc))
            return
        Path(path).write_text(yaml.safe_dump([spec_to_dict(s) for s in specs], sort_keys=False))
        self.message.emit(f"Exported {len(specs)} specs to {path}", 6000)
