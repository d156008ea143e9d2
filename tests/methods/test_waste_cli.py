"""The waste methods end to end: a small territory through `dualcarbon run` (IPCC 2006 Vol. 5)."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app

TOML = """\
[organization]
name = "示例区"
kind = "territory"
country = "CN"

[territory]
admin_code = "110115"
population = 100000
gdp = 100.0
gdp_unit = "亿元"
gdp_price_year = 2020
area_km2 = 100.0

[period]
start = 2022-01-01
end = 2023-12-31

[method]
factor_sets = ["ipcc2006"]
climate_zone = "boreal_temperate_dry"
"""
ROWS = """\
编号,设施,日期,活动类型,数量,单位,填埋场类型,人均蛋白质消费量,污水处理方式
h2021,填埋场,2021-12-31,厨余垃圾填埋,1000,吨,managed_anaerobic,,
d2022,填埋场,2022-12-31,厨余垃圾填埋,1000,吨,managed_anaerobic,,
i2022,焚烧厂,2022-12-31,生活垃圾焚烧,100,吨,,,
w2023,污水厂,2023-12-31,生活污水,10000,人,,25,aerobic_plant
"""


def test_territory_waste_run_through_the_cli(tmp_path):
    root = tmp_path / "district"
    root.mkdir()
    (root / "dualcarbon.toml").write_text(TOML, encoding="utf-8")
    (root / "activities.csv").write_text(ROWS, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    emissions = pl.read_csv(root / "out" / "emissions.csv")
    ch4 = emissions.filter((pl.col("gas") == "CH4") & pl.col("key").str.starts_with("waste/landfill/"))
    # FOD (territory default): 75 t DDOCm per deposit (1000 × 0.15 × 0.5 × 1.0), k 0.06; 2021's deposit
    # decays from 2022, 2022's from 2023: CH4 = decomposed × 0.5 × 16/12.
    q = 1 - math.exp(-0.06)
    expected = 75 * q * (1 + (math.exp(-0.06) + 1)) * 0.5 * 16 / 12
    assert ch4["mass_t"].sum() == pytest.approx(expected, rel=1e-9)
    assert set(ch4["id"].to_list()) == {"h2021", "d2022"}
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["biogenic_co2"] > 0  # incineration's biogenic CO2, outside the totals
    wastewater = emissions.filter(pl.col("key") == "wastewater/domestic")
    assert sorted(wastewater["gas"].to_list()) == ["CH4", "N2O"]


def test_typed_parquet_ledger_gives_the_csv_result(tmp_path):
    # Typed Parquet activities are summed into groups before the engine (collapse.py); landfill rows keep
    # their site (recovery is per site), so first-order decay gives the same figures either way.
    rows = (
        ROWS
        + "r2023,填埋场,2023-12-31,填埋气甲烷回收量,1,吨,,,\nd2023b,填埋场,2023-12-31,厨余垃圾填埋,500,吨,managed_anaerobic,,\n"
    )
    totals = []
    for name, parquet in [("csv", False), ("parquet", True)]:
        root = tmp_path / name
        root.mkdir()
        (root / "dualcarbon.toml").write_text(TOML, encoding="utf-8")
        (root / "activities.csv").write_text(rows, encoding="utf-8")
        if parquet:
            frame = pl.read_csv(root / "activities.csv", infer_schema=False).with_columns(
                pl.col("数量").cast(pl.Float64),
                pl.col("日期").str.to_date(),
                pl.col("人均蛋白质消费量").cast(pl.Float64),
            )
            frame.write_parquet(root / "activities.parquet")
            (root / "activities.csv").unlink()
        result = CliRunner().invoke(app, ["run", str(root), "--lang", "en"])
        assert result.exit_code == 0, result.output
        totals.append(json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["totals"])
    assert totals[1] == pytest.approx(totals[0], rel=1e-12)
