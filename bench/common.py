"""Shared pieces of the benchmark suite: runtimes, frames in memory, a Qt app, goal lines."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAFFIC = ROOT / "resources" / "media" / "Traffic.mp4"
REGISTRY = ROOT / "registries" / "demo.yaml"


def prepare() -> None:
    """Enable every runtime (re-executing once for OpenVINO) before PySDK is imported."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from model_picker.zoo.runtime import agents as runtimes

    as_module = Path(sys.argv[0]).resolve() == Path(__file__).with_name("__main__.py")
    argv = ["-m", "bench", *sys.argv[1:]] if as_module else sys.argv
    runtimes.prepare_process([sys.executable, *argv])


def spec(name: str):
    from model_picker.registry import open_catalogue

    catalogue = open_catalogue(REGISTRY)
    return catalogue.spec(catalogue.index_of(name))


def frames(count: int = 120, path: Path = TRAFFIC) -> list:
    from model_picker.inference.media.sources import SourceSpec
    from model_picker.inference.validation.measure import decode

    return decode(SourceSpec("video", str(path)), count)


def qt_app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def wait_until(app, condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    return condition()


def goal(met: bool, text: str, miss: str = "") -> str:
    return f"  goal {text}: {'met' if met else 'MISSED' + (f' ({miss})' if miss else '')}"
