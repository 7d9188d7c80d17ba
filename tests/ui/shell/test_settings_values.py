"""A settings value of the wrong type falls back to its default with a warning; the window always starts.

Each case writes one bad value (``geometry=garbage``, an overlay ``classes: 5``, ``line_width: "x"``,
``show_labels: "yes"``, a source ``location: 5``…) into a settings file and starts the real window on the
offscreen platform.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from model_picker.inference.media.overlay import OverlayOptions


def _ini(value: str) -> str:
    """A JSON text as an INI value (quoted, with its quotes and backslashes escaped, as QSettings writes it)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


CASES = {  # name: (INI line, the key the warning names)
    "geometry garbage": ("geometry=garbage", "geometry"),
    "window state garbage": ("window_state=garbage", "window_state"),
    "overlay classes 5": (f"overlay={_ini(json.dumps({'classes': 5}))}", "overlay.classes"),
    "overlay line_width x": (f"overlay={_ini(json.dumps({'line_width': 'x'}))}", "overlay.line_width"),
    "overlay show_labels yes": (f"overlay={_ini(json.dumps({'show_labels': 'yes'}))}", "overlay.show_labels"),
    "overlay line_width huge": (f"overlay={_ini(json.dumps({'line_width': 10**30}))}", "overlay.line_width"),
    "overlay alpha NaN": (f"overlay={_ini(json.dumps({'alpha': float('nan')}))}", "overlay.alpha"),
    "overlay font_scale infinite": (f"overlay={_ini(json.dumps({'font_scale': float('inf')}))}", "overlay.font_scale"),
    "overlay nested deep": (f"overlay={_ini('[' * 100_000)}", "overlay"),
    "overlay not JSON": ("overlay={not json", "overlay"),
    "overlay a list": (f"overlay={_ini('[1, 2]')}", "overlay"),
    "source location 5": (f"source={_ini(json.dumps({'kind': 'video', 'location': 5}))}", "source.location"),
    "source location NUL": (f"source={_ini(json.dumps({'kind': 'image', 'location': 'a' + chr(0) + 'b'}))}",
                            "source.location"),
    "source kind list": (f"source={_ini(json.dumps({'kind': ['video'], 'location': '/x'}))}", "source.kind"),
    "defaults threshold x": (f"defaults={_ini(json.dumps({'threshold': 'x'}))}", "defaults.threshold"),
    "defaults properties 5": (f"defaults={_ini(json.dumps({'properties': 5}))}", "defaults.properties"),
    "defaults host 5": (f"defaults={_ini(json.dumps({'host': 5}))}", "defaults.host"),
    "registry a list": ("registry=a, b", "registry"),
}


def start(qtbot, path: Path, demo_registry: Path | None):
    from model_picker.ui.shell.main_window import MainWindow

    win = MainWindow(str(demo_registry) if demo_registry else None, QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.session.catalogue is not None, timeout=20000)
    return win


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_settings_value_falls_back_to_its_default_with_a_warning(qtbot, tmp_path, demo_registry, case):
    line, key = CASES[case]
    path = tmp_path / "Model Picker.conf"
    path.write_text(f"[General]\n{line}\n")
    win = start(qtbot, path, None if key == "registry" else demo_registry)
    assert win.isVisible() and win.session.catalogue.names()  # it came up, with the demo registry
    defaults, options = OverlayOptions(), win.live.overlay.options()
    assert options.line_width == defaults.line_width and options.show_labels is defaults.show_labels
    assert options.classes == () and options.alpha == defaults.alpha and options.font_scale == defaults.font_scale
    assert win.settings_bar.host_text() == "@local" and win.settings_bar.threshold.value() == 0
    warned = [ln for ln in win.log_panel.toPlainText().splitlines() if "warning:" in ln and str(path) in ln]
    assert len(warned) == 1 and f": {key} is " in warned[0] and "using the default" in warned[0], warned
    win.close()


def test_stored_counting_lines_of_the_wrong_type_start_empty(qtbot, tmp_path, demo_registry):
    path = tmp_path / "Model Picker.conf"
    path.write_text("[General]\n")
    win = start(qtbot, path, demo_registry)
    key = win.counting.source_key
    win.close()
    for value, words in ((json.dumps({"lines": 5, "track": "yes"}), "cannot be used"), ("[" * 100_000, "not a JSON")):
        group, name = key.split("/")
        path.write_text(f"[{group}]\n{name}={_ini(value)}\n")
        win = start(qtbot, path, demo_registry)
        assert win.counting.source_key == key and not win.counting.setup.active
        warned = [ln for ln in win.log_panel.toPlainText().splitlines() if key in ln]
        assert len(warned) == 1 and words in warned[0], warned
        win.close()


def test_good_values_still_come_back(qtbot, tmp_path, demo_registry):
    path = tmp_path / "Model Picker.conf"
    path.write_text("[General]\n")
    win = start(qtbot, path, demo_registry)
    win.live.overlay.line_width.setValue(7)
    win.live.overlay.show_labels.setChecked(False)
    win.save_settings()
    win.close()
    win = start(qtbot, path, demo_registry)
    assert win.live.overlay.options().line_width == 7 and win.live.overlay.options().show_labels is False
    assert "warning" not in win.log_panel.toPlainText()
    win.close()
