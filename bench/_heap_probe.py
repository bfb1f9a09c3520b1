"""`python -m bench._heap_probe ARGS`: `python -m node_bridge.bridge ARGS` with `tracemalloc`
on. Each SIGUSR1 prints `traced <bytes>` (the Python heap in use after a collection) on stdout.

Section 5 runs the bridge this way a second time: RSS says what a waiting call costs the
machine, allocator and Temporal's native core included, and swings by ±10 KiB per call between
runs; the traced heap says what the bridge's own Python objects cost, and barely moves.
"""

from __future__ import annotations

import gc
import signal
import sys
import tracemalloc
from types import FrameType

from node_bridge.bridge.__main__ import main as bridge_main

TRACED_PREFIX = "traced "


def _report(signum: int, frame: FrameType | None) -> None:
    gc.collect()
    print(f"{TRACED_PREFIX}{tracemalloc.get_traced_memory()[0]}", flush=True)


if __name__ == "__main__":
    tracemalloc.start()
    signal.signal(signal.SIGUSR1, _report)
    sys.exit(bridge_main(sys.argv[1:]))
