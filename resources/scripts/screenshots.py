"""Start the real app on a virtual X screen and save the README screenshots.

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python resources/scripts/screenshots.py

(Debian: apt-get install xvfb.) The window runs on the xcb platform like on a
desktop, and the pictures are grabbed from the X server, so they show what a
user sees: resources/screenshots/catalogue.png and live.png.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

from model_picker.zoo.runtime import agents as runtimes  # noqa: E402

runtimes.prepare_process([sys.executable, *sys.argv])

from PySide6.QtCore import QSettings, QTimer  # noqa: E402

from model_picker.ui.shell.app import make_application  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "screenshots")
    parser.add_argument("--model", default="ssd_mobilenet_v2_coco_quant")
    parser.add_argument("--source", default=str(ROOT / "resources" / "media" / "vtest.avi"))
    parser.add_argument("--task", default="", help="tick this task in the filters for the catalogue picture")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long the model runs before the picture")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    from model_picker.ui.shell.main_window import MainWindow

    workdir = tempfile.TemporaryDirectory()
    settings = QSettings(str(Path(workdir.name) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(None, settings)
    window.setGeometry(0, 0, 1440, 900)
    window.show()

    def grab(name: str) -> None:
        app.processEvents()
        app.primaryScreen().grabWindow(0).save(str(args.out / name))
        print(f"saved {args.out / name}")

    def catalogue() -> None:
        if args.task:
            window.facets.tick("task", args.task)
        window.table.select_entry(window.session.catalogue.index_of(args.model))
        QTimer.singleShot(800, lambda: (grab("catalogue.png"), live()))

    def live() -> None:
        window.live.sources.add_path_source(args.source)
        window.runs.run()
        QTimer.singleShot(int(args.seconds * 1000), lambda: (grab("live.png"), finish()))

    def finish() -> None:
        window.runs.stop_run()
        app.quit()

    QTimer.singleShot(2500, catalogue)
    app.exec()


if __name__ == "__main__":
    main()
