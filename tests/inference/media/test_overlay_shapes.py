"""overlay.describe turns real model results into plain shapes (no Qt), and the drop figures are split."""

from __future__ import annotations

import cv2
import pytest

from model_picker.inference.engine.loading import load_model
from model_picker.inference.engine.stats import StreamStats
from model_picker.inference.media import overlay
from model_picker.registry import open_catalogue


@pytest.fixture(scope="module")
def catalogue(demo_registry):
    return open_catalogue(demo_registry)


def shapes_of(catalogue, name, image, options=None):
    with load_model(catalogue.spec(catalogue.index_of(name))) as model:
        result = model(image)
    return result, overlay.describe(result, image.shape[1], image.shape[0], options)


def test_coco_ssd_boxes_captions_and_counts(catalogue, photos):
    image = cv2.imread(str(photos / "ThreePersons.jpg"))
    result, shapes = shapes_of(catalogue, "ssd_mobilenet_v2_coco_quant", image)
    assert len(shapes.boxes) == len(result.results) and shapes.counts.get("person", 0) >= 3
    for box, item in zip(shapes.boxes, result.results):
        assert [box.x1, box.y1, box.x2, box.y2] == pytest.approx(item["bbox"])
        assert box.text == f"{item['label']} {item['score']:.2f}"
    assert not shapes.classes and shapes.mask is None and not shapes.empty
    _, bare = shapes_of(catalogue, "ssd_mobilenet_v2_coco_quant", image,
                        overlay.OverlayOptions(show_labels=False, show_probabilities=False))
    assert all(box.text == "" for box in bare.boxes)


def test_deeplab_mask_is_translucent_with_a_legend_of_the_classes_present(catalogue, photos):
    image = cv2.imread(str(photos / "person.jpg"))
    _, shapes = shapes_of(catalogue, "deeplabv3_mnv2_pascal", image)
    mask = shapes.mask
    labels = [label for label, _c in mask.legend]
    assert "person" in labels and "background" not in labels
    assert mask.rect == pytest.approx((0, 0, image.shape[1], image.shape[0]), abs=1)  # stretched over the frame
    assert mask.colors[0, 3] == 0  # the background stays clear
    assert all(0 < a < 255 for a in mask.colors[mask.colors[:, 3] > 0, 3])
    _, faint = shapes_of(catalogue, "deeplabv3_mnv2_pascal", image, overlay.OverlayOptions(alpha=0.5))
    assert faint.mask.colors[:, 3].max() < mask.colors[:, 3].max()


def test_what_was_found_is_said_in_the_words_of_the_task(catalogue, photos):
    """A DeepLab result is one entry (the mask): it must not read as "1 detection"."""
    person = cv2.imread(str(photos / "person.jpg"))
    result, seg = shapes_of(catalogue, "deeplabv3_mnv2_pascal", person)
    assert len(result.results) == 1
    text = overlay.found_text(seg)
    assert text.startswith("mask: ") and "person" in text and "detection" not in text
    assert "background" not in text and f"{len(seg.mask.legend)} class" in text
    _, boxes = shapes_of(catalogue, "ssd_mobilenet_v2_coco_quant", cv2.imread(str(photos / "ThreePersons.jpg")))
    assert overlay.found_text(boxes) == f"{len(boxes.boxes)} detections"
    assert overlay.found_text(overlay.Shapes(10, 10)) == "0 detections"
    _, top = shapes_of(catalogue, "efficientnet_lite0_imagenet", cv2.imread(str(photos / "Cat.jpg")))
    assert overlay.found_text(top) == f"top class: {top.classes[0]}"


def test_classification_is_a_list_not_boxes(catalogue, photos):
    _, shapes = shapes_of(catalogue, "efficientnet_lite0_imagenet", cv2.imread(str(photos / "Cat.jpg")))
    assert len(shapes.classes) == 5 and not shapes.boxes
    assert all(0 <= float(text.split()[-1]) <= 1 for text in shapes.classes)


def test_pose_landmarks_become_points_and_skeleton_lines(catalogue, photos):
    image = cv2.imread(str(photos / "person.jpg"))[90:400, 150:300]  # the landmark model wants one cropped person
    result, shapes = shapes_of(catalogue, "blazepose_landmark_full", image)
    if not result.results:
        pytest.skip("the landmark model found no pose in this crop")
    assert len(shapes.points) >= 17 and shapes.lines


def test_drops_of_a_paced_file_are_skips_and_of_a_live_source_are_losses():
    file_stats, live_stats = StreamStats(paced=True), StreamStats(paced=False)
    file_stats.dropped = live_stats.dropped = 7
    paced, live = file_stats.snapshot(), live_stats.snapshot()
    assert (paced.skipped, paced.late, paced.dropped) == (7, 0, 7)
    assert (live.skipped, live.late, live.dropped) == (0, 7, 7)
    assert "real-time pacing" in paced.drop_text() and "could not keep up" in live.drop_text()
