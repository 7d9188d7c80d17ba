"""Counting in the window, used as a person does: clicks on the video pane draw a line, the count shows."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from model_picker.ui.counting.controls import READY
from tests.inference.counting.facevideo import sweep, write_video
from tests.ui.live.test_live_side import SLOW, choose


def pane_point(video, x: float, y: float) -> QPoint:
    """Where a normalised frame point is on the pane (the frame is letterboxed in it)."""
    rect = video.image_rect()
    return QPoint(round(rect.left() + x * rect.width()), round(rect.top() + y * rect.height()))


def counts_on_screen(video) -> dict[str, str]:
    """What the pane paints beside each counting line and zone."""
    shapes = video.editor.merge(video.shapes)
    return {c.name: c.text for c in shapes.counters} if shapes is not None else {}


def test_a_line_drawn_with_two_clicks_counts_the_face_crossing_it(window, qtbot, photos, tmp_path):
    video_file = write_video(tmp_path / "line.avi", photos, [sweep(100, 540, 200, 30) + sweep(540, 100, 200, 30)])
    choose(window, "blazeface_short_range", video_file, realtime=False, loop=True)
    video = window.live.video
    window.runs.run()
    qtbot.waitUntil(lambda: video.painted_frames >= 3, timeout=SLOW)
    assert window.counting.track.isEnabled()
    qtbot.mouseClick(window.counting.buttons["Track"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.counting.buttons["Line"], Qt.MouseButton.LeftButton)
    assert "two ends" in window.counting.hint.text()
    qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.5, 0.05))
    qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.5, 0.95))
    line = window.counting.setup.lines[0]
    assert line.name == "line 1" and abs(line.start[0] - 0.5) < 0.01 and abs(line.end[1] - 0.95) < 0.01
    assert counts_on_screen(video) in ({"line 1": ""}, {"line 1": "in 0 · out 0"})  # drawn at once
    # The face goes right then left, once each per loop of the video: both directions count.
    qtbot.waitUntil(lambda: counts_on_screen(video).get("line 1", "") not in ("", "in 0 · out 0")
                    and " 0" not in counts_on_screen(video)["line 1"], timeout=3 * SLOW)
    assert any(box.text.startswith("#") for box in video.shapes.boxes)  # Track on: IDs on the boxes
    # Reset counts while paused: the screen says zero at the next frame.
    qtbot.mouseClick(window.live.controls.pause_button, Qt.MouseButton.LeftButton)
    # Nothing in flight, and the last frame painted (else the stepped frame is not shown).
    qtbot.waitUntil(lambda: window.runs.worker.pipeline.in_flight == 0 and window.runs.worker.display_ready.is_set(),
                    timeout=10000)
    qtbot.mouseClick(window.counting.buttons["Reset Counts"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.live.controls.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counts_on_screen(video).get("line 1") == "in 0 · out 0", timeout=SLOW)
    # Right-click on the line deletes it; the settings keep what is left for this source.
    qtbot.mouseClick(video, Qt.MouseButton.RightButton, pos=pane_point(video, 0.5, 0.5))
    assert window.counting.setup.lines == ()


def test_lines_and_zones_are_kept_per_source(window, qtbot, photos, tmp_path, settings, demo_registry):
    from model_picker.ui.shell.main_window import MainWindow

    video_file = write_video(tmp_path / "still.avi", photos, [[(320, 240)] * 5])
    choose(window, "blazeface_short_range", video_file, loop=False)
    window.runs.run()
    video = window.live.video
    qtbot.waitUntil(lambda: video.painted_frames >= 1, timeout=SLOW)
    qtbot.mouseClick(window.counting.buttons["Zone"], Qt.MouseButton.LeftButton)
    for x, y in ((0.1, 0.1), (0.6, 0.1), (0.6, 0.6)):
        qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, x, y))
    qtbot.mouseDClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.1, 0.6))
    assert [z.name for z in window.counting.setup.zones] == ["zone 1"]
    assert len(window.counting.setup.zones[0].points) == 4
    # A bow tie is refused with the reason, and nothing is added.
    qtbot.mouseClick(window.counting.buttons["Zone"], Qt.MouseButton.LeftButton)
    for x, y in ((0.2, 0.2), (0.8, 0.8), (0.8, 0.2)):
        qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, x, y))
    qtbot.mouseDClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.2, 0.8))
    assert "self-intersecting" in window.counting.hint.text()
    assert len(window.counting.setup.zones) == 1
    window.runs.stop_run()
    window.save_settings()
    again = MainWindow(str(demo_registry), settings)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.session.catalogue is not None, timeout=20000)
    assert again.counting.setup.zones == window.counting.setup.zones


def test_a_model_that_is_not_a_detector_disables_counting_with_the_reason(window, qtbot, photos):
    choose(window, "efficientnet_lite0_imagenet", photos / "Cat.jpg")
    window.runs.run()
    assert not window.counting.track.isEnabled() and not window.counting.draw_line.isEnabled()
    assert window.counting.hint.text() == ("Counting is off: counting needs a detector (boxes to track); "
                                           "imagenet classification gives no boxes")


def test_presentation_mode_shows_the_counts(window, qtbot, photos, tmp_path):
    from tests.ui.live.test_overlay import press

    video_file = write_video(tmp_path / "line.avi", photos, [sweep(100, 540, 200, 30) + sweep(540, 100, 200, 30)])
    choose(window, "blazeface_short_range", video_file, realtime=False, loop=True)
    video = window.live.video
    window.runs.run()
    qtbot.waitUntil(lambda: video.painted_frames >= 3, timeout=SLOW)
    qtbot.mouseClick(window.counting.buttons["Line"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.5, 0.05))
    qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.5, 0.95))
    press(window, qtbot, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: video.presentation, timeout=3000)
    assert not window.counting.bar.isVisible()  # the video alone, with its counts
    qtbot.waitUntil(lambda: any(t.startswith("line 1: in ") and t != "line 1: in 0 · out 0"
                                for t in video.presented_counts), timeout=3 * SLOW)
    press(window, qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.counting.bar.isVisible(), timeout=3000)


def drag(qtbot, video, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Press at ``start``, move in two steps, release at ``end`` (normalised frame points), as a hand does."""
    middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    qtbot.mousePress(video, Qt.MouseButton.LeftButton, pos=pane_point(video, *start))
    qtbot.mouseMove(video, pos=pane_point(video, *middle))
    qtbot.mouseMove(video, pos=pane_point(video, *end))
    qtbot.mouseRelease(video, Qt.MouseButton.LeftButton, pos=pane_point(video, *end))


