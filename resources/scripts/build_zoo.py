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
  3. writes each JSON's ``"Checksum"`` (definition: app/zoo/checksum.py),
  4. probes every bundled TFLite model on N2X/CPU (the ORCA runtime emulated on the CPU)
     by really loading it and running one photo, and prints which N2X can take and why not.

The N2X model (efficientnet_lite0_imagenet_n2x) keeps its own copy of the TFLite file:
PySDK resolves ModelPath with ``Path.with_name``, so a ModelPath such as
``../efficientnet_lite0_imagenet/efficientnet_lite0.tflite`` raises inside PySDK's zoo
scan and the model is skipped silently (measured with 1.5.0); the zoo server also zips
one folder per model. Git stores the identical bytes once.

Versions used for the committed files (install them in a separate venv, they are
not app dependencies):

    python3 -m venv /tmp/conv && /tmp/conv/bin/pip install \
        tflite2onnx==0.4.1 tflite==2.18.0 onnx==1.17.0 openvino==2026.0.0 numpy
    /tmp/conv/bin/python resources/scripts/build_zoo.py [--source DIR]

The N2X step alone needs only the app's environment (PySDK):

    .venv/bin/python resources/scripts/build_zoo.py --n2x-only
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
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


N2X_MODEL = "efficientnet_lite0_imagenet_n2x"
N2X_FROM = "efficientnet_lite0_imagenet"
N2X_DEVICE = {"DeviceType": "CPU", "RuntimeAgent": "N2X", "SupportedDeviceTypes": "N2X/CPU"}
PROBE_PHOTO = ROOT / "resources" / "photos" / "dog.jpg"
# One load and one predict in a child process: a runtime that aborts cannot take the script down.
PROBE = """
import sys, cv2, degirum as dg
zoo = dg.connect("@local", sys.argv[1])
with zoo.load_model(sys.argv[2], image_backend="opencv") as model:
    model(cv2.imread(sys.argv[3]))
"""


def build_n2x() -> None:
    """The N2X/CPU twin of the TFLite EfficientNet: same model file and labels, N2X device."""
    source = ZOO / N2X_FROM
    cfg = json.loads((source / f"{N2X_FROM}.json").read_text())
    folder = ZOO / N2X_MODEL
    folder.mkdir(exist_ok=True)
    model_name = cfg["MODEL_PARAMETERS"][0]["ModelPath"]
    shutil.copyfile(source / model_name, folder / model_name)
    labels = f"labels_{N2X_MODEL}.json"
    shutil.copyfile(source / cfg["POST_PROCESS"][0]["LabelsPath"], folder / labels)
    cfg["DEVICE"] = [dict(N2X_DEVICE)]
    cfg["POST_PROCESS"][0]["LabelsPath"] = labels
    cfg["Checksum"] = model_checksum(folder / model_name)
    (folder / f"{N2X_MODEL}.json").write_text(json.dumps(cfg, indent=2) + "\n")
    print(f"{N2X_MODEL}: {model_name} {cfg['Checksum'][:12]} on {N2X_DEVICE['SupportedDeviceTypes']}")


def _n2x_error(stderr: str) -> str:
    """N2X's own words from a child's traceback, without C++ locations and generic prefixes."""
    lines = stderr.splitlines()
    start = next((i for i in range(len(lines) - 1, -1, -1) if "Exception" in lines[i]), 0)
    words = []
    for line in lines[start:]:
        line = re.sub(r".*(?:inference|failed): |\[ERROR\]Loading model failed|Error applying \w+\.", "", line).strip()
        if line and not re.search(r"\.(?:h|cpp): \d+|^When running", line):
            words.append(line)
    return "; ".join(words) or stderr.strip()[-300:]


def _try(work: Path, name: str, home: Path) -> str:
    run = subprocess.run([sys.executable, "-c", PROBE, str(work), name, str(PROBE_PHOTO)],
                         env={**os.environ, "HOME": str(home)}, capture_output=True, text=True, timeout=600)
    return "" if run.returncode == 0 else _n2x_error(run.stderr)


def probe_n2x(json_path: Path, work: Path) -> str:
    """How N2X/CPU takes one bundled TFLite model: really loaded and run on a photo, twice."""
    cfg = json.loads(json_path.read_text())
    name = f"{json_path.stem}_n2x_probe"
    folder = work / name
    shutil.copytree(json_path.parent, folder)
    (folder / json_path.name).unlink()
    cfg["DEVICE"] = [dict(N2X_DEVICE)]
    (folder / f"{name}.json").write_text(json.dumps(cfg))
    home = work / f"home-{name}"  # a compile cache of its own
    error = _try(work, name, home)
    if "Postprocessor type" in error:  # is it only the postprocessor? try the raw network
        cfg["POST_PROCESS"] = [{"OutputPostprocessType": "None"}]
        (folder / f"{name}.json").write_text(json.dumps(cfg))
        raw = _try(work, name, home.with_name(f"{home.name}-raw"))  # the first try already filled the cache
        return f"cannot: {error} (without it, the raw network: {raw or 'runs'})"
    if error:
        return f"cannot: {error}"
    again = _try(work, name, home)  # a second process, reading the compile cache the first one wrote
    return "runs" + (f"; a second process fails reading the compile cache the first wrote: {again}" if again else "")


def report_n2x() -> None:
    """Really try every bundled TFLite model on N2X/CPU and say which it takes."""
    try:
        import degirum  # noqa: F401
    except ImportError:
        print("N2X probe skipped: PySDK is not in this environment; run it with the app's: "
              ".venv/bin/python resources/scripts/build_zoo.py --n2x-only")
        return
    print("\nN2X/CPU (ORCA runtime emulated on the CPU) on the bundled TFLite models:")
    with tempfile.TemporaryDirectory() as tmp:
        for json_path in sorted(ZOO.glob("*/*.json")):
            if json_path.name.startswith("labels_") or json_path.parent.name == N2X_MODEL:
                continue
            if json.loads(json_path.read_text())["DEVICE"][0]["RuntimeAgent"] != "TFLITE":
                continue
            print(f"  {json_path.stem:<28} {probe_n2x(json_path, Path(tmp))}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--n2x-only", action="store_true", help="only build the N2X model and probe N2X")
    args = parser.parse_args()
    if not args.n2x_only:
        for json_path in sorted(ZOO.glob("*/*.json")):
            if not json_path.name.startswith("labels_") and json_path.parent.name != N2X_MODEL:
                build_model(json_path, args.source)
    build_n2x()
    report_n2x()


if __name__ == "__main__":
    main()
