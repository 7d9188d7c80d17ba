"""Read a registry document (YAML text, file or dict) and validate it like the library does.

Why not just ``ModelRegistry(config_file=...)``: its errors are a raw PyYAML or
jsonschema traceback, it parses YAML with the slow pure-Python loader, and it
cannot say which line of the file is wrong. Here the same schema
(``ModelRegistry.schema_text``) is applied, with the C safe loader when PyYAML
has it, and every problem becomes a ``RegistryError`` naming file, line, column
and field in words a field engineer can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MODEL_NAME_RULE = "letters, digits, '_' and '-'"


class RegistryError(Exception):
    """A registry that cannot be used, with where and what in one sentence."""

    def __init__(self, source: str, message: str, line: int | None = None,
                 column: int | None = None, field: str = "") -> None:
        self.source, self.line, self.column, self.field = source, line, column, field
        self.reason = message
        where = source
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


@dataclass(frozen=True)
class RegistryDocument:
    """A validated registry config plus where it came from.

    ``base`` is what relative ``zoo_url`` values resolve against (a folder or a
    URL); ``stale`` is set when a URL could not be reached and a last good copy
    is shown instead, with the reason in ``note``.
    """

    config: dict[str, Any]
    origin: str
    base: str | None = None
    stale: bool = False
    note: str = ""


@lru_cache(maxsize=1)
def registry_schema() -> dict[str, Any]:
    """The library's own schema, so "valid" means what it means to the library."""
    from degirum_tools import (
        ModelRegistry,  # imported where used: the window must show before PySDK and degirum_tools load (~1 s)
    )

    return yaml.safe_load(ModelRegistry.schema_text)


def parse_yaml(text: str, source: str) -> Any:
    """Safe-load YAML; a syntax error names its line and column."""
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        raise RegistryError(source, f"YAML syntax error: {problem}",
                            mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise RegistryError(source, f"YAML error: {exc}") from None


def _node_mark(text: str, path: list[Any]) -> tuple[int, int] | None:
    """Line and column (1-based) of the YAML key or item at ``path`` (or its deepest parent)."""
    try:
        node = yaml.compose(text, Loader=_SafeLoader)
    except yaml.YAMLError:
        return None
    mark_node = node
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                break
            mark_node, node = pair
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            mark_node = node = node.value[part]
        else:
            break
    if mark_node is None:
        return None
    return mark_node.start_mark.line + 1, mark_node.start_mark.column + 1


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
        shown = repr(value) if len(repr(value)) < 60 else type(value).__name__
        return path, f"must be {words.get(wanted, wanted)}, got {shown}"
    if kind == "additionalProperties" and path == ["models"]:
        bad = [k for k in value if not all(c.isalnum() or c in "_-" for c in str(k)) or not str(k)]
        if bad:
            return [*path, bad[0]], f"model name {bad[0]!r} may only contain {_MODEL_NAME_RULE}"
    return path, error.message


def validate_config(config: Any, source: str, text: str | None = None) -> dict[str, Any]:
    """Apply the library's schema; the first (shallowest) problem is reported."""
    if not isinstance(config, Mapping):
        raise RegistryError(source, "a registry must be a mapping with a 'models' section")
    errors = sorted(jsonschema.Draft7Validator(registry_schema()).iter_errors(config),
                    key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return dict(config)
    path, words = _describe(errors[0])
    mark = _node_mark(text, path) if text is not None else None
    field = ".".join(str(p) for p in path)
    raise RegistryError(source, words, *(mark or (None, None)), field=field)


def load_text(text: str, source: str, base: str | None = None) -> RegistryDocument:
    """Parse and validate registry YAML text."""
    config = parse_yaml(text, source)
    return RegistryDocument(validate_config(config, source, text), source, base)


def load_file(path: str | Path) -> RegistryDocument:
    """Load a registry file; a missing or unreadable file is a RegistryError too."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError(str(path), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(str(path), f"cannot read the file ({exc})") from None
    return load_text(text, str(path), str(path.resolve().parent))


def load_dict(config: Mapping[str, Any], source: str = "<dict>") -> RegistryDocument:
    """Validate an in-memory registry (the library's ``config=`` form)."""
    return RegistryDocument(validate_config(config, source), source, None)