def near(point, expected, tolerance=0.01) -> bool:
    return abs(point[0] - expected[0]) < tolerance and abs(point[1] - expected[1]) < tolerance


def still_run(window, qtbot, photos, tmp_path):
    """A face standing still, looping: the pane shows frames and the worker keeps counting."""
    video_file = write_video(tmp_path / "still.avi", photos, [[(320, 240)] * 5])
    choose(window, "blazeface_short_range", video_file, loop=True)
    window.runs.run()
    qtbot.waitUntil(lambda: window.live.video.painted_frames >= 1, timeout=SLOW)
    return window.live.video


def reopened(qtbot, settings, demo_registry):
    from model_picker.ui.shell.main_window import MainWindow

    again = MainWindow(str(demo_registry), settings)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.session.catalogue is not None, timeout=20000)
    return again


def test_dragging_a_line_moves_its_end_or_all_of_it_and_the_worker_counts_on_it(
        window, qtbot, photos, tmp_path, settings, demo_registry):
    video = still_run(window, qtbot, photos, tmp_path)
    qtbot.mouseClick(window.counting.buttons["Line"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.2, 0.2))
    qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.2, 0.8))
    # Hovering: the cursor says what a press would take.
    qtbot.mouseMove(video, pos=pane_point(video, 0.2, 0.8))
    assert video.cursor().shape() == Qt.CursorShape.SizeAllCursor
    end = pane_point(video, 0.2, 0.8)  # its handle is painted, white while the mouse is on it
    qtbot.waitUntil(lambda: video.grab().toImage().pixelColor(end).getRgb()[:3] == (255, 255, 255), timeout=5000)
    qtbot.mouseMove(video, pos=pane_point(video, 0.2, 0.5))
    assert video.cursor().shape() == Qt.CursorShape.PointingHandCursor
    qtbot.mouseMove(video, pos=pane_point(video, 0.6, 0.5))
    assert video.cursor().shape() == Qt.CursorShape.ArrowCursor
    # An end dragged: only that end moves.
    drag(qtbot, video, (0.2, 0.8), (0.7, 0.8))
    line = window.counting.setup.lines[0]
    assert near(line.start, (0.2, 0.2)) and near(line.end, (0.7, 0.8))
    assert "line 1 changed: it counts again from zero" in window.counting.hint.text()
    # The body dragged: the whole line moves.
    drag(qtbot, video, (0.45, 0.5), (0.55, 0.4))
    line = window.counting.setup.lines[0]
    assert near(line.start, (0.3, 0.1)) and near(line.end, (0.8, 0.7))
    # The worker counts on the moved line from its next result.
    qtbot.waitUntil(lambda: window.runs.worker.counting.setup.lines == window.counting.setup.lines, timeout=SLOW)
    # An end dropped on the other end: refused with the reason, the line stays where it was.
    drag(qtbot, video, (0.8, 0.7), (0.3, 0.1))
    assert window.counting.setup.lines == (line,)
    assert window.counting.hint.text() == ("Not moved: line 1's end: zero length: its two points are the same, "
                                           "so it has no direction to count; it stays as it was")
    assert window.statusBar().currentMessage() == window.counting.hint.text()  # whole, where there is room
    assert counts_on_screen(video).keys() == {"line 1"}
    window.runs.stop_run()
    window.save_settings()
    assert reopened(qtbot, settings, demo_registry).counting.setup.lines == (line,)  # stored for this source


