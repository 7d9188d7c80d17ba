"""Agreement by task, on real results of the bundled models over real photos."""

from __future__ import annotations

import cv2
import pytest

from model_picker.errors import InferenceError
from model_picker.inference.compare.agreement import Agreement, AgreementTally, agreement, shared_classes, task_kind
from model_picker.inference.engine.compound import load_runnable
from model_picker.registry import open_catalogue


@pytest.fixture(scope="module")
def catalogue(demo_registry):
    return open_catalogue(demo_registry)


@pytest.fixture(scope="module")
def answers(catalogue, photos):
    """Each model's results on a few photos, run once for the module (name -> [InferenceResults])."""
    names = ["ssd_mobilenet_v2_coco_quant", "ssd_mobilenetv2_oidv4", "efficientnet_lite0_imagenet",
             "efficientnet_lite0_imagenet_openvino", "deeplabv3_mnv2_pascal", "deeplabv3_mnv2_pascal_onnx",
             "deeplabv3_mnv2_pascal_openvino",
             "blazepose_on_persons", "blazeface_short_range", "blazeface_short_range_openvino"]
    images = [cv2.imread(str(photos / n)) for n in ("person.jpg", "dog.jpg", "ThreePersons.jpg", "astronaut.png")]
    out = {}
    for name in names:
        with load_runnable(catalogue.spec(catalogue.index_of(name))) as model:
            out[name] = [model(image) for image in images]
    return out


def test_a_result_agrees_fully_with_itself(answers):
    for name, task in (("ssd_mobilenet_v2_coco_quant", "coco_detection"), ("deeplabv3_mnv2_pascal", "segmentation"),
                       ("efficientnet_lite0_imagenet", "imagenet_classification"),
                       ("blazepose_on_persons", "pose_estimation")):
        for result in answers[name]:
            same = agreement(task, result, result)
            assert same.score == 1.0, (name, same)
            assert same.shared_classes is None


def test_detection_counts_and_f1_of_two_runtimes(answers):
    ref, other = answers["blazeface_short_range"][3], answers["blazeface_short_range_openvino"][3]
    value = agreement("face_detection", ref, other)
    assert value.metrics["ref_count"] == value.metrics["other_count"] == value.metrics["matched"] == 1
    assert value.score == value.metrics["f1"] == 1.0
    assert value.metrics["mean_iou"] > 0.95 and value.metrics["mean_score_diff"] < 0.05
    # A result compared with an empty one: nothing matches.
    assert agreement("face_detection", ref, []).score == 0.0
    assert agreement("face_detection", [], []).score == 1.0


def test_coco_against_open_images_compares_shared_classes_by_name(answers):
    coco, oid = answers["ssd_mobilenet_v2_coco_quant"][1], answers["ssd_mobilenetv2_oidv4"][1]  # dog.jpg
    value = agreement("coco_detection", coco, oid)
    assert value.shared_classes is not None
    assert {"person", "car", "dog", "bicycle"} <= set(value.shared_classes)
    assert "Boot" not in value.shared_classes and "toaster" not in value.shared_classes
    assert value.score == 1.0  # on dog.jpg both find the dog, the bicycle and the car
    # On person.jpg Open Images also sees a "Dog" where COCO sees a horse (not a shared class): F1 2/3.
    assert agreement("coco_detection", answers["ssd_mobilenet_v2_coco_quant"][0],
                     answers["ssd_mobilenetv2_oidv4"][0]).score == pytest.approx(2 / 3)
    # Comparing the other way round names the same classes (in the reference's spelling).
    back = agreement("coco_detection", oid, coco)
    assert {c.lower() for c in back.shared_classes} == {c.lower() for c in value.shared_classes}
    assert back.metrics["f1"] == pytest.approx(value.metrics["f1"])


def test_label_map_renames_the_other_models_labels():
    assert shared_classes(["person", "car"], ["Human", "Car"]) == ("car",)
    assert shared_classes(["person", "car"], ["Human", "Car"], {"human": "person"}) is None
    ref = [{"bbox": [0, 0, 10, 10], "label": "person", "score": 0.9}]
    other = [{"bbox": [0, 0, 10, 10], "label": "Human", "score": 0.8}]
    assert agreement("detection", ref, other).score == 0.0
    mapped = agreement("detection", ref, other, label_map={"Human": "person"})
    assert mapped.score == 1.0 and mapped.metrics["mean_score_diff"] == pytest.approx(0.1)


