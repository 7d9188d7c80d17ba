"""The registry and models a command names: loading the catalogue, finding a model, the filter options.

Shared by every command that takes ``--registry`` and model names; each failure is a one-line CliError.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import yaml

from model_picker.cli.errors import EXIT_BAD_INPUT, CliError
from model_picker.registry import Catalogue, Query, RegistryError, open_catalogue
from model_picker.zoo.bundled import demo_registry

__all__ = ["find_model", "load_catalogue", "parse_meta", "query_from_args"]


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
    """The index of model ``name``; unknown, a CliError suggesting up to three close names."""
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
    """The catalogue query of the filter options (--task, --hardware, --alias, --meta, --keep-missing, --search)."""
    values, ranges = parse_meta(args.meta)
    keep_missing = frozenset(getattr(args, "keep_missing", ()))  # only `list` has it
    if stray := sorted(keep_missing - ranges.keys()):
        raise CliError(f"--keep-missing {stray[0]}: give it a range too, e.g. --meta {stray[0]}=LOW..HIGH")
    return Query(tasks=frozenset(args.task) or None, hardware=(frozenset(args.hardware),) if args.hardware else (),
                 aliases=frozenset(args.alias) or None, meta_values=values, meta_ranges=ranges, text=args.search,
                 keep_missing=keep_missing)
