"""Start DeGirum's own AI server (``degirum server start``) with every runtime enabled.

The server is PySDK's; this only gives it the environment the app gives itself
(agents.runtime_env), so its zoo lists the ONNX and OpenVINO models too
instead of silently leaving them out.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from model_picker.zoo.bundled import zoo_dir
from model_picker.zoo.runtime.agents import runtime_env


def server_command(zoo: str | Path, port: int) -> list[str]:
    degirum = shutil.which("degirum", path=str(Path(sys.executable).parent)) or "degirum"
    return [degirum, "server", "start", "--zoo", str(Path(zoo).resolve()), "--port", str(port), "--quiet"]


def exec_server(zoo: str | None, port: int) -> int:
    """Replace this process with the server (the CLI's ``ai-server``)."""
    command = server_command(zoo or zoo_dir(), port)
    print(f"AI server on port {port}, zoo {command[4]} (Ctrl+C stops it)", file=sys.stderr, flush=True)
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
    """Start the server as a child process and wait until it listens (tests, benchmarks)."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(server_command(zoo, port), env=runtime_env(), stdin=subprocess.DEVNULL,
                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    if not wait_listening(port):
        process.kill()
        raise RuntimeError(f"the AI server did not listen on port {port} within 30 s")
    return process
