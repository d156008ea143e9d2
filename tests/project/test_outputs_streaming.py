"""Every output path streams: a typed Parquet ledger (bench/ledger.py) read in small batches writes
emissions.csv, emissions.parquet, emissions.xlsx (or none) in many batches, with the values of a run in
one batch; and a run under a cap on its address space that a whole-table emission pass exceeds."""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from emission_files import differences, read_as, read_parquet
from engine.test_grouped import close

from dualcarbon.project import job, ledger, outputs

BENCH_LEDGER = Path(__file__).resolve().parents[2] / "bench" / "ledger.py"
ROWS = 1_200
BATCH_ROWS = 150  # 1,200 rows in two files: 8 batches in each pass


def bench_ledger():
    spec = importlib.util.spec_from_file_location("bench_ledger", BENCH_LEDGER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_ledger(root: Path, rows: int, files: int, organisations: int = 12) -> Path:
    """bench/ledger.py's synthetic ledger (typed Parquet, its unit mix and regions), with few facilities."""
    bench = bench_ledger()
    (root / "activities").mkdir(parents=True)
    (root / "dualcarbon.toml").write_text(bench.TOML, encoding="utf-8")
    step = -(-rows // files)
    for k in range(files):
        frame = bench.ledger(step, seed=1 + k, organisations=organisations, first_id=k * step)
        frame.write_parquet(root / "activities" / f"part-{k}.parquet")
    return root


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The ledger, and its outputs from a run in one batch (emissions.parquet)."""
    root = write_ledger(tmp_path_factory.mktemp("ledger") / "p", ROWS, files=2)
    out = root.parent / "one-batch"
    result = job.run(root, out=out, emissions="parquet")
    assert result.project.ledger is not None and sum(p.rows for p in result.project.ledger.partitions) == ROWS
    return root, out


def count_batches(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counters of the batches read from the ledger (every pass) and given to the emission file's writer
    (as polars frames for CSV and XLSX, as Arrow tables for Parquet)."""
    counts = {"read": 0, "written": 0}
    scans, frames, tables = ledger.Partition.scans, outputs._frames, outputs._tables

    def counted_scans(self, batch_rows: int | None = None) -> Iterator[pl.LazyFrame]:
        for frame in scans(self, batch_rows):
            counts["read"] += 1
            yield frame

    def counted(batches):
        def each(emissions):
            for batch in batches(emissions):
                counts["written"] += 1
                yield batch

        return each

    monkeypatch.setattr(ledger.Partition, "scans", counted_scans)
    monkeypatch.setattr(outputs, "_frames", counted(frames))
    monkeypatch.setattr(outputs, "_tables", counted(tables))
    return counts


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx", "none"])
def test_every_output_is_written_in_batches_with_the_values_of_one_batch(reference, tmp_path, monkeypatch, fmt):
    root, one = reference
    counts = count_batches(monkeypatch)
    out = tmp_path / "batched"
    result = job.run(root, out=out, emissions=fmt, batch_rows=BATCH_ROWS)
    batches = -(-ROWS // BATCH_ROWS)
    assert counts["read"] >= 2 * batches  # the grouping pass and the emission pass (or the facility pass)
    expected = read_parquet(one / "emissions.parquet")
    if fmt == "none":
        assert counts["written"] == 0 and not list(out.glob("emissions.*"))
    else:
        assert counts["written"] == batches, counts  # one emission batch per ledger batch, each written in turn
        path = out / f"emissions.{fmt}"
        got = read_parquet(path) if fmt == "parquet" else read_as(path, expected.schema)
        # groups summed from other partial sums: the same values to rounding (DESIGN.md 'Scale': 1e-9)
        assert differences(expected, got, relative=1e-9) == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["emission_rows"] == expected.height == result.inventory.summary["emission_rows"]
    assert close(summary, json.loads((one / "summary.json").read_text(encoding="utf-8"))) == []
    inventory = pl.read_csv(out / "inventory.csv")
    assert differences(pl.read_csv(one / "inventory.csv", schema=inventory.schema), inventory, 1e-9) == []


# The capped run: 200,000 ledger rows make 1,034,078 emission rows. Address space (VmPeak) measured with
# MALLOC_ARENA_MAX=1 and two polars threads: 1.81 GB for the dairy example (the interpreter and its
# libraries); writing emissions.csv, 2.11 GB in batches of 20,000 rows and 2.93 GB when the emission pass
# takes the whole ledger at once. (emissions.parquet: 1.98 GB and 2.04 GB, since its batches are
# dictionary-coded Arrow tables, small even whole: the CSV path is the one a whole table would break.)
# The cap sits between.
CAP_BYTES = 2_350 * 1024 * 1024
CAPPED_ROWS = 200_000
WHOLE = "from dualcarbon.project import ledger; ledger.EMISSION_BATCH_ROWS = 10**9; "


def capped(args: list[str], prelude: str = "") -> subprocess.CompletedProcess:
    """``dualcarbon ARGS`` in a process whose address space is capped at ``CAP_BYTES``."""
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(
            p for p in [str(Path(job.__file__).parents[2]), os.environ.get("PYTHONPATH")] if p
        ),
        # glibc reserves 64 MiB of address space per thread arena, and polars' pool a stack per thread:
        # reservations, not memory in use, that would make the cap depend on the machine's cores
        "MALLOC_ARENA_MAX": "1",
        "POLARS_MAX_THREADS": "2",
    }
    code = prelude + "import sys; from dualcarbon.cli import main; sys.argv = ['dualcarbon', *sys.argv[1:]]; main()"

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))

    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, preexec_fn=cap, capture_output=True, text=True, timeout=300
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux counts it")
def test_a_large_run_streams_under_an_address_space_cap_that_the_whole_table_exceeds(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "p", CAPPED_ROWS, files=1, organisations=20)
    args = ["run", str(root), "--emissions", "csv", "--lang", "en"]
    streamed = capped([*args, "--out", str(tmp_path / "streamed"), "--batch-rows", "20000"])
    assert streamed.returncode == 0, streamed.stderr[-2000:]
    summary = json.loads((tmp_path / "streamed/summary.json").read_text(encoding="utf-8"))
    written = pl.scan_csv(tmp_path / "streamed/emissions.csv", infer_schema=False).select(pl.len()).collect().item()
    assert written == summary["emission_rows"] > 5 * CAPPED_ROWS
    # the control: the same run with the emission pass over the whole ledger does not fit under the cap
    whole = capped([*args, "--out", str(tmp_path / "whole")], prelude=WHOLE)
    assert whole.returncode != 0 and not (tmp_path / "whole").exists()
    assert "memory" in whole.stderr.lower(), whole.stderr[-2000:]  # "memory allocation of … failed", MemoryError
