"""Read a registry document (YAML text, file or dict) and validate it like the library does.

Why not just ``ModelRegistry(config_file=...)``: its errors are a raw PyYAML or
jsonschema traceback, it parses YAML with the slow pure-Python loader, and it
cannot say which line of the file is wrong. Here the YAML is read by
``yamlread`` (bounded aliases, no duplicate keys, text keys), the library's own
schema (``ModelRegistry.schema_text``) decides what is valid, and every problem
becomes a ``RegistryError`` naming file, line, column and field in words a field
engineer can act on. One departure: ``defaults.token`` may be null, because the
library itself writes ``token: None`` into every config it fills in.

A valid document is remembered by the hash of its text (``parsed_cache``), so
opening the same file or URL again skips parsing and validation.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import os
import re
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from model_picker.redact import redact
from model_picker.registry.errors import RegistryError
from model_picker.registry.parsed_cache import recall, remember
from model_picker.registry.yamlread import MAX_DEPTH, MAX_INT_DIGITS, int_too_long, line_column, locate, read_yaml

__all__ = ["RegistryDocument", "RegistryError", "load_dict", "load_file", "load_text", "validate_config"]

_MODEL_NAME_RULE = "letters, digits, '_' and '-'"
_MODEL_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")  # the library's patternProperties
_HTML = re.compile(r"\s*(<!doctype\s+html|<html|<head|<body|<\?xml)", re.IGNORECASE)
MAX_BYTES = 64 * 1024 * 1024  # a registry file or download: 64 MiB
MAX_DICT_VALUES = 20_000_000  # a dict's values counted as the library's validator would visit them
TOP = "(top level)"  # the field named when a dict's problem is the whole document


@dataclass(frozen=True)
class RegistryDocument:
    """A validated registry config plus where it came from.

    ``origin`` is the source as given (a URL may carry credentials: keep it in
    memory to reload, show ``shown`` instead); ``base`` is what relative
    ``zoo_url`` values resolve against (a folder or a URL); ``stale`` is set
    when a URL could not be reached and a last good copy is shown instead, with
    the reason in ``note`` (already redacted).
    """

    config: dict[str, Any]
    origin: str
    base: str | None = None
    stale: bool = False
    note: str = ""

    @property
    def shown(self) -> str:
        """``origin`` with credentials masked, for labels, logs and settings."""
        return redact(self.origin)


@lru_cache(maxsize=1)
def registry_schema() -> dict[str, Any]:
    """The library's own schema, so "valid" means what it means to the library (token may be null)."""
    from degirum_tools import (
        ModelRegistry,  # imported where used: the window must show before PySDK and degirum_tools load
    )

    schema = copy.deepcopy(yaml.safe_load(ModelRegistry.schema_text))
    schema["properties"]["defaults"]["properties"]["token"] = {"type": ["string", "null"]}
    return schema


def _describe(error: jsonschema.ValidationError) -> tuple[list[Any], str]:
    """Turn a jsonschema error into (path of the culprit, plain words)."""
    path = list(error.absolute_path)
    kind, value = error.validator, error.instance
    if kind == "required":
        missing = [name for name in error.validator_value if name not in (value or {})]
        return path, f"missing required field {', '.join(repr(m) for m in missing)}"
    if kind == "type":
        wanted = error.validator_value
        words = {"object": "a mapping (key: value lines)", "array": "a list", "string": "a text value"}
        wanted = " or ".join(words.get(w, w) for w in wanted) if isinstance(wanted, list) else words.get(wanted, wanted)
        shown = repr(value) if len(repr(value)) < 60 else type(value).__name__
        return path, f"must be {wanted}, got {shown}"
    if kind == "additionalProperties" and path == ["models"]:
        bad = [k for k in value if not _MODEL_NAME.search(k)]
        if bad:
            return [*path, bad[0]], f"model name {bad[0]!r} may only contain {_MODEL_NAME_RULE}"
    return path, error.message


