"""A desktop without the X libraries Qt's xcb plugin needs gets the missing library and the command that installs
it, not Qt's abort (issue 19, item 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from model_picker.ui.shell.xcb import PACKAGES, missing_libraries, plugin_path


def needed(library: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True, check=True).stdout
    return {line.split("[")[1].split("]")[0] for line in out.splitlines() if "(NEEDED)" in line}


def absent_from_loader_cache() -> set[str]:
    """Independently of ldd: the X libraries the plugin and Qt's XcbQpa need that ldconfig does not know."""
    plugin = plugin_path()
    qpa = plugin.parents[2] / "lib" / "libQt6XcbQpa.so.6"
    known = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    wanted = (needed(plugin) | needed(qpa)) & set(PACKAGES)
    return {name for name in wanted if f"{name} " not in known}


def test_a_missing_library_of_a_real_plugin_is_found(tmp_path):
    copy = tmp_path / "libqxcb.so"
    data = plugin_path().read_bytes()
    assert data.count(b"libQt6XcbQpa.so.6\0") == 1
    copy.write_bytes(data.replace(b"libQt6XcbQpa.so.6\0", b"libQt6XcbQpX.so.6\0"))  # same length: a needed lib gone
    assert "libQt6XcbQpX.so.6" in missing_libraries(copy)
    assert "libQt6XcbQpX.so.6" not in missing_libraries(plugin_path())


def test_the_window_names_what_to_install_instead_of_aborting(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", DISPLAY=":93", HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "model_picker"], capture_output=True, text=True, env=env,
                         timeout=60, stdin=subprocess.DEVNULL)
    missing = absent_from_loader_cache()
    if not missing:  # a desktop that has them all: no such message (Qt then fails on the absent display)
        assert "cannot start: Qt's xcb plugin needs" not in out.stderr
        return
    assert out.returncode == 1
    assert "Could not load the Qt platform plugin" not in out.stderr
    first = out.stderr.splitlines()[0]
    assert all(name in first for name in missing), out.stderr
    debian = {PACKAGES[name][0] for name in missing}
    apt = next(line for line in out.stderr.splitlines() if "apt-get install" in line)
    assert set(apt.split("install", 1)[1].split()) == debian
