"""Container health checks (the app image has no curl), used by `docker-compose.yml`:

    python -m startjob._healthcheck http://127.0.0.1:8787/readyz   # the URL answers 2xx
    python -m startjob._healthcheck temporal                        # a live connection to Temporal

Exit status 0 means healthy. A worker serves no HTTP, but while it polls it always holds an
established TCP connection to Temporal's port (`TEMPORAL_ADDRESS`), which is gone when Temporal
is unreachable: that is the signal the `temporal` check reads from `/proc/net/tcp*`.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["has_established_connection", "main", "temporal_port", "url_ok"]

_ESTABLISHED = "01"
_PROC_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
TIMEOUT_SECONDS = 3.0


def url_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            return 200 <= int(response.status) < 300
    except OSError:
        return False


def temporal_port(environ: dict[str, str] | None = None) -> int:
    """The port of `TEMPORAL_ADDRESS` (7233 when unset or without one)."""
    address = (os.environ if environ is None else environ).get("TEMPORAL_ADDRESS", "")
    _, sep, port = address.rpartition(":")
    return int(port) if sep and port.isdigit() else 7233


def has_established_connection(port: int, tables: Iterable[str]) -> bool:
    """Whether a `/proc/net/tcp`-format table lists an established connection to `port`."""
    wanted = f"{port:04X}"
    for table in tables:
        for line in table.splitlines()[1:]:
            fields = line.split()
            if len(fields) > 3 and fields[2].rpartition(":")[2] == wanted \
                    and fields[3] == _ESTABLISHED:
                return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m startjob._healthcheck URL|temporal", file=sys.stderr)
        return 2
    if args[0] == "temporal":
        tables = [p.read_text() for p in _PROC_TABLES if p.exists()]
        return 0 if has_established_connection(temporal_port(), tables) else 1
    return 0 if url_ok(args[0]) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
