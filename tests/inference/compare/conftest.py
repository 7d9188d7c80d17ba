"""Shared set-up of the compare tests: the demo catalogue and a helper that runs a comparison to its end."""

from __future__ import annotations

import pytest

from model_picker.registry import open_catalogue
from model_picker.session.compare.runner import Comparison
from model_picker.session.plan import RunPlan


@pytest.fixture(scope="session")
def catalogue(demo_registry):
    return open_catalogue(demo_registry)


@pytest.fixture
def plans(catalogue):
    """``plans("a", ("b", "localhost:1234"))``: RunPlans by name, a tuple adds the host."""

    def make(*names):
        out = []
        for name in names:
            name, host = name if isinstance(name, tuple) else (name, None)
            out.append(RunPlan(catalogue, catalogue.index_of(name), host=host))
        return out

    return make


def run_all(comparison: Comparison) -> list:
    """Every event of the comparison, in order."""
    return list(comparison.events())


def rows_by_name(comparison: Comparison) -> dict:
    return {row.name: row for row in comparison.table()}
