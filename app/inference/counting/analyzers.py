"""Counting lines and zones over a detector's results, on degirum_tools' analyzers.

A ``CountingSetup`` holds lines and zones in NORMALISED coordinates (0..1 of the
frame's width and height), so they survive a resize, a different camera
resolution and a restart. ``Counter`` turns the setup into degirum_tools'
``ObjectTracker`` (ByteTrack), ``LineCounter`` and ``ZoneCounter`` for the frame
size of the first result it sees, runs them on every result (directly, or
attached to a model with ``attach``) and reads their annotations back:
``result.line_counts`` (per line, crossings to each side), ``result.zone_counts``
(per zone, objects inside now) and ``result.zone_events`` (entries and exits).

Direction of a line: "in" counts objects crossing to the right-hand side of the
line as seen from its first point looking at its second, "out" the other way.
A line drawn from left to right therefore counts downward movement as "in".
Objects are placed by the bottom centre of their box (feet of a person), as
degirum_tools does by default.

No Qt here: the window, the CLI and the tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TRAIL_DEPTH = 20  # frames of trail kept per track: the short trail drawn, and the segment a crossing is tested on
DETECTION_TASKS = ("detection",)  # a registry task naming any of these is a detector (coco_detection, face_detection…)
MIN_LENGTH = 0.005  # a line shorter than this (normalised) has no direction to count
EPS = 1e-9


class CountingError(ValueError):
    """Bad counting input: one line saying what and where."""


Point = tuple[float, float]


@dataclass(frozen=True)
class Line:
    name: str
    start: Point
    end: Point

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        return (round(self.start[0] * width), round(self.start[1] * height),
                round(self.end[0] * width), round(self.end[1] * height))


@dataclass(frozen=True)
class Zone:
    name: str
    points: tuple[Point, ...]

    def pixels(self, width: int, height: int) -> list[list[int]]:
        return [[round(x * width), round(y * height)] for x, y in self.points]


@dataclass(frozen=True)
class CountingSetup:
    """What to count, in normalised coordinates; ``track`` shows track IDs and trails."""

    lines: tuple[Line, ...] = ()
    zones: tuple[Zone, ...] = ()
    track: bool = False

    @property
    def active(self) -> bool:
        """True when anything needs the tracker."""
        return bool(self.track or self.lines or self.zones)

    def check(self) -> None:
        """Raise CountingError for the first bad line or zone."""
        for line in self.lines:
            check_line(line)
        for zone in self.zones:
            check_zone(zone)

    def to_dict(self) -> dict[str, Any]:
        return {"lines": [{"name": ln.name, "points": [list(ln.start), list(ln.end)]} for ln in self.lines],
                "zones": [{"name": z.name, "points": [list(p) for p in z.points]} for z in self.zones]}

    @classmethod
    def from_dict(cls, data: Any, where: str = "counting", track: bool = False) -> CountingSetup:
        """The setup a saved mapping describes; CountingError names the field at fault."""
        if not isinstance(data, dict):
            raise CountingError(f"{where}: expected a mapping with 'lines' and 'zones'")
        lines, zones = [], []
        for i, item in enumerate(data.get("lines") or []):
            points = _points(item, f"{where}: lines[{i}]")
            if len(points) != 2:
                raise CountingError(f"{where}: lines[{i}].points: a line needs exactly 2 points, got {len(points)}")
            lines.append(Line(str(item.get("name") or f"line {i + 1}"), points[0], points[1]))
        for i, item in enumerate(data.get("zones") or []):
            points = _points(item, f"{where}: zones[{i}]")
            zones.append(Zone(str(item.get("name") or f"zone {i + 1}"), tuple(points)))
        setup = cls(tuple(lines), tuple(zones), track)
        try:
            setup.check()
        except CountingError as exc:
            raise CountingError(f"{where}: {exc}") from None
        return setup

    def save_yaml(self, path: Any) -> None:
        import yaml

        with open(path, "w", encoding="utf-8") as fh:
            yaml.safe_dump(self.to_dict(), fh, sort_keys=False)

    @classmethod
    def load_yaml(cls, path: Any) -> CountingSetup:
        import yaml

        try:
            with open(path, encoding="utf-8") as fh:
                data = yaml.safe_load(fh)
        except OSError as exc:
            raise CountingError(f"{path}: cannot read: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" line {mark.line + 1}" if mark is not None else ""
            raise CountingError(f"{path}:{at}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
        return cls.from_dict(data if data is not None else {}, str(path))


def _points(item: Any, where: str) -> list[Point]:
    if not isinstance(item, dict) or not isinstance(item.get("points"), list):
        raise CountingError(f"{where}.points: expected a list of [x, y] pairs")
    points = []
    for j, p in enumerate(item["points"]):
        if not isinstance(p, (list, tuple)) or len(p) != 2 or not all(isinstance(v, (int, float)) for v in p):
            raise CountingError(f"{where}.points[{j}]: expected [x, y] numbers, got {p!r}")
        points.append((float(p[0]), float(p[1])))
    return points


# ----- validation ------------------------------------------------------------------------
def _check_inside(name: str, points: tuple[Point, ...]) -> None:
    for x, y in points:
        if not (-EPS <= x <= 1 + EPS and -EPS <= y <= 1 + EPS):
            raise CountingError(f"{name}: point {x:g},{y:g} is outside the frame "
                                "(normalised coordinates run from 0 to 1)")


def check_line(line: Line) -> None:
    _check_inside(line.name, (line.start, line.end))
    if _length(line.start, line.end) < MIN_LENGTH:
        raise CountingError(f"{line.name}: zero length: its two points are the same, so it has no direction to count")


def check_zone(zone: Zone) -> None:
    if len(zone.points) < 3:
        raise CountingError(f"{zone.name}: a zone needs at least 3 points, got {len(zone.points)}")
    _check_inside(zone.name, zone.points)
    edges = list(zip(zone.points, zone.points[1:] + zone.points[:1]))
    for i in range(len(edges)):
        for j in range(i + 1, len(edges)):
            if j == i + 1 or (i == 0 and j == len(edges) - 1):
                continue  # neighbours share a corner
            if _segments_cross(*edges[i], *edges[j]):
                raise CountingError(f"{zone.name}: self-intersecting: edge {i + 1} crosses edge {j + 1}; "
                                    "place the points in order around the zone")
    if abs(_area(zone.points)) < MIN_LENGTH ** 2:
        raise CountingError(f"{zone.name}: its points lie on one line, so it encloses nothing")


def _length(a: Point, b: Point) -> float:
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5


def _area(points: tuple[Point, ...]) -> float:
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]))


def _side(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    d1, d2, d3, d4 = _side(c, d, a), _side(c, d, b), _side(a, b, c), _side(a, b, d)
    return d1 * d2 < 0 and d3 * d4 < 0


# ----- command-line text -----------------------------------------------------------------
def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(v) for v in text.replace(",", " ").split()]
    except ValueError:
        raise CountingError(f"{what} {text!r}: expected numbers separated by commas or spaces") from None


def _normalise(values: list[float], size: tuple[int, int] | None, what: str) -> list[Point]:
    """Pairs of values, divided by the frame size when any is above 1 (pixels)."""
    pairs = list(zip(values[0::2], values[1::2]))
    if all(v <= 1 for v in values):  # negative values are reported as outside the frame
        return pairs
    if size is None:
        raise CountingError(f"{what}: pixel coordinates need the frame size; give values from 0 to 1 instead")
    width, height = size
    for x, y in pairs:
        if not (0 <= x <= width and 0 <= y <= height):
            raise CountingError(f"{what}: point {x:g},{y:g} is outside the {width}x{height} frame")
    return [(x / width, y / height) for x, y in pairs]


def parse_line(text: str, name: str, size: tuple[int, int] | None = None) -> Line:
    """``x1,y1,x2,y2``: all values at most 1 are normalised, otherwise pixels of a ``size`` frame."""
    values = _numbers(text, name)
    if len(values) != 4:
        raise CountingError(f"{name} {text!r}: expected x1,y1,x2,y2 (4 numbers), got {len(values)}")
    start, end = _normalise(values, size, f"{name} {text!r}")
    line = Line(name, start, end)
    check_line(line)
    return line


def parse_zone(text: str, name: str, size: tuple[int, int] | None = None) -> Zone:
    """``"x,y x,y x,y …"``: the corners in order; normalised or pixels as for lines."""
    values = _numbers(text, name)
    if len(values) % 2:
        raise CountingError(f"{name} {text!r}: expected x,y pairs, got an odd count of numbers")
    zone = Zone(name, tuple(_normalise(values, size, f"{name} {text!r}")))
    check_zone(zone)
    return zone


def detector_reason(task: str | None, model: Any = None) -> str:
    """Why counting cannot run on this model ('' when it can): it needs boxes to track.

    A registry entry without a task (a custom registry) is given the benefit of the doubt.
    """
    text = str(task or "")
    if any(word in text for word in DETECTION_TASKS):
        return ""
    if not text:
        post = str(getattr(getattr(model, "model_info", None), "OutputPostprocessType", "Detection"))
        if "Detection" in post:
            return ""
    kind = text.replace("_", " ") or "this model"
    return f"counting needs a detector (boxes to track); {kind} gives no boxes"


# ----- counting over results -------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    frame: int
    time_s: float | None
    track_id: int | None
    label: str
    kind: str  # "line" or "zone"
    name: str
    event: str  # "in" / "out" for lines, "entry" / "exit" for zones


@dataclass
class Counts:
    """The running totals: per line (in, out), per zone objects inside now and entries so far."""

    lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    zones: dict[str, int] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)

    def summary(self) -> list[str]:
        rows = [f"Line       {name}: in {i}, out {o}" for name, (i, o) in self.lines.items()]
        rows += [f"Zone       {name}: {self.zones[name]} inside now, {self.entries.get(name, 0)} entered"
                 for name in self.zones]
        return rows


class Counter:
    """Tracker + one counter per line and per zone, built for the first frame's size.

    Call ``analyze(result)`` on every result in order (or ``attach`` to a model);
    then ``counts`` and ``events`` (this result's crossings, entries and exits).
    Each line and zone has its own degirum_tools counter, so ``set_setup`` can
    move one while the others, and the tracks, go on counting.
    """

    def __init__(self, setup: CountingSetup, class_list: list[str] | None = None) -> None:
        self.setup = setup
        self.class_list = list(class_list) if class_list else None
        self.size: tuple[int, int] | None = None
        self.tracker: Any = None
        self._lines: dict[Line, Any] = {}  # keyed by the line itself: a moved line is a new key
        self._zones: dict[Zone, Any] = {}
        self.counts = Counts()
        self.events: list[Event] = []
        self.frames = 0

    def attach(self, model: Any) -> None:
        """Run on every result of ``model`` (degirum_tools' attach_analyzers; a compound model too)."""
        from degirum_tools import attach_analyzers
        from degirum_tools.analyzers.result_analyzer_base import ResultAnalyzerBase

        counter = self

        class CountingAnalyzer(ResultAnalyzerBase):  # defined here: degirum_tools stays off the start-up path
            def analyze(self, result: Any) -> None:
                counter.analyze(result)

        attach_analyzers(model, [CountingAnalyzer()])

    def reset(self) -> None:
        """Counts back to zero; tracks restart (the analyzers are rebuilt at the next frame)."""
        self.tracker, self.size = None, None
        self._lines, self._zones = {}, {}
        self.counts, self.events = Counts(), []

    def set_setup(self, setup: CountingSetup) -> None:
        """New lines or zones: the unchanged ones keep counting, a new or moved one starts from zero.

        Tracks go on (the same IDs), so an object half-way across a moved line is not lost.
        """
        self.setup = setup
        if self.size is not None:
            self._build_items()

    def _build(self, width: int, height: int) -> None:
        from degirum_tools import ObjectTracker

        self.size = (width, height)
        self.tracker = ObjectTracker(class_list=self.class_list, trail_depth=TRAIL_DEPTH, show_overlay=False)
        self._lines, self._zones = {}, {}
        self._build_items()

    def _build_items(self) -> None:
        from degirum_tools import LineCounter, ZoneCounter

        assert self.size is not None
        width, height = self.size
        old_lines, old_zones, old = self._lines, self._zones, self.counts
        self._lines = {ln: old_lines.get(ln) or LineCounter(
            [ln.pixels(width, height)], whole_trail=False, count_first_crossing=False,
            return_direction_in_results=True, show_overlay=False) for ln in self.setup.lines}
        self._zones = {z: old_zones.get(z) or ZoneCounter(
            {z.name: z.pixels(width, height)}, frame_size=(width, height), class_list=self.class_list,
            use_tracking=True, enable_zone_events=True, show_overlay=False) for z in self.setup.zones}
        self.counts = Counts({ln.name: old.lines.get(ln.name, (0, 0)) if ln in old_lines else (0, 0)
                              for ln in self.setup.lines},
                             {z.name: old.zones.get(z.name, 0) if z in old_zones else 0 for z in self.setup.zones},
                             {z.name: old.entries.get(z.name, 0) if z in old_zones else 0 for z in self.setup.zones})

    def analyze(self, result: Any) -> None:
        image = getattr(result, "image", None)
        shape = getattr(image, "shape", None)
        if self.tracker is None:
            if shape is None:
                raise CountingError("counting needs the frame with each result (result.image is missing)")
            self._build(int(shape[1]), int(shape[0]))
        self.tracker.analyze(result)
        frame, time_s = self._when(result)
        self.frames += 1
        self.events = self._count_lines(result, frame, time_s) + self._count_zones(result, frame, time_s)

    def _when(self, result: Any) -> tuple[int, float | None]:
        info = getattr(result, "info", None)
        frame = info.get("frame") if isinstance(info, dict) else None
        if frame is not None and hasattr(frame, "frame_id"):
            return int(frame.frame_id), getattr(frame, "position_s", None)
        return self.frames, None

    def _count_lines(self, result: Any, frame: int, time_s: float | None) -> list[Event]:
        """Each line's counter in turn (each writes its own ``line_counts`` and ``cross_line``); read at once."""
        events, totals = [], []
        for line, analyzer in self._lines.items():
            analyzer.analyze(result)
            counts = result.line_counts[0]
            totals.append(counts)
            self.counts.lines[line.name] = (int(counts.right), int(counts.left))
            for obj in result.results:
                if (obj.get("cross_line") or [False])[0]:
                    side = (obj.get("cross_line_direction") or [None])[0]
                    events.append(Event(frame, time_s, obj.get("track_id"), str(obj.get("label", "")), "line",
                                        line.name, "in" if side == "right" else "out"))
        result.line_counts = totals  # one entry per line, as a single LineCounter of them all would give
        return events

    def _count_zones(self, result: Any, frame: int, time_s: float | None) -> list[Event]:
        kinds = {"zone_entry": "entry", "zone_exit": "exit"}
        result.zone_events, totals = [], {}  # every zone's counter appends its events here
        for zone, analyzer in self._zones.items():
            analyzer.analyze(result)
            totals.update(result.zone_counts)
            self.counts.zones[zone.name] = int(result.zone_counts.get(zone.name, {}).get("total", 0))
        result.zone_counts = totals
        events = [Event(frame, time_s, e.get("track_id"), str(e.get("object_label") or ""), "zone",
                        str(e.get("zone_id")), kinds[e["event_type"]])
                  for e in result.zone_events if e.get("event_type") in kinds]
        for event in events:
            if event.event == "entry":
                self.counts.entries[event.name] = self.counts.entries.get(event.name, 0) + 1
        return events
