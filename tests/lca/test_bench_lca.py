"""bench/lca.py on a 300-process synthetic system, without bw2calc: the many-demand task (SuperLU and the
default solver, each in its own process) agree to 1e-9, and so does the warm-started Monte Carlo with exact
solves. Two tasks of four keep it to four processes (each pays scipy's import); the others share their code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "lca.py"


def test_bench_runs_on_a_tiny_system() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--processes", "300", "--flows", "60", "--demands", "20"]
        + ["--iterations", "5", "--repeat", "1", "--tasks", "many,mc", "--solvers", "auto", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["processes"] == 300 and report["demands"] == 20
    assert report["technosphere_nonzeros"] > 300 * 8  # about 12 inputs each plus the diagonal
    rows = {(row["task"], row["method"]): row for row in report["rows"]}
    assert set(rows) == {
        ("many", "dualcarbon superlu"),
        ("many", "dualcarbon auto"),
        ("mc", "dualcarbon auto"),
    }
    for row in rows.values():
        assert "error" not in row, row
        assert row["agrees"] and row["max_relative_difference"] <= 1e-9
        assert row["cpu_s"] > 0 and row["peak_mib"] > 0
    assert rows[("mc", "dualcarbon auto")]["iterations_per_cpu_s"] > 0


def test_synthetic_system_shape() -> None:
    """The generator's promises: square A with a unit-ish diagonal, inputs worth 20–80 % of each output, loops."""
    import importlib.util

    import numpy as np
    import scipy.sparse as sp
    import scipy.sparse.csgraph as csgraph

    spec = importlib.util.spec_from_file_location("bench_lca", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    data = bench.synthetic(3000, flows=200, seed=3)
    a = sp.csc_matrix((data["a_amount"], (data["a_row"], data["a_col"])), shape=(3000, 3000))
    diagonal = a.diagonal()
    inputs = -(a - sp.diags(diagonal)).sum(axis=0).A1
    assert np.all(inputs >= 0.2 * diagonal - 1e-12) and np.all(inputs <= 0.8 * diagonal + 1e-12)
    strong, labels = csgraph.connected_components(a, directed=True, connection="strong")
    assert strong < 3000  # some processes sit on loops
    assert np.bincount(labels).max() > 10
