"""PySDK's postprocessor workers: find them, end them, and end them when the process that started them dies.

PySDK runs a model's Python postprocessor in a child process
(``degirum/pproc_worker.py``) that exits once its parent's pid no longer
exists. A killed parent that nobody has reaped yet (a zombie) still has its
pid, so the worker lives on: a killed AI server leaves one running with
parent 1, and a command that exits without releasing its model leaves one
holding the caller's stdout and stderr, so a caller reading them to the end
waits. A worker is found in /proc by its command line, which names its parent
(``--parent_pid``), so no other process is ever touched.

``python -m model_picker.zoo.runtime.pproc PID`` is the watcher
``model-picker ai-server`` starts beside the server: it learns of the server's
death through a parent-death signal (its parent is the server) and ends the
server's workers at once, however the server died (SIGKILL included).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

WORKER_SCRIPT = "pproc_worker.py"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def workers_of(parent_pid: int) -> list[int]:
    """PIDs of the running postprocessor workers PySDK started for ``parent_pid`` (a zombie has no command line)."""
    found = []
    wanted = ["--parent_pid", str(parent_pid)]
    try:
        entries = list(Path("/proc").iterdir())
    except OSError:  # no /proc (not Linux): nothing to find
        return []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv if a]
        if not any(a.endswith(WORKER_SCRIPT) for a in args):
            continue
        if any(args[i:i + 2] == wanted for i in range(len(args) - 1)):
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has closed its files already)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def end_workers(parent_pid: int, grace_s: float = 1.0) -> int:
    """End every postprocessor worker of ``parent_pid``: SIGTERM, then SIGKILL after ``grace_s``; how many."""
    pids = workers_of(parent_pid)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    for pid in pids:
        if _running(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    return len(pids)


def start_watcher() -> subprocess.Popen | None:
    """Start the watcher of this process (``model-picker ai-server``, before it becomes the server).

    None where it cannot work (no /proc or prctl: not Linux).
    """
    if not sys.platform.startswith("linux"):
        return None
    return subprocess.Popen([sys.executable, "-m", "model_picker.zoo.runtime.pproc", str(os.getpid())],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def watch(server_pid: int) -> None:
    """Wait for the server (this process's parent) to die, then end its workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole foreground group: outlive the server
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGUSR1), 0, 0, 0)
    while os.getppid() == server_pid:  # reparented the moment the server exits, reaped or not
        signal.sigtimedwait({signal.SIGUSR1}, 1.0)
    end_workers(server_pid)


if __name__ == "__main__":
    watch(int(sys.argv[1]))
