"""Fetch a model for offline use: observable, cancellable, atomic, checked.

PySDK's ``ModelSpec.ensure_local`` holds the whole archive in memory, shows no
progress, cannot be cancelled and extracts in place, so a cut download leaves a
broken model that it trusts afterwards. Here the archive streams to a temporary
file with progress (bytes, total, rate), every chunk checks for cancellation,
the archive is tested (CRC, paths, layout, model JSON and files) in a staging
folder, and only then renamed into ``<PySDK app data>/models/<name>`` — the
layout the library's own ``ensure_local`` reads, so it finds the model there and
downloads nothing. A failure of any kind leaves the cache as it was. Fetches of
one model at the same time (two windows, a script beside the window) take turns
through a lock file: one downloads, the others then find the model in the cache.

A download is bounded in time and size (``Limits``: a deadline that scales with
the declared size, a cap when none is declared), so a trickling or endless server
ends in one line stating the limit. A spec's zoo URL arrives concealed
(``model_picker.redact``): it is revealed only to connect, messages name
``host:port``, and the fetch record keeps it redacted.
"""

from __future__ import annotations

import errno
import math
import os
import shutil
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:  # both imported where used: the window must show before PySDK and degirum_tools load
    import requests
    from degirum_tools import ModelSpec

from model_picker.errors import InferenceError
from model_picker.redact import redact, reveal
from model_picker.statefile import write_json
from model_picker.zoo.checksum import model_checksum
from model_picker.zoo.hosts import needs_fetch
from model_picker.zoo.integrity import find_model_json, model_fields, problem
from model_picker.zoo.staging import make_staging, remove_stale
from model_picker.zoo.validate import check_model

HUB = "https://hub.degirum.com"
DEFAULT_ZOO = "/degirum/public"
CHUNK = 256 * 1024
TIMEOUT = (5.0, 30.0)  # connect, and silence between two chunks (seconds)


@dataclass(frozen=True)
class Limits:
    """How long and how big one model download may be; the environment can change each (tests, slow sites).

    The deadline scales with the size: ``grace_s`` plus one second per ``min_rate`` bytes of the
    declared size (Content-Length), or, when the server declares none, of the bytes received so
    far (a download that falls below that average is stopped). Without a declared size a download
    stops at ``max_undeclared`` bytes; with one, the body can never exceed it. A server that
    sends nothing at all is given up after ``TIMEOUT[1]`` seconds of silence.
    """

    grace_s: float = 30.0  # $MODEL_PICKER_FETCH_GRACE_S
    min_rate: float = 50_000.0  # bytes/s: $MODEL_PICKER_FETCH_MIN_KBPS (kilobytes per second)
    max_undeclared: int = 1024 * 2**20  # bytes: $MODEL_PICKER_FETCH_MAX_MB (MiB)

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, each replaced by its environment variable when that holds a positive number."""
        def number(name: str, default: float, scale: float = 1.0) -> float:
            try:
                value = float(os.environ.get(name, "")) * scale
            except ValueError:
                return default
            return value if math.isfinite(value) and value > 0 else default

        base = cls()
        return cls(number("MODEL_PICKER_FETCH_GRACE_S", base.grace_s),
                   number("MODEL_PICKER_FETCH_MIN_KBPS", base.min_rate, 1000.0),
                   int(number("MODEL_PICKER_FETCH_MAX_MB", base.max_undeclared, 2.0**20)))

    def deadline(self, size: int) -> float:
        """Seconds a download of ``size`` bytes may take."""
        return self.grace_s + size / self.min_rate

    def rule(self) -> str:
        """The limits in words, for messages."""
        return (f"{self.grace_s:g} s plus 1 s per {self.min_rate / 1e3:g} KB of the model; set "
                "MODEL_PICKER_FETCH_GRACE_S or MODEL_PICKER_FETCH_MIN_KBPS for a slower link")


class FetchError(InferenceError):
    """A download that failed; the cache is unchanged."""


class FetchCancelled(FetchError):
    pass


@dataclass(frozen=True)
class Progress:
    model: str
    received: int
    total: int | None  # None when the server sends no Content-Length
    rate_bps: float
    elapsed_s: float

    def text(self) -> str:
        done = f"{self.received / 1e6:.1f}"
        total = f" of {self.total / 1e6:.1f}" if self.total else ""
        return f"{self.model}: {done}{total} MB at {self.rate_bps / 1e6:.2f} MB/s"


def cache_root() -> Path:
    """PySDK's model cache (``~/.local/share/DeGirum/models`` on Linux; follows $HOME)."""
    import degirum as dg

    return Path(dg._misc.get_app_data_dir()) / "models"


