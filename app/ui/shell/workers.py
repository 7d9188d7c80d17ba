"""Work off the UI thread: the one base every window worker shares, and the small generic workers.

``Worker`` fixes what a worker's signals mean, so a controller reads every worker
the same way:

- ``done(result)``: the work succeeded; one object (workers with a single result).
- ``failed(message, detail)``: it did not; ``message`` is one line for the user,
  ``detail`` the full text for the log (the same text when there is no more to say).
- anything else (progress, status, frames) has a name of its own.

A worker writes ``work()``; ``run()`` turns the failures it expects into ``failed``
and leaves anything else to the guard (a bug: one line in the Log, the window goes
on). ``retire()`` stops a worker without blocking the UI: a thread still finishing
is kept alive here, not by its window, and ``wait_for_retiring`` waits for such
threads at exit. Workers of one feature live with it (ui/live/worker.py,
ui/compare/worker.py, ui/validate/worker.py).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import QThread, Signal

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.engine.loading import host_device_types
from model_picker.inference.media.sources import SourceError
from model_picker.session.plan import RunPlan, prepare
from model_picker.ui.shell.guard import qt_virtual

__all__ = ["FetchWorker", "HostProbe", "RegistryLoader", "Worker", "keep_until_finished", "wait_for_retiring"]

_retiring: list[QThread] = []  # stopped workers still finishing: kept alive until they end


def keep_until_finished(thread: QThread) -> None:
    """A stopped thread still finishing: owned by the list, not its window, until it ends.

    A window closed (and deleted) before the thread ends must not delete a running
    QThread, nor leave a dead object in the list; ``wait_for_retiring`` waits for these at exit.
    """
    if thread.isRunning():
        thread.setParent(None)
        _retiring.append(thread)
        thread.finished.connect(lambda: _retiring.remove(thread) if thread in _retiring else None)


def wait_for_retiring(timeout_ms: int = 3000) -> None:
    """At exit: give stopping workers a moment to release their models."""
    deadline = time.monotonic() + timeout_ms / 1000
    for worker in list(_retiring):
        worker.wait(max(0, int((deadline - time.monotonic()) * 1000)))


class Worker(QThread):
    """A QThread that talks only through signals (delivered queued on the UI thread).

    Subclasses write ``work()`` and may widen ``expected`` (the exceptions that are a
    failure of the request, not a bug) or reword ``failure``; ``stop()`` asks the work
    to end soon, ``retire()`` also lets it finish in the background.
    """

    failed = Signal(str, str)  # message (one line, for the user), detail (for the log)
    expected: tuple[type[BaseException], ...] = (InferenceError, SourceError)

    def work(self) -> None:
        raise NotImplementedError

    def failure(self, exc: BaseException) -> tuple[str, str]:
        """(message, detail) for ``failed``: the errors' own one line, and their ``detail`` when they have one."""
        message = str(exc)
        return message, getattr(exc, "detail", message)

    @qt_virtual()
    def run(self) -> None:
        try:
            self.work()
        except self.expected as exc:
            self.failed.emit(*self.failure(exc))

    def stop(self) -> None:
        self.requestInterruption()

    def may_wait(self) -> bool:
        """Whether ``retire`` may wait for this worker (not for one that may never return)."""
        return True

    def retire(self, wait_ms: int = 0) -> None:
        """Stop without blocking the UI: the thread finishes on its own and is kept alive till then.

        ``wait_ms`` waits that long first (a camera must be free before the next run opens it).
        """
        self.stop()
        if wait_ms and self.may_wait():
            self.wait(wait_ms)
        keep_until_finished(self)


class HostProbe(Worker):
    """Asks a host for its device types (a network call for servers and the cloud)."""

    done = Signal(object)  # list of device types

    def __init__(self, host: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.host = host

    def work(self) -> None:
        self.done.emit(host_device_types(self.host))


class FetchWorker(Worker):
    """``prepare`` for one run plan, with progress and cancel; a local folder spec returns at once."""

    done = Signal(object)  # the local ModelSpec
    progress = Signal(object)  # fetch.Progress, about 10 per second

    def __init__(self, plan: RunPlan, cloud_sync: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.cloud_sync = cloud_sync
        self.cancel = threading.Event()

    def stop(self) -> None:
        self.cancel.set()
        super().stop()

    def work(self) -> None:
        self.done.emit(prepare(self.plan, cloud_sync=self.cloud_sync, progress=self.progress.emit,
                               cancel=self.cancel))


class RegistryLoader(Worker):
    """Loads and indexes a registry (a large file takes seconds; a URL may time out).

    Any exception is a failure here: a registry is the user's input, read from anywhere.
    """

    done = Signal(object)  # Catalogue
    expected = (Exception,)

    def __init__(self, source: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.source = source

    def failure(self, exc: BaseException) -> tuple[str, str]:
        from model_picker.registry import RegistryError

        # A RegistryError says file:line:column: field: what; anything else says where it came from.
        message = str(exc) if isinstance(exc, RegistryError) else f"{self.source}: {type(exc).__name__}: {exc}"
        return message, message

    def work(self) -> None:
        from model_picker.registry import open_catalogue

        self.done.emit(open_catalogue(self.source))
