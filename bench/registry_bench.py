"""Registry speed: load + validate, and one filter change, ours against degirum_tools.

A "filter change" is what a click in the facet panel costs: for the library the
chained ``for_task(...).for_hardware(...).for_meta(...)``; for the catalogue the
same query's rows *and* the facet counts the panel redraws. Medians over
repeated runs on generated registries of growing size.

Loads are what the user waits for (``open_catalogue``: read, parse, validate,
index): a first load with an empty parsed cache, and a reload of the unchanged
file or URL (the parsed cache, keyed by content hash), side by side with the
library's load, at every size and at the 10,000-model goal size.

    python -m bench.registry_bench [--sizes 100 1000 10000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

TASKS = ["coco_detection", "face_detection", "segmentation", "pose_estimation", "imagenet_classification"]
HARDWARE = ["TFLITE/CPU", "ONNX/CPU", "OPENVINO/CPU", "N2X/ORCA1", "HAILORT/HAILO8", "TENSORRT/GPU"]
DATASETS = ["COCO", "VOC", "ImageNet", "WIDER", "OpenImages"]


def generate(n: int, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    models = {}
    for i in range(n):
        models[f"model_{i:05d}"] = {
            "task": rnd.choice(TASKS),
            "hardware": rnd.sample(HARDWARE, rnd.randint(1, 3)),
            "zoo_url": "degirum/public",
            "alias": f"family_{i % 50}",
            "description": f"Generated model {i} for benchmarking the catalogue",
            "metadata": {"dataset": rnd.choice(DATASETS), "fps": round(rnd.uniform(5, 500), 1),
                         "precision": rnd.choice(["int8", "fp16", "fp32"]), "input": rnd.choice([224, 320, 640])},
        }
    return {"defaults": {"inference_host_address": "@local"}, "models": models}


def median_ms(fn, repeat: int, clock=time.perf_counter) -> float:
    """Median of ``repeat`` runs; ``clock=time.process_time`` gives CPU time, which other jobs on a
    shared machine inflate far less than wall time."""
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append((clock() - start) * 1000)
    return statistics.median(times)


def _clear_parsed_cache() -> None:
    from model_picker.registry import parsed_cache

    shutil.rmtree(parsed_cache.folder(), ignore_errors=True)


def load_times(source: str, repeat: int, clock=time.perf_counter) -> tuple[float, float]:
    """(first load, reload) of ``open_catalogue(source)`` in ms: empty parsed cache, then warm."""
    from model_picker.registry import open_catalogue

    def first():
        _clear_parsed_cache()
        open_catalogue(source)

    first_ms = median_ms(first, repeat, clock)
    open_catalogue(source)
    return first_ms, median_ms(lambda: open_catalogue(source), repeat, clock)


def measure(path: Path, n: int, repeat: int) -> dict:
    """One registry size: load both ways, then time the same filter change."""
    from degirum_tools import ModelRegistry

    from model_picker.registry import Catalogue, Query, load_registry

    load_repeat = max(3, repeat // 5) if n >= 10000 else repeat
    lib_load = median_ms(lambda: ModelRegistry(config_file=str(path)), load_repeat)
    our_load, our_reload = load_times(str(path), load_repeat)
    lib = ModelRegistry(config_file=str(path))
    cat = Catalogue(load_registry(path))
    query = Query().for_task("coco_detection").for_hardware("ONNX/CPU").for_meta({"dataset": "COCO"})

    def library_chain():
        return lib.for_task("coco_detection").for_hardware("ONNX/CPU").for_meta({"dataset": "COCO"})

    lib_filter = median_ms(library_chain, repeat)
    our_filter = median_ms(lambda: (cat.select(query), cat.facets(query)), repeat)
    search = median_ms(lambda: cat.select(Query(text="model 12")), repeat)
    same = cat.names(query) == list(library_chain().config["models"])
    return {"models": n, "lib_load_ms": lib_load, "our_load_ms": our_load, "our_reload_ms": our_reload,
            "lib_filter_ms": lib_filter, "our_filter_ms": our_filter, "search_ms": search, "same_answer": same}


@contextmanager
def _served(folder: Path):
    """The folder over HTTP on a free loopback port (a URL registry, as the team serves one)."""
    handler = functools.partial(type("Quiet", (SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}),
                                directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def goal_loads(folder: Path, n: int, repeat: int) -> dict:
    """The load-speed goals at ``n`` models: file and URL, first load and reload, and the library's load."""
    from degirum_tools import ModelRegistry

    path = folder / f"goal{n}.yaml"
    path.write_text(yaml.safe_dump(generate(n), sort_keys=False))
    wall, cpu = time.perf_counter(), time.process_time()
    ModelRegistry(config_file=str(path))  # once: it takes seconds
    lib, lib_cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    file_first, file_reload = load_times(str(path), repeat)
    cpu_first, cpu_reload = load_times(str(path), repeat, time.process_time)
    with _served(folder) as url:
        url_first, url_reload = load_times(f"{url}/{path.name}", repeat)
    return {"models": n, "lib": lib, "file_first": file_first, "file_reload": file_reload,
            "url_first": url_first, "url_reload": url_reload, "bytes": path.stat().st_size,
            "lib_cpu": lib_cpu, "cpu_first": cpu_first, "cpu_reload": cpu_reload}


