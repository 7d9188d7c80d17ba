"""Numeric ranges: what they keep, what they do with models without a value, what their facet counts.

Compared with ``degirum_tools.ModelRegistry``: a range is a chained ``for_meta``
with a callable. Keeping the models without a value is that callable accepting an
absent or null key, plus the models with no metadata at all, which ``for_meta``
always drops and a "without <key>" choice must keep (they have no value either).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from degirum_tools import ModelRegistry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_picker.registry import Catalogue, Query, load_registry
from tests.registry.strategies import RANGE_KEYS, TASKS, chain, number, ranged_registry

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Bounds = tuple[float | None, float | None]
bound = st.one_of(st.none(), number)


def inside(key: str, low: float | None, high: float | None, keep_missing: bool):
    """The library-side callable: a number (not a bool) inside the bounds, or no value when kept."""

    def check(meta: dict[str, Any]) -> bool:
        value = meta.get(key)
        if value is None:
            return keep_missing
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            return False
        return (low is None or value >= low) and (high is None or value <= high)

    return check


def library_range(lib: ModelRegistry, key: str, bounds: Bounds, keep_missing: bool) -> list[str]:
    kept = set(lib.for_meta({key: inside(key, *bounds, keep_missing)}).config["models"])
    if keep_missing:
        kept |= {name for name, entry in lib.config["models"].items() if "metadata" not in entry}
    return [name for name in lib.config["models"] if name in kept]


def both(config: dict) -> tuple[ModelRegistry, Catalogue]:
    return ModelRegistry(config=copy.deepcopy(config)), Catalogue(load_registry(copy.deepcopy(config)))


def with_range(query: Query, key: str, bounds: Bounds, keep_missing: bool) -> Query:
    return replace(query, meta_ranges={**query.meta_ranges, key: bounds},
                   keep_missing=query.keep_missing | {key} if keep_missing else query.keep_missing - {key})


@SETTINGS
@given(ranged_registry, chain, st.sampled_from(RANGE_KEYS), bound, bound, st.booleans())
def test_a_range_keeps_what_the_library_for_meta_keeps(config, steps, key, low, high, keep_missing):
    lib, cat = both(config)
    query = Query()
    for method, arg in steps:
        lib, query = getattr(lib, method)(arg), getattr(query, method)(arg)
    query = with_range(query, key, (low, high), keep_missing)
    assert cat.names(query) == library_range(lib, key, (low, high), keep_missing)


@SETTINGS
@given(ranged_registry, st.lists(st.sampled_from(TASKS), max_size=2, unique=True),
       st.dictionaries(st.sampled_from(RANGE_KEYS), st.tuples(bound, bound, st.booleans()), max_size=2))
def test_a_range_facet_counts_add_up_to_the_rows(config, tasks, ranges):
    """``within`` + ``missing`` (when kept) is what the table shows, and each agrees with the library."""
    lib, cat = both(config)
    query = Query(tasks=frozenset(tasks) or None)
    for key, (low, high, keep) in ranges.items():
        query = with_range(query, key, (low, high), keep)
    shown = len(cat.select(query))
    facets = cat.facets(query)
    for key in cat.numeric_keys:
        facet = facets[f"meta:{key}"]
        low, high, keep = ranges.get(key, (None, None, True))
        assert facet.within + (facet.missing if keep or key not in ranges else 0) == shown
        # The same counts from the library: the other filters, then this key's range or its absence.
        others = replace(query, meta_ranges={k: v for k, v in query.meta_ranges.items() if k != key})
        names = set(cat.names(others))
        assert facet.within == len(set(library_range(lib, key, (low, high), False)) & names)
        without = set(library_range(lib, key, (float("inf"), float("-inf")), True))  # only the valueless
        assert facet.missing == len(without & names)


def test_untouched_filters_need_no_range_so_every_model_is_kept():
    config = {"models": {
        "a": {"task": "t", "hardware": [], "zoo_url": "z", "metadata": {"params_m": 29.91}},
        "b": {"task": "t", "hardware": [], "zoo_url": "z", "metadata": {"params_m": 1.234567}},
        "c": {"task": "t", "hardware": [], "zoo_url": "z", "metadata": {"params_m": None}},
        "d": {"task": "t", "hardware": [], "zoo_url": "z"}}}
    cat = Catalogue(load_registry(config))
    assert cat.decimals("params_m") == 6 and "params_m" in cat.numeric_keys
    facet = cat.facets(Query())["meta:params_m"]
    assert (facet.numeric_range, facet.within, facet.missing) == ((1.234567, 29.91), 2, 2)
    assert cat.names(Query(meta_ranges={"params_m": (1.234567, 29.91)})) == ["a", "b"]
    assert cat.names(Query(meta_ranges={"params_m": (None, 29.9)}, keep_missing=frozenset({"params_m"}))) == [
        "b", "c", "d"]
