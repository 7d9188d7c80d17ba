"""Fill the bundled demo zoo (resources/zoo) with model files and their checksums.

Why a script: the zoo's ONNX and OpenVINO models are converted from the TFLite
originals, and anyone must be able to redo that and get a zoo that PySDK accepts.
The results are committed, so users never need the converters.

The model JSONs, labels and postprocessors in resources/zoo are hand-written and
committed; this script only
  1. copies each TFLite model (and the SSD anchor file) named by a JSON from the
     source folder (default: ../shared/assets/models, see its MANIFEST.md),
  2. converts the ``.onnx`` and ``.xml`` (OpenVINO IR) ModelPaths from the
     ``.tflite`` of the same stem,
  3. writes each JSON's ``"Checksum"`` (definition: app/zoo/checksum.py).

Versions used for the committed files (install them in a separate venv, they are
not app dependencies):

    python3 -m venv /tmp/conv && /tmp/conv/bin/pip install \
        tflite2onnx==0.4.1 tflite==2.18.0 onnx==1.17.0 openvino==2026.0.0 numpy
    /tmp/conv/bin/python resources/scripts/build_zoo.py [--source DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from model_picker.zoo.checksum import model_checksum  # noqa: E402

ZOO = ROOT / "resources" / "zoo"
DEFAULT_SOURCE = ROOT.parent / "shared" / "assets" / "models"


def convert_onnx(tflite: Path, out: Path) -> None:
    """tflite2onnx writes an NCHW-input ONNX graph (hence InputTensorLayout NCHW)."""
    subprocess.run([Path(sys.executable).with_name("tflite2onnx"), str(tflite), str(out)], check=True)


def tflite_output_quantization(tflite: Path) -> list[tuple[float, int] | None]:
    """(scale, zero point) of each quantized TFLite output, None for float ones."""
    import tflite as tfl

    graph = tfl.Model.GetRootAsModel(tflite.read_bytes(), 0).Subgraphs(0)
    result: list[tuple[float, int] | None] = []
    for i in range(graph.OutputsLength()):
        quant = graph.Tensors(graph.Outputs(i)).Quantization()
        scales = quant.ScaleAsNumpy() if quant is not None and quant.ScaleLength() else None
        result.append((float(scales[0]), int(quant.ZeroPointAsNumpy()[0])) if scales is not None else None)
    return result


def convert_openvino(tflite: Path, out: Path) -> None:
    """OpenVINO reads TFLite directly; the IR keeps the NHWC input of the original.

    OpenVINO's TFLite frontend drops the quantization of integer outputs (the
    EfficientNet softmax comes out as raw uint8), so the dequantization
    ``(q - zero_point) * scale`` is appended to the graph: PySDK then gets the
    same float scores as from the TFLite agent.
    """
    import openvino as ov
    import openvino.opset13 as ops

    model = ov.convert_model(str(tflite))
    ppp = ov.preprocess.PrePostProcessor(model)
    for i, quant in enumerate(tflite_output_quantization(tflite)):
        if quant is not None and model.outputs[i].get_element_type() != ov.Type.f32:
            scale, zero = quant
            steps = ppp.output(i).postprocess().convert_element_type(ov.Type.f32)
            steps.custom(lambda out, s=scale, z=zero: ops.multiply(
                ops.subtract(out, ops.constant(float(z), ov.Type.f32)), ops.constant(s, ov.Type.f32)).output(0))
    model = ppp.build()
    ov.save_model(model, str(out))


def build_model(json_path: Path, source: Path) -> None:
    cfg = json.loads(json_path.read_text())
    folder = json_path.parent
    model_path = folder / cfg["MODEL_PARAMETERS"][0]["ModelPath"]
    tflite = source / (model_path.stem + ".tflite")
    if model_path.suffix == ".tflite":
        shutil.copyfile(tflite, model_path)
    elif model_path.suffix == ".onnx":
        convert_onnx(tflite, model_path)
    elif model_path.suffix == ".xml":
        convert_openvino(tflite, model_path)
    else:
        raise SystemExit(f"{json_path}: no rule for ModelPath {model_path.name}")
    anchors = cfg["POST_PROCESS"][0].get("SsdAnchorsPath")
    if anchors:
        shutil.copyfile(source / anchors, folder / anchors)
    cfg["Checksum"] = model_checksum(model_path)
    json_path.write_text(json.dumps(cfg, indent=2) + "\n")
    print(f"{folder.name}: {model_path.name} {cfg['Checksum'][:12]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    for json_path in sorted(ZOO.glob("*/*.json")):
        if not json_path.name.startswith("labels_"):
            build_model(json_path, args.source)


if __name__ == "__main__":
    main()