def sources_dir() -> Path:
    """Where the app records which zoo each cached model came from (beside, not inside, the models)."""
    return cache_root() / ".model-picker"


def split_zoo_url(zoo_url: str) -> tuple[str, str]:
    """(server base URL, /org/zoo path) for ``http(s)://host[:port]/org/zoo`` or the hub's ``org/zoo``."""
    if zoo_url.startswith(("http://", "https://")):
        parsed = urlparse(zoo_url)
        return f"{parsed.scheme}://{parsed.netloc}", parsed.path.rstrip("/") or DEFAULT_ZOO
    return HUB, "/" + zoo_url.strip("/") if zoo_url.strip("/") else DEFAULT_ZOO


def host_label(url: str) -> str:
    """``host[:port]`` of a URL for messages: never its ``user:pass@``."""
    parsed = urlparse(url)
    try:
        port = f":{parsed.port}" if parsed.port else ""
    except ValueError:
        port = ""
    host = parsed.hostname or ""
    return (f"[{host}]" if ":" in host else host) + port if host else redact(parsed.netloc)


def _request(url: str, token: str | None, *, stream: bool = False, binary: bool = False) -> requests.Response:
    import degirum
    import requests

    headers = {"dg_version": degirum.__version__}
    if token:
        headers["token"] = token
    if binary:
        headers["accept"] = "application/octet-stream"
    host = host_label(url)
    try:
        response = requests.get(url, headers=headers, stream=stream, timeout=TIMEOUT)
    except requests.ConnectTimeout:
        raise FetchError(f"{host} did not answer within {TIMEOUT[0]:.0f} s (network down or host unreachable)"
                         ) from None
    except requests.Timeout:  # connected, then silence where the answer should be
        raise FetchError(f"{host} accepted the connection but sent no answer within {TIMEOUT[1]:.0f} s "
                         "(the zoo server is stalled or overloaded); nothing was kept") from None
    except requests.TooManyRedirects as exc:
        raise FetchError(f"{host} sends the request round in a redirect loop ({exc}); check the zoo URL",
                         str(exc)) from None
    except requests.ConnectionError as exc:
        text = str(exc)
        if "NameResolution" in text or "resolve" in text:
            raise FetchError(f"cannot reach {host}: this machine has no route to it (offline, or a firewall)",
                             text) from None
        raise FetchError(f"cannot connect to {host}: is the zoo server running and reachable?", text) from None
    except requests.RequestException as exc:  # an IOError: never to be told as a disk problem
        raise FetchError(f"the request to {host} failed ({type(exc).__name__}: {exc})", str(exc)) from None
    if response.status_code == 401:
        raise FetchError(f"{host} refused the token (missing, expired or without access to this zoo)")
    return response


def _check_status(response: requests.Response, what: str) -> None:
    if response.status_code == 404:
        raise FetchError(f"{what} is not in the zoo (HTTP 404): check the model name and the zoo URL")
    if response.status_code != 200:
        raise FetchError(f"the zoo server failed on {what} (HTTP {response.status_code} {response.reason})")


def remote_checksum(spec: ModelSpec) -> str | None:
    base, zoo = split_zoo_url(reveal(spec.zoo_url))
    response = _request(f"{base}/zoo/v1/public/models{zoo}/{spec.model_name}/info", spec.token)
    _check_status(response, spec.model_name)
    return (response.json().get("model_params") or {}).get("Checksum")


