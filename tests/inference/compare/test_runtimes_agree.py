"""One model on several runtimes or hosts gives the same answers: the field engineer's check (issue 10)."""

from __future__ import annotations

import pytest

from model_picker.inference.media.sources import parse_source
from model_picker.session.compare.events import FrameGroup, PaneResult, SourceEnded
from model_picker.session.compare.runner import Comparison
from tests.inference.compare.conftest import rows_by_name, run_all

BLAZEFACE = ("blazeface_short_range", "blazeface_short_range_onnx", "blazeface_short_range_openvino")


@pytest.mark.parametrize("source, frames", [("photos", None), ("media/Megamind.avi", 60)])
def test_blazeface_tflite_onnx_openvino_agree_on_faces(plans, root, source, frames):
    comparison = Comparison(plans(*BLAZEFACE), parse_source(str(root / "resources" / source)), "sync",
                            max_frames=frames)
    events = run_all(comparison)
    groups = [e for e in events if isinstance(e, FrameGroup)]
    expected = frames or len(list((root / "resources" / "photos").iterdir()))
    assert len(groups) == expected and isinstance(events[-1], SourceEnded)
    assert events[-1].reason == "end of source"
    # Synchronised: every pane answered each frame, and a group holds one answer per pane.
    assert all(set(g.answers) == {0, 1, 2} for g in groups)
    rows = rows_by_name(comparison)
    assert rows[BLAZEFACE[0]].reference and rows[BLAZEFACE[0]].agreement is None
    for name in BLAZEFACE[1:]:
        row = rows[name]
        assert row.frames == expected and row.metrics["ref_count"] > 0, row
        assert row.agreement >= 0.99 and row.metrics["f1"] == row.agreement, row
        assert row.metrics["mean_iou"] > 0.95 and row.fps > 0 and row.latency_p95_ms >= row.latency_p50_ms > 0
    worst = comparison.worst_frames()
    assert len(worst) == min(5, sum(g.score < 1 for g in groups)) and all(w.score < 1 for w in worst)
    if worst:
        assert worst[0].score == min(g.score for g in groups)
        assert worst[0].image is not None and set(worst[0].answers) == {0, 1, 2}


def test_deeplab_tflite_and_onnx_masks_agree(plans, media):
    comparison = Comparison(plans("deeplabv3_mnv2_pascal", "deeplabv3_mnv2_pascal_onnx"),
                            parse_source(str(media / "vtest.avi")), "sync", max_frames=20)
    run_all(comparison)
    row = rows_by_name(comparison)["deeplabv3_mnv2_pascal_onnx"]
    assert row.frames == 20 and row.agreement >= 0.95 and row.metrics["miou"] == row.agreement, row


@pytest.mark.xfail(strict=True, reason="goal mIoU >= 0.95 missed: measured 0.82 over the bundled photos, 0.65-1.0 per "
                                       "photo (99 % of pixels equal); "
                                       "the OpenVINO IR has FP16 weights, which flip small or ambiguous regions "
                                       "(horse/sheep, a few pixels of bottle or chair) and each class weighs fully")
def test_deeplab_tflite_and_openvino_masks_agree(plans, photos):
    comparison = Comparison(plans("deeplabv3_mnv2_pascal", "deeplabv3_mnv2_pascal_openvino"),
                            parse_source(str(photos)), "sync")
    run_all(comparison)
    row = rows_by_name(comparison)["deeplabv3_mnv2_pascal_openvino"]
    assert row.metrics["pixel_agreement"] > 0.97  # holds: the failure below is the mIoU goal alone
    assert row.agreement >= 0.95, row


@pytest.mark.server
def test_the_same_model_on_local_and_on_an_ai_server_agrees_fully(plans, media, ai_server):
    comparison = Comparison(plans("blazeface_short_range", ("blazeface_short_range", ai_server.host)),
                            parse_source(str(media / "Megamind.avi")), "sync", max_frames=40)
    events = run_all(comparison)
    rows = comparison.table()
    assert rows[1].host == ai_server.host and rows[0].host == "@local"
    assert rows[1].frames == 40 and rows[1].agreement == 1.0, rows[1]
    assert rows[1].metrics["matched"] == rows[1].metrics["ref_count"] > 0
    assert sum(isinstance(e, PaneResult) for e in events) == 80
