"""Where the bundled demo material lives: zoo, default registry, sample media.

The top-level ``resources/`` and ``registries/`` folders are installed as the
packages ``model_picker.resources`` and ``model_picker.registries`` (package-dir
mapping in pyproject.toml), so importlib.resources finds them the same way in a
source checkout (``pip install -e .``) and in a wheel. MODEL_PICKER_RESOURCES and
MODEL_PICKER_REGISTRY point elsewhere.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


def _package_dir(package: str) -> Path:
    return Path(str(files(package)))


def resources_dir() -> Path:
    return Path(os.environ.get("MODEL_PICKER_RESOURCES") or _package_dir("model_picker.resources"))


def zoo_dir() -> Path:
    return resources_dir() / "zoo"


def demo_registry() -> Path:
    return Path(os.environ.get("MODEL_PICKER_REGISTRY") or _package_dir("model_picker.registries") / "demo.yaml")


def sample_media() -> list[Path]:
    """Bundled videos first, the default demo video leading, then photos, by name."""
    res = resources_dir()
    videos = sorted((p for p in (res / "media").glob("*") if p.suffix.lower() in VIDEO_SUFFIXES),
                    key=lambda p: (p != default_video(), p.name))
    photos = sorted(p for p in (res / "photos").glob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    return videos + photos


def app_icon() -> Path:
    return resources_dir() / "icons" / "model-picker.svg"


def default_video() -> Path:
    return resources_dir() / "media" / "Traffic.mp4"


# A bundled photo that shows what each kind of model finds (by a word of the task or model name).
_SAMPLES = (("face", "Face1.jpg"), ("pose", "person.jpg"), ("landmark", "person.jpg"), ("imagenet", "Cat.jpg"),
            ("classif", "Cat.jpg"), ("efficientnet", "Cat.jpg"))


def sample_photo(hint: str = "") -> Path:
    """The bundled photo for a task or model name (people and things for detectors)."""
    hint = hint.lower()
    name = next((photo for word, photo in _SAMPLES if word in hint), "ThreePersons.jpg")
    return resources_dir() / "photos" / name
