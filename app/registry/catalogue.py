"""An indexed, immutable view of one registry: filters, facets, search, sort and ranking.

Why not chain the library's ``for_*`` calls: each one deep-copies the whole
config, too slow on a large registry to run on every click and keystroke, and
it cannot count facet values. Here the registry is
indexed once into integer codes per dimension, and a query is a few vectorised
mask operations. The matching rules are the library's, to the letter:

- task, alias: ``entry.get(field) == value``;
- hardware: ``value in entry.get("hardware", [])``;
- metadata: the entry must have a ``metadata`` mapping, and then
  ``metadata.get(key) == value``, or ``predicate(metadata)`` for a callable.

Several values in one dimension (two ticked tasks) are OR-ed, dimensions are
AND-ed: with one value per dimension that is exactly the library's chain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from model_picker.registry.loader import RegistryDocument, bulk_build
from model_picker.registry.specs import Defaults, Entry, build_spec, entry_zoo_url
from model_picker.registry.values import ABSENT, MISSING, Codes, decimals, int_float, number, sort_key

CORE_FIELDS = ("name", "alias", "task", "hardware", "description", "zoo_url")
MetaPredicate = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class Query:
    """What the user asked for; empty fields do not filter.

    For task and alias, None means "any"; an empty set matches nothing (what two
    different ``for_task`` calls in a row leave). An entry lists several hardware
    targets, so ``hardware`` is a tuple of groups: the entry must match one value
    of every group (a chain of ``for_hardware`` calls adds one group each).
    ``meta_values`` maps a metadata key to the accepted values; ``meta_ranges``
    to an inclusive (low, high) of numbers, either end None for open: a model
    without a number there is dropped, unless the key is in ``keep_missing`` and
    the model has no value for it (key absent or null, or no metadata at all; a
    text value is a value). ``meta_predicates`` are the library's callables, each
    given the metadata.
    """

    tasks: frozenset[Any] | None = None
    hardware: tuple[frozenset[Any], ...] = ()
    aliases: frozenset[Any] | None = None
    meta_values: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    meta_ranges: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)
    meta_predicates: tuple[MetaPredicate, ...] = ()
    text: str = ""
    keep_missing: frozenset[str] = frozenset()

    def for_task(self, task: Any) -> Query:
        return replace(self, tasks=_narrow(self.tasks, task))

    def for_hardware(self, hardware: Any) -> Query:
        return replace(self, hardware=(*self.hardware, frozenset({hardware})))

    def for_alias(self, alias: Any) -> Query:
        return replace(self, aliases=_narrow(self.aliases, alias))

    def for_meta(self, meta: Mapping[str, Any]) -> Query:
        """The library's ``for_meta``: exact values or callables, all must hold."""
        values = dict(self.meta_values)
        predicates = list(self.meta_predicates)
        for key, wanted in meta.items():
            if callable(wanted):
                predicates.append(wanted)
            elif key in values:
                values[key] = tuple(v for v in values[key] if v == wanted)
            else:
                values[key] = (wanted,)
        if not meta:  # the library still drops entries without metadata
            predicates.append(lambda _meta: True)
        return replace(self, meta_values=values, meta_predicates=tuple(predicates))


def _narrow(current: frozenset[Any] | None, value: Any) -> frozenset[Any]:
    """A chained filter on a dimension already filtered keeps only the common value."""
    return frozenset({value}) if current is None else frozenset(v for v in current if v == value)


@dataclass(frozen=True)
class Facet:
    """Counts of each value of one dimension under every other active filter.

    A numeric key has no value counts but a range: the span of its numbers, how
    many models have a number inside the key's own range (all of them when it has
    none) and how many have no value for it; ``within + missing`` is what the table
    shows when the range keeps the models without a value.
    """

    dimension: str
    counts: list[tuple[Any, int]]
    numeric_range: tuple[float, float] | None = None
    within: int = 0
    missing: int = 0


