"""The one reader of the app's JSON files: whatever is on disk, a value of the expected shape or None, never a raise."""

from __future__ import annotations

import json
import logging
import os
import threading

import pytest

from model_picker.statefile import read_json, write_json


def is_list_of_text(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


@pytest.mark.parametrize("content, why", [
    (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
    (b"[" * 200_000, "is nested too deeply"),
    (b'{"a": ', "is not valid JSON"),
    (b"1" * 5000, "is not valid JSON"),  # an integer too long to convert
    (b'["ok", "\\udc80"]', "lone surrogate"),
    (b'{"a": 1}', "does not have the form the app writes"),
    (b"[]" + b" " * 5_000_000, "is larger than 4,194,304 bytes"),
])
def test_an_unusable_file_is_moved_aside_with_one_warning(tmp_path, caplog, content, why):
    path = tmp_path / "memo.json"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="model_picker"):
        assert read_json(path, is_list_of_text) is None
    assert not path.exists()
    aside = list(tmp_path.glob("memo.json.bad-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert len(caplog.records) == 1 and why in caplog.text and str(path) in caplog.text
    assert read_json(path, is_list_of_text) is None  # missing now: quietly None


def test_a_folder_or_a_fifo_in_place_of_the_file(tmp_path, caplog):
    folder = tmp_path / "a.json"
    folder.mkdir()
    fifo = tmp_path / "b.json"
    os.mkfifo(fifo)
    with caplog.at_level(logging.WARNING, logger="model_picker"):
        assert read_json(folder, is_list_of_text) is None
        assert read_json(fifo, is_list_of_text) is None  # does not wait for a writer
    assert "is a folder" in caplog.text and "is not a regular file" in caplog.text
    assert not folder.exists() and not fifo.exists()


def test_a_good_file_is_read_and_only_the_last_copies_set_aside_are_kept(tmp_path):
    path = tmp_path / "memo.json"
    write_json(path, ["a", "b"])
    assert read_json(path, is_list_of_text) == ["a", "b"]
    for _ in range(6):
        path.write_text("{")
        read_json(path, is_list_of_text)
        os.utime(tmp_path)
    assert 1 <= len(list(tmp_path.glob("memo.json.bad-*"))) <= 3


def test_readers_never_see_half_a_file_while_it_is_rewritten(tmp_path, caplog):
    path = tmp_path / "memo.json"
    write_json(path, ["x"] * 10)
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            write_json(path, ["x" * (n % 50)] * 2000)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        with caplog.at_level(logging.WARNING, logger="model_picker"):
            for _ in range(300):
                assert is_list_of_text(read_json(path, is_list_of_text))
    finally:
        stop.set()
        thread.join()
    assert not caplog.records
    assert json.loads(path.read_text())


def test_a_file_rewritten_by_another_process_after_the_read_is_left_alone(tmp_path):
    path = tmp_path / "memo.json"
    path.write_text('{"old": 1}')

    def valid_then_rewritten(value) -> bool:
        write_json(path, ["new"])  # another process's whole write lands while this one judges the old file
        return False

    assert read_json(path, valid_then_rewritten) is None
    assert json.loads(path.read_text()) == ["new"] and not list(tmp_path.glob("memo.json.bad-*"))