def local_checksum(folder: Path, name: str) -> str | None:
    return model_fields(folder / f"{name}.json")[0]


def local_spec(spec: ModelSpec, folder: Path) -> ModelSpec:
    """What the library's ensure_local returns: the same model, @local, from the cache folder."""
    from degirum_tools import ModelSpec
    return ModelSpec(model_name=spec.model_name, zoo_url=str(folder), inference_host_address="@local",
                     token=spec.token, model_properties=spec.model_properties, metadata=spec.metadata)


@dataclass
class _Sizes:
    """What a fetch needs on disk, as far as known: for the disk-full message."""

    archive: int | None = None
    unpacked: int | None = None

    def text(self) -> str:
        if self.archive and self.unpacked:
            return (f"about {(self.archive + self.unpacked) / 1e6:.1f} MB ({self.archive / 1e6:.1f} MB download "
                    f"+ {self.unpacked / 1e6:.1f} MB unpacked)")
        if self.archive:
            return f"at least {self.archive / 1e6:.1f} MB for the download, and about as much again to unpack it"
        return "an unknown amount (the server did not say the size)"


def _disk_full(root: Path, name: str, sizes: _Sizes) -> FetchError:
    try:
        free = f"{shutil.disk_usage(root).free / 1e6:.1f} MB free"
    except OSError:
        free = "no free space"
    return FetchError(f"the disk is full: {root} has {free} and {name} needs {sizes.text()}; nothing was kept. "
                      "Free some space (`model-picker cache list`, `model-picker cache remove NAME`) and try again")


def _download(spec: ModelSpec, target: Path, progress: Callable[[Progress], None] | None,
              cancel: threading.Event | None, sizes: _Sizes, limits: Limits | None = None) -> int:
    """Stream the archive into ``target`` within the size and time ``limits`` (FetchError otherwise)."""
    import requests
    import urllib3

    limits = limits or Limits.from_env()
    name = spec.model_name
    start = time.monotonic()
    base, zoo = split_zoo_url(reveal(spec.zoo_url))
    response = _request(f"{base}/zoo/v1/public/models{zoo}/{name}", spec.token, stream=True, binary=True)
    with response:
        _check_status(response, name)
        total = sizes.archive = _declared_length(response)
        if total is not None and shutil.disk_usage(target.parent).free < total:
            raise OSError(errno.ENOSPC, "not enough space for the download")
        received, last = 0, 0.0
        try:
            with open(target, "wb") as out:
                while True:
                    if cancel is not None and cancel.is_set():
                        raise FetchCancelled(f"fetching {name} was cancelled; nothing was kept")
                    # what has arrived (at most CHUNK): the limits are checked at every read
                    chunk = response.raw.read1(CHUNK, decode_content=True)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    now = time.monotonic()
                    _within(limits, name, received, total, now - start)
                    if progress is not None and (now - last >= 0.1 or received == total):
                        last = now
                        elapsed = max(now - start, 1e-6)
                        progress(Progress(name, received, total, received / elapsed, elapsed))
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
                urllib3.exceptions.ProtocolError) as exc:
            received = _bytes_received(exc, received)
            of = f" of {total}" if total else ""
            raise FetchError(f"the connection was cut after {received}{of} bytes of {name}; "
                             "nothing was kept, try again", str(exc)) from None
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError):
            raise FetchError(f"no data for {TIMEOUT[1]:.0f} s while fetching {name}; "
                             "nothing was kept") from None
        if progress is not None and total is None:  # no declared size: the last figure is the whole body
            elapsed = max(time.monotonic() - start, 1e-6)
            progress(Progress(name, received, total, received / elapsed, elapsed))
        if total is not None and received != total:
            raise FetchError(f"the download of {name} stopped at {received} of {total} bytes; "
                             "nothing was kept")
    sizes.archive = received
    return received


