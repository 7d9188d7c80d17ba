"""Driving the filter panel with input events, and a registry with the numbers that broke it.

Clicks land where a mouse would click (a value's check box, the "without" box,
Clear all) and bounds are typed into the range boxes and confirmed with Enter,
so the tests go through the same signals a user sets off.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QStyle, QStyleOptionButton, QStyleOptionViewItem, QWidget

from model_picker.ui.catalogue.facets import VALUE_ROLE, FacetPanel, ValueList


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Run the event loop until ``condition`` holds (qtbot.waitUntil without a function-scoped qtbot)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("condition not met in time")
        QApplication.processEvents()
        time.sleep(0.002)


def click(panel: FacetPanel, widget: QWidget) -> None:
    """A left click in the middle of a widget, scrolled into view first."""
    panel.scroll.ensureWidgetVisible(widget)
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def click_box(panel: FacetPanel, box: QCheckBox) -> None:
    """Click a check box on its indicator (its middle may be empty space when the box is stretched)."""
    panel.scroll.ensureWidgetVisible(box)
    option = QStyleOptionButton()
    option.initFrom(box)
    indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=indicator.center())


def click_check(panel: FacetPanel, values: ValueList, row: int) -> Any:
    """Click the check box of a value list's row, as a mouse does; returns the row's value."""
    item = values.topLevelItem(row)
    index = values.indexFromItem(item, 0)
    panel.scroll.ensureWidgetVisible(values)
    option = QStyleOptionViewItem()
    values.initViewItemOption(option)
    option.rect = values.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = values.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, values)
    QTest.mouseClick(values.viewport(), Qt.MouseButton.LeftButton, pos=box.center())
    return item.data(0, VALUE_ROLE)


def type_into(panel: FacetPanel, box: QWidget, text: str) -> None:
    """Click a box's text, select it all, type ``text`` and press Enter (an empty text just clears it)."""
    panel.scroll.ensureWidgetVisible(box)
    editor = box.lineEdit() if hasattr(box, "lineEdit") else box  # a spin box's arrows would step it
    QTest.mouseClick(editor, Qt.MouseButton.LeftButton, pos=editor.rect().center())
    QTest.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        QTest.keyClicks(box, text)
    else:
        QTest.keyClick(box, Qt.Key.Key_Backspace)
    QTest.keyClick(box, Qt.Key.Key_Return)


def list_counts(values: ValueList) -> list[tuple[Any, int]]:
    """(value, count shown) of every row of a value list."""
    items = [values.topLevelItem(r) for r in range(values.topLevelItemCount())]
    return [(item.data(0, VALUE_ROLE), int(item.text(1))) for item in items]


def decimal_registry(models: int = 420, seed: int = 19) -> dict[str, Any]:
    """Metadata with more decimals than the old range boxes showed, and keys some models lack."""
    rng = random.Random(seed)
    tasks = ["coco_detection", "face_detection", "segmentation", "pose", "classification"]
    hardware = ["TFLITE/CPU", "ONNX/CPU", "OPENVINO/CPU", "N2X/ORCA1", "HAILORT/HAILO8"]
    entries = {}
    for i in range(models):
        meta: dict[str, Any] = {"precision": rng.choice(["int8", "fp16", "fp32"]),
                                "dataset": rng.choice(["COCO", "VOC", "ImageNet"])}
        if rng.random() < 0.85:
            meta["params_m"] = round(rng.uniform(1.0, 30.0), 2)
        if rng.random() < 0.8:
            meta["accuracy"] = round(rng.uniform(30.0, 80.0), 2)
        if rng.random() < 0.9:
            meta["fps"] = rng.randint(3, 900)
        entries[f"model_{i:03d}"] = {"task": rng.choice(tasks), "hardware": rng.sample(hardware, rng.randint(1, 3)),
                                     "zoo_url": "degirum/public", "metadata": meta}
    return {"defaults": {"inference_host_address": "@local"}, "models": entries}
