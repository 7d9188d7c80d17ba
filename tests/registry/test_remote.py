"""Registries over HTTP: bounded waits, clear errors, and the last good copy."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from model_picker.registry import Catalogue, RegistryError, load_registry
from model_picker.registry.remote import copies_dir, load_url
from tests.httpserver import LoopbackServer

REGISTRY = b"""models:
  m:
    task: face_detection
    hardware: [TFLITE/CPU]
    zoo_url: ./zoo
"""


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


class _Slow(BaseHTTPRequestHandler):
    """Answers a registry one byte every ``server.gap`` seconds, or (``/silent``) accepts and says nothing."""

    def do_GET(self) -> None:
        stop = self.server.stop  # type: ignore[attr-defined]
        if self.path == "/silent":
            stop.wait(30)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(REGISTRY)))
        self.end_headers()
        for byte in REGISTRY:
            if stop.wait(self.server.gap):  # type: ignore[attr-defined]
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return

    def log_message(self, *args) -> None:
        pass


class SlowServer:
    """A real HTTP server on a free loopback port that trickles (or never answers)."""

    def __init__(self, gap: float) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
        self.httpd.daemon_threads = True
        self.httpd.gap, self.httpd.stop = gap, threading.Event()  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> SlowServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.stop.set()  # type: ignore[attr-defined]
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_trickling_server_cannot_hold_the_load_past_the_one_deadline():
    # One byte every 0.5 s: each read returns well within any per-read timeout, as on main.
    with SlowServer(gap=0.5) as srv:
        start = time.monotonic()
        with pytest.raises(RegistryError) as info:
            load_url(srv.url + "/models.yaml", deadline=2.0)
        took = time.monotonic() - start
    assert took < 4.0, took  # the deadline (2 s) plus scheduling slack, not len(REGISTRY) * 0.5 s
    assert "no answer within 2 s" in str(info.value) and "cannot connect" not in str(info.value)
    assert "sent only" in str(info.value)


def test_a_server_that_accepts_and_never_answers_says_no_answer_not_cannot_connect():
    with SlowServer(gap=0.5) as srv:
        start = time.monotonic()
        with pytest.raises(RegistryError, match=r"no answer within 1.5 s") as info:
            load_url(srv.url + "/silent", deadline=1.5)
        assert time.monotonic() - start < 3.5
    assert "cannot connect" not in str(info.value)


def test_a_refused_connection_says_cannot_connect():
    with pytest.raises(RegistryError, match=r"cannot connect \(.*refused"):
        load_url(f"http://127.0.0.1:{free_port()}/models.yaml", deadline=2.0)


def test_html_served_as_a_registry_says_it_is_html():
    with LoopbackServer() as srv:
        srv.routes["/models.yaml"] = (200, b"<html><head><title>Sign in</title></head><body>...</body></html>")
        with pytest.raises(RegistryError, match="HTML"):
            load_registry(srv.url + "/models.yaml")


def test_credentials_stay_out_of_errors_the_stale_note_and_the_cache_files():
    with LoopbackServer() as srv:
        host = srv.url.removeprefix("http://")
        url = f"http://fieldeng:s3cret@{host}/models.yaml?token=abc123&x=1"
        srv.routes["/models.yaml?token=abc123&x=1"] = (200, REGISTRY)
        doc = load_registry(url)  # the real URL connects
        assert doc.origin == url and "s3cret" not in doc.shown and "abc123" not in doc.shown
        srv.routes["/bad.yaml?token=abc123"] = (200, b"models: 3\n")
        with pytest.raises(RegistryError) as info:
            load_registry(f"http://fieldeng:s3cret@{host}/bad.yaml?token=abc123")
        assert "s3cret" not in str(info.value) and "abc123" not in str(info.value)
        assert "***" in str(info.value)
    stale = load_registry(url)  # the server is gone: last good copy
    assert stale.stale and "s3cret" not in stale.note and "abc123" not in stale.note
    assert f"http://***@{host}/models.yaml?token=***&x=1" in stale.note
    with pytest.raises(RegistryError) as info:
        load_registry(f"http://fieldeng:s3cret@{host}/other.yaml?token=abc123")
    assert "s3cret" not in str(info.value) and "abc123" not in str(info.value)
    files = list(copies_dir().rglob("*")) + list((copies_dir().parent / "parsed").rglob("*"))
    assert files
    for path in files:
        if path.is_file():
            text = path.read_text()
            assert "s3cret" not in text and "abc123" not in text, path
    meta = next(copies_dir().glob("*.json"))
    assert json.loads(meta.read_text())["url"] == f"http://***@{host}/models.yaml?token=***&x=1"
