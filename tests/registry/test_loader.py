"""A bad registry says what is wrong and where (file, line, column, field)."""

from __future__ import annotations

import pytest
from degirum_tools import ModelRegistry

from model_picker.registry import RegistryError, load_registry

GOOD = """\
defaults:
  inference_host_address: '@local'
models:
  m1:
    task: face_detection
    hardware: [TFLITE/CPU]
    zoo_url: degirum/public
"""


def write(tmp_path, text):
    path = tmp_path / "reg.yaml"
    path.write_text(text)
    return path


def error_for(tmp_path, text) -> RegistryError:
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, text))
    return info.value


def test_the_demo_registry_passes_the_library_schema(demo_registry):
    assert ModelRegistry(config_file=str(demo_registry)).get_tasks()
    assert len(load_registry(demo_registry).config["models"]) == 14


def test_yaml_syntax_error_names_line_and_column(tmp_path):
    err = error_for(tmp_path, GOOD.replace("hardware: [TFLITE/CPU]", "hardware: [TFLITE/CPU"))
    assert err.source.endswith("reg.yaml") and err.line == 7
    assert "YAML syntax error" in str(err)


def test_wrong_type_names_the_field_and_its_line(tmp_path):
    err = error_for(tmp_path, GOOD.replace("hardware: [TFLITE/CPU]", "hardware: TFLITE/CPU"))
    assert err.field == "models.m1.hardware"
    assert (err.line, err.column) == (6, 5)
    assert "must be a list, got 'TFLITE/CPU'" in str(err)
    assert str(err).startswith(f"{tmp_path / 'reg.yaml'}:6:5: models.m1.hardware:")


def test_missing_required_field(tmp_path):
    err = error_for(tmp_path, GOOD.replace("    zoo_url: degirum/public\n", ""))
    assert err.field == "models.m1" and err.line == 4
    assert "missing required field 'zoo_url'" in str(err)


def test_bad_model_name(tmp_path):
    err = error_for(tmp_path, GOOD.replace("  m1:", "  my model:"))
    assert err.field == "models.my model" and err.line == 4
    assert "may only contain letters, digits" in str(err)


def test_not_a_mapping_and_missing_models(tmp_path):
    assert "must be a mapping" in str(error_for(tmp_path, "- a\n- b\n"))
    assert "missing required field 'models'" in str(error_for(tmp_path, "defaults:\n  inference_host_address: x\n"))


def test_missing_file_and_unsafe_yaml(tmp_path):
    with pytest.raises(RegistryError, match="file not found"):
        load_registry(tmp_path / "nope.yaml")
    err = error_for(tmp_path, "!!python/object/apply:os.system ['echo pwned']\n")
    assert "YAML" in str(err)  # safe loading refuses to build Python objects
