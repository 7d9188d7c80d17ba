"""How catalogue values are compared, coded, ranked and sorted (Python equality, as the library filters).

Apart from ``catalogue.py`` so the index can stay small: a value becomes a small
integer code per dimension (NaN and unhashable values get none), a number for
ranges and ranking (bools and NaN are not numbers; integers past the float range
count as plus or minus infinity), and a sort key (numbers, then text, then the rest).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import numpy as np


def hashable(value: Any) -> bool:
    """Usable as a dict key (a tuple holding a list is not, whatever ``Hashable`` says); NaN is not."""
    if isinstance(value, float) and math.isnan(value):
        return False
    try:
        hash(value)
    except TypeError:
        return False
    return True


def number(value: Any) -> float | None:
    """A metadata value usable in a numeric range (bools and NaN are not; an integer past
    the float range, ~1e308, counts as plus or minus infinity)."""
    kind = type(value)
    if kind is float:
        return None if value != value else value
    if kind is int:
        return int_float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return int_float(value)
    return None if math.isnan(value) else float(value)


def decimals(value: float) -> int:
    """Digits after the point in the shortest text that reads back as ``value`` (0 for 1e+20)."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def int_float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


class Codes:
    """Value -> small integer, with Python equality (so 1, 1.0 and True share a code)."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.values: list[Any] = []

    def code(self, value: Any) -> int:
        if isinstance(value, float) and value != value:
            return -1  # NaN never equals itself: no code can stand for it
        try:
            found = self.index.get(value)
        except TypeError:  # unhashable
            return -1
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found

    def lookup(self, values: Iterable[Any]) -> np.ndarray | None:
        """Codes of the wanted values; None when one is unhashable (then compare by ==)."""
        codes = []
        for value in values:
            if not hashable(value):
                return None
            if value in self.index:
                codes.append(self.index[value])
        return np.array(codes, dtype=np.int32)


ABSENT = -2  # code of a metadata key an entry does not have (-1: a value that cannot be hashed)


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def sort_key(value: Any) -> tuple[int, Any]:
    """Numbers before text before anything else; text case-insensitively."""
    if isinstance(value, bool | int | float) and not (isinstance(value, float) and math.isnan(value)):
        return (0, int_float(value) if isinstance(value, int) else value)
    if isinstance(value, str):
        return (1, value.casefold())
    if isinstance(value, tuple | list):
        return (2, tuple(str(v).casefold() for v in value))
    return (3, repr(value))
