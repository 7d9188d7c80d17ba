"""The benchmark suite: ``python -m bench [--quick] [--only NAME ...] [--minutes M]``.

Every figure is measured in this run, side by side, and printed with its goal;
a missed goal says by how much. Not part of the tests (timings are not asserts).
"""

from __future__ import annotations

import argparse
import time

from .common import prepare

SUITE = ["pipeline", "window", "registry", "startup", "memory", "device", "capacity", "counting", "compare",
         "hostloss"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SUITE, help="run only these parts")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller registries, 1 minute memory")
    parser.add_argument("--minutes", type=float, help="memory run length (default 3; the goal is stated per 10)")
    args = parser.parse_args()
    prepare()
    parts = args.only or SUITE
    started = time.monotonic()
    for part in parts:
        print(f"\n=== {part} " + "=" * (60 - len(part)), flush=True)
        if part == "pipeline":
            from . import pipeline_bench

            print(pipeline_bench.run(rounds=1 if args.quick else 3), flush=True)
        elif part == "window":
            from . import window_bench

            print(window_bench.run(), flush=True)
        elif part == "registry":
            from . import registry_bench

            sizes = [100, 1000] if args.quick else [100, 1000, 10000]
            print(registry_bench.report(registry_bench.run(sizes, 5 if args.quick else 15)), flush=True)
        elif part == "startup":
            from . import startup_bench

            print(startup_bench.run(), flush=True)
        elif part == "device":
            from . import device_bench

            print(device_bench.run(args.quick), flush=True)
        elif part == "capacity":
            from . import device_bench

            print(device_bench.capacity(args.quick), flush=True)
        elif part == "memory":
            from . import memory_bench

            print(memory_bench.run(args.minutes or (1.0 if args.quick else 3.0)), flush=True)
        elif part == "counting":
            from . import counting_bench

            print(counting_bench.run(rounds=1 if args.quick else 3), flush=True)
        elif part == "compare":
            from . import compare_bench

            print(compare_bench.run(100 if args.quick else 300), flush=True)
        elif part == "hostloss":
            from . import hostloss_bench

            print(hostloss_bench.run(), flush=True)
    print(f"\nSuite finished in {(time.monotonic() - started) / 60:.1f} min", flush=True)
    import os
    import sys

    sys.stdout.flush()
    os._exit(0)  # skip interpreter finalization (a native extension crashes in it after Qt)


if __name__ == "__main__":
    main()
