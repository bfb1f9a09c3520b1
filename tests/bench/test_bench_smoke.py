"""`python -m bench --quick` runs end to end, so the benchmark code cannot rot. It asserts
that every figure was produced, never how fast anything was."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_runs_every_section(tmp_path: Path) -> None:
    # Section 2 drives the bridge from node with the built TypeScript client: `make test`
    # builds it (test-js runs first); by hand, `npm run build` in node_bridge/js.
    assert shutil.which("node"), "node is needed for section 2"
    assert (ROOT / "node_bridge/js/dist/index.js").exists(), (
        "node_bridge/js/dist is not built: run `make test`, or `npm ci && npm run build` there")
    sections = {"1", "2", "3", "4", "5", "6"}
    out = tmp_path / "latest.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out),
         "--sections", ",".join(sorted(sections))],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert {row["section"] for row in report["rows"]} == sections
    for row in report["rows"]:
        assert row["ours"] is not None and math.isfinite(row["ours"]), row
    memory = next(row for row in report["rows"] if row["metric"].startswith("bridge RSS"))
    assert memory["baseline"] is not None, "section 5 lost its plain temporalio baseline"
    assert "startjob vs plain temporalio" in done.stdout
