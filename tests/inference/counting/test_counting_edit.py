"""Editing geometry (app/inference/counting/edit.py): what a press takes, and the shape a drag makes."""

from __future__ import annotations

import pytest

from model_picker.inference.counting.analyzers import CountingError, CountingSetup, Line, Zone
from model_picker.inference.counting.edit import (
    Grab,
    dragged,
    edge_at,
    edited,
    grab_at,
    replaced,
    with_vertex,
    without_vertex,
)

SCALE = (640.0, 480.0)  # the frame's size on screen: handles are grabbed within pixels
DOOR = Line("door", (0.2, 0.2), (0.2, 0.8))
BAY = Zone("bay", ((0.5, 0.5), (0.9, 0.5), (0.9, 0.9), (0.5, 0.9)))
SETUP = CountingSetup((DOOR,), (BAY,))


def test_a_press_takes_the_nearest_end_or_corner_then_a_body():
    assert grab_at(SETUP, (0.2 + 5 / 640, 0.8), SCALE) == Grab("door", "vertex", 1)
    assert grab_at(SETUP, (0.2 + 5 / 640, 0.5), SCALE) == Grab("door", "body")
    assert grab_at(SETUP, (0.2 + 12 / 640, 0.5), SCALE) is None
    assert grab_at(SETUP, (0.9, 0.9), SCALE) == Grab("bay", "vertex", 2)
    assert grab_at(SETUP, (0.7, 0.7), SCALE) == Grab("bay", "body")  # inside
    assert grab_at(SETUP, (0.7, 0.5 - 4 / 480), SCALE) == Grab("bay", "body")  # on an edge, just outside
    assert edge_at(BAY, (0.7, 0.5), SCALE) == 0 and edge_at(BAY, (0.7, 0.7), SCALE) == -1


def test_drags_move_one_point_or_the_whole_shape_and_stay_in_the_frame():
    assert dragged(DOOR, Grab("door", "vertex", 0), (0.2, 0.2), (1.3, -0.2)).start == (1.0, 0.0)
    moved = dragged(BAY, Grab("bay", "body"), (0.7, 0.7), (0.8, 0.6))
    assert moved.points[0] == pytest.approx((0.6, 0.4)) and moved.points[2] == pytest.approx((1.0, 0.8))
    stopped = dragged(BAY, Grab("bay", "body"), (0.7, 0.7), (1.0, 0.7))  # its right edge stops at the frame's
    assert max(x for x, _y in stopped.points) == pytest.approx(1.0) and stopped.points[0][0] == pytest.approx(0.6)


def test_bad_edits_are_refused_with_counting_rules():
    with pytest.raises(CountingError, match="door: zero length"):
        edited(dragged(DOOR, Grab("door", "vertex", 1), (0.2, 0.8), (0.2, 0.2)))
    with pytest.raises(CountingError, match="bay: self-intersecting"):
        edited(dragged(BAY, Grab("bay", "vertex", 2), (0.9, 0.9), (0.3, 0.7)))
    with pytest.raises(CountingError, match="bay: a zone needs at least 3 corners"):
        without_vertex(without_vertex(BAY, 0), 0)


def test_corners_added_on_an_edge_and_deleted_and_the_setup_keeps_its_order():
    five = with_vertex(BAY, 0, (0.7, 0.5))
    assert five.points[1] == (0.7, 0.5) and len(five.points) == 5
    assert without_vertex(five, 1) == BAY
    setup = replaced(CountingSetup((DOOR, Line("exit", (0.1, 0.1), (0.3, 0.1)))), Line("door", (0, 0), (1, 1)))
    assert [ln.name for ln in setup.lines] == ["door", "exit"] and setup.lines[0].end == (1, 1)
