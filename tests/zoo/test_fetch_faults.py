"""A fetch that meets a full disk or a SIGKILL: one clear line, and a cache that cleans itself.

The full disk is real: a tmpfs of a few MB mounted as PySDK's model cache (needs root, as in CI here).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from model_picker.zoo.fetch import cache_root
from tests.zoo.test_cache import cli


@pytest.fixture
def small_cache(private_home):
    """PySDK's model cache on a real tmpfs; ``mount(size)`` mounts one of that many KiB."""
    mounted: list[Path] = []

    def mount(kib: int) -> Path:
        root = private_home / ".local/share/DeGirum/models"
        root.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(root)],
                             capture_output=True, text=True)
        if out.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here (needs root): {out.stderr.strip()}")
        mounted.append(root)
        return root

    yield mount
    for root in mounted:
        subprocess.run(["umount", "-l", str(root)], check=False)


def only_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("model, kib, fault, words", [
    ("efficientnet_lite0_imagenet", 2048, None, "4.4 MB for the download"),  # told by Content-Length
    ("efficientnet_lite0_imagenet", 2048, "no-length", "unknown amount"),  # found out while writing
    ("deeplabv3_mnv2_pascal", 4096, None, "MB unpacked"),  # the archive fits, unpacking does not
])
def test_a_full_disk_is_one_line_and_the_cache_stays_clean(small_cache, zoo_server, zoo_dir, model, kib, fault,
                                                           words):
    root = small_cache(kib)
    server = zoo_server(zoo_dir, fault)
    out = cli("fetch", model, "--zoo-url", server.url)
    assert out.returncode == 1
    line = only_error_line(out.stderr)
    assert f"the disk is full: {root} has" in line and f"{model} needs" in line and words in line, line
    assert "free some space" in line.lower()
    assert sorted(p.name for p in root.iterdir()) in ([], [".model-picker"])


def staging_folders() -> list[Path]:
    return sorted(cache_root().glob(".fetch-*"))


def test_a_killed_fetch_leaves_a_staging_folder_that_cache_list_shows_and_the_next_fetch_removes(
        private_home, zoo_server, zoo_dir):
    slow = zoo_server(zoo_dir, "slow")  # 200 kB/s: the 5.4 MB model takes ~27 s
    fetch = subprocess.Popen([sys.executable, "-m", "model_picker", "fetch", "efficientnet_lite0_imagenet",
                              "--zoo-url", slow.url], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            partial = [p / "model.zip" for p in staging_folders() if (p / "model.zip").exists()]
            if partial and partial[0].stat().st_size > 300_000:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the fetch never started writing")
        running = cli("cache", "list")
        assert "fetch in progress (pid" in running.stdout
    finally:
        fetch.send_signal(signal.SIGKILL)
        fetch.wait(10)
    assert fetch.returncode == -signal.SIGKILL
    left = staging_folders()
    assert len(left) == 1
    listed = cli("cache", "list")
    assert listed.returncode == 0
    assert left[0].name in listed.stdout and "left by an interrupted fetch" in listed.stdout
    fast = zoo_server(zoo_dir)
    out = cli("fetch", "blazeface_short_range", "--zoo-url", fast.url)  # any next fetch cleans up
    assert out.returncode == 0, out.stderr
    assert staging_folders() == []
    assert "interrupted" not in cli("cache", "list").stdout


def test_a_running_fetch_keeps_its_staging_folder(private_home, zoo_server, zoo_dir):
    slow = zoo_server(zoo_dir, "slow")
    fetch = subprocess.Popen([sys.executable, "-m", "model_picker", "fetch", "efficientnet_lite0_imagenet",
                              "--zoo-url", slow.url], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 60
        while not staging_folders() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert staging_folders()
        fast = zoo_server(zoo_dir)
        assert cli("fetch", "blazeface_short_range", "--zoo-url", fast.url).returncode == 0
        assert len(staging_folders()) == 1  # not another process's to remove
    finally:
        fetch.send_signal(signal.SIGKILL)
        fetch.wait(10)
