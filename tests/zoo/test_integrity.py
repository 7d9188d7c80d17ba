"""A damaged model file is refused before PySDK reads it (a truncated TFLite file killed the process with SIGSEGV).

The real CLI runs in a subprocess on a damaged copy of a bundled model, so a crash shows as a signal death
(a negative return code) instead of taking the test session down.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from model_picker.zoo.checksum import known_checksum, memo_file, model_checksum
from model_picker.zoo.fetch import cache_root, fetch_model
from model_picker.zoo.integrity import DamagedModelError, verify_local_model
from tests.zoo.test_cache import cli
from tests.zoo.test_fetch import spec

MODEL = "blazeface_short_range"
MODEL_FILE = "face_detection_short_range.tflite"


def registry_for(tmp_path: Path, zoo: Path) -> Path:
    """A one-model registry whose zoo is the given folder."""
    path = tmp_path / "one.yaml"
    path.write_text(f"defaults:\n  inference_host_address: '@local'\nmodels:\n  {MODEL}:\n    task: face_detection\n"
                    f"    hardware: [TFLITE/CPU]\n    zoo_url: {zoo}\n")
    return path


def damaged_zoo(zoo_dir: Path, tmp_path: Path, damage) -> Path:
    zoo = tmp_path / "zoo"
    shutil.copytree(zoo_dir / MODEL, zoo / MODEL)
    path = zoo / MODEL / MODEL_FILE
    path.write_bytes(damage(path.read_bytes()))
    return zoo


def flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 64]) + data[middle + 64:]


def resigned_broken_zoo(zoo_dir: Path, tmp_path: Path) -> Path:
    """A model file cut to a tenth (the TFLite runtime mostly dies with SIGSEGV on it, now and then it fails
    politely: the same file does either from run to run), with a JSON whose Checksum was recomputed to match."""
    zoo = damaged_zoo(zoo_dir, tmp_path, lambda b: b[: len(b) // 10])
    cfg_path = zoo / MODEL / f"{MODEL}.json"
    cfg_path.write_text(json.dumps({**json.loads(cfg_path.read_text()),
                                    "Checksum": model_checksum(zoo / MODEL / MODEL_FILE)}))
    return zoo


DAMAGES = {"truncated": lambda b: b[: len(b) // 2], "flipped bytes": flip, "zero length": lambda b: b""}


@pytest.mark.parametrize("kind", list(DAMAGES))
def test_cli_refuses_a_damaged_model_file_with_one_clear_line(private_home, zoo_dir, photos, tmp_path, kind):
    zoo = damaged_zoo(zoo_dir, tmp_path, DAMAGES[kind])
    out = cli("run", MODEL, "--registry", str(registry_for(tmp_path, zoo)), "--source", str(photos / "astronaut.png"),
              "--quiet")
    assert out.returncode == 1, (out.returncode, out.stderr)  # before the fix: -11 (SIGSEGV) when truncated
    errors = [line for line in out.stderr.splitlines() if line.startswith("model-picker:")]
    assert len(errors) == 1 and "Traceback" not in out.stderr
    line = errors[0]
    expected = json.loads((zoo / MODEL / f"{MODEL}.json").read_text())["Checksum"]
    found = model_checksum(zoo / MODEL / MODEL_FILE)
    assert str(zoo / MODEL / MODEL_FILE) in line and "does not match the Checksum" in line
    assert expected[:16] in line and found[:16] in line
    assert "Restore the file" in line


def test_an_intact_copy_still_runs(private_home, zoo_dir, photos, tmp_path):
    zoo = damaged_zoo(zoo_dir, tmp_path, lambda b: b)
    out = cli("run", MODEL, "--registry", str(registry_for(tmp_path, zoo)), "--source", str(photos / "astronaut.png"),
              "--quiet")
    assert out.returncode == 0, out.stderr


def test_a_damaged_cached_model_names_the_repair(private_home, zoo_server, zoo_dir, photos, tmp_path):
    server = zoo_server(zoo_dir)
    fetch_model(spec(server.url))
    cached = cache_root() / MODEL
    (cached / MODEL_FILE).write_bytes((cached / MODEL_FILE).read_bytes()[:5000])
    out = cli("run", MODEL, "--registry", str(registry_for(tmp_path, cached)), "--source",
              str(photos / "astronaut.png"), "--quiet")
    assert out.returncode == 1, out.stderr
    assert f"Run `model-picker fetch {MODEL} --cloud-sync`" in out.stderr


def test_fetch_cloud_sync_repairs_a_damaged_cached_model(private_home, zoo_server, zoo_dir):
    server = zoo_server(zoo_dir)
    assert cli("fetch", MODEL, "--zoo-url", server.url).returncode == 0
    model_file = cache_root() / MODEL / MODEL_FILE
    model_file.write_bytes(model_file.read_bytes()[:1000])
    assert cli("cache", "verify", MODEL).returncode == 1
    out = cli("fetch", MODEL, "--zoo-url", server.url, "--cloud-sync")
    assert out.returncode == 0, out.stderr
    assert cli("cache", "verify", MODEL).returncode == 0  # before the fix: still truncated
    assert model_file.read_bytes() == (zoo_dir / MODEL / MODEL_FILE).read_bytes()


def test_a_fetched_model_from_a_zoo_with_another_checksum_is_accepted_as_fetched(private_home, zoo_server, zoo_dir,
                                                                                 tmp_path):
    """A zoo may define Checksum otherwise: the bytes the fetch installed are what the load accepts."""
    served = tmp_path / "served"
    shutil.copytree(zoo_dir / MODEL, served / MODEL)
    cfg_path = served / MODEL / f"{MODEL}.json"
    cfg_path.write_text(json.dumps({**json.loads(cfg_path.read_text()), "Checksum": "another-definition-1"}))
    local = fetch_model(spec(zoo_server(served).url))
    verify_local_model(Path(local.zoo_url), MODEL)  # accepted
    assert cli("cache", "verify", MODEL).returncode == 0  # and verify agrees with the load
    model_file = cache_root() / MODEL / MODEL_FILE
    model_file.write_bytes(model_file.read_bytes()[:-10])
    with pytest.raises(DamagedModelError, match="does not match"):
        verify_local_model(Path(local.zoo_url), MODEL)


def test_the_hash_is_remembered_per_file_version(private_home, zoo_dir, tmp_path):
    zoo = damaged_zoo(zoo_dir, tmp_path, lambda b: b)
    path = zoo / MODEL / MODEL_FILE
    real = known_checksum(path)
    assert real == model_checksum(path)
    memo = json.loads(memo_file().read_text())
    memo[str(path.resolve())]["sha256"] = "remembered"
    memo_file().write_text(json.dumps(memo))
    assert known_checksum(path) == "remembered"  # not hashed again
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))  # same size, and the mtime put back: the ctime still tells
    import os
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert known_checksum(path) == model_checksum(path) != real


def test_a_broken_model_with_a_matching_checksum_crashes_a_test_process_not_the_cli(private_home, zoo_dir, photos,
                                                                                    tmp_path):
    """What a checksum cannot cover (a JSON re-signed for a truncated file) is caught by the test load."""
    zoo = resigned_broken_zoo(zoo_dir, tmp_path)
    out = cli("run", MODEL, "--registry", str(registry_for(tmp_path, zoo)), "--source", str(photos / "astronaut.png"),
              "--quiet")
    assert out.returncode == 1, (out.returncode, out.stderr)  # before: -11, the CLI itself died
    # the runtime dies on this file with SIGSEGV, or (now and then) fails politely: both are refused
    assert "when loaded in a separate test process" in out.stderr and str(zoo / MODEL / MODEL_FILE) in out.stderr
    assert "is broken although it matches the Checksum" in out.stderr


def test_the_window_survives_a_broken_model_and_says_why(private_home, zoo_dir, tmp_path, qtbot):
    """Click the row, click Run: the window reports the refusal and stays up (it used to die with SIGSEGV)."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest

    from model_picker.ui.shell.main_window import MainWindow

    zoo = resigned_broken_zoo(zoo_dir, tmp_path)
    window = MainWindow(str(registry_for(tmp_path, zoo)), QSettings(str(tmp_path / "s.ini"),
                                                                     QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    qtbot.waitUntil(lambda: window.session.catalogue is not None, timeout=20000)
    rect = window.table.visualRect(window.proxy.index(0, 0))
    QTest.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseClick(window.live.controls.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "separate test process" in window.last_error, timeout=120000)
    assert window.isVisible() and "is broken although it matches the Checksum" in window.live.video.message
    window.runs.stop_run()
