"""Hypothesis strategies for random registries and library-style filter chains."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

TASKS = ["coco_detection", "face_detection", "segmentation", "pose"]
HARDWARE = ["TFLITE/CPU", "ONNX/CPU", "OPENVINO/CPU", "N2X/ORCA1", "HAILORT/HAILO8"]
ALIASES = ["yolo", "ssd", "face"]
META_KEYS = ["fps", "dataset", "precision", "size"]
NAME = st.text("abcdefgh_-0123", min_size=1, max_size=6)

scalar = st.one_of(
    st.integers(-3, 300), st.floats(-10, 1000, allow_nan=False), st.booleans(), st.none(),
    st.sampled_from(["COCO", "VOC", "int8", "fp16", "300x300", "3.5"]),
)
meta_value = st.one_of(scalar, st.lists(st.sampled_from(["a", "b"]), max_size=2))

entry = st.fixed_dictionaries(
    {"task": st.sampled_from(TASKS), "hardware": st.lists(st.sampled_from(HARDWARE), max_size=3),
     "zoo_url": st.sampled_from(["degirum/public", "https://hub.example/org/zoo", "/abs/zoo", ""])},
    optional={"alias": st.sampled_from(ALIASES), "description": st.text(max_size=10),
              "metadata": st.dictionaries(st.sampled_from(META_KEYS), meta_value, max_size=4)},
)

defaults = st.fixed_dictionaries(
    {"inference_host_address": st.sampled_from(["@local", "@cloud", "localhost:8778"])},
    optional={"token": st.sampled_from(["tok", ""]),
              "model_properties": st.dictionaries(st.sampled_from(["output_confidence_threshold", "device_type"]),
                                                  st.sampled_from([0.3, 0.5, ["TFLITE/CPU"]]), max_size=2)},
)

registry = st.fixed_dictionaries(
    {"models": st.dictionaries(NAME, entry, max_size=12)}, optional={"defaults": defaults})

# One step of a library chain: (method, argument).
step = st.one_of(
    st.tuples(st.just("for_task"), st.sampled_from(TASKS)),
    st.tuples(st.just("for_hardware"), st.sampled_from(HARDWARE)),
    st.tuples(st.just("for_alias"), st.sampled_from(ALIASES)),
    st.tuples(st.just("for_meta"), st.dictionaries(st.sampled_from(META_KEYS), scalar, max_size=2)),
)
chain = st.lists(step, max_size=4)


def _fast(meta: dict) -> bool:
    value = meta.get("fps")
    return isinstance(value, int | float) and value > 50


def _has_dataset(meta: dict) -> bool:
    return "dataset" in meta


predicate_step = st.tuples(st.just("for_meta"), st.sampled_from([{"fps": _fast}, {"x": _has_dataset}]))
chain = st.lists(st.one_of(step, predicate_step), max_size=4)


# Registries whose numbers made the window hide models: decimals the range boxes did not show,
# negatives, keys that some models lack or set to null, a key mixing types, models without metadata.
def _decimal(places: int) -> st.SearchStrategy[float]:
    return st.builds(lambda digits, p: float(Decimal(digits).scaleb(-p)), st.integers(-10**8, 10**8),
                     st.integers(0, places))


RANGE_KEYS = ["params_m", "accuracy", "fps"]
number = st.one_of(st.integers(-500, 5000), _decimal(6))
ranged_meta = st.fixed_dictionaries({}, optional={
    "params_m": _decimal(6),
    "accuracy": st.one_of(_decimal(3), st.none()),
    "fps": st.integers(-50, 900),
    "precision": st.sampled_from(["int8", "fp16", "fp32"]),
    "mixed": st.one_of(number, st.sampled_from(["COCO", "3.5", "true", "null"]), st.booleans(), st.none()),
})
ranged_entry = st.fixed_dictionaries(
    {"task": st.sampled_from(TASKS), "hardware": st.lists(st.sampled_from(HARDWARE), max_size=3, unique=True),
     "zoo_url": st.just("degirum/public")},
    optional={"alias": st.sampled_from(ALIASES), "description": st.sampled_from(["fast", "small yolo", ""]),
              "metadata": ranged_meta},
)
ranged_registry = st.fixed_dictionaries({"models": st.dictionaries(NAME, ranged_entry, min_size=1, max_size=25)})
