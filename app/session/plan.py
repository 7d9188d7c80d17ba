"""What to run where: one registry entry on one host, with the user's overrides.

"Fit the spec to the host, then fetch if needed", written once for every front
end that runs a model (run, bench, fetch, validate, the window's run and
validate).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from model_picker.errors import InferenceError
from model_picker.registry import Catalogue
from model_picker.zoo.fetch import Progress, ensure_local
from model_picker.zoo.hosts import needs_fetch, spec_for_host, why_not_runnable


def default_token() -> str | None:
    """The cloud token from the environment (PySDK's own variable), or None."""
    return os.environ.get("DEGIRUM_CLOUD_TOKEN") or None


@dataclass(frozen=True)
class RunPlan:
    """One registry entry on one host. ``host`` None keeps the entry's own host.

    ``properties`` are PySDK model properties laid over the entry's (a
    threshold, or a tuning sweep's best ``eager_batch_size``).
    """

    catalogue: Catalogue
    index: int
    host: str | None = None
    token: str | None = None
    devices: str = "auto"
    properties: dict[str, Any] = field(default_factory=dict)
    zoo_url: str | None = None  # another zoo than the entry's (``fetch --zoo-url``)

    @property
    def entry(self) -> Any:
        return self.catalogue.entries[self.index]

    @property
    def name(self) -> str:
        return self.entry.name

    def spec(self) -> Any:
        """The ModelSpec fitted to the host, not yet fetched; InferenceError if the entry cannot make one."""
        overrides: dict[str, Any] = {}
        if self.token is not None:
            overrides["token"] = self.token
        if self.zoo_url:
            overrides["zoo_url"] = self.zoo_url
        if self.properties:
            overrides["model_properties"] = dict(self.properties)
        try:
            spec = self.catalogue.spec(self.index, **overrides)
        except ValueError as exc:
            raise InferenceError(f"{self.name}: cannot build its ModelSpec: {exc}") from None
        if self.properties:  # overrides replace the entry's properties: lay ours over them instead
            spec.model_properties = {**(self.catalogue.spec(self.index).model_properties or {}), **self.properties}
        return spec_for_host(spec, self.host)

    def needs_fetch(self) -> bool:
        return needs_fetch(self.spec())

    def why_not(self, device_types: list[str]) -> str | None:
        """Why this plan's host (offering ``device_types``) cannot run the entry; None if it can."""
        return why_not_runnable(self.entry.hardware, self.host or self.spec().inference_host_address, device_types)


def prepare(plan: RunPlan, *, cloud_sync: bool = False, progress: Callable[[Progress], None] | None = None,
            cancel: threading.Event | None = None) -> Any:
    """The plan's spec, fitted to the host and fetched into the cache when it must be (slow: a worker's job)."""
    return ensure_local(plan.spec(), cloud_sync=cloud_sync, progress=progress, cancel=cancel)
