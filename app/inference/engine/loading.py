"""Connect to an inference host and load a ModelSpec, with deliberate device choice.

Why not ``spec.load_model()`` alone: the app feeds BGR numpy frames (so the
OpenCV image backend, whose overlays are far cheaper than the default's), needs
the client-side renderers registered first, and must choose devices. On CPU
runtimes PySDK offers two device indexes that fight over the same cores (both
together are many times slower than one), so "auto" takes one device there and
every device on real accelerators.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model_picker.inference.engine.errors import InferenceError, explain
from model_picker.redact import reveal
from model_picker.zoo.hosts import LOCAL, is_local_folder
from model_picker.zoo.integrity import DamagedModelError, verify_local_model
from model_picker.zoo.validate import broken_file, name_broken_file

APP_PROPERTIES = {"image_backend": "opencv"}


@dataclass(frozen=True)
class DeviceChoice:
    """``auto``, ``all`` or explicit indexes such as ``0`` or ``0,1``."""

    text: str = "auto"

    def indexes(self, device_type: str, available: list[int]) -> list[int]:
        if self.text == "all" or not available:
            return list(available)
        if self.text == "auto":
            return available[:1] if device_type.endswith("/CPU") else list(available)
        try:
            wanted = [int(x) for x in self.text.split(",") if x.strip()]
        except ValueError:
            raise InferenceError(f"devices must be auto, all or indexes like 0,1, not {self.text!r}") from None
        missing = [i for i in wanted if i not in available]
        if missing:
            raise InferenceError(f"device index {missing[0]} is not available on {device_type} "
                                 f"(available: {', '.join(map(str, available))})")
        return wanted


def connect(spec: Any) -> Any:
    """``dg.connect`` for the spec's host and zoo (the real zoo URL: specs carry it concealed), errors in words."""
    import degirum as dg  # imported where used: the window must show before PySDK and degirum_tools load
    try:
        return dg.connect(spec.inference_host_address, reveal(spec.zoo_url), spec.token or "")
    except Exception as exc:
        raise explain(exc, spec.inference_host_address) from exc


def verify_model_file(spec: Any) -> None:
    """Refuse a damaged model file before the runtime reads it (it can crash the process: zoo/integrity.py).

    Only a model in a folder of this machine can be checked. An AI server or the
    cloud loads its own copy: a damaged file there fails (or crashes) that server,
    and the app reports the lost connection. A remote zoo with ``@local`` is
    fetched into the cache first (zoo/fetch.py), and checked there.
    """
    if spec.inference_host_address == LOCAL and is_local_folder(spec.zoo_url):
        try:
            verify_local_model(Path(spec.zoo_url), spec.model_name)
        except DamagedModelError as exc:
            # The test load also fails on a damaged JSON (no DEVICE, say): then the JSON is what is wrong,
            # not the model file. A missing or changed model file keeps its own message and advice.
            problem = broken_file(spec.zoo_url, spec.model_name)
            if problem is not None and problem.field != "MODEL_PARAMETERS.ModelPath":
                raise InferenceError(f"the model cannot run: {problem}", str(exc)) from None
            raise


def load_model(spec: Any, devices: DeviceChoice | str = "auto", zoo: Any = None, **properties: Any) -> Any:
    """Load the spec's model ready for streaming; ``properties`` override the spec's.

    The one loading path of the CLI and the window: the model file is checked first.
    """
    from model_picker.inference.engine import renderers

    verify_model_file(spec)
    renderers.register()  # before any model that needs a client-side renderer is loaded
    choice = devices if isinstance(devices, DeviceChoice) else DeviceChoice(devices)
    zoo = zoo or connect(spec)
    kwargs = {**APP_PROPERTIES, **spec.model_properties, **properties}
    try:
        if spec.inference_host_address == "@local":
            _drop_stale_n2x_entry(zoo, spec.model_name)
        model = zoo.load_model(spec.model_name, **kwargs)
    except Exception as exc:  # PySDK skips a damaged model JSON silently, then calls the model "not found"
        raise name_broken_file(explain(exc, spec.inference_host_address), spec) from exc
    try:
        available = list(model.devices_available)
        selected = choice.indexes(str(model.device_type), available)
        if selected and selected != list(model.devices_selected):
            model.devices_selected = selected
    except InferenceError:
        raise
    except Exception:
        pass
    return model


def _drop_stale_n2x_entry(zoo: Any, name: str) -> None:
    """N2X cannot read back a compile cache entry an earlier process wrote (app/zoo/runtime/n2x.py)."""
    from model_picker.zoo.runtime import n2x

    params = zoo.model_info(name)
    dropped = n2x.drop_stale_entry(params.RuntimeAgent, params.ModelPath, params.Checksum)
    if dropped is not None:
        logging.getLogger("model_picker").info("N2X: removed %s left by an earlier run; recompiling", dropped)


def describe_devices(model: Any) -> str:
    """``OPENVINO/CPU #0`` (the only device), ``TFLITE/CPU #1 of 2``, ``TFLITE/CPU #0,1 of 2``: HUD and reports.

    Not "#0 of 0" (PySDK's index list), which reads as "device 0 of none".
    """
    try:
        selected = ",".join(map(str, model.devices_selected))
        count = len(model.devices_available)
        return f"{model.device_type} #{selected}" + (f" of {count}" if count > 1 else "")
    except Exception:
        return str(getattr(model, "device_type", "?"))


def host_device_types(host: str) -> list[str]:
    """The RUNTIME/DEVICE types the host offers (PySDK's internal DUMMY type left out)."""
    import degirum as dg

    try:
        types = dg.get_supported_devices(host)
    except Exception as exc:
        raise explain(exc, host) from exc
    return sorted(t for t in types if not t.startswith("DUMMY/"))
