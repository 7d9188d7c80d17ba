"""Test-wide set-up: a display-less Qt, and every inference runtime enabled.

The OpenVINO agent needs its library folder on LD_LIBRARY_PATH at process start,
so pytest re-executes itself once, exactly as the app does (app/zoo/runtimes.py);
capturing is released first so the new process writes to the real terminal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.zoo import runtimes

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
