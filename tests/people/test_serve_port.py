"""`motherline serve` and `motherline demo` on a port another program holds."""

from __future__ import annotations

import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.fixture
def taken_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_taken_port_is_named_with_how_to_choose_another(command, taken_port):
    with pytest.raises(CommandError) as refused:
        call_command(command, host="127.0.0.1", port=taken_port)
    message = str(refused.value)
    assert f"Port {taken_port} on 127.0.0.1 is already in use" in message
    assert f"--port {taken_port + 1}" in message


def test_a_port_out_of_range_is_refused():
    with pytest.raises(CommandError, match="between 1 and 65535"):
        call_command("serve", port=70000)


def test_a_free_port_passes_the_check():
    from motherline.core.commands import ensure_port_free

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as finder:
        finder.bind(("127.0.0.1", 0))
        free = finder.getsockname()[1]
    ensure_port_free("127.0.0.1", free)
    # The probe let go of the port: the server can take it.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", free))
        assert server.getsockname()[1] == free
