"""Editing a drawn line or zone: what the mouse is on, and the shape after a drag (issue 12).

Qt-free geometry for the window's editor (app/ui/counting/editor.py), so it is
tested without a window and the rules stay next to the validation in
counting.py. Points are NORMALISED (0..1); distances to the mouse are
measured in screen pixels, so ``scale`` is the size of the frame on screen.
``edited`` is the one gate every edit passes: it keeps the frame's bounds and
refuses a zero-length line or a self-intersecting zone with counting.py's
own message, so a bad edit leaves the previous geometry in place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from model_picker.inference.counting.analyzers import (
    CountingError,
    CountingSetup,
    Line,
    Point,
    Zone,
    check_line,
    check_zone,
)

HANDLE_PX = 8.0  # the mouse this close to an end or a corner grabs it
BODY_PX = 6.0  # this close to a line or a zone's edge grabs the whole shape


@dataclass(frozen=True)
class Grab:
    """What a press landed on: a vertex (``index``) or the body of the line or zone ``name``."""

    name: str
    part: str  # "vertex" or "body"
    index: int = -1


def points_of(item: Line | Zone) -> tuple[Point, ...]:
    return (item.start, item.end) if isinstance(item, Line) else item.points


def with_points(item: Line | Zone, points: tuple[Point, ...]) -> Line | Zone:
    return replace(item, start=points[0], end=points[1]) if isinstance(item, Line) else replace(item, points=points)


def item_named(setup: CountingSetup, name: str) -> Line | Zone | None:
    return next((item for item in setup.lines + setup.zones if item.name == name), None)


def replaced(setup: CountingSetup, item: Line | Zone) -> CountingSetup:
    """The setup with ``item`` in place of the line or zone of the same name (order kept)."""
    if isinstance(item, Line):
        return replace(setup, lines=tuple(item if x.name == item.name else x for x in setup.lines))
    return replace(setup, zones=tuple(item if x.name == item.name else x for x in setup.zones))


def _px(p: Point, scale: tuple[float, float]) -> Point:
    return p[0] * scale[0], p[1] * scale[1]


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / max(1e-12, dx * dx + dy * dy)))
    return ((a[0] + t * dx - p[0]) ** 2 + (a[1] + t * dy - p[1]) ** 2) ** 0.5


def inside(point: Point, polygon: tuple[Point, ...]) -> bool:
    """Even-odd rule: is ``point`` inside the closed polygon."""
    x, y = point
    result = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            result = not result
    return result


def edge_at(zone: Zone, point: Point, scale: tuple[float, float], radius: float = BODY_PX) -> int:
    """The index i of the zone's edge (corner i to corner i+1) nearest the point within ``radius`` px; -1 if none."""
    p = _px(point, scale)
    points = [_px(q, scale) for q in zone.points]
    best, where = radius, -1
    for i, (a, b) in enumerate(zip(points, points[1:] + points[:1])):
        distance = _segment_distance(p, a, b)
        if distance <= best:
            best, where = distance, i
    return where


def grab_at(setup: CountingSetup, point: Point, scale: tuple[float, float]) -> Grab | None:
    """What a press at ``point`` takes: the nearest end or corner, else a line or zone edge, else a zone's inside."""
    p = _px(point, scale)
    best: tuple[float, Grab] | None = None
    for item in setup.lines + setup.zones:
        for i, q in enumerate(points_of(item)):
            q = _px(q, scale)
            distance = ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5
            if distance <= HANDLE_PX and (best is None or distance < best[0]):
                best = (distance, Grab(item.name, "vertex", i))
    if best is not None:
        return best[1]
    for line in setup.lines:
        if _segment_distance(p, _px(line.start, scale), _px(line.end, scale)) <= BODY_PX:
            return Grab(line.name, "body")
    for zone in setup.zones:
        if edge_at(zone, point, scale) >= 0:
            return Grab(zone.name, "body")
    for zone in reversed(setup.zones):  # the one drawn last is on top
        if inside(point, zone.points):
            return Grab(zone.name, "body")
    return None


def _clamp(v: float) -> float:
    return min(1.0, max(0.0, v))


def dragged(item: Line | Zone, grab: Grab, start: Point, now: Point) -> Line | Zone:
    """The shape after dragging ``grab`` from ``start`` to ``now``: never past the frame's edges.

    Not validated: the preview shows what the user asked for; ``edited`` decides.
    """
    points = points_of(item)
    if grab.part == "vertex":
        moved = list(points)
        moved[grab.index] = (_clamp(now[0]), _clamp(now[1]))
        return with_points(item, tuple(moved))
    dx = min(max(now[0] - start[0], -min(x for x, _y in points)), 1 - max(x for x, _y in points))
    dy = min(max(now[1] - start[1], -min(y for _x, y in points)), 1 - max(y for _x, y in points))
    return with_points(item, tuple((x + dx, y + dy) for x, y in points))


def with_vertex(zone: Zone, edge: int, point: Point) -> Zone:
    """A new corner at ``point`` on edge ``edge`` (between corners edge and edge+1)."""
    points = list(zone.points)
    points.insert(edge + 1, (_clamp(point[0]), _clamp(point[1])))
    return replace(zone, points=tuple(points))


def without_vertex(zone: Zone, index: int) -> Zone:
    """The zone without corner ``index``; a zone keeps at least 3 corners."""
    if len(zone.points) <= 3:
        raise CountingError(f"{zone.name}: a zone needs at least 3 corners; delete the zone instead (right-click)")
    return replace(zone, points=zone.points[:index] + zone.points[index + 1:])


def edited(item: Line | Zone) -> Line | Zone:
    """The item if it can count (counting.py's rules), else CountingError saying why."""
    check_line(item) if isinstance(item, Line) else check_zone(item)
    return item
