"""The hardware an inference host reports about itself, for a report a customer signs.

PySDK's ``system_info()`` answers for ``@local`` and for an AI server alike:
its device types with one entry per device index, and (from an AI server) the
server's software version. Asking costs one round trip; a host that cannot be
asked gives its error in words instead of failing the report.
"""

from __future__ import annotations

from typing import Any

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.engine.loading import connect

# Keys of a device entry worth a line in a report (OpenVINO lists ~40 tuning properties).
DEVICE_DETAIL_KEYS = ("FULL_DEVICE_NAME", "VERSION", "ONNXRuntimeVersion", "DEVICE_ARCHITECTURE")


def host_hardware(spec: Any) -> dict[str, Any]:
    """``{"devices": {TYPE: count}, "details": {TYPE: text}, "server_version", "pysdk_version"}`` or
    ``{"error": text}`` when the host cannot be asked."""
    import degirum as dg

    info: dict[str, Any] = {"pysdk_version": getattr(dg, "__version__", "?")}
    try:
        system = connect(spec).system_info()
    except InferenceError as exc:
        return {**info, "error": str(exc)}
    except Exception as exc:  # PySDK raises several types for a host that is gone
        return {**info, "error": f"{spec.inference_host_address}: {exc}"}
    devices: dict[str, int] = {}
    details: dict[str, str] = {}
    for kind, entries in dict(system.get("Devices", {})).items():
        if kind.startswith("DUMMY/"):
            continue  # PySDK's internal test device
        entries = entries if isinstance(entries, list) else [entries]
        devices[kind] = len(entries)
        first = entries[0] if entries and isinstance(entries[0], dict) else {}
        words = [str(first[k]) for k in DEVICE_DETAIL_KEYS if first.get(k)]
        if words:
            details[kind] = ", ".join(words)
    info.update(devices=devices, details=details)
    version = system.get("Software Version")
    if version:
        info["server_version"] = str(version)
    return info


def hardware_text(info: dict[str, Any]) -> str:
    """One line: ``TFLITE/CPU x2, OPENVINO/CPU x1 (AMD EPYC, 2026.0.0); server 1.5.0; PySDK 1.5.0``."""
    if info.get("error"):
        return f"not reported: {info['error']}"
    devices = ", ".join(f"{kind} x{count}" + (f" ({info.get('details', {})[kind]})"
                                              if kind in info.get("details", {}) else "")
                        for kind, count in sorted(info.get("devices", {}).items()))
    parts = [devices or "no devices"]
    if info.get("server_version"):
        parts.append(f"software {info['server_version']}")
    parts.append(f"PySDK {info.get('pysdk_version', '?')}")
    return "; ".join(parts)
