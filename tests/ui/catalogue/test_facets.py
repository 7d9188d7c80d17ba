"""The filter panel shows what its counts say, `model-picker list` says and the library's filters keep.

Driven with input events on the real window: clicks on the value lists' check
boxes, on a range's "without <key>" box and on Clear all; bounds typed into the
range boxes; words typed into the search box. After every step the rows shown are
compared with the panel's own counts and with ``degirum_tools.ModelRegistry``'s
chained ``for_*`` calls, and the last one with ``model-picker list`` given the
same filters (its code path in-process; one case as a real process). Ticking several values
of one list keeps any of them: the library's answer is then the union of one
chain per combination. A range is a ``for_meta`` callable; keeping the models
without a value adds those with no metadata, which ``for_meta`` always drops
(``tests/registry/test_ranges.py``).

One window serves every test; each loads its own registry into it.
"""

from __future__ import annotations

import contextlib
import copy
import io
import itertools
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from degirum_tools import ModelRegistry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings

from model_picker.cli.catalogue_cmds import cmd_list
from model_picker.cli.main import build_parser
from tests.registry.strategies import ranged_registry
from tests.registry.test_ranges import library_range
from tests.ui.catalogue.facet_input import (
    click,
    click_box,
    click_check,
    decimal_registry,
    list_counts,
    type_into,
    wait_until,
)
from tests.ui.conftest import visible_names

Step = Callable[[ModelRegistry], ModelRegistry]


@dataclass
class Loaded:
    """A registry open in the window, with the library's view of it."""

    path: Path
    config: dict[str, Any]
    lib: ModelRegistry
    order: list[str]


@pytest.fixture(scope="module")
def shared(qapp, tmp_path_factory):
    """One real window for the module, and a folder for the registries loaded into it."""
    from model_picker.ui.shell.main_window import MainWindow

    folder = tmp_path_factory.mktemp("facets")
    store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    store.setValue("output_dir", str(folder / "out"))
    win = MainWindow(str(write(folder / "start.yaml", decimal_registry(12))), store)
    win.resize(1400, 860)
    win.show()
    wait_until(lambda: win.session.catalogue is not None)
    yield win, folder
    win.runs.stop_run()
    win.close()


