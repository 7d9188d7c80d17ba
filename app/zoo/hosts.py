"""Fit a registry spec to the chosen inference host, and make it local when it must be.

A registry entry names a zoo; the user picks the host. The combinations differ:
- ``@local`` with a local zoo folder: nothing to fetch, the folder is used as is;
- ``@local`` with a remote zoo: fetched into the local model cache first
  (``ensure_local`` semantics: PySDK's cache layout, ``@local`` afterwards);
- an AI server (``host[:port]``): a local folder of *this* machine means nothing
  to the server, so the spec uses the server's own zoo (empty zoo_url);
- ``@cloud``: as written (needs the network and usually a token).

It also says why a host cannot run an entry (the catalogue greys it, with that reason).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from model_picker.zoo.runtime import n2x

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


def why_not_runnable(hardware: Iterable[object], host: str, device_types: Iterable[str]) -> str | None:
    """Why ``host`` (offering ``device_types``) cannot run an entry for ``hardware``; None if it can.

    ORCA entries get their own wording: the usual cause is a machine without the card or
    its driver, and N2X/CPU being present does not make an ORCA model runnable.
    """
    wanted = [str(h) for h in hardware]
    offered = sorted(device_types)
    if set(wanted).intersection(offered):
        return None
    offers = ", ".join(offered) or "no devices"
    orca = [h for h in wanted if n2x.is_orca(h)]
    if orca:
        return (f"{host} cannot run this model: this host has no ORCA device: {', '.join(orca)} not among its "
                f"devices ({offers})")
    needs = ", ".join(wanted) or "no hardware listed"
    return f"{host} cannot run this model: it needs {needs}; the host offers {offers}"


def host_summary(host: str, device_types: list[str]) -> tuple[str, str]:
    """The host bar's text and tooltip: the devices, and whether any is an ORCA."""
    text = f"Host {host}: {', '.join(device_types) or 'no devices'} · {n2x.orca_summary(device_types)}"
    orca = n2x.orca_devices(device_types)
    if orca:
        tip = f"ORCA devices on {host}: {', '.join(orca)}"
    else:
        tip = (f"{host} reports no ORCA device (N2X/ORCA1, N2X/ORCA). N2X/CPU runs the ORCA runtime emulated on "
               f"the CPU: same results, not ORCA speed. To add an ORCA card: {n2x.ORCA_HELP}.")
    return text, tip
