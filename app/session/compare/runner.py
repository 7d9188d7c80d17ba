"""Compare two to four models (or one model on several hosts) on one source: the one runner of both front ends.

Each contender loads its model on a thread of its own and runs the usual
``inference.engine.pipeline.Pipeline`` (watchdog, frames in flight, timing); the
frames come from one source (``session.compare.feeds``):

- ``sync``: every contender gets the same source frame; at most
  ``SYNC_AHEAD`` frames are out at once, so the slowest sets the pace. A frame's
  group is complete when every live contender has answered it. Every pane sees
  the same frames, so there is one rate: the table's FPS is the rate of complete
  groups, the same for every contender; each model has one frame in flight, so
  its latency is its own inference time, never a wait behind its other frames.
- ``free``: each takes frames as fast as it can, to show the speed difference
  (a file: each reads it on its own; a live source: the newest frame). Frames
  that every contender happened to answer are grouped and compared too.

How it reports: ``events()`` is a generator that runs the comparison on the
thread iterating it and yields ``compare.events`` objects in order
(``PaneReady``, ``PaneResult``, ``FrameGroup``, ``PaneFailed``, and last
``SourceEnded``); all bookkeeping happens on that one thread. ``run()`` drains
it into the ``on_event`` callback (the window's QThread calls ``run()`` and
emits a signal from the callback); ``start()`` does that on a daemon thread.
``stop()``, ``set_reference()``, ``table()`` and ``worst_frames()`` are safe
from any thread. ``on_status`` hears the source's warnings (a file that ends
early, a stream reconnecting), from the events thread.

A contender that fails (its host dies mid-compare, its model does not load)
yields ``PaneFailed``; the others go on and no group waits for it again. One
the pipeline's watchdog gives up on fails at once, even while its thread is
still stuck inside PySDK (that model is abandoned, never released).
``set_reference`` restarts the agreement figures against the new reference
from the next complete frame.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from model_picker.errors import InferenceError
from model_picker.inference.compare.agreement import AgreementTally, agreement, task_kind
from model_picker.inference.engine.compound import load_runnable
from model_picker.inference.engine.errors import explain
from model_picker.inference.engine.loading import describe_devices
from model_picker.inference.engine.pipeline import FrameResult, Pipeline
from model_picker.inference.engine.stats import percentile, throughput
from model_picker.inference.media.sources import END, Frame, FrameFeeder, SourceSpec, open_reader
from model_picker.session.compare.events import (
    Answer,
    Event,
    FrameGroup,
    PaneFailed,
    PaneReady,
    PaneResult,
    Row,
    SourceEnded,
    WorstFrame,
)
from model_picker.session.compare.feeds import Broadcast, LatestFeed, QueueFeed
from model_picker.session.plan import RunPlan, prepare
from model_picker.zoo.validate import name_broken_file

MODES = ("sync", "free")
SYNC_AHEAD = 3  # source frames out at once in sync mode: keeps every pipeline busy, the slowest sets the pace
PENDING_LIMIT = 1000  # answered frames waiting for their group (free run: the fastest may be far ahead)
WORST_KEPT = 10  # frames kept, with their images, for worst_frames()
POLL_S = 0.01


def check_tasks(plans: list[RunPlan]) -> str:
    """The reference's task when every plan's task is of one kind; InferenceError in one line otherwise."""
    if not 2 <= len(plans) <= 4:
        raise InferenceError(f"compare needs 2 to 4 models or hosts, not {len(plans)}")
    kinds = [task_kind(plan.entry.task) for plan in plans]
    for plan, kind in zip(plans[1:], kinds[1:]):
        if kind != kinds[0]:
            raise InferenceError(f"cannot compare {plans[0].name} ({kinds[0]}) with {plan.name} ({kind}): "
                                 "choose models of one task")
    return str(plans[0].entry.task)


def _same_pixels(model: Any) -> None:
    """Send frames uncompressed: servers and the cloud default to JPEG, and a comparison of hosts would
    then measure the codec as much as the models."""
    for part in (getattr(model, "model1", None), getattr(model, "model2", None)) if hasattr(model, "model1") \
            else (model,):
        try:
            part.input_image_format = "RAW"
        except Exception:
            pass


@dataclass
class _Contender:
    pane: int
    plan: RunPlan
    feed: Any = None
    host: str = ""
    device: str = ""
    labels: tuple[str, ...] = ()
    pipeline: Pipeline | None = None
    ready: bool = False
    done: bool = False
    failed: str = ""
    answered: int = 0
    items: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # sent -> result, each frame
    tally: AgreementTally = field(default_factory=AgreementTally)

    @property
    def live(self) -> bool:
        return not self.failed and not self.done


class Comparison:
    """One comparison run; see the module docstring for the threads and events."""

    def __init__(self, plans: list[RunPlan], source: SourceSpec, mode: str = "sync", reference: int = 0,
                 max_frames: int | None = None, on_status: Callable[[str], None] | None = None, *,
                 on_event: Callable[[Event], None] | None = None, watchdog_s: float = 10.0,
                 label_map: Mapping[str, str] | None = None) -> None:
        if mode not in MODES:
            raise InferenceError(f"compare mode {mode!r}: choose sync or free")
        self.task = check_tasks(plans)
        if not 0 <= reference < len(plans):
            raise InferenceError(f"reference pane {reference} does not exist (0 to {len(plans) - 1})")
        self.source, self.mode, self.max_frames = source, mode, max_frames
        self.reference = reference
        self.on_status, self.on_event = on_status, on_event
        self.watchdog_s, self.label_map = watchdog_s, label_map
        self.contenders = [_Contender(i, plan) for i, plan in enumerate(plans)]
        self.frames = 0  # source frames sent (sync) or the most any contender answered (free)
        self.unpaired = 0  # answered frames that never formed a complete group
        self._events: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._go = threading.Event()
        self._lock = threading.Lock()
        self._pending: dict[int, dict[int, Answer]] = {}  # frame id -> each pane's answer so far
        self._images: dict[int, Any] = {}  # sync: the open groups' source images
        self._stopped = False  # stop() was asked for (not the end of the source)
        self._started_source = False
        self._worst: list[WorstFrame] = []
        self._group_times: list[float] = []  # perf_counter() of each complete group (sync: the common rate)
        self._source: FrameFeeder | None = None
        self._source_ended = False
        self._thread: threading.Thread | None = None

    # ----- control (any thread) ------------------------------------------------------------
    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self.run, name="compare", daemon=True)
        self._thread.start()
        return self._thread

    def run(self) -> None:
        for event in self.events():
            if self.on_event is not None:
                self.on_event(event)

    def stop(self) -> None:
        self._stopped = True
        self._halt()

    def _halt(self) -> None:
        self._stop.set()
        self._go.set()
        for contender in self.contenders:
            if contender.pipeline is not None:
                contender.pipeline.stop()

    def set_reference(self, pane: int) -> None:
        if not 0 <= pane < len(self.contenders):
            raise InferenceError(f"reference pane {pane} does not exist (0 to {len(self.contenders) - 1})")
        with self._lock:
            self.reference = pane
            for contender in self.contenders:
                contender.tally = AgreementTally()
            self._worst = []

    # ----- the run (the thread iterating events) ----------------------------------------------
    def events(self) -> Iterator[Event]:
        """Run the comparison, yielding what happens; raises SourceError at once if the source cannot be opened."""
        self._open_feeds()
        for contender in self.contenders:
            threading.Thread(target=self._contend, args=(contender,), name=f"compare-{contender.pane}",
                             daemon=True).start()
        try:
            while not all(c.done for c in self.contenders):
                if not self._go.is_set() and all(c.ready or c.done for c in self.contenders):
                    self._go.set()
                if self.mode == "sync" and self._go.is_set():
                    self._feed_sync()
                try:
                    kind, pane, payload = self._events.get(timeout=POLL_S)
                except queue.Empty:
                    continue
                yield from self._handle(kind, self.contenders[pane] if pane is not None else None, payload)
        finally:
            self._halt()
            self._close_feeds()
        yield SourceEnded(self.frames, self._end_reason())

    def _end_reason(self) -> str:
        if all(c.failed for c in self.contenders):
            return "every contender failed"
        if self._stopped:
            return "stopped"
        return "end of source"

    def _open_feeds(self) -> None:
        """Open the source now, so a bad one fails before any model is loaded."""
        status = self._status
        if self.mode == "sync":
            self._source = FrameFeeder(self.source, max_frames=self.max_frames, on_status=status)
            for contender in self.contenders:
                contender.feed = QueueFeed(self.source)
        elif self.source.live:
            broadcast = Broadcast(FrameFeeder(self.source, max_frames=self.max_frames, on_status=status))
            for contender in self.contenders:
                contender.feed = LatestFeed(broadcast)
        else:
            for contender in self.contenders:
                contender.feed = FrameFeeder(self.source, open_reader(self.source), max_frames=self.max_frames,
                                             on_status=status)

    def _close_feeds(self) -> None:
        """Stop the sync source; close the readers of free-run feeds no pipeline started (a failed load)."""
        if self._source is not None:
            if self._started_source:
                self._source.stop()
            else:
                self._source.reader.close()
        for contender in self.contenders:
            if contender.pipeline is None and isinstance(contender.feed, FrameFeeder):
                contender.feed.reader.close()
            elif isinstance(contender.feed, LatestFeed):
                contender.feed.broadcast.close_unused()

    def _status(self, text: str) -> None:
        self._events.put(("status", None, text))

    def _feed_sync(self) -> None:
        """Give every live contender the next source frames while fewer than SYNC_AHEAD groups are open."""
        source = self._source
        if source is None or self._source_ended:
            return
        if not self._go.is_set() or self._stop.is_set():
            return
        if not self._started_source:
            source.start()
            self._started_source = True
        while len(self._pending) < SYNC_AHEAD:
            item = source.get()
            if item is None:
                return
            live = [c for c in self.contenders if c.live]
            if item is END:
                self._source_ended = True
                if source.error is not None:
                    self._status(f"{self.source.describe()}: {source.error}")
                for contender in live:
                    contender.feed.put(END)
                return
            assert isinstance(item, Frame)
            self._pending[item.frame_id] = {}
            self._images[item.frame_id] = item.image
            self.frames += 1
            for contender in live:
                contender.feed.put(item)

    def _contend(self, contender: _Contender) -> None:
        """One contender's thread: prepare and load, wait for the others, run the pipeline."""
        model, pipeline, spec = None, None, None
        try:
            spec = prepare(contender.plan, cancel=self._stop)
            contender.host = spec.inference_host_address
            model = load_runnable(spec, contender.plan.devices)
            _same_pixels(model)
            model.__enter__()
            contender.device = describe_devices(model)
            labels = getattr(model, "label_dictionary", None) or {}
            contender.labels = tuple(str(v) for v in labels.values())
            self._events.put(("ready", contender.pane, None))
            self._go.wait()
            if self._stop.is_set():
                return
            # Synchronised: one frame in flight, so a result's latency is the model's own time on it.
            pipeline = Pipeline(model, contender.feed, host=contender.host, watchdog_s=self.watchdog_s,
                                in_flight=1 if self.mode == "sync" else None,
                                on_stall=lambda error: self._given_up(contender, error))
            contender.pipeline = pipeline
            if self._stop.is_set():
                pipeline.stop()
            for result in pipeline.run():
                self._events.put(("result", contender.pane, result))
        except Exception as exc:
            self._events.put(("failed", contender.pane, str(name_broken_file(explain(exc, contender.host), spec))))
        finally:
            if model is not None and not (pipeline is not None and pipeline.stalled):  # a stalled model is abandoned
                try:
                    model.__exit__(None, None, None)
                except Exception:
                    pass
            self._events.put(("done", contender.pane, None))

    def _given_up(self, contender: _Contender, error: InferenceError) -> None:
        """The watchdog gave up on a contender (its host is gone or hung): it fails and is done now, as
        its thread may stay stuck inside PySDK; what that thread says later is not heard again."""
        self._events.put(("failed", contender.pane, str(error)))
        self._events.put(("done", contender.pane, None))

    def _handle(self, kind: str, contender: _Contender | None, payload: Any) -> Iterator[Event]:
        if kind == "status":
            if self.on_status is not None:
                self.on_status(payload)
        elif contender is None:
            return
        elif kind == "ready":
            contender.ready = True
            yield PaneReady(contender.pane, contender.plan.name, contender.device, contender.host)
        elif kind == "result":
            if not contender.failed:
                yield from self._result(contender, payload)
        elif kind == "failed":
            if contender.failed:
                return  # given up on already (_given_up); its thread has ended since
            contender.failed = payload or "failed"
            yield PaneFailed(contender.pane, f"{contender.plan.name}: {contender.failed}")
            yield from self._complete_groups()
        elif kind == "done":
            contender.done = True
            if not contender.failed:
                yield from self._complete_groups()

    def _result(self, contender: _Contender, fr: FrameResult) -> Iterator[Event]:
        frame_id = fr.frame.frame_id
        answer = Answer.of(fr.result)
        contender.answered += 1
        contender.items += len(answer.results)
        with self._lock:
            contender.latencies_ms.append(fr.latency_ms)
        yield PaneResult(contender.pane, frame_id, fr.frame.image, fr.result, fr.latency_ms)
        if self.mode == "free":
            self.frames = max(self.frames, frame_id + 1)
        group = self._pending.get(frame_id)
        if group is None:
            if len(self._pending) >= PENDING_LIMIT:
                if not self.source.live:  # a file: the slower contenders will reach the waiting frames
                    self.unpaired += 1
                    return
                del self._pending[min(self._pending)]  # live: frames the others skipped never complete
                self.unpaired += 1
            group = self._pending[frame_id] = {}
        group[contender.pane] = answer
        yield from self._complete_groups(fr.frame.image, frame_id)

    def _complete_groups(self, image: Any = None, frame_id: int | None = None) -> Iterator[Event]:
        """Close every open group all live contenders have answered.

        ``image`` is ``frame_id``'s source frame; sync mode keeps every open
        group's. A group a failure completes in free run has no image (None).
        """
        panes = [c.pane for c in self.contenders if not c.failed]
        for fid in sorted(self._pending):
            group = self._pending[fid]
            if not panes or not all(p in group for p in panes):
                continue
            del self._pending[fid]
            with self._lock:
                self._group_times.append(time.perf_counter())
            kept = self._images.pop(fid, None)
            yield self._group(fid, image if fid == frame_id else kept, {p: group[p] for p in panes})

    def _group(self, frame_id: int, image: Any, answers: dict[int, Answer]) -> FrameGroup:
        with self._lock:
            reference = self.reference
            scores = {}
            if reference in answers:
                ref = self.contenders[reference]
                for pane, answer in answers.items():
                    if pane == reference:
                        continue
                    other = self.contenders[pane]
                    value = agreement(self.task, answers[reference], answer, label_map=self.label_map,
                                      labels=(ref.labels, other.labels) if ref.labels and other.labels else None)
                    other.tally.add(frame_id, value)
                    scores[pane] = value
            worst = min((v.score for v in scores.values()), default=None)
            if worst is not None and worst < 1.0 and image is not None:  # frames of full agreement are not kept
                self._keep_worst(WorstFrame(frame_id, worst, image, answers, scores))
        return FrameGroup(frame_id, image, answers, scores, reference, worst)

    def _keep_worst(self, frame: WorstFrame) -> None:
        if len(self._worst) >= WORST_KEPT and frame.score >= self._worst[-1].score:
            return
        self._worst.append(frame)
        self._worst.sort(key=lambda w: (w.score, w.frame_id))
        del self._worst[WORST_KEPT:]

    # ----- figures (any thread) -----------------------------------------------------------------
    def common_fps(self) -> float:
        """Complete groups (frames every live contender answered) per second: synchronised mode's one rate."""
        with self._lock:
            return throughput(list(self._group_times), skip=1)

    def table(self) -> list[Row]:
        """One row per contender: speed, results per frame and agreement with the reference.

        Synchronised, the FPS is the common rate for every live contender and the
        latency each model's own (one frame in flight); free run, each its own rate.
        """
        rows = []
        common = self.common_fps() if self.mode == "sync" else 0.0
        with self._lock:
            for c in self.contenders:
                stats = c.pipeline.stats if c.pipeline is not None else None
                latencies = list(c.latencies_ms) if self.mode == "sync" else list(stats.latencies_ms) if stats else []
                own = throughput(list(stats.done_times), skip=1) if stats else 0.0
                mean = c.tally.mean() if c.pane != self.reference else None
                rows.append(Row(
                    c.pane, c.plan.name, c.device, c.host or (c.plan.host or ""), c.answered,
                    (common if not c.failed else own) if self.mode == "sync" else own,
                    percentile(latencies, 50), percentile(latencies, 95),
                    c.items / c.answered if c.answered else 0.0, c.pane == self.reference,
                    mean.score if mean is not None and c.tally.frames else None,
                    dict(mean.metrics) if mean is not None else {},
                    mean.shared_classes if mean is not None else None, c.failed))
        return rows

    def series(self) -> dict[int, list[tuple[int, float]]]:
        """Each compared pane's (frame id, agreement) in order, for the report's chart."""
        with self._lock:
            return {c.pane: list(c.tally.scores) for c in self.contenders if c.pane != self.reference}

    def worst_frames(self, n: int = 5) -> list[WorstFrame]:
        """The ``n`` frames of lowest agreement (lowest first), with their images and answers.

        Only frames where some contender disagrees: fewer than ``n`` (or none) when they agree elsewhere.
        """
        with self._lock:
            return list(self._worst[:n])
