"""Make PySDK's ONNX and OpenVINO agents usable, and explain when they are not.

PySDK 1.5.0 ships agents for ONNX Runtime and OpenVINO but not the runtimes:
- the ONNX agent binds symbols of exactly onnxruntime 1.20.1, whose PyPI wheel
  has the library; loading it globally before the first ``dg.connect`` is enough;
- the OpenVINO agent wants ``libopenvino.so.2530``; the 2026.0.0 wheel works
  under that name through a link, but the dynamic loader only searches
  ``LD_LIBRARY_PATH`` as it was when the process started, hence one re-exec;
- Python postprocessors run in a worker started with the first ``python3`` on
  PATH, which must be this environment's, or the worker lacks numpy/cv2.

Everything here runs before PySDK is imported and never raises: a runtime that
cannot be enabled is reported by ``runtime_report`` (``model-picker doctor``).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from model_picker.paths import cache_dir

ONNXRUNTIME_VERSION = "1.20.1"
OPENVINO_VERSION = "2026.0.0"
OPENVINO_SONAME_WANTED = "libopenvino.so.2530"
OPENVINO_SONAME_SHIPPED = "libopenvino.so.2600"
REEXEC_MARK = "MODEL_PICKER_RUNTIMES"

# What failed while enabling a runtime, for the doctor report (runtime -> reason).
_problems: dict[str, str] = {}


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def onnxruntime_library() -> Path | None:
    """The onnxruntime 1.20.1 shared library from its wheel, if installed."""
    pkg = _package_dir("onnxruntime")
    lib = pkg / "capi" / f"libonnxruntime.so.{ONNXRUNTIME_VERSION}" if pkg else None
    return lib if lib and lib.exists() else None


def openvino_libs_dir() -> Path | None:
    """The folder holding ``libopenvino.so.2530`` (a link made here if needed)."""
    pkg = _package_dir("openvino")
    libs = pkg / "libs" if pkg else None
    if not libs or not (libs / OPENVINO_SONAME_SHIPPED).exists():
        return None
    wanted = libs / OPENVINO_SONAME_WANTED
    if wanted.exists():
        return libs
    try:
        wanted.symlink_to(OPENVINO_SONAME_SHIPPED)
        return libs
    except OSError:
        pass
    # Read-only site-packages: mirror the folder as links in a user cache.
    mirror = cache_dir() / "openvino-libs"
    try:
        mirror.mkdir(parents=True, exist_ok=True)
        for item in libs.iterdir():
            link = mirror / item.name
            if not link.exists():
                link.symlink_to(item)
        if not (mirror / OPENVINO_SONAME_WANTED).exists():
            (mirror / OPENVINO_SONAME_WANTED).symlink_to(libs / OPENVINO_SONAME_SHIPPED)
        return mirror
    except OSError as exc:
        _problems["OPENVINO"] = f"cannot create the {OPENVINO_SONAME_WANTED} link ({exc})"
        return None


def _put_env_bin_first() -> None:
    bin_dir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[:1] != [bin_dir]:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *[p for p in parts if p != bin_dir]])


def _load_onnxruntime() -> None:
    lib = onnxruntime_library()
    if lib is None:
        _problems["ONNX"] = f"onnxruntime=={ONNXRUNTIME_VERSION} is not installed"
        return
    try:
        ctypes.CDLL(str(lib), mode=ctypes.RTLD_GLOBAL)
    except OSError as exc:
        _problems["ONNX"] = f"cannot load {lib.name}: {exc}"


def reexec_argv_needed() -> bool:
    """True when OpenVINO's folder is missing from LD_LIBRARY_PATH and a re-exec would fix it."""
    if os.environ.get(REEXEC_MARK):
        return False
    libs = openvino_libs_dir()
    if libs is None:
        _problems.setdefault("OPENVINO", f"openvino=={OPENVINO_VERSION} is not installed")
        return False
    return str(libs) not in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep)


def prepare_process(reexec_argv: list[str] | None) -> None:
    """Enable every runtime for this process; call first, before PySDK is imported.

    With ``reexec_argv`` the process replaces itself once with that command line
    when OpenVINO needs ``LD_LIBRARY_PATH``; with ``None`` it never re-execs
    (OpenVINO is then reported as needing a restart).
    """
    _put_env_bin_first()
    if reexec_argv_needed():
        if reexec_argv is not None:
            libs = str(openvino_libs_dir())
            old = os.environ.get("LD_LIBRARY_PATH", "")
            os.environ["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (libs, old) if p)
            os.environ[REEXEC_MARK] = "1"
            sys.stdout.flush()
            sys.stderr.flush()
            os.execv(reexec_argv[0], reexec_argv)
        _problems["OPENVINO"] = "the process was started without the OpenVINO library folder on LD_LIBRARY_PATH"
    _load_onnxruntime()


def _onnxruntime_link_dir() -> Path | None:
    """A folder with ``libonnxruntime.so.1`` -> the 1.20.1 library, for child processes."""
    lib = onnxruntime_library()
    if lib is None:
        return None
    folder = cache_dir() / "onnxruntime"
    link = folder / "libonnxruntime.so.1"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if link.resolve() != lib.resolve():  # missing, dangling (a removed venv) or another install's library
            spare = folder / f".{link.name}.{os.getpid()}"
            spare.unlink(missing_ok=True)
            spare.symlink_to(lib)
            spare.replace(link)  # atomic: a process starting now sees the old link or the new one
        return folder
    except OSError:
        return None


def runtime_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a child process (an AI server, a postprocessor) with every runtime enabled.

    A child cannot inherit a library loaded with ctypes, so ONNX comes through a
    ``libonnxruntime.so.1`` link on LD_LIBRARY_PATH, beside OpenVINO's folder.
    """
    env = dict(os.environ if base is None else base)
    folders = [str(p) for p in (openvino_libs_dir(), _onnxruntime_link_dir()) if p is not None]
    old = [p for p in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p and p not in folders]
    env["LD_LIBRARY_PATH"] = os.pathsep.join(folders + old)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, *[p for p in env.get("PATH", "").split(os.pathsep) if p != bin_dir]])
    env[REEXEC_MARK] = "1"
    return env


@dataclass
class RuntimeStatus:
    """One runtime as the doctor reports it."""

    runtime: str
    device_types: list[str] = field(default_factory=list)
    problem: str = ""
    fix: str = ""


_FIXES = {
    "ONNX": f"pip install onnxruntime=={ONNXRUNTIME_VERSION} (PySDK's agent binds exactly that version)",
    "OPENVINO": f"pip install openvino=={OPENVINO_VERSION}, then start the app with model-picker "
                "(it sets LD_LIBRARY_PATH)",
}


def runtime_report(device_types: list[str]) -> list[RuntimeStatus]:
    """Group the host's device types by runtime and explain the missing ones."""
    found: dict[str, list[str]] = {}
    for dt in sorted(device_types):
        runtime = dt.split("/", 1)[0]
        if runtime != "DUMMY":
            found.setdefault(runtime, []).append(dt)
    report = [RuntimeStatus(rt, dts) for rt, dts in sorted(found.items())]
    for runtime in ("ONNX", "OPENVINO"):
        if runtime not in found:
            problem = _problems.get(runtime, "PySDK did not list this runtime")
            report.append(RuntimeStatus(runtime, [], problem, _FIXES[runtime]))
    return report
