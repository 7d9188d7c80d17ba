"""Start DeGirum's own AI server (``degirum server start``) with every runtime enabled.

The server is PySDK's; this only gives it the environment the app gives itself
(agents.runtime_env), so its zoo lists the ONNX and OpenVINO models too
instead of silently leaving them out, and a watcher (pproc.py) that ends its
postprocessor workers when it dies, however it dies. The servers the app starts
itself (``start_server``: tests, benchmarks) are ``model-picker ai-server`` in a
process group of their own, stopped with their children (``stop_server``).

``still_there`` tells a lost server from a slow one: the pipeline's watchdog
knocks on the server's port when results stop coming.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from model_picker.zoo.bundled import zoo_dir
from model_picker.zoo.runtime.agents import runtime_env
from model_picker.zoo.runtime.pproc import start_watcher

DEFAULT_PORT = 8778  # PySDK's, for a host given without one
# What a connect says when nothing is there any more: refused (no listener), or no route to the host.
_GONE = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH}


def server_address(host: str) -> tuple[str, int] | None:
    """``host[:port]`` (or ``http://host[:port]``) of an AI server as (name, port); None for @local and @cloud."""
    text = host.strip()
    if not text or text.startswith("@"):
        return None
    scheme, sep, rest = text.partition("://")
    if sep:
        if scheme.lower() not in ("http", "asio"):
            return None
        text = rest
    text = text.split("/", 1)[0].rsplit("@", 1)[-1]  # no path, no user:password@
    if text.startswith("["):  # [IPv6]:port
        name, _, tail = text[1:].partition("]")
        port = tail.removeprefix(":")
    elif text.count(":") == 1:
        name, _, port = text.partition(":")
    else:
        name, port = text, ""
    if not name:
        return None
    try:
        number = int(port) if port else DEFAULT_PORT
    except ValueError:
        return None
    return (name, number) if 0 < number < 65536 else None


def resolve(host: str) -> list[tuple]:
    """The socket addresses of an AI server's port (resolved once: a probe then needs no DNS); [] if none."""
    address = server_address(host)
    if address is None:
        return []
    try:
        return [info[4] for info in socket.getaddrinfo(*address, type=socket.SOCK_STREAM)]
    except (OSError, UnicodeError):
        return []


def still_there(addresses: list[tuple], timeout_s: float = 0.5) -> bool | None:
    """Whether a server still listens at ``addresses`` (from ``resolve``): True if one accepts a
    connection, False if every one refuses it or has no route (the server is gone), None if that
    cannot be told (no address, or no answer within ``timeout_s``: a slow network is not a lost host)."""
    gone = 0
    for sockaddr in addresses:
        family = socket.AF_INET6 if len(sockaddr) == 4 else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout_s)
            try:
                code = sock.connect_ex(sockaddr)
            except OSError:
                continue
        if code == 0:
            return True
        gone += code in _GONE
    return False if addresses and gone == len(addresses) else None


def server_command(zoo: str | Path, port: int) -> list[str]:
    degirum = shutil.which("degirum", path=str(Path(sys.executable).parent)) or "degirum"
    return [degirum, "server", "start", "--zoo", str(Path(zoo).resolve()), "--port", str(port), "--quiet"]


def exec_server(zoo: str | None, port: int) -> int:
    """Replace this process with the server (the CLI's ``ai-server``), its workers' watcher beside it."""
    command = server_command(zoo or zoo_dir(), port)
    print(f"AI server on port {port}, zoo {command[4]} (Ctrl+C stops it)", file=sys.stderr, flush=True)
    start_watcher()
    os.execve(command[0], command, runtime_env())
    return 0  # not reached


def wait_listening(port: int, timeout_s: float = 30.0, host: str = "127.0.0.1") -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.2)
    return False


def start_server(zoo: str | Path, port: int, log: Path | None = None) -> subprocess.Popen:
    """``model-picker ai-server`` as a child process in a process group of its own; returns once it listens."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    command = [sys.executable, "-m", "model_picker", "ai-server", "--zoo", str(Path(zoo).resolve()),
               "--port", str(port)]
    process = subprocess.Popen(command, env=runtime_env(), stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    if not wait_listening(port):
        stop_server(process, 0)
        raise RuntimeError(f"the AI server did not listen on port {port} within 30 s")
    return process


def stop_server(process: subprocess.Popen, timeout_s: float = 15.0) -> None:
    """Stop a server from ``start_server`` with its whole process group: SIGTERM, then SIGKILL for what is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the leader if it did not stop, and whatever outlived it
    process.wait(5)