class Catalogue:
    """Registry entries indexed for fast queries; cheap to copy with other defaults."""

    def __init__(self, document: RegistryDocument, defaults: Defaults | None = None) -> None:
        with bulk_build():
            self._build(document, defaults)

    def _build(self, document: RegistryDocument, defaults: Defaults | None) -> None:
        self.document = document
        config = document.config
        self.defaults = defaults or Defaults.from_config(config.get("defaults"))
        self.entries: list[Entry] = []
        for name, info in config["models"].items():
            meta = info.get("metadata")
            self.entries.append(Entry(
                name=name, task=info.get("task"), hardware=tuple(info.get("hardware", [])),
                alias=info.get("alias"), description=str(info.get("description", "")),
                zoo_url=info.get("zoo_url", ""), metadata=meta, raw=info))
        self._index()

    # ----- indexing -------------------------------------------------------------------
    def _index(self) -> None:
        n = len(self.entries)
        self._tasks, self._aliases, self._hw = Codes(), Codes(), Codes()
        self._task_code = np.fromiter((self._tasks.code(e.task) for e in self.entries), np.int32, n)
        self._alias_code = np.array([self._aliases.code(e.alias) if "alias" in e.raw else -1
                                     for e in self.entries], dtype=np.int32)
        # One pair per distinct target: a target listed twice counts once.
        owner = [i for i, e in enumerate(self.entries) for _ in e.hardware]
        codes = [self._hw.code(h) for e in self.entries for h in e.hardware]
        span = len(self._hw.values) + 1
        pairs = np.unique(np.array(owner, dtype=np.int64) * span + np.array(codes, dtype=np.int64) + 1)
        self._hw_entry = (pairs // span).astype(np.int32)
        self._hw_code = (pairs % span - 1).astype(np.int32)
        self._has_meta = np.array([e.metadata is not None for e in self.entries], dtype=bool)
        self.meta_keys: list[str] = []
        seen: set[str] = set()
        for e in self.entries:
            for key in e.metadata or {}:
                if key not in seen:
                    seen.add(key)
                    self.meta_keys.append(key)
        self._meta: dict[str, Codes] = {}
        self._meta_code: dict[str, np.ndarray] = {}
        self._meta_num: dict[str, np.ndarray] = {}
        self._meta_absent: dict[str, np.ndarray] = {}  # no value: key absent or null, or no metadata
        self._decimals: dict[str, int] = {}
        self.numeric_keys: list[str] = []
        for key in self.meta_keys:
            codes = Codes()
            raw = [(e.metadata or {}).get(key, MISSING) for e in self.entries]
            self._meta[key] = codes
            self._meta_code[key] = np.array([ABSENT if v is MISSING else codes.code(v) for v in raw], np.int32)
            nums = [(number(v) if v is not MISSING else None) for v in raw]
            self._meta_num[key] = np.array([np.nan if x is None else x for x in nums], dtype=float)
            self._meta_absent[key] = np.array([v is MISSING or v is None for v in raw], dtype=bool)
            present = [v for v in raw if v is not MISSING and v is not None]
            if present and all(number(v) is not None for v in present):
                self.numeric_keys.append(key)
        self._text: list[str] | None = None  # built by the first text search
        self._sort_cache: dict[str, list[int]] = {}

    @staticmethod
    def _search_text(e: Entry) -> str:
        parts = [e.name, str(e.alias or ""), e.description, str(e.task), *map(str, e.hardware)]
        for key, value in (e.metadata or {}).items():
            parts += [str(key), str(value)]
        return "\n".join(parts).casefold()

    def __len__(self) -> int:
        return len(self.entries)

    def with_defaults(self, **overrides: Any) -> Catalogue:
        """The library's ``with_defaults``: same entries, other defaults (no re-indexing)."""
        clone = object.__new__(Catalogue)
        clone.__dict__.update(self.__dict__)
        clone.defaults = self.defaults.overridden(**overrides)
        return clone

    # ----- values of each dimension ------------------------------------------------------
    @property
    def tasks(self) -> list[Any]:
        return sorted(self._tasks.values, key=sort_key)

    @property
    def hardware(self) -> list[Any]:
        return sorted(self._hw.values, key=sort_key)

    @property
    def aliases(self) -> list[Any]:
        return sorted(self._aliases.values, key=sort_key)

    # ----- filtering ---------------------------------------------------------------------
    def _masks(self, query: Query) -> dict[str, np.ndarray]:
        """One boolean mask per active filter, keyed by dimension name."""
        n = len(self.entries)
        masks: dict[str, np.ndarray] = {}
        if query.tasks is not None:
            masks["task"] = self._code_mask(self._tasks, self._task_code, query.tasks,
                                            lambda i, v: self.entries[i].task == v)
        if query.aliases is not None:
            masks["alias"] = self._code_mask(self._aliases, self._alias_code, query.aliases,
                                             lambda i, v: self.entries[i].alias == v)
        if query.hardware:
            masks["hardware"] = np.ones(n, dtype=bool)
            for group in query.hardware:
                wanted = self._hw.lookup(group)
                mask = np.zeros(n, dtype=bool)
                if wanted is None:
                    mask[:] = [any(h == v for h in e.hardware for v in group) for e in self.entries]
                else:
                    mask[self._hw_entry[np.isin(self._hw_code, wanted)]] = True
                masks["hardware"] &= mask
        for key, values in query.meta_values.items():
            codes = self._meta_code.get(key, np.full(n, ABSENT, np.int32))
            mask = self._code_mask(self._meta.get(key, Codes()), codes, values,
                                   lambda i, v, k=key: (self.entries[i].metadata or {}).get(k) == v)
            if any(v is None for v in values):  # metadata.get(key) == None holds for a missing key
                mask |= codes == ABSENT
            masks[f"meta:{key}"] = self._has_meta & mask
        for key, bounds in query.meta_ranges.items():
            mask = self._within(key, bounds)
            if key in query.keep_missing:
                mask |= self._meta_absent.get(key, np.ones(n, dtype=bool))
            name = f"meta:{key}"
            masks[name] = masks[name] & mask if name in masks else mask
        if query.meta_predicates:
            masks["predicates"] = np.array(
                [e.metadata is not None and all(p(e.metadata) for p in query.meta_predicates)
                 for e in self.entries], dtype=bool)
        words = query.text.casefold().split()
        if words:
            if self._text is None:
                self._text = [self._search_text(e) for e in self.entries]
            masks["text"] = np.array([all(w in t for w in words) for t in self._text], dtype=bool)
        return masks

    def _within(self, key: str, bounds: tuple[float | None, float | None]) -> np.ndarray:
        """Entries with a number for ``key`` inside the inclusive bounds (None: open)."""
        nums = self._meta_num.get(key, np.full(len(self.entries), np.nan))
        mask = ~np.isnan(nums)
        low, high = bounds
        if low is not None:
            mask &= nums >= low
        if high is not None:
            mask &= nums <= high
        return mask

    def _code_mask(self, codes: Codes, per_entry: np.ndarray, values: Iterable[Any],
                   slow: Callable[[int, Any], bool]) -> np.ndarray:
        values = tuple(values)
        wanted = codes.lookup(values)
        if wanted is None:  # an unhashable wanted value: compare one by one, as the library does
            return np.array([any(slow(i, v) for v in values) for i in range(len(self.entries))], dtype=bool)
        return np.isin(per_entry, wanted)

    def mask(self, query: Query) -> np.ndarray:
        """Which entries the query keeps."""
        result = np.ones(len(self.entries), dtype=bool)
        for mask in self._masks(query).values():
            result &= mask
        return result

    def select(self, query: Query | None = None) -> list[int]:
        """Indexes of the kept entries, in registry order (the library's order)."""
        return np.flatnonzero(self.mask(query or Query())).tolist()

    def names(self, query: Query | None = None) -> list[str]:
        return [self.entries[i].name for i in self.select(query)]

    def facets(self, query: Query) -> dict[str, Facet]:
        """Every dimension's values with counts under the *other* active filters.

        The counts answer "how many models would I see if I ticked this too",
        the question a facet list must answer.
        """
        masks = self._masks(query)
        n = len(self.entries)

        def others(*dims: str) -> np.ndarray:
            result = np.ones(n, dtype=bool)
            for name, mask in masks.items():
                if name not in dims:
                    result &= mask
            return result

        facets: dict[str, Facet] = {}
        facets["task"] = self._count("task", self._tasks, self._task_code[others("task")])
        facets["alias"] = self._count("alias", self._aliases, self._alias_code[others("alias")])
        keep = others("hardware")
        facets["hardware"] = self._count("hardware", self._hw, self._hw_code[keep[self._hw_entry]])
        for key in self.meta_keys:
            keep = others(f"meta:{key}")
            dim = f"meta:{key}"
            if key in self.numeric_keys:
                nums = self._meta_num[key][keep]
                nums = nums[~np.isnan(nums)]
                span = (float(nums.min()), float(nums.max())) if nums.size else None
                full = self._meta_num[key][~np.isnan(self._meta_num[key])]
                within = keep & self._within(key, query.meta_ranges.get(key, (None, None)))
                facets[dim] = Facet(dim, [], span or (float(full.min()), float(full.max())),
                                    within=int(np.count_nonzero(within)),
                                    missing=int(np.count_nonzero(keep & self._meta_absent[key])))
            else:
                kept = self._meta_code[key][keep & self._has_meta]
                none = self._meta[key].index.get(None)
                if none is not None:  # metadata.get(key) == None holds for a missing key: ticking None keeps it
                    kept = np.where(kept == ABSENT, none, kept)
                facets[dim] = self._count(dim, self._meta[key], kept)
        return facets

    def decimals(self, key: str) -> int:
        """How many decimals the numbers of a metadata key are written with (the most any has)."""
        found = self._decimals.get(key)
        if found is None:
            nums = self._meta_num.get(key, np.zeros(0))
            found = max((decimals(x) for x in np.unique(nums[np.isfinite(nums)]).tolist()), default=0)
            self._decimals[key] = found
        return found

    @staticmethod
    def _count(dimension: str, codes: Codes, kept: np.ndarray) -> Facet:
        counts = np.bincount(kept[kept >= 0], minlength=len(codes.values))
        pairs = [(codes.values[c], int(counts[c])) for c in range(len(codes.values))]
        return Facet(dimension, sorted(pairs, key=lambda p: sort_key(p[0])))

    # ----- ordering and ranking ---------------------------------------------------------
    def field_value(self, entry: Entry, field_name: str) -> Any:
        """A core field, or a metadata key (``metadata.<key>`` when a key shadows a core field)."""
        if field_name in CORE_FIELDS:
            return entry.hardware if field_name == "hardware" else getattr(entry, field_name)
        key = field_name.removeprefix("metadata.")
        return (entry.metadata or {}).get(key, MISSING)

    def sort(self, indexes: Iterable[int], field_name: str, descending: bool = False) -> list[int]:
        """Stable sort by a field; entries without the field go last either way."""
        rank = self.sort_rank(field_name)
        indexes = list(indexes)
        present = [i for i in indexes if rank[i] >= 0]
        missing = [i for i in indexes if rank[i] < 0]
        present.sort(key=rank.__getitem__, reverse=descending)
        return present + missing

    def sort_rank(self, field_name: str) -> list[int]:
        """Per entry, its position in ascending order (ties share one), -1 when missing."""
        cached = self._sort_cache.get(field_name)
        if cached is None:
            keyed = [(i, self.field_value(e, field_name)) for i, e in enumerate(self.entries)]
            keyed = [(i, v) for i, v in keyed if v is not MISSING and v is not None]
            keyed.sort(key=lambda p: sort_key(p[1]))
            cached = [-1] * len(self.entries)
            last, pos = object(), -1
            for i, value in keyed:
                key = sort_key(value)
                if key != last:
                    pos, last = pos + 1, key
                cached[i] = pos
            self._sort_cache[field_name] = cached
        return cached

    def top(self, query: Query | None = None) -> int:
        """The library's ``top_model_spec``: the first kept entry in registry order."""
        kept = self.select(query)
        if not kept:
            raise RuntimeError("No models available in the registry")
        return kept[0]

    def best(self, key: str, compare: str = "max", query: Query | None = None) -> int:
        """``best_model_spec`` as documented: values that are not numbers are skipped.

        The library crashes on the first string; it ranks by ``float(value)``, so
        numeric strings and bools count here too, and ties go to the entry listed
        first (the library's stable sort does the same).
        """
        if compare not in ("max", "min"):
            raise ValueError(f"compare must be 'max' or 'min', not {compare!r}")
        kept = self.select(query)
        if not kept:
            raise RuntimeError("No models available in the registry")
        best_index, best_value = -1, 0.0
        for i in kept:
            meta = self.entries[i].metadata
            if not meta or key not in meta:
                continue
            raw = meta[key]
            try:
                value = int_float(raw) if isinstance(raw, int) else float(raw)
            except (TypeError, ValueError, OverflowError):
                continue
            if math.isnan(value):
                continue
            if best_index < 0 or (value > best_value if compare == "max" else value < best_value):
                best_index, best_value = i, value
        if best_index < 0:
            raise ValueError(f"No models have a numeric metadata value for key '{key}'")
        return best_index

    # ----- specs ------------------------------------------------------------------------
    def spec(self, index: int, **overrides: Any):
        """The ModelSpec for one entry (``all_model_specs`` semantics and overrides)."""
        return build_spec(self.entries[index], self.defaults, self.document.base, **overrides)

    def spec_zoo(self, index: int) -> str:
        """The zoo a spec for this entry uses when no per-call override is given."""
        return entry_zoo_url(self.entries[index], self.defaults, self.document.base)

    def specs(self, indexes: Iterable[int] | None = None, **overrides: Any) -> list:
        """``all_model_specs`` over the given entries (all of them by default)."""
        indexes = range(len(self.entries)) if indexes is None else indexes
        return [self.spec(i, **overrides) for i in indexes]

    def index_of(self, name: str) -> int:
        for i, e in enumerate(self.entries):
            if e.name == name:
                return i
        raise KeyError(name)
