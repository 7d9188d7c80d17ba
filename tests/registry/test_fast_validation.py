"""The loader's fast schema check never accepts what the library's schema (jsonschema) refuses."""

from __future__ import annotations

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_picker.registry.loader import _is_valid, registry_schema
from tests.registry.strategies import registry

text = st.sampled_from(["t", "", "TFLITE/CPU", "a b", "m\n", "é"])
loose = st.one_of(text, st.integers(-2, 2), st.none(), st.booleans(), st.floats(0, 1),
                  st.lists(st.one_of(text, st.integers(0, 2)), max_size=2), st.dictionaries(text, text, max_size=2))
entry = st.dictionaries(st.sampled_from(["task", "hardware", "zoo_url", "alias", "description", "metadata", "x"]),
                        loose, max_size=7)
defaults = st.dictionaries(st.sampled_from(["inference_host_address", "token", "model_properties", "zoo_url"]),
                           loose, max_size=4)
config = st.one_of(
    registry,
    st.fixed_dictionaries({"models": st.one_of(st.dictionaries(st.sampled_from(["m", "a-b_1", "bad name", "m\n", ""]),
                                                               st.one_of(entry, loose), max_size=3), loose)},
                          optional={"defaults": st.one_of(defaults, loose), "other": loose}),
    st.dictionaries(st.sampled_from(["models", "defaults"]), loose, max_size=2))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(config)
def test_fast_check_agrees_with_the_schema(cfg):
    library_says = jsonschema.Draft7Validator(registry_schema()).is_valid(cfg)
    assert _is_valid(cfg) == library_says
