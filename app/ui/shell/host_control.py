"""The toolbar's host: what it offers, asked in a worker and told in the status bar.

``HostController`` owns the HostProbe worker and the status bar's host label; the
window holds one as ``self.hosts``. Asking again cancels nothing but makes the
earlier answer stale: an answer for a host the user has left is dropped, so the
label and the table's "cannot run here" marks always describe the toolbar's host.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from model_picker.session.state import Session
from model_picker.ui.shell.log_panel import log
from model_picker.ui.shell.workers import HostProbe
from model_picker.zoo.hosts import host_summary


class HostController(QObject):
    """Probes the toolbar's host once per host per session (the Session remembers the answers)."""

    unrunnable = Signal(object)  # {entry index: why it cannot run here}; {} while the host is being asked
    unreachable = Signal(str, str)  # host, error: the window clears a frame left from another host
    probed = Signal()  # an answer (or a remembered one) for the toolbar's host is in the session

    def __init__(self, session: Session, host_label: QLabel, current_host: Callable[[], str],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.session, self.host_label, self.current_host = session, host_label, current_host
        self.probe: HostProbe | None = None

    def check(self) -> None:
        """Ask the toolbar's host for its device types, unless this session already knows them."""
        host = self.current_host()
        if host in self.session.host_devices:
            self._probed(host, self.session.host_devices[host], "")
            return
        self.host_label.setText(f"Host {host}: checking…")
        self.unrunnable.emit({})
        self.probe = HostProbe(host, self)
        self.probe.done.connect(lambda types: self._probed(host, types, ""))
        self.probe.failed.connect(lambda message, _detail: self._probed(host, None, message))
        self.probe.start()

    def _probed(self, host: str, types: list[str] | None, error: str) -> None:
        if host != self.current_host():
            return  # an answer for a host the user has left
        self.session.host_probed(host, types)
        self.unrunnable.emit(self.session.unrunnable(host))
        if types is None:
            self.host_label.setText(f"Host {host}: not reachable")
            self.host_label.setToolTip(error)
            log.warning("host %s: %s", host, error)
            self.unreachable.emit(host, error)
        else:
            text, tip = host_summary(host, types)
            self.host_label.setText(text)
            self.host_label.setToolTip(tip)
        self.probed.emit()