def test_zone_corners_move_are_added_and_deleted_and_a_bow_tie_is_refused(
        window, qtbot, photos, tmp_path, settings, demo_registry):
    video = still_run(window, qtbot, photos, tmp_path)
    qtbot.mouseClick(window.counting.buttons["Zone"], Qt.MouseButton.LeftButton)
    for x, y in ((0.1, 0.1), (0.6, 0.1), (0.6, 0.6)):
        qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, x, y))
    qtbot.mouseDClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.1, 0.6))
    corners = window.counting.setup.zones[0].points
    # A corner dragged across the opposite edge would make a bow tie: refused, the zone is unchanged.
    drag(qtbot, video, (0.6, 0.6), (0.05, 0.35))
    assert window.counting.setup.zones[0].points == corners
    assert window.counting.hint.text().startswith("Not moved: zone 1's corner: self-intersecting: edge ")
    # A corner dragged outward: that corner moves.
    drag(qtbot, video, (0.6, 0.6), (0.8, 0.7))
    zone = window.counting.setup.zones[0]
    assert near(zone.points[2], (0.8, 0.7)) and zone.points[:2] == corners[:2] and zone.points[3] == corners[3]
    # Double-click on the top edge adds a corner there; double-click on it deletes it again.
    qtbot.mouseDClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.35, 0.1))
    assert len(window.counting.setup.zones[0].points) == 5 and near(window.counting.setup.zones[0].points[1],
                                                                     (0.35, 0.1))
    qtbot.mouseDClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.35, 0.1))
    assert window.counting.setup.zones[0] == zone
    # The inside dragged: the whole zone moves, never past the frame's edge.
    drag(qtbot, video, (0.4, 0.4), (0.1, 0.4))
    moved = window.counting.setup.zones[0]
    assert near(moved.points[0], (0.0, 0.1)) and near(moved.points[2], (0.7, 0.7))
    window.runs.stop_run()
    window.save_settings()
    assert reopened(qtbot, settings, demo_registry).counting.setup.zones == (moved,)


