"""Make a spec runnable on ``@local``: the library's ``ensure_local`` with errors in words.

A spec whose zoo is already a local folder needs nothing. Anything else is
fetched into PySDK's own cache (``~/.local/share/DeGirum/models/<name>``), so
the library's ``ensure_local`` finds it afterwards.
"""

from __future__ import annotations

from degirum_tools import ModelSpec

from ..inference.errors import explain
from .hosts import needs_fetch


def ensure_local(spec: ModelSpec, cloud_sync: bool = False) -> ModelSpec:
    if not needs_fetch(spec):
        return spec
    try:
        return spec.ensure_local(cloud_sync=cloud_sync)
    except Exception as exc:
        raise explain(exc, spec.zoo_url or "the model zoo") from exc
