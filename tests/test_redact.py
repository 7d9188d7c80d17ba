"""``redact`` masks every credential form a message can hold; ``conceal``/``reveal`` keep the real URL in memory."""

from __future__ import annotations

import pytest

from model_picker.redact import conceal, redact, reveal


@pytest.mark.parametrize(("text", "shown"), [
    ("http://user:pw@host/r.yaml", "http://***@host/r.yaml"),
    ("http://user:p@ss:w@rd@host:8/r.yaml", "http://***@host:8/r.yaml"),  # '@' and ':' in the password
    ("zoo_url='http://u:a@b@h/z',", "zoo_url='http://***@h/z',"),
    ("cannot connect to user:S:PW@1@127.0.0.1:9: is it up?", "cannot connect to ***@127.0.0.1:9: is it up?"),
    ("http://h/r.yaml?x=1&token=abc", "http://h/r.yaml?x=1&token=***"),
    ("rtsp://admin:pass@camera/stream", "rtsp://***@camera/stream"),
])
def test_credentials_are_masked_whole(text, shown):
    assert redact(text) == shown


@pytest.mark.parametrize("text", ["mail a@b.com", "error: x@y", "N2X/ORCA1 at 10:30", "http://***@h/z", "a=b"])
def test_text_without_credentials_is_left_alone(text):
    assert redact(text) == text


def test_a_concealed_url_is_revealed_only_to_connect():
    real = "http://user:HUSH:PW@LEAK@127.0.0.1:1/org/zoo"
    shown = conceal(real)
    assert shown == "http://***@127.0.0.1:1/org/zoo" and reveal(shown) == real
    assert conceal("http://host/org/zoo") == "http://host/org/zoo" == reveal("http://host/org/zoo")
