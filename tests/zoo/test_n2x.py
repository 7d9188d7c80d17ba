"""The ORCA path on N2X/CPU: real inference on the bundled photos, agreement with TFLite, the compile
cache (damaged for real, located, cleared), the doctor, reports that say "emulated", and hosts.

N2X is slow (~150-400 ms a frame here) and compiles on first load: every test keeps to a few frames,
and each runs in a HOME of its own so the compile cache is the test's (N2X keeps it under HOME).
"""

from __future__ import annotations

import os
import subprocess
import sys

import cv2
import pytest

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.engine.loading import load_model
from model_picker.registry import open_catalogue
from model_picker.zoo.hosts import host_summary, why_not_runnable
from model_picker.zoo.runtime import n2x

N2X_MODEL = "efficientnet_lite0_imagenet_n2x"
TFLITE_MODEL = "efficientnet_lite0_imagenet"
# Photos with one ImageNet subject: the two runtimes must agree on each.
CLASSIFICATION_PHOTOS = ("Cat.jpg", "chelsea.png", "coffee.png")


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real command line, with this test's HOME (monkeypatched into os.environ by private_home)."""
    return subprocess.run([sys.executable, "-m", "model_picker", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env=dict(os.environ))


@pytest.fixture(scope="module")
def catalogue(demo_registry):
    return open_catalogue(demo_registry)


def top1(catalogue, name, images):
    with load_model(catalogue.spec(catalogue.index_of(name))) as model:
        return [model(image).results[0] for image in images]


def test_n2x_cpu_agrees_with_tflite_on_the_bundled_photos(catalogue, photos, private_home, record_property):
    paths = sorted(photos.iterdir())
    images = [cv2.imread(str(p)) for p in paths]
    on_n2x = top1(catalogue, N2X_MODEL, images)
    on_tflite = top1(catalogue, TFLITE_MODEL, images)
    agree = {p.name: a["label"] == b["label"] for p, a, b in zip(paths, on_n2x, on_tflite)}
    rate = sum(agree.values()) / len(agree)
    lines = [f"N2X/CPU vs TFLITE/CPU top-1 agreement: {sum(agree.values())}/{len(agree)} bundled photos ({rate:.0%})"]
    lines += [f"  {p.name:<18} N2X {a['label']} {a['score']:.3f} | TFLite {b['label']} {b['score']:.3f}"
              for p, a, b in zip(paths, on_n2x, on_tflite)]
    print("\n".join(lines))  # shown by pytest -s and in the -rA summary
    record_property("n2x_tflite_top1_agreement", f"{rate:.3f}")
    assert all(agree[name] for name in CLASSIFICATION_PHOTOS), lines
    assert rate >= 0.8, lines
    cat = on_n2x[[p.name for p in paths].index("Cat.jpg")]
    assert cat["label"] == "lynx" and cat["score"] > 0.3


def test_a_stale_or_damaged_entry_no_longer_breaks_a_local_run(private_home, photos):
    """PySDK 1.5.0 cannot read back an entry an earlier process wrote; the app drops it before loading."""
    cat = str(photos / "Cat.jpg")
    first = cli("run", N2X_MODEL, "--source", cat, "--quiet")
    assert first.returncode == 0, first.stderr
    [entry] = n2x.cache_entries("efficientnet_lite0")
    assert entry.parent == private_home / ".local/share/DeGirum/n2x_cache"
    assert cli("run", N2X_MODEL, "--source", cat, "--quiet").returncode == 0  # the stale entry
    with open(entry, "r+b") as f:  # damage it for real: a cut-off write
        f.truncate(1000)
    again = cli("run", N2X_MODEL, "--source", cat, "--quiet")
    assert again.returncode == 0, again.stderr
    assert entry.stat().st_size > 1000  # compiled afresh


@pytest.mark.server
def test_a_damaged_entry_on_an_ai_server_is_located_and_clearing_it_fixes_the_next_load(private_home, ai_server,
                                                                                       photos):
    cat = str(photos / "Cat.jpg")
    first = cli("run", N2X_MODEL, "--host", ai_server.host, "--source", cat, "--quiet")
    assert first.returncode == 0, first.stderr
    [entry] = n2x.cache_entries("efficientnet_lite0")  # the server runs as this user, with this HOME
    ai_server.kill()
    with open(entry, "r+b") as f:  # damage it for real
        f.truncate(1000)
    ai_server.restart()
    broken = cli("run", N2X_MODEL, "--host", ai_server.host, "--source", cat, "--quiet")
    assert broken.returncode == 1
    message = broken.stderr.strip().splitlines()[-1]
    assert "N2X cannot read its compile cache entry for efficientnet_lite0" in message, broken.stderr
    assert ai_server.host in message and "`model-picker cache clear-n2x`" in message
    assert "n2x_cache/efficientnet_lite0_*.n2x" in message and "restart the AI server" in message
    ai_server.kill()
    cleared = cli("cache", "clear-n2x")
    assert cleared.returncode == 0 and "removed 1 compiled model(s)" in cleared.stdout
    assert str(n2x.cache_dir()) in cleared.stdout and not n2x.cache_entries()
    ai_server.restart()
    again = cli("run", N2X_MODEL, "--host", ai_server.host, "--source", cat, "--quiet")
    assert again.returncode == 0, again.stderr


def test_the_cache_error_is_recognised_in_pysdks_exact_words(private_home):  # no compiled entries of its own
    from model_picker.inference.engine.errors import explain

    pysdk = ("Failed to perform model 'efficientnet_lite0_imagenet_n2x' inference: Model "
             "'efficientnet_lite0_imagenet_n2x' inference failed: [ERROR]Loading model failed\n"
             "n2x invalid or corrupt\nnnexpress.cpp: 93 [DG::NNExpressCore::n2x_get]\n"
             "When running model 'efficientnet_lite0'")
    local = explain(RuntimeError(pysdk), "@local")
    assert isinstance(local, InferenceError) and "efficientnet_lite0_*.n2x" in str(local)
    assert "model-picker cache clear-n2x" in str(local) and "n2x invalid or corrupt" in local.detail
    remote = str(explain(RuntimeError(pysdk), "gpu-box:8778"))
    assert "gpu-box:8778" in remote and "as the user running the AI server" in remote
    assert str(explain(RuntimeError("[ERROR]Loading model failed\nCannot read model"))).startswith("the model file")


def test_doctor_names_the_n2x_runtime_and_what_to_do_without_orca(private_home):
    out = cli("doctor")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "N2X runtime  OK: N2X/CPU (N2X/CPU is the ORCA runtime emulated on the CPU)" in out.stdout
    assert "ORCA devices none: no N2X/ORCA1 or N2X/ORCA among this host's devices" in out.stdout
    assert "`degirum sys-info` lists N2X/ORCA1" in out.stdout and "kernel module cda" in out.stdout
    assert f"N2X compile cache  {private_home}/.local/share/DeGirum/n2x_cache: 0 compiled" in out.stdout


def test_bench_reports_say_n2x_cpu_is_emulated(private_home, photos, tmp_path):
    report = tmp_path / "orca.md"
    out = cli("bench", N2X_MODEL, TFLITE_MODEL, "--frames", "4", "--warmup", "1",
              "--source", str(photos / "Cat.jpg"), "--report", str(report))
    assert out.returncode == 0, out.stderr
    n2x_row = next(line for line in out.stdout.splitlines() if line.startswith(N2X_MODEL))
    assert "N2X/CPU #0 (emulated on the CPU)" in n2x_row
    assert "not a measurement of ORCA hardware" in out.stderr
    text = report.read_text()
    assert "| Measures | ORCA runtime (N2X) emulated on the CPU: not a measurement of ORCA hardware |" in text
    assert "| Measures | TFLITE runtime on CPU |" in text
    assert "N2X/CPU #0 (emulated on the CPU)" in text  # the comparison table too


def test_why_not_runnable_speaks_of_orca():
    host_types = ["N2X/CPU", "ONNX/CPU", "TFLITE/CPU"]
    reason = why_not_runnable(["N2X/ORCA1"], "@local", host_types)
    assert reason == ("@local cannot run this model: this host has no ORCA device: N2X/ORCA1 not among its "
                      "devices (N2X/CPU, ONNX/CPU, TFLITE/CPU)")
    assert why_not_runnable(["N2X/CPU"], "@local", host_types) is None
    assert why_not_runnable(["N2X/ORCA1", "TFLITE/CPU"], "@local", host_types) is None
    assert why_not_runnable(["OPENVINO/CPU"], "box", []) == ("box cannot run this model: it needs OPENVINO/CPU; "
                                                             "the host offers no devices")
    assert why_not_runnable(["N2X/ORCA1"], "orca-box", ["N2X/ORCA1", "N2X/CPU"]) is None


def test_host_summary_shows_the_orca_devices():
    text, tip = host_summary("@local", ["N2X/CPU", "TFLITE/CPU"])
    assert text == "Host @local: N2X/CPU, TFLITE/CPU · no ORCA (N2X/CPU emulator only)"
    assert "no ORCA device" in tip and "degirum sys-info" in tip
    text, tip = host_summary("orca-box:8778", ["N2X/CPU", "N2X/ORCA1"])
    assert text.endswith("· ORCA: N2X/ORCA1") and tip == "ORCA devices on orca-box:8778: N2X/ORCA1"
    assert n2x.execution_note("N2X/ORCA1") == "N2X runtime on ORCA hardware (N2X/ORCA1)"
