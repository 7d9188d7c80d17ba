"""Run one model over one source: bounded frames in flight, every result measured.

PySDK's ``predict_batch`` in non-blocking mode lets the input generator say "no
frame yet" (None) and the result generator say "no result yet" (None), so this
loop can stop, pause and single-step between frames. PySDK itself keeps
accepting frames forever when an AI server dies, and can block inside
``predict_batch`` when a postprocessor hangs, so the watchdog runs on its own
thread: it reports a stall through ``on_stall`` at once, even while the loop is
stuck, and marks the run ``stalled``. Releasing a model with a frame stuck in
it can abort the whole process inside PySDK, so the owner of a stalled run
abandons the model instead of releasing it.

The watchdog's limit (``watchdog_s``) is for a host that is there but hung. An
AI server that is gone is found sooner: once no result has come for a few
times the recent wait between results (1 to 2 s; before the first result,
counted from the start), the watchdog knocks on the server's port, and a
refused connection ends the run at once as a lost host. A port that still
accepts, or does not answer in time, leaves the run to the long limit.

Frame id, capture time and file position travel through ``result.info``. The
loop runs on whatever thread iterates ``run()`` (the CLI's main thread or a UI
worker); ``stop``, ``pause``, ``resume`` and ``step`` are safe from any thread.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from model_picker.inference.engine.errors import InferenceError, explain
from model_picker.inference.engine.stats import StreamStats
from model_picker.inference.media.sources import END, Frame, FrameFeeder, SourceError
from model_picker.zoo.runtime.ai_server import resolve, still_there

IDLE_SLEEP_S = 0.0005  # the pause between polls when there is nothing to do
LIVE_IN_FLIGHT = 1  # live sources: a new frame never waits behind an older one (latency)
FILE_IN_FLIGHT = 6  # files at full speed, at least (validation and the tuning sweep set their own)
BREAKDOWN_EVERY = 30  # results between refreshes of PySDK's time breakdown
WATCH_EVERY_S = 0.1  # the watchdog's poll
# Knocking on a server's port: after this long without a result, or PROBE_WAITS times the recent wait
# between results, whichever is longer, but never later than PROBE_LATEST_S (the report of a lost host
# must not wait for a slow model); then again every PROBE_EVERY_S while nothing comes.
PROBE_AFTER_S = 1.0
PROBE_WAITS = 3.0
PROBE_LATEST_S = 2.0
PROBE_EVERY_S = 0.5
PROBE_TIMEOUT_S = 0.5


@dataclass
class FrameResult:
    """One inference result with the frame it came from."""

    frame: Frame
    result: Any  # degirum InferenceResults
    done_time: float

    @property
    def latency_ms(self) -> float:
        """From sending the frame to having its result."""
        return (self.done_time - self.frame.sent_time) * 1000.0


class Pipeline:
    """One run of ``model`` over ``feeder``; iterate ``run()`` once."""

    def __init__(self, model: Any, feeder: FrameFeeder, *, in_flight: int | None = None, watchdog_s: float = 10.0,
                 startup_grace_s: float = 60.0, host: str = "",
                 on_stall: Callable[[InferenceError], None] | None = None, breakdown: bool = True) -> None:
        """``breakdown``: ask PySDK for its per-step times (``model.measure_time``) for the CLI and
        reports. The window does not show them, and with a fast model they cost a noticeable share of
        the inference thread's time, so it passes False."""
        self.model = model
        self.breakdown = breakdown
        self.feeder = feeder
        if in_flight is None:
            in_flight = LIVE_IN_FLIGHT if feeder.spec.live else self._queue_depth(model)
        # A crop-and-detect pair hands out a frame's result when the next frame's crops arrive:
        # with one frame in flight it would wait forever (compound.py sets this to 2).
        self.in_flight_limit = max(1, in_flight, getattr(type(model), "min_in_flight", 1))
        # PySDK signals this condition when a result arrives: waiting on it instead of
        # sleeping wakes the loop at once (a private attribute, hence the fallback).
        self._result_ready = getattr(model, "_result_ready_cv", None)
        self.watchdog_s = watchdog_s
        self.startup_grace_s = startup_grace_s
        self.host = host
        self.stats = StreamStats(paced=feeder.spec.from_file)
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._steps = 0
        self._restart = threading.Event()
        self._lock = threading.Lock()
        self._submitted = 0
        self._received = 0
        self._waiting_since: float | None = None  # when the oldest unanswered frame was sent
        self._recent_wait = 0.0  # smoothed wait from the previous result (or a send) to a result
        self._started_at: float | None = None  # when run() began
        self._ended = False
        # A file in real time: its clock starts with the first result, so the frames that go by while the
        # model makes its first inference are not counted as skipped by pacing.
        self._starting = feeder.spec.realtime and feeder.spec.from_file
        self.on_stall = on_stall
        self.failure: InferenceError | None = None  # set by the watchdog thread

    @staticmethod
    def _queue_depth(model: Any) -> int:
        """A file at full speed keeps as many frames in flight as raw ``predict_batch`` does (PySDK's queue).

        Fewer frames in flight than PySDK's own queue depth leave a fast model measurably below raw
        ``predict_batch``; ``python -m bench --only pipeline`` shows the ratio.
        """
        try:
            return max(FILE_IN_FLIGHT, int(model.frame_queue_depth))
        except Exception:
            return FILE_IN_FLIGHT

    # ----- control (any thread) --------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def pause(self) -> None:
        with self._lock:
            self._paused.set()
            self.feeder.hold(True)  # a file waits one frame ahead: nothing is skipped while paused

    def resume(self) -> None:
        with self._lock:
            self._paused.clear()
            if not self._starting:
                self.feeder.hold(False)

    def _started(self) -> None:
        """The first result: a file in real time starts its clock now (unless paused)."""
        with self._lock:
            self._starting = False
            if not self._paused.is_set():
                self.feeder.hold(False)

    def restart(self) -> None:
        """Start a new predict_batch on the same source (PySDK reads thresholds only then).

        Frames in flight are discarded, none is read twice.
        """
        self._restart.set()

    def step(self) -> None:
        """While paused, let exactly one more source frame through (the next one, for a file)."""
        with self._lock:
            self._steps += 1

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    @property
    def in_flight(self) -> int:
        return self._submitted - self._received

    # ----- the loop --------------------------------------------------------------------
    def _may_send(self) -> bool:
        if self.in_flight >= self.in_flight_limit:
            return False
        if not self._paused.is_set():
            return True
        with self._lock:
            if self._steps > 0:
                self._steps -= 1
                return True
        return False

    def _inputs(self) -> Iterator[tuple[Any, dict] | None]:
        """Frames for predict_batch, or None while there is nothing to send."""
        while not self._stop.is_set():
            if self._ended:
                return  # ending the input drains the frames in flight (a pair releases its last one only then)
            if not self._may_send():
                self._wait_for_result()
                yield None
                continue
            item = self.feeder.get()
            if item is END:
                self._ended = True
                continue
            if item is None:
                time.sleep(IDLE_SLEEP_S)
                yield None
                continue
            assert isinstance(item, Frame)
            item.sent_time = time.perf_counter()
            if self.in_flight == 0:
                self._waiting_since = item.sent_time
            self._submitted += 1
            yield item.image, {"frame": item}

    def _wait_for_result(self) -> None:
        """Sleep until PySDK has a result (or briefly, if its condition is not reachable)."""
        cv, results = self._result_ready, getattr(self.model, "_results", None)
        if cv is None or not isinstance(results, list):
            time.sleep(IDLE_SLEEP_S)
            return
        with cv:
            cv.wait_for(lambda: len(results) > 0 or self._stop.is_set(), timeout=0.005)

    @property
    def stalled(self) -> bool:
        """True when the watchdog fired: do not release this model, abandon it."""
        return self.failure is not None

    def _watch(self, done: threading.Event) -> None:
        """The watchdog thread: fires once, when the host is gone or the oldest frame waited too long."""
        addresses = resolve(self.host) if self.host else []  # once, here: a knock then needs no DNS
        next_knock = 0.0
        while not done.wait(WATCH_EVERY_S):
            now = time.perf_counter()
            since = self._waiting_since
            if self.in_flight > 0 and since is not None:
                limit = self.watchdog_s if self._received else max(self.watchdog_s, self.startup_grace_s)
                waited = now - since
                if waited > limit:
                    where = f" from {self.host}" if self.host else ""
                    self._fail(InferenceError(
                        f"no result{where} for {waited:.0f} s: the inference host stopped answering "
                        "(server down, network lost or the model hung); the run was stopped"))
                    return
            quiet = self._quiet_since()
            if addresses and quiet is not None and now - quiet > self._knock_after() and now >= next_knock:
                next_knock = now + PROBE_EVERY_S
                if still_there(addresses, PROBE_TIMEOUT_S) is False and self._quiet_since() == quiet:
                    self._fail(InferenceError(
                        f"lost the connection to {self.host}: the AI server is gone (its port refuses "
                        f"connections; no result for {time.perf_counter() - quiet:.1f} s); the run was stopped"))
                    return

    def _quiet_since(self) -> float | None:
        """Since when a result is awaited: the oldest frame in flight, or the start while none has come
        (PySDK may take seconds to set up its stream before it takes a frame); None when none is awaited."""
        since = self._waiting_since
        if self.in_flight > 0 and since is not None:
            return since
        if self._received == 0 and not self._paused.is_set():
            return self._started_at
        return None

    def _knock_after(self) -> float:
        """Seconds without a result before asking the host whether it is still there."""
        return min(max(PROBE_AFTER_S, PROBE_WAITS * self._recent_wait), PROBE_LATEST_S)

    def _fail(self, error: InferenceError) -> None:
        """The watchdog's verdict: stop the loop and report at once (the loop may be stuck inside PySDK)."""
        self.failure = error
        self._stop.set()
        if self.on_stall is not None:
            self.on_stall(error)

    def run(self) -> Iterator[FrameResult]:
        """Yield every result in order; ends at the end of the source, on stop(), or raises.

        Raises InferenceError (host, model, watchdog) or SourceError (the source
        failed mid-run). The feeder is always stopped, the model released by the caller.
        """
        self.model.non_blocking_batch_predict = True
        if self.breakdown:
            self.model.measure_time = True
        try:
            if self.model.frame_queue_depth < self.in_flight_limit:
                self.model.frame_queue_depth = self.in_flight_limit
        except Exception:
            pass
        if self._starting:
            self.feeder.hold(True)
        self._started_at = time.perf_counter()
        self.feeder.start()
        watching = threading.Event()
        threading.Thread(target=self._watch, args=(watching,), name="pipeline-watchdog", daemon=True).start()
        try:
            while not self._stop.is_set():
                yield from self._one_batch()
                if not self._restart.is_set() or self._ended:
                    break
                self._restart.clear()
                self._submitted = self._received  # the discarded frames are not waited for
                self._waiting_since = None
        except (InferenceError, SourceError):
            raise
        except Exception as exc:
            raise explain(exc, self.host) from exc
        finally:
            watching.set()
            self.feeder.stop()
        if self.failure is not None:
            raise self.failure
        if self.breakdown:
            with contextlib.suppress(Exception):
                self.stats.set_breakdown(self.model.time_stats())
        if self.feeder.error is not None and not self._stop.is_set():
            err = self.feeder.error
            raise err if isinstance(err, SourceError) else SourceError(f"{self.feeder.spec.describe()}: {err}")

    def _one_batch(self) -> Iterator[FrameResult]:
        """One predict_batch: until the source ends, stop() or restart()."""
        batch = self._predict_batch()
        try:
            yield from self._results_of(batch)
        finally:
            with contextlib.suppress(Exception):  # the host's error is reported (watchdog) or moot (stop, restart)
                batch.close()

    def _predict_batch(self) -> Generator[Any, None, None]:
        """``predict_batch`` without its wrapper, so that closing it here closes PySDK's own generator.

        ``Model.predict_batch`` only re-yields ``Model._predict_impl``. Closed through
        the wrapper, the inner generator is left to the collector, and after a lost
        host its clean-up raises the host's error where Python can only print it
        ("Exception ignored in ...": a traceback on the CLI's stderr).
        """
        if not hasattr(type(self.model), "_predict_impl"):  # a compound model (its attributes are its first model's)
            return self.model.predict_batch(self._inputs())
        source = (("", None) if item is None else (item[1], item[0]) for item in self._inputs())
        return self.model._predict_impl(lambda: source)

    def _results_of(self, batch: Iterator[Any]) -> Iterator[FrameResult]:
        """PySDK's results, timed and counted, until the batch ends, stop() or restart()."""
        for result in batch:
            if self._stop.is_set() or self._restart.is_set():
                return
            if result is None:
                continue
            done = time.perf_counter()
            self._received += 1
            since = self._waiting_since
            if since is not None and self._received > 1:  # the first result waited for the model to start
                wait = done - since
                self._recent_wait = wait if self._received == 2 else 0.8 * self._recent_wait + 0.2 * wait
            if self._starting:
                self._started()
            self._waiting_since = done if self.in_flight else None
            frame: Frame = result.info["frame"]
            # Live sources: latency from capture, what the viewer sees. Files at full
            # speed: from sending, as waiting in the read-ahead buffer is self-inflicted.
            self.stats.add(frame.capture_time if self.feeder.spec.live else frame.sent_time, done)
            self.stats.dropped = self.feeder.dropped
            if self.breakdown and self._received % BREAKDOWN_EVERY == 1:
                self.stats.set_breakdown(self.model.time_stats())
            yield FrameResult(frame, result, done)
