"""Generated hostile registries through the loader and the catalogue (issue 8, "Fuzz in the suite").

Dicts and YAML text with unicode, control characters, huge and non-finite numbers,
keys that are not text, aliases (multiplying ones included) and duplicates. For
every case: the only exception is RegistryError, its message names a location
(file:line for text, the field for a dict), and the case takes well under a
second (measured per case; the assert is a generous hang guard, the slowest case
is printed with ``-s``).

The default run has 200 examples per test; ``-m slow`` runs the full count
(1,000 per test): ``python -m pytest tests/registry/test_fuzz.py -m slow``.
"""

from __future__ import annotations

import json
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_picker.cli.catalogue_cmds import strict_json
from model_picker.registry import Catalogue, Query, RegistryError
from model_picker.registry.loader import load_dict, load_text, registry_schema
from tests.registry.strategies import registry

HANG_GUARD_S = 5.0  # per case; the point is "never minutes", the measured worst is reported
FAST = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
FULL = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
SLOWEST: dict[str, float] = {}

# ----- dicts ---------------------------------------------------------------------------------------
weird_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)  # surrogates included
number = st.one_of(st.integers(), st.floats(), st.just(10**400), st.just(-(10**400)),
                   st.builds(lambda: 7**9000),
                   st.sampled_from([float("nan"), float("inf"), float("-inf")]))
scalar = st.one_of(weird_text, number, st.booleans(), st.none())
key = st.one_of(st.text("abcxyz_-09", min_size=1, max_size=5), weird_text, st.integers(), st.none(),
                st.booleans(), st.floats())
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(key, inner, max_size=3)), max_leaves=8)
entry = st.one_of(
    st.fixed_dictionaries({"task": st.one_of(st.text(max_size=6), scalar), "hardware": st.one_of(
        st.lists(st.one_of(st.sampled_from(["TFLITE/CPU", "ONNX/CPU"]), scalar), max_size=3), scalar),
        "zoo_url": st.one_of(st.just("degirum/public"), scalar)},
        optional={"alias": scalar, "description": scalar,
                  "metadata": st.one_of(st.dictionaries(key, value, max_size=4), scalar),
                  "extra": value}),
    value)
defaults = st.fixed_dictionaries({"inference_host_address": st.one_of(st.just("@local"), scalar)},
                                 optional={"token": scalar, "model_properties": value, "zoo_url": scalar})
registry_dict = st.one_of(
    st.fixed_dictionaries({"models": st.dictionaries(key, entry, max_size=5)},
                          optional={"defaults": defaults, "other": value}),
    value)

# ----- YAML text -----------------------------------------------------------------------------------
KEYS = ["m1", "m2", "m1", "123", "true", "null", "~", "yes", "1.5", "'q'", "<<", "é", "\u202e", "a b", "[x]"]
VALUES = ["face_detection", "[TFLITE/CPU]", "[TFLITE/CPU", "degirum/public", ".nan", ".inf", "-.inf", "1e999",
          "9" * 400, "9" * 5000, "0x1F", "2024-01-02", "!!binary aGk=", "!!python/name:os.system", "&a [1, 2]",
          "*a", "*missing", "&b {x: *a}", "'\x01'", "\"\\x07\"", "\x01", "\x7f", "{", "}", "]", "|", "> x",
          "- 1", "!!set {a, b}", "!!omap [a: 1]", "{a: 1, a: 2}", "&c [*c]", "<<", "'\ud800'", "é\u0301",
          "\U0001f600", "~", "", "\t", "null", "!custom x", "!!map x", "!!seq [", "!!timestamp foo",
          "!!bool maybe", "!!int 0b2", "!!float x", "!!binary ***", "!!str 1", "!!null x"]
line = st.tuples(st.integers(0, 3), st.sampled_from(KEYS), st.sampled_from(VALUES))


@st.composite
def registry_text(draw) -> str:
    """A registry-shaped document, then noise: random lines, alias bombs, raw control characters."""
    models = draw(st.lists(st.tuples(st.sampled_from(KEYS), st.lists(line, max_size=5)), max_size=5))
    out = ["models:"]
    for name, fields in models:
        out.append(f"  {name}:")
        out += [f"{'  ' * (2 + depth)}{k}: {v}" for depth, k, v in fields]
    if draw(st.booleans()):
        levels = draw(st.integers(2, 12))
        out = [f"l0: &l0 [{', '.join(['lol'] * 9)}]"] + [
            f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)] + out
    text = "\n".join(out) + "\n"
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.one_of(st.sampled_from(["\x00", "\x1b", "\ufeff", "\ud800", "\n  ", ": ", "&a ",
                                                           "*a", "[", "'", "---\n", "\t"]), weird_text)) + text[at:]
    return text


# ----- the properties ----------------------------------------------------------------------------------
@pytest.fixture(scope="module", autouse=True)
def warm():
    registry_schema()  # imports degirum_tools once (~1 s), which is not the case's own time
    yield
    if SLOWEST:
        print("\nslowest fuzz case per test (s):", {k: round(v, 3) for k, v in SLOWEST.items()})


def exercise(load, name: str) -> None:
    start = time.perf_counter()
    try:
        cat = Catalogue(load())
    except RegistryError as err:
        assert str(err).strip() and "\n" not in str(err)
        assert err.line is not None or err.field, str(err)
    else:
        query = Query(text="a 1")
        cat.select(query)
        cat.facets(Query())
        for key_name in cat.meta_keys[:3]:
            cat.sort(range(len(cat)), key_name)
            try:
                cat.best(key_name)
            except ValueError:
                pass  # no numeric value: the library's own ValueError, as documented
        json.dumps(strict_json([dict(e.raw) for e in cat.entries]), allow_nan=False)
    took = time.perf_counter() - start
    SLOWEST[name] = max(SLOWEST.get(name, 0.0), took)
    assert took < HANG_GUARD_S


def _text_case(text: str) -> None:
    exercise(lambda: load_text(text, "fuzz.yaml"), "text")
    try:
        expected = yaml.safe_load(text)
    except Exception:
        return
    try:
        ours = load_text(text, "fuzz.yaml").config
    except RegistryError:
        return
    assert ours == expected or ours != ours  # what loads, loads as PyYAML reads it (NaN is never equal)


@FAST
@given(registry_text())
def test_generated_yaml_text(text):
    _text_case(text)


@FAST
@given(registry_dict)
def test_generated_dicts(config):
    exercise(lambda: load_dict(config), "dict")


@pytest.mark.slow
@FULL
@given(registry_text())
def test_generated_yaml_text_full_count(text):
    _text_case(text)


@pytest.mark.slow
@FULL
@given(registry_dict)
def test_generated_dicts_full_count(config):
    exercise(lambda: load_dict(config), "dict")


@FAST
@given(registry, st.sampled_from([None, True, False]), st.booleans())
def test_valid_registries_read_exactly_as_pyyaml_reads_them(config, flow, unicode):
    text = yaml.safe_dump(config, default_flow_style=flow, allow_unicode=unicode, sort_keys=False)
    assert load_text(text, "valid.yaml").config == yaml.safe_load(text)
