"""The bridge's listening socket disables Nagle's algorithm for every accepted connection:
without it each response waited ~40 ms for the client's delayed ACK (docs/performance.md)."""

from __future__ import annotations

import socket

from node_bridge.bridge._serve import _bind


def test_accepted_connections_have_tcp_nodelay() -> None:
    listener = _bind("127.0.0.1", 0)
    try:
        client = socket.create_connection(listener.getsockname()[:2])
        accepted, _ = listener.accept()
        with client, accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        listener.close()
