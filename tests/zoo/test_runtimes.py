"""Child processes (AI servers, postprocessors) find ONNX Runtime through a link in the user's cache."""

from __future__ import annotations

from pathlib import Path

from model_picker.zoo.runtime import agents as runtimes


def test_a_link_left_by_a_removed_install_is_replaced(tmp_path, monkeypatch):
    """A venv removed or rebuilt left the link dangling: AI servers then offered no ONNX/CPU at all."""
    lib = runtimes.onnxruntime_library()
    assert lib is not None, "onnxruntime 1.20.1 is a dependency of the project"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    link = tmp_path / "model-picker" / "onnxruntime" / "libonnxruntime.so.1"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "gone" / "libonnxruntime.so.1.20.1")
    assert runtimes._onnxruntime_link_dir() == link.parent
    assert link.resolve() == Path(lib).resolve()
    # Another install's library (an older checkout that still exists) is replaced by this one's too.
    other = tmp_path / "other.so"
    other.write_bytes(b"")
    link.unlink()
    link.symlink_to(other)
    assert runtimes._onnxruntime_link_dir() == link.parent
    assert link.resolve() == Path(lib).resolve()