def test_classification_top1_and_top5(answers):
    for a, b in zip(answers["efficientnet_lite0_imagenet"], answers["efficientnet_lite0_imagenet_openvino"]):
        value = agreement("imagenet_classification", a, b)
        assert set(value.metrics) == {"top1", "top5_overlap"}
        assert value.score == value.metrics["top1"]
        assert 0.0 <= value.metrics["top5_overlap"] <= 1.0
    # person.jpg against astronaut.png: different top-1
    first, second = answers["efficientnet_lite0_imagenet"][0], answers["efficientnet_lite0_imagenet"][3]
    assert agreement("classification", first, second).score == 0.0


def test_segmentation_miou_of_two_runtimes(answers):
    for a, b in zip(answers["deeplabv3_mnv2_pascal"], answers["deeplabv3_mnv2_pascal_onnx"]):
        value = agreement("segmentation", a, b)
        assert value.score == value.metrics["miou"] and value.score >= 0.95, value
    # The OpenVINO IR holds FP16 weights: 98 % of the pixels agree, but small or ambiguous regions
    # (horse or sheep, a few pixels of bottle) change class, and each such class weighs fully in the mean.
    for a, b in zip(answers["deeplabv3_mnv2_pascal"], answers["deeplabv3_mnv2_pascal_openvino"]):
        value = agreement("segmentation", a, b)
        assert value.metrics["pixel_agreement"] > 0.97 and value.score < 1.0, value
    # Two different photos' maps hardly overlap.
    maps = answers["deeplabv3_mnv2_pascal"]
    assert agreement("segmentation", maps[0], maps[3]).score < 0.5


def test_pose_keypoints_drift_lowers_the_score(answers):
    result = answers["blazepose_on_persons"][2]  # ThreePersons.jpg
    assert len(result.results) >= 2
    moved = []
    for person in result.results:
        x1, y1, x2, y2 = person["bbox"]
        shift = 0.3 * ((x2 - x1) * (y2 - y1)) ** 0.5  # far beyond the 0.1 tolerance
        marks = [{**m, "landmark": [m["landmark"][0] + shift, m["landmark"][1]]} for m in person["landmarks"]]
        moved.append({**person, "landmarks": marks})
    value = agreement("pose_estimation", result, moved)
    assert value.score == 0.0 and value.metrics["mean_kpt_dist"] == pytest.approx(0.3, rel=1e-3)
    assert value.metrics["matched"] == len(result.results)


def test_different_tasks_are_refused_in_one_line(answers):
    with pytest.raises(InferenceError) as info:
        agreement("segmentation", answers["deeplabv3_mnv2_pascal"][0], answers["ssd_mobilenet_v2_coco_quant"][0])
    assert "\n" not in str(info.value) and "detection" in str(info.value)
    with pytest.raises(InferenceError, match="agreement is measured for"):
        task_kind("speech_recognition")


def test_tally_means_sums_and_worst_frames():
    tally = AgreementTally()
    for frame, (score, matched) in enumerate([(1.0, 2), (0.5, 1), (0.0, 0), (1.0, 2)]):
        tally.add(frame, Agreement(score, {"f1": score, "mean_iou": 0.9 if matched == 2 else 0.6,
                                           "matched": float(matched), "ref_count": 2.0, "other_count": 2.0}))
    run = tally.mean()
    assert run.score == pytest.approx(0.625) and run.metrics["f1"] == pytest.approx(0.625)
    assert run.metrics["matched"] == 5 and run.metrics["ref_count"] == 8
    assert run.metrics["mean_iou"] == pytest.approx((0.9 * 4 + 0.6) / 5)  # weighted by matches, not frames
    assert run.metrics["pooled_f1"] == pytest.approx(10 / 16)
    assert tally.worst(2) == [(2, 0.0), (1, 0.5)]
    assert AgreementTally().mean().score == 1.0
