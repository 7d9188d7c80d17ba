"""Several fetches of one model at once (two windows, a script and a window, a test farm) all succeed.

Each renaming its own checked copy into place would fail ("Directory not empty") where another process had
just installed the model; they take turns instead: one downloads, the others find the model in the cache.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack

from model_picker.zoo.fetch import cache_root
from model_picker.zoo.integrity import find_model_json, problem
from model_picker.zoo.runtime.ai_server import wait_listening
from tests.conftest import free_port

MODEL = "efficientnet_lite0_imagenet"  # 4.4 MB: about 20 s at the slow zoo's 200 kB/s, so the fetches overlap


def test_ten_concurrent_fetches_of_one_model_all_succeed_with_one_download(private_home, zoo_dir, tmp_path):
    port = free_port()
    log = tmp_path / "zoo.log"
    with open(log, "w") as zoo_log:
        server = subprocess.Popen([sys.executable, "-m", "model_picker", "serve-zoo", str(zoo_dir), "--port", str(port),
                                   "--inject-fault", "slow", "--verbose"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=zoo_log)
    try:
        assert wait_listening(port, 30)
        command = [sys.executable, "-m", "model_picker", "fetch", MODEL, "--zoo-url", f"http://127.0.0.1:{port}/a/b"]
        runs = []
        with ExitStack() as files:
            for i in range(10):
                err = files.enter_context(open(tmp_path / f"fetch-{i}.err", "w"))  # a file: no pipe to wait on
                runs.append(subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=err, env=os.environ.copy()))
            codes = [process.wait(300) for process in runs]
        failures = [(tmp_path / f"fetch-{i}.err").read_text() for i, code in enumerate(codes) if code != 0]
    finally:
        server.terminate()
        server.wait(10)
    assert not failures, failures
    root = cache_root()
    json_path = find_model_json(root / MODEL, MODEL)
    assert json_path is not None and problem(json_path, MODEL) is None
    assert not [p.name for p in root.iterdir() if p.name.startswith((".fetch-", ".old-"))]
    downloads = [line for line in log.read_text().splitlines() if f'"GET /zoo/v1/public/models/a/b/{MODEL} ' in line]
    assert len(downloads) == 1, downloads  # the others waited and found it in the cache
