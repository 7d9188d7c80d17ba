"""A ModelSpec as text: YAML to save and load, and a Python snippet that runs it.

The token is left out unless asked for: specs get pasted into tickets and chats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from degirum_tools import ModelSpec

from .loader import RegistryError, parse_yaml

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


def spec_to_python(spec: ModelSpec, source: str = "path/to/image.jpg") -> str:
    """A snippet that reproduces the run outside the app with the library alone."""
    props = dict(spec.model_properties)
    lines = [
        "import degirum_tools",
        "",
        "spec = degirum_tools.ModelSpec(",
        f"    model_name={spec.model_name!r},",
        f"    zoo_url={spec.zoo_url!r},",
        f"    inference_host_address={spec.inference_host_address!r},",
    ]
    if spec.token:
        lines.append("    token=os.environ['DEGIRUM_CLOUD_TOKEN'],")
        lines.insert(0, "import os")
    if props:
        lines.append(f"    model_properties={props!r},")
    lines += [
        ")",
        "model = spec.load_model()",
        f"result = model({source!r})",
        "print(result)",
    ]
    return "\n".join(lines) + "\n"