def _is_valid(config: Mapping[str, Any]) -> bool:
    """The schema's verdict for the usual case, many times faster than jsonschema; False sends it there.

    It must never say True where jsonschema says False (tests/registry/test_fast_validation.py).
    """
    models = config.get("models")
    if not isinstance(models, dict):
        return False
    for name, entry in models.items():
        if not isinstance(name, str) or not _MODEL_NAME.search(name) or not isinstance(entry, dict):
            return False
        if "task" not in entry or "zoo_url" not in entry or "hardware" not in entry:
            return False
        for key in ("task", "zoo_url", "alias", "description"):
            if key in entry and not isinstance(entry[key], str):
                return False
        hardware = entry["hardware"]
        if not isinstance(hardware, list) or not all(isinstance(h, str) for h in hardware):
            return False
        if "metadata" in entry and not isinstance(entry["metadata"], dict):
            return False
    if "defaults" in config:
        defaults = config["defaults"]
        if not isinstance(defaults, dict) or not isinstance(defaults.get("inference_host_address", 0), str):
            return False
        if not isinstance(defaults.get("token"), str | None):
            return False
        if "model_properties" in defaults and not isinstance(defaults["model_properties"], dict):
            return False
    return True


def _sound(config: dict[str, Any]) -> bool:
    """A config read back from the parsed cache is one ``load_text`` could have stored: valid by the schema,
    and nested no deeper than YAML reading allows (lone surrogates and overlong integers are refused
    while the JSON is read, statefile.py)."""
    if not _is_valid(config) and next(jsonschema.Draft7Validator(registry_schema()).iter_errors(config), None):
        return False
    stack: list[tuple[Any, int]] = [(config, 1)]
    while stack:
        value, depth = stack.pop()
        for item in value.values() if type(value) is dict else value:
            kind = type(item)
            if kind is dict or kind is list:
                if depth >= MAX_DEPTH:
                    return False
                stack.append((item, depth + 1))
    return True


