"""A project gives the same summary.json, inventory.csv and emissions.csv byte for byte, run after
run: sequentially, with one or two polars threads, from concurrent processes, and read in batches
of any size (issue 13, item 8: float sums in varying order changed the last digits)."""

from __future__ import annotations

import hashlib
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from engine.test_scale import synthetic  # tests/ is on the path (conftest)
from typer.testing import CliRunner

from dualcarbon import sums
from dualcarbon.cli import app

FILES = ("summary.json", "inventory.csv", "emissions.csv")
SRC = Path(sums.__file__).parents[1]


# ``dualcarbon run ROOT --out OUT`` for each pair of arguments in turn, in one process (the CLI's app ends
# each run with SystemExit, 0 when it succeeded)
RUNS = """import sys
from dualcarbon.cli import app
for root, out in zip(sys.argv[1::2], sys.argv[2::2], strict=True):
    try:
        app(["run", root, "--out", out])
    except SystemExit as end:
        if end.code:
            raise
"""


def start(root: Path, out: Path, threads: int | None = None) -> subprocess.Popen:
    """``dualcarbon run root --out out`` in a process of its own."""
    return start_runs([(root, out)], threads)


def start_runs(runs: list[tuple[Path, Path]], threads: int | None = None) -> subprocess.Popen:
    """``dualcarbon run root --out out`` for each ``(root, out)`` in turn, in one process of its own
    (``threads``: its POLARS_MAX_THREADS, else polars' default)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *sys.path])}
    env.pop("POLARS_MAX_THREADS", None)
    if threads is not None:
        env["POLARS_MAX_THREADS"] = str(threads)
    cmd = [sys.executable, "-c", RUNS, *[str(path) for run in runs for path in run]]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(*runs: subprocess.Popen, seconds: float = 600) -> None:
    """Wait for the processes (``seconds`` at most for each); each must have succeeded."""
    for run in runs:
        _, err = run.communicate(timeout=seconds)
        assert run.returncode == 0, err.decode()


def digests(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in FILES}


def assert_all_equal(outs: list[Path]) -> None:
    distinct = {name: {digests(out)[name] for out in outs} for name in FILES}
    assert all(len(d) == 1 for d in distinct.values()), {k: len(v) for k, v in distinct.items()}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    """A Parquet ledger of three files, 6,000 rows: enough for sums in varying order to show (with plain
    float sums in place of sums.py's integer sums, its 8 runs gave 8 distinct summary.json and
    inventory.csv, and every batch size below a summary of its own; so did 60,000 rows and 2,000)."""
    return synthetic(tmp_path_factory.mktemp("repro") / "ledger", rows=6_000, files=3)


def test_a_multi_file_ledger_gives_the_same_bytes_in_every_run(ledger, tmp_path):
    outs = [tmp_path / f"out-{i}" for i in range(8)]
    finish(start(ledger, outs[0], threads=1))
    finish(start(ledger, outs[1], threads=2))
    finish(*[start(ledger, out) for out in outs[2:]])  # six at once
    assert_all_equal(outs)


def test_batches_of_any_size_give_the_same_summary_digit_for_digit(ledger):
    """Partial groups of batches combine to the same groups, so the figures do not depend on
    ``--batch-rows`` (on main they agreed to 1e-9 only)."""
    from dualcarbon.project import job

    whole = job.run(ledger, write=False).inventory
    for batch_rows in (700, 2_500):  # 9 and 3 batches of the three files' 2,000 rows each
        batched = job.run(ledger, write=False, batch_rows=batch_rows).inventory
        assert batched.summary == whole.summary
        assert batched.inventory.equals(whole.inventory)


def test_exact_sum_does_not_depend_on_the_order_of_the_terms():
    # float addition is not associative: (1e16 + 1) - 1e16 == 0, (1e16 - 1e16) + 1 == 1
    values = [1e16, 1.0, -1e16, 0.1, 0.2, 0.3, 123456.789, -2.5e-7, 3.0e-12]
    # 2,000 of the 362,880 orders (all of them took ~110 s through polars), drawn with a fixed seed
    shuffle = random.Random(13)
    orders = [shuffle.sample(values, len(values)) for _ in range(2000)]
    naive = {sum(p) for p in orders}
    assert len(naive) > 1
    exact = {sums.total(pl.Series(p)) for p in orders}
    assert exact == {math.fsum(values)}  # math.fsum: the correctly rounded sum


def test_exact_sum_in_groups_and_partial_sums():
    rng_values = [((-1) ** i) * (i * 0.37) ** 3 + 1e-9 * i for i in range(2000)]
    frame = pl.DataFrame({"g": [i % 7 for i in range(2000)], "x": rng_values})
    by_group = {g: math.fsum(v for i, v in enumerate(rng_values) if i % 7 == g) for g in range(7)}
    got = frame.group_by("g").agg(sums.exact_sum("x")).sort("g")
    for g, value in got.iter_rows():
        assert math.isclose(value, by_group[g], rel_tol=1e-15, abs_tol=1e-12)
    halves = [frame.slice(0, 1000), frame.slice(1000), frame.slice(500, 0)]  # partials, one of them empty
    partial = [h.group_by("g").agg(sums.parts(pl.col("x"), "x")) for h in halves]
    merged = pl.concat(partial).group_by("g").agg(sums.merge("x")).select("g", sums.value("x")).sort("g")
    assert merged.equals(got)
    assert sums.total(pl.Series([], dtype=pl.Float64)) == 0.0
    assert sums.total(pl.Series([None, 2.5, None])) == 2.5


def test_the_credits_file_read_does_not_depend_on_the_folders_listing_order(tmp_path, monkeypatch):
    """Of ``credits.csv`` and ``credits.tsv``, the first by name is read whatever order the file
    system lists them in (the API lays a run's inputs out in a folder of its own)."""
    from dualcarbon.project import job

    root = tmp_path / "dairy"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "dairy"]).exit_code == 0
    header = (root / "credits.csv").read_text(encoding="utf-8").splitlines()[0]
    (root / "credits.tsv").write_text(header.replace(",", "\t") + "\n", encoding="utf-8")  # no instruments
    listed = Path.glob
    expected = job.run(root, write=False).inventory.summary["totals"]
    monkeypatch.setattr(Path, "glob", lambda self, pattern: reversed(sorted(listed(self, pattern))))
    assert job.run(root, write=False).inventory.summary["totals"] == expected
