"""The registry catalogue: load, validate, filter, rank and turn entries into ModelSpecs.

Same answers as ``degirum_tools.ModelRegistry`` on the same registry, except where
the library departs from its documentation (see ``specs.py``), and fast enough to
re-filter 10,000 models on every keystroke. No Qt here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model_picker.registry.catalogue import Catalogue, Query
from model_picker.registry.errors import RegistryError
from model_picker.registry.loader import RegistryDocument, load_dict, load_file
from model_picker.registry.remote import file_url_path, load_url, url_scheme

__all__ = ["Catalogue", "Query", "RegistryDocument", "RegistryError", "load_registry", "open_catalogue"]


def load_registry(source: str | Path | dict[str, Any]) -> RegistryDocument:
    """Load from a path, an http(s) or file URL, or a dict; every failure is a RegistryError."""
    if isinstance(source, dict):
        return load_dict(source)
    scheme = url_scheme(source) if isinstance(source, str) else ""
    if scheme in ("http", "https"):
        return load_url(source)  # type: ignore[arg-type]
    if scheme == "file":
        return load_file(file_url_path(str(source)))
    if scheme:
        raise RegistryError(str(source), f"unsupported URL scheme '{scheme}://': open an http://, https:// "
                            "or file:// URL, or a file path")
    return load_file(source)


def open_catalogue(source: str | Path | dict[str, Any]) -> Catalogue:
    """Load a registry and index it for querying."""
    return Catalogue(load_registry(source))
