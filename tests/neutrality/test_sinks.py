"""The Tier 1 forest sink estimate against hand computation from the cited parameters.

Formula (CCER-14-001-V01 biomass expansion factor method = IPCC 2006 Vol. 4 gain-loss method):
ΔC = A × I_V × D × BEF × (1 + R) × CF × 44/12. Parameters from src/dualcarbon/neutrality/data/
forest_parameters.csv, each row citing its source:
  poplar  I_V 20 m3/ha/yr (EFDB 328251, Chuande 2001, lower bound of 20-25), D 0.35 (IPCC 2006
          Vol. 4 Table 4.14, EFDB 512328), BEF 1.42 and R 0.254 (= 0.36/1.42, EFDB China
          Betula-Populus), CF 0.48 (IPCC 2006 Vol. 4 Table 4.3, temperate broad-leaved, EFDB 515158).
  locust  BEF 1.42 and R 0.289 (= 0.41/1.42, EFDB China Robinia pseudoacacia), CF 0.48; no
          bundled I_V or D: the stand gives its own.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path

import polars as pl
import pytest
from claims import frame, stand, stands
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.model import Period
from dualcarbon.neutrality import sinks
from dualcarbon.neutrality.records import STAND_SCHEMA
from dualcarbon.project.sinks import load_sinks
from dualcarbon.units import make_registry

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "dualcarbon" / "examples" / "cement-plant"


def test_poplar_with_defaults_by_hand():
    # 300 亩 = 300/15 = 20 ha.  20 ha × 20 m3/ha/yr = 400 m3/yr of stem volume
    # × 0.35 t/m3 = 140 t stem dry matter × 1.42 = 198.8 t above ground × (1 + 0.254) = 249.2952 t total
    # × 0.48 = 119.661696 t C × 44/12 = 438.759552 t CO2 per year.
    by_hand = 20 * 20 * 0.35 * 1.42 * (1 + 0.254) * 0.48 * 44 / 12
    assert by_hand == pytest.approx(438.759552, abs=1e-6)
    row = stands(stand(area_ha=300 / 15)).row(0, named=True)
    assert row["annual_t_co2"] == pytest.approx(438.759552, rel=1e-12)
    assert row["years"] == 1.0 and row["gain_t_co2"] == pytest.approx(438.759552, rel=1e-12)
    assert all(row[f"{p}_default"] for p in sinks.PARAMETERS)  # every parameter a Tier 1 default
    assert (
        "EFDB 328251" in row["volume_growth_m3_per_ha_yr_source"] and "2001" in row["volume_growth_m3_per_ha_yr_source"]
    )
    assert "Table 4.14" in row["wood_density_t_per_m3_source"]


def test_locust_with_own_growth_and_density_by_hand():
    # 1,200 亩 = 80 ha; own I_V 4.5 m3/ha/yr and D 0.62 t/m3 (measured, with evidence):
    # 80 × 4.5 = 360 m3 × 0.62 = 223.2 t × 1.42 = 316.944 t × (1 + 0.289) = 408.540816 t
    # × 0.48 = 196.09959168 t C × 44/12 = 719.03183616 t CO2 per year.
    row = stands(
        stand(
            species_group="robinia",
            area_ha=80.0,
            volume_growth_m3_per_ha_yr=4.5,
            wood_density_t_per_m3=0.62,
            evidence="plots",
        )
    ).row(0, named=True)
    assert row["annual_t_co2"] == pytest.approx(719.03183616, rel=1e-12)
    assert not row["volume_growth_m3_per_ha_yr_default"] and row["bef_default"]
    assert row["volume_growth_m3_per_ha_yr_source"] == "stand's own value: plots"


def test_harvest_is_a_loss_by_hand():
    # IPCC 2006 Vol. 4 Eq. 2.12 with BCEF_R = D × BEF: 100 m3 harvested from the poplar stand
    # = 100 × 0.35 × 1.42 × 1.254 × 0.48 × 44/12 = 109.689888 t CO2; net = 438.759552 − 109.689888.
    row = stands(stand(harvest_m3=100.0)).row(0, named=True)
    assert row["loss_t_co2"] == pytest.approx(109.689888, rel=1e-12)
    assert row["net_t_co2"] == pytest.approx(438.759552 - 109.689888, rel=1e-12)


def test_growth_counts_from_the_year_after_planting():
    # Conservative: no growth credited in the planting year (2024 planting → 0 in 2024; 2023 → 1 year).
    rows = stands(stand(id="A", planting_year=2024), stand(id="B", planting_year=2023)).sort("id")
    assert rows["years"].to_list() == [0.0, 1.0]


def test_part_of_a_year_counts_pro_rata():
    # 2024 is a leap year: 1 July to 31 December = 184 of 366 days.
    half = Period(start=dt.date(2024, 7, 1), end=dt.date(2024, 12, 31))
    row = stands(stand(), period=half).row(0, named=True)
    assert row["years"] == pytest.approx(184 / 366, rel=1e-12)
    # two calendar years: 2023-07-01..2024-06-30 = 184/365 + 182/366
    span = Period(start=dt.date(2023, 7, 1), end=dt.date(2024, 6, 30))
    assert stands(stand(), period=span).row(0, named=True)["years"] == pytest.approx(184 / 365 + 182 / 366, rel=1e-12)


def test_every_bundled_value_is_cited():
    table = sinks.parameter_table()
    assert set(table["parameter"]) <= set(sinks.PARAMETERS)
    for column in ("source", "table", "year", "reference_id", "unit"):
        assert table[column].null_count() == 0, column
    assert table.filter(pl.col("year") < 2000).is_empty()
    # R is root / above-ground from the EFDB China rows, rounded to 3 decimals (note says so)
    for r in table.filter(pl.col("parameter") == "root_shoot").iter_rows(named=True):
        root, above = (float(x) for x in r["note"].split(": root ")[1].split(" =")[0].split(" / above-ground "))
        assert r["value"] == pytest.approx(root / above, abs=5e-4), r["species_group"]


def test_missing_default_without_own_value_stays_null():
    # Robinia has no bundled growth rate: resolve leaves it null for the reader to report.
    row = sinks.resolve(frame([stand(species_group="robinia")], STAND_SCHEMA)).row(0, named=True)
    assert row["volume_growth_m3_per_ha_yr"] is None and row["bef"] == 1.42


def _sinks_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sinks.csv").write_text(text, encoding="utf-8")
    return tmp_path


HEAD = "id,type,area,unit,species_group,planting_year"


def test_reader_converts_mu_exactly_and_accepts_chinese_names(tmp_path):
    # 1 亩 = 1/15 ha (市亩): 15 亩 = 1 ha; 2 万亩 = 20,000/15 ha.
    root = _sinks_file(
        tmp_path,
        f"{HEAD}\nA,afforestation,15,亩,杨树,2016\n"
        "B,forest_management,2,万亩,Poplar (Populus),2010\nC,afforestation,3,公顷,populus,2016\n",
    )
    resolved, problems = load_sinks(root, make_registry(), 2024)
    assert problems == []
    assert resolved.sort("id")["area_ha"].to_list() == pytest.approx([1.0, 20000 / 15, 3.0], rel=1e-12)
    assert set(resolved["species_group"]) == {"populus"}


@pytest.mark.parametrize(
    "row,column,expected",
    [
        ("A,afforestation,-5,亩,杨树,2016", "area", "> 0"),
        ("A,afforestation,5,kg,杨树,2016", "unit", "area unit"),
        ("A,afforestation,5,亩,银杏,2016", "species_group", "unknown species group"),
        ("A,afforestation,5,亩,杨树,2030", "planting_year", "after the period"),
        ("A,plantation,5,亩,杨树,2016", "type", "afforestation, forest_management"),
        ("A,afforestation,5,亩,刺槐,2016", "volume_growth_m3_per_ha_yr", "no bundled default"),
    ],
)
def test_reader_names_row_column_and_expectation(tmp_path, row, column, expected):
    _, problems = load_sinks(_sinks_file(tmp_path, f"{HEAD}\n{row}\n"), make_registry(), 2024)
    assert any(
        p.file == "sinks.csv" and p.row == 2 and p.column == column and expected in p.expected for p in problems
    ), problems


def test_reader_rejects_a_bcef_given_as_bef(tmp_path):
    # A Fang-type BCEF (t/m3, e.g. 0.48 for poplar stands) already holds the wood density: BEF must be >= 1.
    _, problems = load_sinks(
        _sinks_file(tmp_path, f"{HEAD},bef,evidence\nA,afforestation,5,亩,杨树,2016,0.48,x\n"), make_registry(), 2024
    )
    assert [(p.row, p.column) for p in problems] == [(2, "bef")] and "BCEF" in problems[0].expected


def test_cement_example_stands_by_hand(tmp_path):
    # SK-01 locust 719.03183616 t (above) + SK-02 poplar 438.759552 t (above) = 1,157.79138816 t CO2.
    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    assert CliRunner().invoke(app, ["run", str(root), "--lang", "en"]).exit_code == 0
    n = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["neutrality"]
    assert n["balance"]["removals"] == pytest.approx(719.03183616 + 438.759552, rel=1e-9)
    by_id = {s["id"]: s for s in n["sinks"]}
    assert by_id["SK-01"]["area_ha"] == pytest.approx(80.0) and by_id["SK-02"]["area_ha"] == pytest.approx(20.0)
    assert math.isclose(by_id["SK-02"]["net_t_co2"], 438.759552, rel_tol=1e-9)