def test_events_from_the_window_are_written_as_csv_and_json_lines_with_the_totals(window, qtbot, photos, tmp_path):
    import csv
    import json

    video_file = write_video(tmp_path / "line.avi", photos, [sweep(100, 540, 200, 30) + sweep(540, 100, 200, 30)])
    choose(window, "blazeface_short_range", video_file, realtime=False, loop=False)
    video = window.live.video
    # Paused while the model loads: one step shows the first frame, to draw the line on.
    window.runs.run()
    qtbot.mouseClick(window.live.controls.pause_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.live.controls.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: video.painted_frames >= 1, timeout=SLOW)
    qtbot.mouseClick(window.counting.buttons["Line"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.5, 0.05))
    qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=pane_point(video, 0.5, 0.95))
    qtbot.mouseClick(window.counting.buttons["Events"], Qt.MouseButton.LeftButton)
    assert window.counting.events.isChecked()
    assert window.counting.hint.text().startswith(f"Writing events to {tmp_path / 'out'}/blazeface_short_range-events-")
    qtbot.mouseClick(window.live.controls.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.live.controls.state_label.text() == "Finished", timeout=3 * SLOW)
    # The run ended: the files are closed, and the status bar says where they are.
    out = tmp_path / "out"
    qtbot.waitUntil(lambda: "events" in window.statusBar().currentMessage(), timeout=5000)
    csv_file, jsonl_file = next(out.glob("*-events-*.csv")), next(out.glob("*-events-*.jsonl"))
    assert window.statusBar().currentMessage() == f"Saved {csv_file} and .jsonl (2 events)"
    rows = list(csv.DictReader(csv_file.open()))
    assert [(r["kind"], r["name"], r["event"], r["class"]) for r in rows] == [
        ("line", "line 1", "out", "face"), ("line", "line 1", "in", "face")]
    assert rows[0]["track_id"] == rows[1]["track_id"] and int(rows[0]["frame"]) < int(rows[1]["frame"])
    lines = [json.loads(x) for x in jsonl_file.read_text().splitlines()]
    assert [(x["event"], x["frame"]) for x in lines[:2]] == [(r["event"], int(r["frame"])) for r in rows]
    assert lines[2] == {"summary": {"lines": {"line 1": {"in": 1, "out": 1}}, "zones": {}}}
    assert window.counting.events.isChecked()  # armed for the next run


def test_an_output_folder_that_cannot_be_written_unticks_events_with_the_reason(window, qtbot, photos, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    window.settings.setValue("output_dir", str(blocker / "out"))  # a folder inside a file: cannot be made
    still_run(window, qtbot, photos, tmp_path)
    qtbot.mouseClick(window.counting.buttons["Events"], Qt.MouseButton.LeftButton)
    assert not window.counting.events.isChecked()
    assert window.counting.hint.text().startswith(f"Events not written: {blocker / 'out'}")


def test_the_counting_row_and_its_hint_fit_at_1440_and_1024(window, qtbot, media):
    """Every control of the counting row is whole and inside the window, and the hint is never cut silently: at
    1440 x 900 (where it was cut at the right edge) and 1024 x 640 it shows whole, and a reason too long for the
    row ends in "…" with the whole text in its tooltip."""
    choose(window, "blazeface_short_range", media / "Megamind.avi")
    counting, hint = window.counting, window.counting.hint
    qtbot.waitUntil(counting.bar.isVisible, timeout=3000)
    for width, height in ((1440, 900), (1024, 640)):
        window.resize(width, height)
        qtbot.wait(100)
        assert window.width() == width
        right = window.rect().right()
        for name, button in counting.buttons.items():
            assert button.isVisible() and button.width() >= button.sizeHint().width(), name
            assert button.mapTo(window, button.rect().topRight()).x() <= right, name
        assert hint.isVisible() and hint.mapTo(window, hint.rect().topRight()).x() <= right
        assert hint.text() == READY and hint.shown_text() == READY  # whole, not cut
        assert hint.fontMetrics().horizontalAdvance(READY) <= hint.contentsRect().width()
        assert READY in hint.toolTip()
        long = "Counting is off: " + "a reason far longer than the row has room for, " * 4
        counting.say(long)
        qtbot.wait(50)
        shown = hint.shown_text()
        assert shown.endswith("…") and long.startswith(shown[:-1]) and hint.toolTip() == long
        assert hint.fontMetrics().horizontalAdvance(shown) <= hint.contentsRect().width()
        counting.say(READY)
