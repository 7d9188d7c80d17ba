"""The parsed cache: keyed by the text's hash, never trusted over a changed file, corrupt entries ignored."""

from __future__ import annotations

import hashlib
import json

import pytest

from model_picker.registry import RegistryError, load_registry, open_catalogue, parsed_cache
from tests.httpserver import LoopbackServer

MODEL = "    task: face_detection\n    hardware: [TFLITE/CPU]\n    zoo_url: degirum/public\n"
TEXT = f"models:\n  first:\n{MODEL}"


def entry_for(text: str):
    return parsed_cache.folder() / f"{hashlib.sha256(text.encode()).hexdigest()}.json"


def test_a_valid_registry_is_stored_under_the_users_cache_dir_by_content_hash(tmp_path, private_cache):
    path = tmp_path / "r.yaml"
    path.write_text(TEXT)
    load_registry(path)
    entry = entry_for(TEXT)
    assert entry.parent == private_cache / "model-picker" / "parsed" and entry.exists()
    assert json.loads(entry.read_text())["config"] == {"models": {"first": {
        "task": "face_detection", "hardware": ["TFLITE/CPU"], "zoo_url": "degirum/public"}}}


def test_an_unchanged_text_comes_from_the_cache(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(TEXT)
    load_registry(path)
    # Prove the reload reads the entry, not the YAML: plant a different (valid) config under the same hash.
    entry = entry_for(TEXT)
    stored = json.loads(entry.read_text())
    stored["config"]["models"]["planted"] = stored["config"]["models"].pop("first")
    entry.write_text(json.dumps(stored))
    assert list(load_registry(path).config["models"]) == ["planted"]


def test_a_changed_file_is_parsed_again(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(TEXT)
    assert list(open_catalogue(str(path)).names()) == ["first"]
    path.write_text(TEXT + f"  second:\n{MODEL}")
    assert open_catalogue(str(path)).names() == ["first", "second"]
    path.write_text(TEXT.replace("hardware: [TFLITE/CPU]", "hardware: TFLITE/CPU"))
    with pytest.raises(RegistryError, match="must be a list"):  # never served from the cache
        load_registry(path)


def test_a_corrupt_or_foreign_entry_is_ignored_and_replaced(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(TEXT)
    load_registry(path)
    entry = entry_for(TEXT)
    for damage in (b"\x00\xff{not json", b'{"format": 1, "sha256": "0000", "config": {"models": {}}}',
                   b'{"format": 99}', b"[1, 2]", b""):
        entry.write_bytes(damage)
        assert list(load_registry(path).config["models"]) == ["first"]
        assert json.loads(entry.read_text())["sha256"] == entry.stem  # rewritten whole


def test_an_unchanged_url_reload_uses_the_cache_too():
    with LoopbackServer() as srv:
        srv.routes["/r.yaml"] = (200, TEXT.encode())
        load_registry(srv.url + "/r.yaml")
        assert entry_for(TEXT).exists()
        srv.routes["/r.yaml"] = (200, (TEXT + f"  second:\n{MODEL}").encode())
        assert list(load_registry(srv.url + "/r.yaml").config["models"]) == ["first", "second"]


def test_the_cache_keeps_a_bounded_number_of_entries(tmp_path):
    for i in range(parsed_cache.KEEP + 5):
        path = tmp_path / f"r{i}.yaml"
        path.write_text(TEXT + f"# {i}\n")
        load_registry(path)
    assert len(list(parsed_cache.folder().glob("*.json"))) == parsed_cache.KEEP
