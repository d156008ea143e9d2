"""The grouped path (typed Parquet, summed into calculation groups) against row by row.

Each bundled example is converted to typed Parquet and run both ways: the summary, the
inventory table and every emission row must agree (relative 1e-9), also when the ledger is read
in batches far smaller than the file (the out-of-core path) and when it is split into files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from dualcarbon.cli import app
from dualcarbon.model import BALANCE_COLUMNS, FRACTION_COLUMNS
from dualcarbon.project import job, reader
from typer.testing import CliRunner

NUMBERS = ["quantity", "ncv", "carbon_content", *FRACTION_COLUMNS, *BALANCE_COLUMNS]


def typed_parquet(project: Path, files: int = 1) -> Path:
    """The project's activities.csv as typed Parquet (numbers as numbers, dates as dates)."""
    frame = reader.read_table(project / "activities.csv").drop("_row")
    frame = frame.with_columns(
        [reader.parse_number(pl.col(c)).alias(c) for c in NUMBERS if c in frame.columns]
        + [reader.parse_date(pl.col(c)).alias(c) for c in ("date", "period_start") if c in frame.columns]
        + [reader.parse_period_end(pl.col("period_end")).alias("period_end")] * ("period_end" in frame.columns)
    )
    (project / "activities.csv").unlink()
    (project / "activities").mkdir()
    step = -(-frame.height // files)
    for k in range(files):
        frame.slice(k * step, step).write_parquet(project / "activities" / f"part-{k}.parquet")
    return project


def close(a, b, path: str = "") -> list[str]:
    """Differences between two JSON-like values (floats to 1e-9 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in close(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in close(x, y, f"{path}[{i}]")]
    if isinstance(a, float) and isinstance(b, float):
        return [] if abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-12) else [f"{path}: {a} vs {b}"]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> dict[str, Path]:
    runner = CliRunner()
    out = {}
    for name in ["cement-plant", "dairy", "us-office"]:
        root = tmp_path_factory.mktemp(name) / "p"
        assert runner.invoke(app, ["init", str(root), "--example", name]).exit_code == 0
        out[name] = root
    return out


@pytest.mark.parametrize("name", ["cement-plant", "dairy", "us-office"])
@pytest.mark.parametrize("files,batch_rows", [(1, None), (3, 7)])
def test_grouped_equals_row_by_row(examples, tmp_path, name, files, batch_rows):
    rows = job.run(examples[name], out=tmp_path / "rows")
    pq = typed_parquet(shutil.copytree(examples[name], tmp_path / "pq"), files)
    grouped = job.run(pq, out=tmp_path / "grouped", batch_rows=batch_rows)
    assert grouped.project.ledger is not None and rows.project.ledger is None
    if batch_rows:
        assert grouped.project.ledger.batches > files  # really read in several batches per file
    assert grouped.project.activities.height <= rows.project.activities.height
    a = json.loads((tmp_path / "grouped" / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "rows" / "summary.json").read_text(encoding="utf-8"))
    assert close(a, b) == []
    inv_a = pl.read_csv(tmp_path / "grouped" / "inventory.csv")
    inv_b = pl.read_csv(tmp_path / "rows" / "inventory.csv")
    assert inv_a.drop("co2e_t").equals(inv_b.drop("co2e_t"))
    assert ((inv_a["co2e_t"] - inv_b["co2e_t"]).abs() <= 1e-9 * inv_b["co2e_t"].abs().max()).all()
    # every activity row × gas, with its own id, file, row and share of its group
    e_a = pl.read_csv(tmp_path / "grouped" / "emissions.csv", infer_schema=False)
    e_b = pl.read_csv(tmp_path / "rows" / "emissions.csv", infer_schema=False)
    assert e_a.height == e_b.height == b["emission_rows"]
    keys = ["id", "gas", "scope2_method", "factor_ids"]
    both = e_a.select(*keys, pl.col("co2e_t").cast(pl.Float64)).join(
        e_b.select(*keys, pl.col("co2e_t").cast(pl.Float64), "source_row"), on=keys, how="full", nulls_equal=True
    )
    assert both["co2e_t"].null_count() == 0 and both["co2e_t_right"].null_count() == 0
    assert ((both["co2e_t"] - both["co2e_t_right"]).abs() <= 1e-9 * both["co2e_t_right"].abs().max()).all()