def write(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


_serial = itertools.count()


def load(shared, config: dict[str, Any]) -> Loaded:
    """Open ``config`` in the window from a file of its own, as File → Open does."""
    win, folder = shared
    config = {"defaults": {"inference_host_address": "@local"}, **copy.deepcopy(config)}
    path = write(folder / f"registry-{next(_serial)}.yaml", config)
    win.files.load_registry(str(path))
    wait_until(lambda: win.session.base is not None and win.session.base.document.origin == str(path))
    lib = ModelRegistry(config=copy.deepcopy(config))
    return Loaded(path, config, lib, list(config["models"]))


def cli_names(loaded: Loaded, argv: list[str]) -> list[str]:
    """``model-picker list ARGV --json``, through the command's own code, in this process."""
    args = build_parser().parse_args(["list", "--registry", str(loaded.path), *argv, "--json"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert cmd_list(args) == 0
    return [row["name"] for row in json.loads(out.getvalue())]


def chained(loaded: Loaded, alternatives: list[list[Step]]) -> list[str]:
    """The library's answer: one chain per pick of one step from each list, united, in registry order."""
    kept: set[str] = set()
    for picks in itertools.product(*alternatives):
        lib = loaded.lib
        for step in picks:
            lib = step(lib)
        kept |= set(lib.config["models"])
    return [name for name in loaded.order if name in kept]


def restrict(lib: ModelRegistry, names: list[str]) -> ModelRegistry:
    config = copy.deepcopy(lib.config)
    config["models"] = {n: config["models"][n] for n in names}
    return ModelRegistry(config=config)


def yaml_text(value: Any) -> str:
    """``value`` as the YAML text ``--meta KEY=VALUE`` reads back as the same value."""
    return yaml.safe_dump(value, default_flow_style=True, width=1000).removesuffix("\n").removesuffix("\n...")


def value_step(dimension: str, value: Any) -> Step:
    if dimension == "task":
        return lambda lib: lib.for_task(value)
    if dimension == "hardware":
        return lambda lib: lib.for_hardware(value)
    if dimension == "alias":
        return lambda lib: lib.for_alias(value)
    return lambda lib: lib.for_meta({dimension.removeprefix("meta:"): value})


def searched(loaded: Loaded, names: list[str], text: str) -> list[str]:
    """The search box's rule, written out: every word appears in a model's fields or metadata."""
    words = text.casefold().split()
    if not words:
        return names
    kept = []
    for name in names:
        e = loaded.config["models"][name]
        fields = [name, str(e.get("alias") or ""), str(e.get("description", "")), str(e["task"]),
                  *map(str, e.get("hardware", []))]
        for key, value in (e.get("metadata") or {}).items():
            fields += [str(key), str(value)]
        haystack = "\n".join(fields).casefold()
        if all(w in haystack for w in words):
            kept.append(name)
    return kept


@dataclass
class Asked:
    """What the user has clicked and typed, as the test keeps track of it (not read from the panel)."""

    ticked: dict[str, list[Any]] = field(default_factory=dict)  # dimension -> values, in click order
    bounds: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # key -> {"low"/"high": typed}
    dropped: set[str] = field(default_factory=set)  # keys whose "without" box is unticked
    search: str = ""

    def toggle(self, dimension: str, value: Any) -> None:
        values = self.ticked.setdefault(dimension, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)

    def ranged(self) -> list[str]:
        return sorted(k for k in set(self.bounds) | self.dropped if self.bounds.get(k) or k in self.dropped)

    def argv(self) -> list[str]:
        argv: list[str] = []
        for dimension, values in self.ticked.items():
            for value in values:
                if dimension in ("task", "hardware", "alias"):
                    argv += [f"--{dimension}", str(value)]
                else:
                    argv += ["--meta", f"{dimension.removeprefix('meta:')}={yaml_text(value)}"]
        for key in self.ranged():
            ends = self.bounds.get(key, {})
            argv += ["--meta", f"{key}={ends.get('low', '')}..{ends.get('high', '')}"]
            if key not in self.dropped:
                argv += ["--keep-missing", key]
        return argv + (["--search", self.search] if self.search else [])

    def alternatives(self, loaded: Loaded, without: str = "") -> list[list[Step]]:
        """Library steps per filtered dimension (any one of each list), leaving out ``without``."""
        steps = [[value_step(d, v) for v in values] for d, values in self.ticked.items() if values and d != without]
        for key in self.ranged():
            if f"meta:{key}" == without:
                continue
            low, high = (float(self.bounds.get(key, {})[e]) if e in self.bounds.get(key, {}) else None
                         for e in ("low", "high"))
            keep = key not in self.dropped
            steps.append([lambda lib, k=key, b=(low, high), m=keep: restrict(lib, library_range(lib, k, b, m))])
        return steps

    def expected(self, loaded: Loaded, without: str = "") -> list[str]:
        return searched(loaded, chained(loaded, self.alternatives(loaded, without)), self.search)


def check(win, loaded: Loaded, asked: Asked, cli: bool = True) -> None:
    """Rows shown == the counts the panel shows == the library's chains (== `model-picker list` with ``cli``)."""
    shown = visible_names(win)
    assert win.header.count_label.text() == f"{len(shown)} of {len(loaded.order)} models"
    assert shown == asked.expected(loaded), f"window vs library for {asked}"
    if cli:
        assert shown == cli_names(loaded, asked.argv()), f"window vs model-picker list {asked.argv()}"
    panel = win.facets
    for dimension, values in panel.lists.items():
        counts = list_counts(values)
        others = set(asked.expected(loaded, without=dimension))
        for value, count in counts:  # "how many would I see with this ticked too"
            alone = set(chained(loaded, [[value_step(dimension, value)]]))
            assert count == len(others & alone), f"{dimension}={value!r} under {asked}"
        ticked = asked.ticked.get(dimension, [])
        if ticked and (dimension != "hardware" or len(ticked) == 1):  # one value per model: counts add up
            assert sum(c for v, c in counts if v in ticked) == len(shown)
    for dimension, rng in panel.ranges.items():
        key = dimension.removeprefix("meta:")
        within, missing = int(rng.within.text()), int(rng.missing.text())
        assert within + (0 if key in asked.dropped else missing) == len(shown), f"{key} counts under {asked}"
        others = set(asked.expected(loaded, without=dimension))
        valueless = set(library_range(loaded.lib, key, (float("inf"), float("-inf")), True))
        assert missing == len(others & valueless)


def test_ticking_a_task_shows_the_count_it_had(shared):
    """Issue 19: Task → coco_detection showed fewer rows than its count and `list --task` said."""
    win, _ = shared
    loaded = load(shared, decimal_registry())
    values = win.facets.lists["task"]
    row, count = next((r, c) for r, (v, c) in enumerate(list_counts(values)) if v == "coco_detection")
    click_check(win.facets, values, row)
    expected = list(loaded.lib.for_task("coco_detection").config["models"])
    assert len(visible_names(win)) == count == len(expected)
    assert visible_names(win) == expected == cli_names(loaded, ["--task", "coco_detection"])


def test_clear_all_on_a_fresh_registry_shows_every_model(shared):
    """Issue 19: Clear all, with nothing ticked, hid the models the rounded ranges left out."""
    win, _ = shared
    loaded = load(shared, decimal_registry())
    click(win.facets, win.facets.clear_button)
    assert visible_names(win) == loaded.order
    assert win.header.count_label.text() == "420 of 420 models"


def test_task_hardware_and_precision_keep_what_the_library_keeps(shared):
    """Issue 19: three ticks showed one model fewer than the CLI and the library's chain."""
    win, _ = shared
    loaded = load(shared, decimal_registry())
    models = loaded.config["models"]
    # A pick whose models include one without params_m: the old rounded range dropped it.
    task, hardware, precision = next(
        (e["task"], h, e["metadata"]["precision"]) for e in models.values() if "params_m" not in e["metadata"]
        for h in e["hardware"])
    for dimension, value in (("task", task), ("hardware", hardware), ("meta:precision", precision)):
        values = win.facets.lists[dimension]
        click_check(win.facets, values, [v for v, _ in list_counts(values)].index(value))
    expected = list(loaded.lib.for_task(task).for_hardware(hardware).for_meta({"precision": precision})
                    .config["models"])
    assert visible_names(win) == expected == cli_names(
        loaded, ["--task", task, "--hardware", hardware, "--meta", f"precision={precision}"])


def test_range_boxes_show_the_data_decimals_and_say_what_they_keep(shared):
    win, _ = shared
    loaded = load(shared, decimal_registry())
    rng = win.facets.ranges["meta:params_m"]
    values = [e["metadata"]["params_m"] for e in loaded.config["models"].values() if "params_m" in e["metadata"]]
    assert (rng.low.decimals(), rng.low.value(), rng.high.value()) == (2, min(values), max(values))
    assert int(rng.within.text()) == len(values) and int(rng.missing.text()) == 420 - len(values)
    type_into(win.facets, rng.low, rng.low.textFromValue(10.5))
    asked = Asked(bounds={"params_m": {"low": Decimal("10.5")}})
    check(win, loaded, asked)
    assert len(visible_names(win)) == int(rng.within.text()) + int(rng.missing.text())
    click_box(win.facets, rng.keep_missing)  # untick "without params_m": those models go
    asked.dropped.add("params_m")
    check(win, loaded, asked)
    assert len(visible_names(win)) == int(rng.within.text())


def test_a_real_model_picker_list_process_agrees(shared):
    win, _ = shared
    loaded = load(shared, decimal_registry())
    click_check(win.facets, win.facets.lists["task"], 1)
    rng = win.facets.ranges["meta:accuracy"]
    type_into(win.facets, rng.high, rng.high.textFromValue(55.55))
    task = win.facets.lists["task"].topLevelItem(1).text(0)
    argv = ["--task", task, "--meta", "accuracy=..55.55", "--keep-missing", "accuracy"]
    out = subprocess.run([sys.executable, "-m", "model_picker", "list", "--registry", str(loaded.path), *argv,
                          "--json"], capture_output=True, text=True, timeout=120, check=True).stdout
    assert visible_names(win) == [row["name"] for row in json.loads(out)]
    check(win, loaded, Asked(ticked={"task": [task]}, bounds={"accuracy": {"high": Decimal("55.55")}}))


SEARCHES = ["", "a", "yolo", "fp16", "coco 1", "CPU fast"]


def tick(panel, data, asked: Asked) -> None:
    dimension = data.draw(st.sampled_from(sorted(panel.lists)), label="list")
    values = panel.lists[dimension]
    row = data.draw(st.integers(0, values.topLevelItemCount() - 1), label="row")
    asked.toggle(dimension, click_check(panel, values, row))


def type_bound(panel, data, asked: Asked, config: dict[str, Any]) -> None:
    """Type a number the data has, a box's limit or any number between, at the box's decimals."""
    dimension = data.draw(st.sampled_from(sorted(panel.ranges)), label="range")
    key, rng = dimension.removeprefix("meta:"), panel.ranges[dimension]
    end = data.draw(st.sampled_from(["low", "high"]), label="end")
    box = getattr(rng, end)
    step = Decimal(1).scaleb(-box.decimals())
    lowest, highest = (Decimal(repr(x)).quantize(step) for x in (box.minimum(), box.maximum()))
    metas = [e.get("metadata") or {} for e in config["models"].values()]
    numbers = [Decimal(repr(float(m[key]))).quantize(step) for m in metas if type(m.get(key)) in (int, float)]
    between = st.integers(int(lowest / step), int(highest / step)).map(lambda n: Decimal(n) * step)
    typed = data.draw(st.one_of(st.sampled_from([*numbers, lowest, highest]), between), label="typed")
    type_into(panel, box, box.textFromValue(float(typed)))
    assert box.value() == float(typed)
    asked.bounds.setdefault(key, {})[end] = typed


def untick_without(panel, data, asked: Asked) -> None:
    shown = sorted(d for d, r in panel.ranges.items() if r.keep_missing.isVisibleTo(panel))
    dimension = data.draw(st.sampled_from(shown), label="without")
    click_box(panel, panel.ranges[dimension].keep_missing)
    asked.dropped ^= {dimension.removeprefix("meta:")}


def search(win, data, asked: Asked) -> None:
    text = data.draw(st.sampled_from(SEARCHES), label="search")
    type_into(win.facets, win.facets.search, text)
    wait_until(lambda: win.session.query.text == text, timeout=5)
    asked.search = text


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(config=ranged_registry, data=st.data())
def test_any_clicks_show_what_the_counts_the_cli_and_the_library_say(shared, config, data):
    win, _ = shared
    loaded = load(shared, config)
    panel = win.facets
    panel.search_delay.setInterval(0)  # the pause after typing is not under test here
    asked = Asked()
    check(win, loaded, asked, cli=False)
    for step in reversed(range(data.draw(st.integers(1, 5), label="steps"))):
        kinds = ["clear", "search"] + ["tick"] * 3 * bool(panel.lists) + ["bound"] * 3 * bool(panel.ranges)
        kinds += ["without"] * any(r.keep_missing.isVisibleTo(panel) for r in panel.ranges.values())
        kind = data.draw(st.sampled_from(kinds), label="kind")
        if kind == "tick":
            tick(panel, data, asked)
        elif kind == "bound":
            type_bound(panel, data, asked, config)
        elif kind == "without":
            untick_without(panel, data, asked)
        elif kind == "search":
            search(win, data, asked)
        else:
            click(panel, panel.clear_button)
            asked = Asked()
        check(win, loaded, asked, cli=step == 0)  # the CLI once, on the last state (it reads the file again)


def test_infinite_and_huge_numbers_leave_the_boxes_finite_and_every_model_shown(shared):
    win, _ = shared
    base = {"task": "t", "hardware": ["TFLITE/CPU"], "zoo_url": "degirum/public"}
    loaded = load(shared, {"models": {
        "up": {**base, "metadata": {"fps": float("inf"), "size": 7 ** 400}},
        "down": {**base, "metadata": {"fps": float("-inf"), "size": 1.5e300}},
        "plain": {**base, "metadata": {"fps": 12.125, "size": -3}},
        "none": base}})
    check(win, loaded, Asked())
    rng = win.facets.ranges["meta:fps"]
    assert rng.low.minimum() > -1e16 and rng.high.maximum() < 1e16 and rng.low.decimals() == 3
    type_into(win.facets, rng.low, rng.low.textFromValue(0))
    assert visible_names(win) == ["up", "plain", "none"]
    check(win, loaded, Asked(bounds={"fps": {"low": Decimal(0)}}))


def test_a_bound_is_typed_as_written_and_one_past_the_limits_is_clamped(shared):
    """Qt alone refuses "-0" on the way to -0.01 when the top is negative, and undoes a number past a limit."""
    win, _ = shared
    base = {"task": "t", "hardware": ["TFLITE/CPU"], "zoo_url": "degirum/public"}
    loaded = load(shared, {"models": {name: {**base, "metadata": {"shift": shift}}
                                      for name, shift in (("a", -1.0), ("b", -0.25), ("c", -0.01))}})
    rng = win.facets.ranges["meta:shift"]
    type_into(win.facets, rng.low, "-0.01")
    assert rng.low.value() == -0.01 and visible_names(win) == ["c"]
    type_into(win.facets, rng.low, "-7")
    assert rng.low.value() == -1.0 and visible_names(win) == ["a", "b", "c"]
    type_into(win.facets, rng.high, "3")
    assert rng.high.value() == -0.01
    check(win, loaded, Asked(bounds={"shift": {"low": Decimal("-1"), "high": Decimal("-0.01")}}))
