"""Fit a registry spec to the chosen inference host, and make it local when it must be.

A registry entry names a zoo; the user picks the host. The combinations differ:
- ``@local`` with a local zoo folder: nothing to fetch, the folder is used as is;
- ``@local`` with a remote zoo: fetched into the local model cache first
  (``ensure_local`` semantics: PySDK's cache layout, ``@local`` afterwards);
- an AI server (``host[:port]``): a local folder of *this* machine means nothing
  to the server, so the spec uses the server's own zoo (empty zoo_url);
- ``@cloud``: as written (needs the network and usually a token).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from degirum_tools import ModelSpec

LOCAL = "@local"
CLOUD = "@cloud"


def is_local_folder(zoo_url: str) -> bool:
    return bool(zoo_url) and not zoo_url.startswith(("http://", "https://")) and Path(zoo_url).is_absolute()


def host_kind(host: str) -> str:
    """``local``, ``cloud`` or ``server``."""
    return "local" if host == LOCAL else "cloud" if host == CLOUD else "server"


def spec_for_host(spec: ModelSpec, host: str | None = None) -> ModelSpec:
    """The spec with ``host`` as its inference host and a zoo that host can use."""
    host = host or spec.inference_host_address
    zoo = spec.zoo_url
    if host_kind(host) == "server" and is_local_folder(zoo):
        zoo = ""
    return dataclasses.replace(spec, inference_host_address=host, zoo_url=zoo)


def needs_fetch(spec: ModelSpec) -> bool:
    """True when the model must be downloaded before ``@local`` can run it."""
    return spec.inference_host_address == LOCAL and not is_local_folder(spec.zoo_url)
