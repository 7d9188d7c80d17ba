"""Where the library departs from its own documentation, we follow the documentation.

Each test shows the library's behaviour next to ours, so a library fix shows up here.
"""

from __future__ import annotations

import copy

import pytest
from degirum_tools import ModelRegistry

from model_picker.registry import Catalogue, load_registry

CONFIG = {
    "defaults": {"inference_host_address": "@local"},
    "models": {
        "own_zoo": {"task": "t", "hardware": ["TFLITE/CPU"], "zoo_url": "/zoos/own",
                    "metadata": {"fps": "fast", "acc": 0.5}},
        "no_zoo": {"task": "t", "hardware": ["TFLITE/CPU"], "zoo_url": "",
                   "metadata": {"fps": 30, "acc": "n/a"}},
        "faster": {"task": "t", "hardware": ["ONNX/CPU"], "zoo_url": "/zoos/other",
                   "metadata": {"fps": 120.5}},
    },
}


def both():
    return ModelRegistry(config=copy.deepcopy(CONFIG)), Catalogue(load_registry(copy.deepcopy(CONFIG)))


def test_with_defaults_zoo_url_is_a_fallback_for_entries_without_a_zoo():
    lib, cat = both()
    lib_zoos = [s.zoo_url for s in lib.with_defaults(zoo_url="/fallback").all_model_specs()]
    assert lib_zoos == ["/fallback", "/fallback", "/fallback"]  # the library replaces every zoo
    ours = [s.zoo_url for s in cat.with_defaults(zoo_url="/fallback").specs()]
    assert ours == ["/zoos/own", "/fallback", "/zoos/other"]


def test_per_call_zoo_url_still_replaces_every_zoo_as_documented():
    lib, cat = both()
    assert [s.zoo_url for s in cat.specs(zoo_url="/z")] == [s.zoo_url for s in lib.all_model_specs(zoo_url="/z")]


def test_best_model_spec_skips_non_numeric_values():
    lib, cat = both()
    with pytest.raises(ValueError, match="could not convert"):
        lib.with_defaults(zoo_url="/z").best_model_spec("fps")  # the library crashes on "fast"
    assert cat.entries[cat.best("fps")].name == "faster"
    assert cat.entries[cat.best("fps", "min")].name == "no_zoo"


def test_best_model_spec_raises_value_error_only_when_no_value_is_numeric():
    _, cat = both()
    assert cat.entries[cat.best("acc")].name == "own_zoo"
    with pytest.raises(ValueError, match="No models have a numeric metadata value for key 'missing'"):
        cat.best("missing")
    only_text = Catalogue(load_registry({"models": {"a": {"task": "t", "hardware": [], "zoo_url": "z",
                                                           "metadata": {"k": "x"}}}}))
    with pytest.raises(ValueError):
        only_text.best("k")


def test_relative_zoo_url_resolves_against_the_registry_folder(tmp_path):
    (tmp_path / "reg").mkdir()
    path = tmp_path / "reg" / "r.yaml"
    path.write_text("models:\n  m:\n    task: t\n    hardware: [TFLITE/CPU]\n    zoo_url: ../zoo\n"
                    "  cloud:\n    task: t\n    hardware: [TFLITE/CPU]\n    zoo_url: degirum/public\n")
    cat = Catalogue(load_registry(path))
    assert cat.spec(0).zoo_url == str(tmp_path / "zoo")
    assert cat.spec(1).zoo_url == "degirum/public"  # org/zoo stays a cloud zoo


def test_demo_registry_points_every_model_at_the_bundled_zoo(demo_registry, zoo_dir):
    cat = Catalogue(load_registry(demo_registry))
    for spec in cat.specs():
        assert spec.zoo_url == str(zoo_dir)
        assert spec.inference_host_address == "@local"
        meta = spec.metadata or {}  # a model pair (app/inference/engine/compound.py) names its two models
        for name in [meta["detector"], meta["model"]] if "compound" in meta else [spec.model_name]:
            assert (zoo_dir / name / f"{name}.json").exists()


def test_duplicate_keys_are_refused_where_the_library_keeps_the_last_silently(tmp_path):
    from model_picker.registry import RegistryError

    path = tmp_path / "twice.yaml"
    model = "    task: t\n    hardware: [TFLITE/CPU]\n    zoo_url: /z\n"
    path.write_text(f"models:\n  m:\n{model}    alias: first\n  m:\n{model}    alias: second\n")
    assert ModelRegistry(config_file=str(path)).get_aliases() == ["second"]  # the first is lost, no word
    with pytest.raises(RegistryError, match=r"twice.yaml:7:3: models: duplicate key 'm' \(first at line 2\)"):
        load_registry(path)
