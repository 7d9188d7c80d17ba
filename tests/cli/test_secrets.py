"""A registry URL's credentials are used to connect and never shown or saved, by any command.

A real loopback server asks for Basic credentials and serves the registry, and in front of
``serve-zoo`` the zoo its relative ``zoo_url`` names (which inherits ``user:pass@``). Every
command runs as a real process; its stdout, stderr, and every file it leaves (reports in every
format, recordings, HOME, the cache folder, fetch records) are searched for the secrets.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.runner import cli
from tests.conftest import free_port
from tests.httpserver import LoopbackServer

MODEL = "blazeface_short_range"
REGISTRY = (f"defaults:\n  inference_host_address: '@local'\nmodels:\n  {MODEL}:\n    task: face_detection\n"
            "    hardware: [TFLITE/CPU]\n    zoo_url: ./zoo\n")
TOKEN = "TOKLEAK7"


def private_env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    (tmp_path / "home").mkdir()
    return env


def leaks(text: str, fragments: tuple[str, ...]) -> list[str]:
    return [f for f in fragments if f in text]


def file_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60).stdout
    return path.read_bytes().decode("utf-8", "replace")


def test_credentials_of_a_registry_url_are_used_and_never_shown_or_saved(tmp_path, zoo_dir, zoo_server):
    """The password holds ':' and '@' (a half-redacted one would show what follows its '@')."""
    password = "HUSH:PW@LEAK42"
    secrets = ("HUSH", "LEAK42", TOKEN, "PW@", "PW%40")
    env = private_env(tmp_path)
    zoo = zoo_server(zoo_dir)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    dead = free_port()
    runs: list[tuple[tuple[str, ...], subprocess.CompletedProcess]] = []

    def run(*args: str) -> subprocess.CompletedProcess:
        done = cli(*args, env=env)
        runs.append((args, done))
        return done

    with LoopbackServer(upstream=f"http://127.0.0.1:{zoo.port}", auth=f"user:{password}") as server:
        server.routes[f"/local/reg.yaml?token={TOKEN}"] = (200, REGISTRY.encode())
        url = f"http://user:{password}@127.0.0.1:{server.port}/local/reg.yaml?token={TOKEN}"
        reg = ("--registry", url)
        listed = run("list", "--json", *reg)
        assert listed.returncode == 0, listed.stderr
        assert f'"zoo_url": "http://***@127.0.0.1:{server.port}/local/zoo"' in listed.stdout
        assert run("list", *reg).returncode == 0
        for fmt in ("text", "yaml", "python", "json"):
            assert run("show", MODEL, "--format", fmt, *reg).returncode == 0
        fetched = run("fetch", MODEL, *reg)
        assert fetched.returncode == 0, fetched.stderr
        assert server.seen_auth >= 2  # the registry and the archive came with the real credentials
        assert run("cache", "list").returncode == 0
        assert run("cache", "verify", MODEL).returncode == 0
        ran = run("run", MODEL, *reg, "--frames", "3", "--quiet", "--out", str(out_dir / "run.mp4"),
                  "--results", str(out_dir / "run.jsonl"))
        assert ran.returncode == 0, ran.stderr
        bench = run("bench", MODEL, *reg, "--frames", "3", "--warmup", "1", "--report", str(out_dir / "bench.html"))
        assert bench.returncode == 0, bench.stderr
        reports = [str(out_dir / f"valid.{suffix}") for suffix in ("html", "json", "md", "pdf")]
        valid = run("validate", MODEL, *reg, "--frames", "3", "--latency-frames", "3", "--warmup", "1",
                    "--raw-seconds", "0", *[a for r in reports for a in ("--report", r)])
        assert valid.returncode == 0, valid.stderr
        compared = run("compare", MODEL, MODEL, *reg, "--frames", "3", "--report", str(out_dir / "compare.html"),
                       "--report", str(out_dir / "compare.json"))
        assert compared.returncode == 0, compared.stderr
        # Failures name the host, never its credentials.
        cut = run("fetch", MODEL, *reg, "--cloud-sync", "--zoo-url", f"http://user:{password}@127.0.0.1:{dead}/a/b")
        assert cut.returncode == 1 and f"cannot connect to 127.0.0.1:{dead}" in cut.stderr, cut.stderr
        refused = run("list", "--registry", f"http://user:{password}@127.0.0.1:{dead}/reg.yaml?token={TOKEN}")
        assert refused.returncode == 2 and "http://***@127.0.0.1" in refused.stderr, refused.stderr
        assert run("cache", "list", *reg).returncode == 2  # argparse quotes what it refuses
    saved = {p: file_text(p) for p in tmp_path.rglob("*") if p.is_file()}  # before `cache remove`
    assert any(".model-picker" in p.parts for p in saved) and any("registries" in p.parts for p in saved)
    # Offline: the last good copy of the registry, and a zoo that cannot be reached, in every report.
    assert run("cache", "remove", MODEL).returncode == 0
    reports = [str(out_dir / f"offline.{suffix}") for suffix in ("html", "json", "md", "pdf")]
    offline = run("validate", MODEL, *reg, "--frames", "3", "--latency-frames", "3", "--warmup", "1",
                  "--raw-seconds", "0", *[a for r in reports for a in ("--report", r)])
    assert offline.returncode == 1 and "last good copy" in offline.stderr, offline.stderr
    assert f"127.0.0.1:{server.port}" in offline.stdout + offline.stderr

    found = [f"{' '.join(args)} -> {stream}: {leaks(text, secrets)}" for args, done in runs
             for stream, text in (("stdout", done.stdout), ("stderr", done.stderr)) if leaks(text, secrets)]
    saved.update({p: file_text(p) for p in tmp_path.rglob("*") if p.is_file()})
    assert {p.name for p in saved if p.parent == out_dir} >= {
        "run.mp4", "run.jsonl", "bench.html", "compare.html", "compare.json",
        *(f"{kind}.{suffix}" for kind in ("valid", "offline") for suffix in ("html", "json", "md", "pdf"))}
    found += [f"{path}: {leaks(text, secrets)}" for path, text in saved.items() if leaks(text, secrets)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("password", ["SECRETPW123", "p@ss:w@rd!9", "a%40b%3Ac"])
def test_a_relative_zoo_url_shows_its_inherited_credentials_masked(tmp_path, password):
    """Plain, '@' and ':' raw, and percent-encoded: the whole user:password is masked."""
    env = private_env(tmp_path)
    with LoopbackServer(auth=f"user:{password}".replace("%40", "@").replace("%3A", ":")) as server:
        server.routes["/local/reg.yaml"] = (200, REGISTRY.encode())
        url = f"http://user:{password}@127.0.0.1:{server.port}/local/reg.yaml"
        for args in (("list", "--json"), ("show", MODEL, "--format", "json"), ("show", MODEL)):
            done = cli(*args, "--registry", url, env=env)
            assert done.returncode == 0, done.stderr
            assert f"http://***@127.0.0.1:{server.port}/local/zoo" in done.stdout
            assert password not in done.stdout + done.stderr and "user:" not in done.stdout + done.stderr
