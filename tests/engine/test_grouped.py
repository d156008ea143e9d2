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
from projects import write_settings
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.model import BALANCE_COLUMNS, FRACTION_COLUMNS
from dualcarbon.project import job, reader

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


def same_summary(grouped: dict, rows: dict) -> list[str]:
    """Differences between the summaries of a grouped and a row-by-row run. Calculation groups keep
    no evidence references, so only the row-by-row run assesses them (data_quality.evidence)."""
    grouped, rows = json.loads(json.dumps(grouped)), json.loads(json.dumps(rows))
    if grouped["data_quality"].pop("evidence") is not None:
        return [".data_quality.evidence: assessed on calculation groups"]
    rows["data_quality"].pop("evidence")
    return close(grouped, rows)


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
    assert b["data_quality"]["evidence"]["total_records"] == rows.project.activities.height
    assert same_summary(a, b) == []
    inv_a = pl.read_csv(tmp_path / "grouped" / "inventory.csv")
    inv_b = pl.read_csv(tmp_path / "rows" / "inventory.csv")
    assert inv_a.drop("co2e_t").equals(inv_b.drop("co2e_t"))
    assert ((inv_a["co2e_t"] - inv_b["co2e_t"]).abs() <= 1e-9 * inv_b["co2e_t"].abs().max()).all()
    # every activity row × gas, with its own id, file, row and share of its group
    e_a = pl.read_csv(tmp_path / "grouped" / "emissions.csv", infer_schema=False)
    e_b = pl.read_csv(tmp_path / "rows" / "emissions.csv", infer_schema=False)
    assert e_a.height == e_b.height == b["emission_rows"]
    # in the same order, each row with its own facility (the grouped path once wrote its group's, empty
    # for groups that span facilities)
    order = ["id", "facility", "gas", "scope2_method", "key", "month"]
    assert e_a.select(order).equals(e_b.select(order))
    keys = ["id", "gas", "scope2_method", "factor_ids"]
    both = e_a.select(*keys, pl.col("co2e_t").cast(pl.Float64)).join(
        e_b.select(*keys, pl.col("co2e_t").cast(pl.Float64), "source_row"), on=keys, how="full", nulls_equal=True
    )
    assert both["co2e_t"].null_count() == 0 and both["co2e_t_right"].null_count() == 0
    assert ((both["co2e_t"] - both["co2e_t_right"]).abs() <= 1e-9 * both["co2e_t_right"].abs().max()).all()


