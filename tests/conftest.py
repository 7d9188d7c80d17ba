"""Test-wide set-up: a display-less Qt, and every inference runtime enabled.

The OpenVINO agent needs its library folder on LD_LIBRARY_PATH at process start,
so pytest re-executes itself once, exactly as the app does (app/zoo/runtime/agents.py);
capturing is released first so the new process writes to the real terminal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from model_picker.zoo.runtime import agents as runtimes

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    if runtimes.reexec_argv_needed():
        capture = config.pluginmanager.getplugin("capturemanager")
        if capture is not None:
            capture.stop_global_capturing()
        os.chdir(config.invocation_params.dir)
        runtimes.prepare_process([sys.executable, "-m", "pytest", *config.invocation_params.args])
    else:
        runtimes.prepare_process(None)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_registry() -> Path:
    return ROOT / "registries" / "demo.yaml"


@pytest.fixture(scope="session")
def zoo_dir() -> Path:
    return ROOT / "resources" / "zoo"


@pytest.fixture(scope="session")
def photos() -> Path:
    return ROOT / "resources" / "photos"


@pytest.fixture(scope="session")
def media() -> Path:
    return ROOT / "resources" / "media"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_home(tmp_path, monkeypatch) -> Path:
    """A HOME of the test's own: PySDK's model cache and the app's caches land there."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return home


class ZooServerProcess:
    """``model-picker serve-zoo`` as a separate process (PySDK's core holds the GIL while it
    downloads, so an in-process server would deadlock with it)."""

    def __init__(self, folder: Path, fault: str | None = None) -> None:
        import subprocess
        import sys

        from model_picker.zoo.runtime.ai_server import wait_listening

        self.port = free_port()
        command = [sys.executable, "-m", "model_picker", "serve-zoo", str(folder), "--port", str(self.port)]
        if fault:
            command += ["--inject-fault", fault]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        assert wait_listening(self.port, 30), "serve-zoo did not start"
        self.url = f"http://127.0.0.1:{self.port}/local/zoo"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def zoo_server():
    started: list[ZooServerProcess] = []

    def start(folder: Path, fault: str | None = None) -> ZooServerProcess:
        server = ZooServerProcess(folder, fault)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def ai_server(zoo_dir, tmp_path):
    """A real DeGirum AI server on loopback over the bundled zoo; ``.restart()`` after a kill.

    It is ``model-picker ai-server`` in a process group of its own, stopped with everything in it.
    """
    import os
    import signal

    from model_picker.zoo.runtime.ai_server import start_server, stop_server

    class Server:
        def __init__(self) -> None:
            self.port = free_port()
            self.host = f"localhost:{self.port}"
            self.process = start_server(zoo_dir, self.port, tmp_path / "ai-server.log")

        def kill(self) -> None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

        def restart(self) -> None:
            self.process = start_server(zoo_dir, self.port, tmp_path / "ai-server-2.log")

    server = Server()
    yield server
    stop_server(server.process)
