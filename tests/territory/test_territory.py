"""A territory end to end on a hand-made project (tests/territory/territory_project.py): GPC lines,
BASIC and BASIC+, IPCC sectors, notation keys, intensities, several years, the neutrality base year
and bad input. Every expected figure is worked out by hand from the project's own round factors."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import polars as pl
import pytest
from projects import assert_input_error
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.project import job

from . import territory_project

GJ_PER_TCE = 29.3076  # GB/T 2589-2020 §3.6
KGCE_PER_KWH = 0.1229  # GB/T 2589-2020 Appendix A, equivalent value
# Annual removal of stand-1: 1 ha × 5 m3/ha/yr × 0.5 t/m3 × 1.2 × (1 + 0.25) × 0.5 × 44/12 (sinks.py formula)
REMOVAL_T = 1.0 * 5 * 0.5 * 1.2 * 1.25 * 0.5 * 44 / 12


def summary_of(root) -> dict:
    return job.run(root, write=False).inventory.summary


def incineration_t(result) -> float:
    """The incineration row's CO2e, as computed by whichever waste method applies (not what this test checks)."""
    e = result.emissions
    return float(e.filter(pl.col("id").str.starts_with("incineration") & ~pl.col("biogenic"))["co2e_t"].sum())


@pytest.fixture(scope="module")
def one_year(tmp_path_factory):
    root = territory_project.write(
        tmp_path_factory.mktemp("t") / "d",
        notation='notation = { "I.7.1" = { key = "NE", reason = "煤矿逸散未估算", reason_en = "coal mine fugitives not estimated" }, "V.1" = { key = "IE", reason = "畜禽计入邻区" } }',
    )
    return job.run(root, write=False)


def line(territory: dict, ref: str) -> dict:
    return next(r for r in territory["gpc"]["by_subsector"] if r["ref"] == ref)


def test_lines_by_hand(one_year):
    t = one_year.inventory.summary["territory"]
    waste = incineration_t(one_year)
    assert waste > 0
    expected = {
        "I.1.1": 1000 * 2.0 / 1000,  # natural gas in homes, 2 kg CO2/m3
        "I.1.2": 10000 * 0.5 / 1000,  # grid electricity, 0.5 kg CO2/kWh: scope 2
        "I.1.3": 1000 * 0.5 / 1000,  # T&D losses (gpc = I.1.3): scope 3
        "I.4.4": 5000 * 2.0 / 1000,  # public heat plant (1.A.1.a): energy generation supplied to the grid
        "II.1.1": 1000 * 3.0 / 1000,  # diesel on roads, 3 kg CO2/L
        "II.4.3": 10000 * 0.1 / 1000,  # departing flights (gpc = II.4:3): scope 3
        "IV.2": 0.1 * 1300,  # HFC-134a leaked, AR5 GWP 1300 (IPCC AR5 WG1 Table 8.A.1)
        "III.3.1": waste,
    }
    for ref, value in expected.items():
        assert line(t, ref)["co2e_t"] == pytest.approx(value, rel=1e-12), ref
        assert line(t, ref)["notation"] is None, ref
    basic = 2 + 5 + 3 + waste  # I.1.1 + I.1.2 + II.1.1 + III.3.1
    basic_plus = basic + 0.5 + 1 + 130  # + I.1.3 + II.4.3 + IV.2 (I.4.4 in neither)
    assert t["gpc"]["basic"] == pytest.approx(basic, rel=1e-12)
    assert t["gpc"]["basic_plus"] == pytest.approx(basic_plus, rel=1e-12)
    assert line(t, "I.4.4")["in_basic"] is False and line(t, "I.4.4")["in_basic_plus"] is False
    assert line(t, "IV.2")["in_basic"] is False and line(t, "IV.2")["in_basic_plus"] is True
    # the GPC scopes are the summary's scopes: scope 1 is everything emitted in the boundary
    totals = one_year.inventory.summary["totals"]
    assert totals["scope1"] == pytest.approx(2 + 10 + 3 + 130 + waste, rel=1e-12)
    assert totals["scope2_location"] == pytest.approx(5, rel=1e-12)
    assert totals["scope3"] == pytest.approx(0.5 + 1, rel=1e-12)


