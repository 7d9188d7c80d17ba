"""Where the bundled demo material lives: zoo, default registry, sample media.

The app runs from a source checkout (``pip install -e .``), so resources sit
beside the package; MODEL_PICKER_RESOURCES points elsewhere for other layouts.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


def resources_dir() -> Path:
    return Path(os.environ.get("MODEL_PICKER_RESOURCES") or ROOT / "resources")


def zoo_dir() -> Path:
    return resources_dir() / "zoo"


def demo_registry() -> Path:
    return Path(os.environ.get("MODEL_PICKER_REGISTRY") or ROOT / "registries" / "demo.yaml")


def sample_media() -> list[Path]:
    """Bundled videos first, the default demo video leading, then photos, by name."""
    res = resources_dir()
    videos = sorted((p for p in (res / "media").glob("*") if p.suffix.lower() in VIDEO_SUFFIXES),
                    key=lambda p: (p != default_video(), p.name))
    photos = sorted(p for p in (res / "photos").glob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    return videos + photos


def default_video() -> Path:
    return resources_dir() / "media" / "Traffic.mp4"
