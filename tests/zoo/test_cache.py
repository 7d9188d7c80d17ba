"""The model cache from the command line: list, verify (catches truncation), remove."""

from __future__ import annotations

import os
import subprocess
import sys

from model_picker.zoo.fetch import cache_root, fetch_model
from tests.zoo.test_fetch import spec


def cli(*args):
    return subprocess.run([sys.executable, "-m", "model_picker", *args], capture_output=True, text=True, timeout=120,
                          env=os.environ.copy(), stdin=subprocess.DEVNULL)


def test_list_verify_remove(private_home, zoo_server, zoo_dir):
    server = zoo_server(zoo_dir)
    fetch_model(spec(server.url))
    fetch_model(spec(server.url, "deeplabv3_mnv2_pascal"))
    out = cli("cache", "list")
    assert out.returncode == 0
    assert "blazeface_short_range" in out.stdout and server.url in out.stdout
    assert "2 models" in out.stderr
    assert cli("cache", "verify").returncode == 0
    model_file = cache_root() / "deeplabv3_mnv2_pascal" / "deeplabv3.tflite"
    model_file.write_bytes(model_file.read_bytes()[:1000])  # a truncated file PySDK would trust
    out = cli("cache", "verify", "deeplabv3_mnv2_pascal")
    assert out.returncode == 1 and "Checksum: does not match the model file" in out.stdout
    assert cli("cache", "remove", "deeplabv3_mnv2_pascal").returncode == 0
    assert not (cache_root() / "deeplabv3_mnv2_pascal").exists()
    out = cli("cache", "remove", "nope")
    assert out.returncode == 2 and "nope is not in the cache" in out.stderr