def test_ipcc_sectors_count_in_boundary_emissions_only(one_year):
    t = one_year.inventory.summary["territory"]
    waste = incineration_t(one_year)
    sectors = {r["sector"]: r["co2e_t"] for r in t["ipcc"]["by_sector"]}
    assert sectors["1"] == pytest.approx(2 + 10 + 3, rel=1e-12)  # homes, heat plant, road; not electricity
    assert sectors["2"] == pytest.approx(130, rel=1e-12)
    assert sectors["3"] == 0.0
    assert sectors["4"] == pytest.approx(waste, rel=1e-12)
    categories = {r["category"]: r["co2e_t"] for r in t["ipcc"]["by_category"]}
    assert categories == pytest.approx({"1.A.1.a": 10, "1.A.3.b": 3, "1.A.4.b": 2, "2.F.1": 130, "4.C": waste})
    assert t["ipcc"]["indirect_electricity_t"] == pytest.approx(5, rel=1e-12)  # scope 2 only, not the losses
    assert t["removals_t"] == pytest.approx(REMOVAL_T, rel=1e-12)  # never netted into V.2
    assert line(t, "V.2")["co2e_t"] == 0.0


def test_notation_keys(one_year):
    t = one_year.inventory.summary["territory"]
    declared = line(t, "I.7.1")
    assert (declared["notation"], declared["notation_reason_zh"], declared["notation_reason_en"]) == (
        "NE",
        "煤矿逸散未估算",
        "coal mine fugitives not estimated",
    )
    by_subsector = line(t, "V.1")  # declared for the sub-sector; no reason_en: the reason is shown in both
    assert (by_subsector["notation"], by_subsector["notation_reason_en"]) == ("IE", "畜禽计入邻区")
    undeclared = line(t, "V.3")
    assert undeclared["notation"] == "NO" and undeclared["co2e_t"] == 0.0
    assert undeclared["notation_reason_zh"] and undeclared["notation_reason_en"]
    assert line(t, "I.1.1")["notation"] is None


def test_intensities_by_hand(one_year):
    t = one_year.inventory.summary["territory"]
    assert t["population"] == 1000 and t["gdp"] == 2.0 and t["gdp_unit"] == "亿元"
    assert t["intensity_basis"] == "basic_plus"
    assert t["per_capita_t"] == pytest.approx(t["gpc"]["basic_plus"] / 1000, rel=1e-12)
    gdp_10k_cny = 2.0 * 1e8 / 1e4  # 2 亿元 = 20,000 万元
    assert t["per_gdp_t_per_10k_cny"] == pytest.approx(t["gpc"]["basic_plus"] / gdp_10k_cny, rel=1e-12)
    # fuel burnt in the boundary except the heat plant (I.4.4): gas 1000 m3 × 0.04 GJ/m3, diesel 1000 L ×
    # 0.036 GJ/L; grid electricity 10,000 kWh at 0.1229 kgce/kWh; the T&D losses (scope 3) are not consumption
    energy = (1000 * 0.04 + 1000 * 0.036) / GJ_PER_TCE + 10000 * KGCE_PER_KWH / 1000
    assert t["energy_tce"] == pytest.approx(energy, rel=1e-12)
    assert t["energy_intensity_tce_per_10k_cny"] == pytest.approx(energy / gdp_10k_cny, rel=1e-12)
    assert t["framework"] == ["GPC", "IPCC"] and t["admin_code"] == "110115" and t["year"] == 2024


def test_organisation_keeps_its_keys(tmp_path):
    root = tmp_path / "o"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "cement-plant"]).exit_code == 0
    summary = summary_of(root)
    assert summary["territory"] is None
    assert len(summary["by_year"]) == 1
    year = summary["by_year"][0]
    assert year["territory"] is None
    assert {k: year[k] for k in summary["totals"]} == pytest.approx(summary["totals"], rel=1e-12)


SCALE = {2022: 1.0, 2023: 0.9, 2024: 0.8}


@pytest.fixture(scope="module")
def three_years(tmp_path_factory):
    neutrality = """
[neutrality]
standard = "PAS2060"
subject = "territory"
base_year = 2022
scope2_basis = "location"
"""
    root = territory_project.write(
        tmp_path_factory.mktemp("t") / "m", start=2022, end=2024, scale=SCALE, extra="", notation=""
    )
    with (root / "dualcarbon.toml").open("a", encoding="utf-8") as fh:
        fh.write(neutrality)
    return job.run(root, write=False)


