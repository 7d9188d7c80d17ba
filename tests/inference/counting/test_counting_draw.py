"""The counting overlay OpenCV draws for ``model-picker run --out`` (no Qt), on a real frame and result."""

from __future__ import annotations

import numpy as np
import pytest

from model_picker.inference.counting.analyzers import Counter, CountingSetup, Line, Zone
from model_picker.inference.counting.draw import COUNTER_RGB, draw_counting
from model_picker.inference.engine.loading import load_model
from model_picker.inference.engine.pipeline import Pipeline
from model_picker.inference.media.sources import FrameFeeder, parse_source
from model_picker.registry import open_catalogue
from tests.inference.counting.facevideo import BACKGROUND, HEIGHT, WIDTH, sweep, write_video

BGR = COUNTER_RGB[::-1]
DOOR = Line("door", (0.5, 0.05), (0.5, 0.95))
BAY = Zone("bay", ((0.05, 0.6), (0.3, 0.6), (0.3, 0.95), (0.05, 0.95)))


def counter_colour(pixels: np.ndarray) -> np.ndarray:
    return (np.abs(pixels.astype(int) - BGR) <= 40).all(axis=-1)


@pytest.fixture(scope="module")
def counted(demo_registry, photos, tmp_path_factory):
    """A face crossing the door once, through BlazeFace and a tracking counter: the last result and the counter."""
    video = write_video(tmp_path_factory.mktemp("draw") / "line.avi", photos, [sweep(100, 540, 200, 30)])
    catalogue = open_catalogue(demo_registry)
    counter = Counter(CountingSetup((DOOR,), (BAY,), track=True))
    with load_model(catalogue.spec(catalogue.index_of("blazeface_short_range"))) as model:
        for item in Pipeline(model, FrameFeeder(parse_source(str(video)))).run():
            counter.analyze(item.result)
            last = item.result
    assert counter.counts.lines == {"door": (0, 1)}
    return last, counter


def test_lines_zones_counts_and_track_ids_are_drawn_on_the_overlay(counted):
    result, counter = counted
    plain = result.image_overlay
    drawn = draw_counting(plain.copy(), counter, result)
    assert drawn.shape == (HEIGHT, WIDTH, 3)
    # The line: its colour all down the line (the label and arrow cover a little of it).
    span = slice(round(0.05 * HEIGHT) + 3, round(0.95 * HEIGHT) - 3)
    assert counter_colour(drawn[span, WIDTH // 2 - 1:WIDTH // 2 + 2]).any(axis=1).mean() > 0.8
    assert counter_colour(plain[span, WIDTH // 2 - 1:WIDTH // 2 + 2]).any(axis=1).mean() < 0.2  # not PySDK's
    # The zone: outlined in the colour, its inside tinted towards it (the background was plain grey).
    assert counter_colour(drawn[round(0.6 * HEIGHT) + 1:round(0.95 * HEIGHT), round(0.05 * WIDTH)]).mean() > 0.8
    inside = drawn[round(0.65 * HEIGHT), round(0.08 * WIDTH)].astype(int)
    assert inside[2] > BACKGROUND[2] + 10 and inside[0] < BACKGROUND[0] - 10  # redder, less blue: yellow tint
    # Labels: a black box beside the line, away from its arrow (the line is drawn downwards: "in" is to the
    # left), and one in the tracked face's box corner (its #id).
    black = (drawn == 0).all(axis=-1)
    assert black[:, WIDTH // 2 + 2:WIDTH // 2 + 150].sum() > 200
    assert black[:, WIDTH // 2 - 150:WIDTH // 2 - 2].sum() == 0
    assert counter_colour(drawn[HEIGHT // 2 - 40:HEIGHT // 2 + 40, WIDTH // 2 - 40:WIDTH // 2 - 4]).sum() > 20  # arrow
    x1, y1 = (round(v) for v in result.results[0]["bbox"][:2])
    assert "track_id" in result.results[0]
    was_black = (plain == 0).all(axis=-1)
    assert black[y1:y1 + 40, x1:x1 + 40].sum() > 50 + was_black[y1:y1 + 40, x1:x1 + 40].sum()


def test_nothing_to_count_leaves_the_frame_as_it_was(counted):
    result, _counter = counted
    plain = result.image_overlay
    assert np.array_equal(draw_counting(plain.copy(), Counter(CountingSetup()), result), plain)
    from model_picker.inference.counting.live import LiveCounting

    assert np.array_equal(draw_counting(plain.copy(), LiveCounting(), result), plain)
    assert np.array_equal(draw_counting(plain.copy(), None, result), plain)  # run --out without counting options
