"""What the user has chosen: the catalogue, its defaults, the query, the selection and the host.

The window keeps one ``Session`` and reads it for its table ("this host cannot
run this model"), its details and its Run button; the command line can ask the
same questions (``why_not_runnable``, ``plan_for``) without a window. Nothing
here is slow: probing a host and loading a registry happen in workers, which
hand their answers to ``host_probed`` and ``load``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model_picker.errors import InferenceError
from model_picker.registry import Catalogue, Query
from model_picker.session.plan import RunPlan
from model_picker.zoo.hosts import LOCAL, why_not_runnable

__all__ = ["Session"]


class Session:
    """The loaded catalogue with the user's defaults, query, selection and host; Qt-free."""

    def __init__(self, catalogue: Catalogue | None = None, host: str = LOCAL) -> None:
        self.base: Catalogue | None = None  # as loaded
        self.catalogue: Catalogue | None = None  # with the user's defaults
        self.query = Query()
        self.selected: int | None = None  # entry index
        self.host = host
        self.devices = "auto"
        self.host_devices: dict[str, list[str] | None] = {}  # host -> device types it offers (probed)
        self._defaults: dict[str, Any] = {}
        if catalogue is not None:
            self.load(catalogue)

    # ----- catalogue and defaults ---------------------------------------------------------
    def load(self, catalogue: Catalogue) -> None:
        """A newly loaded registry: a fresh query and no selection; the defaults stay."""
        self.base = catalogue
        self.query = Query()
        self.selected = None
        self._apply_defaults()

    def set_defaults(self, **defaults: Any) -> None:
        """``Catalogue.with_defaults`` keywords (None keeps the registry's); ``model_properties`` are laid
        over the registry's own instead of replacing them; ``inference_host_address`` is also the host."""
        self._defaults = dict(defaults)
        if defaults.get("inference_host_address"):
            self.host = defaults["inference_host_address"]
        self._apply_defaults()

    def _apply_defaults(self) -> None:
        if self.base is None:
            return
        if not self._defaults.get("inference_host_address"):  # no override: the registry's own host
            self.host = self.base.defaults.inference_host_address
        defaults = dict(self._defaults)
        extra = defaults.pop("model_properties", None)
        if extra:
            defaults["model_properties"] = {**(self.base.defaults.model_properties or {}), **extra}
        self.catalogue = self.base.with_defaults(**defaults) if defaults else self.base

    # ----- query and selection ------------------------------------------------------------
    def set_query(self, query: Query) -> np.ndarray:
        """The entries the query keeps (a boolean mask in catalogue order)."""
        self.query = query
        return self.catalogue.mask(query) if self.catalogue is not None else np.zeros(0, dtype=bool)

    def select(self, index: int | None) -> None:
        self.selected = index

    def entry(self, index: int | None = None) -> Any:
        index = self.selected if index is None else index
        if index is None or self.catalogue is None:
            return None
        return self.catalogue.entries[index]

    # ----- host ------------------------------------------------------------------------------
    def host_probed(self, host: str, device_types: list[str] | None) -> None:
        """A probe's answer (None: not reachable); a reachable host's answer is kept for the session."""
        if device_types is not None:
            self.host_devices[host] = list(device_types)
        else:
            self.host_devices.pop(host, None)

    def device_types(self, host: str | None = None) -> list[str] | None:
        """What ``host`` (default: the session's) offers, or None if not probed (or not reachable)."""
        return self.host_devices.get(host or self.host)

    def why_not_runnable(self, entry: Any, host: str | None = None) -> str | None:
        """Why ``host`` cannot run ``entry`` (an Entry or its index); None if it can or nobody knows yet."""
        host = host or self.host
        types = self.device_types(host)
        if types is None:
            return None
        if isinstance(entry, int):
            entry = self.entry(entry)
        return why_not_runnable(entry.hardware, host, types)

    def unrunnable(self, host: str | None = None) -> dict[int, str]:
        """Entry index -> why ``host`` cannot run it (empty while the host's devices are unknown)."""
        if self.catalogue is None or self.device_types(host) is None:
            return {}
        reasons = ((i, self.why_not_runnable(e, host)) for i, e in enumerate(self.catalogue.entries))
        return {i: reason for i, reason in reasons if reason}

    # ----- plans -----------------------------------------------------------------------------
    def plan_for(self, index: int | None = None, host: str | None = None, **overrides: Any) -> RunPlan:
        """The run plan of entry ``index`` (default: the selection) on ``host`` (default: the session's).

        ``overrides``: RunPlan fields (token, devices, properties). LookupError if nothing is selected.
        """
        index = self.selected if index is None else index
        if index is None or self.catalogue is None:
            raise LookupError("no model is selected")
        return RunPlan(self.catalogue, index, host=host or self.host, **{"devices": self.devices, **overrides})

    def current_spec(self, host: str | None = None) -> tuple[Any, str]:
        """(the selection's ModelSpec fitted to the host, or None; the reason when None)."""
        try:
            return self.plan_for(host=host).spec(), ""
        except LookupError as exc:
            return None, str(exc)
        except InferenceError as exc:
            reason = str(exc).split("cannot build its ModelSpec: ", 1)[-1]
            return None, f"cannot build its ModelSpec: {reason}. Set a zoo URL in the toolbar."
