"""Serve a local zoo folder over the HTTP protocol PySDK's cloud-zoo client speaks.

With it, a zoo URL ``http://HOST:PORT/ORG/ZOO`` works everywhere PySDK takes a
cloud zoo: ``ModelSpec.ensure_local()``, ``@local`` inference with a remote zoo,
and an AI server told to use that zoo. A team can share one zoo folder on a site
network, and the tests exercise PySDK's own download code against it, including
the failures of real networks (``Fault``): a cut connection, a slow link, HTTP
errors, a corrupt archive, a missing Content-Length.

Every ORG/ZOO path serves the same folder. Bound to loopback unless told otherwise.
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from model_picker.zoo.validate import model_json_files

MODELS_PREFIX = "/zoo/v1/public/models/"
CHECK_PREFIX = "/api/v1/public/zoos-check/"
SYSTEM_INFO = "/devices/api/v1/public/system-info"


@dataclass
class Fault:
    """A network failure to inject into model archive downloads (tests).

    kind: ``cut`` (close after half the bytes), ``slow`` (``rate`` bytes/s),
    ``404``, ``500``, ``corrupt`` (bytes that are not a ZIP), ``no-length``
    (no Content-Length header, the body ends with the connection), ``stall``
    (the request is read and never answered), ``redirect-loop`` (every
    download redirects to itself), ``trickle`` (the right Content-Length, then
    one byte a second), ``endless`` (no Content-Length and a body that never ends).
    """

    kind: str
    rate: int = 200_000
    only_model: str | None = None


class ZooFolder:
    """The models of one folder, read on demand (a model added later is served too)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._archives: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def models(self) -> dict[str, Path]:
        return {p.stem: p for p in model_json_files(self.folder)}

    def params(self, name: str) -> dict[str, Any]:
        return json.loads(self.models()[name].read_text())

    def labels(self, name: str) -> dict[str, Any]:
        cfg = self.params(name)
        post = (cfg.get("POST_PROCESS") or [{}])[0]
        path = self.models()[name].parent / post.get("LabelsPath", "")
        return json.loads(path.read_text()) if post.get("LabelsPath") and path.exists() else {}

    def device_types(self) -> list[str]:
        """The RUNTIME/DEVICE types the served models declare."""
        types: set[str] = set()
        for name in self.models():
            device = (self.params(name).get("DEVICE") or [{}])[0]
            for item in str(device.get("SupportedDeviceTypes", "")).split(","):
                if item.strip():
                    types.add(item.strip())
        return sorted(types)

    def archive(self, name: str) -> bytes:
        """ZIP of ``NAME/*`` (the layout PySDK extracts into its model cache), cached per folder state."""
        folder = self.models()[name].parent
        stamp = max(p.stat().st_mtime for p in folder.iterdir())
        with self._lock:
            cached = self._archives.get(name)
            if cached and cached[0] == stamp:
                return cached[1]
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(folder.iterdir()):
                    if path.is_file() and not path.name.startswith("."):
                        archive.write(path, f"{name}/{path.name}")
            self._archives[name] = (stamp, buffer.getvalue())
            return self._archives[name][1]


class _Handler(BaseHTTPRequestHandler):
    server: ZooHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any, status: int = 200) -> None:
        self._send(status, json.dumps(value).encode())

    def do_GET(self) -> None:
        url = urlparse(self.path)
        path = unquote(url.path)
        self.server.requests.append(path)
        zoo = self.server.zoo
        if path.startswith(CHECK_PREFIX):
            self._json({"status": True})
            return
        if path == SYSTEM_INFO:  # asked by @cloud clients: this server runs no inference, it
            # answers with what its models need so that listing them works
            self._json({"Devices": {t: {} for t in zoo.device_types()}})
            return
        if not path.startswith(MODELS_PREFIX):
            self._json({"detail": "not found"}, 404)
            return
        parts = path[len(MODELS_PREFIX):].strip("/").split("/")
        if len(parts) < 2:
            self._json({"detail": "expected /zoo/v1/public/models/ORG/ZOO[/MODEL]"}, 404)
            return
        models = zoo.models()
        if len(parts) == 2:  # the model list
            short = parse_qs(url.query).get("short") == ["true"]
            self._json({name: {} if short else zoo.params(name) for name in models})
            return
        name, rest = parts[2], parts[3:]
        if name not in models:
            self._json({"detail": f"Model '{name}' is not found in model zoo"}, 404)
            return
        if rest == ["info"]:
            self._json({"model_params": zoo.params(name), "model_labels": zoo.labels(name)})
        elif rest == ["dictionary"]:
            self._json(zoo.labels(name))
        elif rest == ["check"]:
            wanted = parse_qs(url.query).get("checksum", [""])[0]
            self._json({"status": wanted == zoo.params(name).get("Checksum")})
        elif not rest:
            self._archive(name, zoo.archive(name))
        else:
            self._json({"detail": "not found"}, 404)

    def _archive(self, name: str, body: bytes) -> None:
        fault = self.server.fault
        if fault is None or (fault.only_model and fault.only_model != name):
            self._send(200, body, "application/octet-stream")
            return
        if fault.kind == "stall":
            self.server.closing.wait()  # until the server stops: the client's read timeout decides
            self.close_connection = True
        elif fault.kind == "redirect-loop":
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif fault.kind in ("404", "500"):
            self._json({"detail": f"injected HTTP {fault.kind}"}, int(fault.kind))
        elif fault.kind == "corrupt":
            junk = bytes((i * 37) & 0xFF for i in range(len(body)))
            self._send(200, junk, "application/octet-stream")
        elif fault.kind == "no-length":
            self._send(200, body, "application/octet-stream", length=False)
        elif fault.kind == "cut":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
        elif fault.kind == "trickle":
            self._stream(200, [body[i:i + 1] for i in range(len(body))], len(body), pause=1.0)
        elif fault.kind == "endless":
            self._stream(200, iter(lambda: bytes(65536), b""), None, pause=0.0)
        elif fault.kind == "slow":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            chunk = max(1024, fault.rate // 10)
            for start in range(0, len(body), chunk):
                if self.server.closing.is_set():
                    return
                self.wfile.write(body[start:start + chunk])
                time.sleep(chunk / fault.rate)
        else:
            self._send(200, body, "application/octet-stream")


    def _stream(self, status: int, chunks: Any, length: int | None, pause: float) -> None:
        """Send ``chunks`` with ``pause`` seconds between them, until they end, the client leaves or the server
        closes."""
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        if length is None:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            for chunk in chunks:
                if self.server.closing.is_set():
                    return
                self.wfile.write(chunk)
                self.wfile.flush()
                if pause:
                    time.sleep(pause)
        except OSError:  # the client gave up
            self.close_connection = True


class ZooHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, folder: Path, bind: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> None:
        super().__init__((bind, port), _Handler)
        self.zoo = ZooFolder(folder)
        self.fault: Fault | None = None
        self.verbose = verbose
        self.requests: list[str] = []
        self.closing = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def zoo_url(self, org: str = "local", zoo: str = "zoo") -> str:
        host = self.server_address[0]
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{host}:{self.port}/{org}/{zoo}"

    def start(self) -> ZooHTTPServer:
        threading.Thread(target=self.serve_forever, name="zoo-server", daemon=True).start()
        return self

    def stop(self) -> None:
        self.closing.set()
        self.shutdown()
        self.server_close()
