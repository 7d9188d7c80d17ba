"""The catalogue commands (list, show) and the dispatch to the others."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import yaml

from model_picker.cli.errors import EXIT_BAD_INPUT, CliError
from model_picker.registry import Catalogue, Query, RegistryError, open_catalogue
from model_picker.registry.spec_text import spec_to_dict, spec_to_python, spec_to_yaml
from model_picker.zoo.bundled import demo_registry, sample_photo

__all__ = ["dispatch", "find_model", "load_catalogue", "query_from_args"]


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "list":
        return cmd_list(args)
    if args.command == "show":
        return cmd_show(args)
    if args.command == "run":
        from model_picker.cli.run import cmd_run

        return cmd_run(args)
    if args.command in ("fetch", "cache", "serve-zoo"):
        from model_picker.cli import zoo_cmds

        return {"fetch": zoo_cmds.cmd_fetch, "cache": zoo_cmds.cmd_cache,
                "serve-zoo": zoo_cmds.cmd_serve_zoo}[args.command](args)
    if args.command == "bench":
        from model_picker.cli.bench import cmd_bench

        return cmd_bench(args)
    if args.command == "validate":
        from model_picker.cli.validate_cmd import cmd_validate

        return cmd_validate(args)
    if args.command == "compare":
        from model_picker.cli.compare_cmd import cmd_compare

        return cmd_compare(args)
    if args.command == "ai-server":
        from model_picker.zoo.runtime.ai_server import exec_server

        return exec_server(args.zoo, args.port)
    if args.command == "doctor":
        from model_picker.cli.doctor import cmd_doctor

        return cmd_doctor(args)
    raise CliError(f"unknown command {args.command!r}")


def load_catalogue(source: str | None) -> Catalogue:
    """The registry named on the command line, or the bundled demo one."""
    try:
        catalogue = open_catalogue(source or str(demo_registry()))
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    if catalogue.document.stale:
        print(f"model-picker: warning: {catalogue.document.note}", file=sys.stderr)
    return catalogue


def find_model(catalogue: Catalogue, name: str) -> int:
    try:
        return catalogue.index_of(name)
    except KeyError:
        close = [n for n in (e.name for e in catalogue.entries) if name.lower() in n.lower()][:3]
        hint = f"; did you mean {', '.join(close)}?" if close else "; `model-picker list` shows the names"
        raise CliError(f"model {name!r} is not in {catalogue.document.shown}{hint}") from None


def parse_meta(items: list[str]) -> tuple[dict[str, tuple[Any, ...]], dict[str, tuple[float | None, float | None]]]:
    """KEY=VALUE (YAML-typed, repeat a key for any of several) and KEY=LOW..HIGH ranges."""
    values: dict[str, tuple[Any, ...]] = {}
    ranges: dict[str, tuple[float | None, float | None]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise CliError(f"--meta {item!r}: write KEY=VALUE or KEY=LOW..HIGH", EXIT_BAD_INPUT)
        if ".." in raw:
            low, _, high = raw.partition("..")
            try:
                ranges[key] = (float(low) if low else None, float(high) if high else None)
            except ValueError:
                raise CliError(f"--meta {item!r}: a range is two numbers, e.g. fps=30..200") from None
            continue
        try:
            value = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            value = raw
        values[key] = (*values.get(key, ()), value)
    return values, ranges


def query_from_args(args: argparse.Namespace) -> Query:
    values, ranges = parse_meta(args.meta)
    return Query(tasks=frozenset(args.task) or None, hardware=(frozenset(args.hardware),) if args.hardware else (),
                 aliases=frozenset(args.alias) or None, meta_values=values, meta_ranges=ranges, text=args.search)


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