def test_several_years_by_year(three_years):
    summary = three_years.inventory.summary
    years = summary["by_year"]
    assert [y["year"] for y in years] == [2022, 2023, 2024]
    # biogenic CO2 of incinerated waste is reported apart (IPCC 2006 Vol. 5 Eq. 5.1 counts fossil carbon only)
    fossil = three_years.emissions.filter(~pl.col("biogenic"))
    waste = {y: float(fossil.filter(pl.col("id") == f"incineration-{y}")["co2e_t"].sum()) for y in SCALE}
    for entry in years:
        k = SCALE[entry["year"]]
        assert entry["scope1"] == pytest.approx((2 + 10 + 3 + 130) * k + waste[entry["year"]], rel=1e-9)
        assert entry["scope2_location"] == pytest.approx(5 * k, rel=1e-9)
        assert entry["scope3"] == pytest.approx(1.5 * k, rel=1e-9)
        basic = (2 + 5 + 3) * k + waste[entry["year"]]
        assert entry["territory"]["gpc"]["basic"] == pytest.approx(basic, rel=1e-9)
        assert "by_subsector" not in entry["territory"]["gpc"]
        assert entry["territory"]["removals_t"] == pytest.approx(REMOVAL_T, rel=1e-12)
    # the period's totals stay the whole period's, and equal the sum of its years
    for key in ("scope1", "scope2_location", "scope3", "total_location"):
        assert summary["totals"][key] == pytest.approx(sum(y[key] for y in years), rel=1e-12)
    # [territory] gives the last year's population and GDP: other years have no intensity
    assert years[-1]["territory"]["per_capita_t"] == pytest.approx(years[-1]["territory"]["gpc"]["basic_plus"] / 1000)
    assert years[0]["territory"]["per_capita_t"] is None
    assert years[0]["territory"]["per_gdp_t_per_10k_cny"] is None
    assert summary["territory"]["year"] == 2024
    assert summary["territory"]["gpc"]["basic"] == years[-1]["territory"]["gpc"]["basic"]
    months = {m["month"] for m in summary["by_month"]}
    assert {"2022-06", "2023-06", "2024-06"} <= months


