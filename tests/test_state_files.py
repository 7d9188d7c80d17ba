"""The app's own files are input too: damaged caches, records and settings never end a command or the window.

Every file the app reads back (the checksum memo, the probe memo, the parsed-registry cache, a fetch record,
a staging folder's owner, a registry's last good copy, the settings) is filled with random bytes, nesting
200,000 levels deep, fields of the wrong type and valid JSON of the wrong shape; then every command runs as a
user runs it (a real process, a private HOME, a real zoo server) and the window starts. Each must do what it
does with a clean cache, without a traceback, and say once which file it set aside.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ZooServerProcess
from tests.httpserver import LoopbackServer

MODEL = "blazeface_short_range"
KINDS = ["random bytes", "deep nesting", "wrong types", "wrong shape"]
DEEP = b"[" * 200_000


class Home:
    """A private HOME with a fetched model, its records and memos, and a registry copy kept from a URL."""

    def __init__(self, root: Path, zoo_url: str) -> None:
        self.home = root / "home"
        self.home.mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
        self.env["HOME"] = str(self.home)
        self.registry = root / "registry.yaml"
        self.text = (f"defaults:\n  inference_host_address: '@local'\nmodels:\n  {MODEL}:\n    task: face_detection\n"
                     f"    hardware: [TFLITE/CPU]\n    zoo_url: {zoo_url}\n")
        self.registry.write_text(self.text)
        self.digest = hashlib.sha256(self.text.encode()).hexdigest()
        cache = self.home / ".cache" / "model-picker"
        models = self.home / ".local" / "share" / "DeGirum" / "models"
        self.files = {
            "checksums": cache / "checksums.json",
            "probed": cache / "probed.json",
            "parsed": cache / "parsed" / f"{self.digest}.json",
            "record": models / ".model-picker" / f"{MODEL}.json",
            "owner": models / f".fetch-{MODEL}-planted" / "owner.json",
        }
        self.photo = Path(__file__).resolve().parents[1] / "resources" / "photos" / "astronaut.png"

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """The command's exit code, stdout and stderr; output goes through files, not pipes, because PySDK's
        postprocessor worker can outlive the command holding them (a pipe would wait for it)."""
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            done = subprocess.run([sys.executable, "-m", "model_picker", *args], stdout=out, stderr=err,
                                  timeout=180, env=self.env, stdin=subprocess.DEVNULL)
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(done.args, done.returncode, out.read(), err.read())

    def damaged(self, name: str, kind: str) -> bytes:
        """What ``kind`` of damage looks like in the file ``name``."""
        if kind == "random bytes":
            return random.Random(f"{name}{kind}").randbytes(4096)
        if kind == "deep nesting":
            return DEEP
        wrong_types = {
            "checksums": {str(self.photo): {"stamp": "yesterday", "sha256": 5}},
            "probed": [1, 2, None],
            "parsed": {"format": 1, "sha256": self.digest, "config": {"models": {MODEL: 5}}},
            "record": {"zoo_url": "\udc80", "sha256": ["x"], "fetched": "today"},
            "owner": {"pid": "me", "start": 7},
            "meta": {"url": 5, "fetched": "yesterday"},
        }
        deep_metadata: object = 1
        for _ in range(600):
            deep_metadata = [deep_metadata]
        wrong_shape = {
            "parsed": {"format": 1, "sha256": self.digest, "config": {"models": {MODEL: {
                "task": "face_detection", "hardware": ["TFLITE/CPU"], "zoo_url": "x",
                "metadata": {"a": deep_metadata}}}}},
        }
        value = wrong_types[name] if kind == "wrong types" else wrong_shape.get(name, [{"a": [1, 2]}, None, "x"])
        return json.dumps(value).encode()

    def damage(self, kind: str, names: list[str]) -> None:
        for name in names:
            self.files[name].parent.mkdir(parents=True, exist_ok=True)
            self.files[name].write_bytes(self.damaged(name, kind))


@pytest.fixture(scope="module")
def home(tmp_path_factory, zoo_dir):
    server = ZooServerProcess(zoo_dir)
    state = Home(tmp_path_factory.mktemp("state"), server.url)
    fetched = state.cli("fetch", MODEL, "--registry", str(state.registry))
    ran = state.cli("run", MODEL, "--registry", str(state.registry), "--source", str(state.photo), "--quiet")
    assert fetched.returncode == 0 and ran.returncode == 0, (fetched.stderr, ran.stderr)
    for name in ("checksums", "probed", "parsed", "record"):
        assert state.files[name].is_file(), name  # the clean state has every file the test damages
    state.files["owner"].parent.mkdir()
    yield state
    server.stop()


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("model-picker: warning:")]


def assert_set_aside_once(home: Home, stderr: str, kind: str, expected: list[str]) -> None:
    """One warning line per damaged file the command read, each naming it; the file moved aside (and
    rebuilt, or gone)."""
    lines = warnings(stderr)
    named = {name for name in home.files for line in lines if str(home.files[name]) in line}
    assert named == set(expected), (expected, lines)
    assert len(lines) == len(expected), lines
    for name in expected:
        path = home.files[name]
        assert "moved aside as" in next(line for line in lines if str(path) in line)
        assert not path.exists() or path.read_bytes() != home.damaged(name, kind), name


def commands(home: Home) -> dict[str, tuple[list[str], list[str]]]:
    """Command line, and the damaged files it reads (each must be told once)."""
    reg = ["--registry", str(home.registry)]
    few = ["--frames", "3", "--latency-frames", "3", "--warmup", "1", "--source", str(home.photo)]
    return {
        "list": (["list", *reg], ["parsed"]),
        "show": (["show", MODEL, *reg], ["parsed"]),
        "run": (["run", MODEL, *reg, "--source", str(home.photo), "--quiet"],
                ["parsed", "checksums", "probed", "owner"]),
        "fetch": (["fetch", MODEL, *reg], ["parsed", "checksums", "owner"]),
        "cache list": (["cache", "list"], ["record", "owner"]),
        "cache verify": (["cache", "verify"], ["record", "checksums"]),
        "validate": (["validate", MODEL, *reg, *few], ["parsed", "checksums", "probed", "owner"]),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_every_command_sets_damaged_state_files_aside_and_goes_on(home, kind):
    for title, (args, reads) in commands(home).items():
        home.damage(kind, list(home.files))
        out = home.cli(*args)
        assert "Traceback" not in out.stderr, (title, out.stderr[-1500:])
        assert out.returncode == 0, (title, out.returncode, out.stderr[-800:])  # as with a clean cache
        assert_set_aside_once(home, out.stderr, kind, reads)
    home.cli("cache", "list")  # reads the record validate left damaged
    out = home.cli("cache", "list")  # rebuilt or gone: nothing more to say
    assert out.returncode == 0 and not warnings(out.stderr), out.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_last_good_copy_of_a_registry_url_is_set_aside(tmp_path, zoo_dir, kind):
    home = Home(tmp_path, str(zoo_dir))
    with LoopbackServer() as server:
        server.routes["/r.yaml"] = (200, home.text.encode())
        url = server.url + "/r.yaml"
        assert home.cli("list", "--registry", url).returncode == 0
    copies = home.home / ".cache" / "model-picker" / "registries"
    meta, body = next(copies.glob("*.json")), next(copies.glob("*.yaml"))
    stale = home.cli("list", "--registry", url)
    assert stale.returncode == 0 and "last good copy" in stale.stderr  # the copy works while intact
    home.files = {"meta": meta}
    home.damage(kind, ["meta"])
    out = home.cli("list", "--registry", url)
    assert "Traceback" not in out.stderr and out.returncode == 2, out.stderr  # as with no copy: cannot connect
    assert "cannot connect" in out.stderr
    assert_set_aside_once(home, out.stderr, kind, ["meta"])
    damaged_body = random.Random(kind).randbytes(2000) if kind != "wrong shape" else b"models: [1, 2]\n"
    body.write_bytes(damaged_body)
    meta.write_text(json.dumps({"url": url, "fetched": 1.0e9}))
    out = home.cli("list", "--registry", url)
    assert "Traceback" not in out.stderr and out.returncode == 2 and "cannot connect" in out.stderr, out.stderr
    lines = warnings(out.stderr)
    assert len(lines) == 1 and str(body) in lines[0] and "moved aside as" in lines[0], lines
    assert not body.exists()


SETTINGS_DAMAGE = {
    "random bytes": random.Random(22).randbytes(4096),
    "deep nesting": DEEP,
    "wrong types": b'[General]\ngeometry=garbage\nwindow_state=5\nrecent=5\n'
                   b'overlay="{\\"classes\\": 5, \\"line_width\\": \\"x\\", \\"show_labels\\": \\"yes\\"}"\n'
                   b'source="{\\"kind\\": \\"video\\", \\"location\\": 5}"\n',
    "wrong shape": b'[General]\noverlay="' + b"[" * 100_000 + b'"\nsource="\\"text\\""\ndefaults="[1, 2]"\n',
}


@pytest.mark.parametrize("kind", KINDS)
def test_the_window_starts_with_damaged_settings_and_caches(qtbot, tmp_path, zoo_dir, monkeypatch, kind):
    from PySide6.QtCore import QSettings

    from model_picker.ui.shell.main_window import MainWindow

    home = Home(tmp_path, str(zoo_dir))
    for key in [k for k in os.environ if k.startswith("XDG_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home.home))
    conf = home.home / ".config" / "Model Picker" / "Model Picker.conf"
    conf.parent.mkdir(parents=True)
    conf.write_bytes(SETTINGS_DAMAGE[kind])
    home.damage(kind, ["parsed"])
    win = MainWindow(str(home.registry), QSettings(str(conf), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.session.catalogue is not None, timeout=20000)
    assert win.isVisible() and win.session.catalogue.names() == [MODEL]
    log = win.log_panel.toPlainText()
    parsed_lines = [line for line in log.splitlines() if str(home.files["parsed"]) in line]
    assert len(parsed_lines) == 1 and "moved aside" in parsed_lines[0], log
    conf_lines = [line for line in log.splitlines() if str(conf) in line]
    assert conf_lines, log
    if kind in ("random bytes", "deep nesting"):  # not a settings file at all: set aside whole
        assert len(conf_lines) == 1 and "moved aside" in conf_lines[0], log
        assert list(conf.parent.glob("Model Picker.conf.bad-*"))
    win.close()
    assert "Traceback" not in log


def test_the_real_window_comes_up_on_damaged_files(tmp_path, zoo_dir):
    """``model-picker`` with no command, as a user starts it (offscreen), every file damaged at once."""
    home = Home(tmp_path, str(zoo_dir))
    conf = home.home / ".config" / "Model Picker" / "Model Picker.conf"
    conf.parent.mkdir(parents=True)
    for kind in KINDS:
        conf.write_bytes(SETTINGS_DAMAGE[kind])
        home.damage(kind, ["parsed", "checksums", "probed"])
        env = {**home.env, "MODEL_PICKER_EXIT_AFTER_SHOW": "1", "QT_QPA_PLATFORM": "offscreen"}
        out = subprocess.run([sys.executable, "-m", "model_picker"], capture_output=True, text=True, timeout=120,
                             env=env, stdin=subprocess.DEVNULL)
        assert out.returncode == 0 and "shown" in out.stdout, (kind, out.stderr[-1500:])
        assert "Traceback" not in out.stderr, (kind, out.stderr[-1500:])
