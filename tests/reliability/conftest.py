"""The reliability suite: faults (killed worker, bridge, dev server), load, bad input.

Every process a test starts is killed with its process group when the test ends
(`tests.reliability._procs`); no test asserts on timings, only on outcomes and counts."""

from __future__ import annotations

import activities.examples  # noqa: F401  registers the example job types
import tests.fixtures.reliability_jobs
import tests.fixtures.test_jobs  # noqa: F401  registers the test-* job types
