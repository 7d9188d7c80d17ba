"""A model download is bounded in time and size, with the limits in the message.

Real zoo servers that trickle one byte a second or never end the body; small limits
through the environment keep the tests to seconds (the defaults are minutes and a GiB).
"""

from __future__ import annotations

import os
import re
import time

import pytest
from degirum_tools import ModelSpec

from model_picker.zoo.fetch import FetchError, Limits, _within, cache_root, fetch_model
from tests.cli.runner import cli

NAME = "blazeface_short_range"


def spec(url: str) -> ModelSpec:
    return ModelSpec(model_name=NAME, zoo_url=url, inference_host_address="@local")


def cache_is_clean() -> bool:
    root = cache_root()
    return not root.exists() or not [p for p in root.iterdir() if p.name != ".model-picker"]


def test_a_trickling_zoo_is_stopped_at_a_deadline_that_scales_with_the_declared_size(
        private_home, zoo_server, zoo_dir, monkeypatch):
    server = zoo_server(zoo_dir, "trickle")  # the right Content-Length, then one byte a second
    monkeypatch.setenv("MODEL_PICKER_FETCH_GRACE_S", "1")
    monkeypatch.setenv("MODEL_PICKER_FETCH_MIN_KBPS", "100")
    start = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch_model(spec(server.url))
    took = time.monotonic() - start
    size = int(re.search(r"of ([\d,]+) bytes arrived", str(info.value)).group(1).replace(",", ""))
    deadline = 1 + size / 100_000
    assert deadline - 0.5 < took < deadline + 5, (took, deadline)
    assert f"did not finish in {deadline:.0f} s" in str(info.value)
    assert "1 s plus 1 s per 100 KB of the model" in str(info.value) and "nothing was kept" in str(info.value)
    assert cache_is_clean()


def test_an_endless_body_without_a_declared_size_is_stopped_at_the_cap(private_home, zoo_server, zoo_dir,
                                                                         monkeypatch):
    server = zoo_server(zoo_dir, "endless")
    monkeypatch.setenv("MODEL_PICKER_FETCH_MAX_MB", "2")
    start = time.monotonic()
    with pytest.raises(FetchError, match="sent more than 2 MiB of blazeface_short_range without declaring its size"):
        fetch_model(spec(server.url))
    assert time.monotonic() - start < 20
    assert cache_is_clean()


def test_a_slow_download_without_a_declared_size_must_keep_the_average():
    limits = Limits(grace_s=2, min_rate=1000, max_undeclared=10**6)
    _within(limits, NAME, 100, None, 1.9)  # within the grace: anything goes
    _within(limits, NAME, 5000, None, 6.0)  # 2 s + 5 s for 5,000 bytes: in time
    with pytest.raises(FetchError, match=r"too slow: 3,000 bytes in 6 s \(the limit is 2 s plus 1 s per 1 KB"):
        _within(limits, NAME, 3000, None, 6.0)
    with pytest.raises(FetchError, match="more than 0 MiB"):
        _within(limits, NAME, 10**6 + 1, None, 0.5)
    _within(limits, NAME, 10**7, 10**7, 9.0)  # a declared size: its own deadline (10,002 s), no cap


def test_the_defaults_are_the_ones_the_help_states_and_bad_overrides_are_ignored(monkeypatch):
    assert Limits() == Limits(30.0, 50_000.0, 1024 * 2**20)
    text = " ".join(cli("fetch", "--help").stdout.split())
    assert "within 30 s plus 1 s per 50 KB of the model" in text and "at most 1024 MiB" in text
    for value in ("x", "-1", "0", "nan", "inf"):
        monkeypatch.setenv("MODEL_PICKER_FETCH_GRACE_S", value)
        assert Limits.from_env() == Limits()


def test_the_cli_says_the_limit_in_one_line(private_home, zoo_server, zoo_dir):
    server = zoo_server(zoo_dir, "trickle")
    env = {**os.environ, "MODEL_PICKER_FETCH_GRACE_S": "1", "MODEL_PICKER_FETCH_MIN_KBPS": "200"}
    out = cli("fetch", NAME, "--zoo-url", server.url, env=env, timeout=60)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "did not finish in" in lines[0] and "MODEL_PICKER_FETCH_MIN_KBPS" in lines[0]
