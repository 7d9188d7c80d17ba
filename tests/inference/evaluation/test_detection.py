"""Box mAP through degirum_tools' evaluator: our figures equal the evaluator's, classes match by name,
failed images are listed, broken datasets are one located line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from model_picker.inference.evaluation.dataset import DatasetError, load_coco, match_classes
from model_picker.inference.evaluation.detection import EVAL_THRESHOLD, evaluate_detection
from tests.cli.test_cli import cli

MODEL = "ssd_mobilenet_v2_coco_quant"


@pytest.fixture(scope="module")
def sample(root) -> tuple[Path, Path]:
    folder = root / "resources" / "datasets" / "coco-sample-20"
    return folder, folder / "labels.json"


def _load(name: str = MODEL):
    from model_picker.inference.engine.loading import load_model
    from model_picker.registry import open_catalogue
    from model_picker.session.plan import RunPlan, prepare
    from model_picker.zoo.bundled import demo_registry

    catalogue = open_catalogue(str(demo_registry()))
    return load_model(prepare(RunPlan(catalogue, catalogue.index_of(name))))


def _subset(labels: Path, out: Path, count: int) -> dict:
    """The first ``count`` images of ``labels`` and their annotations, written to ``out``."""
    doc = json.loads(labels.read_text())
    doc["images"] = sorted(doc["images"], key=lambda i: i["id"])[:count]
    ids = {i["id"] for i in doc["images"]}
    doc["annotations"] = [a for a in doc["annotations"] if a["image_id"] in ids]
    out.write_text(json.dumps(doc))
    return doc


def test_the_cli_gives_the_evaluators_own_figures_on_the_bundled_sample(sample, tmp_path):
    from degirum_tools import ObjectDetectionModelEvaluator

    folder, labels = sample
    model = _load()
    cats = {c["name"].lower(): c["id"] for c in json.loads(labels.read_text())["categories"]}
    # by name; a model class the dataset lacks goes to an id no annotation has, which COCOeval ignores
    classmap = {int(k): cats.get(v.lower(), -1 - int(k)) for k, v in model.label_dictionary.items()}
    evaluator = ObjectDetectionModelEvaluator(model, classmap=classmap, output_confidence_threshold=EVAL_THRESHOLD)
    reference = evaluator.evaluate(str(folder), str(labels))[0]

    out_json = tmp_path / "figures.json"
    out = cli("evaluate", MODEL, "--json", str(out_json))  # the defaults are the bundled sample
    assert out.returncode == 0, out.stderr
    row = json.loads(out_json.read_text())["rows"][0]
    assert abs(row["map50_95"] - reference[0]) < 0.002 and abs(row["map50"] - reference[1]) < 0.002
    assert abs(row["map75"] - reference[2]) < 0.002
    assert row["images"] == 20 and row["threshold"] == 0.01 and not row["failed_images"]
    assert "confidence threshold 0.01" in out.stdout and MODEL in out.stdout
    assert "parking meter" in row["unmatched_model_classes"] and row["unmatched_dataset_categories"] == []
    assert "ETA" in out.stderr
    aps = [v for v in row["per_class_ap"].values() if v is not None]
    assert len(aps) >= 10 and all(0 <= v <= 1 for v in aps)


@pytest.fixture(scope="module")
def ssd():
    return _load()


def test_classes_match_by_name_whatever_the_dataset_numbers_them(sample, ssd, tmp_path):
    folder, labels = sample
    doc = _subset(labels, tmp_path / "orig.json", 6)
    renumbered = json.loads(json.dumps(doc))
    new_id = {c["id"]: 500 + n for n, c in enumerate(reversed(doc["categories"]))}
    for c in renumbered["categories"]:
        c["id"], c["name"] = new_id[c["id"]], c["name"].upper()  # other ids, other case
    for a in renumbered["annotations"]:
        a["category_id"] = new_id[a["category_id"]]
    renumbered["categories"].append({"id": 7, "name": "Unicorn"})
    (tmp_path / "renum.json").write_text(json.dumps(renumbered))

    original = evaluate_detection(ssd, load_coco(folder, tmp_path / "orig.json"))
    renum = evaluate_detection(ssd, load_coco(folder, tmp_path / "renum.json"))
    assert original.map50_95 > 0.1
    assert math.isclose(original.map50_95, renum.map50_95) and math.isclose(original.map50, renum.map50)
    assert renum.match.dataset_only == ["Unicorn"] and "toothbrush" in renum.match.model_only
    person = next(c["id"] for c in doc["categories"] if c["name"] == "person")
    assert renum.match.classmap[0] == new_id[person] != 0  # the model's "person" (0) is the dataset's PERSON


def test_match_classes_ignores_case_and_reports_both_sides():
    match = match_classes({0: "Person", 1: "car", 2: "kite"}, {1: "person", 3: "CAR", 9: "zebra"})
    assert match.classmap == {0: 1, 1: 3} and match.model_only == ["kite"] and match.dataset_only == ["zebra"]


def test_a_missing_or_unreadable_image_is_listed_and_the_rest_scored(sample, ssd, tmp_path):
    folder, labels = sample
    doc = _subset(labels, tmp_path / "labels.json", 4)
    images = tmp_path / "images"
    for img in doc["images"]:
        (images / img["file_name"]).parent.mkdir(parents=True, exist_ok=True)
        (images / img["file_name"]).write_bytes((folder / img["file_name"]).read_bytes())
    (images / doc["images"][1]["file_name"]).unlink()
    (images / doc["images"][2]["file_name"]).write_bytes(b"not a picture")
    scores = evaluate_detection(ssd, load_coco(images, tmp_path / "labels.json"))
    failed = {Path(p).name: why for p, why in scores.failed}
    assert set(failed) == {Path(doc["images"][1]["file_name"]).name, Path(doc["images"][2]["file_name"]).name}
    assert failed[Path(doc["images"][1]["file_name"]).name] == "missing"
    assert scores.images == 2 and scores.map50 > 0


def test_bad_json_is_one_located_line_and_exit_2(tmp_path):
    bad = tmp_path / "labels.json"
    bad.write_text('{\n "images": [],\n "annotations": [,]\n}\n')
    out = cli("evaluate", MODEL, "--images", str(tmp_path), "--annotations", str(bad))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{bad} line 3 column" in lines[0], out.stderr


def test_a_bad_entry_names_the_file_and_the_entry(sample, tmp_path):
    folder, labels = sample
    doc = json.loads(labels.read_text())
    doc["annotations"][5]["category_id"] = 4242
    bad = tmp_path / "labels.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(DatasetError, match=r"labels.json: annotations\[5\]: category_id 4242"):
        load_coco(folder, bad)
    out = cli("evaluate", MODEL, "--images", str(folder), "--annotations", str(bad))
    assert out.returncode == 2 and "annotations[5]" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_ctrl_c_cancels_the_run_cleanly(sample):
    import signal
    import subprocess
    import sys
    import time

    folder, labels = sample
    proc = subprocess.Popen([sys.executable, "-m", "model_picker", "evaluate", MODEL, "--images", str(folder),
                             "--annotations", str(labels)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    seen = ""
    deadline = time.monotonic() + 120
    while "/20 images" not in seen and time.monotonic() < deadline:  # the progress line: the model is running
        seen += proc.stderr.read(1)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, seen + err
    assert "interrupted" in err and "mAP50-95" not in out and "20/20" not in err
    assert time.monotonic() - sent < 10


def test_one_model_on_two_hosts_is_one_table_with_the_difference(sample, ai_server, tmp_path):
    folder, labels = sample
    _subset(labels, tmp_path / "labels.json", 5)
    out_json = tmp_path / "figures.json"
    out = cli("evaluate", MODEL, "--images", str(folder), "--annotations", str(tmp_path / "labels.json"),
              "--host", "@local", "--host", ai_server.host, "--json", str(out_json), "--quiet")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out_json.read_text())["rows"]
    assert [r["host"] for r in rows] == ["@local", ai_server.host]
    assert rows[0]["delta_map50_95"] == 0 and abs(rows[1]["delta_map50_95"]) < 0.002  # same model, same runtime
    table = out.stdout.splitlines()
    assert "Δ" in table[0] and "@local" in table[1] and ai_server.host in table[2]
    assert f"{rows[1]['delta_map50_95']:+.4f}" in table[2]
