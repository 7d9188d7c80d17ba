"""The catalogue side of the window: facets, search, selection, spec, best, defaults, errors."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from degirum_tools import ModelRegistry
from PySide6.QtCore import Qt

from model_picker.registry.spec_text import spec_to_yaml
from tests.ui.conftest import pick_from_menu_button, visible_names


def library(demo_registry):
    return ModelRegistry(config_file=str(demo_registry))


def test_opens_on_the_demo_registry_with_every_model(window):
    assert len(visible_names(window)) == 14
    assert window.header.count_label.text() == "14 of 14 models"
    assert window.table.selected_entry() == 0  # the first model is selected, details shown
    assert window.details.title.text() == "ssd_mobilenet_v2_coco_quant"
    assert window.details.stack.currentIndex() == 1  # shown at once, not only after the host probe


def test_facet_clicks_filter_as_the_library_chain_does(window, qtbot, demo_registry):
    window.facets.tick("task", "face_detection")
    qtbot.waitUntil(lambda: len(visible_names(window)) == 3)
    window.facets.tick("hardware", "OPENVINO/CPU")
    qtbot.waitUntil(lambda: len(visible_names(window)) == 1)
    expected = list(library(demo_registry).for_task("face_detection").for_hardware("OPENVINO/CPU").config["models"])
    assert visible_names(window) == expected
    # Counts answer "how many would I see if I ticked this too".
    counts = {window.facets.lists["meta:precision"].topLevelItem(r).text(0):
              window.facets.lists["meta:precision"].topLevelItem(r).text(1)
              for r in range(window.facets.lists["meta:precision"].topLevelItemCount())}
    assert counts["fp16"] == "1" and counts["fp32"] == "0"
    window.facets.tick("task", "segmentation")  # a second task: either of them
    qtbot.waitUntil(lambda: len(visible_names(window)) == 2)
    window.facets.clear_all()
    qtbot.waitUntil(lambda: len(visible_names(window)) == 14)


def test_numeric_range_and_search(window, qtbot):
    fps = window.facets.ranges["meta:fps_cpu"]
    fps.low.setValue(100)
    qtbot.waitUntil(lambda: len(visible_names(window)) < 14)
    catalogue = window.session.catalogue
    metas = [catalogue.entries[catalogue.index_of(n)].metadata for n in visible_names(window)]
    assert all(m["fps_cpu"] >= 100 for m in metas if "fps_cpu" in m)
    assert sum("fps_cpu" not in m for m in metas) == int(fps.missing.text()) == 1  # the pose pair: kept
    qtbot.mouseClick(fps.keep_missing, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(visible_names(window)) == len(metas) - 1)
    window.facets.clear_all()
    qtbot.keyClicks(window.facets.search, "pascal onnx")
    qtbot.waitUntil(lambda: visible_names(window) == ["deeplabv3_mnv2_pascal_onnx"], timeout=3000)
    window.facets.search.clear()
    qtbot.keyClicks(window.facets.search, "no such model")
    qtbot.waitUntil(lambda: window.empty_label.isVisible(), timeout=3000)
    assert "No model matches" in window.empty_label.text()


def test_selection_shows_the_spec_the_library_would_build(window, demo_registry):
    window.table.select_entry(window.session.catalogue.index_of("deeplabv3_mnv2_pascal_onnx"))
    lib_spec = next(s for s in library(demo_registry).all_model_specs(inference_host_address="@local")
                    if s.model_name == "deeplabv3_mnv2_pascal_onnx")
    shown = yaml.safe_load(window.details.yaml_box.toPlainText())
    assert shown["model_name"] == lib_spec.model_name
    assert shown["model_properties"] == lib_spec.model_properties == {"device_type": ["ONNX/CPU"]}
    assert shown["zoo_url"].endswith("resources/zoo")  # the library keeps "../resources/zoo"; we resolve it
    assert "spec.load_model()" in window.details.python_box.toPlainText()
    spec, problem = window.current_spec()
    assert problem == "" and spec_to_yaml(spec) == window.details.yaml_box.toPlainText()


def test_best_by_picks_best_model_spec(window, qtbot, demo_registry):
    window.facets.tick("task", "segmentation")
    qtbot.waitUntil(lambda: len(visible_names(window)) == 3)
    pick_from_menu_button(qtbot, window.header.best_button, "Highest fps cpu")
    expected = library(demo_registry).for_task("segmentation").best_model_spec("fps_cpu").model_name
    assert window.session.catalogue.entries[window.table.selected_entry()].name == expected
    pick_from_menu_button(qtbot, window.header.best_button, "Lowest fps cpu")
    slowest = library(demo_registry).for_task("segmentation").best_model_spec("fps_cpu", "min").model_name
    assert window.session.catalogue.entries[window.table.selected_entry()].name == slowest


def test_sorting_by_a_metadata_column(window):
    column = [c for c, _ in window.model.columns].index("metadata.fps_cpu")
    window.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    names = visible_names(window)
    metas = [window.session.catalogue.entries[window.session.catalogue.index_of(n)].metadata for n in names]
    fps = [m["fps_cpu"] for m in metas if "fps_cpu" in m]  # the pose pair has no figure of its own
    assert fps == sorted(fps, reverse=True) and len(fps) == 13


def test_toolbar_defaults_change_the_spec(window, qtbot):
    window.table.select_entry(window.session.catalogue.index_of("blazeface_short_range"))
    window.settings_bar.threshold.setValue(0.7)
    spec, _ = window.current_spec()
    assert spec.model_properties["output_confidence_threshold"] == 0.7
    window.settings_bar.host.setCurrentText("localhost:8778")
    spec, _ = window.current_spec()
    assert spec.inference_host_address == "localhost:8778"
    assert spec.zoo_url == ""  # a local folder means nothing to a server: it uses its own zoo
    window.settings_bar.token.setText("secret-token")
    window.settings_bar.token.editingFinished.emit()
    assert "secret-token" not in window.details.yaml_box.toPlainText()
    window.save_settings()
    assert "secret-token" not in Path(window.settings.fileName()).read_text()


def test_a_bad_registry_says_where_and_keeps_the_current_one(window, qtbot, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  m:\n    task: [not, a, string]\n    hardware: [TFLITE/CPU]\n    zoo_url: z\n")
    window.files.load_registry(str(bad))
    qtbot.waitUntil(lambda: "bad.yaml" in window.last_error, timeout=10000)
    assert f"{bad}:3:5: models.m.task: must be a text value" in window.last_error
    assert len(visible_names(window)) == 14  # the demo registry is still open
    assert window.session.base.document.origin.endswith("demo.yaml")


def test_a_registry_can_be_reopened_from_recent(window, qtbot, tmp_path, demo_registry):
    small = copy.deepcopy(yaml.safe_load(demo_registry.read_text()))
    small["models"] = {k: v for k, v in small["models"].items() if k.startswith("blazeface")}
    for entry in small["models"].values():
        entry["zoo_url"] = str(demo_registry.parent.parent / "resources" / "zoo")
    path = tmp_path / "faces.yaml"
    path.write_text(yaml.safe_dump(small))
    window.files.load_registry(str(path))
    qtbot.waitUntil(lambda: len(visible_names(window)) == 3, timeout=10000)
    assert [a.text() for a in window.recent_menu.actions()][:2] == [str(path), str(demo_registry)]
