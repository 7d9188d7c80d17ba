"""Registries over HTTP: bounded waits, clear errors, and the last good copy."""

from __future__ import annotations

import socket
import time

import pytest

from model_picker.registry import Catalogue, RegistryError, load_registry

from ..httpserver import LoopbackServer

REGISTRY = b"""models:
  m:
    task: face_detection
    hardware: [TFLITE/CPU]
    zoo_url: ./zoo
"""


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_url_registry_loads_and_resolves_relative_zoo_against_the_url():
    with LoopbackServer() as srv:
        srv.routes["/reg/models.yaml"] = (200, REGISTRY)
        doc = load_registry(srv.url + "/reg/models.yaml")
        assert not doc.stale
        assert Catalogue(doc).spec(0).zoo_url == srv.url + "/reg/zoo"


def test_http_error_and_invalid_document_name_the_url():
    with LoopbackServer() as srv:
        srv.routes["/bad.yaml"] = (200, b"models: [1, 2]\n")
        with pytest.raises(RegistryError, match="HTTP 404"):
            load_registry(srv.url + "/missing.yaml")
        with pytest.raises(RegistryError) as info:
            load_registry(srv.url + "/bad.yaml")
        assert info.value.source == srv.url + "/bad.yaml" and info.value.line == 1


def test_unreachable_url_fails_fast_with_a_reason():
    start = time.monotonic()
    with pytest.raises(RegistryError, match="cannot connect"):
        load_registry(f"http://127.0.0.1:{free_port()}/models.yaml")
    assert time.monotonic() - start < 10


def test_unreachable_url_offers_the_last_good_copy_marked_stale():
    with LoopbackServer() as srv:
        url = srv.url + "/models.yaml"
        srv.routes["/models.yaml"] = (200, REGISTRY)
        load_registry(url)
    doc = load_registry(url)  # the server is gone now
    assert doc.stale and "last good copy" in doc.note and url in doc.note
    assert list(doc.config["models"]) == ["m"]


def test_an_invalid_download_is_never_remembered():
    with LoopbackServer() as srv:
        url = srv.url + "/models.yaml"
        srv.routes["/models.yaml"] = (200, b"models: 3\n")
        with pytest.raises(RegistryError):
            load_registry(url)
    with pytest.raises(RegistryError, match="cannot connect"):
        load_registry(url)
