"""The FileController on its own: registry loads speak through signals, a bad one changes nothing."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def test_a_failed_load_keeps_the_open_catalogue_and_says_one_line(qtbot, settings, demo_registry, tmp_path):
    from model_picker.session.state import Session
    from model_picker.ui.shell.file_actions import FileController

    parent, label, session = QWidget(), QLabel(), Session()
    qtbot.addWidget(parent)
    files = FileController(session, settings, label, lambda: (None, "no selection"), parent)
    loaded, failed = [], []
    files.loaded.connect(lambda catalogue, shown: loaded.append((catalogue, shown)))
    files.failed.connect(lambda message, source: failed.append(message))

    files.load_registry(str(demo_registry))
    qtbot.waitUntil(lambda: bool(loaded), timeout=20000)
    good = session.base
    assert loaded == [(good, str(demo_registry))] and len(good) == 14
    assert label.text() == f"Registry: {demo_registry}  ·  14 models"
    assert settings.value("registry") == str(demo_registry)

    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  m:\n    task: [not, a, string]\n    hardware: [TFLITE/CPU]\n    zoo_url: z\n")
    with qtbot.waitSignal(files.error, timeout=10000) as said:
        files.load_registry(str(bad))
    assert said.args[0].startswith(f"{bad}:3:5: models.m.task: must be a text value") and "\n" not in said.args[0]
    assert failed == said.args and len(loaded) == 1  # the window hears of it once, and no new catalogue
    assert session.base is good and files.source == str(demo_registry)  # Reload still reopens the good one
    assert label.text() == f"Registry: {demo_registry}  ·  14 models"
    box = parent.findChild(QMessageBox, "message")
    assert box is not None and box.text().endswith(f"Still showing {demo_registry}.")
    assert settings.value("recent") in ([str(demo_registry)], str(demo_registry))  # the bad file is not remembered


def test_only_one_local_registry_file_is_a_drop(qtbot, settings):
    from model_picker.session.state import Session
    from model_picker.ui.shell.file_actions import FileController

    parent = QWidget()
    qtbot.addWidget(parent)
    files = FileController(Session(), settings, QLabel(), lambda: (None, ""), parent)
    for urls in ([QUrl.fromLocalFile("/tmp/a.png")], [QUrl("https://example.com/r.yaml")],
                 [QUrl.fromLocalFile("/tmp/a.yaml"), QUrl.fromLocalFile("/tmp/b.yaml")]):
        mime = QMimeData()
        mime.setUrls(urls)
        assert not files.drop(mime) and files.loader is None
