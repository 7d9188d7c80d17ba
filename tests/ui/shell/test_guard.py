"""A Python exception in a Qt virtual must never take the window down."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
import textwrap

import model_picker.ui
from model_picker.ui.shell.guard import GUARDED

# A proxy in miniature whose filter indexes a list shorter than the new rows (a reset with more rows).
SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QSortFilterProxyModel, QStringListModel
    from PySide6.QtWidgets import QApplication, QListView
    from model_picker.ui.shell.guard import qt_virtual

    guard = qt_virtual(True) if sys.argv[1] == "guarded" else (lambda function: function)

    class Proxy(QSortFilterProxyModel):
        @guard
        def filterAcceptsRow(self, row, parent):
            return [True, True][row]  # IndexError from row 2 on

    app = QApplication([])
    source = QStringListModel(["a", "b"])
    proxy = Proxy()
    proxy.setSourceModel(source)
    view = QListView()
    view.setModel(proxy)
    view.show()
    app.processEvents()
    source.setStringList(list("abcdefghijklm"))  # a reset with more rows, as File > Open does
    app.processEvents()
    print("alive", proxy.rowCount(), flush=True)
""")


def run_script(tmp_path, mode: str) -> subprocess.CompletedProcess:
    script = tmp_path / "raising_virtual.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True, env=env,
                          timeout=120)


def test_a_raising_virtual_no_longer_kills_the_process(tmp_path):
    guarded = run_script(tmp_path, "guarded")
    assert guarded.returncode == 0, guarded.stderr
    assert "alive 13" in guarded.stdout  # rows it could not judge are shown, not lost
    # One line for the Log, the traceback for the terminal, each once (not once per row).
    assert guarded.stderr.count("internal error in Proxy.filterAcceptsRow: IndexError") == 1
    assert guarded.stderr.count("Traceback") == 1
    bare = run_script(tmp_path, "bare")  # the same without the guard: the process dies
    assert bare.returncode != 0 and "alive" not in bare.stdout


def qt_virtual_overrides() -> list[str]:
    """Methods of app/ui classes that override a method of a PySide6 base class."""
    found = []
    for info in pkgutil.walk_packages(model_picker.ui.__path__, "model_picker.ui."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            qt_bases = [b for b in cls.__mro__ if b.__module__.startswith("PySide6")]
            if not qt_bases:
                continue
            for name, member in vars(cls).items():
                if inspect.isfunction(member) and not name.startswith("__") and any(
                        hasattr(base, name) for base in qt_bases):
                    found.append(f"{cls.__name__}.{name}" + ("" if getattr(member, GUARDED, False) else " UNGUARDED"))
    return found


def test_every_qt_virtual_in_app_ui_is_guarded():
    overrides = qt_virtual_overrides()
    assert "CatalogueProxy.filterAcceptsRow" in overrides and "VideoView.paintEvent" in overrides
    assert "Worker.run" in overrides  # the workers' base: their work() runs under it
    assert [o for o in overrides if o.endswith("UNGUARDED")] == []