def _bytes_received(exc: BaseException, counted: int) -> int:
    """Bytes of the body that arrived before the connection broke: the chunks counted so far miss what urllib3
    had read of the chunk the cut interrupted, which its IncompleteRead tells (urllib3's: the body's total so
    far; http.client's: the bytes of that read)."""
    seen: list[BaseException] = []
    pending: list[object] = [exc]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or item in seen or len(seen) > 20:
            continue
        seen.append(item)
        partial = getattr(item, "partial", None)
        if type(partial) is int and partial >= 0:
            return max(counted, partial)
        if isinstance(partial, bytes):
            return counted + len(partial)
        pending += [*item.args, item.__cause__, item.__context__]
    return counted


def _declared_length(response: requests.Response) -> int | None:
    """The Content-Length the server declared, if it is a number; None when it declared none."""
    try:
        length = int(response.headers.get("Content-Length") or 0)
    except ValueError:
        return None
    return length if length > 0 else None


def _within(limits: Limits, name: str, received: int, total: int | None, elapsed: float) -> None:
    """FetchError when the download has run past its deadline or past the size it may have."""
    if total is None and received > limits.max_undeclared:
        raise FetchError(f"the zoo sent more than {limits.max_undeclared // 2**20} MiB of {name} without "
                         "declaring its size (the most a download without a Content-Length may be; set "
                         "MODEL_PICKER_FETCH_MAX_MB for a bigger model); nothing was kept")
    if elapsed <= limits.grace_s:
        return
    if total is not None and elapsed > limits.deadline(total):
        raise FetchError(f"the download of {name} did not finish in {limits.deadline(total):.0f} s: {received:,} "
                         f"of {total:,} bytes arrived (the limit is {limits.rule()}); nothing was kept")
    if total is None and elapsed > limits.deadline(received):
        raise FetchError(f"the download of {name} is too slow: {received:,} bytes in {elapsed:.0f} s (the limit "
                         f"is {limits.rule()}); nothing was kept")


def _unpack(archive: Path, name: str, staging: Path, sizes: _Sizes) -> Path:
    """Test and extract the archive into ``staging``; the model folder inside is returned."""
    try:
        with zipfile.ZipFile(archive) as zf:
            broken = zf.testzip()
            if broken is not None:
                raise FetchError(f"the archive of {name} is damaged ({broken} fails its CRC check)")
            for member in zf.infolist():
                target = (staging / member.filename).resolve()
                if not target.is_relative_to(staging.resolve()) or not member.filename.startswith(f"{name}/"):
                    raise FetchError(f"the archive of {name} holds an unexpected path: {member.filename!r}")
            sizes.unpacked = sum(member.file_size for member in zf.infolist())
            zf.extractall(staging)
    except zipfile.BadZipFile:
        raise FetchError(f"the download of {name} is not a valid archive (corrupt or cut)") from None
    folder = staging / name
    problems = [p for p in check_model(folder / f"{name}.json", verify_checksum=False) if p.fatal]
    if problems:
        where = f"{staging}{os.sep}"  # the staging folder is gone by the time this is read: name the archive
        raise FetchError(f"the archive of {name} is not a usable model: {str(problems[0]).replace(where, '')}")
    return folder


