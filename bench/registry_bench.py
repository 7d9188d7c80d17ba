"""Registry speed: load + validate, and one filter change, ours against degirum_tools.

A "filter change" is what a click in the facet panel costs: for the library the
chained ``for_task(...).for_hardware(...).for_meta(...)``; for the catalogue the
same query's rows *and* the facet counts the panel redraws. Medians over
repeated runs on generated registries of growing size.

    python -m bench.registry_bench [--sizes 100 1000 10000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
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


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(path: Path, n: int, repeat: int) -> dict:
    """One registry size: load both ways, then time the same filter change."""
    from degirum_tools import ModelRegistry

    from model_picker.registry import Catalogue, Query, load_registry

    load_repeat = max(3, repeat // 5) if n >= 10000 else repeat
    lib_load = median_ms(lambda: ModelRegistry(config_file=str(path)), load_repeat)
    our_load = median_ms(lambda: Catalogue(load_registry(path)), load_repeat)
    lib = ModelRegistry(config_file=str(path))
    cat = Catalogue(load_registry(path))
    query = Query().for_task("coco_detection").for_hardware("ONNX/CPU").for_meta({"dataset": "COCO"})

    def library_chain():
        return lib.for_task("coco_detection").for_hardware("ONNX/CPU").for_meta({"dataset": "COCO"})

    lib_filter = median_ms(library_chain, repeat)
    our_filter = median_ms(lambda: (cat.select(query), cat.facets(query)), repeat)
    search = median_ms(lambda: cat.select(Query(text="model 12")), repeat)
    same = cat.names(query) == list(library_chain().config["models"])
    return {"models": n, "lib_load_ms": lib_load, "our_load_ms": our_load, "lib_filter_ms": lib_filter,
            "our_filter_ms": our_filter, "search_ms": search, "same_answer": same}


def run(sizes: list[int], repeat: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"r{n}.yaml"
            path.write_text(yaml.safe_dump(generate(n), sort_keys=False))
            rows.append(measure(path, n, repeat))
    return rows


def report(rows: list[dict]) -> str:
    lines = ["Registry: load + validate, and one filter change (median ms)", "",
             "| models | library load | ours load | library 3 filters | ours rows+facets | ratio | search | "
             "same answer |", "|---:|---:|---:|---:|---:|---:|---:|:---:|"]
    for r in rows:
        ratio = r["lib_filter_ms"] / r["our_filter_ms"] if r["our_filter_ms"] else float("inf")
        lines.append(f"| {r['models']:,} | {r['lib_load_ms']:.1f} | {r['our_load_ms']:.1f} | {r['lib_filter_ms']:.2f} "
                     f"| {r['our_filter_ms']:.2f} | {ratio:.0f}x | {r['search_ms']:.2f} | "
                     f"{'yes' if r['same_answer'] else 'NO'} |")
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
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(report(run(args.sizes, args.repeat)))


if __name__ == "__main__":
    main()
