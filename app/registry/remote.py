"""Registries served over HTTP(S), with a last good copy for when the network is not there.

Field engineers open the team's registry URL on site, where the network may be
down or filtered. The library then raises a raw ``requests`` error after its
timeout; here the fetch is bounded in time and size, and every successful fetch
is kept on disk so the next failure can offer that copy, marked as stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from urllib.parse import urljoin

from .loader import RegistryDocument, RegistryError, load_text

MAX_BYTES = 32 * 1024 * 1024
TIMEOUT = (5.0, 15.0)  # connect, read (seconds)


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def cache_dir() -> Path:
    """Where last good copies live (follows XDG_CACHE_HOME, then HOME)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "model-picker" / "registries"


def _cache_paths(url: str) -> tuple[Path, Path]:
    key = hashlib.sha256(url.encode()).hexdigest()[:24]
    return cache_dir() / f"{key}.yaml", cache_dir() / f"{key}.json"


def _download(url: str) -> str:
    """GET the URL as text; every failure is a RegistryError with the reason."""
    import requests  # imported where used: it costs ~0.1 s at start-up
    try:
        with requests.get(url, timeout=TIMEOUT, stream=True) as resp:
            if resp.status_code != 200:
                raise RegistryError(url, f"the server answered HTTP {resp.status_code} {resp.reason}")
            declared = int(resp.headers.get("Content-Length") or 0)
            if declared > MAX_BYTES:
                raise RegistryError(url, f"the registry is {declared} bytes; the limit is {MAX_BYTES}")
            chunks, size = [], 0
            for chunk in resp.iter_content(65536):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise RegistryError(url, f"the registry is larger than {MAX_BYTES} bytes")
                chunks.append(chunk)
            return b"".join(chunks).decode(resp.encoding or "utf-8", errors="replace")
    except requests.Timeout:
        raise RegistryError(url, f"no answer within {TIMEOUT[0]:.0f} s (is the network reachable?)") from None
    except requests.ConnectionError as exc:
        raise RegistryError(url, f"cannot connect ({_root_cause(exc)})") from None
    except requests.RequestException as exc:
        raise RegistryError(url, f"download failed ({exc})") from None


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ or exc.__context__:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = str(exc)
    return text.split(": ", 1)[-1] if "NameResolution" in type(exc).__name__ or "resolve" in text else text


def _remember(url: str, text: str) -> None:
    body, meta = _cache_paths(url)
    try:
        body.parent.mkdir(parents=True, exist_ok=True)
        tmp = body.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(body)
        meta.write_text(json.dumps({"url": url, "fetched": time.time()}))
    except OSError:
        pass  # a cache we cannot write is not worth failing the load for


def last_good_copy(url: str) -> tuple[str, float] | None:
    """The text and fetch time of the last copy that loaded, if any."""
    body, meta = _cache_paths(url)
    try:
        return body.read_text(encoding="utf-8"), json.loads(meta.read_text())["fetched"]
    except (OSError, ValueError, KeyError):
        return None


def load_url(url: str, allow_stale: bool = True) -> RegistryDocument:
    """Fetch, validate and remember; on a network failure fall back to the last good copy."""
    base = urljoin(url, ".")
    try:
        text = _download(url)
    except RegistryError as exc:
        cached = last_good_copy(url) if allow_stale else None
        if cached is None:
            raise
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(cached[1]))
        doc = load_text(cached[0], url, base)
        note = f"{url} cannot be reached ({exc.reason}); showing the last good copy from {when}"
        return RegistryDocument(doc.config, url, base, stale=True, note=note)
    doc = load_text(text, url, base)  # an invalid document is never remembered
    _remember(url, text)
    return doc
