"""Registries served over HTTP(S) or named by a file:// URL, with a last good copy for when the network is not there.

Field engineers open the team's registry URL on site, where the network may be
down, filtered, or behind a proxy that accepts the connection and then trickles.
The library waits as long as the server keeps sending; here one overall
deadline bounds the whole load (connect, answer, body), the message says which
of these failed, and every successful fetch is kept on disk so the next failure
can offer that copy, marked as stale. A URL may carry credentials
(``user:pass@``, ``?token=``): it is used as given to connect, and only its
redacted form is shown or written to disk.
"""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlparse
from urllib.request import url2pathname

from model_picker.paths import cache_dir
from model_picker.redact import redact
from model_picker.registry.errors import RegistryError
from model_picker.registry.loader import MAX_BYTES, RegistryDocument, load_text
from model_picker.statefile import read_bytes, read_json, set_aside, write_json, write_text

DEADLINE = 20.0  # seconds for the whole load of a URL
CONNECT = 5.0  # seconds to establish the connection (within the deadline)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


def url_scheme(source: str) -> str:
    """``http``, ``file``, ``ftp``… for a URL; empty for a path (``C:\\x`` included)."""
    match = _SCHEME.match(source)
    return match.group(1).lower() if match else ""


def file_url_path(url: str) -> Path:
    """The local path a ``file://`` URL names (``file:///srv/r.yaml``, ``file://localhost/…``)."""
    parts = urlparse(url)
    if parts.netloc not in ("", "localhost"):
        raise RegistryError(url, f"a file:// URL on another host ({parts.netloc}) cannot be opened; "
                            "mount the share and open the file by its path")
    return Path(url2pathname(unquote(parts.path)))


def copies_dir() -> Path:
    """Where last good copies live: in the app's cache folder."""
    return cache_dir() / "registries"


def _cache_paths(url: str) -> tuple[Path, Path]:
    key = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return copies_dir() / f"{key}.yaml", copies_dir() / f"{key}.json"


class _Download:
    """One GET in a worker thread, so the caller can give up at the deadline whatever the socket does."""

    def __init__(self, url: str, deadline: float) -> None:
        self.url, self.deadline = url, deadline
        self.phase = "connecting"
        self.received = 0
        self.response: Any = None
        self.text: str | None = None
        self.error: BaseException | None = None
        self.cancelled = threading.Event()
        self.finished = threading.Event()

    def run(self) -> str:
        threading.Thread(target=self._work, name="registry-download", daemon=True).start()
        if not self.finished.wait(self.deadline):
            self.cancelled.set()
            self._abort()
            raise RegistryError(self.url, self._late())
        if self.error is not None:
            raise self.error
        assert self.text is not None
        return self.text

    def _late(self) -> str:
        if self.phase == "receiving":
            return (f"no answer within {self.deadline:g} s: the server sent only {self.received:,} bytes "
                    "of the registry in that time (a slow or stalled connection)")
        return f"no answer within {self.deadline:g} s: the server did not answer (is it overloaded or filtered?)"

    def _abort(self) -> None:
        """Wake a worker blocked in recv(): shutting the socket down ends the read at once."""
        conn = getattr(getattr(self.response, "raw", None), "connection", None)
        sock = getattr(conn, "sock", None)
        try:
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _work(self) -> None:
        try:
            self.text = self._get()
        except RegistryError as exc:
            self.error = exc
        except Exception as exc:
            self.error = self._explain(exc)
        finally:
            self.finished.set()

    def _get(self) -> str:
        import requests  # imported where used: it slows the start-up

        timeout = (min(CONNECT, self.deadline), self.deadline)
        with requests.Session() as session, session.get(self.url, timeout=timeout, stream=True) as resp:
            self.phase = "receiving"
            self.response = resp
            if resp.status_code != 200:
                raise RegistryError(self.url, f"the server answered HTTP {resp.status_code} {resp.reason}")
            declared = int(resp.headers.get("Content-Length") or 0)
            if declared > MAX_BYTES:
                raise RegistryError(self.url, f"the registry is {declared:,} bytes; a registry may be at most "
                                    f"{MAX_BYTES // 2**20} MiB")
            chunks = []
            for chunk in resp.iter_content(65536):
                if self.cancelled.is_set():
                    raise RegistryError(self.url, "cancelled at the deadline")
                self.received += len(chunk)
                if self.received > MAX_BYTES:
                    raise RegistryError(self.url, f"the registry is larger than {MAX_BYTES // 2**20} MiB, "
                                        "the most a registry may be")
                chunks.append(chunk)
            return _decode(b"".join(chunks), resp.headers.get("Content-Type", ""))

    def _explain(self, exc: Exception) -> RegistryError:
        import requests

        if isinstance(exc, requests.ConnectTimeout):
            return RegistryError(self.url, f"cannot connect: no connection within {min(CONNECT, self.deadline):g} s "
                                 "(is the network reachable?)")
        if isinstance(exc, requests.Timeout):
            return RegistryError(self.url, self._late())
        if isinstance(exc, requests.ConnectionError) and self.phase == "connecting":
            return RegistryError(self.url, f"cannot connect ({_root_cause(exc)})")
        if isinstance(exc, requests.RequestException):
            return RegistryError(self.url, f"the download broke off after {self.received:,} bytes ({_root_cause(exc)})")
        return RegistryError(self.url, f"download failed ({type(exc).__name__}: {exc})")


