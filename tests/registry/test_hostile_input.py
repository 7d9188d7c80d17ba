"""Hostile and broken registries (issue 8, items 2, 4, 5, 6, 12, 14): one located line, never a traceback.

Each case is what a probe of bad input found on main; the CLI cases run the real
command in a real process, as a user does.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time

import pytest
from degirum_tools import ModelRegistry

from model_picker.registry import Catalogue, Query, RegistryError, load_registry, open_catalogue
from model_picker.registry.loader import load_text

MODEL = "    task: face_detection\n    hardware: [TFLITE/CPU]\n    zoo_url: degirum/public\n"


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "model_picker", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def error_for(text: str, source: str = "reg.yaml") -> RegistryError:
    with pytest.raises(RegistryError) as info:
        Catalogue(load_text(text, source))
    return info.value


def billion_laughs(levels: int = 10) -> str:
    lines = ['lol0: &lol0 "lol"']
    for i in range(1, levels):
        refs = ", ".join([f"*lol{i - 1}"] * 10)
        lines.append(f"lol{i}: &lol{i} [{refs}]")
    return "\n".join(lines) + f"\nmodels:\n  m:\n{MODEL}    metadata: {{x: *lol{levels - 1}}}\n"


# ----- item 2: YAML bombs --------------------------------------------------------------------------
def test_billion_laughs_is_refused_in_well_under_a_second_with_the_alias_line(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs())
    start = time.perf_counter()
    with pytest.raises(RegistryError) as info:
        open_catalogue(str(path))
    assert time.perf_counter() - start < 5  # a hang guard; the real figure is milliseconds
    err = info.value
    assert err.source == str(path) and err.line == 7 and err.column
    assert "aliases expand this registry beyond" in str(err)


def test_billion_laughs_on_the_command_line_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs())
    out = cli("list", "--registry", str(path), timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0, out.stderr
    assert f"{path}:7:" in out.stderr and "aliases expand" in out.stderr


def test_ordinary_aliases_and_merge_keys_still_load_as_the_library_reads_them():
    text = ("base: &base {task: face_detection, hardware: &hw [TFLITE/CPU], zoo_url: z}\n"
            "models:\n" + "".join(f"  m{i}:\n    <<: *base\n    hardware: *hw\n    alias: a{i % 3}\n"
                                  for i in range(200)))
    ours = load_text(text, "reg.yaml").config
    import yaml

    assert ours == yaml.safe_load(text)


def test_a_recursive_alias_is_refused():
    err = error_for("a: &a [1, *a]\nmodels: {}\n")
    assert err.line == 1 and "recursive" in str(err)


def test_deep_nesting_is_refused_with_its_line():
    err = error_for("models: {}\nx: " + "[" * 200 + "]" * 200 + "\n")
    assert err.line == 2 and "nested more than" in str(err)


# ----- item 4: loader tracebacks ------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "read_as"), [("123", "int"), ("1.5", "float"), ("true", "bool"),
                                              ("yes", "bool"), ("null", "NoneType"), ("~", "NoneType")])
def test_model_keys_that_yaml_reads_as_numbers_bools_or_null_name_the_line(key, read_as):
    err = error_for(f"models:\n  ok:\n{MODEL}  {key}:\n{MODEL}")
    assert (err.line, err.column) == (6, 3) and err.field == "models"
    assert f"the key {key!r} is read by YAML as {read_as}" in str(err) and "quote it" in str(err)


def test_the_library_crashes_on_a_number_as_model_name_where_we_explain(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(f"models:\n  123:\n{MODEL}")
    with pytest.raises(TypeError):
        ModelRegistry(config_file=str(path))
    with pytest.raises(RegistryError, match=r"r.yaml:2:3: models: the key '123' is read by YAML as int"):
        load_registry(path)


def test_a_number_key_in_a_dict_is_named_by_field():
    with pytest.raises(RegistryError, match=r"models: the key 5 is a int, not text"):
        load_registry({"models": {5: {"task": "t", "hardware": [], "zoo_url": "z"}}})


def test_numbers_beyond_the_float_range_load_and_rank_as_infinite():
    big = "9" * 400
    text = (f"models:\n  a:\n{MODEL}    metadata: {{fps: {big}, acc: 1e999}}\n"
            f"  b:\n{MODEL}    metadata: {{fps: -{big}, acc: -.inf}}\n  c:\n{MODEL}    metadata: {{fps: 3}}\n")
    cat = Catalogue(load_text(text, "reg.yaml"))
    assert "fps" in cat.numeric_keys
    assert cat.names(Query(meta_ranges={"fps": (0, None)})) == ["a", "c"]
    assert [cat.entries[i].name for i in cat.sort(range(3), "fps")] == ["b", "c", "a"]
    assert cat.facets(Query())["meta:fps"].numeric_range == (float("-inf"), float("inf"))
    assert cat.entries[cat.best("fps")].name == "a"


def test_integers_over_4300_digits_are_a_located_error_in_text_and_dict():
    err = error_for(f"models:\n  a:\n{MODEL}    metadata:\n      n: {'7' * 5000}\n")
    assert (err.line, err.column) == (7, 10) and err.field == "models.a.metadata.n"
    assert "5,000 digits is too long" in str(err)
    with pytest.raises(RegistryError, match=r"models.a.metadata.n: an integer too long"):
        load_registry({"models": {"a": {"task": "t", "hardware": [], "zoo_url": "z", "metadata": {"n": 7 ** 9000}}}})


def test_one_digit_limit_for_integers_however_written_applied_at_load(tmp_path):
    """0b/0o/0x/sexagesimal integers are read without Python's limit, so every form meets one rule at load
    (at most 4,300 decimal digits, refused with its line): no output ever has to print a longer one."""
    longest = 10**4300 - 1
    written = {"binary": "0b" + "1" * 20000, "octal": "0" + "7" * 6000, "hex": "0x" + "f" * 4000,
               "sexagesimal": "1" + ":59" * 2500, "hex just over": hex(longest + 1)}
    for form, text in written.items():
        err = error_for(f"models:\n  a:\n{MODEL}    metadata:\n      n: {text}\n")
        assert (err.line, err.field) == (7, "models.a.metadata.n"), form
        assert "more than 4,300 decimal digits" in str(err) and "quote it" in str(err), form
    at_limit = load_text(f"models:\n  a:\n{MODEL}    metadata: {{n: {hex(longest)}, m: -{hex(longest)}}}\n", "r.yaml")
    assert at_limit.config["models"]["a"]["metadata"]["n"] == longest

    path = tmp_path / "big.yaml"
    path.write_text(f"models:\n  a:\n{MODEL}    metadata:\n      n: {written['binary']}\n")
    for args in (["list", "--json"], ["list"], ["show", "a", "--format", "json"]):
        out = cli(*args, "--registry", str(path))
        assert out.returncode == 2 and "Traceback" not in out.stderr, (args, out.stderr[-300:])
        assert f"{path}:7:" in out.stderr and "4,300 decimal digits" in out.stderr
    path.write_text(f"models:\n  a:\n{MODEL}    metadata:\n      n: {hex(longest)}\n")
    out = cli("list", "--json", "--registry", str(path))
    assert out.returncode == 0 and json.loads(out.stdout)[0]["metadata"]["n"] == longest


def test_a_lone_surrogate_through_the_text_api_is_located():
    err = error_for(f"models:\n  a:\n{MODEL}    description: bad \ud800 text\n")
    assert (err.line, err.column) == (6, 22) and "lone surrogate" in str(err)
    with pytest.raises(RegistryError, match=r"models.a.description: text with a lone surrogate"):
        load_registry({"models": {"a": {"task": "t", "hardware": [], "zoo_url": "z", "description": "\udcff"}}})


def test_a_file_name_with_a_nul_or_a_lone_surrogate_is_refused_not_raised(tmp_path):
    for name in ("bad\x00name.yaml", "bad\ud800name.yaml"):
        with pytest.raises(RegistryError, match="not a valid file name"):
            load_registry(str(tmp_path / name))


# ----- item 5: duplicate keys ------------------------------------------------------------------------
def test_a_model_written_twice_is_refused_with_both_lines():
    err = error_for(f"models:\n  m:\n{MODEL}  other:\n{MODEL}  m:\n{MODEL}")
    assert err.line == 10 and "duplicate key 'm' (first at line 2)" in str(err)


def test_two_models_sections_are_refused_with_both_lines():
    err = error_for(f"models:\n  a:\n{MODEL}defaults:\n  inference_host_address: '@local'\nmodels:\n  b:\n{MODEL}")
    assert err.line == 8 and "duplicate key 'models' (first at line 1)" in str(err)


def test_any_duplicate_mapping_key_is_refused():
    err = error_for(f"models:\n  m:\n{MODEL}    metadata: {{fps: 1, fps: 2}}\n")
    assert err.line == 6 and err.field == "models.m.metadata" and "duplicate key 'fps' (first at line 6)" in str(err)


# ----- item 6: located messages ------------------------------------------------------------------------
def test_an_unclosed_bracket_gives_the_problem_and_where_the_sequence_began(tmp_path):
    text = "defaults:\n  inference_host_address: '@local'\nmodels:\n  m:\n    task: t\n    alias: a\n" \
           "    hardware: [TFLITE/CPU\n    zoo_url: degirum/public\n"
    err = error_for(text)
    assert err.line == 8
    assert "while parsing a flow sequence that starts at line 7, column 15" in str(err)


def test_a_control_character_is_reported_by_line_and_column_not_position():
    err = error_for(f"models:\n  m:\n{MODEL}    description: \u00e9t\u00e9 \x07 ring\n")
    assert (err.line, err.column) == (6, 22)
    assert "U+0007" in str(err) and "position" not in str(err)


def test_a_file_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(f"models:\n  m:\n{MODEL}    description: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RegistryError, match=r"latin1.yaml:6:21: not UTF-8 text"):
        load_registry(path)


def test_html_is_named_as_html():
    err = error_for("<!DOCTYPE html>\n<html><body><form>Sign in</form></body></html>\n")
    assert err.line == 1 and "HTML" in str(err)


def test_file_urls_simply_work_and_other_schemes_are_named(tmp_path):
    path = tmp_path / "my registry.yaml"
    path.write_text(f"models:\n  m:\n{MODEL}")
    doc = load_registry(path.as_uri())
    assert list(doc.config["models"]) == ["m"] and doc.base == str(tmp_path)
    for url in ("ftp://example.com/r.yaml", "s3://bucket/r.yaml", "sftp://h/r.yaml"):
        scheme = url.split(":")[0]
        with pytest.raises(RegistryError, match=f"unsupported URL scheme '{scheme}://'"):
            load_registry(url)


# ----- item 12: strict JSON ------------------------------------------------------------------------
def test_list_json_is_strict_json(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(f"models:\n  m:\n{MODEL}    metadata: {{a: .nan, b: .inf, c: -.inf, d: 2024-01-02, e: 1.5}}\n")
    out = cli("list", "--registry", str(path), "--json")
    assert out.returncode == 0, out.stderr

    def refuse(name):
        raise ValueError(name)

    rows = json.loads(out.stdout, parse_constant=refuse)  # NaN / Infinity would raise here
    assert rows[0]["metadata"] == {"a": "NaN", "b": "Infinity", "c": "-Infinity", "d": "2024-01-02", "e": 1.5}
    out = cli("show", "m", "--registry", str(path), "--format", "json")
    assert json.loads(out.stdout, parse_constant=refuse)["metadata"]["a"] == "NaN"


# ----- item 14: what the library itself writes -----------------------------------------------------------
def test_a_config_the_library_filled_in_is_accepted():
    config = {"models": {"m": {"task": "t", "hardware": ["TFLITE/CPU"], "zoo_url": "z"}}}
    lib = ModelRegistry(config=copy.deepcopy(config))
    assert lib.config["defaults"] == {"inference_host_address": "@cloud", "token": None, "model_properties": {}}
    for written in (lib.config, lib.with_defaults(zoo_url="/zoo", inference_host_address="@local").config):
        cat = Catalogue(load_registry(copy.deepcopy(written)))
        assert cat.spec(0).token is None
        assert ModelRegistry(config=copy.deepcopy(written)).all_model_specs()[0].token is None


def test_a_library_config_saved_as_yaml_is_accepted(tmp_path):
    import yaml

    lib = ModelRegistry(config={"models": {"m": {"task": "t", "hardware": ["TFLITE/CPU"], "zoo_url": "z"}}})
    path = tmp_path / "saved.yaml"
    path.write_text(yaml.safe_dump(lib.config))  # defaults.token: null
    assert Catalogue(load_registry(path)).spec(0).token is None
    with pytest.raises(Exception, match="None is not of type 'string'"):
        ModelRegistry(config_file=str(path))  # the library refuses what it wrote (README: departures)


def test_a_key_with_a_newline_stays_on_one_line_of_the_message():
    """Found by the fuzz suite: the field name was printed raw, so the 'one line' had two."""
    from model_picker.registry import load_dict

    with pytest.raises(RegistryError) as caught:
        load_dict({"\n": 7**9000})
    assert "\n" not in str(caught.value) and "\\n" in str(caught.value) and "4,300 digits" in str(caught.value)
