"""A COCO-format detection dataset read and checked, and the model's classes matched to it by name.

Why by name: a model's class ids and a dataset's category ids number the same
classes differently (COCO-90 vs COCO-80), so only the names can be trusted.
Every problem is a ``DatasetError`` naming the file and the entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class DatasetError(ValueError):
    """A dataset that cannot be evaluated: one line naming the file and the entry."""


@dataclass(frozen=True)
class CocoDataset:
    """The annotation file, the image folder, and the images the file lists (id -> path)."""

    annotations: Path
    images_dir: Path
    document: dict[str, Any]
    images: dict[int, Path]
    categories: dict[int, str]

    @property
    def annotation_count(self) -> int:
        return len(self.document.get("annotations", []))


def load_coco(images_dir: Path, annotations: Path) -> CocoDataset:
    """Read and check a COCO JSON file; DatasetError naming the file and entry on the first problem."""
    if not images_dir.is_dir():
        raise DatasetError(f"{images_dir}: not a folder of images")
    try:
        text = annotations.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{annotations}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{annotations} line {exc.lineno} column {exc.colno}: not JSON: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise DatasetError(f"{annotations}: not a COCO file (the top level is not an object)")
    for key in ("images", "annotations", "categories"):
        if not isinstance(doc.get(key), list):
            raise DatasetError(f"{annotations}: not a COCO file: no {key!r} list")
    categories: dict[int, str] = {}
    for n, cat in enumerate(doc["categories"]):
        if not isinstance(cat, dict) or not isinstance(cat.get("id"), int) or not isinstance(cat.get("name"), str):
            raise DatasetError(f"{annotations}: categories[{n}]: needs an integer 'id' and a 'name'")
        categories[cat["id"]] = cat["name"]
    images: dict[int, Path] = {}
    for n, img in enumerate(doc["images"]):
        if not isinstance(img, dict) or not isinstance(img.get("id"), int) or not isinstance(img.get("file_name"), str):
            raise DatasetError(f"{annotations}: images[{n}]: needs an integer 'id' and a 'file_name'")
        images[img["id"]] = images_dir / img["file_name"]
    for n, ann in enumerate(doc["annotations"]):
        bbox = ann.get("bbox") if isinstance(ann, dict) else None
        if not isinstance(bbox, list) or len(bbox) != 4:
            raise DatasetError(f"{annotations}: annotations[{n}]: needs a 'bbox' of four numbers")
        if ann.get("image_id") not in images:
            raise DatasetError(f"{annotations}: annotations[{n}]: image_id {ann.get('image_id')!r} is not in 'images'")
        if ann.get("category_id") not in categories:
            raise DatasetError(f"{annotations}: annotations[{n}]: category_id {ann.get('category_id')!r} "
                               "is not in 'categories'")
        ann.setdefault("iscrowd", 0)
        ann.setdefault("area", float(bbox[2]) * float(bbox[3]))
    return CocoDataset(annotations, images_dir, doc, images, categories)


@dataclass(frozen=True)
class ClassMatch:
    """Model class id -> dataset category id by name, and the classes each side has alone."""

    classmap: dict[int, int]
    model_only: list[str] = field(default_factory=list)
    dataset_only: list[str] = field(default_factory=list)

    def names(self, categories: dict[int, str]) -> dict[int, str]:
        """Matched dataset category id -> its name."""
        return {cat: categories[cat] for cat in sorted(set(self.classmap.values()))}


def match_classes(model_labels: dict[Any, str], categories: dict[int, str]) -> ClassMatch:
    """Match case-insensitively by name; never by id."""
    by_name = {name.strip().lower(): cid for cid, name in categories.items()}
    classmap: dict[int, int] = {}
    model_only: list[str] = []
    for raw_id, name in model_labels.items():
        cat = by_name.get(str(name).strip().lower())
        if cat is None:
            model_only.append(str(name))
        else:
            classmap[int(raw_id)] = cat
    matched = set(classmap.values())
    dataset_only = [name for cid, name in sorted(categories.items()) if cid not in matched]
    return ClassMatch(classmap, model_only, dataset_only)
