"""``model-picker list`` and ``show``: the registry's models filtered and sorted, and one model's ModelSpec."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from model_picker.cli.errors import CliError
from model_picker.cli.registry_args import find_model, load_catalogue, query_from_args
from model_picker.registry import Catalogue
from model_picker.registry.spec_text import spec_to_dict, spec_to_python, spec_to_yaml
from model_picker.zoo.bundled import sample_photo

__all__ = ["cmd_list", "cmd_show", "strict_json"]


def entry_row(catalogue: Catalogue, index: int) -> dict[str, Any]:
    e = catalogue.entries[index]
    return {"name": e.name, "alias": e.alias, "task": e.task, "hardware": list(e.hardware),
            "description": e.description, "zoo_url": catalogue.spec_zoo(index), "metadata": e.metadata or {}}


def strict_json(value: Any) -> Any:
    """``value`` for strict JSON: NaN and infinities (``.nan``, ``.inf`` in YAML) become the strings
    "NaN", "Infinity" and "-Infinity" (JSON has no such numbers), anything else not JSON becomes its text."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [strict_json(v) for v in value]
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def dumps(value: Any) -> str:
    return json.dumps(strict_json(value), indent=2, allow_nan=False)


def cmd_list(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.registry)
    query = query_from_args(args)
    kept = catalogue.select(query)
    if args.best:
        key, _, compare = args.best.partition(":")
        try:
            kept = [catalogue.best(key, compare or "max", query)]
        except (ValueError, RuntimeError) as exc:
            raise CliError(f"--best {args.best}: {exc}", 1) from None
    if args.sort:
        kept = catalogue.sort(kept, args.sort, args.desc)
    if args.json:
        print(dumps([entry_row(catalogue, i) for i in kept]))
        return 0
    extra = [k for k in (args.sort, (args.best or "").partition(":")[0]) if k and k in catalogue.meta_keys]
    header = ["NAME", "TASK", "HARDWARE", "ALIAS", *[k.upper() for k in dict.fromkeys(extra)]]
    rows = [[e.name, str(e.task), ", ".join(map(str, e.hardware)), str(e.alias or ""),
             *[str((e.metadata or {}).get(k, "")) for k in dict.fromkeys(extra)]]
            for e in (catalogue.entries[i] for i in kept)]
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    print(f"\n{len(kept)} of {len(catalogue)} models", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.registry)
    index = find_model(catalogue, args.name)
    try:
        spec = catalogue.spec(index, **({"inference_host_address": args.host} if args.host else {}))
    except ValueError as exc:
        raise CliError(f"{args.name}: cannot build its ModelSpec: {exc}") from None
    if args.format == "yaml":
        print(spec_to_yaml(spec), end="")
    elif args.format == "python":
        print(spec_to_python(spec, str(sample_photo(spec.model_name))), end="")
    elif args.format == "json":
        print(dumps({**entry_row(catalogue, index), "spec": spec_to_dict(spec)}))
    else:
        e = catalogue.entries[index]
        print(f"{e.name}  ({e.task}; {', '.join(map(str, e.hardware))})")
        if e.description:
            print(f"\n{e.description}")
        if e.metadata:
            print("\nMetadata:")
            for key, value in e.metadata.items():
                print(f"  {key}: {value}")
        print("\nModelSpec (YAML):")
        print("  " + spec_to_yaml(spec).rstrip().replace("\n", "\n  "))
        print("\nPython:")
        print("  " + spec_to_python(spec, str(sample_photo(spec.model_name))).rstrip().replace("\n", "\n  "))
    return 0
