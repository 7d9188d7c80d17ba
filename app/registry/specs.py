"""A registry entry, the registry's defaults, and the ModelSpec each entry becomes.

These follow ``ModelRegistry.all_model_specs`` exactly, with two decisions:

- ``with_defaults(zoo_url=...)`` is, as the library documents it, a *fallback*
  for entries without a zoo; the library instead lets it replace every entry's
  zoo. A per-call ``zoo_url=`` still replaces every entry's zoo, as documented.
- a ``zoo_url`` written as ``./path`` or ``../path`` is relative to the registry
  (its folder, or its URL). PySDK reads a bare ``a/b`` as the cloud zoo ``org/zoo``,
  so local folders are always handed over as absolute paths.

A zoo URL that carries credentials (``./zoo`` against ``http://user:pass@host/r.yaml``
inherits ``user:pass@``) is handed over concealed (``model_picker.redact.conceal``):
every spec, row and report shows ``***``, and only the code that connects reveals it.

The result is the library's own ``degirum_tools.ModelSpec``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from model_picker.redact import conceal

if TYPE_CHECKING:
    from degirum_tools import ModelSpec

@dataclass(frozen=True)
class Entry:
    """One registry model, as written (``metadata`` is None when the entry has none)."""

    name: str
    task: Any
    hardware: tuple[Any, ...]
    alias: Any
    description: str
    zoo_url: str
    metadata: dict[str, Any] | None
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class Defaults:
    """The registry's ``defaults`` section (host, zoo fallback, token, properties)."""

    inference_host_address: str = "@cloud"
    zoo_url: str | None = None
    token: str | None = None
    model_properties: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, section: dict[str, Any] | None) -> Defaults:
        if section is None:  # the library's defaults when the section is absent
            return cls()
        return cls(
            inference_host_address=section.get("inference_host_address", "@cloud"),
            zoo_url=section.get("zoo_url"),
            token=section.get("token"),
            model_properties=section.get("model_properties", {}) or {},
        )

    def overridden(self, *, inference_host_address: str | None = None, zoo_url: str | None = None,
                   token: str | None = None, model_properties: dict[str, Any] | None = None) -> Defaults:
        """``with_defaults``: a None argument keeps the current value, as in the library."""
        changes: dict[str, Any] = {}
        if inference_host_address is not None:
            changes["inference_host_address"] = inference_host_address
        if zoo_url is not None:
            changes["zoo_url"] = zoo_url
        if token is not None:
            changes["token"] = token
        if model_properties is not None:
            changes["model_properties"] = model_properties
        return replace(self, **changes)


def is_relative_local(zoo_url: str) -> bool:
    return zoo_url in (".", "..") or zoo_url.startswith(("./", "../"))


def resolve_zoo_url(zoo_url: str, base: str | None) -> str:
    """Make ``./x`` and ``../x`` absolute against the registry's folder or URL."""
    if not zoo_url or not base or not is_relative_local(zoo_url):
        return zoo_url
    if base.startswith(("http://", "https://")):
        return urljoin(base, zoo_url).rstrip("/")
    return str((Path(base) / zoo_url).resolve())


def entry_zoo_url(entry: Entry, defaults: Defaults, base: str | None) -> str:
    """The entry's zoo (resolved), else the defaults' fallback zoo, else empty; concealed."""
    return conceal(resolve_zoo_url(entry.zoo_url, base) or (defaults.zoo_url or ""))


def build_spec(entry: Entry, defaults: Defaults, base: str | None, *,
               inference_host_address: str | None = None, zoo_url: str | None = None,
               token: str | None = None, model_properties: dict[str, Any] | None = None) -> ModelSpec:
    """One entry's ModelSpec; arguments are ``all_model_specs``'s per-call overrides."""
    from degirum_tools import (
        ModelSpec,  # imported where used: the window must show before PySDK and degirum_tools load
    )
    host = inference_host_address if inference_host_address is not None else defaults.inference_host_address
    if token is None:
        token = defaults.token
    if model_properties is None:
        props = dict(defaults.model_properties)
    else:
        props = copy.deepcopy(defaults.model_properties)
        props.update(model_properties)
    # As the library does: the hardware list becomes device_type, so PySDK picks
    # the first listed device the host has.
    if "device_type" not in props and isinstance(entry.raw.get("hardware"), list):
        props["device_type"] = entry.raw["hardware"]
    zoo = conceal(zoo_url) if zoo_url is not None else entry_zoo_url(entry, defaults, base)
    return ModelSpec(
        model_name=entry.name,
        zoo_url=zoo,
        inference_host_address=host,
        token=token,
        model_properties=props,
        metadata=entry.raw.get("metadata", {}),
    )