def test_neutrality_claims_the_last_year_against_the_base_year_in_by_year(three_years):
    n = three_years.inventory.summary["neutrality"]
    years = {y["year"]: y for y in three_years.inventory.summary["by_year"]}
    balance = n["balance"]
    assert n["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    # a territory's claim counts its BASIC+ lines (lines reported apart, such as I.4.4, are not counted)
    claimed = {y: years[y]["territory"]["gpc"]["basic_plus"] for y in (2022, 2024)}
    assert claimed[2024] < years[2024]["total_location"]
    assert balance["emissions"] == pytest.approx(claimed[2024], rel=1e-12)
    assert balance["base_year_emissions"] == pytest.approx(claimed[2022], rel=1e-12)
    assert balance["reductions"] == pytest.approx(claimed[2022] - claimed[2024], rel=1e-12)
    assert balance["removals"] == pytest.approx(REMOVAL_T, rel=1e-12)  # one year's growth, not three


def test_indicators_feed_other_years(three_years):
    """Population and GDP of other years (from indicators.csv, as a frame on the project) give their intensities."""
    project = copy.copy(three_years.project)
    project.indicators = pl.DataFrame(
        {
            "indicator": ["population", "population", "gdp", "gdp"],
            "year": [2022, 2023, 2022, 2023],
            "value": [900.0, 0.095, 15000.0, 1.8],
            "unit": ["人", "万人", "万元", "亿元"],
        }
    )
    population, gdp = job.territory_inputs(project)
    assert population == pytest.approx({2022: 900.0, 2023: 950.0, 2024: 1000.0})  # 2024 from [territory]
    assert gdp == pytest.approx({2022: 1.5, 2023: 1.8, 2024: 2.0})  # in [territory] gdp_unit, 亿元
    inv = SimpleNamespace(summary=copy.deepcopy(three_years.inventory.summary))
    job.territory_figures(project, inv, three_years.emissions)
    first = inv.summary["by_year"][0]["territory"]
    assert first["per_capita_t"] == pytest.approx(first["gpc"]["basic_plus"] / 900, rel=1e-12)
    assert first["per_gdp_t_per_10k_cny"] == pytest.approx(first["gpc"]["basic_plus"] / (15000.0), rel=1e-12)


def test_cli_prints_basic_and_intensities(tmp_path):
    root = territory_project.write(tmp_path / "c")
    for lang, words in (
        ("en", ["GPC BASIC+", "t CO2e/person", "tce"]),
        ("zh", ["GPC BASIC 口径排放", "万吨二氧化碳当量", "吨二氧化碳当量/万元"]),
    ):
        result = CliRunner().invoke(app, ["run", str(root), "--lang", lang], terminal_width=200)
        assert result.exit_code == 0, result.output
        for word in words:
            assert word in result.output, (lang, word)
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["territory"]["gpc"]["basic_plus"] > summary["territory"]["gpc"]["basic"]


def test_bad_sector_is_an_input_error(tmp_path):
    rows = [*territory_project.ROWS[:2], ("odd", "fuel/natural_gas", "1", "m3", "1.A", "")]
    root = territory_project.write(tmp_path / "b", rows=rows)
    assert_input_error(root, ["activities.csv, row 4, column sector", "'1.A'", "IPCC 2006 category code"])


def test_bad_gpc_override_is_an_input_error(tmp_path):
    rows = [*territory_project.ROWS[:2], ("odd", "fuel/natural_gas", "1", "m3", "1.A.4.b", "IV.1:3")]
    root = territory_project.write(tmp_path / "g", rows=rows)
    assert_input_error(root, ["activities.csv, row 4, column gpc", "'IV.1:3'", "no scope 3 line"])


def test_gpc_column_of_an_organisation_is_an_input_error(tmp_path):
    root = tmp_path / "o"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "cement-plant"]).exit_code == 0
    text = (root / "activities.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",gpc"
    text[1] += ",I.1"
    (root / "activities.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    assert_input_error(root, ["activities.csv, row 2, column gpc", "for a territory"])


def test_bad_notation_key_is_an_input_error(tmp_path):
    root = territory_project.write(tmp_path / "n", notation='notation = { "I.9" = { key = "NO", reason = "x" } }')
    assert_input_error(root, ["dualcarbon.toml", "territory.notation.I.9", "GPC reference number"])


def test_grouped_ledger_equals_rows(tmp_path):
    """Typed Parquet activities summed into calculation groups give the same territory figures."""
    figures = []
    for grouped in (False, True):
        root = territory_project.write(tmp_path / f"p{grouped}", start=2023, end=2024, scale={2023: 0.5})
        rows = pl.read_csv(root / "activities.csv", infer_schema=False).with_columns(
            pl.col("quantity").cast(pl.Float64), pl.col("date").str.to_date()
        )
        (root / "activities.csv").unlink()
        rows.write_parquet(root / "activities.parquet")
        result = job.run(root, out=tmp_path / f"out{grouped}", grouped=grouped)
        assert (result.project.ledger is not None) == grouped
        figures.append((result.inventory.summary["territory"], result.inventory.summary["by_year"]))
    (rows_t, rows_y), (grouped_t, grouped_y) = figures
    assert grouped_t["gpc"]["basic"] == pytest.approx(rows_t["gpc"]["basic"], rel=1e-12)
    assert grouped_t["gpc"]["basic_plus"] == pytest.approx(rows_t["gpc"]["basic_plus"], rel=1e-12)
    assert grouped_t["energy_tce"] == pytest.approx(rows_t["energy_tce"], rel=1e-12)
    assert [y["total_location"] for y in grouped_y] == pytest.approx([y["total_location"] for y in rows_y])
    assert rows_y[0]["total_location"] == pytest.approx(rows_y[1]["total_location"] / 2, rel=1e-12)


def test_row_without_sector_takes_its_activity_default(tmp_path):
    """A refrigerant, a flight or a cement process row without a sector takes the catalogue's IPCC
    category (2.F.1, 1.A.3.a), not the organisation's (1.A.4.b here)."""
    rows = [
        ("hfc", "refrigerant/HFC-134a", "0.1", "t", "", ""),
        ("flights", "travel/air/long_haul", "10000", "passenger*km", "", "II.4:3"),
        ("gas-home", "fuel/natural_gas", "1000", "m3", "", ""),
    ]
    result = job.run(territory_project.write(tmp_path / "d", rows=rows), write=False)
    e = result.emissions.select("id", "category", "gpc").unique()
    assert dict(e.select("id", "category").iter_rows()) == {
        "hfc-2024": "2.F.1",
        "flights-2024": "1.A.3.a",
        "gas-home-2024": "1.A.4.b",  # a fuel has no default: the organisation's sector
    }
    assert dict(e.select("id", "gpc").iter_rows()) == {
        "hfc-2024": "IV.2",
        "flights-2024": "II.4.3",
        "gas-home-2024": "I.1.1",
    }
