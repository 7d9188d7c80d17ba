"""The cache folder follows the XDG Base Directory spec: an absolute XDG_CACHE_HOME, else ~/.cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from model_picker.paths import cache_dir


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def test_an_absolute_xdg_cache_home_is_used(home, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "model-picker"


def test_without_xdg_cache_home_the_cache_is_under_home(home, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_dir() == home / ".cache" / "model-picker"


@pytest.mark.parametrize("value", ["", "relative/cache", "./cache"])
def test_an_empty_or_relative_xdg_cache_home_is_ignored(home, monkeypatch, value):
    """The spec calls such a value invalid: used as given, the cache would land in the current folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", value)
    assert cache_dir() == home / ".cache" / "model-picker"
    assert cache_dir().is_absolute()