def _decode(data: bytes, content_type: str) -> str:
    """UTF-8 (what YAML is), unless the server names another charset."""
    match = re.search(r"charset=([\w.-]+)", content_type, re.IGNORECASE)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(match.group(1) if match else "utf-8", errors="replace")


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ or exc.__context__:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = str(exc)
    return text.split(": ", 1)[-1] if "NameResolution" in type(exc).__name__ or "resolve" in text else text


def _remember(url: str, text: str) -> None:
    """Keep the last good copy; its metadata names the URL redacted (the key is a hash of the real one)."""
    body, meta = _cache_paths(url)
    try:
        write_text(body, text)
        write_json(meta, {"url": redact(url), "fetched": time.time()})
    except (OSError, ValueError):  # ValueError: text with a lone surrogate
        pass  # a cache we cannot write is not worth failing the load for


def _is_meta(value: Any) -> bool:
    """The form ``_remember`` writes: {"url": redacted URL, "fetched": seconds since 1970}."""
    fetched = value.get("fetched") if isinstance(value, dict) else None
    return isinstance(fetched, int | float) and not isinstance(fetched, bool) and 0 <= fetched < 1e11


def last_good_copy(url: str) -> tuple[str, float] | None:
    """The text and fetch time of the last copy that loaded, if any (a damaged copy is set aside)."""
    body, meta = _cache_paths(url)
    info = read_json(meta, _is_meta)
    data = read_bytes(body, MAX_BYTES) if info is not None else None
    if info is None or data is None:
        return None
    try:
        return data.decode("utf-8"), float(info["fetched"])
    except UnicodeDecodeError:
        set_aside(body, "is not UTF-8 text")
        return None


def load_url(url: str, allow_stale: bool = True, deadline: float = DEADLINE) -> RegistryDocument:
    """Fetch within ``deadline`` seconds, validate and remember; on a failure, the last good copy."""
    base = urljoin(url, ".")
    try:
        text = _Download(url, deadline).run()
    except RegistryError as exc:
        cached = last_good_copy(url) if allow_stale else None
        if cached is None:
            raise
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(cached[1]))
        try:
            doc = load_text(cached[0], url, base)
        except RegistryError as bad:  # the copy was valid when kept: it has been damaged since
            set_aside(_cache_paths(url)[0], f"is no longer a valid registry ({bad.reason})")
            raise exc from None
        note = f"{redact(url)} cannot be reached ({exc.reason}); showing the last good copy from {when}"
        return RegistryDocument(doc.config, url, base, stale=True, note=note)
    doc = load_text(text, url, base)  # an invalid document is never remembered
    _remember(url, text)
    return doc
