"""``model-picker doctor``: what this machine can run, and how to fix what it cannot."""

from __future__ import annotations

import argparse
import shutil
import sys
from importlib import metadata
from pathlib import Path

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.engine.loading import host_device_types
from model_picker.zoo.bundled import demo_registry, zoo_dir
from model_picker.zoo.runtime import agents, n2x
from model_picker.zoo.validate import check_zoo


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def cmd_doctor(args: argparse.Namespace) -> int:
    ok = True
    print("Software")
    for dist in ("model-picker", "degirum", "degirum-tools", "PySide6", "onnxruntime", "openvino", "opencv-python"):
        print(f"  {dist:<14} {_version(dist)}")
    print(f"  {'python':<14} {sys.version.split()[0]} ({sys.executable})")

    print("\nLocal inference runtimes (@local)")
    try:
        types = host_device_types("@local")
    except InferenceError as exc:
        print(f"  PySDK cannot list devices: {exc}")
        return 1
    for status in agents.runtime_report(types):
        if status.device_types:
            print(f"  OK       {status.runtime:<9} {', '.join(status.device_types)}")
        else:
            ok = False
            print(f"  MISSING  {status.runtime:<9} {status.problem}\n           fix: {status.fix}")

    _orca_section(types)

    python3 = shutil.which("python3")
    expected = Path(sys.executable).parent / "python3"
    if python3 and Path(python3).resolve() != expected.resolve():
        ok = False
        print(f"\n  WARNING  python3 on PATH is {python3}: Python postprocessors will run there, "
              f"not in this environment ({expected})")

    print(f"\nBundled zoo ({zoo_dir()})")
    problems = check_zoo(zoo_dir())
    bad = {name: found for name, found in problems.items() if found}
    print(f"  {len(problems) - len(bad)} of {len(problems)} models pass (JSON, files, checksum)")
    for found in bad.values():
        ok = False
        for problem in found:
            print(f"  PROBLEM  {problem}")
    print(f"\nDefault registry: {demo_registry()}")
    print("\nAll good." if ok else "\nSome checks failed (see above).")
    return 0 if ok else 1


def _orca_section(types: list[str]) -> None:
    """ORCA devices and the N2X runtime: informative only (a machine without ORCA is not a failure)."""
    print("\nORCA accelerators and the N2X runtime")
    n2x_types = [t for t in types if t.startswith("N2X/")]
    if n2x_types:
        print(f"  N2X runtime  OK: {', '.join(n2x_types)}"
              + (f" ({n2x.EMULATOR} is the ORCA runtime emulated on the CPU)" if n2x.EMULATOR in n2x_types else ""))
    else:
        print("  N2X runtime  MISSING: PySDK lists no N2X device type (reinstall degirum: it ships the N2X agent)")
    orca = n2x.orca_devices(types)
    driver = "loaded" if n2x.driver_loaded() else f"not loaded ({n2x.DRIVER_DIR} absent)"
    if orca:
        print(f"  ORCA devices {', '.join(orca)} (driver {driver})")
    else:
        print(f"  ORCA devices none: no {' or '.join(n2x.ORCA_TYPES)} among this host's devices; ORCA driver {driver}")
        print(f"               to use an ORCA card: {n2x.ORCA_HELP}")
    entries = n2x.cache_entries()
    size = sum(p.stat().st_size for p in entries)
    print(f"  N2X compile cache  {n2x.cache_dir()}: {len(entries)} compiled model(s), {size / 1e6:.1f} MB"
          f" (`{n2x.CLEAR_COMMAND}` clears it; a damaged entry makes loads fail with \"{n2x.CACHE_ERROR}\")")


def clear_n2x() -> int:
    """``model-picker cache clear-n2x``: delete N2X's compiled models; the next load recompiles."""
    count, size = n2x.clear_cache()
    print(f"removed {count} compiled model(s), {size / 1e6:.1f} MB, from {n2x.cache_dir()}")
    return 0
