"""The X libraries Qt's xcb plugin needs, checked before Qt starts.

Without them Qt aborts with "Could not load the Qt platform plugin xcb", which names no
library and no fix. ``ldd`` on the plugin lists what the dynamic loader cannot find; each
missing library maps to the package that installs it on Debian/Ubuntu and Fedora.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package)
PACKAGES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}


def uses_xcb(environ: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    """Whether Qt will pick its xcb plugin: asked for, or the default on an X11 (not Wayland) Linux desktop."""
    if not sys.platform.startswith("linux"):
        return False
    asked = environ.get("QT_QPA_PLATFORM", "")
    if asked:
        return asked.split(":")[0].split(";")[0] == "xcb"
    return environ.get("XDG_SESSION_TYPE", "") != "wayland" or not environ.get("WAYLAND_DISPLAY")


def plugin_path() -> Path | None:
    """PySide6's xcb platform plugin, found without importing Qt."""
    spec = importlib.util.find_spec("PySide6")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.exists():
            return plugin
    return None


def missing_libraries(plugin: Path | None = None) -> list[str]:
    """Libraries the xcb plugin needs that the dynamic loader cannot find (``ldd``'s "not found")."""
    plugin = plugin or plugin_path()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    missing = [line.split("=>")[0].strip() for line in out.splitlines() if "not found" in line]
    return sorted(set(missing))


def fix_message(missing: list[str]) -> str:
    """One line saying what is missing, then the command that installs it on Debian/Ubuntu and Fedora."""
    debian = sorted({PACKAGES.get(name, (name, name))[0] for name in missing})
    fedora = sorted({PACKAGES.get(name, (name, name))[1] for name in missing})
    return (f"model-picker: the window cannot start: Qt's xcb plugin needs {', '.join(missing)}, not installed.\n"
            f"  Debian/Ubuntu: sudo apt-get install {' '.join(debian)}\n"
            f"  Fedora:        sudo dnf install {' '.join(fedora)}")


def check_platform() -> str | None:
    """The message to print instead of Qt's abort, or None when the window can start."""
    if not uses_xcb():
        return None
    missing = missing_libraries()
    return fix_message(missing) if missing else None
