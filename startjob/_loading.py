"""Loading job types: the built-in examples plus modules named by `--jobs` / `STARTJOB_JOBS`.

A module registers its job types by being imported (`@job` runs at import time), so loading is
importing, with an error that says which module failed and why.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable, Mapping

from node_bridge import ConfigurationError

__all__ = ["ENV_JOBS", "EXAMPLES_MODULE", "job_modules_from_env", "load_job_modules"]

ENV_JOBS = "STARTJOB_JOBS"
"""Comma-separated module names to load job types from."""
EXAMPLES_MODULE = "activities.examples"


def job_modules_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    raw = (os.environ if environ is None else environ).get(ENV_JOBS, "")
    return [name.strip() for name in raw.split(",") if name.strip()]


def load_job_modules(modules: Iterable[str], *, examples: bool = True) -> list[str]:
    """Import the examples (unless `examples=False`) and each module; returns what was loaded.

    The working directory goes on `sys.path` first, as `python -m` would do, so
    `--jobs myproject.jobs` works from a project checkout.
    """
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    names = ([EXAMPLES_MODULE] if examples else []) + [m for m in modules if m]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as err:
            raise ConfigurationError(
                f"could not load job types from module {name!r} (--jobs / {ENV_JOBS}): "
                f"{type(err).__name__}: {err}"
            ) from err
    return names
