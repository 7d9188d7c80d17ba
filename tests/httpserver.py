"""A real HTTP server on loopback for tests, serving whatever the test puts in ``routes``.

Paths not in ``routes`` are forwarded to ``upstream`` when one is set (a zoo served
by ``serve-zoo``), so a registry and its relative ``zoo_url`` share one address.
With ``auth`` set, every request must carry those Basic credentials (else 401), and
``seen_auth`` counts the requests that did: proof the real URL was used to connect.
"""

from __future__ import annotations

import base64
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = self.server
        if server.auth is not None:  # type: ignore[attr-defined]
            wanted = "Basic " + base64.b64encode(server.auth.encode()).decode()  # type: ignore[attr-defined]
            if self.headers.get("Authorization") != wanted:
                self._reply(401, b"credentials required")
                return
            server.seen_auth += 1  # type: ignore[attr-defined]
        route = server.routes.get(self.path)  # type: ignore[attr-defined]
        if route is None and server.upstream:  # type: ignore[attr-defined]
            route = self._forward(server.upstream + self.path)  # type: ignore[attr-defined]
        status, body = route or (404, b"not found")
        self._reply(status, body)

    def _forward(self, url: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class LoopbackServer:
    """``with LoopbackServer() as srv: srv.routes["/x"] = (200, b"...")``; ``srv.url``."""

    def __init__(self, upstream: str = "", auth: str | None = None) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.routes = {}  # type: ignore[attr-defined]
        self.httpd.upstream = upstream.rstrip("/")  # type: ignore[attr-defined]
        self.httpd.auth = auth  # type: ignore[attr-defined]
        self.httpd.seen_auth = 0  # type: ignore[attr-defined]
        self.routes = self.httpd.routes  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    @property
    def seen_auth(self) -> int:
        return self.httpd.seen_auth  # type: ignore[attr-defined]

    def __enter__(self) -> LoopbackServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
