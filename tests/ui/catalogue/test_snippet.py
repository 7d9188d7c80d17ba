"""The Python tab's snippet runs as shown, from a plain shell, with the venv's python (issue 9.9)."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import Qt

from tests.ui.conftest import click_row, visible_names


def snippet_of(window, qtbot, name: str) -> str:
    click_row(qtbot, window.table, visible_names(window).index(name))
    tabs = window.details.tabs
    python_tab = [tabs.tabText(i) for i in range(tabs.count())].index("Python")
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(python_tab).center())
    assert tabs.currentIndex() == python_tab
    return window.details.python_box.toPlainText()


def test_the_python_snippet_runs_as_shown_from_a_plain_shell(window, qtbot, tmp_path):
    # COCO SSD has a Python postprocessor (PySDK's worker needs this venv's python3 first on PATH);
    # DeepLab ONNX needs the ONNX runtime library the app prepares.
    runs = {}
    for name, expect in (("ssd_mobilenet_v2_coco_quant", "person"), ("deeplabv3_mnv2_pascal_onnx", "person")):
        text = snippet_of(window, qtbot, name)
        assert "path/to" not in text
        script = tmp_path / f"{name}.py"
        script.write_text(text)
        env = {"HOME": os.environ["HOME"], "PATH": "/usr/bin:/bin"}  # what a plain shell has
        runs[name] = (expect, subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env, text=True,
                                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    for name, (expect, process) in runs.items():
        try:
            output, _ = process.communicate(timeout=240)
        finally:
            process.kill()
        assert process.returncode == 0, f"{name}: {output[-2000:]}"
        assert expect in output, f"{name}: {output[-2000:]}"
