"""`python -m startjob._healthcheck`, the container health checks of docker-compose.yml."""

from __future__ import annotations

import socket

from startjob._healthcheck import has_established_connection, main, temporal_port, url_ok

# /proc/net/tcp format: a listening socket on 7233, and one established to a peer's :7233.
TABLE = """  sl  local_address rem_address   st tx_queue rx_queue
   0: 00000000:1C41 00000000:0000 0A 00000000:00000000 00:00000000 00000000
   1: 0100007F:D3A2 0200000A:1C41 01 00000000:00000000 00:00000000 00000000
"""


def test_an_established_connection_to_the_port_is_healthy() -> None:
    assert has_established_connection(7233, [TABLE])
    assert not has_established_connection(7234, [TABLE])
    listening_only = TABLE.splitlines()[0] + "\n" + TABLE.splitlines()[1]
    assert not has_established_connection(7233, [listening_only])  # listening is not connected


def test_the_port_comes_from_temporal_address() -> None:
    assert temporal_port({}) == 7233
    assert temporal_port({"TEMPORAL_ADDRESS": "temporal:7300"}) == 7300
    assert temporal_port({"TEMPORAL_ADDRESS": "[::1]:7301"}) == 7301


def test_url_checks_and_usage() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    assert not url_ok(f"http://127.0.0.1:{port}/healthz")  # nothing listens there
    assert main([]) == 2
    assert main([f"http://127.0.0.1:{port}/healthz"]) == 1
