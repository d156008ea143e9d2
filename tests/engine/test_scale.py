"""Out of core and distributed: a synthetic ledger read in small batches, and on a Dask cluster.

Both must give the summary of the plain single-machine run (relative 1e-9, DESIGN.md 'Scale').
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from projects import write_settings
from typer.testing import CliRunner

from dualcarbon.cli import app

from .test_grouped import close, same_summary

MIX = [  # activity, unit, typical quantity, regions
    ("外购电力", "万千瓦时", 50.0, ["CN-HE", "CN-BJ", "CN-XZ", "CN"]),
    ("electricity/grid", "kWh", 3e5, ["CN-GD", "CN-SX"]),
    ("天然气", "万立方米", 20.0, ["CN-HE", "CN"]),
    ("柴油", "吨", 30.0, ["CN-BJ"]),
    ("原煤", "吨", 2000.0, ["CN-SX"]),
    ("spend/naics/327310", "USD", 2e5, ["US"]),
    ("freight/road/truck", "short ton-mile", 8e4, ["US"]),
]


def synthetic(root: Path, rows: int = 20_000, files: int = 4, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(MIX), rows)
    facility = rng.integers(0, 40, rows)
    region = [MIX[p][3][f % len(MIX[p][3])] for p, f in zip(pick, facility, strict=True)]
    coal = np.array([MIX[p][0] == "原煤" for p in pick])
    ncv = np.where(coal & (rng.random(rows) < 0.5), np.round(rng.normal(21, 1, rows), 1), np.nan)
    frame = pl.DataFrame(
        {
            "id": [f"S{i}" for i in range(rows)],
            "facility": [f"F{f}" for f in facility],
            "date": [
                dt.date(2024, int(m), 1) + dt.timedelta(days=int(d))
                for m, d in zip(rng.integers(1, 13, rows), rng.integers(0, 28, rows), strict=True)
            ],
            "activity": [MIX[p][0] for p in pick],
            "quantity": np.round(np.array([MIX[p][2] for p in pick]) * rng.lognormal(0, 0.5, rows), 3),
            "unit": [MIX[p][1] for p in pick],
            "region": region,
            "ncv": ncv,
            "ncv_unit": [None if np.isnan(v) else "GJ/t" for v in ncv],
        }
    ).with_columns(pl.col("ncv").fill_nan(None))
    write_settings(
        root,
        sets=["gbt32150", "cn_mee_grid", "egrid", "us_epa_hub", "ipcc2006", "useeio"],
        name="Synthetic",
        sector="1.A.2",
    )
    (root / "activities").mkdir()
    step = -(-rows // files)
    for k in range(files):
        frame.slice(k * step, step).write_parquet(root / "activities" / f"part-{k}.parquet")
    pl.DataFrame(
        {
            "id": ["GEC-1", "GEC-2", "GEC-3"],
            "type": ["GEC"] * 3,
            "quantity": [5000.0, 800.0, 20000.0],
            "unit": ["MWh"] * 3,
            "facility": ["F3", "F7", None],
            "vintage": ["2024"] * 3,
            "status": ["retired"] * 3,
        }
    ).write_csv(root / "credits.csv")
    return root


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> tuple[Path, dict]:
    root = synthetic(tmp_path_factory.mktemp("scale") / "p")
    result = CliRunner().invoke(app, ["run", str(root), "--out", str(root / "out-local")])
    assert result.exit_code == 0, result.output
    return root, json.loads((root / "out-local" / "summary.json").read_text(encoding="utf-8"))


def test_out_of_core_batches_give_the_same_summary(ledger):
    root, expected = ledger
    from dualcarbon.project import job

    small = job.run(root, out=root / "out-small", batch_rows=1000)
    assert small.project.ledger.batches == 20  # 20,000 rows read 1,000 at a time
    summary = json.loads((root / "out-small" / "summary.json").read_text(encoding="utf-8"))
    assert close(summary, expected) == []
    assert summary["activity_rows"] == 20_000
    emissions = pl.scan_csv(root / "out-small" / "emissions.csv").select(pl.len(), pl.col("co2e_t").sum()).collect()
    assert emissions.item(0, 0) == expected["emission_rows"]


def test_batch_rows_option_of_the_cli(ledger):
    root, expected = ledger
    result = CliRunner().invoke(app, ["run", str(root), "--batch-rows", "2500", "--out", str(root / "out-cli")])
    assert result.exit_code == 0, result.output
    assert close(json.loads((root / "out-cli" / "summary.json").read_text(encoding="utf-8")), expected) == []


def test_dask_local_cluster_equals_single_machine(ledger):
    root, expected = ledger
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = CliRunner().invoke(
            app,
            [
                "run",
                str(root),
                "--engine",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
                "--out",
                str(root / "out-dask"),
            ],
        )
        assert result.exit_code == 0, result.output
    summary = json.loads((root / "out-dask" / "summary.json").read_text(encoding="utf-8"))
    assert close(summary, expected) == []


def test_engine_options_are_checked(ledger, tmp_path):
    root, _ = ledger
    bad = CliRunner().invoke(app, ["run", str(root), "--engine", "spark", "--out", str(tmp_path / "o")])
    assert bad.exit_code == 2 and "--engine" in bad.output and not (tmp_path / "o").exists()
    bad = CliRunner().invoke(app, ["run", str(root), "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "o")])
    assert bad.exit_code == 2 and "--scheduler" in bad.output


def test_grouped_equals_row_by_row_on_synthetic(ledger):
    """Many rows per group here (measured NCVs differ row to row), unlike the examples."""
    root, expected = ledger
    from dualcarbon.project import job

    rows = job.run(root, out=root / "out-rows", grouped=False)
    assert rows.project.ledger is None
    summary = json.loads((root / "out-rows" / "summary.json").read_text(encoding="utf-8"))
    assert same_summary(expected, summary) == []
    grouped = pl.read_csv(root / "out-local" / "emissions.csv", infer_schema=False)
    single = pl.read_csv(root / "out-rows" / "emissions.csv", infer_schema=False)
    keys = ["id", "gas", "scope2_method", "factor_ids"]
    both = grouped.select(*keys, pl.col("co2e_t").cast(pl.Float64)).join(
        single.select(*keys, pl.col("co2e_t").cast(pl.Float64)), on=keys, how="full", nulls_equal=True
    )
    assert both.height == single.height == grouped.height
    scale = single["co2e_t"].cast(pl.Float64).abs().max()
    assert ((both["co2e_t"] - both["co2e_t_right"]).abs() <= 1e-9 * scale).all()


@pytest.mark.parametrize("route", ["read again", "joined on keys", "activities by text"])
def test_facility_shares_by_every_route(ledger, monkeypatch, route):
    """Facility sums come from rows kept by the first pass (the default here), from a second read
    of the files (ledgers above KEEP_ROWS, and Dask), or, when two groups' 64-bit hashes collide,
    from a join on the key columns; and when an activity text's hash collides with that of an
    electricity text, the groups are summed again with the texts looked up: all give the same
    summary."""
    root, expected = ledger
    from dualcarbon import collapse
    from dualcarbon.project import job
    from dualcarbon.project import ledger as ledger_module

    if route == "read again":
        monkeypatch.setattr(ledger_module, "KEEP_ROWS", 0)
    elif route == "joined on keys":
        monkeypatch.setattr(collapse, "distinct_hashes", lambda table: False)
    else:
        real = collapse.activity_classes

        def colliding(linear: dict[str, str], exact: bool = False) -> tuple[pl.Series, pl.Series]:
            texts, electric = real(linear, exact)
            if exact:
                return texts, electric
            return texts, pl.concat([electric, pl.Series(["天然气"]).hash(seed=collapse.ACTIVITY_SEED)])

        monkeypatch.setattr(collapse, "activity_classes", colliding)
    result = job.run(root, write=False)
    assert result.project.ledger.partitions[0].kept is None  # used, or never kept
    assert result.project.ledger.partitions[0].exact is (route == "activities by text")
    assert close(result.inventory.summary, expected) == []