GOAL_MODELS, FIRST_GOAL_MS, RELOAD_GOAL_MS = 10_000, 2000.0, 200.0


def run(sizes: list[int], repeat: int) -> list[dict]:
    """Every size, then the load goals at 10,000 models (also in --quick), in a private cache dir."""
    rows = []
    saved = os.environ.get("XDG_CACHE_HOME")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        try:
            for n in sizes:
                path = Path(tmp) / f"r{n}.yaml"
                path.write_text(yaml.safe_dump(generate(n), sort_keys=False))
                rows.append(measure(path, n, repeat))
            rows.append({"goal": goal_loads(Path(tmp), GOAL_MODELS, max(3, min(repeat, 5)))})
        finally:
            if saved is None:
                os.environ.pop("XDG_CACHE_HOME", None)
            else:
                os.environ["XDG_CACHE_HOME"] = saved
    return rows


def goal_report(g: dict) -> list[str]:
    def verdict(ms: float, goal: float) -> str:
        return "met" if ms <= goal else f"MISSED by {ms - goal:.0f} ms"

    return ["", f"Load goals at {g['models']:,} models ({g['bytes'] / 1e6:.1f} MB; open_catalogue = read, parse, "
            "validate, index; median ms):", "",
            "| source | library load | ours first load | ours reload (unchanged, parsed cache) |",
            "|---|---:|---:|---:|",
            f"| file | {g['lib']:.0f} | {g['file_first']:.0f} | {g['file_reload']:.0f} |",
            f"| URL (loopback) | - | {g['url_first']:.0f} | {g['url_reload']:.0f} |",
            f"| file, CPU time | {g['lib_cpu']:.0f} | {g['cpu_first']:.0f} | {g['cpu_reload']:.0f} |", "",
            f"First load <= {FIRST_GOAL_MS:.0f} ms: file {verdict(g['file_first'], FIRST_GOAL_MS)}, URL "
            f"{verdict(g['url_first'], FIRST_GOAL_MS)}; first load {g['lib'] / g['file_first']:.1f}x faster than "
            f"the library. Reload <= {RELOAD_GOAL_MS:.0f} ms: file {verdict(g['file_reload'], RELOAD_GOAL_MS)}, "
            f"URL {verdict(g['url_reload'], RELOAD_GOAL_MS)}. In CPU time (what the load costs, whatever else "
            f"runs): first load {verdict(g['cpu_first'], FIRST_GOAL_MS)}, "
            f"reload {verdict(g['cpu_reload'], RELOAD_GOAL_MS)}."]


def report(rows: list[dict]) -> str:
    goals = [r["goal"] for r in rows if "goal" in r]
    rows = [r for r in rows if "goal" not in r]
    lines = ["Registry: load + validate + index, and one filter change (median ms)", "",
             "| models | library load | ours first load | ours reload | library 3 filters | ours rows+facets | ratio "
             "| search | same answer |", "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"]
    for r in rows:
        ratio = r["lib_filter_ms"] / r["our_filter_ms"] if r["our_filter_ms"] else float("inf")
        lines.append(f"| {r['models']:,} | {r['lib_load_ms']:.1f} | {r['our_load_ms']:.1f} | {r['our_reload_ms']:.1f} "
                     f"| {r['lib_filter_ms']:.2f} "
                     f"| {r['our_filter_ms']:.2f} | {ratio:.0f}x | {r['search_ms']:.2f} | "
                     f"{'yes' if r['same_answer'] else 'NO'} |")
    if not rows:
        return "\n".join(lines + [line for g in goals for line in goal_report(g)])
    big = rows[-1]
    goal_ms = big["our_filter_ms"] < 16
    goal_ratio = big["lib_filter_ms"] / big["our_filter_ms"] >= 10
    lines += ["", f"Goal at {big['models']:,} models: one filter change < 16 ms: "
              f"{'met' if goal_ms else 'MISSED by %.1f ms' % (big['our_filter_ms'] - 16)}; "
              f">= 10x faster than the library: {'met' if goal_ratio else 'MISSED'}"]
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        growth = b["models"] / a["models"]
        lib_growth = b["lib_filter_ms"] / a["lib_filter_ms"]
        our_growth = b["our_filter_ms"] / a["our_filter_ms"]
        lines.append(f"Growth from {a['models']:,} to {b['models']:,} models ({growth:.0f}x): library filter "
                     f"{lib_growth:.0f}x, ours {our_growth:.0f}x, our load {b['our_load_ms'] / a['our_load_ms']:.0f}x")
    for g in goals:
        lines += goal_report(g)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(report(run(args.sizes, args.repeat)))


if __name__ == "__main__":
    main()
