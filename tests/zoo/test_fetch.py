"""Fetching models from a real zoo server: PySDK's own client, our fetcher, and bad networks."""

from __future__ import annotations

import json
import shutil
import threading

import cv2
import degirum as dg
import pytest
from degirum_tools import ModelSpec

from model_picker.inference.engine.loading import load_model
from model_picker.zoo.fetch import FetchCancelled, FetchError, cache_root, fetch_model


def spec(url: str, name: str = "blazeface_short_range") -> ModelSpec:
    return ModelSpec(model_name=name, zoo_url=url, inference_host_address="@local")


def cache_is_clean(name: str) -> bool:
    root = cache_root()
    return not (root / name).exists() and not [p for p in root.glob(".fetch-*")] if root.exists() else True


def test_pysdk_ensure_local_downloads_from_our_zoo_server(private_home, zoo_server, zoo_dir, photos):
    server = zoo_server(zoo_dir)
    local = spec(server.url).ensure_local()  # the library's own download code
    assert local.zoo_url == str(private_home / ".local/share/DeGirum/models/blazeface_short_range")
    with local.load_model() as model:
        faces = model(cv2.imread(str(photos / "astronaut.png"))).results
    assert len(faces) == 1


def test_our_fetch_reports_progress_and_the_library_then_downloads_nothing(private_home, zoo_server, zoo_dir):
    server = zoo_server(zoo_dir)
    seen = []
    local = fetch_model(spec(server.url, "efficientnet_lite0_imagenet"), progress=seen.append)
    assert seen and seen[-1].received == seen[-1].total > 4_000_000
    assert [p.received for p in seen] == sorted(p.received for p in seen)
    assert all(p.rate_bps > 0 for p in seen)
    server.stop()  # the library must now find the model without any network
    again = spec(server.url, "efficientnet_lite0_imagenet").ensure_local()
    assert again.zoo_url == local.zoo_url
    record = json.loads((cache_root() / ".model-picker" / "efficientnet_lite0_imagenet.json").read_text())
    assert record["zoo_url"] == server.url


@pytest.mark.parametrize("fault, words", [("cut", "cut after"), ("404", "not in the zoo"),
                                          ("500", "HTTP 500"), ("corrupt", "not a valid archive")])
def test_a_bad_download_never_leaves_a_model_in_the_cache(private_home, zoo_server, zoo_dir, fault, words):
    server = zoo_server(zoo_dir, fault)
    with pytest.raises(FetchError, match=words):
        fetch_model(spec(server.url))
    assert cache_is_clean("blazeface_short_range")


def test_a_download_without_content_length_still_works(private_home, zoo_server, zoo_dir):
    server = zoo_server(zoo_dir, "no-length")
    seen = []
    local = fetch_model(spec(server.url), progress=seen.append)
    assert seen[-1].total is None and seen[-1].received > 100_000
    assert (cache_root() / "blazeface_short_range" / "face_detection_short_range.tflite").exists()
    assert local.inference_host_address == "@local"


def test_cancel_stops_a_slow_download_and_keeps_nothing(private_home, zoo_server, zoo_dir):
    server = zoo_server(zoo_dir, "slow")
    cancel = threading.Event()

    def progress(p):
        if p.received > 300_000:
            cancel.set()

    with pytest.raises(FetchCancelled):
        fetch_model(spec(server.url, "efficientnet_lite0_imagenet"), progress=progress, cancel=cancel)
    assert cache_is_clean("efficientnet_lite0_imagenet")


def test_cloud_sync_downloads_again_only_when_the_checksum_changed(private_home, zoo_server, zoo_dir, tmp_path):
    served = tmp_path / "served"
    shutil.copytree(zoo_dir / "blazeface_short_range", served / "blazeface_short_range")
    server = zoo_server(served)
    fetch_model(spec(server.url))
    marker = cache_root() / "blazeface_short_range" / "marker"
    marker.write_text("still the first copy")
    fetch_model(spec(server.url), cloud_sync=True)
    assert marker.exists()  # same checksum: nothing downloaded
    cfg_path = served / "blazeface_short_range" / "blazeface_short_range.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["Checksum"] = "0" * 64
    cfg_path.write_text(json.dumps(cfg))
    fetch_model(spec(server.url), cloud_sync=True)
    assert not marker.exists()  # replaced by the newer version, atomically
    assert json.loads((cache_root() / "blazeface_short_range" / "blazeface_short_range.json").read_text())[
        "Checksum"] == "0" * 64


def test_local_inference_with_a_remote_zoo_url(private_home, zoo_server, zoo_dir, photos):
    server = zoo_server(zoo_dir)
    zoo = dg.connect("@local", server.url)
    with load_model(spec(server.url, "ssd_mobilenet_v2_coco_quant"), zoo=zoo) as model:
        labels = {r["label"] for r in model(cv2.imread(str(photos / "dog.jpg"))).results}
    assert {"dog", "bicycle"} <= labels


@pytest.mark.server
def test_ai_server_with_a_zoo_url(private_home, zoo_server, zoo_dir, ai_server, photos):
    server = zoo_server(zoo_dir)
    remote = ModelSpec(model_name="blazeface_short_range_onnx", zoo_url=server.url,
                       inference_host_address=ai_server.host)
    with load_model(remote) as model:
        faces = model(cv2.imread(str(photos / "astronaut.png"))).results
    assert len(faces) == 1


def test_offline_hub_zoo_fails_fast_with_a_reason(private_home):
    with pytest.raises(FetchError, match="cannot reach hub.degirum.com"):
        fetch_model(ModelSpec(model_name="yolov8n_coco", zoo_url="degirum/public", inference_host_address="@local"))
