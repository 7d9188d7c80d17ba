"""The frame queue between a feeder thread and the inference loop: the feeder is woken in bursts.

Why not ``queue.Queue``: when the model is the bottleneck a file's feeder sits
blocked on a full queue, and ``Queue.get`` wakes it for every frame taken:
that wake-up (a futex call, then the feeder wanting the GIL back at once) is a
visible share of the inference thread's time with a fast model. Here the taker
pops without a lock and wakes a waiting feeder only when the queue has drained
to half, so the feeder refills it in one go: one wake-up per ``depth / 2`` frames.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

POLL_S = 0.001  # get(timeout): how often to look again (tests and the CLI; the pipeline never waits here)


class FrameQueue:
    """A bounded FIFO for one putting thread and one taking thread; items are never None."""

    def __init__(self, depth: int) -> None:
        self.depth = max(1, depth)
        self.low_water = self.depth // 2  # a blocked putter is woken when the queue is down to this
        self._items: deque[Any] = deque()
        self._space = threading.Condition()
        self._putter_waiting = False
        self.wakeups = 0  # times a blocked putter was woken (tests: bursts, not one per frame)

    def __len__(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def get(self, timeout: float | None = None) -> Any:
        """The oldest item, or None if there is none (after ``timeout`` seconds, if given)."""
        deadline = time.monotonic() + timeout if timeout else 0.0
        while True:
            try:
                item = self._items.popleft()  # deque ops are atomic: no lock on the hot path
                break
            except IndexError:
                if not timeout or time.monotonic() >= deadline:
                    return None
                time.sleep(POLL_S)
        if self._putter_waiting and len(self._items) <= self.low_water:
            with self._space:
                if self._putter_waiting:
                    self._putter_waiting = False  # one wake-up per wait: later takes skip the lock
                    self.wakeups += 1
                    self._space.notify()
        return item

    def put(self, item: Any, stop: threading.Event) -> bool:
        """Append, waiting while full (until drained to ``low_water``); False if ``stop`` was set first."""
        while not stop.is_set():
            if len(self._items) < self.depth:
                self._items.append(item)
                return True
            with self._space:
                self._putter_waiting = True
                self._space.wait_for(lambda: len(self._items) <= self.low_water or stop.is_set(), timeout=0.1)
                self._putter_waiting = False
        return False

    def put_latest(self, item: Any) -> int:
        """Append without waiting, dropping the oldest items to make room; how many were dropped."""
        dropped = 0
        while len(self._items) >= self.depth:
            try:
                self._items.popleft()
                dropped += 1
            except IndexError:  # the taker emptied it meanwhile
                break
        self._items.append(item)
        return dropped
