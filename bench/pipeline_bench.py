"""Pipeline throughput: the app's engine as the window runs it vs raw predict_batch vs predict_stream.

Same model, same device choice, same pre-decoded frames (cycled), measured in
one process, alternating the three ways for several rounds; the median of the
rounds counts. The app's engine is the window's own InferenceWorker painting
into a real VideoView (offscreen): overlays drawn and frames converted for every
frame the view can paint, every result measured.
"""

from __future__ import annotations

import statistics
import time

import cv2

from .common import frames, goal, qt_app, spec

MODELS = ["ssd_mobilenet_v2_coco_quant", "blazeface_short_range_openvino"]


class MemoryCapture:
    """A cv2.VideoCapture look-alike over decoded frames, for predict_stream."""

    def __init__(self, images: list, count: int) -> None:
        self.images, self.count, self.index = images, count, 0

    def isOpened(self) -> bool:
        return True

    def read(self):
        if self.index >= self.count:
            return False, None
        image = self.images[self.index % len(self.images)]
        self.index += 1
        return True, image

    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_FRAME_COUNT:
            return float(self.count)
        if prop == cv2.CAP_PROP_FPS:
            return 30.0
        return float({cv2.CAP_PROP_FRAME_WIDTH: self.images[0].shape[1],
                      cv2.CAP_PROP_FRAME_HEIGHT: self.images[0].shape[0]}.get(prop, 0))

    def release(self) -> None:
        pass


def _fps(done: list[float], warmup: int) -> float:
    from model_picker.inference.stats import throughput

    return throughput(done, warmup)


def raw(model_spec, images: list, count: int, warmup: int) -> float:
    from model_picker.inference.loading import load_model

    with load_model(model_spec) as model:
        done = []
        for _ in model.predict_batch(images[i % len(images)] for i in range(count)):
            done.append(time.perf_counter())
    return _fps(done, warmup)


def stream(model_spec, images: list, count: int, warmup: int) -> float:
    import degirum_tools

    from model_picker.inference.loading import load_model

    with load_model(model_spec) as model:
        done = []
        for _ in degirum_tools.predict_stream(model, MemoryCapture(images, count)):
            done.append(time.perf_counter())
    return _fps(done, warmup)


def app_engine(model_spec, images: list, count: int, warmup: int) -> tuple[float, int]:
    """(FPS, frames painted) through InferenceWorker -> VideoView, exactly the window's path."""
    from PySide6.QtCore import QEventLoop

    from model_picker.inference.sources import SourceSpec
    from model_picker.inference.validation import MemoryReader
    from model_picker.ui.video_view import VideoView
    from model_picker.ui.workers import InferenceWorker, RunRequest

    app = qt_app()
    view = VideoView()
    view.resize(960, 540)
    view.show()
    source = SourceSpec("video", "memory")
    worker = InferenceWorker(RunRequest(spec=model_spec, source=source,
                                        reader=MemoryReader(source, images, count)))
    worker.display_size = view.display_size()
    worker.frame_ready.connect(lambda image, shapes, _t, _i: view.show_frame(image, shapes))
    view.frame_shown.connect(lambda _t: worker.frame_painted())
    loop = QEventLoop()
    worker.finished.connect(loop.quit)
    worker.start()
    loop.exec()  # idle between events, as the window is: no polling on the GUI thread
    app.processEvents()
    fps = _fps(worker.pipeline.stats.done_times, warmup) if worker.pipeline else 0.0
    painted = view.painted_frames
    view.close()
    return fps, painted


def run(rounds: int = 3, count: int = 2000, warmup: int = 50) -> str:
    images = frames(100)
    lines = ["Pipeline throughput (FPS, median of rounds; same frames, model and device)", ""]
    for name in MODELS:
        model_spec = spec(name)
        results: dict[str, list[float]] = {"app": [], "raw": [], "stream": []}
        painted = 0
        n = count if "openvino" in name else max(80, count // 20)  # about 10 s each way
        for _ in range(rounds):
            fps, painted = app_engine(model_spec, images, n, warmup)
            results["app"].append(fps)
            results["raw"].append(raw(model_spec, images, n, warmup))
            results["stream"].append(stream(model_spec, images, n, warmup))
        app, base, ps = (statistics.median(results[k]) for k in ("app", "raw", "stream"))
        lines += [f"{name} ({n} frames, {rounds} rounds)",
                  f"  app engine (overlays + display) {app:8.1f} FPS   ({painted} frames painted in the last round)",
                  f"  raw predict_batch               {base:8.1f} FPS",
                  f"  degirum_tools.predict_stream    {ps:8.1f} FPS",
                  f"  app / raw = {app / base:.2f}   app / predict_stream = {app / ps:.2f}",
                  goal(app / base >= 0.95, "app >= 0.95 x raw", f"{app / base:.2f}"),
                  goal(app / ps >= 1.0, "app >= 1.0 x predict_stream", f"{app / ps:.2f}"), ""]
    return "\n".join(lines)