def _ledger(root: Path, rows: list[dict], files: int = 2) -> Path:
    write_settings(root, sets=["cn_mee_grid", "ipcc2006"], name="T")
    (root / "activities").mkdir()
    frame = pl.DataFrame(
        rows,
        schema={
            "id": pl.String,
            "facility": pl.String,
            "date": pl.Date,
            "activity": pl.String,
            "quantity": pl.Float64,
            "unit": pl.String,
            "region": pl.String,
            "ncv": pl.Float64,
            "ncv_unit": pl.String,
        },
    )
    step = -(-frame.height // files)
    for k in range(files):
        frame.slice(k * step, step).write_parquet(root / "activities" / f"part-{k}.parquet")
    return root


def _rows(n: int) -> list[dict]:
    import datetime as dt

    return [
        {
            "id": f"E{i}",
            "facility": f"F{i % 3}",
            "date": dt.date(2024, 1 + i % 12, 15),
            "activity": "外购电力",
            "quantity": 10.0 + i,
            "unit": "万千瓦时",
            "region": "CN-HE",
        }
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "change,file,row,column,words",
    [
        ({"quantity": -5.0}, "activities/part-1.parquet", 9, "quantity", ">= 0"),
        ({"quantity": None}, "activities/part-1.parquet", 9, "quantity", "a quantity is required"),
        ({"unit": "万千瓦"}, "activities/part-1.parquet", 9, "unit", "万千瓦时"),
        ({"date": __import__("datetime").date(2023, 12, 31)}, "activities/part-1.parquet", 9, "date", "outside"),
        (
            {"id": "E3"},
            "activities/part-1.parquet",
            9,
            "id",
            "duplicate id (first used at activities/part-0.parquet row 5)",
        ),
        ({"id": None}, "activities/part-1.parquet", 9, "id", "an id is required"),
        ({"activity": "外购电"}, "activities/part-1.parquet", 9, "activity", "unknown activity"),
    ],
)
def test_grouped_errors_name_the_exact_row(tmp_path, change, file, row, column, words):
    """A bad value inside a large group is reported at its own file and row, nothing written."""
    rows = _rows(48)
    rows[31] = {**rows[31], **change}  # part-1 holds rows 24..47: row 31 is its 8th record, spreadsheet row 9
    root = _ledger(tmp_path / "p", rows)
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en", "--batch-rows", "1000"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert file in text and f"row {row}" in text and column in text and words in text
    assert not (root / "out").exists()


def test_a_negative_ncv_hidden_by_its_groups_mean_is_found(tmp_path):
    """Two coal rows in one group, NCV 25 and -5 GJ/t: the group's quantity-weighted NCV is
    positive, yet the negative row is reported at its own file and row."""
    rows = _rows(48)
    for i, ncv in ((30, 25.0), (31, -5.0)):
        rows[i] = {
            **rows[i],
            "date": rows[30]["date"],
            "activity": "原煤",
            "unit": "吨",
            "ncv": ncv,
            "ncv_unit": "GJ/t",
        }
    root = _ledger(tmp_path / "p", rows)
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "activities/part-1.parquet" in text and "row 9" in text and "ncv" in text and ">= 0" in text
    assert not (root / "out").exists()


def test_duplicate_check_in_buckets():
    from dualcarbon.project.ledger import repeated

    big = 2**63 + 5  # hashes use all 64 bits
    values = [[5, big, 11, 700], [12, big, 13, 700, 700]]
    one = [[pl.Series(v, dtype=pl.UInt64) for v in values]]
    assert sorted(repeated(one).to_list()) == [700, big]
    by_three = [[pl.Series([x for x in v if x % 3 == b], dtype=pl.UInt64) for v in values] for b in range(3)]
    assert sorted(repeated(by_three).to_list()) == [700, big]
    assert repeated([[pl.Series([1, 2, 3], dtype=pl.UInt64)], []]).len() == 0


def test_duplicate_ids_found_across_buckets_and_batches(tmp_path, monkeypatch):
    from dualcarbon.project import ledger

    monkeypatch.setattr(ledger, "ID_BUCKET_ROWS", 7)  # 48 rows → 7 buckets of hashes
    rows = _rows(48)
    rows[40] = {**rows[40], "id": "E2"}
    root = _ledger(tmp_path / "p", rows, files=3)
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en", "--batch-rows", "1000"])
    assert result.exit_code == 2
    assert "duplicate id (first used at activities/part-0.parquet row 4)" in " ".join(result.output.split())


def test_datetime_dates_and_integer_quantities(examples, tmp_path):
    """Parquet written by other tools: timestamps for dates, integers for quantities."""
    rows = job.run(examples["us-office"], out=tmp_path / "rows")
    pq = typed_parquet(shutil.copytree(examples["us-office"], tmp_path / "pq"))
    part = pq / "activities" / "part-0.parquet"
    frame = pl.read_parquet(part)
    stamps = [pl.col("date").cast(pl.Datetime("us")), pl.col("period_start").cast(pl.Datetime("ms"))]
    is_whole = pl.col("quantity") == pl.col("quantity").round(0)
    whole = frame.filter(is_whole)
    assert whole.height  # some quantities are whole numbers: they go to a file of integers
    frame.filter(~is_whole).with_columns(stamps).write_parquet(part)
    whole.with_columns(*stamps, pl.col("quantity").cast(pl.Int64)).write_parquet(pq / "activities" / "part-1.parquet")
    grouped = job.run(pq, out=tmp_path / "grouped")
    assert grouped.project.ledger is not None
    assert same_summary(grouped.inventory.summary, rows.inventory.summary) == []
