"""Telling a lost AI server from a slow one: its address, and a knock on its port (no server needed)."""

from __future__ import annotations

import socket

import pytest

from model_picker.zoo.runtime.ai_server import DEFAULT_PORT, resolve, server_address, still_there
from tests.conftest import free_port


@pytest.mark.parametrize(("host", "address"), [
    ("localhost:8779", ("localhost", 8779)),
    ("192.168.1.5", ("192.168.1.5", DEFAULT_PORT)),
    ("http://server.lan:9000/", ("server.lan", 9000)),
    ("user:secret@box:8778", ("box", 8778)),
    ("[::1]:8780", ("::1", 8780)),
    ("@local", None),
    ("@cloud", None),
    ("", None),
    ("https://hub.degirum.com", None),
    ("box:notaport", None),
    ("box:70000", None),
])
def test_server_address(host, address):
    assert server_address(host) == address


def test_a_knock_tells_a_listening_port_from_a_closed_one():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert still_there(resolve(f"127.0.0.1:{port}")) is True
    assert still_there(resolve(f"localhost:{free_port()}")) is False  # refused: nothing listens any more
    assert still_there(resolve("@local")) is None and still_there([]) is None  # nothing to knock on
