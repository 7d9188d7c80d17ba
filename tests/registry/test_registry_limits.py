"""A registry is read only from a regular file or URL of at most 64 MiB: devices, FIFOs and huge files are refused.

Each is refused before a byte is read, in one line naming the limit; none hangs or fills memory.
"""

from __future__ import annotations

import os
import re
import time

import pytest

from model_picker.registry import RegistryError, load_registry
from model_picker.registry.loader import MAX_BYTES
from tests.cli.runner import cli
from tests.httpserver import LoopbackServer


@pytest.mark.parametrize("kind, words", [("dev-zero", "a character device, not a file"),
                                         ("fifo", "a named pipe (FIFO), not a file"),
                                         ("fifo-url", "a named pipe (FIFO), not a file")])
def test_a_device_or_a_fifo_is_refused_without_reading_it(tmp_path, kind, words):
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it to read would wait for a writer for ever
    source = {"dev-zero": "/dev/zero", "fifo": str(tmp_path / "pipe.yaml"),
              "fifo-url": f"file://{tmp_path}/pipe.yaml"}[kind]
    start = time.monotonic()
    with pytest.raises(RegistryError, match=re.escape(words)):
        load_registry(source)
    assert time.monotonic() - start < 1.0


def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as out:
        out.truncate(MAX_BYTES + 1)  # sparse: nothing is written, nothing need be read
    with pytest.raises(RegistryError, match=r"the file is 67,108,865 bytes; a registry may be at most 64 MiB"):
        load_registry(str(big))
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"models:\n  m:\n    task: t\n    hardware: [X]\n    zoo_url: z\n".ljust(MAX_BYTES, b" "))
    assert "m" in load_registry(str(exact)).config["models"]  # the limit itself is allowed


def test_a_url_declaring_more_than_the_limit_is_refused_before_the_body():
    with LoopbackServer() as server:
        server.routes["/big.yaml"] = (200, b"#" * (MAX_BYTES + 1))
        with pytest.raises(RegistryError, match="a registry may be at most 64 MiB"):
            load_registry(server.url + "/big.yaml")


def test_the_cli_refuses_dev_zero_and_a_fifo_in_one_line(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    for source, kind in (("/dev/zero", "a character device"), (str(tmp_path / "pipe.yaml"), "a named pipe (FIFO)")):
        out = cli("list", "--registry", source, timeout=30)
        assert out.returncode == 2 and "Traceback" not in out.stderr
        assert out.stderr.strip().splitlines() == [
            f"model-picker: {source}: {kind}, not a file: a registry is read only from a regular file"]
    assert "at most 64 MiB" in " ".join(cli("list", "--help").stdout.split())