def _install(folder: Path, dest: Path) -> None:
    """Swap the checked folder into place; an old copy is removed only after the swap.

    A process that does not take the fetch lock (one on another machine sharing the cache over a network
    file system) may install the same model in between: when the rename finds an intact model in place,
    that model is kept and this copy dropped, instead of failing with "Directory not empty".
    """
    old = None
    if dest.exists():
        old = dest.with_name(f".old-{dest.name}-{os.getpid()}-{time.monotonic_ns()}")
        try:
            dest.rename(old)
        except FileNotFoundError:  # moved aside by another fetch just now
            old = None
    try:
        folder.rename(dest)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not _intact(dest, dest.name):
            raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _fetch_lock(root: Path, name: str, cancel: threading.Event | None) -> Iterator[None]:
    """One fetch of a model at a time on this machine (processes and threads alike); the others wait, then
    find it in the cache. ``flock`` is released by the kernel when its holder dies, so a killed fetch
    never leaves the model locked; where no lock file can be made, fetches run unlocked."""
    import fcntl

    try:
        sources = root / ".model-picker"
        sources.mkdir(parents=True, exist_ok=True)
        fd = os.open(sources / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if cancel is not None and cancel.is_set():
                    raise FetchCancelled(f"fetching {name} was cancelled; nothing was kept") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # and with it the lock


def _model_sha256(folder: Path, name: str) -> str | None:
    """SHA-256 of the model file(s) as fetched: accepted at load even where the zoo defines Checksum otherwise."""
    model_path = model_fields(folder / f"{name}.json")[1]
    try:
        return model_checksum(folder / model_path) if model_path is not None else None
    except (OSError, ValueError):
        return None


def _intact(dest: Path, name: str) -> bool:
    """The cached model's file matches its Checksum (or the bytes this app fetched)."""
    json_path = find_model_json(dest, name)
    return json_path is not None and problem(json_path, name) is None


def _fetch_into(spec: ModelSpec, root: Path, dest: Path, progress: Callable[[Progress], None] | None,
                cancel: threading.Event | None) -> dict:
    """Download, test and install; the fetch record is returned. Any failure leaves the cache as it was."""
    sizes = _Sizes()
    work: Path | None = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        work = make_staging(root, spec.model_name)
        size = _download(spec, work / "model.zip", progress, cancel, sizes)
        folder = _unpack(work / "model.zip", spec.model_name, work / "staging", sizes)
        sha256 = _model_sha256(folder, spec.model_name)
        _install(folder, dest)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise _disk_full(root, spec.model_name, sizes) from None
        if type(exc).__module__.startswith(("requests", "urllib3")):  # their errors are OSErrors too
            raise FetchError(f"the download of {spec.model_name} failed ({type(exc).__name__}: {exc}); "
                             "nothing was kept", str(exc)) from None
        raise FetchError(f"cannot write {spec.model_name} into {root}: {exc.strerror or exc}", str(exc)) from None
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return {"zoo_url": redact(spec.zoo_url), "fetched": time.time(), "bytes": size, "sha256": sha256}


def fetch_model(spec: ModelSpec, *, cloud_sync: bool = False, progress: Callable[[Progress], None] | None = None,
                cancel: threading.Event | None = None) -> ModelSpec:
    """``ensure_local`` semantics with progress, cancel and atomic install; returns the @local spec.

    A cached model whose file no longer matches its Checksum is fetched again
    (a damaged file can crash the runtime); staging folders left by killed
    fetches are removed first.
    """
    root = cache_root()
    dest = root / spec.model_name
    remove_stale(root)
    if _up_to_date(spec, dest, cloud_sync):
        return local_spec(spec, dest)
    with _fetch_lock(root, spec.model_name, cancel):
        if _up_to_date(spec, dest, cloud_sync):  # fetched by another process while this one waited
            return local_spec(spec, dest)
        record = _fetch_into(spec, root, dest, progress, cancel)
        try:
            write_json(sources_dir() / f"{spec.model_name}.json", record)
        except OSError:
            pass
    return local_spec(spec, dest)


def _up_to_date(spec: ModelSpec, dest: Path, cloud_sync: bool) -> bool:
    """The cached model is there, intact, and (with ``cloud_sync``) the zoo's current version."""
    present = dest.exists() and local_checksum(dest, spec.model_name) is not None
    return present and _intact(dest, spec.model_name) and (
        not cloud_sync or remote_checksum(spec) == local_checksum(dest, spec.model_name))


def ensure_local(spec: ModelSpec, cloud_sync: bool = False, progress: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None) -> ModelSpec:
    """A spec @local can run: local zoo folders as they are, anything else fetched."""
    if not needs_fetch(spec):
        return spec
    return fetch_model(spec, cloud_sync=cloud_sync, progress=progress, cancel=cancel)

