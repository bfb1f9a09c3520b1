"""The public face is exactly the contract's names (plus a few documented extras): nothing
leaks from lower modules, nothing goes missing silently (as httpx pins its own)."""

from __future__ import annotations

import startjob

CONTRACT_NAMES = {"job", "JobContext", "JobClient", "JobWorker", "start_job", "Result",
                  "Success", "Failure", "JobError"}


def test_all_is_sorted_and_holds_the_contract() -> None:
    assert startjob.__all__ == sorted(startjob.__all__)
    assert set(startjob.__all__) >= CONTRACT_NAMES


def test_all_matches_what_the_package_exposes() -> None:
    exposed = {name for name in vars(startjob) if not name.startswith("_")}
    submodules = {"cli", "telemetry"}  # importable, but not part of the flat API
    assert exposed - submodules == set(startjob.__all__)
