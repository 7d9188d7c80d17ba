"""Each failure of a fetch or a load says what really happened (a real zoo server injecting each fault).

A stall after connecting is not "did not answer within 5 s", a redirect loop is not a disk problem, a cut
counts every byte that arrived, and a model whose JSON PySDK skips (no Checksum, cut short, a number for
ModelPath…) is named with its fault, not called "not in that zoo".
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from model_picker.errors import InferenceError
from model_picker.inference.engine.loading import load_model
from model_picker.zoo import fetch
from model_picker.zoo.fetch import FetchError, cache_root, fetch_model
from tests.zoo.test_cache import cli
from tests.zoo.test_fetch import spec
from tests.zoo.test_integrity import registry_for

MODEL = "blazeface_short_range"


def test_a_zoo_that_accepts_and_then_stalls_is_not_called_unreachable(private_home, zoo_server, zoo_dir, monkeypatch):
    monkeypatch.setattr(fetch, "TIMEOUT", (5.0, 3.0))  # the read timeout, shortened so the test waits 3 s, not 30
    server = zoo_server(zoo_dir, "stall")
    start = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_model(spec(server.url))
    assert time.monotonic() - start >= 3
    message = str(caught.value)
    assert "accepted the connection but sent no answer within 3 s" in message, message
    assert "within 5 s" not in message and "unreachable" not in message


def test_a_redirect_loop_is_called_a_redirect_loop_not_a_disk_problem(private_home, zoo_server, zoo_dir):
    server = zoo_server(zoo_dir, "redirect-loop")
    with pytest.raises(FetchError) as caught:
        fetch_model(spec(server.url))
    message = str(caught.value)
    assert "redirect loop" in message and "check the zoo URL" in message, message
    assert "cannot write" not in message and str(cache_root()) not in message


@pytest.mark.parametrize("model", [MODEL, "efficientnet_lite0_imagenet"])  # cut inside the first chunk, and later
def test_a_cut_download_counts_every_byte_that_arrived(private_home, zoo_server, zoo_dir, model):
    server = zoo_server(zoo_dir, "cut")  # sends half of the archive, then closes
    with pytest.raises(FetchError) as caught:
        fetch_model(spec(server.url, model))
    sent = len(server_archive(zoo_dir, model))
    assert f"cut after {sent // 2} of {sent} bytes" in str(caught.value), str(caught.value)


def server_archive(zoo_dir: Path, model: str) -> bytes:
    from model_picker.zoo.server import ZooFolder

    return ZooFolder(zoo_dir).archive(model)


def _edit(field: str, value):
    def edit(cfg: dict) -> dict:
        if field == "ModelPath":
            cfg["MODEL_PARAMETERS"][0]["ModelPath"] = value
        elif value is None:
            cfg.pop(field)
        else:
            cfg[field] = value
        return cfg
    return edit


DAMAGE = {  # how the JSON is damaged: (new text from the old, words that must name the fault)
    "no Checksum": (lambda t: json.dumps(_edit("Checksum", None)(json.loads(t))), "Checksum: is missing"),
    "truncated JSON": (lambda t: t[: len(t) // 2], "invalid JSON"),
    "numeric ModelPath": (lambda t: json.dumps(_edit("ModelPath", 5)(json.loads(t))),
                          "MODEL_PARAMETERS.ModelPath: must name a file, not 5"),
    "MODEL_PARAMETERS a mapping": (lambda t: json.dumps(_edit("MODEL_PARAMETERS", {"ModelPath": "x"})(json.loads(t))),
                                   "MODEL_PARAMETERS.ModelPath: is missing"),
    "a list, not an object": (lambda t: "[1, 2]", "must be an object"),
    "nested deep": (lambda t: "[" * 100_000, "cannot read as JSON"),
    "empty": (lambda t: "", "invalid JSON"),
    "no DEVICE": (lambda t: json.dumps(_edit("DEVICE", [])(json.loads(t))), "DEVICE: needs RuntimeAgent"),
}


def damaged_zoo(zoo_dir: Path, where: Path, case: str) -> Path:
    zoo = where / "zoo"
    shutil.copytree(zoo_dir / MODEL, zoo / MODEL)
    json_path = zoo / MODEL / f"{MODEL}.json"
    json_path.write_text(DAMAGE[case][0](json_path.read_text()))
    return zoo


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_model_json_pysdk_skips_is_named_not_called_missing_from_the_zoo(private_home, zoo_dir, tmp_path, case):
    from degirum_tools import ModelSpec

    zoo = damaged_zoo(zoo_dir, tmp_path, case)
    with pytest.raises(InferenceError) as caught:
        load_model(ModelSpec(model_name=MODEL, zoo_url=str(zoo), inference_host_address="@local"))
    message = str(caught.value)
    assert "not in that zoo" not in message, message
    assert str(zoo / MODEL / f"{MODEL}.json") in message and DAMAGE[case][1] in message, message


def test_the_cli_names_the_damaged_json_in_one_line(private_home, zoo_dir, photos, tmp_path):
    zoo = damaged_zoo(zoo_dir, tmp_path, "numeric ModelPath")
    out = cli("run", MODEL, "--registry", str(registry_for(tmp_path, zoo)), "--source", str(photos / "astronaut.png"),
              "--quiet")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("model-picker:")]
    assert len(errors) == 1 and "ModelPath: must name a file, not 5" in errors[0], out.stderr


def test_a_served_model_with_a_damaged_json_is_refused_naming_the_archive_member(private_home, zoo_server, zoo_dir,
                                                                                 tmp_path):
    zoo = damaged_zoo(zoo_dir, tmp_path, "numeric ModelPath")
    server = zoo_server(zoo)
    with pytest.raises(FetchError) as caught:
        fetch_model(spec(server.url))
    message = str(caught.value)
    assert f"not a usable model: {MODEL}/{MODEL}.json: MODEL_PARAMETERS.ModelPath: must name a file" in message
    assert ".fetch-" not in message  # not the staging folder, gone by now


def test_show_tolerates_a_model_json_that_is_not_text(private_home, zoo_dir, tmp_path):
    zoo = tmp_path / "zoo"
    shutil.copytree(zoo_dir / MODEL, zoo / MODEL)
    (zoo / MODEL / f"{MODEL}.json").write_bytes(b"\xff\xfe{garbage")
    for form in ("text", "python"):  # the snippet looks into the model JSON
        out = cli("show", MODEL, "--registry", str(registry_for(tmp_path, zoo)), "--format", form)
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
