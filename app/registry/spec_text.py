"""A ModelSpec as text: YAML to save and load, and a Python snippet that runs it.

The token is left out unless asked for: specs get pasted into tickets and chats.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from degirum_tools import ModelSpec

from model_picker.registry.loader import RegistryError, parse_yaml

FIELDS = ("model_name", "zoo_url", "inference_host_address", "token", "model_properties", "metadata")


def spec_to_dict(spec: ModelSpec, include_token: bool = False) -> dict[str, Any]:
    data = {name: getattr(spec, name) for name in FIELDS}
    if not include_token or not data["token"]:
        data.pop("token")
    return data


def spec_to_yaml(spec: ModelSpec, include_token: bool = False) -> str:
    return yaml.safe_dump(spec_to_dict(spec, include_token), sort_keys=False, width=100)


def spec_from_yaml(text: str, source: str = "<spec>") -> ModelSpec:
    """Load a saved spec; unknown or invalid fields are reported, never guessed."""
    data = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise RegistryError(source, "a spec file must be a mapping of ModelSpec fields")
    unknown = sorted(set(data) - set(FIELDS) - {"model_url"})
    if unknown:
        raise RegistryError(source, f"unknown field {unknown[0]!r} (known: {', '.join(FIELDS)})", field=unknown[0])
    from degirum_tools import ModelSpec

    try:
        return ModelSpec(**data)
    except (TypeError, ValueError) as exc:
        raise RegistryError(source, str(exc)) from None


def _needs_runtimes(spec: ModelSpec) -> bool:
    """ONNX and OpenVINO models need the app's runtime preparation (a library path, one re-exec)."""
    types = spec.model_properties.get("device_type") or []
    types = [types] if isinstance(types, str) else types
    return any(str(t).upper().startswith(("ONNX", "OPENVINO")) for t in types)


def _needs_app_result_types(spec: ModelSpec) -> bool:
    """A local model whose JSON names a result type the app registers with PySDK (the DeepLab models)."""
    zoo = Path(spec.zoo_url) if spec.zoo_url and "://" not in spec.zoo_url else None
    json_file = zoo / spec.model_name / f"{spec.model_name}.json" if zoo else None
    try:
        return json_file is not None and "SegmentationArgmax" in json_file.read_text(errors="replace")  # renderers.py
    except OSError:
        return False


def spec_to_python(spec: ModelSpec, source: str) -> str:
    """A snippet that reproduces the run outside the app; it runs as shown with ``python snippet.py``.

    ``source`` is the image it runs on (a bundled photo that suits the model:
    ``zoo.bundled.sample_photo``). PySDK runs Python
    postprocessors with the first ``python3`` on PATH, so the snippet puts its own
    interpreter's folder first (a plain shell's PATH has the system python, which
    lacks the packages, and the run hangs); ONNX and OpenVINO models use the app's
    runtime preparation, which does that too.
    """
    props = dict(spec.model_properties)
    lines = ["import os", "import sys", "", "import degirum_tools", ""]
    if _needs_runtimes(spec):
        lines += ["from model_picker.zoo.runtime.agents import prepare_process",
                  "",
                  "prepare_process([sys.executable, *sys.argv])  # ONNX/OpenVINO libraries; this python on PATH"]
    else:
        lines += ["# PySDK starts Python postprocessors with the first python3 on PATH: make it this one.",
                  'os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")']
    if _needs_app_result_types(spec):
        lines += ["from model_picker.inference.engine.renderers import register  # noqa: E402",
                  "",
                  "register()  # the model's result type (SegmentationArgmax), known to the app, not to PySDK"]
    lines += [
        "",
        "spec = degirum_tools.ModelSpec(",
        f"    model_name={spec.model_name!r},",
        f"    zoo_url={spec.zoo_url!r},",
        f"    inference_host_address={spec.inference_host_address!r},",
    ]
    if spec.token:
        lines.append("    token=os.environ['DEGIRUM_CLOUD_TOKEN'],")
    if props:
        lines.append(f"    model_properties={props!r},")
    lines += [
        ")",
        "with spec.load_model() as model:",
        f"    result = model({source!r})",
        "    print(result)",
    ]
    return "\n".join(lines) + "\n"