def validate_config(config: Any, source: str, text: str | None = None) -> dict[str, Any]:
    """Apply the library's schema; the first (shallowest) problem is reported."""
    if not isinstance(config, dict):
        if text is None:
            raise RegistryError(source, "a registry must be a mapping with a 'models' section", field=TOP)
        raise RegistryError(source, "a registry must be a mapping with a 'models' section", 1, 1)
    if _is_valid(config):
        return config
    errors = sorted(jsonschema.Draft7Validator(registry_schema()).iter_errors(config),
                    key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return config
    path, words = _describe(errors[0])
    mark = locate(text, path) if text is not None else None
    field = ".".join(str(p) for p in path) or ("" if text is not None else TOP)
    raise RegistryError(source, words, *(mark or (None, None)), field=field)


@contextmanager
def bulk_build() -> Iterator[None]:
    """No cycle collection while a registry's objects are built: they hold no cycles, and the
    collector's repeated passes over a heap that grows by millions of objects would dominate the load."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_yaml(text: str, source: str) -> Any:
    """Safe YAML to Python with the registry's limits (also used for ModelSpec YAML, spec_text.py)."""
    return read_yaml(text, source)[0]


def _not_html(text: str, source: str) -> None:
    if _HTML.match(text[:512]):
        raise RegistryError(source, "this is an HTML (web) page, not a YAML registry: a login, error or "
                            "directory page? Open the address of the .yaml file itself", 1, 1)


def load_text(text: str, source: str, base: str | None = None) -> RegistryDocument:
    """Parse and validate registry YAML text (a text seen before, valid, comes from the parsed cache)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    with bulk_build():
        config = recall(digest, _sound)
        if config is None:
            _not_html(text, source)
            parsed, plain = read_yaml(text, source)
            config = validate_config(parsed, source, text)
            if plain:
                remember(digest, config)
    return RegistryDocument(config, source, base)


_NOT_A_FILE = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device",
               stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


def _not_regular(path: Path, mode: int) -> RegistryError:
    if stat.S_ISDIR(mode):
        return RegistryError(str(path), "this is a folder; open the registry's .yaml file")
    kind = _NOT_A_FILE.get(stat.S_IFMT(mode), "not a regular file")
    return RegistryError(str(path), f"{kind}, not a file: a registry is read only from a regular file")


def _too_big(path: Path, size: str) -> RegistryError:
    return RegistryError(str(path), f"the file is {size} bytes; a registry may be at most "
                         f"{MAX_BYTES // 2**20} MiB ({MAX_BYTES:,} bytes)")


def read_registry_file(path: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_BYTES``; anything else is an OSError or RegistryError.

    A FIFO would block the open and a device (``/dev/zero``) never ends: both are refused by
    ``stat`` before opening, and checked again on the open file (opened without blocking) in case
    the path changed in between; a file that grows past the limit while read is refused too.
    """
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(path, info.st_mode)
    if info.st_size > MAX_BYTES:
        raise _too_big(path, f"{info.st_size:,}")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_big(path, f"more than {MAX_BYTES:,}")
    return data


def load_file(path: str | Path) -> RegistryDocument:
    """Load a registry file; a missing, unreadable, too big or not regular file is a RegistryError too."""
    path = Path(path).expanduser()
    try:
        data = read_registry_file(path)
    except FileNotFoundError:
        raise RegistryError(str(path), "file not found") from None
    except IsADirectoryError:
        raise RegistryError(str(path), "this is a folder; open the registry's .yaml file") from None
    except OSError as exc:
        raise RegistryError(str(path), f"cannot read the file ({exc.strerror or exc})") from None
    except ValueError:  # a NUL byte or a lone surrogate in the name (UnicodeEncodeError is a ValueError)
        raise RegistryError(ascii(str(path)), "not a valid file name") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[:exc.start].decode("utf-8", "replace")
        line, column = line_column(prefix, len(prefix))
        raise RegistryError(str(path), f"not UTF-8 text (byte 0x{data[exc.start]:02X}); save the file as UTF-8",
                            line, column) from None
    return load_text(text, str(path), str(path.resolve().parent))


def load_dict(config: Mapping[str, Any], source: str = "<dict>") -> RegistryDocument:
    """Validate an in-memory registry (the library's ``config=`` form, including what the library fills in)."""
    check_values(config, source)
    return RegistryDocument(validate_config(config, source), source, None)


def check_values(config: Any, source: str) -> None:
    """What YAML reading refuses, refused in a dict too, by field: keys that are not text, integers
    too long to print, lone surrogates, nesting deeper than the YAML limit, and a structure that
    contains itself. Iterative, and bounded in the values it visits."""
    stack: list[tuple[Any, tuple[Any, ...], frozenset[int]]] = [(config, (), frozenset())]
    visited = 0
    while stack:
        value, path, inside = stack.pop()
        visited += 1
        field = ".".join(map(str, path)) or TOP
        if visited > MAX_DICT_VALUES:
            raise RegistryError(source, f"the registry expands to more than {MAX_DICT_VALUES:,} values", field=field)
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    raise RegistryError(source, f"text with a lone surrogate (U+{ord(value[exc.start]):04X})",
                                        field=field) from None
        elif isinstance(value, int) and not isinstance(value, bool):
            if int_too_long(value):
                raise RegistryError(source, f"an integer too long to print (over {MAX_INT_DIGITS:,} digits)",
                                    field=field)
        elif isinstance(value, dict | list | tuple | set):
            if id(value) in inside:
                raise RegistryError(source, "the registry contains itself (a recursive structure)", field=field)
            if len(path) >= MAX_DEPTH:
                raise RegistryError(source, f"nested more than {MAX_DEPTH} levels deep", field=field)
            nested = inside | {id(value)}
            if isinstance(value, dict):
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise RegistryError(source, f"the key {key!r} is a {type(key).__name__}, not text",
                                            field=field)
                    stack.append((item, (*path, key), nested))
            else:
                stack.extend((item, (*path, i), nested) for i, item in enumerate(value))
