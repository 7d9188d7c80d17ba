"""Measure every model of a registry on this machine and write the figures into its metadata.

    .venv/bin/python resources/scripts/measure_registry.py [registries/demo.yaml] [--frames 200]

``fps_cpu``: throughput of a validation run (the app's pipeline, frames decoded
up front, one device); ``latency_ms_cpu``: median of single ``model(frame)``
calls. The file is edited in place, line by line, so comments and order stay.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from model_picker.zoo.runtime import agents as runtimes  # noqa: E402

runtimes.prepare_process([sys.executable, *sys.argv])


def measure(registry: Path, frames: int) -> dict[str, tuple[float, float]]:
    from model_picker.inference.engine.loading import load_model
    from model_picker.inference.media.sources import SourceSpec
    from model_picker.inference.validation.measure import decode, validate
    from model_picker.registry import open_catalogue

    catalogue = open_catalogue(registry)
    source = SourceSpec("video", str(ROOT / "resources" / "media" / "Traffic.mp4"))
    images = decode(source)
    figures = {}
    for index, entry in enumerate(catalogue.entries):
        spec = catalogue.spec(index)
        result = validate(spec, source, frames=frames, warmup=10, images=images)
        with load_model(spec) as model:
            for image in images[:3]:
                model(image)
            calls = []
            for image in images[:20]:
                start = time.perf_counter()
                model(image)
                calls.append((time.perf_counter() - start) * 1000)
        figures[entry.name] = (round(result.fps, 1), round(statistics.median(calls), 1))
        print(f"{entry.name:<40} {figures[entry.name][0]:8.1f} FPS {figures[entry.name][1]:7.1f} ms", flush=True)
    return figures


def rewrite(registry: Path, figures: dict[str, tuple[float, float]]) -> None:
    lines, model = registry.read_text().splitlines(keepends=True), None
    for i, line in enumerate(lines):
        match = re.match(r"^  ([A-Za-z0-9_-]+):\s*$", line)
        if match:
            model = match.group(1)
        for key, position in (("fps_cpu", 0), ("latency_ms_cpu", 1)):
            found = re.match(rf"^(\s+){key}:\s*\S+", line)
            if found and model in figures:
                lines[i] = f"{found.group(1)}{key}: {figures[model][position]}\n"
    registry.write_text("".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registry", nargs="?", type=Path, default=ROOT / "registries" / "demo.yaml")
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args()
    rewrite(args.registry, measure(args.registry, args.frames))


if __name__ == "__main__":
    main()
